// The AI bot's long connection: one WebSocket per bot (WeCom keeps one: a second subscribe takes the bot over and the
// first gets `disconnected_event`). Opens, subscribes with the Bot ID and Secret, pings every 30 s, reconnects with
// back-off and jitter, replaces a socket that stopped answering, gives up a closed socket whose peer never confirms,
// and carries stream replies: each reply frame is sent after WeCom acknowledged the previous one of the same message.
// No timer of its own: every deadline is checked on the scheduler's ticks (a sleep loop, nodes/shared/longConnection).
import {
	globalWebSocket,
	SOCKET_OPEN,
	type SocketEvent,
	type StreamSocket,
	type StreamSocketConstructor,
} from '../../shared/longConnection/socket';
import type { StreamScheduler } from '../../shared/longConnection/scheduler';
import { redact } from '../../shared/redact';
import { backoffDelay, type BackoffPolicy } from '../../shared/retry';
import {
	AIBOT_CMD,
	DISCONNECTED_EVENT,
	eventTypeOf,
	INVALID_BOT_CREDENTIALS,
	newRequestId,
	parseFrame,
	pingFrame,
	respondFrame,
	subscribeFrame,
	type AiBotFrame,
} from './frames';

export interface AiBotTiming {
	/** WeCom wants a ping every 30 s. */
	pingIntervalMs: number;
	/** No frame at all (pings are answered) for this long: the socket is taken for dead and replaced. */
	idleTimeoutMs: number;
	/** From opening the socket to the subscribe's answer. */
	connectTimeoutMs: number;
	/** A reply frame not acknowledged within this long fails (the next one is sent anyway). */
	ackTimeoutMs: number;
	/** A closed socket whose peer does not confirm within this long is forgotten. */
	closeTimeoutMs: number;
	/** A connection open this long ends a failure streak. */
	stableAfterMs: number;
	backoff: BackoffPolicy;
	/** A failure streak this long is reported (a refusal of the credentials at once). */
	failureReportAfterMs: number;
	failureRepeatMs: number;
	/**
	 * After the trigger stopped, the socket stays while a message it delivered may still be answered: WeCom accepts
	 * stream replies for about 6 minutes after the user's message (reference: callback mode; the long connection's
	 * req_id lifetime is not documented in the digest — unverified).
	 */
	replyWindowMs: number;
}

export const DEFAULT_AIBOT_TIMING: Readonly<AiBotTiming> = {
	pingIntervalMs: 30_000,
	idleTimeoutMs: 75_000,
	connectTimeoutMs: 30_000,
	ackTimeoutMs: 5_000,
	closeTimeoutMs: 5_000,
	stableAfterMs: 30_000,
	backoff: { initialMs: 1000, maxMs: 60_000, jitter: 0.25 },
	failureReportAfterMs: 5 * 60_000,
	failureRepeatMs: 60 * 60_000,
	replyWindowMs: 6 * 60_000,
};

export interface AiBotLog {
	debug(message: string, meta?: Record<string, unknown>): void;
	info(message: string, meta?: Record<string, unknown>): void;
	warn(message: string, meta?: Record<string, unknown>): void;
}

export interface AiBotFailure {
	/** What failed and what to do; never the Secret. */
	error: Error;
	/** WeCom refused the Bot ID or Secret: waiting will not help. */
	permanent: boolean;
	/** Another connection subscribed to the bot and WeCom closed this one: the client stopped and will not fight back. */
	takenOver: boolean;
	attempts: number;
	failingForMs: number;
}

export interface AiBotClientOptions {
	url: string;
	botId: string;
	secret: string;
	/** One inbound message frame (aibot_msg_callback). */
	onMessage(frame: AiBotFrame): Promise<void> | void;
	onFailure?(failure: AiBotFailure): void;
	onRecovered?(): void;
	scheduler: StreamScheduler;
	WebSocket?: StreamSocketConstructor;
	now?: () => number;
	random?: () => number;
	log?: Partial<AiBotLog>;
	timing?: Partial<AiBotTiming>;
}

/** A reply frame WeCom refused: its errcode and errmsg (never the frame's content). */
export class AiBotReplyError extends Error {
	constructor(
		readonly errcode: number,
		readonly errmsg: string,
	) {
		super(`WeCom refused the reply frame: ${errcode} ${errmsg}`);
		this.name = 'AiBotReplyError';
	}
}

/** No connection to send a reply on. */
export class AiBotNotConnectedError extends Error {
	constructor(reason: string) {
		super(reason);
		this.name = 'AiBotNotConnectedError';
	}
}

export class AiBotUnavailableError extends Error {
	constructor() {
		super(
			'The WeCom AI bot long connection needs Node.js 22 or later (n8n 2.x runs on it): this Node.js has no WebSocket. Upgrade Node.js.',
		);
		this.name = 'AiBotUnavailableError';
	}
}

export interface AiBotStats {
	attempts: number;
	subscribed: number;
	failures: number;
	messages: number;
	pings: number;
	pingAcks: number;
	replies: number;
	replyAcks: number;
	replyRefusals: number;
	replyTimeouts: number;
	idleRenewals: number;
	abandonedSockets: number;
	takenOver: number;
}

interface Connection {
	id: number;
	socket: StreamSocket;
	state: 'connecting' | 'subscribing' | 'open' | 'closing' | 'closed';
	startedAt: number;
	openedAt: number;
	lastFrameAt: number;
	lastPingAt: number;
	subscribeReqId: string;
	closeBy?: number;
}

interface PendingAck {
	connection: Connection;
	deadline: number;
	resolve(): void;
	reject(error: Error): void;
}

function seconds(ms: number): string {
	return `${Math.max(0, Math.ceil(ms / 1000))} s`;
}

export type AiBotClientState =
	| 'idle'
	| 'connecting'
	| 'open'
	| 'lingering'
	| 'takenOver'
	| 'closed';

export class WeComAiBotClient {
	readonly stats: AiBotStats = {
		attempts: 0,
		subscribed: 0,
		failures: 0,
		messages: 0,
		pings: 0,
		pingAcks: 0,
		replies: 0,
		replyAcks: 0,
		replyRefusals: 0,
		replyTimeouts: 0,
		idleRenewals: 0,
		abandonedSockets: 0,
		takenOver: 0,
	};

	private readonly timing: AiBotTiming;

	private readonly now: () => number;

	private readonly random: () => number;

	private readonly log: AiBotLog;

	private current?: Connection;

	/** Sockets closed and not yet confirmed by the peer. */
	private readonly closing = new Set<Connection>();

	private connectionSeq = 0;

	private closed = false;

	/** The trigger stopped: no more messages are handed on; the socket stays for the replies still owed. */
	private lingering = false;

	private takenOver = false;

	private stopTicks?: () => void;

	private started?: Promise<void>;

	private settleStart?: (error?: Error) => void;

	private nextAttemptAt = 0;

	private failures = 0;

	private failingSince?: number;

	private lastError?: { error: Error; permanent: boolean };

	private lastReportAt?: number;

	private loggedFailure?: string;

	/** Reply frames waiting for WeCom's answer, by req_id, in the order they were sent. */
	private readonly acks = new Map<string, PendingAck[]>();

	/** The tail of each message's reply chain: a frame goes out once the previous one is answered. */
	private readonly chains = new Map<string, Promise<void>>();

	/** Messages handed to n8n, by req_id, with when they came; removed once their reply finished. */
	private readonly owed = new Map<string, number>();

	constructor(private readonly options: AiBotClientOptions) {
		this.timing = { ...DEFAULT_AIBOT_TIMING, ...options.timing };
		this.now = options.now ?? Date.now;
		this.random = options.random ?? Math.random;
		const noop = () => {};
		this.log = {
			debug: options.log?.debug ?? noop,
			info: options.log?.info ?? noop,
			warn: options.log?.warn ?? noop,
		};
	}

	get botId(): string {
		return this.options.botId;
	}

	/** Whether `secret` is the one this client subscribed with (for the credential Test; compared, never shown). */
	usesSecret(secret: string): boolean {
		return secret === this.options.secret;
	}

	get state(): AiBotClientState {
		if (this.closed) return 'closed';
		if (this.takenOver) return 'takenOver';
		if (this.lingering) return 'lingering';
		if (this.current?.state === 'open') return 'open';
		return this.started ? 'connecting' : 'idle';
	}

	/** Subscribed and able to carry replies now. */
	get isOpen(): boolean {
		return !this.closed && this.current?.state === 'open';
	}

	/** Sockets this client still holds (connecting, open, or closed and unconfirmed). */
	get sockets(): number {
		return (this.current ? 1 : 0) + this.closing.size;
	}

	/**
	 * Connects. Resolves once subscribed, or once a failure worth retrying happened (the client keeps trying); rejects,
	 * closed, when WeCom refuses the Bot ID or Secret or there is no WebSocket.
	 */
	start(): Promise<void> {
		if (this.started) return this.started;
		this.started = new Promise<void>((resolve, reject) => {
			this.settleStart = (error) => {
				this.settleStart = undefined;
				if (error) reject(error);
				else resolve();
			};
		});
		if (!(this.options.WebSocket ?? globalWebSocket())) {
			this.failStart(new AiBotUnavailableError());
		} else {
			this.stopTicks = this.options.scheduler(() => this.tick()) ?? undefined;
			this.connect();
		}
		return this.started;
	}

	/**
	 * The trigger stopped: messages are no longer handed on, and the connection closes once the replies owed to the
	 * messages it delivered have finished (or their window passed). A test run's reply node runs after n8n closed the
	 * trigger: this keeps its connection for it.
	 */
	retire(): void {
		if (this.closed) return;
		this.lingering = true;
		this.settleStart?.();
		this.closeIfDone(this.now());
	}

	/** Closes at once: nothing reconnects, replies or ticks afterwards. */
	close(): void {
		if (this.closed) return;
		this.closed = true;
		this.stopTicks?.();
		this.stopTicks = undefined;
		if (this.current) this.shut(this.current, 'the trigger stopped');
		this.current = undefined;
		this.failAcks(new AiBotNotConnectedError('the WeCom AI bot connection was closed'));
		this.settleStart?.();
	}

	/**
	 * A message handed to n8n (not a redelivery): its reply is owed, and a stopped trigger's connection stays for it
	 * until it finished or its window passed.
	 */
	owe(reqId: string): void {
		if (!this.closed) this.owed.set(reqId, this.now());
	}

	/** Replies owed: messages handed on whose reply has not finished, within the reply window. */
	get repliesOwed(): number {
		this.forgetExpired(this.now());
		return this.owed.size;
	}

	/**
	 * Sends one reply frame for the message `reqId` and resolves once WeCom acknowledged it; frames of one message go out
	 * in order, each after the previous one's answer. Rejects with AiBotReplyError (refused), AiBotNotConnectedError,
	 * or a timeout.
	 */
	async respond(reqId: string, body: Record<string, unknown>, finish: boolean): Promise<void> {
		const previous = this.chains.get(reqId) ?? Promise.resolve();
		const sent = previous
			.catch(() => undefined)
			.then(async () => await this.sendReply(reqId, body));
		const tail = sent.catch(() => undefined);
		this.chains.set(reqId, tail);
		void tail.then(() => {
			if (this.chains.get(reqId) === tail) this.chains.delete(reqId);
		});
		try {
			await sent;
		} finally {
			// Finished, or failed to finish (the connection went): either way nothing more is owed on this connection.
			if (finish) {
				this.owed.delete(reqId);
				this.closeIfDone(this.now());
			}
		}
	}

	private async sendReply(reqId: string, body: Record<string, unknown>): Promise<void> {
		const connection = this.current;
		if (this.closed || !connection || connection.state !== 'open') {
			throw new AiBotNotConnectedError(
				this.takenOver
					? 'another connection took the WeCom AI bot over'
					: 'the WeCom AI bot connection is not open (reconnecting)',
			);
		}
		await new Promise<void>((resolve, reject) => {
			const list = this.acks.get(reqId) ?? [];
			list.push({
				connection,
				deadline: this.now() + this.timing.ackTimeoutMs,
				resolve,
				reject,
			});
			this.acks.set(reqId, list);
			this.stats.replies++;
			if (!this.send(connection, respondFrame(reqId, body as never))) {
				this.takeAck(reqId);
				reject(new AiBotNotConnectedError('the WeCom AI bot connection closed while sending'));
			}
		});
	}

	private takeAck(reqId: string): PendingAck | undefined {
		const list = this.acks.get(reqId);
		const first = list?.shift();
		if (list && list.length === 0) this.acks.delete(reqId);
		return first;
	}

	private failAcks(error: Error, connection?: Connection): void {
		for (const [reqId, list] of [...this.acks]) {
			const keep = list.filter((ack) => {
				if (connection && ack.connection !== connection) return true;
				ack.reject(error);
				return false;
			});
			if (keep.length) this.acks.set(reqId, keep);
			else this.acks.delete(reqId);
		}
	}

	// --- connecting ---

	private connect(): void {
		if (this.closed || this.takenOver || this.current) return;
		const Socket = this.options.WebSocket ?? globalWebSocket();
		this.stats.attempts++;
		let socket: StreamSocket;
		try {
			if (!Socket) throw new AiBotUnavailableError();
			socket = new Socket(this.options.url);
		} catch (error) {
			this.attemptFailed(
				new Error(
					redact(`could not open ${this.options.url}: ${(error as Error).message}`, [
						this.options.secret,
					]),
				),
				false,
			);
			return;
		}
		const now = this.now();
		const connection: Connection = {
			id: ++this.connectionSeq,
			socket,
			state: 'connecting',
			startedAt: now,
			openedAt: now,
			lastFrameAt: now,
			lastPingAt: now,
			subscribeReqId: newRequestId(AIBOT_CMD.subscribe),
		};
		this.current = connection;
		socket.addEventListener('open', () => {
			if (connection.state !== 'connecting' || this.closed) return;
			connection.state = 'subscribing';
			this.send(
				connection,
				subscribeFrame(connection.subscribeReqId, this.options.botId, this.options.secret),
			);
		});
		socket.addEventListener('message', (event) => this.received(connection, event));
		socket.addEventListener('error', (event) => this.ended(connection, event, 'error'));
		socket.addEventListener('close', (event) => this.ended(connection, event, 'close'));
	}

	private subscribed(connection: Connection): void {
		const now = this.now();
		connection.state = 'open';
		connection.openedAt = now;
		connection.lastPingAt = now;
		this.stats.subscribed++;
		if (this.loggedFailure !== undefined) {
			this.loggedFailure = undefined;
			this.log.info(
				`WeCom AI bot: connected and subscribed again after ${this.failures} failed attempt(s); listening for messages`,
			);
		} else {
			this.log.info('WeCom AI bot: connected and subscribed; listening for messages');
		}
		this.settleStart?.();
	}

	private ended(connection: Connection, event: SocketEvent, how: 'error' | 'close'): void {
		if (connection.state === 'closed') return;
		const before = connection.state;
		connection.state = 'closed';
		this.closing.delete(connection);
		if (how === 'error') this.closeSocket(connection.socket);
		this.failAcks(new AiBotNotConnectedError('the WeCom AI bot connection closed'), connection);
		if (connection !== this.current) return;
		this.current = undefined;
		if (this.closed || this.takenOver || before === 'closing') return;
		const detail = how === 'close' ? `close code ${event.code ?? 'unknown'}` : 'a socket error';
		if (before === 'connecting' || before === 'subscribing') {
			this.attemptFailed(
				new Error(
					`the connection to ${this.options.url} ended before WeCom answered the subscription (${detail}): check the network, a proxy that blocks WebSocket, and the WebSocket URL in the credential`,
				),
				false,
			);
			return;
		}
		if (this.lingering) {
			this.log.info(
				`WeCom AI bot: the connection ended (${detail}) after the trigger stopped; not reconnecting`,
			);
			this.close();
			return;
		}
		const now = this.now();
		const lived = now - connection.openedAt;
		if (lived < this.timing.stableAfterMs) {
			this.countFailure(
				new Error(`WeCom AI bot connections keep dropping (${detail}) soon after subscribing`),
				false,
			);
		} else {
			this.nextAttemptAt = now + backoffDelay(1, this.timing.backoff, this.random);
		}
		this.log.warn(
			`WeCom AI bot: connection lost (${detail}) after ${seconds(lived)}; reconnecting in ${seconds(this.nextAttemptAt - now)}`,
		);
	}

	private attemptFailed(error: Error, permanent: boolean): void {
		if (this.closed) return;
		if (permanent && this.settleStart) {
			this.failStart(error);
			return;
		}
		this.settleStart?.();
		this.countFailure(error, permanent);
		const message = `WeCom AI bot: could not connect (${error.message}); next attempt in ${seconds(this.nextAttemptAt - this.now())}`;
		if (this.loggedFailure === error.message) {
			this.log.debug(message);
		} else {
			this.loggedFailure = error.message;
			this.log.warn(message);
		}
	}

	private failStart(error: Error): void {
		const settle = this.settleStart;
		this.settleStart = undefined;
		this.close();
		settle?.(error);
	}

	private countFailure(error: Error, permanent: boolean): void {
		const now = this.now();
		this.failures++;
		this.stats.failures++;
		this.failingSince ??= now;
		this.lastError = { error, permanent };
		this.nextAttemptAt = now + backoffDelay(this.failures, this.timing.backoff, this.random);
		this.reportIfDue(now);
	}

	private reportIfDue(now: number): void {
		const last = this.lastError;
		if (this.failingSince === undefined || !last) return;
		const due =
			this.lastReportAt === undefined
				? last.permanent || now - this.failingSince >= this.timing.failureReportAfterMs
				: now - this.lastReportAt >= this.timing.failureRepeatMs;
		if (!due) return;
		this.lastReportAt = now;
		this.report({
			error: last.error,
			permanent: last.permanent,
			takenOver: false,
			attempts: this.failures,
			failingForMs: now - this.failingSince,
		});
	}

	private report(failure: AiBotFailure): void {
		try {
			this.options.onFailure?.(failure);
		} catch (error) {
			this.log.warn(
				`WeCom AI bot: reporting a failure to n8n failed (${(error as Error)?.message}); the client goes on`,
			);
		}
	}

	// --- the clock ---

	private tick(): void {
		if (this.closed) return;
		try {
			this.checkDeadlines(this.now());
		} catch (error) {
			this.log.debug(
				`WeCom AI bot: a check failed (${(error as Error)?.message}); next tick retries`,
			);
		}
	}

	private checkDeadlines(now: number): void {
		for (const connection of [...this.closing]) {
			if (now >= (connection.closeBy ?? 0)) {
				connection.state = 'closed';
				this.closing.delete(connection);
				this.stats.abandonedSockets++;
				this.log.warn(
					`WeCom AI bot: a closed connection did not confirm its close within ${seconds(this.timing.closeTimeoutMs)}; it is no longer used (WeCom or the network ends it)`,
				);
			}
		}
		for (const [reqId, list] of [...this.acks]) {
			while (list.length && now >= list[0].deadline) {
				const ack = list.shift()!;
				this.stats.replyTimeouts++;
				ack.reject(
					new Error(
						`WeCom did not acknowledge a reply frame within ${seconds(this.timing.ackTimeoutMs)}`,
					),
				);
			}
			if (list.length === 0) this.acks.delete(reqId);
		}
		const current = this.current;
		if (current && (current.state === 'connecting' || current.state === 'subscribing')) {
			if (now - current.startedAt >= this.timing.connectTimeoutMs) {
				this.current = undefined;
				this.shut(current, 'connect timeout');
				this.attemptFailed(
					new Error(
						`no answer to the subscription within ${seconds(this.timing.connectTimeoutMs)}: check the network and the WebSocket URL in the credential`,
					),
					false,
				);
			}
		} else if (current?.state === 'open') {
			if (
				this.failingSince !== undefined &&
				current.openedAt >= this.failingSince &&
				now - current.openedAt >= this.timing.stableAfterMs
			) {
				this.recovered();
			}
			if (now - current.lastFrameAt >= this.timing.idleTimeoutMs) {
				this.stats.idleRenewals++;
				this.log.warn(
					`WeCom AI bot: no frame (not even a ping answer) for ${seconds(now - current.lastFrameAt)}; replacing the connection now`,
				);
				this.current = undefined;
				this.shut(current, 'silent');
				this.failAcks(
					new AiBotNotConnectedError('the WeCom AI bot connection went silent'),
					current,
				);
				this.nextAttemptAt = now;
			} else if (now - current.lastPingAt >= this.timing.pingIntervalMs) {
				current.lastPingAt = now;
				if (this.send(current, pingFrame(newRequestId(AIBOT_CMD.ping)))) this.stats.pings++;
			}
		}
		this.reportIfDue(now);
		if (this.closeIfDone(now)) return;
		if (!this.current && !this.takenOver && now >= this.nextAttemptAt) this.connect();
	}

	private forgetExpired(now: number): void {
		for (const [reqId, at] of this.owed) {
			if (now - at >= this.timing.replyWindowMs) this.owed.delete(reqId);
		}
	}

	/** A lingering client closes once no reply is owed. Returns whether it closed. */
	private closeIfDone(now: number): boolean {
		if (!this.lingering || this.closed) return this.closed;
		this.forgetExpired(now);
		if (this.owed.size > 0 && this.current) return false;
		this.log.debug('WeCom AI bot: the replies owed are done; closing the connection');
		this.close();
		return true;
	}

	private recovered(): void {
		const reported = this.lastReportAt !== undefined;
		this.failures = 0;
		this.failingSince = undefined;
		this.lastError = undefined;
		this.lastReportAt = undefined;
		if (reported) this.options.onRecovered?.();
	}

	private shut(connection: Connection, reason: string): void {
		if (connection.state === 'closing' || connection.state === 'closed') return;
		connection.state = 'closing';
		connection.closeBy = this.now() + this.timing.closeTimeoutMs;
		this.closing.add(connection);
		this.closeSocket(connection.socket, reason);
	}

	private closeSocket(socket: StreamSocket, reason = 'closing'): void {
		try {
			socket.close(1000, reason);
		} catch {
			// Already closing.
		}
	}

	// --- frames ---

	private received(connection: Connection, event: SocketEvent): void {
		if (connection.state === 'closed' || connection.state === 'closing') return;
		connection.lastFrameAt = this.now();
		const frame = parseFrame(event.data);
		if (!frame) {
			this.log.warn('WeCom AI bot: a frame without JSON or req_id was ignored; listening on');
			return;
		}
		const reqId = frame.headers.req_id;
		if (frame.cmd === AIBOT_CMD.message) {
			// WeCom pushes messages only to a subscribed connection; one may overtake the subscription's answer.
			if (connection.state !== 'open' && connection.state !== 'subscribing') return;
			this.stats.messages++;
			if (this.lingering) {
				this.log.warn(
					`WeCom AI bot: a message arrived after the trigger stopped; it starts nothing (msgid ${String(frame.body?.msgid ?? '')})`,
				);
				return;
			}
			void Promise.resolve()
				.then(async () => await this.options.onMessage(frame))
				.catch((error: Error) =>
					this.log.warn(
						`WeCom AI bot: a message could not be handed to n8n (${error?.message}); it is lost unless WeCom delivers it again (whether it does is unverified)`,
					),
				);
			return;
		}
		if (frame.cmd === AIBOT_CMD.event) {
			if (eventTypeOf(frame) === DISCONNECTED_EVENT) this.takeOver(connection);
			else this.log.debug(`WeCom AI bot: event ${eventTypeOf(frame) ?? '(none)'} ignored`);
			return;
		}
		if (frame.cmd !== undefined && frame.cmd !== '') {
			this.log.debug(`WeCom AI bot: a frame of command ${frame.cmd} ignored`);
			return;
		}
		// An answer to a frame this client sent.
		const errcode = Number(frame.errcode ?? 0);
		if (connection.state === 'subscribing' && reqId === connection.subscribeReqId) {
			if (errcode === 0) {
				this.subscribed(connection);
				return;
			}
			this.current = undefined;
			this.shut(connection, 'subscription refused');
			const permanent = errcode === INVALID_BOT_CREDENTIALS;
			this.attemptFailed(
				permanent
					? new Error(
							`WeCom refused the Bot ID or Secret (${errcode} ${frame.errmsg ?? 'invalid bot_id or secret'}): copy both again from the WeCom admin console (管理后台 → 应用管理 → 智能机器人 → the bot → API 模式, 长连接) into the credential`,
						)
					: new Error(`WeCom refused the subscription (${errcode} ${frame.errmsg ?? ''})`),
				permanent,
			);
			return;
		}
		if (reqId.startsWith(`${AIBOT_CMD.ping}_`)) {
			if (errcode === 0) this.stats.pingAcks++;
			return;
		}
		const ack = this.takeAck(reqId);
		if (!ack) {
			this.log.debug('WeCom AI bot: an answer to no frame of this client ignored');
			return;
		}
		if (errcode === 0) {
			this.stats.replyAcks++;
			ack.resolve();
		} else {
			this.stats.replyRefusals++;
			ack.reject(new AiBotReplyError(errcode, String(frame.errmsg ?? '')));
		}
	}

	/** Another connection subscribed to this bot: stop here, do not reconnect (that would take it back, forever). */
	private takeOver(connection: Connection): void {
		if (connection !== this.current) return;
		this.stats.takenOver++;
		this.takenOver = true;
		this.current = undefined;
		this.shut(connection, 'taken over');
		this.failAcks(new AiBotNotConnectedError('another connection took the WeCom AI bot over'));
		const error = new Error(
			`Another connection subscribed to WeCom AI bot ${this.options.botId} (disconnected_event) and WeCom closed this one: WeCom keeps one long connection per bot. This trigger stopped listening and does not reconnect, so the two do not take the bot from each other. Keep the bot in one published workflow of one n8n, then publish this workflow again.`,
		);
		this.log.warn(
			`WeCom AI bot: another connection took bot ${this.options.botId} over (disconnected_event); this trigger stops listening and does not reconnect until the workflow is published again`,
		);
		if (this.lingering) {
			this.close();
			return;
		}
		this.report({ error, permanent: false, takenOver: true, attempts: 0, failingForMs: 0 });
	}

	private send(connection: Connection, text: string): boolean {
		if (connection.state === 'closed' || connection.state === 'closing') return false;
		if (connection.socket.readyState !== SOCKET_OPEN) return false;
		try {
			connection.socket.send(text);
			return true;
		} catch {
			return false;
		}
	}
}
