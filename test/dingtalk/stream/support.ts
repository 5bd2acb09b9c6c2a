/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
import type { IHttpRequestOptions } from 'n8n-workflow';

import {
	DingTalkStreamClient,
	streamOpener,
	type StreamClientOptions,
	type StreamCredentials,
	type StreamEvent,
	type StreamScheduler,
} from '../../../nodes/DingTalk/stream';
import { ApiEmulator, DINGTALK_SEED, type StreamServerOptions } from '../../emulator';

// n8n-core's own outbound HTTP client: what `this.helpers.httpRequest` calls in a real n8n.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Container } = require(
	require.resolve('@n8n/di', { paths: [require.resolve('n8n-core')] }),
) as { Container: { get<T>(type: new (...args: never[]) => T): T } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { OutboundHttp } = require(
	require.resolve('@n8n/backend-network', { paths: [require.resolve('n8n-core')] }),
) as {
	OutboundHttp: new () => {
		requests(): { request(options: IHttpRequestOptions): Promise<unknown> };
	};
};

/** The request function of n8n's `this.helpers.httpRequest`. */
export function n8nHttpRequest(options: IHttpRequestOptions): Promise<unknown> {
	return Container.get(OutboundHttp).requests().request(options);
}

export function seededCredentials(emulator: ApiEmulator): StreamCredentials {
	return {
		apiBaseUrl: emulator.baseUrl,
		clientId: DINGTALK_SEED.appKey,
		clientSecret: DINGTALK_SEED.appSecret,
	};
}

export async function startEmulator(stream: StreamServerOptions = {}): Promise<ApiEmulator> {
	return ApiEmulator.start({ plugins: ['dingtalk'], stream });
}

/** Polls `condition` (real time) until it holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(
	condition: () => boolean,
	what: string,
	timeoutMs = 10_000,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A scheduler on real timers, fast enough for tests; counts what is running so a test can see it all stopped. */
export class IntervalScheduler {
	active = 0;

	started = 0;

	ticks = 0;

	constructor(private readonly intervalMs = 20) {}

	readonly schedule: StreamScheduler = (onTick) => {
		this.active++;
		this.started++;
		const timer = setInterval(() => {
			this.ticks++;
			onTick();
		}, this.intervalMs);
		let stopped = false;
		return () => {
			if (stopped) return;
			stopped = true;
			this.active--;
			clearInterval(timer);
		};
	};
}

/** Ticks only when the test says; with a TestClock, timings are checked without waiting. */
export class ManualScheduler {
	private readonly ticks = new Set<() => void>();

	stops = 0;

	readonly schedule: StreamScheduler = (onTick) => {
		this.ticks.add(onTick);
		return () => {
			this.stops++;
			this.ticks.delete(onTick);
		};
	};

	get active(): number {
		return this.ticks.size;
	}

	tick(): void {
		for (const onTick of [...this.ticks]) onTick();
	}
}

export class TestClock {
	constructor(public time = Date.UTC(2026, 10, 1, 9, 0, 0)) {}

	readonly now = () => this.time;

	advance(ms: number): void {
		this.time += ms;
	}
}

/** Flushes promise callbacks (several rounds: a hand-over awaits a few of them). */
export async function settle(rounds = 10): Promise<void> {
	for (let i = 0; i < rounds; i++) await Promise.resolve();
}

export interface ClientUnderTest {
	client: DingTalkStreamClient;
	events: StreamEvent[];
	logs: Array<{ level: string; message: string; meta?: Record<string, unknown> }>;
	failures: Parameters<NonNullable<StreamClientOptions['onFailure']>>[0][];
}

/** A client against the emulator, opening connections through n8n's HTTP client, with fast test timings. */
export function streamClient(
	emulator: ApiEmulator,
	options: Partial<StreamClientOptions> & { scheduler: StreamScheduler },
): ClientUnderTest {
	const events: StreamEvent[] = [];
	const logs: ClientUnderTest['logs'] = [];
	const failures: ClientUnderTest['failures'] = [];
	const client = new DingTalkStreamClient({
		openConnection: streamOpener(n8nHttpRequest, seededCredentials(emulator)),
		onEvent: (event) => {
			events.push(event);
		},
		onFailure: (failure) => failures.push(failure),
		log: {
			debug: (message, meta) => logs.push({ level: 'debug', message, meta }),
			info: (message, meta) => logs.push({ level: 'info', message, meta }),
			warn: (message, meta) => logs.push({ level: 'warn', message, meta }),
		},
		...options,
		timing: {
			backoff: { initialMs: 50, maxMs: 400, jitter: 0.25 },
			stableAfterMs: 0,
			drainMs: 200,
			...options.timing,
		},
	});
	return { client, events, logs, failures };
}
