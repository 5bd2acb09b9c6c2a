import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { authCodeProperty, readAuthCode } from '../../../shared/authCode';
import type { NodeOperation } from '../../../shared/operations';
import { weComApiRequest } from '../../transport';
import { withoutStatus } from '../shared/orgFields';

export const getUserByCode: NodeOperation = {
	value: 'getByCode',
	name: 'Get by Login Code',
	action: 'Get the user behind a login code',
	description:
		'Find out who opened a page: turn the code of a WeCom login redirect (网页授权 OAuth2, 扫码登录) into the userid, or the openid of a non-member (auth/getuserinfo)',
	properties: [
		authCodeProperty(
			'The "code" query parameter WeCom appends to the redirect URL after 网页授权 (OAuth2) or 扫码登录 (QR login). A code works once and for 5 minutes.',
		),
		{
			displayName: 'Include Profile',
			name: 'includeProfile',
			type: 'boolean',
			default: true,
			description:
				"Whether to also get the member's profile (user/get). Non-members (openid) have none.",
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const code = readAuthCode.call(this, itemIndex);
		const answer = await weComApiRequest.call(this, {
			method: 'GET',
			path: '/cgi-bin/auth/getuserinfo',
			qs: { code },
			itemIndex,
		});
		// Older answers spell the fields UserId / OpenId.
		const userid = answer.userid ?? answer.UserId;
		if (typeof userid !== 'string' || userid === '') {
			const visitor: IDataObject = { member: false, openid: answer.openid ?? answer.OpenId };
			if (answer.external_userid) visitor.external_userid = answer.external_userid;
			return visitor;
		}
		// user_ticket (for user/getuserdetail) is a credential of the user's session: it stays out of the item.
		const found: IDataObject = { member: true, userid };
		if (!(this.getNodeParameter('includeProfile', itemIndex, true) as boolean)) return found;
		const profile = await weComApiRequest.call(this, {
			method: 'GET',
			path: '/cgi-bin/user/get',
			qs: { userid },
			itemIndex,
		});
		return { ...found, ...withoutStatus(profile) };
	},
};
