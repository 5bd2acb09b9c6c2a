/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code: emulator-only values, runs under Node and jest, never inside n8n */
// Custom group robot (自定义机器人) webhook: POST /robot/send?access_token=[&timestamp=&sign=].
// Checks, in this order (DingTalk documents no order; this one is the emulator's choice, and the node's credential
// Test says so): the token (300001), the security settings (IP list, then 加签: a millisecond timestamp within one
// hour and sign = base64(HMAC-SHA256(secret, timestamp + "\n" + secret)), all 310000 with DingTalk's errmsg), the
// JSON body (40035), the rate (20 a minute, then 10 minutes of 130101), the message (400105 unknown msgtype,
// 400402 missing field), and the custom keywords (310000 "keywords not in content").
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import type { Route } from '../types';
import { isRecord, nonEmptyString } from '../util';
import { oldApiError, oldApiOk } from './errors';
import type { DingTalkState } from './state';

export const ROBOT_WINDOW_MS = 60_000;
export const ROBOT_MESSAGES_PER_WINDOW = 20;
/** After going over the limit a robot stays throttled this long (reference: 10 minutes). */
export const ROBOT_PENALTY_MS = 10 * 60_000;
export const SIGNATURE_WINDOW_MS = 60 * 60_000;
/** Every request reaches the emulator from 127.0.0.1: a robot whose IP list lacks it refuses them. */
const CALLER_IP = '127.0.0.1';

export const RobotErr = {
	/** field reports: "token is not exist" */
	tokenNotExist: 300001,
	/** reference: keyword missing, bad timestamp, sign mismatch or IP not allowed */
	security: 310000,
	/** field reports: "send too fast, exceed 20 times per minute" */
	tooFast: 130101,
	/** field reports: "缺少参数 json" */
	noJson: 40035,
	/** emulator choice (unverified): unknown msgtype */
	unknownMsgtype: 400105,
	/** field reports ("参数 markdown --》 title 缺失"); used for every missing or malformed field */
	missingField: 400402,
} as const;

export interface DingTalkRobot {
	token: string;
	/** 加签 secret (SEC…); undefined when the robot does not sign. */
	secret?: string;
	/** 自定义关键词: a message must contain one of them. */
	keywords?: string[];
	/** IP地址段: callers allowed; undefined = any. */
	allowedIps?: string[];
	/** Times (emulator clock) of the messages accepted in the current window. */
	sends: number[];
	throttledUntil: number;
}

export interface DingTalkRobotPost {
	token: string;
	msgtype: string;
	/** The request body as the node sent it. */
	payload: Record<string, unknown>;
	/** The query of the request (access_token, timestamp, sign). */
	query: Record<string, string>;
	sentAt: number;
}

export interface DingTalkRobotState {
	robots: Map<string, DingTalkRobot>;
	posts: DingTalkRobotPost[];
}

/** The seeded robot, with 加签 (emulator-only values shaped like DingTalk's). */
export const DINGTALK_ROBOT_SEED = {
	token: 'e8a1c0d4b6f2937a5d1e0c9b8a7f6e5d4c3b2a1908f7e6d5c4b3a2918f7e6d5c',
	secret: 'SECf3b2a1908e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170f6e5d',
} as const;

// Robot state lives beside the app's state and goes with it: reset() builds a new DingTalkState.
const robotStates = new WeakMap<DingTalkState, DingTalkRobotState>();

export function dingTalkRobots(state: DingTalkState): DingTalkRobotState {
	let robots = robotStates.get(state);
	if (!robots) {
		const seed: DingTalkRobot = { ...DINGTALK_ROBOT_SEED, sends: [], throttledUntil: 0 };
		robots = { robots: new Map([[seed.token, seed]]), posts: [] };
		robotStates.set(state, robots);
	}
	return robots;
}

/** Adds a robot (another group) with the given security settings; returns its access token. */
export function addDingTalkRobot(
	state: DingTalkState,
	settings: { secret?: string; keywords?: string[]; allowedIps?: string[] } = {},
): string {
	const token = randomBytes(32).toString('hex');
	dingTalkRobots(state).robots.set(token, { token, ...settings, sends: [], throttledUntil: 0 });
	return token;
}

/** 加签 as DingTalk computes it (written here independently of the node's own signing). */
export function dingTalkSign(secret: string, timestamp: string): string {
	return createHmac('sha256', Buffer.from(secret, 'utf8'))
		.update(Buffer.from(`${timestamp}\n${secret}`, 'utf8'))
		.digest('base64');
}

function refuse(errcode: number, errmsg: string) {
	return oldApiError(errcode, errmsg);
}

function checkSecurity(robot: DingTalkRobot, query: Record<string, string>, now: number): void {
	if (robot.allowedIps && !robot.allowedIps.includes(CALLER_IP)) {
		throw refuse(RobotErr.security, `ip ${CALLER_IP} not in whitelist`);
	}
	if (!robot.secret) return;
	const { timestamp, sign } = query;
	if (
		!timestamp ||
		!/^\d{13}$/.test(timestamp) ||
		Math.abs(now - Number(timestamp)) > SIGNATURE_WINDOW_MS
	) {
		throw refuse(RobotErr.security, 'invalid timestamp');
	}
	const expected = Buffer.from(dingTalkSign(robot.secret, timestamp));
	const given = Buffer.from(sign ?? '');
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
		throw refuse(RobotErr.security, 'sign not match');
	}
}

function missing(what: string) {
	return refuse(
		RobotErr.missingField,
		`错误描述:参数 ${what} 缺失，或者参数格式不正确; 解决方案:请填充上对应参数`,
	);
}

function text(object: Record<string, unknown>, key: string, path: string): string {
	if (!nonEmptyString(object[key])) throw missing(`${path} --》 ${key}`);
	return object[key] as string;
}

function list(value: unknown, path: string): Record<string, unknown>[] {
	if (!Array.isArray(value) || value.length === 0 || !value.every(isRecord)) throw missing(path);
	return value as Record<string, unknown>[];
}

function checkAt(at: unknown): void {
	if (at === undefined) return;
	if (!isRecord(at)) throw missing('at');
	for (const key of ['atMobiles', 'atUserIds']) {
		const value = at[key];
		if (
			value !== undefined &&
			(!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
		) {
			throw missing(`at --》 ${key}`);
		}
	}
	if (at.isAtAll !== undefined && typeof at.isAtAll !== 'boolean') throw missing('at --》 isAtAll');
}

/** Checks the message; returns its msgtype and the texts a keyword is looked for in. */
export function checkMessage(body: Record<string, unknown>): { msgtype: string; texts: string[] } {
	const { msgtype } = body;
	const content =
		nonEmptyString(msgtype) && isRecord(body[msgtype])
			? (body[msgtype] as Record<string, unknown>)
			: undefined;
	const known = ['text', 'markdown', 'link', 'actionCard', 'feedCard'];
	if (!nonEmptyString(msgtype) || !known.includes(msgtype)) {
		throw refuse(RobotErr.unknownMsgtype, '不支持的消息类型');
	}
	if (!content) throw missing(msgtype);
	switch (msgtype) {
		case 'text':
			checkAt(body.at);
			return { msgtype, texts: [text(content, 'content', 'text')] };
		case 'markdown':
			checkAt(body.at);
			return {
				msgtype,
				texts: [text(content, 'title', 'markdown'), text(content, 'text', 'markdown')],
			};
		case 'link':
			text(content, 'messageUrl', 'link');
			return { msgtype, texts: [text(content, 'title', 'link'), text(content, 'text', 'link')] };
		case 'actionCard': {
			const texts = [text(content, 'title', 'actionCard'), text(content, 'text', 'actionCard')];
			if (content.singleTitle !== undefined || content.singleURL !== undefined) {
				texts.push(text(content, 'singleTitle', 'actionCard'));
				text(content, 'singleURL', 'actionCard');
			} else {
				for (const button of list(content.btns, 'actionCard --》 btns')) {
					texts.push(text(button, 'title', 'actionCard --》 btns'));
					text(button, 'actionURL', 'actionCard --》 btns');
				}
				if (
					content.btnOrientation !== undefined &&
					!['0', '1'].includes(String(content.btnOrientation))
				) {
					throw missing('actionCard --》 btnOrientation');
				}
			}
			return { msgtype, texts };
		}
		default: {
			const texts: string[] = [];
			for (const link of list(content.links, 'feedCard --》 links')) {
				texts.push(text(link, 'title', 'feedCard --》 links'));
				text(link, 'messageURL', 'feedCard --》 links');
				text(link, 'picURL', 'feedCard --》 links');
			}
			return { msgtype, texts };
		}
	}
}

export const customRobotRoutes: Route<DingTalkState>[] = [
	{
		method: 'POST',
		path: '/robot/send',
		auth: false,
		body: 'none',
		handle(req, ctx) {
			const robots = dingTalkRobots(ctx.state);
			const robot = robots.robots.get(req.query.access_token ?? '');
			if (!robot) throw refuse(RobotErr.tokenNotExist, 'token is not exist');
			const now = ctx.now();
			checkSecurity(robot, req.query, now);
			let body: unknown;
			try {
				body = JSON.parse(req.rawBody.toString('utf8'));
			} catch {
				throw refuse(RobotErr.noJson, '缺少参数 json');
			}
			if (!isRecord(body)) throw refuse(RobotErr.noJson, '缺少参数 json');
			if (now < robot.throttledUntil) {
				throw refuse(RobotErr.tooFast, 'send too fast, exceed 20 times per minute');
			}
			robot.sends = robot.sends.filter((t) => now - t < ROBOT_WINDOW_MS);
			if (robot.sends.length >= ROBOT_MESSAGES_PER_WINDOW) {
				robot.throttledUntil = now + ROBOT_PENALTY_MS;
				throw refuse(RobotErr.tooFast, 'send too fast, exceed 20 times per minute');
			}
			const { msgtype, texts } = checkMessage(body);
			if (robot.keywords?.length && !robot.keywords.some((k) => texts.some((t) => t.includes(k)))) {
				throw refuse(RobotErr.security, 'keywords not in content');
			}
			robot.sends.push(now);
			robots.posts.push({
				token: robot.token,
				msgtype,
				payload: body,
				query: req.query,
				sentAt: now,
			});
			return oldApiOk();
		},
	},
];
