import type {
	IAuthenticateRuleResponseCode,
	IAuthenticateRuleResponseSuccessBody,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { describeDingTalkError, dingTalkHints } from '../nodes/DingTalk/errors';
import {
	baseUrlOf,
	DINGTALK_API_BASE_URL,
	DINGTALK_OAPI_BASE_URL,
	dingTalkTokenOwner,
	isNewApiPath,
} from '../nodes/DingTalk/hosts';
import {
	CREDENTIAL_TEST_HEADER,
	TOKEN_REQUEST_FAILED,
	tokenForRequest,
	tokenRecord,
} from '../nodes/shared/accessToken';

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
				"Test proves what is typed here, never a stored token: Client ID, Client Secret, both API hosts and, when filled, that the Agent ID is this app's. Robot Code and the app's permissions (权限管理) are checked on first use, where an error names the fix. 测试只使用此处填写的值：验证 Client ID、Client Secret、新旧两个 API 地址，以及（填写时）AgentId 是否属于该应用；机器人编码与接口权限在首次调用时检查，报错会说明如何修复。",
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
			displayName: 'AI Card Template ID (AI 卡片模板)',
			name: 'aiCardTemplateId',
			type: 'string',
			default: '',
			placeholder: 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.schema',
			description:
				'Optional. The ID of an AI card template made in DingTalk\'s card builder (卡片平台 → 新建模板 → AI 卡片), used by AI Reply and the AI Card Streaming sub-node when they name none; empty: AI replies are sent as markdown messages',
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
				{ code, [TOKEN_REQUEST_FAILED]: true },
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
			throw Object.assign(
				new Error(`DingTalk refused to issue an access token: ${message}${zh ? ` ${zh}` : ''}`),
				{ [TOKEN_REQUEST_FAILED]: true },
			);
		}
		return {
			accessToken: tokenRecord(dingTalkTokenOwner(credentials), answer.accessToken, Date.now()),
		};
	}

	/**
	 * The new family wants the token in a header, the old one in the query; the path tells them apart. Only a token
	 * fetched for exactly these Client ID, Client Secret and host is sent (see tokenForRequest).
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const { token, headers } = tokenForRequest(
			dingTalkTokenOwner(credentials),
			credentials.accessToken,
			requestOptions,
		);
		const path = requestOptions.url.replace(/^[a-z]+:\/\/[^/]+/i, '');
		if (isNewApiPath(path)) {
			return { ...requestOptions, headers: { ...headers, 'x-acs-dingtalk-access-token': token } };
		}
		return {
			...requestOptions,
			headers,
			qs: { ...(requestOptions.qs ?? {}), access_token: token },
		};
	}

	// preAuthentication proves Client ID, Client Secret and API Host (New API): the test insists on a token fetched for
	// it, with exactly what is typed (tokenForRequest). The call proves API Host (Old API) and the Agent ID: DingTalk
	// checks agent_id before it looks for the task, so an Agent ID of another app is refused (40056 and its siblings),
	// while the made-up task of this app is not an error of the credential.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ ($credentials.oapiBaseUrl || "https://oapi.dingtalk.com").trim().replace(/\\/+$/, "") }}',
			url: '/topapi/message/corpconversation/getsendprogress',
			method: 'POST',
			body: {
				// Empty: nothing to prove (the Agent ID is optional). Not a number: sent as 0, which DingTalk refuses.
				agent_id:
					'={{ String($credentials.agentId ?? "").trim() === "" ? undefined : (Number(String($credentials.agentId).trim()) || 0) }}',
				task_id: 1,
			},
			headers: { [CREDENTIAL_TEST_HEADER]: '1' },
			json: true,
		},
		rules: agentTestRules(),
	};
}

/** Errcodes the test call can answer that are the credential's fault (the rest concern the made-up task). */
const TEST_FAILURE_CODES = new Set([
	'40014',
	'42001',
	'40001',
	'60011',
	'60020',
	'90018',
	'90002',
	'40056',
	'52019',
	'70003',
	'70004',
]);

/**
 * n8n's declarative test compares one field with one value: a rule, with its hint, per errcode that fails the test,
 * and the host's HTTP refusals. n8n reads both kinds from one list (its type says one kind per list).
 */
function agentTestRules(): ICredentialTestRequest['rules'] {
	const rules: Array<IAuthenticateRuleResponseCode | IAuthenticateRuleResponseSuccessBody> =
		dingTalkHints()
			.filter(([code]) => TEST_FAILURE_CODES.has(code))
			.map(([code, hint]) => ({
				type: 'responseSuccessBody',
				properties: {
					key: 'errcode',
					value: Number(code),
					message: `${hint.en} (DingTalk ${code}) ${hint.zh}`,
				},
			}));
	rules.push(
		{
			type: 'responseSuccessBody',
			properties: {
				key: 'errcode',
				value: undefined,
				message:
					'API Host (Old API) did not answer like DingTalk (no errcode): use https://oapi.dingtalk.com or your relay proxy. 旧版 API 地址的应答不是钉钉的格式：请填写 https://oapi.dingtalk.com 或您的转发代理。',
			},
		},
		{
			type: 'responseCode',
			properties: {
				value: 404,
				message:
					'API Host (Old API) does not answer like DingTalk (HTTP 404): use https://oapi.dingtalk.com or your relay proxy. 旧版 API 地址不是钉钉的地址：请填写 https://oapi.dingtalk.com 或您的转发代理。',
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
	);
	return rules as ICredentialTestRequest['rules'];
}
