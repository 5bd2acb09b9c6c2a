// The Stream client's clock-driven behaviour, on a test clock with hand-driven ticks and scripted sockets: back-off
// sequences, the watchdog, the lifetime cap, reconnection on disconnect, failure reports and close. The same client
// against the emulator's real WebSocket server is in client.test.ts.
import {
	DEFAULT_STREAM_TIMING,
	DingTalkStreamClient,
	liveSchedulerLoops,
	sleepScheduler,
	StreamOpenError,
	StreamUnavailableError,
	type OpenConnection,
	type SocketEvent,
	type StreamClientOptions,
	type StreamEvent,
	type StreamFailure,
	type StreamLog,
	type StreamScheduler,
	type StreamSocket,
	type StreamTicket,
} from '../../../nodes/DingTalk/stream';
import { HAS_WEBSOCKET } from '../../support/webSocket';
import { ManualScheduler, settle, TestClock } from './support';

/** A socket the test drives: open it, hand it frames, drop it; it records what the client sends. */
class ScriptedSocket implements StreamSocket {
	readyState = 0;

	readonly sent: Array<Record<string, unknown>> = [];

	closedWith?: { code?: number; reason?: string };

	/** A peer that never answers the close frame: the socket stays CLOSING and reports no close. */
	deaf = false;

	private readonly listeners = new Map<string, Array<(event: SocketEvent) => void>>();

	constructor(readonly url: string) {}

	addEventListener(type: string, listener: (event: SocketEvent) => void): void {
		this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
	}

	send(data: string): void {
		if (this.readyState !== 1) throw new Error('not open');
		this.sent.push(JSON.parse(data) as Record<string, unknown>);
	}

	close(code?: number, reason?: string): void {
		if (this.readyState >= 2) return;
		this.closedWith = { code, reason };
		if (this.deaf) {
			this.readyState = 2;
			return;
		}
		this.readyState = 3;
		queueMicrotask(() => this.emit('close', { code: code ?? 1005 }));
	}

	open(): void {
		this.readyState = 1;
		this.emit('open', {});
	}

	frame(type: string, headers: Record<string, string>, data: unknown = {}): void {
		this.emit('message', {
			data: JSON.stringify({ specVersion: '1.0', type, headers, data: JSON.stringify(data) }),
		});
	}

	drop(code = 1006): void {
		this.readyState = 3;
		this.emit('close', { code });
	}

	get ticket(): string | null {
		return new URL(this.url).searchParams.get('ticket');
	}

	private emit(type: string, event: SocketEvent): void {
		for (const listener of this.listeners.get(type) ?? []) listener(event);
	}
}

const transient = () => new StreamOpenError('DingTalk is busy (test)', false, 503);
const permanent = () => new StreamOpenError('wrong Client Secret (test)', true, 400);

interface Rig {
	client: DingTalkStreamClient;
	clock: TestClock;
	scheduler: ManualScheduler;
	sockets: ScriptedSocket[];
	attempts: number[];
	failures: StreamFailure[];
	events: StreamEvent[];
	recovered: number;
	/** Moves the clock in `step` ms increments, ticking and letting promises settle after each. */
	advance(ms: number, step?: number): Promise<void>;
	/** Starts and, unless told otherwise, opens the first socket. */
	begin(openFirst?: boolean): Promise<ScriptedSocket | undefined>;
	last(): ScriptedSocket;
}

function rig(
	open: (attempt: number) => Promise<StreamTicket> | StreamTicket,
	options: Partial<StreamClientOptions> = {},
): Rig {
	const clock = new TestClock();
	const scheduler = new ManualScheduler();
	const sockets: ScriptedSocket[] = [];
	const attempts: number[] = [];
	const failures: StreamFailure[] = [];
	const events: StreamEvent[] = [];
	const state = { recovered: 0 };
	class Socket extends ScriptedSocket {
		constructor(url: string) {
			super(url);
			sockets.push(this);
		}
	}
	const openConnection: OpenConnection = async () => {
		attempts.push(clock.time);
		return open(attempts.length);
	};
	const client = new DingTalkStreamClient({
		openConnection,
		onEvent: (event) => {
			events.push(event);
		},
		onFailure: (failure) => failures.push(failure),
		onRecovered: () => state.recovered++,
		scheduler: scheduler.schedule,
		WebSocket: Socket,
		now: clock.now,
		random: () => 0.5,
		...options,
	});
	const r: Rig = {
		client,
		clock,
		scheduler,
		sockets,
		attempts,
		failures,
		events,
		get recovered() {
			return state.recovered;
		},
		async advance(ms, step = 100) {
			for (let elapsed = 0; elapsed < ms; elapsed += step) {
				clock.advance(step);
				scheduler.tick();
				await settle();
			}
		},
		async begin(openFirst = true) {
			void client.start().catch(() => {});
			await settle();
			if (!openFirst) return undefined;
			sockets.at(-1)?.open();
			await settle();
			return sockets.at(-1);
		},
		last: () => sockets[sockets.length - 1],
	};
	return r;
}

let ticketSeq = 0;
const ticket = (): StreamTicket => ({
	endpoint: 'wss://stream.example/connect',
	ticket: `tk${++ticketSeq}`,
});

/** A log that keeps its lines, by level. */
function captureLog(): { log: StreamLog; lines: Array<{ level: string; message: string }> } {
	const lines: Array<{ level: string; message: string }> = [];
	const at = (level: string) => (message: string) => lines.push({ level, message });
	return { log: { debug: at('debug'), info: at('info'), warn: at('warn') }, lines };
}

/** A hand-over n8n finishes when the test says: resolve = recorded, reject = nothing recorded. */
function heldHandOvers() {
	const held = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
	const handed: string[] = [];
	const onEvent = (event: StreamEvent) =>
		new Promise<void>((resolve, reject) => {
			handed.push(event.messageId);
			held.set(event.messageId, { resolve, reject });
		});
	return { held, handed, onEvent };
}

/** Gaps between consecutive attempts. */
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]);

describe('Stream client: reconnection back-off', () => {
	it('waits 1 s, 2 s, 4 s … up to 60 s between failed attempts, and stays at 60 s', async () => {
		const r = rig(() => Promise.reject(transient()));
		await r.begin(false);
		await r.advance(10 * 60_000);
		expect(gaps(r.attempts).slice(0, 10)).toEqual([
			1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000,
		]);
	});

	it('with jitter each wait stays within ±25 % of its step and within [1 s, 60 s]; an hour of failure is ~64 attempts, not a storm', async () => {
		const r = rig(() => Promise.reject(transient()), { random: Math.random });
		await r.begin(false);
		await r.advance(60 * 60_000, 250);
		gaps(r.attempts).forEach((gap, i) => {
			const step = Math.min(1000 * 2 ** i, 60_000);
			expect(gap).toBeGreaterThanOrEqual(Math.max(1000, step * 0.75));
			// The tick (here every 250 ms) is the only thing that can add to a wait.
			expect(gap).toBeLessThanOrEqual(Math.min(60_000, step * 1.25) + 250);
		});
		expect(r.attempts.length).toBeGreaterThan(55);
		expect(r.attempts.length).toBeLessThan(75);
	});

	it('takes a fresh ticket for every connection and reconnects about 1 s after a stable one drops', async () => {
		const r = rig(() => ticket());
		const first = (await r.begin())!;
		await r.advance(60_000);
		first.drop();
		await settle();
		await r.advance(3000);
		expect(r.sockets).toHaveLength(2);
		expect(gaps(r.attempts)[0]).toBe(61_000);
		expect(r.last().ticket).not.toBe(first.ticket);
		expect(r.sockets.map((s) => s.url)).toEqual([
			expect.stringMatching(/^wss:\/\/stream\.example\/connect\?ticket=tk\d+$/),
			expect.stringMatching(/^wss:\/\/stream\.example\/connect\?ticket=tk\d+$/),
		]);
	});

	it('connections that keep dying young back off exponentially too', async () => {
		const r = rig(() => ticket());
		await r.begin();
		for (let i = 0; i < 6; i++) {
			r.last().drop();
			await settle();
			const before = r.sockets.length;
			while (r.sockets.length === before) await r.advance(100);
			r.last().open();
			await settle();
		}
		expect(gaps(r.attempts)).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000]);
	});

	it('abandons an attempt that hangs past the connect timeout; its late answer opens nothing', async () => {
		let release: (t: StreamTicket) => void = () => {};
		const r = rig((n) =>
			n === 1 ? new Promise<StreamTicket>((resolve) => (release = resolve)) : ticket(),
		);
		await r.begin(false);
		await r.advance(DEFAULT_STREAM_TIMING.connectTimeoutMs - 100);
		expect(r.attempts).toHaveLength(1);
		await r.advance(100);
		await r.advance(1000);
		expect(r.attempts).toHaveLength(2);
		const socketsBefore = r.sockets.length;
		release(ticket());
		await settle();
		expect(r.sockets).toHaveLength(socketsBefore);
	});

	it('a socket stuck in its handshake is closed at the connect timeout and retried', async () => {
		const r = rig(() => ticket());
		await r.begin(false);
		const stuck = r.last();
		await r.advance(DEFAULT_STREAM_TIMING.connectTimeoutMs + 1100);
		expect(stuck.closedWith).toBeDefined();
		expect(r.sockets.length).toBe(2);
	});
});

describe('Stream client: failures are reported, never silent', () => {
	it('reports a failure streak after 5 minutes, then once an hour while it lasts', async () => {
		const r = rig(() => Promise.reject(transient()));
		await r.begin(false);
		await r.advance(5 * 60_000 - 1000, 1000);
		expect(r.failures).toHaveLength(0);
		await r.advance(2000, 1000);
		expect(r.failures).toHaveLength(1);
		expect(r.failures[0]).toMatchObject({ permanent: false });
		expect(r.failures[0].error.message).toContain('busy');
		expect(r.failures[0].failingForMs).toBeGreaterThanOrEqual(5 * 60_000);
		expect(r.failures[0].attempts).toBeGreaterThan(5);
		await r.advance(59 * 60_000, 1000);
		expect(r.failures).toHaveLength(1);
		await r.advance(2 * 60_000, 1000);
		expect(r.failures).toHaveLength(2);
	});

	it('a permanent refusal at start rejects start() and leaves nothing running', async () => {
		const r = rig(() => Promise.reject(permanent()));
		const started = r.client.start();
		await expect(started).rejects.toThrow('wrong Client Secret');
		expect(r.client.isClosed).toBe(true);
		expect(r.scheduler.active).toBe(0);
		await r.advance(10 * 60_000, 1000);
		expect(r.attempts).toHaveLength(1);
	});

	it('a permanent refusal while running is reported at once; the client keeps trying slowly', async () => {
		const r = rig((n) => (n === 1 ? ticket() : Promise.reject(permanent())));
		const first = (await r.begin())!;
		await r.advance(60_000, 1000);
		first.drop();
		await settle();
		await r.advance(2000);
		expect(r.failures).toHaveLength(1);
		expect(r.failures[0].permanent).toBe(true);
		await r.advance(5 * 60_000, 1000);
		expect(r.attempts.length).toBeGreaterThan(3);
		expect(r.failures).toHaveLength(1);
	});

	it('a transient failure at start still resolves start(): the client keeps connecting', async () => {
		const r = rig((n) => (n < 3 ? Promise.reject(transient()) : ticket()));
		await expect(r.client.start()).resolves.toBeUndefined();
		await r.advance(5000);
		expect(r.sockets).toHaveLength(1);
	});

	it('after a reported streak, a connection that stays up ends it and back-off starts over', async () => {
		let failing = true;
		const r = rig(() => (failing ? Promise.reject(transient()) : ticket()));
		await r.begin(false);
		await r.advance(6 * 60_000, 1000);
		expect(r.failures).toHaveLength(1);
		failing = false;
		while (r.sockets.length === 0) await r.advance(1000, 1000);
		r.last().open();
		await settle();
		await r.advance(DEFAULT_STREAM_TIMING.stableAfterMs + 1000, 1000);
		expect(r.recovered).toBe(1);
		const attemptsBefore = r.attempts.length;
		r.last().drop();
		await settle();
		await r.advance(1000);
		expect(r.attempts).toHaveLength(attemptsBefore + 1);
	});

	(HAS_WEBSOCKET ? it.skip : it)(
		'without a WebSocket (Node < 22) start() rejects with what to do',
		async () => {
			const r = rig(() => ticket(), { WebSocket: undefined });
			await expect(r.client.start()).rejects.toBeInstanceOf(StreamUnavailableError);
			await expect(r.client.start()).rejects.toThrow(/Node\.js 22/);
			expect(r.attempts).toHaveLength(0);
			expect(r.scheduler.active).toBe(0);
		},
	);
});

describe('Stream client: keeping the connection alive', () => {
	it('answers SYSTEM ping with its data; other SYSTEM frames need no answer', async () => {
		const r = rig(() => ticket());
		const socket = (await r.begin())!;
		socket.frame('SYSTEM', { topic: 'CONNECTED', messageId: 'c1' });
		socket.frame('SYSTEM', { topic: 'ping', messageId: 'p1' }, { opaque: 'abc' });
		expect(socket.sent).toEqual([
			{
				code: 200,
				headers: { contentType: 'application/json', messageId: 'p1' },
				message: 'OK',
				data: '{"opaque":"abc"}',
			},
		]);
	});

	it('on SYSTEM disconnect connects the next socket at once and closes the old one only after it', async () => {
		const r = rig(() => ticket());
		const old = (await r.begin())!;
		await r.advance(60_000, 1000);
		const at = r.clock.time;
		old.frame(
			'SYSTEM',
			{ topic: 'disconnect', messageId: 'd1' },
			{ reason: 'persistent connection is timeout' },
		);
		await settle();
		expect(r.attempts.at(-1)).toBe(at);
		expect(r.sockets).toHaveLength(2);
		expect(old.closedWith).toBeUndefined();
		r.last().open();
		await settle();
		// The old one still acknowledges what reaches it while it drains.
		old.frame('EVENT', { topic: '*', messageId: 'm1', eventId: 'e1', eventType: 'x' });
		await settle();
		expect(old.sent.at(-1)).toMatchObject({ headers: { messageId: 'm1' } });
		await r.advance(DEFAULT_STREAM_TIMING.drainMs - 1000, 1000);
		expect(old.closedWith).toBeUndefined();
		await r.advance(1000, 1000);
		expect(old.closedWith).toEqual({ code: 1000, reason: 'replaced' });
		// The old socket closing is no failure: nothing more is opened.
		await r.advance(60_000, 1000);
		expect(r.sockets).toHaveLength(2);
		expect(r.client.stats.failures).toBe(0);
	});

	it('a disconnect of a connection that has only just opened backs off instead (no reconnect storm)', async () => {
		const r = rig(() => ticket());
		const young = (await r.begin())!;
		young.frame('SYSTEM', { topic: 'disconnect', messageId: 'd1' }, { reason: 'x' });
		await settle();
		expect(r.attempts).toHaveLength(1);
		await r.advance(1000);
		expect(r.attempts).toHaveLength(2);
	});

	it('the idle watchdog replaces a socket that has been silent for 90 s; pings keep a healthy one', async () => {
		const r = rig(() => ticket());
		const healthy = (await r.begin())!;
		for (let i = 0; i < 20; i++) {
			await r.advance(30_000, 1000);
			healthy.frame('SYSTEM', { topic: 'ping', messageId: `p${i}` }, {});
		}
		expect(r.sockets).toHaveLength(1);
		expect(r.client.stats.idleRenewals).toBe(0);
		await r.advance(DEFAULT_STREAM_TIMING.idleTimeoutMs, 1000);
		expect(r.client.stats.idleRenewals).toBe(1);
		expect(r.sockets).toHaveLength(2);
		// The silent one is kept until its replacement is open, then closed at once.
		expect(healthy.closedWith).toBeUndefined();
		r.last().open();
		await settle();
		expect(healthy.closedWith).toEqual({ code: 1000, reason: 'replaced' });
	});

	it('renews a connection at its lifetime cap, overlapping the two', async () => {
		const r = rig(() => ticket(), { timing: { maxLifetimeMs: 60 * 60_000 } });
		const first = (await r.begin())!;
		for (let minute = 0; minute < 59; minute++) {
			await r.advance(60_000, 5000);
			first.frame('SYSTEM', { topic: 'ping', messageId: `p${minute}` }, {});
		}
		expect(r.sockets).toHaveLength(1);
		await r.advance(61_000, 1000);
		expect(r.client.stats.lifetimeRenewals).toBe(1);
		expect(r.sockets).toHaveLength(2);
		r.last().open();
		await settle();
		expect(first.closedWith).toBeUndefined();
		await r.advance(DEFAULT_STREAM_TIMING.drainMs, 1000);
		expect(first.closedWith).toBeDefined();
	});
});

describe('Stream client: acknowledging', () => {
	const eventHeaders = (messageId: string, eventId: string) => ({
		topic: '*',
		messageId,
		eventId,
		eventType: 'user_add_org',
	});

	it('acknowledges only once n8n has recorded the event; a redelivery meanwhile waits and is not handed again', async () => {
		let handOver: () => void = () => {};
		const handed: string[] = [];
		const r = rig(() => ticket(), {
			onEvent: (event) =>
				new Promise<void>((resolve) => {
					handed.push(event.messageId);
					handOver = resolve;
				}),
		});
		const socket = (await r.begin())!;
		socket.frame('EVENT', eventHeaders('m1', 'e1'), { UserId: ['u1'] });
		socket.frame('EVENT', eventHeaders('m2', 'e1'), { UserId: ['u1'] });
		await settle();
		expect(handed).toEqual(['m1']);
		expect(socket.sent).toEqual([]);
		handOver();
		await settle();
		expect(socket.sent.map((f) => (f.headers as { messageId: string }).messageId)).toEqual([
			'm1',
			'm2',
		]);
		expect(socket.sent.every((f) => f.data === '{"status":"SUCCESS"}')).toBe(true);
		expect(r.client.stats).toMatchObject({ events: 1, duplicates: 1, acks: 2 });
	});

	it('asks for a redelivery (LATER) when n8n recorded nothing, and takes the redelivery', async () => {
		let fail = true;
		const handed: string[] = [];
		const r = rig(() => ticket(), {
			onEvent: (event) => {
				handed.push(event.messageId);
				if (fail) throw new Error('emit failed');
			},
		});
		const socket = (await r.begin())!;
		socket.frame('EVENT', eventHeaders('m1', 'e1'));
		await settle();
		expect(socket.sent.at(-1)).toMatchObject({ data: '{"status":"LATER"}' });
		fail = false;
		socket.frame('EVENT', eventHeaders('m2', 'e1'));
		await settle();
		expect(handed).toEqual(['m1', 'm2']);
		expect(socket.sent.at(-1)).toMatchObject({ data: '{"status":"SUCCESS"}' });
	});

	it('answers a robot message with {"response":null}', async () => {
		const r = rig(() => ticket(), { robotMessages: true });
		const socket = (await r.begin())!;
		socket.frame(
			'CALLBACK',
			{ topic: '/v1.0/im/bot/messages/get', messageId: 'm1' },
			{ msgId: 'msg1', text: { content: 'hi' } },
		);
		await settle();
		expect(r.events[0]).toMatchObject({ type: 'CALLBACK', data: { msgId: 'msg1' } });
		expect(socket.sent).toEqual([expect.objectContaining({ data: '{"response":null}' })]);
	});
});

describe('Stream client: acknowledging what n8n recorded', () => {
	const headers = (messageId: string, eventId: string) => ({
		topic: '*',
		messageId,
		eventId,
		eventType: 'user_add_org',
	});
	const answers = (socket: ScriptedSocket) =>
		socket.sent.map((f) => `${(f.headers as { messageId: string }).messageId} ${String(f.data)}`);

	/** Starts a rig whose first socket is replaced (SYSTEM disconnect) by a second one, both open. */
	async function twoSockets(options: Partial<StreamClientOptions>) {
		const r = rig(() => ticket(), options);
		const first = (await r.begin())!;
		await r.advance(60_000, 1000);
		first.frame('SYSTEM', { topic: 'disconnect', messageId: 'd1' }, { reason: 'x' });
		await settle();
		r.last().open();
		await settle();
		return { r, first, second: r.last() };
	}

	it('a redelivery on the new socket while the first delivery is being recorded starts nothing; each is acknowledged on its own socket once recorded', async () => {
		const n8n = heldHandOvers();
		const { r, first, second } = await twoSockets({ onEvent: n8n.onEvent });
		first.frame('EVENT', headers('m1', 'e1'));
		await settle();
		second.frame('EVENT', headers('m2', 'e1'));
		await settle();
		expect(n8n.handed).toEqual(['m1']);
		expect([...answers(first), ...answers(second)]).toEqual([]);
		n8n.held.get('m1')!.resolve();
		await settle();
		expect(answers(first)).toEqual(['m1 {"status":"SUCCESS"}']);
		expect(answers(second)).toEqual(['m2 {"status":"SUCCESS"}']);
		expect(r.client.stats).toMatchObject({ events: 1, duplicates: 1, acks: 2, unanswered: 0 });
	});

	it('nothing recorded: every delivery is answered LATER, and the next delivery is handed over again', async () => {
		const n8n = heldHandOvers();
		const r = rig(() => ticket(), { onEvent: n8n.onEvent });
		const socket = (await r.begin())!;
		socket.frame('EVENT', headers('m1', 'e1'));
		socket.frame('EVENT', headers('m2', 'e1'));
		await settle();
		n8n.held.get('m1')!.reject(new Error('Database is not ready'));
		await settle();
		expect(answers(socket)).toEqual(['m1 {"status":"LATER"}', 'm2 {"status":"LATER"}']);
		socket.frame('EVENT', headers('m3', 'e1'));
		await settle();
		expect(n8n.handed).toEqual(['m1', 'm3']);
		n8n.held.get('m3')!.resolve();
		await settle();
		expect(answers(socket).at(-1)).toBe('m3 {"status":"SUCCESS"}');
		expect(r.client.stats).toMatchObject({ events: 1, laters: 2, acks: 1 });
	});

	it('recorded after its socket died: the redelivery is acknowledged without a second hand-over, even with the duplicate window off', async () => {
		const n8n = heldHandOvers();
		const r = rig(() => ticket(), { onEvent: n8n.onEvent, timing: { dedupeWindowMs: 0 } });
		const first = (await r.begin())!;
		await r.advance(60_000, 1000);
		first.frame('EVENT', headers('m1', 'e1'));
		await settle();
		first.drop();
		await settle();
		await r.advance(2000);
		r.last().open();
		await settle();
		n8n.held.get('m1')!.resolve();
		await settle();
		expect(r.client.stats).toMatchObject({ events: 1, acks: 0, unanswered: 1 });
		// DingTalk delivers the unanswered event again, minutes later.
		for (let minute = 0; minute < 5; minute++) {
			await r.advance(60_000, 5000);
			r.last().frame('SYSTEM', { topic: 'ping', messageId: `p${minute}` }, {});
		}
		expect(r.sockets).toHaveLength(2);
		r.last().frame('EVENT', headers('m2', 'e1'));
		await settle();
		expect(n8n.handed).toEqual(['m1']);
		expect(r.last().sent.at(-1)).toMatchObject({
			headers: { messageId: 'm2' },
			data: '{"status":"SUCCESS"}',
		});
		// With the window off, a recorded and acknowledged event is not remembered: a later copy runs again.
		r.last().frame('EVENT', headers('m3', 'e2'));
		await settle();
		n8n.held.get('m3')!.resolve();
		await settle();
		r.last().frame('EVENT', headers('m4', 'e2'));
		await settle();
		expect(n8n.handed).toEqual(['m1', 'm3', 'm4']);
	});

	it('stop() lets events being recorded finish and acknowledges them, answers new ones LATER, then closes', async () => {
		const n8n = heldHandOvers();
		const clock = new TestClock();
		const r = rig(() => ticket(), {
			onEvent: n8n.onEvent,
			now: clock.now,
			wait: async (ms) => {
				clock.advance(ms);
				await settle();
			},
		});
		const socket = (await r.begin())!;
		socket.frame('EVENT', headers('m1', 'e1'));
		await settle();
		let stopped = false;
		const stopping = r.client.stop(10_000).then(() => (stopped = true));
		await settle();
		socket.frame('EVENT', headers('m2', 'e2'));
		await settle();
		expect(n8n.handed).toEqual(['m1']);
		expect(answers(socket)).toEqual(['m2 {"status":"LATER"}']);
		expect(stopped).toBe(false);
		n8n.held.get('m1')!.resolve();
		await stopping;
		expect(answers(socket)).toEqual(['m2 {"status":"LATER"}', 'm1 {"status":"SUCCESS"}']);
		expect(socket.closedWith?.code).toBe(1000);
		expect(r.scheduler.active).toBe(0);
	});

	it('stop() waits no longer than its grace: a long execution is left to the redelivery', async () => {
		const n8n = heldHandOvers();
		const clock = new TestClock();
		const r = rig(() => ticket(), {
			onEvent: n8n.onEvent,
			now: clock.now,
			wait: async (ms) => {
				clock.advance(ms);
				await settle();
			},
		});
		const socket = (await r.begin())!;
		socket.frame('EVENT', headers('m1', 'e1'));
		await settle();
		const before = clock.time;
		await r.client.stop(10_000);
		expect(clock.time - before).toBeGreaterThanOrEqual(10_000);
		expect(clock.time - before).toBeLessThan(10_100);
		expect(socket.closedWith?.code).toBe(1000);
		expect(answers(socket)).toEqual([]);
		n8n.held.get('m1')!.resolve();
		await settle();
		expect(r.client.stats).toMatchObject({ events: 1, acks: 0, unanswered: 1 });
	});

	it('one warn line while n8n records nothing, one info line when it records again', async () => {
		let failing = true;
		const { log, lines } = captureLog();
		const r = rig(() => ticket(), {
			log,
			onEvent: () => {
				if (failing) throw new Error('Database is not ready');
			},
		});
		const socket = (await r.begin())!;
		for (let i = 0; i < 30; i++) socket.frame('EVENT', headers(`m${i}`, `e${i}`));
		await settle();
		failing = false;
		socket.frame('EVENT', headers('m30', 'e30'));
		await settle();
		expect(lines.filter((l) => l.level !== 'debug')).toEqual([
			{
				level: 'warn',
				message:
					'DingTalk Stream: n8n did not record an event (Database is not ready); it was answered LATER and DingTalk delivers it again (about a minute later)',
			},
			{
				level: 'info',
				message:
					"DingTalk Stream: n8n records events again; 30 event(s) were left to DingTalk's redelivery in the last 0 s",
			},
		]);
	});
});

describe('Stream client: flow control (n8n records a bounded number at once)', () => {
	const headers = (messageId: string, eventId: string) => ({
		topic: '*',
		messageId,
		eventId,
		eventType: 'user_add_org',
	});
	const answered = (socket: ScriptedSocket) =>
		socket.sent.map((f) => `${(f.headers as { messageId: string }).messageId} ${String(f.data)}`);

	it('at most maxInFlight events are being recorded; the next ones wait in arrival order and their redeliveries join them; one info line when the line forms, one when it is gone', async () => {
		const n8n = heldHandOvers();
		const { log, lines } = captureLog();
		const r = rig(() => ticket(), { onEvent: n8n.onEvent, log, flow: { maxInFlight: 2 } });
		const socket = (await r.begin())!;
		for (let i = 1; i <= 5; i++) socket.frame('EVENT', headers(`m${i}`, `e${i}`));
		// A redelivery of a waiting event.
		socket.frame('EVENT', headers('m4-again', 'e4'));
		await settle();
		expect(n8n.handed).toEqual(['m1', 'm2']);
		expect(r.client.eventsWaiting).toBe(3);
		n8n.held.get('m2')!.resolve();
		await settle();
		expect(n8n.handed).toEqual(['m1', 'm2', 'm3']);
		n8n.held.get('m1')!.resolve();
		n8n.held.get('m3')!.resolve();
		await settle();
		expect(n8n.handed).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
		n8n.held.get('m4')!.resolve();
		n8n.held.get('m5')!.resolve();
		await settle();
		expect(answered(socket)).toEqual([
			'm2 {"status":"SUCCESS"}',
			'm1 {"status":"SUCCESS"}',
			'm3 {"status":"SUCCESS"}',
			'm4 {"status":"SUCCESS"}',
			'm4-again {"status":"SUCCESS"}',
			'm5 {"status":"SUCCESS"}',
		]);
		expect(r.client.eventsWaiting).toBe(0);
		expect(lines.filter((l) => l.level !== 'debug').map((l) => l.message)).toEqual([
			'DingTalk Stream: 2 events of this trigger are being recorded by n8n; the next ones wait in arrival order (their redeliveries join them) until executions finish',
			'DingTalk Stream: caught up; events waited for n8n for 0 s',
		]);
	});

	it('beyond maxWaiting an event is answered LATER at once; stop() answers the waiting ones LATER and hands none of them over', async () => {
		const n8n = heldHandOvers();
		const r = rig(() => ticket(), {
			onEvent: n8n.onEvent,
			flow: { maxInFlight: 1, maxWaiting: 2 },
		});
		const socket = (await r.begin())!;
		for (let i = 1; i <= 4; i++) socket.frame('EVENT', headers(`m${i}`, `e${i}`));
		await settle();
		expect(n8n.handed).toEqual(['m1']);
		expect(answered(socket)).toEqual(['m4 {"status":"LATER"}']);
		const stopping = r.client.stop(0);
		await settle();
		expect(answered(socket)).toEqual([
			'm4 {"status":"LATER"}',
			'm2 {"status":"LATER"}',
			'm3 {"status":"LATER"}',
		]);
		await stopping;
		n8n.held.get('m1')!.resolve();
		await settle();
		expect(n8n.handed).toEqual(['m1']);
	});

	it('maxInFlight 0: no limit', async () => {
		const n8n = heldHandOvers();
		const r = rig(() => ticket(), { onEvent: n8n.onEvent, flow: { maxInFlight: 0 } });
		const socket = (await r.begin())!;
		for (let i = 1; i <= 200; i++) socket.frame('EVENT', headers(`m${i}`, `e${i}`));
		await settle();
		expect(n8n.handed).toHaveLength(200);
		expect(r.client.eventsWaiting).toBe(0);
	});
});

describe('Stream client: closing replaced sockets within a bound', () => {
	it('a replaced socket whose peer never answers the close is given up after 5 s: not counted, not read, one warn line', async () => {
		const { log, lines } = captureLog();
		const r = rig(() => ticket(), { log });
		const zombie = (await r.begin())!;
		zombie.deaf = true;
		await r.advance(DEFAULT_STREAM_TIMING.idleTimeoutMs, 1000);
		r.last().open();
		await settle();
		expect(zombie.closedWith).toEqual({ code: 1000, reason: 'replaced' });
		expect(zombie.readyState).toBe(2);
		expect({ open: r.client.openConnections, sockets: r.client.sockets }).toEqual({
			open: 1,
			sockets: 2,
		});
		await r.advance(DEFAULT_STREAM_TIMING.closeTimeoutMs - 1000, 1000);
		expect(r.client.sockets).toBe(2);
		await r.advance(1000, 1000);
		expect({ open: r.client.openConnections, sockets: r.client.sockets }).toEqual({
			open: 1,
			sockets: 1,
		});
		expect(r.client.stats.abandonedSockets).toBe(1);
		// Anything the given-up socket still brings is ignored (its events come again on the live one).
		zombie.readyState = 1;
		zombie.frame('EVENT', { topic: '*', messageId: 'late', eventId: 'eL', eventType: 'x' });
		await settle();
		expect(r.events).toEqual([]);
		expect(zombie.sent).toEqual([]);
		expect(lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
			'DingTalk Stream: no frame (not even a ping) for 90 s; replacing the connection now',
			'DingTalk Stream: a replaced connection did not answer its close within 5 s; it is no longer used (DingTalk or the network ends it)',
		]);
	});

	it('after 20 silent-socket replacements the client holds exactly one socket, deaf peers or not', async () => {
		const r = rig(() => ticket());
		await r.begin();
		for (let i = 0; i < 20; i++) {
			r.last().deaf = i % 2 === 0;
			await r.advance(DEFAULT_STREAM_TIMING.idleTimeoutMs, 1000);
			r.last().open();
			await settle();
		}
		await r.advance(DEFAULT_STREAM_TIMING.closeTimeoutMs, 1000);
		expect(r.sockets).toHaveLength(21);
		expect(r.sockets.slice(0, 20).every((s) => s.closedWith?.code === 1000)).toBe(true);
		expect({
			open: r.client.openConnections,
			sockets: r.client.sockets,
			abandoned: r.client.stats.abandonedSockets,
			renewals: r.client.stats.idleRenewals,
		}).toEqual({ open: 1, sockets: 1, abandoned: 10, renewals: 20 });
	});
});

describe('Stream client: one log line per change of state', () => {
	it('a streak of the same failure logs one warn line with the cause and the next attempt; connecting again logs one info line', async () => {
		const { log, lines } = captureLog();
		const r = rig((n) => (n <= 10 ? Promise.reject(transient()) : ticket()), { log });
		await r.begin(false);
		while (r.sockets.length === 0) await r.advance(1000, 1000);
		r.last().open();
		await settle();
		expect(lines.filter((l) => l.level !== 'debug')).toEqual([
			{
				level: 'warn',
				message:
					'DingTalk Stream: could not connect (DingTalk is busy (test)); next attempt in 1 s',
			},
			{ level: 'info', message: 'DingTalk Stream: connected again after 10 failed attempt(s)' },
		]);
		expect(
			lines.filter((l) => l.level === 'debug' && /could not connect/.test(l.message)),
		).toHaveLength(9);
	});

	it('a lost connection says why and when the next attempt is', async () => {
		const { log, lines } = captureLog();
		const r = rig(() => ticket(), { log });
		const socket = (await r.begin())!;
		await r.advance(60_000, 1000);
		socket.drop();
		await settle();
		expect(lines.filter((l) => l.level !== 'debug').map((l) => l.message)).toEqual([
			'DingTalk Stream: connection lost (close code 1006) after 60 s; reconnecting in 1 s',
		]);
	});
});

describe('Stream client: close', () => {
	it('closes the sockets, stops the ticks, and ignores answers and ticks that come after', async () => {
		let release: (t: StreamTicket) => void = () => {};
		const ticks: Array<() => void> = [];
		// Like n8n's cron: it cannot be stopped by the client and ticks until the workflow is gone.
		const cronLike: StreamScheduler = (onTick) => {
			ticks.push(onTick);
		};
		const r = rig(
			(n) => (n === 1 ? ticket() : new Promise<StreamTicket>((resolve) => (release = resolve))),
			{ scheduler: cronLike },
		);
		const first = (await r.begin())!;
		first.drop();
		await settle();
		for (let i = 0; i < 20; i++) {
			r.clock.advance(100);
			ticks.forEach((tick) => tick());
			await settle();
		}
		expect(r.attempts).toHaveLength(2);
		r.client.close();
		release(ticket());
		await settle();
		for (let i = 0; i < 100; i++) {
			r.clock.advance(60_000);
			ticks.forEach((tick) => tick());
			await settle();
		}
		expect(r.attempts).toHaveLength(2);
		expect(r.sockets).toHaveLength(1);
		expect(r.client.openConnections).toBe(0);
	});

	it('a stoppable scheduler is stopped, and every open socket is closed with 1000', async () => {
		const r = rig(() => ticket());
		const socket = (await r.begin())!;
		r.client.close();
		expect(r.scheduler.active).toBe(0);
		expect(r.scheduler.stops).toBe(1);
		expect(socket.closedWith?.code).toBe(1000);
		// An event that was being handed over when the trigger stopped is not acknowledged on a closed client.
		expect(socket.sent).toEqual([]);
		r.client.close();
		expect(r.scheduler.stops).toBe(1);
	});
});

describe('schedulers', () => {
	it('sleepScheduler ticks after each sleep until stopped, then sleeps no more', async () => {
		const sleeps: Array<() => void> = [];
		let ticks = 0;
		const stop = sleepScheduler(
			1000,
			() => new Promise<void>((resolve) => sleeps.push(resolve)),
		)(() => ticks++)!;
		await settle();
		sleeps.shift()!();
		await settle();
		sleeps.shift()!();
		await settle();
		expect(ticks).toBe(2);
		stop();
		sleeps.shift()!();
		await settle();
		expect(ticks).toBe(2);
		expect(sleeps).toHaveLength(0);
	});

	it('sleepScheduler loops are counted until they end: none is left after its stop and its last sleep', async () => {
		const sleeps: Array<() => void> = [];
		const before = liveSchedulerLoops();
		const stops = [1, 2, 3].map(
			() =>
				sleepScheduler(
					1000,
					() => new Promise<void>((resolve) => sleeps.push(resolve)),
				)(() => {
					throw new Error('a tick that throws does not end its loop');
				})!,
		);
		expect(liveSchedulerLoops()).toBe(before + 3);
		await settle();
		sleeps.splice(0).forEach((wake) => wake());
		await settle();
		expect(liveSchedulerLoops()).toBe(before + 3);
		stops.forEach((stop) => stop());
		expect(liveSchedulerLoops()).toBe(before + 3);
		sleeps.splice(0).forEach((wake) => wake());
		await settle();
		expect(liveSchedulerLoops()).toBe(before);
		expect(sleeps).toHaveLength(0);
	});
});
