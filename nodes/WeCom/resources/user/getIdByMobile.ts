import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { weComApiRequest } from '../../transport';
import type { NodeOperation } from '../../../shared/operations';

/** WeCom stores mobiles as up to 32 characters: digits, optionally a leading +, and separators some corps keep. */
const MOBILE_PATTERN = /^\+?[0-9][0-9 -]{3,30}$/;

export const getUserIdByMobile: NodeOperation = {
	value: 'getIdByMobile',
	name: 'Get ID by Mobile',
	action: 'Get a user ID by mobile',
	description: 'Find the userid of the member with this mobile number (user/getuserid)',
	properties: [
		{
			displayName: 'Mobile',
			name: 'mobile',
			type: 'string',
			default: '',
			required: true,
			placeholder: '13800138000',
			description: "The mobile number as it is in the member's WeCom profile",
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const mobile = String(this.getNodeParameter('mobile', itemIndex, '') ?? '').trim();
		if (!MOBILE_PATTERN.test(mobile)) {
			throw new NodeOperationError(
				this.getNode(),
				mobile === ''
					? 'Mobile is empty: enter the mobile number of the member'
					: `Mobile "${mobile}" is not a mobile number: use digits, optionally with a leading +`,
				{ itemIndex },
			);
		}
		const answer = await weComApiRequest.call(this, {
			method: 'POST',
			path: '/cgi-bin/user/getuserid',
			body: { mobile },
			itemIndex,
		});
		return { mobile, userid: answer.userid };
	},
};
