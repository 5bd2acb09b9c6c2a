import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { describeDingTalkError } from '../nodes/DingTalk/errors';
import {
	baseUrlOf,
	DINGTALK_API_BASE_URL,
	DINGTALK_OAPI_BASE_URL,
	dingTalkTokenFingerprint,
	isNewApiPath,
} from '../nodes/DingTalk/hosts';

export class DingTalkApi implements ICredentialType {
	name = 'dingTalkApi';

	displayName = 'DingTalk (钉钉) App API';

	icon: Icon = {
		light: 'file:../nodes/DingTalk/dingtalk.svg',
		dark: 'file:../nodes/DingTalk/dingtalk.dark.svg',
	};

	documentationUrl =
		'https://github.com/n8n-nodes-wecom-dingtalk/n8n-nodes-wecom-dingtalk#dingtalk-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Client ID (AppKey)',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'dingxxxxxxxxxxxxxxxx',
			description:
				'Developer console (开发者后台) → the app → 凭证与基础信息 → Client ID (原 AppKey)',
		},
		{
			displayName: 'Client Secret (AppSecret)',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'On the same page: Client Secret (原 AppSecret)',
		},
		{
			displayName:
				"Test proves Client ID, Client Secret and API Host (New API): it asks DingTalk for a new token with exactly what is typed here. Agent ID, Robot Code, API Host (Old API) and the app's permissions (权限管理) are checked on first use, where an error names the fix. 测试只验证 Client ID、Client Secret 和新版 API 地址；AgentId、机器人编码、旧版 API 地址与接口权限在首次调用时检查，报错会说明如何修复。",
			name: 'testNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Agent ID (AgentId)',
			name: 'agentId',
			type: 'string',
			default: '',
			placeholder: '3141592653',
			description:
				'On the same page: AgentId. Needed for work notifications (工作通知) and approvals started for the app.',
		},
		{
			displayName: 'Corp ID (CorpId)',
			name: 'corpId',
			type: 'string',
			default: '',
			placeholder: 'dingxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
			description:
				'Optional. The organisation\'s CorpId (开发者后台 home page). Needed only by the trigger for callbacks registered through the old "register callback" API.',
		},
		{
			displayName: 'Robot Code',
			name: 'robotCode',
			type: 'string',
			default: '',
			placeholder: 'Same as the Client ID',
			description:
				"Optional. The robotCode of the app's own robot (应用机器人) for Robot Message operations; empty means the Client ID, which is the robotCode of most apps",
		},
		{
			displayName: 'API Host (New API)',
			name: 'apiBaseUrl',
			type: 'string',
			default: DINGTALK_API_BASE_URL,
			description:
				'Host of the new API family (api.dingtalk.com). Change only for a relay proxy with a whitelisted IP (60020), or a local emulator.',
		},
		{
			displayName: 'API Host (Old API)',
			name: 'oapiBaseUrl',
			type: 'string',
			default: DINGTALK_OAPI_BASE_URL,
			description:
				'Host of the old API family (oapi.dingtalk.com). Change only for a relay proxy with a whitelisted IP (60020), or a local emulator.',
		},
		{
			displayName: 'Callback Token',
			name: 'callbackToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'For the DingTalk Trigger in HTTP mode: 开发者后台 → the app → 事件订阅 → 加密 token (Token). Not needed for sending.',
		},
		// The aes_key decrypts every callback: a secret, although its name has no "secret" in it.
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password
		{
			displayName: 'Callback AES Key (aes_key)',
			name: 'aesKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'For the DingTalk Trigger in HTTP mode: 事件订阅 → 数据加密密钥 (aes_key, 43 characters). Not needed for sending.',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Access Token Issued For',
			name: 'accessTokenFor',
			type: 'hidden',
			typeOptions: { password: true },
			default: '',
		},
	];

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const host = baseUrlOf(credentials.apiBaseUrl, DINGTALK_API_BASE_URL);
		let answer: IDataObject;
		try {
			answer = (await this.helpers.httpRequest({
				method: 'POST',
				url: `${host}/v1.0/oauth2/accessToken`,
				body: {
					appKey: String(credentials.clientId ?? '').trim(),
					appSecret: String(credentials.clientSecret ?? '').trim(),
				},
				json: true,
				ignoreHttpStatusErrors: true,
			})) as IDataObject;
		} catch (error) {
			// The body carries the secret: never let the transport's error text through. The network code is kept so
			// the caller can tell a connection failure from a refusal.
			const cause = error as { code?: string; cause?: { code?: string } };
			const code = cause.code ?? cause.cause?.code;
			throw Object.assign(
				new Error(
					`Could not reach DingTalk at ${host} for an access token${code ? ` (${code})` : ''}: check API Host (New API) and that n8n can reach it.`,
				),
				{ code },
			);
		}
		if (typeof answer?.accessToken !== 'string' || answer.accessToken === '') {
			const code = String(answer?.code ?? answer?.errcode ?? 'unknown');
			const { message, zh } = describeDingTalkError(
				code,
				String(answer?.message ?? answer?.errmsg ?? ''),
				answer ?? {},
				String(answer?.requestid ?? '') || undefined,
			);
			// English and Chinese: this message is what the credential Test shows when no token was stored yet.
			throw new Error(`DingTalk refused to issue an access token: ${message}${zh ? ` ${zh}` : ''}`);
		}
		return {
			accessToken: answer.accessToken,
			accessTokenFor: dingTalkTokenFingerprint(credentials),
		};
	}

	/** The new family wants the token in a header, the old one in the query; the path tells them apart. */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const token = String(credentials.accessToken ?? '');
		const path = requestOptions.url.replace(/^[a-z]+:\/\/[^/]+/i, '');
		if (isNewApiPath(path)) {
			return {
				...requestOptions,
				headers: { ...(requestOptions.headers ?? {}), 'x-acs-dingtalk-access-token': token },
			};
		}
		return { ...requestOptions, qs: { ...(requestOptions.qs ?? {}), access_token: token } };
	}

	// Asks for a token with exactly the Client ID, Client Secret and host typed into the form: a stored token plays no
	// part, so an edited secret or host is proven (or refused) by this Test alone. Nothing more can be proven honestly
	// in n8n 2.x: a credential test is one declarative request (a function test would need this.helpers.request, which
	// community nodes may not use), and n8n runs preAuthentication in a test only while no token is stored, so a second,
	// authenticated call (one that would prove the AgentId, e.g. with a permission the app may not have) could run with
	// a token fetched for other values. The notice above says so; the AgentId is checked by the first call that sends it.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ ($credentials.apiBaseUrl || "https://api.dingtalk.com").trim().replace(/\\/+$/, "") }}',
			url: '/v1.0/oauth2/accessToken',
			method: 'POST',
			body: {
				appKey: '={{ String($credentials.clientId).trim() }}',
				appSecret: '={{ String($credentials.clientSecret).trim() }}',
			},
			json: true,
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 400,
					message:
						'Client ID or Client Secret is wrong (invalidClientIdOrSecret): copy both again from 开发者后台 → the app → 凭证与基础信息. Client ID 或 Client Secret 错误：请在开发者后台 → 应用 → 凭证与基础信息 中重新复制。',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						"DingTalk refused this server (HTTP 403): most often n8n's IP is not in the app's server IP whitelist (60020): add it under 开发者后台 → the app → 安全设置 → 服务器出口IP, or set the API hosts to a relay proxy whose IP is listed. 钉钉拒绝了本服务器：通常是 n8n 的出口 IP 不在应用的服务器出口IP白名单中（60020），请在 安全设置 中添加，或改用白名单内的转发代理。",
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'API Host (New API) does not answer like DingTalk (HTTP 404): use https://api.dingtalk.com or your relay proxy. 新版 API 地址不是钉钉的地址：请填写 https://api.dingtalk.com 或您的转发代理。',
				},
			},
		],
	};
}
