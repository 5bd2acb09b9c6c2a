import type { IExecuteFunctions } from 'n8n-workflow';

import { weComApiRequest } from '../../transport';
import { readMobile } from '../../../shared/checks';
import { mobileField } from '../../../shared/orgFields';
import type { NodeOperation } from '../../../shared/operations';

export const getUserIdByMobile: NodeOperation = {
	value: 'getIdByMobile',
	name: 'Get ID by Mobile',
	action: 'Get a user ID by mobile',
	description: 'Find the userid of the member with this mobile number (user/getuserid)',
	properties: [mobileField("The mobile number as it is in the member's WeCom profile")],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const mobile = readMobile.call(this, 'mobile', itemIndex);
		const answer = await weComApiRequest.call(this, {
			method: 'POST',
			path: '/cgi-bin/user/getuserid',
			body: { mobile },
			itemIndex,
		});
		return { mobile, userid: answer.userid };
	},
};
