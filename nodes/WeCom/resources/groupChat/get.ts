import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { weComApiRequest } from '../../transport';
import type { NodeOperation } from '../../../shared/operations';
import { chatIdField, requireChatId } from './fields';

export const getOperation: NodeOperation = {
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
