import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import { dingTalkApiRequest } from '../../transport';
import { resultOf } from '../shared/org';

/** Mobiles as DingTalk stores them: digits, optionally with a leading + and a country code, or separators. */
const MOBILE_PATTERN = /^\+?[0-9][0-9 -]{3,19}$/;

export const getUserIdByMobile: NodeOperation = {
	value: 'getIdByMobile',
	name: 'Get ID by Mobile',
	action: 'Get a user ID by mobile',
	description:
		'Find the userid of the member with this mobile number (/topapi/v2/user/getbymobile)',
	properties: [
		{
			displayName: 'Mobile',
			name: 'mobile',
			type: 'string',
			default: '',
			required: true,
			placeholder: '13800138000',
			description:
				"The mobile number as it is in the member's DingTalk profile (mainland numbers without +86)",
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const mobile = String(this.getNodeParameter('mobile', itemIndex, '') ?? '').trim();
		if (!MOBILE_PATTERN.test(mobile)) {
			throw new NodeOperationError(
				this.getNode(),
				mobile === ''
					? 'Mobile is empty: enter the mobile number of the member'
					: `Mobile "${mobile.slice(0, 40)}" is not a mobile number: use digits, optionally with a leading +`,
				{ itemIndex },
			);
		}
		const answer = await dingTalkApiRequest.call(this, {
			method: 'POST',
			path: '/topapi/v2/user/getbymobile',
			body: { mobile: mobile.replace(/[ ]/g, '') },
			itemIndex,
		});
		return { mobile, userid: resultOf(answer).userid };
	},
};
