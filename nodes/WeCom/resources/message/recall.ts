import type { IExecuteFunctions } from 'n8n-workflow';

import { weComApiRequest } from '../../transport';
import type { NodeOperation } from '../../../shared/operations';
import { inputError } from '../../../shared/wecom/limits';

export const recallOperation: NodeOperation = {
	value: 'recall',
	name: 'Recall',
	action: 'Recall an app message',
	description: 'Withdraw (撤回) an app message sent within the last 24 hours',
	properties: [
		{
			displayName: 'Message ID',
			name: 'msgid',
			type: 'string',
			default: '',
			required: true,
			placeholder: '={{ $json.msgid }}',
			description: 'The msgid that Send returned',
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const msgid = String(this.getNodeParameter('msgid', itemIndex, '') ?? '').trim();
		if (!msgid) {
			throw inputError.call(
				this,
				itemIndex,
				'Message ID is empty: give the msgid that Send returned',
			);
		}
		await weComApiRequest.call(this, {
			method: 'POST',
			path: '/cgi-bin/message/recall',
			body: { msgid },
			itemIndex,
		});
		return { msgid, recalled: true };
	},
};
