import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

// The Test button opens the long connection and subscribes (nodes/WeComAiBot/connection/credentialTest.ts, reached
// through `testedBy` on the WeCom AI Bot Trigger): an HTTP request cannot prove a bot id and secret, because WeCom only
// checks them on the WebSocket's aibot_subscribe. Callback (URL) mode uses Token and EncodingAESKey instead, which
// only WeCom's URL check proves: without a Secret the Test checks their form.
export class WeComAiBotApi implements ICredentialType {
	name = 'weComAiBotApi';

	displayName = 'WeCom AI Bot (智能机器人) API';

	icon: Icon = {
		light: 'file:../nodes/WeCom/wecom.svg',
		dark: 'file:../nodes/WeCom/wecom.dark.svg',
	};

	documentationUrl = 'https://developer.work.weixin.qq.com/document/path/100719';

	properties: INodeProperties[] = [
		{
			displayName: 'Bot ID',
			name: 'botId',
			type: 'string',
			default: '',
			required: true,
			description:
				'管理后台 → 应用管理 → 智能机器人 → the bot → API 模式: the Bot ID (aibotid) shown there',
		},
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Long connection (长连接): the Secret shown next to the Bot ID. Whoever has it can answer as the bot: keep it secret. Not needed in callback mode.',
		},
		{
			displayName: 'WebSocket URL',
			name: 'url',
			type: 'string',
			default: 'wss://openws.work.weixin.qq.com',
			description:
				"WeCom's long-connection server. Change it only for a relay or a local emulator (ws://127.0.0.1:…/wecom-aibot).",
		},
		{
			displayName: 'Callback Token',
			name: 'callbackToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"URL 回调 (callback mode) only: the Token in the bot's API 模式 → URL 回调 settings, which signs every callback",
		},
		// The EncodingAESKey decrypts every callback and encrypts every answer: a secret, although its name has no "secret" in it.
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password
		{
			displayName: 'Callback EncodingAESKey',
			name: 'encodingAesKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'URL 回调 (callback mode) only: the 43-character EncodingAESKey next to the Token, which encrypts messages and replies',
		},
	];
}
