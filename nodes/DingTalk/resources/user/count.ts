import type { IExecuteFunctions } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import { dingTalkApiRequest } from '../../transport';
import { resultOf } from '../shared/org';

export const countUsers: NodeOperation = {
	value: 'count',
	name: 'Count',
	action: 'Count users',
	description: 'Count the members of the organisation (/topapi/user/count)',
	properties: [
		{
			displayName: 'Only Active',
			name: 'onlyActive',
			type: 'boolean',
			default: false,
			description:
				'Whether to count only members who have activated DingTalk (已激活); off counts every member',
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const onlyActive = this.getNodeParameter('onlyActive', itemIndex, false) as boolean;
		const answer = await dingTalkApiRequest.call(this, {
			method: 'POST',
			path: '/topapi/user/count',
			body: { only_active: onlyActive },
			itemIndex,
		});
		return { count: resultOf(answer).count, only_active: onlyActive };
	},
};
