import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { weComApiRequest } from '../../transport';
import type { NodeOperation } from '../../../shared/operations';

const EMAIL_TYPES: Record<string, number> = { corp: 1, personal: 2 };

export const getUserIdByEmail: NodeOperation = {
	value: 'getIdByEmail',
	name: 'Get ID by Email',
	action: 'Get a user ID by email',
	description: 'Find the userid of the member with this email address (user/get_userid_by_email)',
	properties: [
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			placeholder: 'name@email.com',
			default: '',
			required: true,
			description: "The email address as it is in the member's WeCom profile",
		},
		{
			displayName: 'Email Type',
			name: 'emailType',
			type: 'options',
			options: [
				{
					name: 'Corporate Email (企业邮箱)',
					value: 'corp',
					description: 'The address of the WeCom corporate mailbox (biz_mail)',
				},
				{
					name: 'Personal Email (个人邮箱)',
					value: 'personal',
					description: "The member's own address (email)",
				},
			],
			default: 'corp',
			description: 'Which of the two addresses of a member to match (email_type)',
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const email = String(this.getNodeParameter('email', itemIndex, '') ?? '').trim();
		const emailType = this.getNodeParameter('emailType', itemIndex, 'corp') as string;
		if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
			throw new NodeOperationError(
				this.getNode(),
				email === ''
					? 'Email is empty: enter the email address of the member'
					: `Email "${email}" is not an email address`,
				{ itemIndex },
			);
		}
		if (!Object.hasOwn(EMAIL_TYPES, emailType)) {
			throw new NodeOperationError(
				this.getNode(),
				`Email Type "${emailType}" is unknown: use "corp" or "personal"`,
				{ itemIndex },
			);
		}
		const answer = await weComApiRequest.call(this, {
			method: 'POST',
			path: '/cgi-bin/user/get_userid_by_email',
			body: { email, email_type: EMAIL_TYPES[emailType] },
			itemIndex,
		});
		return { email, userid: answer.userid };
	},
};
