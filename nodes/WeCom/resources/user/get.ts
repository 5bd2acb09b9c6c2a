import type { IExecuteFunctions } from 'n8n-workflow';

import { weComApiRequest } from '../../transport';
import { USER_ID_RULE, userLocator, withoutStatus } from '../shared/orgFields';
import { readLocator } from '../../../shared/checks';
import type { NodeOperation } from '../../../shared/operations';

export const getUser: NodeOperation = {
	value: 'get',
	name: 'Get',
	action: 'Get a user',
	description: 'Get one member by userid (user/get)',
	properties: [
		{
			...userLocator({
				name: 'userId',
				displayName: 'User',
				description:
					'The member to get. Apps created after 2022-06-20 no longer receive avatar, gender, mobile, email, biz_mail, qr_code and address.',
			}),
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const userid = readLocator.call(this, 'userId', itemIndex, 'User', USER_ID_RULE);
		const answer = await weComApiRequest.call(this, {
			method: 'GET',
			path: '/cgi-bin/user/get',
			qs: { userid },
			itemIndex,
		});
		return withoutStatus(answer);
	},
};
