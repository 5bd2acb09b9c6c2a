// The reply throttle on a virtual clock: one request per interval, latest wins, back-off on throttling refusals.
import { ReplyThrottle } from '../../nodes/shared/replyThrottle';

function rig(options: { throttleFirst?: number; intervalMs?: number } = {}) {
	let clock = 0;
	const sent: Array<{ at: number; text: string }> = [];
	let refusals = options.throttleFirst ?? 0;
	const throttle = new ReplyThrottle<string>({
		intervalMs: options.intervalMs ?? 300,
		backoffMs: 1000,
		maxBackoffMs: 4000,
		now: () => clock,
		wait: async (ms) => {
			clock += ms;
		},
		isThrottled: (error) => (error as Error).message === 'slow down',
		send: async (text) => {
			if (refusals > 0) {
				refusals--;
				throw new Error('slow down');
			}
			sent.push({ at: clock, text });
		},
	});
	return { throttle, sent, advance: (ms: number) => (clock += ms), now: () => clock };
}

describe('ReplyThrottle', () => {
	it('sends the first update at once, then the latest one per interval; texts offered meanwhile are superseded', async () => {
		const { throttle, sent } = rig();
		throttle.update('a');
		throttle.update('ab');
		throttle.update('abc');
		await throttle.flush();
		expect(sent).toEqual([
			{ at: 0, text: 'a' },
			{ at: 300, text: 'abc' },
		]);
		expect(throttle.stats).toMatchObject({ offered: 3, sent: 2, superseded: 1 });
	});

	it('backs off after a throttling refusal (1 s, doubling) and sends the newest text afterwards', async () => {
		const { throttle, sent } = rig({ throttleFirst: 2 });
		throttle.update('x');
		await throttle.flush();
		expect(sent).toEqual([{ at: 3000, text: 'x' }]);
		expect(throttle.stats).toMatchObject({ throttled: 2, sent: 1 });
	});

	it('close() drops what has not gone out; nothing is sent after it', async () => {
		const { throttle, sent } = rig();
		throttle.update('one');
		throttle.update('two');
		await throttle.close();
		throttle.update('three');
		await throttle.flush();
		expect(sent.map((s) => s.text)).toEqual(['one']);
	});

	it('other failures are reported and the next text goes out', async () => {
		let clock = 0;
		const errors: unknown[] = [];
		const texts: string[] = [];
		let fail = true;
		const throttle = new ReplyThrottle<string>({
			now: () => clock,
			wait: async (ms) => {
				clock += ms;
			},
			isThrottled: () => false,
			onError: (error) => errors.push(error),
			send: async (text) => {
				if (fail) {
					fail = false;
					throw new Error('boom');
				}
				texts.push(text);
			},
		});
		throttle.update('a');
		await throttle.flush();
		throttle.update('b');
		await throttle.flush();
		expect(errors).toHaveLength(1);
		expect(texts).toEqual(['b']);
	});
});
