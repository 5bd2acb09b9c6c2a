import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { weComApiRequest } from '../../transport';
import type { WeComOperation } from '../types';
import { chatIdField, requireChatId } from './fields';

export const getOperation: WeComOperation = {
	value: 'get',
	name: 'Get',
	action: 'Get a group chat',
	description: 'Get the name, owner and members of an app group chat',
	properties: [chatIdField],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const chatid = requireChatId.call(this, itemIndex);
		const answer = await weComApiRequest.call(this, {
			method: 'GET',
			path: '/cgi-bin/appchat/get',
			qs: { chatid },
			itemIndex,
		});
		return (answer.chat_info as IDataObject | undefined) ?? { chatid };
	},
};
