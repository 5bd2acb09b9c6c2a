import type { IDataObject, IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { authCodeProperty, readAuthCode } from '../../../shared/authCode';
import type { NodeOperation } from '../../../shared/operations';
import { CREDENTIAL_TYPE, dingTalkApiRequest } from '../../transport';
import { dingTalkUserAuthRequest, UserAuthRefused } from '../../userAuth';
import { resultOf } from '../shared/org';
import { userProfile } from '../shared/orgApi';

const CODE_REFUSED = {
	en: 'DingTalk refused the login code: an authCode works once and for about 5 minutes, and only for the app (Client ID) the login was started for. Send the user through the login again and use the new code at once.',
	zh: '钉钉拒绝了登录授权码：authCode 只能使用一次、约 5 分钟内有效，且只对发起登录的应用（Client ID）有效。请让用户重新登录，并立即使用新的授权码。',
};

/** The user's token for an OAuth / QR login code; a refused code gets a message that says what went wrong. */
async function userAccessToken(this: IExecuteFunctions, code: string, itemIndex: number) {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	try {
		const answer = await dingTalkUserAuthRequest.call(this, {
			method: 'POST',
			path: '/v1.0/oauth2/userAccessToken',
			body: {
				clientId: String(credentials.clientId ?? '').trim(),
				clientSecret: String(credentials.clientSecret ?? '').trim(),
				code,
				grantType: 'authorization_code',
			},
			secrets: [code],
			itemIndex,
		});
		return String(answer.accessToken ?? '');
	} catch (error) {
		const refused = error as UserAuthRefused;
		const kind = String((refused.errorResponse as IDataObject | undefined)?.code ?? '');
		if (!(error instanceof UserAuthRefused) || /ClientIdOrSecret/i.test(kind)) throw error;
		throw new NodeApiError(this.getNode(), refused.errorResponse as JsonObject, {
			message: `${CODE_REFUSED.en} (DingTalk ${kind})`,
			description: `${CODE_REFUSED.en}\n${CODE_REFUSED.zh}\n${refused.description ?? ''}`,
			httpCode: refused.httpCode ?? undefined,
			itemIndex,
		});
	}
}

/** The member with this unionId, or undefined for a person outside the organisation. */
async function memberByUnionId(this: IExecuteFunctions, unionid: string, itemIndex: number) {
	try {
		const answer = await dingTalkApiRequest.call(this, {
			method: 'POST',
			path: '/topapi/user/getbyunionid',
			body: { unionid },
			itemIndex,
		});
		const { userid, contact_type: contactType } = resultOf(answer);
		return Number(contactType ?? 0) === 0 && typeof userid === 'string' ? userid : undefined;
	} catch (error) {
		// 60121: no member with this unionId (someone from outside the organisation logged in).
		if ((error as NodeApiError).errorResponse?.errcode === 60121) return undefined;
		throw error;
	}
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
			const me = await dingTalkUserAuthRequest.call(this, {
				method: 'GET',
				path: '/v1.0/contact/users/me',
				userToken: token,
				secrets: [code],
				itemIndex,
			});
			const person: IDataObject = {
				unionId: me.unionId,
				openId: me.openId,
				nick: me.nick,
				avatarUrl: me.avatarUrl,
				...(me.mobile ? { mobile: me.mobile, stateCode: me.stateCode } : {}),
				...(me.email ? { email: me.email } : {}),
			};
			const userid =
				typeof me.unionId === 'string'
					? await memberByUnionId.call(this, me.unionId, itemIndex)
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
