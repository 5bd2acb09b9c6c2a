/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-hardcoded-secrets -- test code: emulator-only values, runs under Node and jest, never inside n8n */
// WeCom's AI bot (智能机器人) long-connection server as the emulator plays it, from the reference digest of WeCom's docs
// 企业内部开发 / 服务端API / 消息接收与发送 / 智能机器人 (doc paths 100719, 101031, 101033, 101039, updated 2025-12):
// `aibot_subscribe {headers.req_id, body{bot_id, secret}}` answered `{headers.req_id, errcode, errmsg}` (853000 invalid
// bot_id or secret); `ping` answered the same way; messages pushed as `aibot_msg_callback` with their own req_id;
// stream replies `aibot_respond_msg` keyed by that req_id, the whole text each time, content ≤ 20,480 bytes, each
// answered; one connection per bot: a second subscription sends the first `aibot_event_callback` disconnected_event and
// closes it.
// Played conservatively where the digest is silent (unverified against WeCom): a reply is accepted only on the
// connection that received the message and only until its finish:true; a reply frame sent before the previous one of
// the same message was answered is recorded as a violation (a correct client makes none); answers come after
// `ackDelayMs`; a bad subscription is answered, then the socket closed.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import type { Reply } from '../types';
import { isRecord } from '../util';
import { acceptUpgrade, type WebSocketConnection } from '../webSocket';
import { AiBotFileStore, type AiBotFileInput } from './aiBotFiles';

export const AIBOT_SOCKET_PATH = '/wecom-aibot';

export const AIBOT_CONTROL_PREFIX = '/_emulator/wecom-aibot/';

export const AIBOT_SEED = {
	botId: 'aibot-emulator-0001',
	secret: 'aibot-emulator-secret-0001',
	// Callback (URL) mode: the bot's Token and EncodingAESKey (test/emulator/wecom/aiBotCallback.ts).
	callbackToken: 'aibotEmuCallbackTok3n',
	encodingAesKey: 'Wt3gZp0QyXb9LmK2sVdR8nHc5FaE1uJoT7iYkB4xN6q',
};

/** An errcode for a stream content over 20,480 bytes: the digest gives none (unverified). */
export const CONTENT_TOO_LONG = 40058;

/** An errcode for a reply to an unknown, finished or foreign req_id: the digest gives none (unverified). */
export const UNKNOWN_REQ_ID = 846604;

export interface AiBotServerOptions {
	/** Delay before each answer frame; default 5 ms. */
	ackDelayMs?: number;
}

export interface AiBotReplyRecord {
	connectionId: string;
	reqId: string;
	msgid: string;
	streamId: string;
	content: string;
	finish: boolean;
	at: number;
	errcode: number;
}

export interface AiBotMessageRecord {
	msgid: string;
	reqId: string;
	connectionId: string;
	chattype: 'single' | 'group';
	chatid?: string;
	userid: string;
	text: string;
	at: number;
	finished: boolean;
	deliveries: number;
	body: Record<string, unknown>;
}

export interface AiBotConnectionInfo {
	id: string;
	botId?: string;
	state: 'connected' | 'subscribed' | 'closed';
	takenOver: boolean;
	pings: number;
	openedAt: number;
	closedAt?: number;
}

interface Connection extends AiBotConnectionInfo {
	ws: WebSocketConnection;
	/** req_id -> reply frames sent and not yet answered. */
	unanswered: Map<string, number>;
}

export interface PublishAiBotMessage {
	text?: string;
	chattype?: 'single' | 'group';
	chatid?: string;
	userid?: string;
	msgtype?: string;
	/** The whole body instead of one built from the fields above. */
	body?: Record<string, unknown>;
	msgid?: string;
	botId?: string;
	/**
	 * Pictures, files, videos the user sends (test/emulator/wecom/aiBotFiles.ts): one alone (and no text) is an
	 * image/file/video message, else a mixed message of the text and the pictures; each with its own URL and aeskey.
	 */
	attachments?: AiBotFileInput[];
}

export class WeComAiBotServer {
	readonly bots = new Map<string, string>([[AIBOT_SEED.botId, AIBOT_SEED.secret]]);

	readonly replies: AiBotReplyRecord[] = [];

	readonly messages: AiBotMessageRecord[] = [];

	/** Frames a correct client never sends, with the reason. */
	readonly violations: Array<{ connectionId: string; reason: string }> = [];

	readonly subscriptions: Array<{ connectionId: string; botId: string; errcode: number }> = [];

	private readonly connectionsById = new Map<string, Connection>();

	private readonly timers = new Set<NodeJS.Timeout>();

	private seq = 0;

	/** The messages' files, served at GET /wecom-aibot-files/<id> (encrypted, 5 minutes). */
	readonly files: AiBotFileStore;

	constructor(
		private readonly now: () => number,
		private readonly options: AiBotServerOptions = {},
		baseUrl: () => string = () => 'http://127.0.0.1',
	) {
		this.files = new AiBotFileStore(now, baseUrl);
	}

	handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		if (url.pathname !== AIBOT_SOCKET_PATH) return false;
		const ws = acceptUpgrade(req, socket, head);
		if (!ws) return true;
		const connection: Connection = {
			id: `aibot-conn-${++this.seq}`,
			ws,
			state: 'connected',
			takenOver: false,
			pings: 0,
			openedAt: this.now(),
			unanswered: new Map(),
		};
		this.connectionsById.set(connection.id, connection);
		ws.handlers = {
			text: (message) => this.received(connection, message),
			close: () => {
				connection.state = 'closed';
				connection.closedAt ??= this.now();
			},
		};
		return true;
	}

	connections(): AiBotConnectionInfo[] {
		return [...this.connectionsById.values()].map((c) => ({
			id: c.id,
			botId: c.botId,
			state: c.state,
			takenOver: c.takenOver,
			pings: c.pings,
			openedAt: c.openedAt,
			closedAt: c.closedAt,
		}));
	}

	/** The subscribed connection of a bot (at most one). */
	subscribed(botId = AIBOT_SEED.botId): AiBotConnectionInfo | undefined {
		return this.connections().find((c) => c.state === 'subscribed' && c.botId === botId);
	}

	/** Pushes a message to the bot's subscribed connection; throws when none is subscribed. */
	publish(input: PublishAiBotMessage = {}): AiBotMessageRecord {
		const botId = input.botId ?? AIBOT_SEED.botId;
		const connection = [...this.connectionsById.values()].find(
			(c) => c.state === 'subscribed' && c.botId === botId,
		);
		if (!connection) throw new Error(`emulator: no subscribed AI bot connection for ${botId}`);
		const msgid = input.msgid ?? `aibotmsg${randomBytes(6).toString('hex')}`;
		const chattype = input.chattype ?? 'single';
		const userid = input.userid ?? 'zhangsan';
		const text = input.text ?? '你好';
		const body = input.body ?? {
			msgid,
			aibotid: botId,
			...(chattype === 'group' ? { chatid: input.chatid ?? 'wrkSFfCgAAemulatorGroup' } : {}),
			chattype,
			from: { userid },
			...(input.attachments?.length
				? this.files.messageParts(input.attachments, input.text)
				: { msgtype: input.msgtype ?? 'text', text: { content: text } }),
		};
		const record: AiBotMessageRecord = {
			msgid,
			reqId: `aibot_msg_callback_${this.now()}_${randomBytes(4).toString('hex')}`,
			connectionId: connection.id,
			chattype,
			chatid: chattype === 'group' ? String(body.chatid ?? '') : undefined,
			userid,
			text,
			at: this.now(),
			finished: false,
			deliveries: 0,
			body,
		};
		this.messages.push(record);
		this.deliver(record, connection);
		return record;
	}

	/** Sends a message again, same msgid and req_id (a redelivery), to the bot's connection now. */
	redeliver(msgid: string): void {
		const record = this.messages.find((m) => m.msgid === msgid);
		if (!record) throw new Error(`emulator: no AI bot message ${msgid}`);
		const connection = [...this.connectionsById.values()].find(
			(c) =>
				c.state === 'subscribed' && c.botId === String(record.body.aibotid ?? AIBOT_SEED.botId),
		);
		if (!connection) throw new Error('emulator: no subscribed AI bot connection');
		record.connectionId = connection.id;
		this.deliver(record, connection);
	}

	/** The reply frames of a message, in arrival order. */
	repliesTo(reqId: string): AiBotReplyRecord[] {
		return this.replies.filter((r) => r.reqId === reqId);
	}

	/** Drops the TCP connection of the bot's subscribed socket without a close frame. */
	drop(botId = AIBOT_SEED.botId): void {
		for (const c of this.connectionsById.values()) {
			if (c.state === 'subscribed' && c.botId === botId) c.ws.destroy();
		}
	}

	/** The emulator's HTTP controls (`/_emulator/wecom-aibot/...`), for the sandbox and scripts. */
	control(method: string, action: string, body: unknown): Reply {
		const input = isRecord(body) ? body : {};
		try {
			switch (`${method} ${action}`) {
				case 'GET connections':
					return { json: { connections: this.connections() } };
				case 'GET messages':
					return { json: { messages: this.messages } };
				case 'GET replies':
					return { json: { replies: this.replies } };
				case 'POST messages': {
					const record = this.publish(input as PublishAiBotMessage);
					return { json: { msgid: record.msgid, reqId: record.reqId } };
				}
				default:
					return { status: 404, json: { error: `no control ${method} ${action}` } };
			}
		} catch (error) {
			return { status: 409, json: { error: (error as Error).message } };
		}
	}

	reset(): void {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		for (const connection of this.connectionsById.values()) connection.ws.destroy();
		this.connectionsById.clear();
		this.replies.length = 0;
		this.messages.length = 0;
		this.violations.length = 0;
		this.subscriptions.length = 0;
		this.bots.clear();
		this.bots.set(AIBOT_SEED.botId, AIBOT_SEED.secret);
		this.files.reset();
	}

	shutdown(): void {
		this.reset();
	}

	// --- internals ---

	private deliver(record: AiBotMessageRecord, connection: Connection): void {
		record.deliveries++;
		connection.ws.sendText(
			JSON.stringify({
				cmd: 'aibot_msg_callback',
				headers: { req_id: record.reqId },
				body: record.body,
			}),
		);
	}

	private answer(connection: Connection, reqId: string, errcode: number, errmsg: string): void {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			connection.ws.sendText(JSON.stringify({ headers: { req_id: reqId }, errcode, errmsg }));
			const left = (connection.unanswered.get(reqId) ?? 1) - 1;
			if (left > 0) connection.unanswered.set(reqId, left);
			else connection.unanswered.delete(reqId);
		}, this.options.ackDelayMs ?? 5);
		this.timers.add(timer);
	}

	private received(connection: Connection, text: string): void {
		let frame: unknown;
		try {
			frame = JSON.parse(text);
		} catch {
			this.violations.push({ connectionId: connection.id, reason: 'a frame that is not JSON' });
			return;
		}
		if (!isRecord(frame) || !isRecord(frame.headers) || typeof frame.headers.req_id !== 'string') {
			this.violations.push({
				connectionId: connection.id,
				reason: 'a frame without headers.req_id',
			});
			return;
		}
		const reqId = frame.headers.req_id;
		const body = isRecord(frame.body) ? frame.body : {};
		switch (frame.cmd) {
			case 'aibot_subscribe':
				this.subscribe(connection, reqId, body);
				return;
			case 'ping':
				connection.pings++;
				connection.unanswered.set(reqId, (connection.unanswered.get(reqId) ?? 0) + 1);
				this.answer(connection, reqId, connection.state === 'subscribed' ? 0 : 846609, 'ok');
				return;
			case 'aibot_respond_msg':
				this.respond(connection, reqId, body);
				return;
			default:
				this.violations.push({
					connectionId: connection.id,
					reason: `an unknown command ${String(frame.cmd)}`,
				});
		}
	}

	private subscribe(connection: Connection, reqId: string, body: Record<string, unknown>): void {
		const botId = String(body.bot_id ?? '');
		const ok = botId !== '' && this.bots.get(botId) === String(body.secret ?? '');
		this.subscriptions.push({ connectionId: connection.id, botId, errcode: ok ? 0 : 853000 });
		connection.unanswered.set(reqId, 1);
		if (!ok) {
			this.answer(connection, reqId, 853000, 'invalid bot_id or secret');
			const timer = setTimeout(
				() => {
					this.timers.delete(timer);
					connection.ws.close(1000, 'invalid bot_id or secret');
				},
				(this.options.ackDelayMs ?? 5) + 20,
			);
			this.timers.add(timer);
			return;
		}
		// One connection per bot: the one subscribed before is told, then closed.
		for (const other of this.connectionsById.values()) {
			if (other !== connection && other.state === 'subscribed' && other.botId === botId) {
				other.takenOver = true;
				other.ws.sendText(
					JSON.stringify({
						cmd: 'aibot_event_callback',
						headers: { req_id: `aibot_event_callback_${this.now()}` },
						body: {
							msgid: `event${randomBytes(4).toString('hex')}`,
							aibotid: botId,
							msgtype: 'event',
							event: { eventtype: 'disconnected_event' },
						},
					}),
				);
				other.state = 'closed';
				other.closedAt = this.now();
				const ws = other.ws;
				const timer = setTimeout(() => {
					this.timers.delete(timer);
					ws.close(1000, 'disconnected_event');
				}, 20);
				this.timers.add(timer);
			}
		}
		connection.state = 'subscribed';
		connection.botId = botId;
		this.answer(connection, reqId, 0, 'ok');
	}

	private respond(connection: Connection, reqId: string, body: Record<string, unknown>): void {
		if (connection.unanswered.has(reqId)) {
			this.violations.push({
				connectionId: connection.id,
				reason: `a reply frame for ${reqId} before the previous one was answered`,
			});
		}
		connection.unanswered.set(reqId, (connection.unanswered.get(reqId) ?? 0) + 1);
		const message = this.messages.find(
			(m) => m.reqId === reqId && m.connectionId === connection.id,
		);
		const stream = isRecord(body.stream) ? body.stream : {};
		const content = typeof stream.content === 'string' ? stream.content : '';
		const record: AiBotReplyRecord = {
			connectionId: connection.id,
			reqId,
			msgid: message?.msgid ?? '',
			streamId: String(stream.id ?? ''),
			content,
			finish: stream.finish === true,
			at: this.now(),
			errcode: 0,
		};
		let errmsg = 'ok';
		if (connection.state !== 'subscribed') {
			record.errcode = 846609;
			errmsg = 'not subscribed';
		} else if (!message || message.finished) {
			record.errcode = UNKNOWN_REQ_ID;
			errmsg = message ? 'stream already finished' : 'unknown req_id';
		} else if (body.msgtype !== 'stream' || record.streamId === '') {
			record.errcode = 40008;
			errmsg = 'invalid message type';
		} else if (Buffer.byteLength(content, 'utf8') > 20_480) {
			record.errcode = CONTENT_TOO_LONG;
			errmsg = 'content exceeds 20480 bytes';
		} else if (record.finish) {
			message.finished = true;
		}
		this.replies.push(record);
		this.answer(connection, reqId, record.errcode, errmsg);
	}
}
