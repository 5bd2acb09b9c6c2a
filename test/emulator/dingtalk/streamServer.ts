/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code: runs under Node and jest, never inside n8n */
// DingTalk's Stream server as the emulator plays it: WebSocket connections opened with a ticket, frames as DingTalk
// sends them, acks checked, unacked events delivered again, events shared among an app's connections, and the
// misbehaviours clients must survive (disconnect, dropped and silent sockets).
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import type { Reply } from '../types';
import { isRecord } from '../util';
import { acceptUpgrade, refuseUpgrade, type WebSocketConnection } from '../webSocket';
import {
	ROBOT_TOPIC,
	robotMessagePayload,
	type RobotMessageInput,
	type RobotMessagePayload,
} from './streamPayloads';
import type { DingTalkState } from './state';
import { buildDingTalkRobotMessage } from './robotHttp';
import { STREAM_SOCKET_PATH } from './stream';

export interface StreamServerOptions {
	/** An unacked (or LATER) event is delivered again after this long; default 60 s, as DingTalk does. */
	redeliveryDelayMs?: number;
	/** Delivery attempts for one event (with or without a connection to take it); then it is `lost`; default 5. */
	maxDeliveries?: number;
	/** After SYSTEM disconnect the server closes the socket this much later; default 10 s. */
	disconnectGraceMs?: number;
	/** SYSTEM ping to every connection this often; default 0 (pings only when a test calls ping()). */
	pingIntervalMs?: number;
	/** Which connection gets an event: a number in [0, 1) picks among the candidates; default Math.random. */
	random?: () => number;
}

export interface StreamConnectionInfo {
	id: string;
	state: 'open' | 'draining' | 'closed';
	zombie: boolean;
	/** A zombie that does not even answer the client's close frame. */
	deaf: boolean;
	subscriptions: Array<{ type: string; topic: string }>;
	ua?: string;
	openedAt: number;
	closedAt?: number;
	/** The code of the client's close frame, 1006 for a dropped connection. */
	closeCode?: number;
}

export interface StreamAck {
	connectionId: string;
	messageId: string;
	/** The eventId / msgId of what was acknowledged; undefined for ping answers. */
	key?: string;
	kind: 'EVENT' | 'CALLBACK' | 'ping';
	/** The parsed `data` of the answer. */
	data: unknown;
	at: number;
}

export interface StreamEventRecord {
	/** eventId for EVENTs, msgId for robot messages. */
	key: string;
	type: 'EVENT' | 'CALLBACK';
	topic: string;
	eventType?: string;
	/** Delivery attempts; one that found no connection to push to counts too. */
	deliveries: number;
	/** The connections it was sent to, in order. */
	sentTo: string[];
	acked: boolean;
	/** Given up after maxDeliveries without a SUCCESS. */
	lost: boolean;
}

export interface PublishEvent {
	eventType: string;
	data: object;
	/** Sent as the frame's data instead of JSON.stringify(data): for data that is not JSON. */
	rawData?: string;
	eventId?: string;
	corpId?: string;
	bornTime?: number;
}

interface Connection extends StreamConnectionInfo {
	ws: WebSocketConnection;
	/** messageId -> what was sent, for matching the client's answers. */
	sent: Map<string, { key?: string; kind: StreamAck['kind']; pingData?: string }>;
}

interface PendingEvent extends StreamEventRecord {
	headers: Record<string, string>;
	data: string;
	dueAt?: number;
	/** Which delivery's redelivery timer is the live one. */
	timerRound: number;
}

const DEFAULTS = {
	redeliveryDelayMs: 60_000,
	maxDeliveries: 5,
	disconnectGraceMs: 10_000,
	pingIntervalMs: 0,
};

export class DingTalkStreamServer {
	/** Every answer the clients sent, in arrival order. */
	readonly acks: StreamAck[] = [];

	/** Client frames the server could not accept, with the reason (a correct client causes none). */
	readonly badFrames: Array<{ connectionId: string; reason: string; text: string }> = [];

	/** Refused WebSocket handshakes, with the reason. */
	readonly refusals: string[] = [];

	private readonly options: Required<Omit<StreamServerOptions, 'random'>> & {
		random: () => number;
	};

	private readonly connectionsById = new Map<string, Connection>();

	private readonly events = new Map<string, PendingEvent>();

	private readonly timers = new Set<NodeJS.Timeout>();

	private pingTimer?: NodeJS.Timeout;

	constructor(
		private readonly env: {
			now: () => number;
			baseUrl: () => string;
			state: () => DingTalkState;
		},
		options: StreamServerOptions = {},
	) {
		this.options = { ...DEFAULTS, random: Math.random, ...options };
		if (this.options.pingIntervalMs > 0) {
			this.pingTimer = setInterval(() => this.ping(), this.options.pingIntervalMs);
			this.pingTimer.unref();
		}
	}

	// --- connections ---

	/** Takes an HTTP upgrade for the Stream endpoint; false when the path is not the Stream endpoint's. */
	handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		if (url.pathname !== STREAM_SOCKET_PATH) return false;
		const ticket = url.searchParams.get('ticket') ?? '';
		const record = this.env.state().stream.tickets.get(ticket);
		const refusal = !record
			? 'unknown ticket'
			: record.used
				? 'ticket already used'
				: record.expiresAt <= this.env.now()
					? 'ticket expired'
					: undefined;
		if (refusal || !record) {
			this.refusals.push(refusal ?? 'unknown ticket');
			refuseUpgrade(socket, 401, 'Unauthorized');
			return true;
		}
		const ws = acceptUpgrade(req, socket, head);
		if (!ws) {
			this.refusals.push('not a WebSocket handshake');
			return true;
		}
		record.used = true;
		const connection: Connection = {
			id: randomUUID(),
			state: 'open',
			zombie: false,
			deaf: false,
			subscriptions: record.subscriptions,
			ua: record.ua,
			openedAt: this.env.now(),
			ws,
			sent: new Map(),
		};
		this.connectionsById.set(connection.id, connection);
		ws.handlers = {
			text: (text) => this.answer(connection, text),
			close: (code) => this.closed(connection, code),
		};
		this.system(connection, 'CONNECTED', { connectionId: connection.id });
		// Events waiting for a connection go out now.
		this.redeliverDue();
		return true;
	}

	connections(): StreamConnectionInfo[] {
		return [...this.connectionsById.values()].map((c) => ({
			id: c.id,
			state: c.state,
			zombie: c.zombie,
			deaf: c.deaf,
			subscriptions: c.subscriptions,
			ua: c.ua,
			openedAt: c.openedAt,
			closedAt: c.closedAt,
			closeCode: c.closeCode,
		}));
	}

	/** Connections that are open (draining ones included). */
	openConnections(): StreamConnectionInfo[] {
		return this.connections().filter((c) => c.state !== 'closed');
	}

	/** SYSTEM ping to one connection or every open one; returns the data sent (the client must echo it). */
	ping(connectionId?: string): string[] {
		const targets = connectionId
			? [this.connection(connectionId)]
			: [...this.connectionsById.values()].filter((c) => c.state !== 'closed');
		return targets.map((connection) => {
			const data = JSON.stringify({ opaque: randomUUID() });
			this.system(connection, 'ping', data);
			return data;
		});
	}

	/** SYSTEM disconnect, then the socket is closed `disconnectGraceMs` later; new events go to other connections. */
	disconnect(connectionId: string, reason = 'persistent connection is timeout'): void {
		const connection = this.connection(connectionId);
		if (connection.state !== 'open') return;
		this.system(connection, 'disconnect', { reason });
		connection.state = 'draining';
		this.later(this.options.disconnectGraceMs, () => connection.ws.close(1000, reason));
	}

	/** The TCP connection ends without a close frame (the client sees 1006). */
	drop(connectionId: string): void {
		this.connection(connectionId).ws.destroy();
	}

	/**
	 * The socket stays open but the server sends nothing more on it and ignores what comes in; it still gets events.
	 * `deaf`: it does not answer the client's close frame either (the WebSocket layer reads nothing): the connection ends
	 * only when the client ends its TCP connection.
	 */
	zombify(connectionId: string, options: { deaf?: boolean } = {}): void {
		const connection = this.connection(connectionId);
		connection.zombie = true;
		if (options.deaf) {
			connection.deaf = true;
			connection.ws.deaf = true;
		}
	}

	// --- events ---

	/** An EVENT as DingTalk pushes it (type in headers.eventType, id in headers.eventId). Returns the eventId. */
	publishEvent(event: PublishEvent): string {
		const app = this.env.state().app;
		const eventId = event.eventId ?? randomBytes(16).toString('hex');
		const now = this.env.now();
		this.enqueue({
			key: eventId,
			type: 'EVENT',
			topic: '*',
			eventType: event.eventType,
			headers: {
				eventType: event.eventType,
				eventId,
				eventBornTime: String(event.bornTime ?? now),
				eventCorpId: event.corpId ?? app.corpId,
				eventUnifiedAppId: app.appKey,
			},
			data: event.rawData ?? JSON.stringify(event.data),
		});
		return eventId;
	}

	/** A robot message (CALLBACK on the robot topic), for connections subscribed to it. Returns the key (msgId). */
	publishCallback(topic: string, payload: { msgId: string } & object): string {
		this.enqueue({
			key: payload.msgId,
			type: 'CALLBACK',
			topic,
			headers: {},
			data: JSON.stringify(payload),
		});
		return payload.msgId;
	}

	/** A robot message with the documented payload (sessionWebhook included); returns the payload sent. */
	publishRobotMessage(input: RobotMessageInput = {}): RobotMessagePayload {
		const payload = robotMessagePayload(
			this.env.state().app,
			this.env.baseUrl(),
			this.env.now(),
			input,
		);
		this.publishCallback(ROBOT_TOPIC, payload);
		return payload;
	}

	/** Sends an already acknowledged event once more: DingTalk does that too now and then. */
	duplicate(key: string): void {
		const event = this.events.get(key);
		if (!event) throw new Error(`emulator: no Stream event ${key}`);
		this.deliver(event, true);
	}

	/** Events given up on: every attempt spent without a SUCCESS. */
	lost(): StreamEventRecord[] {
		return this.eventRecords().filter((e) => e.lost);
	}

	eventRecords(): StreamEventRecord[] {
		return [...this.events.values()].map((e) => ({
			key: e.key,
			type: e.type,
			topic: e.topic,
			eventType: e.eventType,
			deliveries: e.deliveries,
			sentTo: [...e.sentTo],
			acked: e.acked,
			lost: e.lost,
		}));
	}

	/** Keys acknowledged with SUCCESS (or, for a CALLBACK, answered), without copying every record. */
	ackedKeys(): Set<string> {
		const keys = new Set<string>();
		for (const event of this.events.values()) if (event.acked) keys.add(event.key);
		return keys;
	}

	/** Events not acknowledged with SUCCESS yet. */
	unacked(): StreamEventRecord[] {
		return this.eventRecords().filter((e) => !e.acked);
	}

	/**
	 * Delivers again what is due (unacked past the redelivery delay, or waiting for a connection). Runs by itself on
	 * real timers; call it after moving a test clock.
	 */
	redeliverDue(): void {
		const now = this.env.now();
		for (const event of this.events.values()) {
			if (event.acked || event.lost || event.dueAt === undefined || event.dueAt > now) continue;
			this.deliver(event, false);
		}
	}

	// --- control over HTTP, for `npm run emulator` and another process (sandbox:send) ---

	/**
	 * `/_emulator/stream/<action>`: GET connections | events; POST events {eventType, data, eventId?, rawData?},
	 * robot-messages {text?, conversationType?, senderStaffId?, ...}, ping, disconnect | drop | zombify
	 * {connectionId?, deaf?} (every open connection without one); robot-messages-http {text?, ...} builds, without
	 * sending, a robot message as the robot's HTTP mode posts it ({headers: {timestamp, sign}, body}), its
	 * sessionWebhook known to this emulator (the caller posts it to the trigger's URL).
	 */
	control(method: string, action: string, body: unknown): Reply {
		const input = isRecord(body) ? body : {};
		const targets = () =>
			typeof input.connectionId === 'string'
				? [input.connectionId]
				: this.openConnections().map((c) => c.id);
		try {
			switch (`${method} ${action}`) {
				case 'GET connections':
					return { json: { connections: this.connections() } };
				case 'GET events':
					return { json: { events: this.eventRecords() } };
				case 'POST events': {
					if (typeof input.eventType !== 'string' || !isRecord(input.data)) {
						return {
							status: 400,
							json: { message: 'eventType (string) and data (object) are required' },
						};
					}
					const eventId = this.publishEvent({
						eventType: input.eventType,
						data: input.data,
						eventId: typeof input.eventId === 'string' ? input.eventId : undefined,
						rawData: typeof input.rawData === 'string' ? input.rawData : undefined,
					});
					return { json: { eventId } };
				}
				case 'POST robot-messages':
					return { json: this.publishRobotMessage(input as RobotMessageInput) };
				case 'POST robot-messages-http': {
					const app = this.env.state().app;
					const payload = robotMessagePayload(
						app,
						this.env.baseUrl(),
						this.env.now(),
						input as RobotMessageInput,
					);
					const built = buildDingTalkRobotMessage({ payload, appSecret: app.appSecret });
					return { json: { headers: built.headers, body: built.body, payload } };
				}
				case 'POST ping':
					return { json: { pinged: this.ping().length } };
				case 'POST disconnect':
				case 'POST drop':
				case 'POST zombify': {
					const ids = targets();
					for (const id of ids) {
						if (action === 'disconnect') this.disconnect(id);
						else if (action === 'drop') this.drop(id);
						else this.zombify(id, { deaf: input.deaf === true });
					}
					return { json: { connections: ids } };
				}
				default:
					return { status: 404, json: { message: `no Stream control ${method} ${action}` } };
			}
		} catch (error) {
			return { status: 400, json: { message: (error as Error).message } };
		}
	}

	// --- lifecycle ---

	/** Drops every connection and forgets events, acks and timers. */
	reset(): void {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		for (const connection of this.connectionsById.values()) connection.ws.destroy();
		this.connectionsById.clear();
		this.events.clear();
		this.acks.length = 0;
		this.badFrames.length = 0;
		this.refusals.length = 0;
	}

	shutdown(): void {
		if (this.pingTimer) clearInterval(this.pingTimer);
		this.pingTimer = undefined;
		this.reset();
	}

	// --- internals ---

	private connection(id: string): Connection {
		const connection = this.connectionsById.get(id);
		if (!connection) throw new Error(`emulator: no Stream connection ${id}`);
		return connection;
	}

	private later(ms: number, run: () => void): void {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			run();
		}, ms);
		this.timers.add(timer);
	}

	private enqueue(
		init: Omit<PendingEvent, 'deliveries' | 'sentTo' | 'acked' | 'lost' | 'timerRound'>,
	): void {
		const event: PendingEvent = {
			...init,
			deliveries: 0,
			sentTo: [],
			acked: false,
			lost: false,
			timerRound: 0,
		};
		this.events.set(event.key, event);
		this.deliver(event, false);
	}

	private candidates(event: PendingEvent): Connection[] {
		const subscribed = [...this.connectionsById.values()].filter(
			(c) =>
				c.state !== 'closed' &&
				c.subscriptions.some(
					(s) => s.type === event.type && (s.topic === event.topic || s.topic === '*'),
				),
		);
		const open = subscribed.filter((c) => c.state === 'open');
		// A draining connection still serves when it is the only one.
		return open.length > 0 ? open : subscribed;
	}

	/**
	 * One delivery attempt. Each counts, even with no connection to push to; after the last one's redelivery delay
	 * an unacknowledged event is lost. `extra`: a duplicate of an acknowledged event, outside that count.
	 */
	private deliver(event: PendingEvent, extra: boolean): void {
		const now = this.env.now();
		if (extra) {
			this.push(event, now);
			return;
		}
		if (event.deliveries >= this.options.maxDeliveries) {
			event.lost = !event.acked;
			event.dueAt = undefined;
			return;
		}
		event.deliveries++;
		this.push(event, now);
		if (event.acked) return;
		event.dueAt = now + this.options.redeliveryDelayMs;
		// This event's own timer looks at this event only: with thousands unacknowledged, a scan of every event per
		// timer would cost the test process more than the client under test. A newer delivery's timer replaces it.
		const round = ++event.timerRound;
		this.later(this.options.redeliveryDelayMs, () => this.redeliverIfDue(event, round));
	}

	private redeliverIfDue(event: PendingEvent, round: number): void {
		if (round !== event.timerRound || event.acked || event.lost || event.dueAt === undefined) {
			return;
		}
		// A timer may fire a millisecond before Date.now() reaches its due time (it runs on a monotonic clock).
		const early = event.dueAt - this.env.now();
		if (early > 0) {
			this.later(early, () => this.redeliverIfDue(event, round));
			return;
		}
		this.deliver(event, false);
	}

	/** Sends the event to one connection of the app, picked at random; false when there is none. */
	private push(event: PendingEvent, now: number): boolean {
		const candidates = this.candidates(event);
		if (candidates.length === 0) return false;
		const pick = Math.min(
			Math.floor(this.options.random() * candidates.length),
			candidates.length - 1,
		);
		const connection = candidates[pick];
		const messageId = randomUUID();
		event.sentTo.push(connection.id);
		const app = this.env.state().app;
		const headers: Record<string, string> = {
			appId: app.appKey,
			connectionId: connection.id,
			contentType: 'application/json',
			messageId,
			time: String(now),
			topic: event.topic,
			...event.headers,
		};
		connection.sent.set(messageId, { key: event.key, kind: event.type });
		this.send(connection, { specVersion: '1.0', type: event.type, headers, data: event.data });
		return true;
	}

	private system(connection: Connection, topic: string, data: unknown): void {
		const messageId = randomUUID();
		const text = typeof data === 'string' ? data : JSON.stringify(data);
		if (topic === 'ping') connection.sent.set(messageId, { kind: 'ping', pingData: text });
		this.send(connection, {
			specVersion: '1.0',
			type: 'SYSTEM',
			headers: {
				contentType: 'application/json',
				messageId,
				time: String(this.env.now()),
				topic,
			},
			data: text,
		});
	}

	private send(connection: Connection, frame: object): void {
		if (connection.zombie || connection.state === 'closed') return;
		connection.ws.sendText(JSON.stringify(frame));
	}

	private closed(connection: Connection, code: number): void {
		connection.state = 'closed';
		connection.closedAt = this.env.now();
		connection.closeCode = code;
	}

	private bad(connection: Connection, reason: string, text: string): void {
		this.badFrames.push({ connectionId: connection.id, reason, text });
	}

	/** A frame from the client: the answer to something this connection was sent. */
	private answer(connection: Connection, text: string): void {
		if (connection.zombie) return;
		let frame: unknown;
		try {
			frame = JSON.parse(text);
		} catch {
			return this.bad(connection, 'not JSON', text);
		}
		if (!isRecord(frame) || !isRecord(frame.headers)) {
			return this.bad(connection, 'no headers', text);
		}
		const messageId = frame.headers.messageId;
		const sent = typeof messageId === 'string' ? connection.sent.get(messageId) : undefined;
		if (typeof messageId !== 'string' || !sent) {
			return this.bad(connection, 'messageId of nothing sent on this connection', text);
		}
		if (frame.code !== 200 || typeof frame.data !== 'string') {
			return this.bad(connection, 'an answer needs code 200 and data as a JSON string', text);
		}
		let data: unknown;
		try {
			data = JSON.parse(frame.data);
		} catch {
			return this.bad(connection, 'data is not JSON', text);
		}
		connection.sent.delete(messageId);
		if (sent.kind === 'ping' && frame.data !== sent.pingData) {
			return this.bad(connection, 'a ping answer must echo the ping data', text);
		}
		this.acks.push({
			connectionId: connection.id,
			messageId,
			key: sent.key,
			kind: sent.kind,
			data,
			at: this.env.now(),
		});
		const event = sent.key === undefined ? undefined : this.events.get(sent.key);
		if (!event) return;
		const status = isRecord(data) ? data.status : undefined;
		if (sent.kind === 'EVENT' && status !== 'SUCCESS' && status !== 'LATER') {
			return this.bad(connection, 'an EVENT answer needs data.status SUCCESS or LATER', text);
		}
		if (sent.kind === 'EVENT' && status === 'LATER') return;
		event.acked = true;
		event.dueAt = undefined;
	}
}
