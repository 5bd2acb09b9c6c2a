// nodes/shared/triggerDelivery.ts: the deduplication key n8n stores with each execution, and emitting again a run
// n8n lost (a queue-mode worker that died) before the caller is answered, with n8n's trigger context stood in for (emit
// and its done promise; the Stream trigger's tests run it in n8n-core's engine).
import type { IDataObject, IRun, ITriggerFunctions } from 'n8n-workflow';

import {
	deduplicationKey,
	isCancellation,
	isWaitRefused,
	MAX_ATTEMPTS,
	runWasLost,
	TriggerDelivery,
} from '../../nodes/shared/triggerDelivery';

interface Emit {
	item: IDataObject;
	key?: string;
	done: { resolve(run?: IRun): void; reject(error: Error): void };
}

function fakeContext() {
	const emits: Emit[] = [];
	const context = {
		helpers: {
			createDeferredPromise: () => {
				let resolve!: (value?: IRun) => void;
				let reject!: (error: Error) => void;
				const promise = new Promise<IRun | undefined>((ok, fail) => {
					resolve = ok;
					reject = fail;
				});
				return { promise, resolve, reject };
			},
		},
		emit: (
			data: Array<Array<{ json: IDataObject }>>,
			_r: unknown,
			done: Emit['done'],
			key?: string,
		) => emits.push({ item: data[0][0].json, key, done }),
	} as unknown as ITriggerFunctions;
	return { context, emits };
}

function run(status: IRun['status'], runData: Record<string, unknown> = {}): IRun {
	return {
		status,
		mode: 'trigger',
		startedAt: new Date(),
		storedAt: 'db',
		data: { resultData: { runData } },
	} as unknown as IRun;
}

const ranNodes = { 'DingTalk Trigger': [{}] };

describe('trigger delivery', () => {
	beforeEach(() => jest.useFakeTimers());
	afterEach(() => jest.useRealTimers());

	it('keys an event by scope and id, short enough for n8n, never showing the id', () => {
		const key = deduplicationKey('["wf1","node1"]', 'event:abc-123');
		expect(key).toMatch(/^n8n-nodes-wecom-dingtalk:v1:[A-Za-z0-9_-]{43}$/);
		expect(key.length).toBeLessThanOrEqual(255);
		expect(key).not.toContain('abc-123');
		expect(deduplicationKey('["wf1","node1"]', 'event:abc-123')).toBe(key);
		expect(deduplicationKey('["wf2","node1"]', 'event:abc-123')).not.toBe(key);
		expect(deduplicationKey('["wf1","node1"]', 'event:abc-123', 2)).toBe(`${key}:2`);
	});

	it('tells a run n8n lost (error, no node ran) from a workflow that failed or succeeded', () => {
		expect(runWasLost(run('error'))).toBe(true);
		expect(runWasLost(run('crashed'))).toBe(true);
		expect(runWasLost(run('error', ranNodes))).toBe(false);
		expect(runWasLost(run('success', ranNodes))).toBe(false);
		expect(runWasLost(run('canceled'))).toBe(false);
		expect(runWasLost(undefined)).toBe(false);
	});

	it('a run that failed in a node on a queue-mode worker is not lost: main gets no run data, only the failing node', () => {
		// What n8n 2.41's main resolves the donePromise with for a finished job (WorkflowRunner.enqueueExecution, from
		// the worker's job result): no run data, the error and lastNodeExecuted.
		const failedOnWorker = {
			status: 'error',
			mode: 'trigger',
			startedAt: new Date(),
			storedAt: 'db',
			data: {
				resultData: {
					runData: {},
					lastNodeExecuted: 'Reply',
					error: { message: 'WeCom refused the message' },
				},
			},
		} as unknown as IRun;
		expect(runWasLost(failedOnWorker)).toBe(false);
		// A job that stalled (its worker died): n8n's error, no run data, no node.
		const stalled = {
			...failedOnWorker,
			data: {
				resultData: {
					runData: {},
					error: { message: 'job stalled more than maxStalledCount' },
				},
			},
		} as unknown as IRun;
		expect(runWasLost(stalled)).toBe(true);
	});

	it('emits once with the key and resolves with the run: a run that succeeded, failed in a node, or was refused as a duplicate ends it', async () => {
		const { context, emits } = fakeContext();
		const delivery = new TriggerDelivery(context, { scope: 's', deduplicate: true });
		const a = delivery.deliver({ json: { eventId: 'a' } }, 'event:a');
		const b = delivery.deliver({ json: { eventId: 'b' } }, 'event:b');
		const c = delivery.deliver({ json: { eventId: 'c' } }, 'event:c');
		expect(emits.map((e) => e.key)).toEqual([
			deduplicationKey('s', 'event:a'),
			deduplicationKey('s', 'event:b'),
			deduplicationKey('s', 'event:c'),
		]);
		emits[0].done.resolve(run('success', ranNodes));
		emits[1].done.resolve(run('error', ranNodes));
		emits[2].done.resolve(undefined);
		await expect(a).resolves.toMatchObject({ status: 'recorded', run: { status: 'success' } });
		await expect(b).resolves.toMatchObject({ status: 'recorded', run: { status: 'error' } });
		await expect(c).resolves.toEqual({ status: 'recorded', run: undefined });
		await jest.advanceTimersByTimeAsync(120_000);
		expect(emits).toHaveLength(3);
	});

	it('reports a first emit that started nothing as refused, emitting nothing again (the platform delivers it again under the same key)', async () => {
		const { context, emits } = fakeContext();
		const delivery = new TriggerDelivery(context, { scope: 's', deduplicate: true });
		const a = delivery.deliver({ json: { eventId: 'a' } }, 'event:a');
		emits[0].done.reject(new Error('Database is not ready'));
		await expect(a).resolves.toMatchObject({
			status: 'refused',
			error: { message: 'Database is not ready' },
		});
		await jest.advanceTimersByTimeAsync(120_000);
		expect(emits).toHaveLength(1);
	});

	it('emits again, with a key of its own, when n8n lost the run or could not start a later one; resolves only with the last; at most MAX_ATTEMPTS times', async () => {
		const { context, emits } = fakeContext();
		const retries: number[] = [];
		const delivery = new TriggerDelivery(context, {
			scope: 's',
			deduplicate: true,
			onRetry: (attempt) => retries.push(attempt),
		});
		let settled = false;
		const a = delivery.deliver({ json: { eventId: 'a' } }, 'event:a');
		void a.finally(() => (settled = true));
		emits[0].done.resolve(run('error'));
		await jest.advanceTimersByTimeAsync(999);
		expect(emits).toHaveLength(1);
		await jest.advanceTimersByTimeAsync(1);
		expect(emits).toHaveLength(2);
		expect(emits[1]).toMatchObject({
			item: { eventId: 'a' },
			key: deduplicationKey('s', 'event:a', 2),
		});

		emits[1].done.reject(new Error('Database is not ready'));
		await jest.advanceTimersByTimeAsync(10_000);
		expect(emits).toHaveLength(3);
		expect(settled).toBe(false);
		for (let i = 2; i < MAX_ATTEMPTS; i++) {
			emits[i].done.resolve(run('error'));
			await jest.advanceTimersByTimeAsync(60_000);
		}
		expect(emits).toHaveLength(MAX_ATTEMPTS);
		expect(retries).toEqual([2, 3, 4]);
		// The last attempt's run is what the caller gets: lost, and nothing more is tried.
		await expect(a).resolves.toMatchObject({ status: 'recorded', run: { status: 'error' } });
	});

	it('a lost run that succeeds the second time resolves with that run', async () => {
		const { context, emits } = fakeContext();
		const delivery = new TriggerDelivery(context, { scope: 's', deduplicate: true });
		const a = delivery.deliver({ json: { eventId: 'a' } }, 'event:a');
		emits[0].done.resolve(run('crashed'));
		await jest.advanceTimersByTimeAsync(1_000);
		emits[1].done.resolve(run('success', ranNodes));
		await expect(a).resolves.toMatchObject({ status: 'recorded', run: { status: 'success' } });
	});

	it('emits nothing again once the trigger closed (the outcome says so), and no key when deduplication is off', async () => {
		const { context, emits } = fakeContext();
		const delivery = new TriggerDelivery(context, { scope: 's', deduplicate: false });
		const a = delivery.deliver({ json: { eventId: 'a' } }, 'event:a');
		expect(emits[0].key).toBeUndefined();
		emits[0].done.resolve(run('error'));
		delivery.close();
		await expect(a).resolves.toEqual({ status: 'closed' });
		await jest.advanceTimersByTimeAsync(120_000);
		expect(emits).toHaveLength(1);
	});

	it('hands over without waiting (Engine 2.0), with the first key', () => {
		const { context, emits } = fakeContext();
		const delivery = new TriggerDelivery(context, { scope: 's', deduplicate: true });
		delivery.handOver({ json: { eventId: 'a' } }, 'event:a');
		expect(emits).toHaveLength(1);
		expect(emits[0].key).toBe(deduplicationKey('s', 'event:a'));
		expect(emits[0].done).toBeUndefined();
	});

	it('tells cancellations and Engine 2.0 refusals by their shape', () => {
		expect(isCancellation({ reason: 'manual', message: 'Execution was cancelled' })).toBe(true);
		expect(isCancellation(new Error('Database is not ready'))).toBe(false);
		expect(isWaitRefused(new Error('Cannot run a trigger that waits for its execution'))).toBe(
			true,
		);
		expect(isWaitRefused(new Error('other'))).toBe(false);
	});
});
