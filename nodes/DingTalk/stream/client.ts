import { sleep } from 'n8n-workflow';

import { redact } from '../../shared/redact';
import { backoffDelay, type BackoffPolicy } from '../../shared/retry';
import {
	ackData,
	answerFrame,
	eventKey,
	eventOf,
	parseFrame,
	streamSubscriptions,
	type StreamEvent,
	type StreamFrame,
	type StreamSubscription,
} from './frames';
import { DeliveryLedger } from './ledger';
import { StreamOpenError, type OpenConnection, type StreamTicket } from './open';
import type { StreamScheduler } from '../../shared/longConnection/scheduler';
import {
	globalWebSocket,
	SOCKET_OPEN,
	type SocketEvent,
	type StreamSocket,
	type StreamSocketConstructor,
} from '../../shared/longConnection/socket';

export interface StreamTiming {
	/** No frame at all (not even a ping) for this long: the socket is taken for dead and replaced. */
	idleTimeoutMs: number;
	/** A connection older than this is replaced before the platform drops it. */
	maxLifetimeMs: number;
	/** From the open call to the WebSocket handshake's end. */
	connectTimeoutMs: number;
	/**
	 * How long a replaced connection stays open to acknowledge what it received; also how long close() waits for
	 * executions in flight, so that their acknowledgements still go out.
	 */
	drainMs: number;
	/**
	 * A socket that was closed and has not confirmed it (the peer never answered the close frame) is given up after this
	 * long: no longer counted, read or used.
	 */
	closeTimeoutMs: number;
	/** A connection open this long ends a failure streak (back-off starts over). */
	stableAfterMs: number;
	backoff: BackoffPolicy;
	/** A streak of failures this long is reported through onFailure (a permanent failure at once). */
	failureReportAfterMs: number;
	/** While the streak lasts, it is reported again this often. */
	failureRepeatMs: number;
	/** An event delivered again within this window of being recorded is acknowledged and dropped. */
	dedupeWindowMs: number;
	/**
	 * A recorded event whose acknowledgement could not be sent (its socket was gone) is remembered at least this long
	 * whatever dedupeWindowMs says: DingTalk will deliver it again, and that delivery must start nothing.
	 */
	owedAckWindowMs: number;
}

/** How many events a client has n8n record at once, and how many more wait their turn. */
export interface StreamFlow {
	/** Events being recorded at once; 0 for no limit. */
	maxInFlight: number;
	/** Events waiting for a free place, in arrival order; beyond this they are answered LATER. */
	maxWaiting: number;
}

export const DEFAULT_STREAM_FLOW: Readonly<StreamFlow> = { maxInFlight: 64, maxWaiting: 10_000 };

export const DEFAULT_STREAM_TIMING: Readonly<StreamTiming> = {
	idleTimeoutMs: 90_000,
	maxLifetimeMs: 6 * 60 * 60_000,
	connectTimeoutMs: 30_000,
	drainMs: 10_000,
	closeTimeoutMs: 5_000,
	stableAfterMs: 30_000,
	backoff: { initialMs: 1000, maxMs: 60_000, jitter: 0.25 },
	failureReportAfterMs: 5 * 60_000,
	failureRepeatMs: 60 * 60_000,
	dedupeWindowMs: 10 * 60_000,
	owedAckWindowMs: 15 * 60_000,
};

/** A failure streak, for the trigger to report (saveFailedExecution) or to give up on (emitError). */
export interface StreamFailure {
	/** Says what failed and what to do; never holds the Client Secret or a ticket. */
	error: Error;
	/** DingTalk refuses the app itself (credential, Stream not enabled): waiting will not help. */
	permanent: boolean;
	/** Failed attempts in a row. */
	attempts: number;
	failingForMs: number;
}

export interface StreamLog {
	debug(message: string, meta?: Record<string, unknown>): void;
	info(message: string, meta?: Record<string, unknown>): void;
	warn(message: string, meta?: Record<string, unknown>): void;
}

export interface StreamClientOptions {
	openConnection: OpenConnection;
	/** Subscribe to robot messages (CALLBACK /v1.0/im/bot/messages/get) besides EVENT `*`. */
	robotMessages?: boolean;
	/**
	 * Hands one event to n8n. Resolves once n8n has recorded what the event started (or once it is clear that it
	 * starts nothing); the frame is acknowledged then. Rejects when nothing was recorded: the event is answered LATER,
	 * so that DingTalk delivers it again.
	 */
	onEvent(event: StreamEvent): Promise<void> | void;
	onFailure?(failure: StreamFailure): void;
	/** A reported failure streak ended: a connection is open and has stayed up. */
	onRecovered?(): void;
	scheduler: StreamScheduler;
	/** Default: Node's global WebSocket. */
	WebSocket?: StreamSocketConstructor;
	now?: () => number;
	random?: () => number;
	/** What close() waits with while executions finish; default n8n-workflow's sleep. */
	wait?: (ms: number) => Promise<void>;
	log?: Partial<StreamLog>;
	/** Share one ledger (and a scope per trigger) so that redeliveries stay recognised across reconnects and clients. */
	ledger?: { store: DeliveryLedger; scope: string };
	timing?: Partial<StreamTiming>;
	/**
	 * Flow control. n8n takes every emit at once, so events arriving faster than it finishes executions would pile up
	 * inside n8n (thousands of executions contending for its database, none finishing); here they wait in order and are
	 * handed over as executions finish. Their redeliveries join them meanwhile.
	 */
	flow?: Partial<StreamFlow>;
}

/** A delivery waiting for a place among the events being recorded. */
interface Waiting {
	connection: Connection;
	event: StreamEvent;
	scoped?: string;
}

type Renewal = 'idle' | 'lifetime' | 'disconnect';

interface Connection {
	id: number;
	socket: StreamSocket;
	/** closing: close() sent, the peer's answer awaited until closeBy. */
	state: 'connecting' | 'open' | 'retiring' | 'closing' | 'closed';
	openedAt: number;
	lastFrameAt: number;
	/** Why this connection is being replaced. */
	renewal?: Renewal;
	retireAt?: number;
	closeBy?: number;
}

export interface StreamStats {
	attempts: number;
	opened: number;
	failures: number;
	/** Events n8n recorded (handed over and finished, or filtered out), each counted once. */
	events: number;
	/** Deliveries of an event already recorded or in flight: acknowledged with it, never handed over again. */
	duplicates: number;
	/** SUCCESS answers sent. */
	acks: number;
	/** LATER answers sent (nothing was recorded). */
	laters: number;
	/** Answers that could not be sent: their socket was gone (DingTalk delivers those events again). */
	unanswered: number;
	pings: number;
	disconnects: number;
	idleRenewals: number;
	lifetimeRenewals: number;
	/** Closed sockets whose peer never confirmed the close within closeTimeoutMs. */
	abandonedSockets: number;
}

/** Raised when there is no WebSocket to connect with (Node before 22). */
export class StreamUnavailableError extends Error {
	constructor() {
		super(
			'DingTalk Stream mode needs Node.js 22 or later (n8n 2.x runs on it): this Node.js has no WebSocket. Upgrade Node.js, or use the HTTP callback mode.',
		);
		this.name = 'StreamUnavailableError';
	}
}

function connectError(message: string): StreamOpenError {
	return new StreamOpenError(message, false);
}

function seconds(ms: number): string {
	return `${Math.max(0, Math.ceil(ms / 1000))} s`;
}

function reasonOf(error: unknown): string {
	return String((error as Error)?.message ?? error);
}

/**
 * The DingTalk Stream client: one live connection (two while one replaces the other), events acknowledged once n8n has
 * recorded them, and everything that keeps the connection alive — ping answers, reconnection on `disconnect` before the
 * old socket closes, back-off with jitter, an idle watchdog, a lifetime cap, a bound on closing — without a timer of its
 * own (deadlines are checked on the scheduler's ticks).
 */
export class DingTalkStreamClient {
	readonly stats: StreamStats = {
		attempts: 0,
		opened: 0,
		failures: 0,
		events: 0,
		duplicates: 0,
		acks: 0,
		laters: 0,
		unanswered: 0,
		pings: 0,
		disconnects: 0,
		idleRenewals: 0,
		lifetimeRenewals: 0,
		abandonedSockets: 0,
	};

	private readonly timing: StreamTiming;

	private readonly subscriptions: StreamSubscription[];

	private readonly now: () => number;

	private readonly random: () => number;

	private readonly wait: (ms: number) => Promise<void>;

	private readonly log: StreamLog;

	private readonly ledger: { store: DeliveryLedger; scope: string };

	private readonly connections = new Set<Connection>();

	/** Events of this client being handed to n8n (its own deliveries, not the ones that joined). */
	private handing = 0;

	private readonly flow: StreamFlow;

	/** Deliveries waiting for a place, oldest first. */
	private readonly waiting: Waiting[] = [];

	/** The wait line was announced in the log; it is announced again only after it emptied. */
	private busySince?: number;

	/** The connection that serves; a replacement takes over once its handshake is done. */
	private current?: Connection;

	private closed = false;

	/** close() is waiting for executions in flight: new events are left to DingTalk's redelivery. */
	private stopping = false;

	private started?: Promise<void>;

	private settleStart?: (error?: Error) => void;

	private stopTicks?: () => void;

	/** Increases with each attempt; the answer of an abandoned attempt finds it changed and is dropped. */
	private attemptSeq = 0;

	private attemptStartedAt?: number;

	private connecting?: Connection;

	private connectionSeq = 0;

	private failures = 0;

	private failingSince?: number;

	private lastError?: StreamOpenError;

	/** The failure last written to the log at warn level, so that a streak of the same failure logs once. */
	private loggedFailure?: string;

	private lastReportAt?: number;

	private nextAttemptAt = 0;

	/** n8n failed to record an event: logged once, until one is recorded again. */
	private recordFailing?: { since: number; count: number };

	constructor(private readonly options: StreamClientOptions) {
		this.timing = { ...DEFAULT_STREAM_TIMING, ...options.timing };
		this.flow = { ...DEFAULT_STREAM_FLOW, ...options.flow };
		this.subscriptions = streamSubscriptions({ robotMessages: options.robotMessages === true });
		this.now = options.now ?? Date.now;
		this.random = options.random ?? Math.random;
		this.wait = options.wait ?? sleep;
		const noop = () => {};
		this.log = {
			debug: options.log?.debug ?? noop,
			info: options.log?.info ?? noop,
			warn: options.log?.warn ?? noop,
		};
		this.ledger = options.ledger ?? { store: new DeliveryLedger(10_000), scope: '' };
	}

	/**
	 * Starts connecting. Resolves once the first connection is open or its attempt failed in a way worth retrying
	 * (the client keeps trying); rejects, closed, when DingTalk refuses the app or there is no WebSocket.
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
		if (this.closed) {
			this.settleStart?.();
		} else if (!(this.options.WebSocket ?? globalWebSocket())) {
			this.failStart(new StreamUnavailableError());
		} else {
			this.stopTicks = this.options.scheduler(() => this.tick()) ?? undefined;
			this.connect();
		}
		return this.started;
	}

	/**
	 * Stops taking events, waits up to `graceMs` for the ones being recorded (so that their acknowledgements go out on
	 * the sockets they came on), then closes.
	 */
	async stop(graceMs = this.timing.drainMs): Promise<void> {
		if (this.closed) return;
		this.stopping = true;
		// What has not been handed over yet goes back to DingTalk.
		for (const item of this.waiting.splice(0)) this.release(item, false);
		const deadline = this.now() + graceMs;
		while (this.handing > 0 && !this.closed && this.now() < deadline) {
			await this.wait(Math.min(50, Math.max(1, deadline - this.now())));
		}
		this.close();
	}

	/** Closes every socket and stops every loop: nothing reconnects, acknowledges or ticks afterwards. */
	close(): void {
		if (this.closed) return;
		for (const item of this.waiting.splice(0)) this.release(item, false);
		this.closed = true;
		this.stopTicks?.();
		this.stopTicks = undefined;
		this.attemptSeq++;
		this.connecting = undefined;
		for (const connection of [...this.connections]) this.shut(connection, 'the trigger stopped');
		this.current = undefined;
		this.settleStart?.();
	}

	get isClosed(): boolean {
		return this.closed;
	}

	/** Open connections (a replacement overlaps the one it replaces for a moment). */
	get openConnections(): number {
		return [...this.connections].filter((c) => c.state === 'open' || c.state === 'retiring').length;
	}

	/** Sockets the client still holds: connecting, open, or closed and waiting for the peer's answer. */
	get sockets(): number {
		return this.connections.size;
	}

	/** Events of this client that n8n is recording now. */
	get eventsInFlight(): number {
		return this.handing;
	}

	/** Events waiting for a place among those being recorded. */
	get eventsWaiting(): number {
		return this.waiting.length;
	}

	// --- connecting ---

	private connect(): void {
		if (this.closed || this.attemptStartedAt !== undefined) return;
		const attempt = ++this.attemptSeq;
		this.attemptStartedAt = this.now();
		this.stats.attempts++;
		let opening: Promise<StreamTicket>;
		try {
			opening = Promise.resolve(this.options.openConnection(this.subscriptions));
		} catch (error) {
			opening = Promise.reject(error);
		}
		opening.then(
			(ticket) => this.onTicket(attempt, ticket),
			(error: unknown) => {
				if (attempt !== this.attemptSeq) return;
				this.attemptFailed(
					error instanceof StreamOpenError
						? error
						: connectError(`Opening a DingTalk Stream connection failed: ${String(error)}`),
				);
			},
		);
	}

	private onTicket(attempt: number, ticket: StreamTicket): void {
		if (attempt !== this.attemptSeq || this.closed) return;
		const Socket = this.options.WebSocket ?? globalWebSocket();
		let socket: StreamSocket;
		try {
			const url = new URL(ticket.endpoint);
			url.searchParams.set('ticket', ticket.ticket);
			if (!Socket) throw new StreamUnavailableError();
			socket = new Socket(url.toString());
		} catch (error) {
			this.attemptFailed(
				connectError(
					redact(`Could not start the DingTalk Stream WebSocket: ${(error as Error).message}`, [
						ticket.ticket,
					]),
				),
			);
			return;
		}
		const now = this.now();
		const connection: Connection = {
			id: ++this.connectionSeq,
			socket,
			state: 'connecting',
			openedAt: now,
			lastFrameAt: now,
		};
		this.connections.add(connection);
		this.connecting = connection;
		socket.addEventListener('open', () => this.opened(connection));
		socket.addEventListener('message', (event) => this.received(connection, event));
		// Some sockets report an error and never a close: both end the connection, whichever comes first.
		socket.addEventListener('error', (event) => this.ended(connection, event, 'error'));
		socket.addEventListener('close', (event) => this.ended(connection, event, 'close'));
	}

	private opened(connection: Connection): void {
		if (connection.state !== 'connecting' || this.closed) return;
		const now = this.now();
		connection.state = 'open';
		connection.openedAt = now;
		connection.lastFrameAt = now;
		this.connecting = undefined;
		this.attemptStartedAt = undefined;
		this.stats.opened++;
		const previous = this.current;
		this.current = connection;
		if (this.loggedFailure !== undefined) {
			this.loggedFailure = undefined;
			this.log.info(`DingTalk Stream: connected again after ${this.failures} failed attempt(s)`, {
				connection: connection.id,
			});
		} else {
			this.log.debug('DingTalk Stream connection open', { connection: connection.id });
		}
		if (previous && previous.state === 'open') {
			// A silent socket has nothing to finish; any other keeps acknowledging until the drain ends.
			this.retire(previous, previous.renewal === 'idle' ? now : now + this.timing.drainMs);
		}
		this.settleStart?.();
	}

	private ended(connection: Connection, event: SocketEvent, how: 'error' | 'close'): void {
		if (connection.state === 'closed') return;
		const before = connection.state;
		connection.state = 'closed';
		this.connections.delete(connection);
		if (how === 'error') this.closeSocket(connection.socket);
		if (this.closed || before === 'closing') return;
		const detail = how === 'close' ? `close code ${event.code ?? 'unknown'}` : 'a socket error';
		if (before === 'connecting') {
			if (this.connecting !== connection) return;
			this.connecting = undefined;
			this.attemptFailed(
				connectError(
					`The DingTalk Stream server did not accept the connection (${detail}): the ticket may have expired, or a proxy blocks WebSocket connections.`,
				),
			);
			return;
		}
		if (connection !== this.current) return;
		this.current = undefined;
		const now = this.now();
		const lived = now - connection.openedAt;
		// Being replaced anyway (announced, silent or old): the next tick connects, with the back-off already set.
		if (connection.renewal !== undefined) {
			this.log.debug('DingTalk Stream connection closed while being replaced', {
				connection: connection.id,
				detail,
			});
			return;
		}
		// An unannounced drop: back off — by one step after a stable connection, more if connections keep dying.
		if (lived < this.timing.stableAfterMs) {
			this.countFailure(
				connectError(`DingTalk Stream connections keep dropping (${detail}) soon after opening.`),
			);
		} else {
			this.nextAttemptAt = now + backoffDelay(1, this.timing.backoff, this.random);
		}
		this.log.warn(
			`DingTalk Stream: connection lost (${detail}) after ${seconds(lived)}; reconnecting in ${seconds(this.nextAttemptAt - now)}`,
			{ connection: connection.id, livedMs: lived },
		);
	}

	private attemptFailed(error: StreamOpenError): void {
		this.attemptStartedAt = undefined;
		if (this.closed) return;
		if (this.settleStart && error.permanent) {
			this.failStart(error);
			return;
		}
		this.settleStart?.();
		this.countFailure(error);
		const message = `DingTalk Stream: could not connect (${error.message}); next attempt in ${seconds(this.nextAttemptAt - this.now())}`;
		// The first failure of a streak, and any change of cause, at warn; the same failure again at debug.
		if (this.loggedFailure === error.message) {
			this.log.debug(message, { attempts: this.failures });
		} else {
			this.loggedFailure = error.message;
			this.log.warn(message, { attempts: this.failures });
		}
	}

	/** Ends a start that cannot succeed: closed, and start() rejects with the reason. */
	private failStart(error: Error): void {
		const settle = this.settleStart;
		this.settleStart = undefined;
		this.close();
		settle?.(error);
	}

	private countFailure(error: StreamOpenError): void {
		const now = this.now();
		this.failures++;
		this.stats.failures++;
		this.failingSince ??= now;
		this.lastError = error;
		this.nextAttemptAt = now + backoffDelay(this.failures, this.timing.backoff, this.random);
		this.reportIfDue(now);
	}

	private reportIfDue(now: number): void {
		const error = this.lastError;
		if (this.failingSince === undefined || !error) return;
		const due =
			this.lastReportAt === undefined
				? error.permanent || now - this.failingSince >= this.timing.failureReportAfterMs
				: now - this.lastReportAt >= this.timing.failureRepeatMs;
		if (!due) return;
		this.lastReportAt = now;
		try {
			this.options.onFailure?.({
				error,
				permanent: error.permanent,
				attempts: this.failures,
				failingForMs: now - this.failingSince,
			});
		} catch (reportError) {
			this.log.warn(
				`DingTalk Stream: reporting a failure to n8n failed (${reasonOf(reportError)})`,
			);
		}
	}

	// --- the clock ---

	/** Called about once a second by the scheduler: every deadline of the client is checked here. */
	private tick(): void {
		if (this.closed) return;
		try {
			this.checkDeadlines(this.now());
		} catch (error) {
			// A tick must never throw into its loop; the next one tries again.
			this.log.debug('DingTalk Stream check failed', { reason: reasonOf(error) });
		}
	}

	private checkDeadlines(now: number): void {
		if (
			this.attemptStartedAt !== undefined &&
			now - this.attemptStartedAt >= this.timing.connectTimeoutMs
		) {
			this.attemptSeq++;
			const stuck = this.connecting;
			this.connecting = undefined;
			if (stuck) this.shut(stuck, 'connect timeout');
			this.attemptFailed(
				connectError(
					`opening the connection took longer than ${seconds(this.timing.connectTimeoutMs)}: check the network and the API host in the credential`,
				),
			);
		}
		for (const connection of [...this.connections]) {
			if (connection.state === 'retiring' && now >= (connection.retireAt ?? 0)) {
				this.shut(connection, 'replaced');
			} else if (connection.state === 'closing' && now >= (connection.closeBy ?? 0)) {
				this.abandon(connection);
			}
		}
		const current = this.current;
		if (current?.state === 'open') {
			// Only a connection opened during the streak ends it (not one that outlives failed replacements).
			if (
				this.failingSince !== undefined &&
				current.openedAt >= this.failingSince &&
				now - current.openedAt >= this.timing.stableAfterMs
			) {
				this.recovered();
			}
			if (current.renewal === undefined) {
				if (now - current.lastFrameAt >= this.timing.idleTimeoutMs) {
					current.renewal = 'idle';
					this.stats.idleRenewals++;
					this.log.warn(
						`DingTalk Stream: no frame (not even a ping) for ${seconds(now - current.lastFrameAt)}; replacing the connection now`,
						{ connection: current.id },
					);
				} else if (now - current.openedAt >= this.timing.maxLifetimeMs) {
					current.renewal = 'lifetime';
					this.stats.lifetimeRenewals++;
					this.log.debug('DingTalk Stream connection renewed after its lifetime', {
						connection: current.id,
					});
				}
			}
		}
		this.reportIfDue(now);
		const wanted = this.current === undefined || this.current.renewal !== undefined;
		if (wanted && now >= this.nextAttemptAt) this.connect();
	}

	private recovered(): void {
		const reported = this.lastReportAt !== undefined;
		this.failures = 0;
		this.failingSince = undefined;
		this.lastError = undefined;
		this.lastReportAt = undefined;
		if (reported) this.options.onRecovered?.();
	}

	private retire(connection: Connection, at: number): void {
		connection.state = 'retiring';
		connection.retireAt = at;
		if (at <= this.now()) this.shut(connection, 'replaced');
	}

	/** Sends the close; the socket counts until its peer answers or closeTimeoutMs passes. */
	private shut(connection: Connection, reason: string): void {
		if (connection.state === 'closing' || connection.state === 'closed') return;
		connection.state = 'closing';
		connection.closeBy = this.now() + this.timing.closeTimeoutMs;
		this.closeSocket(connection.socket, reason);
	}

	/**
	 * The peer never answered the close. The WHATWG WebSocket offers no way to end its TCP connection before the peer
	 * does (undici waits for the closing handshake and has no timeout), and a community node may not reach the socket
	 * underneath: the client forgets it — nothing is read from it, acknowledged on it or counted — and its TCP
	 * connection ends when DingTalk or the network ends it.
	 */
	private abandon(connection: Connection): void {
		connection.state = 'closed';
		this.connections.delete(connection);
		this.stats.abandonedSockets++;
		this.log.warn(
			`DingTalk Stream: a replaced connection did not answer its close within ${seconds(this.timing.closeTimeoutMs)}; it is no longer used (DingTalk or the network ends it)`,
			{ connection: connection.id },
		);
	}

	private closeSocket(socket: StreamSocket, reason = 'closing'): void {
		try {
			socket.close(1000, reason);
		} catch {
			// Closing a socket that is already closing: nothing left to do.
		}
	}

	// --- frames ---

	private received(connection: Connection, event: SocketEvent): void {
		if (connection.state !== 'open' && connection.state !== 'retiring') return;
		connection.lastFrameAt = this.now();
		const frame = parseFrame(event.data);
		if (!frame) {
			this.log.warn(
				'DingTalk Stream: a frame without JSON or messageId was ignored (it cannot be answered)',
				{ connection: connection.id },
			);
			return;
		}
		switch (frame.type) {
			case 'SYSTEM':
				this.system(connection, frame);
				return;
			case 'EVENT':
			case 'CALLBACK':
				void this.deliver(connection, frame);
				return;
			default:
				this.log.debug('DingTalk Stream frame of an unknown type ignored', { type: frame.type });
		}
	}

	private system(connection: Connection, frame: StreamFrame): void {
		const topic = frame.headers.topic;
		if (topic === 'ping') {
			this.stats.pings++;
			this.send(connection, answerFrame(frame.headers.messageId, frame.data));
			return;
		}
		if (topic !== 'disconnect') return;
		this.stats.disconnects++;
		if (connection !== this.current || connection.renewal === 'disconnect') return;
		this.log.debug('DingTalk Stream asked to reconnect', { connection: connection.id });
		connection.renewal = 'disconnect';
		// The server closes this socket about 10 s from now: connect the next one at once, so nothing sent meanwhile
		// is lost — unless connections keep being ended young, which is a storm to back off from.
		if (this.now() - connection.openedAt >= this.timing.stableAfterMs) this.connect();
		else
			this.countFailure(
				connectError('DingTalk Stream keeps ending connections soon after opening.'),
			);
	}

	/**
	 * One delivery: handed to n8n when its event is new; joined to the first delivery while that one is being recorded;
	 * acknowledged at once when already recorded. Each delivery is answered on the socket it came on.
	 */
	private async deliver(connection: Connection, frame: StreamFrame): Promise<void> {
		const event = eventOf(frame);
		const key = eventKey(event);
		const scoped = key === undefined ? undefined : `${this.ledger.scope}\u0000${key}`;
		const answer = (recorded: boolean, duplicate: boolean) =>
			recorded
				? this.acknowledge(connection, event, duplicate)
				: this.answerLater(connection, event);
		const ledger = this.ledger.store;
		if (scoped !== undefined) {
			if (ledger.join(scoped, (recorded) => answer(recorded, true))) return;
			if (ledger.isRecorded(scoped, this.now())) {
				answer(true, true);
				return;
			}
		}
		if (this.stopping) {
			// Closing: n8n would not finish this one before the socket goes; DingTalk sends it to the next connection.
			answer(false, false);
			return;
		}
		if (scoped !== undefined) ledger.begin(scoped);
		const item: Waiting = { connection, event, scoped };
		if (this.flow.maxInFlight <= 0 || this.handing < this.flow.maxInFlight) {
			await this.handOver(item);
			return;
		}
		if (this.waiting.length >= this.flow.maxWaiting) {
			this.release(item, false);
			return;
		}
		this.waiting.push(item);
		if (this.busySince === undefined) {
			this.busySince = this.now();
			this.log.info(
				`DingTalk Stream: ${this.handing} events of this trigger are being recorded by n8n; the next ones wait in arrival order (their redeliveries join them) until executions finish`,
			);
		}
	}

	/** Hands one event to n8n, answers its deliveries by the outcome, and gives its place to the next waiting one. */
	private async handOver(item: Waiting): Promise<void> {
		const { event } = item;
		this.handing++;
		let failure: unknown;
		let recorded: boolean;
		try {
			await this.options.onEvent(event);
			recorded = true;
		} catch (error) {
			failure = error;
			recorded = false;
		} finally {
			this.handing--;
		}
		this.release(item, recorded);
		this.next();
		if (recorded) {
			this.stats.events++;
			if (this.recordFailing) {
				const { count, since } = this.recordFailing;
				this.recordFailing = undefined;
				this.log.info(
					`DingTalk Stream: n8n records events again; ${count} event(s) were left to DingTalk's redelivery in the last ${seconds(this.now() - since)}`,
				);
			}
			return;
		}
		if (this.recordFailing) {
			this.recordFailing.count++;
			return;
		}
		this.recordFailing = { since: this.now(), count: 1 };
		this.log.warn(
			`DingTalk Stream: n8n did not record an event (${reasonOf(failure)}); it was answered LATER and DingTalk delivers it again (about a minute later)`,
			{ messageId: event.messageId },
		);
	}

	/** Starts waiting events while there is room. */
	private next(): void {
		while (
			this.waiting.length > 0 &&
			!this.stopping &&
			!this.closed &&
			(this.flow.maxInFlight <= 0 || this.handing < this.flow.maxInFlight)
		) {
			void this.handOver(this.waiting.shift()!);
		}
		if (this.waiting.length === 0 && this.busySince !== undefined) {
			this.log.info(
				`DingTalk Stream: caught up; events waited for n8n for ${seconds(this.now() - this.busySince)}`,
			);
			this.busySince = undefined;
		}
	}

	/**
	 * Settles an event's place in the ledger and answers its delivery and every one that joined it: SUCCESS when n8n
	 * recorded it, LATER otherwise.
	 */
	private release(item: Waiting, recorded: boolean): void {
		const { connection, event, scoped } = item;
		const ledger = this.ledger.store;
		const joined =
			scoped === undefined
				? []
				: ledger.settle(scoped, recorded, this.timing.dedupeWindowMs, this.now());
		let allSent = recorded
			? this.acknowledge(connection, event, false)
			: this.answerLater(connection, event);
		for (const answerJoined of joined) {
			try {
				allSent = answerJoined(recorded) && allSent;
			} catch {
				allSent = false;
			}
		}
		// DingTalk delivers what went unanswered again: that delivery must find the key.
		if (recorded && scoped !== undefined && !allSent) {
			ledger.extend(
				scoped,
				Math.max(this.timing.dedupeWindowMs, this.timing.owedAckWindowMs),
				this.now(),
			);
		}
	}

	private acknowledge(connection: Connection, event: StreamEvent, duplicate: boolean): boolean {
		if (duplicate) this.stats.duplicates++;
		if (this.send(connection, answerFrame(event.messageId, ackData(event.type)))) {
			this.stats.acks++;
			return true;
		}
		this.stats.unanswered++;
		this.log.debug('DingTalk Stream event recorded, not acknowledged: its connection is gone', {
			messageId: event.messageId,
		});
		return false;
	}

	/** Nothing recorded: an EVENT asks to be sent again; a CALLBACK has no such answer and is redelivered unanswered. */
	private answerLater(connection: Connection, event: StreamEvent): boolean {
		if (event.type !== 'EVENT') return true;
		if (this.send(connection, answerFrame(event.messageId, ackData('EVENT', 'LATER')))) {
			this.stats.laters++;
			return true;
		}
		return false;
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
