import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { toIdList } from '../../../shared/idList';
import { CREDENTIAL_TYPE } from '../../transport';

/**
 * Bad input found by a pure message builder (no node context there). The router turns it into a NodeOperationError of
 * the item; its message names the field as the UI labels it and the fix.
 */
export class InputError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'InputError';
	}
}

/** Reads a parameter as trimmed text; an expression may have produced a number or nothing. */
export function textParameter(this: IExecuteFunctions, name: string, itemIndex: number): string {
	const value = this.getNodeParameter(name, itemIndex, '') as unknown;
	return value === undefined || value === null ? '' : String(value).trim();
}

/** Reads a list-of-IDs parameter (array, "a,b", "a|b", objects with an id); `numeric` for department IDs. */
export function readIds(
	this: IExecuteFunctions,
	itemIndex: number,
	name: string,
	label: string,
	numeric = false,
): string[] {
	const { ids, unreadable } = toIdList(this.getNodeParameter(name, itemIndex, ''));
	if (unreadable.length > 0) {
		throw new NodeOperationError(
			this.getNode(),
			`${label}: cannot read ${JSON.stringify(unreadable[0]).slice(0, 80)} as an ID; give IDs as an array or a string separated by commas`,
			{ itemIndex },
		);
	}
	const bad = numeric ? ids.find((id) => !/^[1-9]\d{0,18}$/.test(id)) : undefined;
	if (bad !== undefined) {
		throw new NodeOperationError(
			this.getNode(),
			`${label}: "${bad}" is not a department ID; DingTalk identifies departments by positive whole numbers (the root is 1)`,
			{ itemIndex },
		);
	}
	return ids;
}

/** The credential's Agent ID: work notifications are sent as this app. */
export async function readAgentId(this: IExecuteFunctions, itemIndex: number): Promise<number> {
	const { agentId } = await this.getCredentials(CREDENTIAL_TYPE);
	const text = String(agentId ?? '').trim();
	if (text === '') {
		throw new NodeOperationError(
			this.getNode(),
			'The credential\'s "Agent ID" is empty: work notifications are sent as an app, so copy its AgentId from 开发者后台 → the app → 凭证与基础信息 into the DingTalk credential',
			{ itemIndex },
		);
	}
	if (!/^\d{1,18}$/.test(text) || !Number.isSafeInteger(Number(text))) {
		throw new NodeOperationError(
			this.getNode(),
			`The credential's "Agent ID" is "${text}", not a number: copy the AgentId (digits only) from 开发者后台 → the app → 凭证与基础信息`,
			{ itemIndex },
		);
	}
	return Number(text);
}

/** The robotCode of the app's own robot: the credential's Robot Code, or its Client ID (the robotCode of most apps). */
export async function readRobotCode(this: IExecuteFunctions): Promise<string> {
	const { robotCode, clientId } = await this.getCredentials(CREDENTIAL_TYPE);
	return String(robotCode ?? '').trim() || String(clientId ?? '').trim();
}
