import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { describeWeComError, weComBaseUrl } from '../nodes/WeCom/errors';

export class WeComApi implements ICredentialType {
	name = 'weComApi';

	displayName = 'WeCom (企业微信) App API';

	icon: Icon = {
		light: 'file:../nodes/WeCom/wecom.svg',
		dark: 'file:../nodes/WeCom/wecom.dark.svg',
	};

	documentationUrl = 'https://developer.work.weixin.qq.com/document/path/90665';

	properties: INodeProperties[] = [
		{
			displayName: 'Corp ID (企业ID)',
			name: 'corpId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'ww1436e0e65a779aee',
			description: 'Admin console → 我的企业 (My Company) → 企业信息 → 企业ID',
		},
		{
			displayName: 'Agent ID (AgentId)',
			name: 'agentId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '1000002',
			description: 'Admin console → 应用管理 (Apps) → your self-built app → AgentId',
		},
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				"The app's Secret, on the same page as the AgentId (查看 Secret, sent to the admin's WeCom)",
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://qyapi.weixin.qq.com',
			description:
				'Change only for a relay proxy with a trusted IP (errcode 60020), a private deployment, or a local emulator',
		},
		{
			displayName: 'Callback Token',
			name: 'callbackToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'For the WeCom Trigger: 接收消息 → 设置API接收 → Token. Not needed for sending.',
		},
		// The EncodingAESKey decrypts every callback: a secret, although its name has no "secret" in it.
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password
		{
			displayName: 'Callback EncodingAESKey',
			name: 'encodingAesKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'For the WeCom Trigger: 接收消息 → 设置API接收 → EncodingAESKey (43 characters). Not needed for sending.',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		let answer: IDataObject;
		try {
			answer = (await this.helpers.httpRequest({
				method: 'GET',
				url: `${weComBaseUrl(credentials.baseUrl)}/cgi-bin/gettoken`,
				qs: {
					corpid: String(credentials.corpId ?? '').trim(),
					corpsecret: String(credentials.secret ?? '').trim(),
				},
				json: true,
			})) as IDataObject;
		} catch (error) {
			// The request URL carries the secret: never let the transport's error text through. The network code
			// (ECONNREFUSED, ...) is kept so the caller can tell a connection failure from a refusal.
			const cause = error as {
				code?: string;
				cause?: { code?: string };
				response?: { status?: number };
			};
			const status = cause.response?.status;
			throw Object.assign(
				new Error(
					`Could not reach WeCom's gettoken at ${weComBaseUrl(credentials.baseUrl)}` +
						(status ? ` (HTTP ${status})` : '') +
						': check the API Base URL and that n8n can reach it.',
				),
				{ code: cause.code ?? cause.cause?.code, httpCode: status ? String(status) : undefined },
			);
		}
		if (Number(answer.errcode ?? 0) !== 0 || typeof answer.access_token !== 'string') {
			const { message } = describeWeComError(Number(answer.errcode), String(answer.errmsg ?? ''));
			throw new Error(`WeCom refused to issue an access token: ${message}`);
		}
		return { accessToken: answer.access_token };
	}

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { qs: { access_token: '={{$credentials.accessToken}}' } },
	};

	// A token alone proves only CorpID + Secret; reading the agent proves the AgentId belongs to this Secret.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ ($credentials.baseUrl || "https://qyapi.weixin.qq.com").trim().replace(/\\/+$/, "") }}',
			url: '/cgi-bin/agent/get',
			qs: { agentid: '={{$credentials.agentId}}' },
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errcode',
					value: 40056,
					message: 'Invalid AgentId (40056): use the AgentId of the app whose Secret you entered.',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errcode',
					value: 60020,
					message:
						"n8n's IP is not in the app's trusted IPs (60020): add it under 企业可信IP, or set API Base URL to a relay proxy that has a trusted IP.",
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errcode',
					value: 301002,
					message:
						'The Secret has no permission to read this agent (301002): check AgentId and Secret belong to the same app.',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errcode',
					value: 60011,
					message:
						"No permission to read this agent (60011): check the app's visibility scope (可见范围) and that AgentId and Secret belong to the same app.",
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errcode',
					value: 48002,
					message:
						"The app may not call this API (48002): check the app's API permissions in the admin console.",
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errcode',
					value: 40014,
					message:
						'The access token was rejected (40014): save the credential again to fetch a new one.',
				},
			},
		],
	};
}
