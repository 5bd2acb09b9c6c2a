import type { IExecuteFunctions } from 'n8n-workflow';

import { readLocator } from '../../../shared/checks';
import type { NodeOperation } from '../../../shared/operations';
import { USER_ID_RULE, userField } from '../shared/org';
import { userProfile } from '../shared/orgApi';
import { languageOptions, readLanguage } from '../shared/language';

export const getUser: NodeOperation = {
	value: 'get',
	name: 'Get',
	action: 'Get a user',
	description: 'Get one member by userid, with profile and departments (/topapi/v2/user/get)',
	properties: [
		userField({
			name: 'userId',
			displayName: 'User',
			description: 'The member to get: search by name, userid or mobile, or enter the userid',
		}),
		languageOptions,
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const userid = readLocator.call(this, 'userId', itemIndex, 'User', USER_ID_RULE);
		return await userProfile.call(this, userid, itemIndex, readLanguage.call(this, itemIndex));
	},
};
