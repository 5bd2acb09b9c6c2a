import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { robotTokenOf, signingSecretOf } from '../nodes/DingTalkGroupRobot/robotToken';
import { signedQuery } from '../nodes/DingTalkGroupRobot/signature';

export class DingTalkRobotApi implements ICredentialType {
	name = 'dingTalkRobotApi';

	displayName = 'DingTalk Group Robot (自定义机器人) API';

	icon: Icon = {
		light: 'file:../nodes/DingTalk/dingtalk.svg',
		dark: 'file:../nodes/DingTalk/dingtalk.dark.svg',
	};

	documentationUrl = 'https://open.dingtalk.com/document/orgapp/custom-robots-send-group-messages';

	properties: INodeProperties[] = [
		// The webhook URL carries the access token: whoever has it can post to the group.
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password
		{
			displayName: 'Webhook URL or Access Token',
			name: 'webhook',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'https://oapi.dingtalk.com/robot/send?access_token=…',
			description:
				'In the group: 群设置 (Group Settings) → 机器人 (Bots) → the custom robot → Webhook. Paste the whole URL or only the access_token. Anyone who has it can post to the group: keep it secret.',
		},
		{
			displayName: 'Signing Secret (加签)',
			name: 'signingSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			placeholder: 'SEC…',
			description:
				"Only when the robot's security settings (安全设置) use 加签: the secret shown there, starting with SEC. Every request is then signed (timestamp + HMAC-SHA256). Leave empty for robots secured by keywords or IP addresses only.",
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://oapi.dingtalk.com',
			description:
				'Change only for a relay proxy or a local emulator. Only the access_token of a pasted webhook URL is used, not its host.',
		},
		{
			displayName:
				'Test checks the format, then sends DingTalk a message type it cannot deliver, so nothing appears in the group. It proves the access token exists (errcode 300001 otherwise) and reports a refused security check (310000). DingTalk documents no call that checks the 加签 signature without posting, so a successful test does not prove the Signing Secret: the first real message does, and its error names the cause.',
			name: 'testNotice',
			type: 'notice',
			default: '',
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const qs = { ...(requestOptions.qs ?? {}), access_token: robotTokenOf(credentials.webhook) };
		const secret = signingSecretOf(credentials.signingSecret);
		return {
			...requestOptions,
			// Signed per request: DingTalk refuses a timestamp more than an hour from its clock.
			qs: secret ? { ...qs, ...signedQuery(secret, Date.now()) } : qs,
		};
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ ($credentials.baseUrl || "https://oapi.dingtalk.com").trim().replace(/\\/+$/, "") }}',
			url: '/robot/send',
			method: 'POST',
			// No message type DingTalk knows: the robot cannot post it.
			body: { msgtype: 'n8n_credential_test' },
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errcode',
					value: 300001,
					message:
						'DingTalk does not know this access token (300001): the robot was removed or the token is mistyped. Copy the Webhook again (群设置 → 机器人 → the robot).',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errcode',
					value: 300005,
					message:
						'DingTalk does not know this access token (300005): the robot was removed or the token is mistyped. Copy the Webhook again (群设置 → 机器人 → the robot).',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errcode',
					value: 310000,
					message:
						"DingTalk's security check refused the test (310000): with 加签, the Signing Secret differs from the robot's or n8n's clock is more than an hour off; with IP addresses (IP地址段), n8n's public IP is not listed. A robot secured by custom keywords only may also refuse this keyword-less test although the credential is right: then send a message containing a keyword.",
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errcode',
					value: 130101,
					message:
						'The robot is throttled for sending more than 20 messages a minute (130101): test again in a few minutes.',
				},
			},
		],
	};
}
