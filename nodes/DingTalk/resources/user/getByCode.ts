import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { authCodeProperty, readAuthCode } from '../../../shared/authCode';
import type { NodeOperation } from '../../../shared/operations';
import { baseUrlOf, DINGTALK_API_BASE_URL } from '../../hosts';
import { unlessNotFound } from '../../methods/searchState';
import { CREDENTIAL_TYPE, dingTalkApiRequest } from '../../transport';
import { dingTalkUserAuthRequest } from '../../userAuth';
import { resultOf } from '../shared/org';
import { userProfile } from '../shared/orgApi';

const CODE_REFUSED = {
	en: 'DingTalk refused the login code: an authCode works once and for about 5 minutes, and only for the app (Client ID) the login was started for. Send the user through the login again and use the new code at once.',
	zh: '钉钉拒绝了登录授权码：authCode 只能使用一次、约 5 分钟内有效，且只对发起登录的应用（Client ID）有效。请让用户重新登录，并立即使用新的授权码。',
};

/** The user's token for an OAuth / QR login code; a refused code gets a message that says what went wrong. */
async function userAccessToken(this: IExecuteFunctions, code: string, itemIndex: number) {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const clientSecret = String(credentials.clientSecret ?? '').trim();
	const answer = await dingTalkUserAuthRequest.call(this, {
		method: 'POST',
		path: '/v1.0/oauth2/userAccessToken',
		host: baseUrlOf(credentials.apiBaseUrl, DINGTALK_API_BASE_URL),
		body: {
			clientId: String(credentials.clientId ?? '').trim(),
			clientSecret,
			code,
			grantType: 'authorization_code',
		},
		secrets: [clientSecret, credentials.accessToken, code],
		// A wrong Client ID or Secret keeps DingTalk's own hint; any other refusal is about the code.
		explainRefusal: (kind) => (/ClientIdOrSecret/i.test(kind) ? undefined : CODE_REFUSED),
		itemIndex,
	});
	return String(answer.accessToken ?? '');
}

/** The user behind a user access token (/v1.0/contact/users/me, called as that user). */
async function me(this: IExecuteFunctions, token: string, code: string, itemIndex: number) {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	return await dingTalkUserAuthRequest.call(this, {
		method: 'GET',
		path: '/v1.0/contact/users/me',
		host: baseUrlOf(credentials.apiBaseUrl, DINGTALK_API_BASE_URL),
		userToken: token,
		secrets: [credentials.clientSecret, credentials.accessToken, code],
		itemIndex,
	});
}

/** The member with this unionId, or undefined for a person outside the organisation (60121). */
async function memberByUnionId(this: IExecuteFunctions, unionid: string, itemIndex: number) {
	const answer = await unlessNotFound(
		async () =>
			await dingTalkApiRequest.call(this, {
				method: 'POST',
				path: '/topapi/user/getbyunionid',
				body: { unionid },
				itemIndex,
			}),
		['60121'],
	);
	if (!answer) return undefined;
	const { userid, contact_type: contactType } = resultOf(answer);
	return Number(contactType ?? 0) === 0 && typeof userid === 'string' ? userid : undefined;
}

export const getUserByCode: NodeOperation = {
	value: 'getByCode',
	name: 'Get by Login Code',
	action: 'Get the user behind a login code',
	description:
		'Find out who opened a page: turn a 免登 code from an in-app page (/topapi/v2/user/getuserinfo) or the authCode of a QR / OAuth login (/v1.0/oauth2/userAccessToken + /v1.0/contact/users/me) into the user',
	properties: [
		{
			displayName: 'Code From',
			name: 'codeSource',
			type: 'options',
			options: [
				{
					name: 'In-App Page (免登)',
					value: 'inApp',
					description:
						'A code from dd.runtime.permission.requestAuthCode / dd.getAuthCode inside DingTalk',
				},
				{
					name: 'Login Redirect (扫码登录 / OAuth 2.0)',
					value: 'oauth',
					description:
						'The authCode DingTalk appends to your redirect URL after a QR or browser login',
				},
			],
			default: 'inApp',
			description: 'Where the code comes from: each kind is redeemed by its own API',
		},
		authCodeProperty(
			'The login code: for an in-app page the code the page got from the JSAPI, for a login redirect the "authCode" query parameter. A code works once and for about 5 minutes.',
		),
		{
			displayName: 'Include Profile',
			name: 'includeProfile',
			type: 'boolean',
			default: true,
			description:
				"Whether to also get the member's profile (/topapi/v2/user/get); people outside the organisation have none",
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const source = this.getNodeParameter('codeSource', itemIndex, 'inApp') as string;
		const code = readAuthCode.call(this, itemIndex);
		const includeProfile = this.getNodeParameter('includeProfile', itemIndex, true) as boolean;
		if (source === 'oauth') {
			const token = await userAccessToken.call(this, code, itemIndex);
			const user = await me.call(this, token, code, itemIndex);
			const person: IDataObject = {
				unionId: user.unionId,
				openId: user.openId,
				nick: user.nick,
				avatarUrl: user.avatarUrl,
				...(user.mobile ? { mobile: user.mobile, stateCode: user.stateCode } : {}),
				...(user.email ? { email: user.email } : {}),
			};
			const userid =
				typeof user.unionId === 'string'
					? await memberByUnionId.call(this, user.unionId, itemIndex)
					: undefined;
			if (!userid) return { member: false, ...person };
			const found = { member: true, userid, ...person };
			return includeProfile
				? { ...found, ...(await userProfile.call(this, userid, itemIndex)) }
				: found;
		}
		const answer = await dingTalkApiRequest.call(this, {
			method: 'POST',
			path: '/topapi/v2/user/getuserinfo',
			body: { code },
			itemIndex,
		});
		const result = resultOf(answer);
		const found: IDataObject = {
			member: true,
			userid: result.userid,
			unionid: result.unionid,
			name: result.name,
			sys: result.sys,
			sys_level: result.sys_level,
		};
		if (!includeProfile || typeof result.userid !== 'string') return found;
		return { ...found, ...(await userProfile.call(this, result.userid, itemIndex)) };
	},
};
