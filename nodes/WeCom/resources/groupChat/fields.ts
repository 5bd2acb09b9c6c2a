import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { inputError } from '../../../shared/wecom/limits';
import { idsFrom } from '../../../shared/idList';
import { readLocatorList } from '../shared/orgFields';

export const MIN_MEMBERS = 2;
export const MAX_MEMBERS = 2000;
const MAX_NAME_CHARS = 50;
const CHAT_ID = /^[0-9a-zA-Z]{1,32}$/;

export const chatIdField: INodeProperties = {
	displayName: 'Chat ID',
	name: 'chatId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'wrkSFfCgAAtMQKg4xqDatM5C9IFEJrpA',
	description: 'The chatid that Create returned (or that you chose when creating the chat)',
};

export function readChatId(this: IExecuteFunctions, itemIndex: number, name = 'chatId'): string {
	const chatId = String(this.getNodeParameter(name, itemIndex, '') ?? '').trim();
	if (chatId && !CHAT_ID.test(chatId)) {
		throw inputError.call(
			this,
			itemIndex,
			`Chat ID "${chatId}" is not valid: WeCom chat IDs are 1 to 32 letters and digits (0-9 a-z A-Z)`,
		);
	}
	return chatId;
}

export function requireChatId(this: IExecuteFunctions, itemIndex: number): string {
	const chatId = readChatId.call(this, itemIndex);
	if (!chatId) {
		throw inputError.call(this, itemIndex, 'Chat ID is empty: give the chatid of the group chat');
	}
	return chatId;
}

export function readUserId(this: IExecuteFunctions, itemIndex: number, name: string): string {
	const value = this.getNodeParameter(name, itemIndex, '', { extractValue: true }) as unknown;
	return value === undefined || value === null ? '' : String(value).trim();
}

export function readMembers(
	this: IExecuteFunctions,
	itemIndex: number,
	name: string,
	label: string,
): string[] {
	return idsFrom.call(this, itemIndex, readLocatorList.call(this, name, 'user', itemIndex), label);
}

export function checkChatName(this: IExecuteFunctions, itemIndex: number, name: string): void {
	const chars = [...name].length;
	if (chars > MAX_NAME_CHARS) {
		throw inputError.call(
			this,
			itemIndex,
			`Name is ${chars} characters: WeCom allows at most ${MAX_NAME_CHARS} for a group chat name`,
		);
	}
}
