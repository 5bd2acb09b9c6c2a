import { SlidingWindows } from '../../nodes/shared/rateWindow';

const RULE = { limit: 20, windowMs: 60_000, marginMs: 1_000 };

/** A clock the waits move forward; every wait also lets the other waiting sends run. */
function virtualTime(start = 1_000_000) {
	const clock = { now: start, waits: [] as number[] };
	return {
		clock,
		now: () => clock.now,
		wait: async (ms: number) => {
			clock.waits.push(ms);
			clock.now += ms;
			await Promise.resolve();
		},
	};
}

describe('SlidingWindows', () => {
	it('lets 20 sends through at once and holds the 21st until a minute (plus margin) after the first ended', async () => {
		const windows = new SlidingWindows(RULE);
		const time = virtualTime();
		const ends: number[] = [];
		for (let i = 0; i < 21; i++) {
			const slot = await windows.reserve('robot', time.wait, true, time.now);
			time.clock.now += 10; // each send takes 10 ms
			slot.complete();
			ends.push(time.now());
		}
		expect(time.clock.waits).toHaveLength(1);
		// The 21st starts 61 s after the end of the first send.
		expect(ends[20] - 10 - ends[0]).toBe(61_000);
	});

	it('concurrent sends to one robot never exceed 20 in any minute', async () => {
		const windows = new SlidingWindows(RULE);
		const time = virtualTime();
		const starts: number[] = [];
		await Promise.all(
			Array.from({ length: 50 }, async () => {
				const slot = await windows.reserve('robot', time.wait, true, time.now);
				starts.push(time.now());
				slot.complete();
			}),
		);
		starts.sort((a, b) => a - b);
		for (let i = 20; i < starts.length; i++) {
			expect(starts[i] - starts[i - 20]).toBeGreaterThanOrEqual(60_000);
		}
	});

	it('keeps robots apart, holds everything while blocked, and lets uncounted calls wait only for a block', async () => {
		const windows = new SlidingWindows(RULE);
		const time = virtualTime();
		for (let i = 0; i < 20; i++) (await windows.reserve('a', time.wait, true, time.now)).complete();
		await windows.reserve('b', time.wait, true, time.now);
		expect(time.clock.waits).toEqual([]);

		windows.block('b', 61_000, time.now);
		const before = time.now();
		await windows.reserve('b', time.wait, false, time.now);
		expect(time.now() - before).toBe(61_000);
	});

	it('forgets robots whose sends aged out, and never keeps the target itself', async () => {
		const windows = new SlidingWindows(RULE);
		const time = virtualTime();
		(await windows.reserve('secret-key-1', time.wait, true, time.now)).complete();
		(await windows.reserve('secret-key-2', time.wait, true, time.now)).complete();
		expect(windows.size).toBe(2);
		expect(
			JSON.stringify([...(windows as unknown as { windows: Map<string, unknown> }).windows.keys()]),
		).not.toMatch(/secret-key/);
		time.clock.now += 62_000;
		(await windows.reserve('secret-key-3', time.wait, true, time.now)).complete();
		expect(windows.size).toBe(1);
	});
});
