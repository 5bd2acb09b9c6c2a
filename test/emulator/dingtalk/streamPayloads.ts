import { randomBytes } from 'node:crypto';

import type { DingTalkSeedApp } from './seed';

/** Robot messages (机器人接收消息) come as CALLBACKs on this topic. */
export const ROBOT_TOPIC = '/v1.0/im/bot/messages/get';

/** How long a message's sessionWebhook answers (an emulator choice: DingTalk gives the expiry in each message). */
export const SESSION_WEBHOOK_LIFETIME_MS = 90 * 60_000;

export interface RobotMessageInput {
	text?: string;
	/** "1" one-to-one, "2" group; default "1". */
	conversationType?: '1' | '2';
	conversationId?: string;
	conversationTitle?: string;
	senderStaffId?: string;
	senderNick?: string;
	msgId?: string;
	isInAtList?: boolean;
	atUsers?: Array<{ dingtalkId: string; staffId?: string }>;
	/** Another message type (picture, richText, file, audio, video) with its `content`; default text. */
	msgtype?: string;
	content?: Record<string, unknown>;
	/** More fields of `text` (a quote: isReplyMsg, repliedMsg — seen in the field, not documented). */
	textExtra?: Record<string, unknown>;
}

/** The documented robot-message payload, as Stream mode delivers it. */
export interface RobotMessagePayload {
	conversationId: string;
	conversationType: '1' | '2';
	conversationTitle?: string;
	chatbotCorpId: string;
	chatbotUserId: string;
	robotCode: string;
	msgId: string;
	msgtype: string;
	text?: { content: string } & Record<string, unknown>;
	content?: Record<string, unknown>;
	senderId: string;
	senderNick: string;
	senderStaffId: string;
	senderCorpId: string;
	isAdmin: boolean;
	atUsers: Array<{ dingtalkId: string; staffId?: string }>;
	isInAtList: boolean;
	createAt: number;
	sessionWebhook: string;
	sessionWebhookExpiredTime: number;
}

/** What a sessionWebhook answers for: the conversation of one robot message, until it expires. */
export interface SessionWebhookRecord {
	session: string;
	conversationId: string;
	conversationType: '1' | '2';
	senderStaffId: string;
	robotCode: string;
	expiresAt: number;
}

/**
 * Every sessionWebhook handed out, by its `session` value (random, so one table serves every emulator in the
 * process). POST /robot/sendBySession looks them up.
 */
export const sessionWebhooks = new Map<string, SessionWebhookRecord>();

function id(prefix: string): string {
	return `${prefix}${randomBytes(12).toString('base64url')}`;
}

export function robotMessagePayload(
	app: DingTalkSeedApp,
	baseUrl: string,
	now: number,
	input: RobotMessageInput = {},
): RobotMessagePayload {
	const conversationType = input.conversationType ?? '1';
	const chatbotUserId = `$:LWCP_v1:$${app.appKey}`;
	const conversationId = input.conversationId ?? id('cid');
	const senderStaffId = input.senderStaffId ?? 'manager4220';
	const session = randomBytes(16).toString('hex');
	const expiresAt = now + SESSION_WEBHOOK_LIFETIME_MS;
	sessionWebhooks.set(session, {
		session,
		conversationId,
		conversationType,
		senderStaffId,
		robotCode: app.appKey,
		expiresAt,
	});
	return {
		conversationId,
		conversationType,
		...(conversationType === '2' ? { conversationTitle: input.conversationTitle ?? '项目群' } : {}),
		chatbotCorpId: app.corpId,
		chatbotUserId,
		robotCode: app.appKey,
		msgId: input.msgId ?? id('msg'),
		...(input.msgtype && input.msgtype !== 'text'
			? { msgtype: input.msgtype, content: input.content ?? {} }
			: { msgtype: 'text', text: { content: input.text ?? '你好', ...input.textExtra } }),
		senderId: id('$:LWCP_v1:$'),
		senderNick: input.senderNick ?? '张三',
		senderStaffId,
		senderCorpId: app.corpId,
		isAdmin: false,
		atUsers: input.atUsers ?? (conversationType === '2' ? [{ dingtalkId: chatbotUserId }] : []),
		isInAtList: input.isInAtList ?? conversationType === '2',
		createAt: now,
		sessionWebhook: `${baseUrl}/robot/sendBySession?session=${session}`,
		sessionWebhookExpiredTime: expiresAt,
	};
}
