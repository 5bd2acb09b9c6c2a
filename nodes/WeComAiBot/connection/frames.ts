// Frames of WeCom's AI bot (智能机器人) long connection. Sources: the reference digest of WeCom's docs 企业内部开发 /
// 服务端API / 消息接收与发送 / 智能机器人 (doc paths 100719, 101031, 101033, 101039, updated 2025-12), and the frame
// shapes peers use. Every frame is JSON text `{cmd, headers: {req_id}, body}`; WeCom answers a frame the client sent with
// `{headers: {req_id}, errcode, errmsg}` carrying the same req_id (subscribe, ping, and each aibot_respond_msg, whose
// req_id is the one of the message it answers).
// Checked against WeCom's official long-connection SDK (github WecomTeam/aibot-node-sdk, src/ws.ts): the answer frame's
// shape `{headers: {req_id}, errcode, errmsg}` for subscribe, ping and replies, and that inbound aibot_msg_callback
// frames get no answer from the client (the SDK sends none). Not checked against WeCom itself (no account here).
import { randomBytes } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import { isRecord } from '../../shared/json';

export const AIBOT_WS_URL = 'wss://openws.work.weixin.qq.com';

export const AIBOT_CMD = {
	subscribe: 'aibot_subscribe',
	ping: 'ping',
	message: 'aibot_msg_callback',
	event: 'aibot_event_callback',
	respond: 'aibot_respond_msg',
} as const;

/** WeCom's answer to a subscribe with a wrong bot id or secret: `853000 invalid bot_id or secret`. */
export const INVALID_BOT_CREDENTIALS = 853000;

/** The event WeCom sends to a connection another one has replaced (one connection per bot). */
export const DISCONNECTED_EVENT = 'disconnected_event';

/** A stream reply's `content`: the whole text each time, at most this many bytes (UTF-8). */
export const MAX_STREAM_CONTENT_BYTES = 20_480;

export interface AiBotFrame {
	cmd?: string;
	headers: { req_id: string } & IDataObject;
	body?: IDataObject;
	errcode?: number;
	errmsg?: string;
}

/** A fresh req_id for a frame the client starts (subscribe, ping): `<cmd>_<ms>_<random>`. */
export function newRequestId(prefix: string): string {
	return `${prefix}_${Date.now()}_${randomBytes(4).toString('hex')}`;
}

/** The frame in a WebSocket message, or undefined when it is not JSON with a req_id. */
export function parseFrame(data: unknown): AiBotFrame | undefined {
	if (typeof data !== 'string') return undefined;
	let parsed: unknown;
	try {
		parsed = JSON.parse(data);
	} catch {
		return undefined;
	}
	if (!isRecord(parsed) || !isRecord(parsed.headers)) return undefined;
	const reqId = parsed.headers.req_id;
	if (typeof reqId !== 'string' || reqId === '') return undefined;
	return parsed as unknown as AiBotFrame;
}

export function subscribeFrame(reqId: string, botId: string, secret: string): string {
	return JSON.stringify({
		cmd: AIBOT_CMD.subscribe,
		headers: { req_id: reqId },
		body: { bot_id: botId, secret },
	});
}

export function pingFrame(reqId: string): string {
	return JSON.stringify({ cmd: AIBOT_CMD.ping, headers: { req_id: reqId } });
}

export function respondFrame(reqId: string, body: IDataObject): string {
	return JSON.stringify({ cmd: AIBOT_CMD.respond, headers: { req_id: reqId }, body });
}

/** A stream reply's body: the whole text so far, `finish` true on the last one. */
export function streamBody(streamId: string, content: string, finish: boolean): IDataObject {
	return { msgtype: 'stream', stream: { id: streamId, finish, content } };
}

/**
 * `text` cut to at most MAX_STREAM_CONTENT_BYTES of UTF-8, on a character boundary, with a marker when cut: WeCom
 * refuses longer content (the answer would not be shown at all).
 */
export function fitContent(text: string): { content: string; truncated: boolean } {
	if (Buffer.byteLength(text, 'utf8') <= MAX_STREAM_CONTENT_BYTES) {
		return { content: text, truncated: false };
	}
	const marker = '\n\n…(truncated: WeCom shows at most 20,480 bytes)';
	const budget = MAX_STREAM_CONTENT_BYTES - Buffer.byteLength(marker, 'utf8');
	let used = 0;
	let out = '';
	for (const char of text) {
		const size = Buffer.byteLength(char, 'utf8');
		if (used + size > budget) break;
		used += size;
		out += char;
	}
	return { content: out + marker, truncated: true };
}

/** The event type of an aibot_event_callback frame (`body.event.eventtype`), if any. */
export function eventTypeOf(frame: AiBotFrame): string | undefined {
	const event = frame.body?.event;
	if (!isRecord(event)) return undefined;
	const type = event.eventtype ?? event.event_type;
	return typeof type === 'string' ? type : undefined;
}
