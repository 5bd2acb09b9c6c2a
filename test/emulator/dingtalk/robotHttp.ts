// DingTalk's app robot in HTTP mode (开发者后台 → 机器人 → 消息接收模式 HTTP 模式) as the emulator plays it: each message
// POSTed as JSON to the robot's 消息接收地址 with the headers `timestamp` (ms) and
// `sign` = Base64(HmacSHA256(key = the robot's appSecret, data = timestamp + "\n" + appSecret)), and the body being the
// same payload Stream mode's robot CALLBACK carries (open.dingtalk.com/document/orgapp/receive-message, 接收消息; read
// from public copies of that page). Computed here on its own, not with the node's code: a receiver that computes it
// differently fails against this sender.
import { createHmac } from 'node:crypto';

import type { BuiltCallback } from '../callbackSender';
import { DINGTALK_SEED } from './seed';

export interface RobotHttpOptions {
	/** The app's Client Secret (AppSecret); default the seeded app's. */
	appSecret?: string;
	/** The message (robotMessagePayload), or a text sent as it is. */
	payload: object | string;
	/** Milliseconds since the epoch, as DingTalk sends it; default now. */
	timestamp?: string;
}

/** The sign header DingTalk computes for `timestamp`. */
export function dingTalkRobotSign(timestamp: string, appSecret: string): string {
	const mac = createHmac('sha256', Buffer.from(appSecret, 'utf8'));
	mac.update(Buffer.from(`${timestamp}\n${appSecret}`, 'utf8'));
	return mac.digest().toString('base64');
}

/** A robot message as DingTalk posts it to the 消息接收地址: no query, headers timestamp and sign, JSON body. */
export function buildDingTalkRobotMessage(
	options: RobotHttpOptions,
): BuiltCallback & { method: 'POST'; body: string; headers: Record<string, string> } {
	const appSecret = options.appSecret ?? DINGTALK_SEED.appSecret;
	const timestamp = options.timestamp ?? String(Date.now());
	return {
		method: 'POST',
		query: {},
		body: typeof options.payload === 'string' ? options.payload : JSON.stringify(options.payload),
		contentType: 'application/json; charset=utf-8',
		headers: { timestamp, sign: dingTalkRobotSign(timestamp, appSecret) },
	};
}
