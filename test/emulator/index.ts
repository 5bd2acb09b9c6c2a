export * from './server';
export * from './types';
export * from './multipart';
export {
	buildDingTalkCallback,
	buildWeComCallback,
	buildWeComUrlVerification,
	sendCallback,
	type BuiltCallback,
	type CallbackResponse,
	type SendCallbackOptions,
	type Tamper,
	type DingTalkCallbackOptions as DingTalkCallbackBuildOptions,
	type WeComCallbackOptions as WeComCallbackBuildOptions,
	type WeComUrlVerificationOptions,
} from './callbackSender';
export { TokenStore } from './tokens';
export { FaultQueue } from './faults';
export { WeComClient, request as emulatorRequest, type RawResponse } from './testClient';
export * as wecom from './wecom';
export * as dingtalk from './dingtalk';
export { wecomPlugin, WECOM_SEED, WeComErr } from './wecom';
export type { WeComState, SentMessage, StoredMedia, AppChat } from './wecom';
export { dingtalkPlugin, DINGTALK_SEED } from './dingtalk';
export type { DingTalkState } from './dingtalk';
export { DingTalkStreamServer, type StreamServerOptions } from './dingtalk';
export { Inbox, CHANNEL_LABELS, type InboxMessage, type InboxContent } from './inbox';
export { INBOX_PATH, INBOX_JSON_PATH } from './inboxPage';
