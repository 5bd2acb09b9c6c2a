import type { IExecuteFunctions } from 'n8n-workflow';

import { readMobile } from '../../../shared/checks';
import { mobileField } from '../../../shared/orgFields';
import type { NodeOperation } from '../../../shared/operations';
import { dingTalkApiRequest } from '../../transport';
import { resultOf } from '../shared/org';

export const getUserIdByMobile: NodeOperation = {
	value: 'getIdByMobile',
	name: 'Get ID by Mobile',
	action: 'Get a user ID by mobile',
	description:
		'Find the userid of the member with this mobile number (/topapi/v2/user/getbymobile)',
	properties: [
		mobileField(
			"The mobile number as it is in the member's DingTalk profile (mainland numbers without +86)",
		),
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const mobile = readMobile.call(this, 'mobile', itemIndex);
		const answer = await dingTalkApiRequest.call(this, {
			method: 'POST',
			path: '/topapi/v2/user/getbymobile',
			body: { mobile: mobile.replace(/[ ]/g, '') },
			itemIndex,
		});
		return { mobile, userid: resultOf(answer).userid };
	},
};
