/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code: emulator-only secrets, never inside n8n */
// Pacing and refusals of group robots, through the real engine, in virtual time: the node's own 60-second windows
// and waits run unchanged, but Date.now and n8n-workflow's sleep read and move one virtual clock (virtualClock.ts),
// so 45 items that take over two minutes on a real robot take no wall time here. Nothing in the node or the
// emulator is configured for the test: the window is WeCom's and DingTalk's 20 messages a minute.
import type { INodeExecutionData } from 'n8n-workflow';

import { DingTalkGroupRobot } from '../../nodes/DingTalkGroupRobot/DingTalkGroupRobot.node';
import { WeComGroupRobot } from '../../nodes/WeComGroupRobot/WeComGroupRobot.node';
import { weComRobots } from '../emulator/wecom/robot';
import { dingTalkRobots } from '../emulator/dingtalk/customRobot';
import { startRobots, type RobotTestEnv } from './setup';
import { clock, resetClock } from './virtualClock';

jest.mock('n8n-workflow', () => {
	const actual = jest.requireActual<typeof import('n8n-workflow')>('n8n-workflow');
	const virtual = jest.requireActual<typeof import('./virtualClock')>('./virtualClock');
	return { ...actual, sleep: virtual.virtualSleep };
});

const MINUTE = 60_000;

function items(count: number): INodeExecutionData[] {
	return Array.from({ length: count }, (_, n) => ({ json: { n } }));
}

const numbered = { messageType: 'text', content: '={{ "日报 第" + $json.n + "条" }}' };

/** The largest number of times that fall within any window of `ms` (what the platform's limit is about). */
function busiestWindow(times: number[], ms: number): number {
	const sorted = [...times].sort((a, b) => a - b);
	let best = 0;
	for (let i = 0, j = 0; j < sorted.length; j++) {
		while (sorted[j] - sorted[i] >= ms) i++;
		best = Math.max(best, j - i + 1);
	}
	return best;
}

describe('Group robots: pacing to 20 messages a minute (virtual time)', () => {
	let env: RobotTestEnv;

	beforeAll(async () => {
		env = await startRobots();
	});

	afterAll(async () => {
		await env.stop();
	});

	beforeEach(() => {
		resetClock();
		jest.spyOn(Date, 'now').mockImplementation(() => clock.now);
		env.emulator.calls.length = 0;
		env.emulator.clearFaults();
	});

	afterEach(() => {
		jest.restoreAllMocks();
	});

	it('WeCom: 45 items of one execution all arrive, never more than 20 in a minute, in just over two minutes', async () => {
		const { credential, key } = env.newWeComRobot();
		const start = clock.now;
		const wall = performance.now();

		const result = await env.run('weComGroupRobot', credential, numbered, items(45));

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(45);
		expect(result.items.every((i) => i.json.sent === true)).toBe(true);
		expect(result.items.map((i) => i.pairedItem)).toEqual(
			Array.from({ length: 45 }, (_, item) => ({ item })),
		);
		// Every call was accepted: no refusal was needed to find the pace.
		const calls = env.emulator.callsTo('/cgi-bin/webhook/send');
		expect(calls).toHaveLength(45);
		expect(calls.map((c) => (c.response as { errcode: number }).errcode)).toEqual(
			Array(45).fill(0),
		);
		const posts = weComRobots(env.emulator.wecom).posts.filter((p) => p.key === key);
		expect(posts.map((p) => (p.payload.text as { content: string }).content)).toEqual(
			Array.from({ length: 45 }, (_, n) => `日报 第${n}条`),
		);
		const times = posts.map((p) => p.sentAt - start);
		expect(busiestWindow(times, MINUTE)).toBe(20);
		// The first 20 at once, then a minute's wait before 21 and again before 41: no more waiting than needed.
		expect(times[19]).toBeLessThan(1_000);
		expect(times[20] - times[0]).toBeGreaterThanOrEqual(MINUTE);
		expect(times[20]).toBeLessThan(MINUTE + 2_000);
		expect(times[40] - times[20]).toBeGreaterThanOrEqual(MINUTE);
		expect(clock.now - start).toBeGreaterThanOrEqual(2 * MINUTE);
		expect(clock.now - start).toBeLessThan(2 * MINUTE + 5_000);
		// Virtual time: the two minutes took (far) less than 30 seconds of real time.
		expect(performance.now() - wall).toBeLessThan(30_000);
		// The output pane says why it took two minutes (n8n shows a node's execution hints there).
		const [task] = result.run.data.resultData.runData.Robot;
		expect(task.hints).toEqual([
			{
				message: expect.stringMatching(
					/^Paced to the robot's limit of 20 messages a minute: the items waited 2 min \d+ s in all/,
				),
				type: 'info',
				location: 'outputPane',
			},
		]);
	});

	it('DingTalk: 45 signed items all arrive, each with a fresh signature, never more than 20 in a minute', async () => {
		const { credential, token } = env.newDingTalkRobot({
			secret: 'SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd',
		});
		const start = clock.now;

		const result = await env.run('dingTalkGroupRobot', credential, numbered, items(45));

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(45);
		const calls = env.emulator.callsTo('/robot/send');
		expect(calls).toHaveLength(45);
		expect(calls.every((c) => (c.response as { errcode: number }).errcode === 0)).toBe(true);
		const posts = dingTalkRobots(env.emulator.dingtalk).posts.filter((p) => p.token === token);
		expect(posts).toHaveLength(45);
		const times = posts.map((p) => p.sentAt - start);
		expect(busiestWindow(times, MINUTE)).toBe(20);
		expect(times[40] - times[20]).toBeGreaterThanOrEqual(MINUTE);
		// Signed at the moment of each send, not once per execution.
		expect(posts.map((p) => Number(p.query.timestamp))).toEqual(posts.map((p) => p.sentAt));
		expect(clock.now - start).toBeLessThan(2 * MINUTE + 5_000);
	});

	it('says before a run of more than 20 items that it paces (a hint on the input), and in the Send notice', () => {
		for (const node of [new WeComGroupRobot(), new DingTalkGroupRobot()]) {
			const { hints, description, properties } = node.description;
			expect(description).toMatch(
				/Paces itself to .*20 messages a minute per robot: 45 items take about 2 minutes/,
			);
			expect(hints).toEqual([
				expect.objectContaining({
					location: 'inputPane',
					whenToDisplay: 'beforeExecution',
					displayCondition: '={{ $parameter["operation"] === "send" && $input.all().length > 20 }}',
					message: expect.stringMatching(/at most 20 messages a minute.*not stuck/),
				}),
			]);
			const notice = properties.find((p) => p.name === 'pacingNotice');
			expect(notice?.displayOptions?.show).toMatchObject({ operation: ['send'] });
		}
	});

	it('a run that never waited says nothing of pacing', async () => {
		const { credential } = env.newWeComRobot();
		const result = await env.run('weComGroupRobot', credential, numbered, items(3));
		expect(result.error).toBeUndefined();
		expect(result.run.data.resultData.runData.Robot[0].hints ?? []).toEqual([]);
	});

	it('one window per robot across executions: a second execution right after waits for the first one’s sends', async () => {
		const { credential, key } = env.newWeComRobot();
		const start = clock.now;

		expect(
			(await env.run('weComGroupRobot', credential, numbered, items(15))).error,
		).toBeUndefined();
		expect(
			(await env.run('weComGroupRobot', credential, numbered, items(10))).error,
		).toBeUndefined();

		const times = weComRobots(env.emulator.wecom)
			.posts.filter((p) => p.key === key)
			.map((p) => p.sentAt - start);
		expect(times).toHaveLength(25);
		// Paced, not refused and retried.
		expect(
			env.emulator
				.callsTo('/cgi-bin/webhook/send')
				.map((c) => (c.response as { errcode: number }).errcode),
		).toEqual(Array(25).fill(0));
		expect(times[19]).toBeLessThan(1_000);
		expect(times[20]).toBeGreaterThanOrEqual(MINUTE);
		expect(busiestWindow(times, MINUTE)).toBe(20);
	});

	it('robots do not share a window: 20 items to each of two robots go out without waiting', async () => {
		const a = env.newWeComRobot();
		const b = env.newDingTalkRobot();
		const start = clock.now;

		expect(
			(await env.run('weComGroupRobot', a.credential, numbered, items(20))).error,
		).toBeUndefined();
		expect(
			(await env.run('dingTalkGroupRobot', b.credential, numbered, items(20))).error,
		).toBeUndefined();

		expect(clock.now - start).toBeLessThan(1_000);
		expect(clock.slept).toEqual([]);
	});

	it('WeCom: a robot another sender filled is refused (45009), waited out for a minute, then delivered', async () => {
		const { credential, key } = env.newWeComRobot();
		// Another system posted 20 messages through this robot a moment ago.
		const robot = weComRobots(env.emulator.wecom).robots.get(key)!;
		robot.sends = Array(20).fill(clock.now - 1_000);
		const start = clock.now;

		const result = await env.run('weComGroupRobot', credential, {
			messageType: 'text',
			content: '早报',
		});

		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toEqual({ sent: true, msgtype: 'text' });
		const answers = env.emulator
			.callsTo('/cgi-bin/webhook/send')
			.map((c) => (c.response as { errcode: number }).errcode);
		expect(answers).toEqual([45009, 0]);
		expect(clock.now - start).toBeGreaterThanOrEqual(MINUTE);
		expect(clock.now - start).toBeLessThan(MINUTE + 5_000);
	});

	it('WeCom: a refusal that persists is waited out twice (about two minutes), then fails with a clear error', async () => {
		const { credential } = env.newWeComRobot();
		env.emulator.injectFault({
			kind: 'errcode',
			errcode: 45009,
			path: '/cgi-bin/webhook/send',
			times: 3,
		});
		const start = clock.now;

		const result = await env.run('weComGroupRobot', credential, {
			messageType: 'text',
			content: '早报',
		});

		expect(env.emulator.callsTo('/cgi-bin/webhook/send')).toHaveLength(3);
		const error = result.error as Error & { description?: string };
		expect(error.message).toMatch(/20 messages a minute/);
		expect(error.message).toMatch(/errcode 45009/);
		expect(error.message).toMatch(/still refused after waiting 122 s/);
		expect(error.description).toMatch(/每分钟 20 条/);
		expect(clock.now - start).toBeGreaterThanOrEqual(2 * MINUTE);
		expect(clock.now - start).toBeLessThan(2 * MINUTE + 5_000);
	});

	it('DingTalk: a robot throttled for 10 minutes by another sender fails after two waits, naming the 10 minutes; Continue On Fail keeps the error', async () => {
		const { credential, token } = env.newDingTalkRobot();
		const robot = dingTalkRobots(env.emulator.dingtalk).robots.get(token)!;
		robot.throttledUntil = clock.now + 10 * MINUTE;

		const result = await env.run(
			'dingTalkGroupRobot',
			credential,
			{ messageType: 'text', content: '早报' },
			items(1),
			{ onError: 'continueRegularOutput' },
		);

		expect(result.error).toBeUndefined();
		const [item] = result.items;
		expect(item.json.error).toMatch(/more than 20 messages in a minute/);
		expect(item.json.error).toMatch(/10 minutes/);
		expect(item.json.error).toMatch(/still refused after waiting 122 s/);
		expect((item.json.details as { errcode: number }).errcode).toBe(130101);
		expect(String((item.json.details as { description: string }).description)).toMatch(
			/限流 10 分钟/,
		);
		expect(env.emulator.callsTo('/robot/send')).toHaveLength(3);
	});

	it('DingTalk: when the throttle lifts within the waits, the message is delivered', async () => {
		const { credential, token } = env.newDingTalkRobot();
		const robot = dingTalkRobots(env.emulator.dingtalk).robots.get(token)!;
		robot.throttledUntil = clock.now + 90_000;

		const result = await env.run('dingTalkGroupRobot', credential, {
			messageType: 'text',
			content: '早报',
		});

		expect(result.error).toBeUndefined();
		expect(
			env.emulator.callsTo('/robot/send').map((c) => (c.response as { errcode: number }).errcode),
		).toEqual([130101, 130101, 0]);
	});
});
