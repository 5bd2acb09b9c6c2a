/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code: runs under Node and jest, never inside n8n */
// The emulated DingTalk app. Emulator-only values, shaped like DingTalk's.

export const DINGTALK_SEED = {
	/** Client ID (AppKey); also the robotCode of the app's own robot. */
	appKey: 'dingemu8k3j2h5g7f1q9',
	/** Client Secret (AppSecret). */
	appSecret: 'emu-1BgZ05rpYtuCC466JD_Y8eKASyGksJUgtmDtos7UVp4-dingtalk-secret',
	agentId: 3141592653,
	corpId: 'dingemu0c9b8a7f6e5d4c3b2a1f0e9d8c7',
	callbackToken: 'emuCallbackTok3nDing',
	/** 43 characters, decodes to 32 bytes. */
	aesKey: '0pFzwQVXOhPjak5sXg33XvhW/yINXFdyzFXWgguywCQ',
} as const;

export type DingTalkSeedApp = typeof DINGTALK_SEED;
