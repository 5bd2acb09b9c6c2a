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

import { weComTokenOwner } from '../nodes/WeCom/accessToken';
import {
	CREDENTIAL_TEST_HEADER,
	fetchTokenOnce,
	TOKEN_REQUEST_FAILED,
	tokenForRequest,
	tokenRecord,
} from '../nodes/shared/accessToken';
import {
	describeWeComError,
	hintMessage,
	knownErrcodes,
	TOKEN_ERRCODES,
	WECOM_DEFAULT_BASE_URL,
	weComBaseUrl,
} from '../nodes/shared/wecom/errors';
import { explainNetworkFailure, failureCodeOf, httpStatusOf } from '../nodes/shared/retry';

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
		// Concurrent executions of one process share one gettoken (see fetchTokenOnce).
		const record = await fetchTokenOnce(
			weComTokenOwner(credentials),
			credentials,
			async () => await fetchWeComToken.call(this, credentials),
		);
		return { accessToken: record };
	}

	/** Adds the token, but only one fetched for exactly these Corp ID, Secret and Base URL (see tokenForRequest). */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const { token, headers } = tokenForRequest(
			weComTokenOwner(credentials),
			credentials.accessToken,
			requestOptions,
		);
		return {
			...requestOptions,
			headers,
			qs: { ...((requestOptions.qs as IDataObject | undefined) ?? {}), access_token: token },
		};
	}

	// A token alone proves only Corp ID + Secret; reading the agent with it proves the Agent ID belongs to this Secret.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ ($credentials.baseUrl || "https://qyapi.weixin.qq.com").trim().replace(/\\/+$/, "") }}',
			url: '/cgi-bin/agent/get',
			qs: { agentid: '={{ String($credentials.agentId ?? "").trim() }}' },
			headers: { [CREDENTIAL_TEST_HEADER]: '1' },
		},
		rules: agentTestRules(),
	};
}

/** gettoken for these values: the stored record of a new token (tokenRecord). */
async function fetchWeComToken(
	this: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
): Promise<string> {
	const base = weComBaseUrl(credentials.baseUrl);
	const url = `${base}/cgi-bin/gettoken`;
	if (!/^https?:\/\/[^/\s]+/i.test(base)) {
		throw new Error(
			`API Base URL "${base}" is not a URL: it must start with https:// (or http://), e.g. ${WECOM_DEFAULT_BASE_URL}`,
		);
	}
	let answer: unknown;
	try {
		answer = await this.helpers.httpRequest({
			method: 'GET',
			url,
			qs: {
				corpid: String(credentials.corpId ?? '').trim(),
				corpsecret: String(credentials.secret ?? '').trim(),
			},
			json: true,
		});
	} catch (error) {
		// The request URL carries the secret: the transport's own error text never goes through. The failure code
		// rides along as a cause, where the node's retry policy finds it but n8n does not swap the message for it.
		const status = httpStatusOf(error);
		const code = status === undefined ? failureCodeOf(error) : undefined;
		throw Object.assign(
			new Error(
				status !== undefined
					? `WeCom's gettoken at ${url} answered HTTP ${status}: check that the API Base URL points at WeCom (or a relay that forwards /cgi-bin/)`
					: `Could not get an access token: ${explainNetworkFailure(code, url)}`,
			),
			{
				// Not `httpCode`: n8n would swap this message for its generic text of that status.
				cause: code ? { code } : status !== undefined ? { status } : undefined,
				[TOKEN_REQUEST_FAILED]: true,
			},
		);
	}
	if (answer === null || typeof answer !== 'object' || Buffer.isBuffer(answer)) {
		throw new Error(
			`${url} did not answer with WeCom's JSON: check that the API Base URL points at WeCom (or your relay)`,
		);
	}
	const body = answer as IDataObject;
	const errcode = Number(body.errcode ?? 0);
	if (errcode !== 0 || typeof body.access_token !== 'string' || body.access_token === '') {
		const { message } = describeWeComError(errcode, String(body.errmsg ?? ''));
		throw new Error(`WeCom refused to issue an access token: ${message}`);
	}
	return tokenRecord(weComTokenOwner(credentials), body.access_token, Date.now());
}

/**
 * n8n's declarative test can only compare one field with one value, so every errcode this package has a hint for
 * gets its rule (with that hint), and whatever else fails is caught by the missing `agentid` of the answer.
 */
function agentTestRules(): ICredentialTestRequest['rules'] {
	const rules: NonNullable<ICredentialTestRequest['rules']> = knownErrcodes().map((errcode) => ({
		type: 'responseSuccessBody',
		properties: {
			key: 'errcode',
			value: errcode,
			message: TOKEN_ERRCODES.has(errcode)
				? `WeCom rejected the access token it had just issued (errcode ${errcode}): if the API Base URL is a relay, check that it forwards access_token unchanged`
				: `WeCom refused to read the app (agent/get): ${hintMessage(errcode)}`,
		},
	}));
	rules.push({
		type: 'responseSuccessBody',
		properties: {
			key: 'agentid',
			value: undefined,
			message:
				'WeCom did not return the app for this Agent ID (agent/get failed with an errcode this package has no hint for): check Agent ID, and that it is the app whose Secret you entered',
		},
	});
	return rules;
}
