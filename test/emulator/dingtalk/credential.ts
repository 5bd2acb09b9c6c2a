import { DINGTALK_SEED } from './seed';

/** The DingTalkApi credential's fields for the seeded app, both API hosts at `baseUrl` (emulator values only). */
export function dingTalkCredentialData(baseUrl: string): Record<string, string> {
	return {
		clientId: DINGTALK_SEED.appKey,
		clientSecret: DINGTALK_SEED.appSecret,
		agentId: String(DINGTALK_SEED.agentId),
		corpId: DINGTALK_SEED.corpId,
		robotCode: '',
		apiBaseUrl: baseUrl,
		oapiBaseUrl: baseUrl,
		callbackToken: DINGTALK_SEED.callbackToken,
		aesKey: DINGTALK_SEED.aesKey,
	};
}
