import { RecentKeys } from '../../shared/recentKeys';
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
import { StreamOpenError, type OpenConnection, type StreamTicket } from './open';
import type { StreamScheduler } from './scheduler';
import {
	globalWebSocket,
	SOCKET_OPEN,
	type SocketEvent,
	type StreamSocket,
	type StreamSocketConstructor,
} from './socket';

export interface StreamTiming {
	/** No frame at all (not even a ping) for this long: the socket is taken for dead and replaced. */
	idleTimeoutMs: number;
	/** A connection older than this is replaced before the platform drops it. */
	maxLifetimeMs: number;
	/** From the open call to the WebSocket handshake's end. */
	connectTimeoutMs: number;
	/** How long a replaced connection stays open to finish acknowledging what it received. */
	drainMs: number;
	/** A connection open this long ends a failure streak (back-off starts over). */
	stableAfterMs: number;
	backoff: BackoffPolicy;
	/** A streak of failures this long is reported through onFailure (a permanent failure at once). */
	failureReportAfterMs: number;
	/** While the streak lasts, it is reported again this often. */
	failureRepeatMs: number;
	/** An event delivered again within this window is acknowledged and dropped. */
	dedupeWindowMs: number;
}

export const DEFAULT_STREAM_TIMING: Readonly<StreamTiming> = {
	idleTimeoutMs: 90_000,
	maxLifetimeMs: 6 * 60 * 60_000,
	connectTimeoutMs: 30_000,
	drainMs: 10_000,
	stableAfterMs: 30_000,
	backoff: { initialMs: 1000, maxMs: 60_000, jitter: 0.25 },
	failureReportAfterMs: 5 * 60_000,
	failureRepeatMs: 60 * 60_000,
	dedupeWindowMs: 10 * 60_000,
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
	warn(message: string, meta?: Record<string, unknown>): void;
}

export interface StreamClientOptions {
	openConnection: OpenConnection;
	/** Subscribe to robot messages (CALLBACK /v1.0/im/bot/messages/get) besides EVENT `*`. */
	robotMessages?: boolean;
	/**
	 * Hands one event to n8n; resolves once it is handed over (emit() called), not when the workflow is done. The
	 * frame is acknowledged after it resolves; when it rejects, the event is left to DingTalk's redelivery.
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
	log?: Partial<StreamLog>;
	/** Share one store (and a scope per trigger) so that redeliveries stay recognised across reconnects of a workflow. */
	dedupe?: { store: RecentKeys; scope: string };
	timing?: Partial<StreamTiming>;
}

type Renewal = 'idle' | 'lifetime' | 'disconnect';

interface Connection {
	id: number;
	socket: StreamSocket;
	state: 'connecting' | 'open' | 'retiring' | 'closed';
	openedAt: number;
	lastFrameAt: number;
	/** Why this connection is being replaced. */
	renewal?: Renewal;
	retireAt?: number;
}

export interface StreamStats {
	attempts: number;
	opened: number;
	failures: number;
	events: number;
	duplicates: number;
	acks: number;
	pings: number;
	disconnects: number;
	idleRenewals: number;
	lifetimeRenewals: number;
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

/**
 * The DingTalk Stream client: one live connection (two while one replaces the other), acknowledged events, and
 * everything that keeps it alive — ping answers, reconnection on `disconnect` before the old socket closes,
 * back-off with jitter, an idle watchdog, a lifetime cap — without a timer of its own.
 */
export class DingTalkStreamClient {
	readonly stats: StreamStats = {
		attempts: 0,
		opened: 0,
		failures: 0,
		events: 0,
		duplicates: 0,
		acks: 0,
		pings: 0,
		disconnects: 0,
		idleRenewals: 0,
		lifetimeRenewals: 0,
	};

	private readonly timing: StreamTiming;

	private readonly subscriptions: StreamSubscription[];

	private readonly now: () => number;

	private readonly random: () => number;

	private readonly log: StreamLog;

	private readonly dedupe: { store: RecentKeys; scope: string };

	/** Events being handed to n8n, by key: a redelivery arriving meanwhile waits for the first one's outcome. */
	private readonly inFlight = new Map<string, Promise<boolean>>();

	private readonly connections = new Set<Connection>();

	/** The connection that serves; a replacement takes over once its handshake is done. */
	private current?: Connection;

	private closed = false;

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

	private lastReportAt?: number;

	private nextAttemptAt = 0;

	constructor(private readonly options: StreamClientOptions) {
		this.timing = { ...DEFAULT_STREAM_TIMING, ...options.timing };
		this.subscriptions = streamSubscriptions({ robotMessages: options.robotMessages === true });
		this.now = options.now ?? Date.now;
		this.random = options.random ?? Math.random;
		const noop = () => {};
		this.log = { debug: options.log?.debug ?? noop, warn: options.log?.warn ?? noop };
		this.dedupe = options.dedupe ?? { store: new RecentKeys(10_000), scope: '' };
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

	/** Closes every socket and stops every loop: nothing reconnects, acknowledges or ticks afterwards. */
	close(): void {
		if (this.closed) return;
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
		this.log.debug('DingTalk Stream connection open', { connection: connection.id });
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
		if (this.closed) return;
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
		this.log.warn('DingTalk Stream connection lost', {
			connection: connection.id,
			detail,
			livedMs: lived,
		});
		// Being replaced anyway (announced, silent or old): the next tick connects, with the back-off already set.
		if (connection.renewal !== undefined) return;
		// An unannounced drop: back off — by one step after a stable connection, more if connections keep dying.
		if (lived < this.timing.stableAfterMs) {
			this.countFailure(
				connectError(`DingTalk Stream connections keep dropping (${detail}) soon after opening.`),
			);
		} else {
			this.nextAttemptAt = now + backoffDelay(1, this.timing.backoff, this.random);
		}
	}

	private attemptFailed(error: StreamOpenError): void {
		this.attemptStartedAt = undefined;
		if (this.closed) return;
		this.log.warn('DingTalk Stream connection attempt failed', { reason: error.message });
		if (this.settleStart) {
			if (error.permanent) {
				this.failStart(error);
				return;
			}
			this.settleStart();
		}
		this.countFailure(error);
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
			this.log.warn('Reporting a DingTalk Stream failure failed', {
				reason: String((reportError as Error)?.message ?? reportError),
			});
		}
	}

	// --- the clock ---

	/** Called about once a second by the scheduler: every deadline of the client is checked here. */
	private tick(): void {
		if (this.closed) return;
		try {
			this.checkDeadlines(this.now());
		} catch (error) {
			// A tick must never throw into n8n's cron; the next one tries again.
			this.log.warn('DingTalk Stream check failed', {
				reason: String((error as Error)?.message ?? error),
			});
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
					`Opening a DingTalk Stream connection took longer than ${Math.round(this.timing.connectTimeoutMs / 1000)} s: check the network and the API host in the credential.`,
				),
			);
		}
		for (const connection of this.connections) {
			if (connection.state === 'retiring' && now >= (connection.retireAt ?? 0)) {
				this.shut(connection, 'replaced');
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
					this.log.warn('DingTalk Stream connection silent: replacing it', {
						connection: current.id,
						silentMs: now - current.lastFrameAt,
					});
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

	private shut(connection: Connection, reason: string): void {
		connection.state = 'closed';
		this.connections.delete(connection);
		this.closeSocket(connection.socket, reason);
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
		if (connection.state === 'closed' || connection.state === 'connecting') return;
		connection.lastFrameAt = this.now();
		const frame = parseFrame(event.data);
		if (!frame) {
			this.log.warn('DingTalk Stream sent a frame that is not JSON: ignored', {
				connection: connection.id,
			});
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

	private async deliver(connection: Connection, frame: StreamFrame): Promise<void> {
		const event = eventOf(frame);
		const key = eventKey(event);
		const scoped = key === undefined ? undefined : `${this.dedupe.scope}\u0000${key}`;
		if (scoped !== undefined) {
			const pending = this.inFlight.get(scoped);
			if (pending) {
				// Delivered again while the first copy is being handed over: answer it the same way, once that is done.
				if (await pending) this.acknowledge(connection, event, true);
				return;
			}
			if (this.dedupe.store.seen(scoped, this.timing.dedupeWindowMs, this.now())) {
				this.acknowledge(connection, event, true);
				return;
			}
		}
		let failure: unknown;
		const outcome = (async () => this.options.onEvent(event))().then(
			() => true,
			(error: unknown) => {
				failure = error;
				return false;
			},
		);
		if (scoped !== undefined) this.inFlight.set(scoped, outcome);
		const handed = await outcome;
		if (scoped !== undefined) this.inFlight.delete(scoped);
		if (handed) {
			this.stats.events++;
			this.acknowledge(connection, event, false);
			return;
		}
		// Not handed to n8n: let DingTalk deliver it again rather than lose it.
		if (scoped !== undefined) this.dedupe.store.forget(scoped);
		this.log.warn('A DingTalk Stream event could not be handed to the workflow', {
			messageId: event.messageId,
			reason: String((failure as Error)?.message ?? failure),
		});
		if (event.type === 'EVENT') {
			this.send(connection, answerFrame(event.messageId, ackData('EVENT', 'LATER')));
		}
	}

	private acknowledge(connection: Connection, event: StreamEvent, duplicate: boolean): void {
		if (duplicate) this.stats.duplicates++;
		if (this.send(connection, answerFrame(event.messageId, ackData(event.type)))) {
			this.stats.acks++;
		} else {
			this.log.debug('DingTalk Stream event not acknowledged: its connection is gone', {
				messageId: event.messageId,
			});
		}
	}

	private send(connection: Connection, text: string): boolean {
		if (this.closed || connection.socket.readyState !== SOCKET_OPEN) return false;
		try {
			connection.socket.send(text);
			return true;
		} catch {
			return false;
		}
	}
}
