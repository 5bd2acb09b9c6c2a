import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { weComApiRequest } from '../../transport';
import type { MessageType } from '../message/content';
import {
	finishMessage,
	messageContentProperties,
	prepareMessage,
	safeFlag,
	safeOption,
} from '../message/content';
import type { NodeOperation } from '../../../shared/operations';
import { chatIdField, requireChatId } from './fields';

/** What appchat/send takes: no template cards there. */
const APPCHAT_MESSAGE_TYPES: MessageType[] = [
	'text',
	'markdown',
	'textcard',
	'news',
	'mpnews',
	'image',
	'voice',
	'video',
	'file',
];

export const sendOperation: NodeOperation = {
	value: 'send',
	name: 'Send',
	action: 'Send a message to a group chat',
	description: 'Send a message to an app group chat',
	properties: [
		chatIdField,
		...messageContentProperties(APPCHAT_MESSAGE_TYPES),
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [safeOption],
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const chatid = requireChatId.call(this, itemIndex);
		const options = this.getNodeParameter('options', itemIndex, {}) as { safe?: boolean };
		const prepared = await prepareMessage.call(this, itemIndex, APPCHAT_MESSAGE_TYPES);
		const { body, uploaded } = await finishMessage.call(this, itemIndex, prepared);
		const request: IDataObject = { chatid, ...body, ...safeFlag(options) };
		await weComApiRequest.call(this, {
			method: 'POST',
			path: '/cgi-bin/appchat/send',
			body: request,
			itemIndex,
		});
		return {
			chatid,
			msgtype: prepared.msgtype,
			sent: true,
			...(uploaded ? { media: uploaded } : {}),
		};
	},
};
