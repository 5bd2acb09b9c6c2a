// nodes/shared/triggerDelivery.ts: the deduplication key n8n stores with each execution, and emitting again a run
// n8n lost (a queue-mode worker that died), with n8n's trigger context stood in for (emit and its done promise).
import type { IDataObject, IRun, ITriggerFunctions } from 'n8n-workflow';

import {
	deduplicationKey,
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

	it('emits once with the key; a run that succeeded, failed in a node, or was refused as a duplicate ends it', async () => {
		const { context, emits } = fakeContext();
		const delivery = new TriggerDelivery(context, { scope: 's', deduplicate: true });
		delivery.emit({ json: { eventId: 'a' } }, 'event:a');
		delivery.emit({ json: { eventId: 'b' } }, 'event:b');
		delivery.emit({ json: { eventId: 'c' } }, 'event:c');
		expect(emits.map((e) => e.key)).toEqual([
			deduplicationKey('s', 'event:a'),
			deduplicationKey('s', 'event:b'),
			deduplicationKey('s', 'event:c'),
		]);
		emits[0].done.resolve(run('success', ranNodes));
		emits[1].done.resolve(run('error', ranNodes));
		emits[2].done.resolve(undefined);
		await jest.advanceTimersByTimeAsync(120_000);
		expect(emits).toHaveLength(3);
	});

	it('emits again, with a key of its own, when n8n lost the run or could not start it; at most MAX_ATTEMPTS times', async () => {
		const { context, emits } = fakeContext();
		const retries: number[] = [];
		const delivery = new TriggerDelivery(context, {
			scope: 's',
			deduplicate: true,
			onRetry: (attempt) => retries.push(attempt),
		});
		delivery.emit({ json: { eventId: 'a' } }, 'event:a');
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
		for (let i = 2; i < MAX_ATTEMPTS; i++) {
			emits[i].done.resolve(run('error'));
			await jest.advanceTimersByTimeAsync(60_000);
		}
		expect(emits).toHaveLength(MAX_ATTEMPTS);
		expect(retries).toEqual([2, 3, 4]);
	});

	it('emits nothing again once the trigger closed, and no key when deduplication is off', async () => {
		const { context, emits } = fakeContext();
		const delivery = new TriggerDelivery(context, { scope: 's', deduplicate: false });
		delivery.emit({ json: { eventId: 'a' } }, 'event:a');
		expect(emits[0].key).toBeUndefined();
		emits[0].done.resolve(run('error'));
		delivery.close();
		await jest.advanceTimersByTimeAsync(120_000);
		expect(emits).toHaveLength(1);
	});
});
