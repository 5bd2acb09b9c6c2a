import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { robotKeyOf } from '../nodes/WeComGroupRobot/robotKey';

const TEST_BOUNDARY = 'n8nWeComRobotCredentialTest';
const TEST_FILE =
	'n8n credential test: a temporary file, valid 3 days; it was not posted to the group.\n';

/**
 * What the Test button uploads: a small text file as the robot's temporary media (upload_media). WeCom stores it
 * under the key (3 days) and posts nothing, so the test proves the key without writing to the group.
 */
const TEST_UPLOAD =
	`--${TEST_BOUNDARY}\r\n` +
	`Content-Disposition: form-data; name="media"; filename="n8n-credential-test.txt"; filelength=${TEST_FILE.length}\r\n` +
	'Content-Type: text/plain\r\n\r\n' +
	`${TEST_FILE}\r\n` +
	`--${TEST_BOUNDARY}--\r\n`;

export class WeComGroupRobotApi implements ICredentialType {
	name = 'weComGroupRobotApi';

	displayName = 'WeCom Group Robot (群机器人) API';

	icon: Icon = {
		light: 'file:../nodes/WeCom/wecom.svg',
		dark: 'file:../nodes/WeCom/wecom.dark.svg',
	};

	documentationUrl = 'https://developer.work.weixin.qq.com/document/path/91770';

	properties: INodeProperties[] = [
		// The webhook URL carries the robot's key: whoever has it can post to the group.
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password
		{
			displayName: 'Webhook URL or Key',
			name: 'webhook',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…',
			description:
				'In the group chat: ··· → 群机器人 (Group Robots) → the robot → Webhook地址. Paste the whole URL or only the key after key=. Anyone who has it can post to the group: keep it secret.',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://qyapi.weixin.qq.com',
			description:
				'Change only for a relay proxy, a private deployment or a local emulator. Only the key of a pasted webhook URL is used, not its host.',
		},
		{
			displayName:
				'Test uploads a tiny temporary text file with this key (WeCom keeps it 3 days under the robot); nothing is posted to the group. An invalid or deleted robot fails with errcode 93000.',
			name: 'testNotice',
			type: 'notice',
			default: '',
		},
	];

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			qs: { ...(requestOptions.qs ?? {}), key: robotKeyOf(credentials.webhook) },
		};
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ ($credentials.baseUrl || "https://qyapi.weixin.qq.com").trim().replace(/\\/+$/, "") }}',
			url: '/cgi-bin/webhook/upload_media',
			method: 'POST',
			qs: { type: 'file' },
			headers: { 'content-type': `multipart/form-data; boundary=${TEST_BOUNDARY}` },
			body: TEST_UPLOAD,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errcode',
					value: 93000,
					message:
						'WeCom does not know this webhook key (93000): the robot was removed from the group or the key is mistyped. Copy the Webhook地址 again (群机器人 → the robot).',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errcode',
					value: 45009,
					message:
						'The robot is over its limit of 20 calls a minute (45009): test again in a minute.',
				},
			},
			{
				// Any other refusal, or an answer that is not WeCom's (a wrong API Base URL): no media_id came back.
				type: 'responseSuccessBody',
				properties: {
					key: 'media_id',
					value: undefined,
					message:
						"WeCom did not accept the test upload: check that API Base URL points at WeCom (or your relay) and that the key is the robot's.",
				},
			},
		],
	};
}
