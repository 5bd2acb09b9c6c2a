// The DingTalk Trigger in Stream mode, activated and deactivated by n8n-core's ActiveWorkflowTriggers (its
// ScheduledTaskManager shows it registers no cron), each emit running a real n8n-core execution, against the emulator's
// Stream server over real WebSockets (Node's global one).
import type { IDataObject } from 'n8n-workflow';

import { ManualExecutionCancelledError, UserError } from 'n8n-workflow';

import { liveSchedulerLoops, ROBOT_MESSAGE_TOPIC } from '../../nodes/DingTalk/stream';
import { setStreamTestHooks } from '../../nodes/DingTalk/trigger/stream';
import { deduplicationKey } from '../../nodes/shared/triggerDelivery';
import type { ApiEmulator } from '../emulator';
import { DINGTALK_SEED } from '../emulator';
import { describeWithWebSocket } from '../support/webSocket';
import { pause, startEmulator, waitUntil } from './stream/support';
import { captureLogs, StreamTriggerRig, useTestTimings } from './triggerSupport';

/** How many times each event was emitted, against the keys published. */
function expectExactlyOnce(items: IDataObject[], keys: string[]): void {
	const seen = new Map<string, number>();
	for (const item of items) {
		const key = String(item.eventId);
		seen.set(key, (seen.get(key) ?? 0) + 1);
	}
	const lost = keys.filter((k) => !seen.has(k));
	const doubled = [...seen].filter(([, n]) => n > 1);
	expect({ lost: lost.length, doubled: doubled.length, emitted: items.length }).toEqual({
		lost: 0,
		doubled: 0,
		emitted: keys.length,
	});
}

describeWithWebSocket(
	'DingTalk Trigger in Stream mode (n8n-core activation, emulator Stream server)',
	() => {
		let emulator: ApiEmulator;
		let rig: StreamTriggerRig;

		const stream = () => emulator.dingtalkStream;
		const openIds = () =>
			stream()
				.openConnections()
				.map((c) => c.id);
		const settleDeliveries = (timeoutMs = 15_000) =>
			waitUntil(
				() =>
					stream()
						.unacked()
						.every((e) => e.lost),
				'every event acknowledged or lost',
				timeoutMs,
			);

		async function start(
			options: Parameters<typeof startEmulator>[0] = {},
			credential: Record<string, string> = {},
		): Promise<void> {
			emulator = await startEmulator(options);
			rig = new StreamTriggerRig(emulator, credential);
		}

		beforeAll(() => useTestTimings());

		afterEach(async () => {
			await rig?.stopAll();
			await emulator?.stop();
		});

		it('connects on activation (EVENT *), emits a normalised item, and acknowledges only once n8n has recorded its execution', async () => {
			await start();
			const { emitted } = await rig.activate({ events: ['approval'] });
			await waitUntil(() => openIds().length === 1, 'a connection');
			expect(stream().connections()[0].subscriptions).toEqual([{ type: 'EVENT', topic: '*' }]);
			const ackedAtEmit: number[] = [];
			emitted.onEmit = (item) =>
				ackedAtEmit.push(stream().acks.filter((a) => a.key === item.eventId).length);
			// The execution runs until the test lets it finish: no ack meanwhile.
			let finish: () => void = () => {};
			emitted.hold = () => new Promise<void>((resolve) => (finish = resolve));
			const eventId = stream().publishEvent({
				eventType: 'bpms_instance_change',
				data: {
					processInstanceId: 'pi-1',
					processCode: 'PROC-1',
					title: '报销',
					type: 'finish',
					result: 'agree',
					staffId: 'manager4220',
					createTime: 1_790_000_000_000,
					finishTime: 1_790_000_360_000,
				},
			});
			await waitUntil(() => emitted.executions.length === 1, 'the execution');
			await pause(300);
			expect(stream().acks.filter((a) => a.key === eventId)).toEqual([]);
			finish();
			await waitUntil(() => stream().acks.some((a) => a.key === eventId), 'the ack');
			expect(ackedAtEmit).toEqual([0]);
			expect(emitted.withDone).toEqual([true]);
			expect(emitted.executions[0]).toMatchObject({ status: 'success' });
			expect(stream().acks.find((a) => a.key === eventId)!.at).toBeGreaterThanOrEqual(
				emitted.executions[0].settledAt!,
			);
			emitted.hold = undefined;
			expect(stream().acks.find((a) => a.key === eventId)?.data).toEqual({ status: 'SUCCESS' });
			expect(emitted.items).toHaveLength(1);
			expect(emitted.items[0]).toMatchObject({
				processInstanceId: 'pi-1',
				eventType: 'bpms_instance_change',
				category: 'approval',
				eventId,
				corpId: DINGTALK_SEED.corpId,
				connection: 'stream',
				approval: {
					kind: 'instance',
					typeName: 'finished',
					resultName: 'approved',
					resultNameZh: '同意',
					originatorUserId: 'manager4220',
					finishTime: new Date(1_790_000_360_000).toISOString(),
				},
			});
			expect(typeof emitted.items[0].eventTime).toBe('string');
			// Filtered out: acknowledged (so DingTalk stops sending it) and not emitted.
			const contact = stream().publishEvent({
				eventType: 'user_add_org',
				data: { UserId: ['u1'] },
			});
			await waitUntil(() => stream().acks.some((a) => a.key === contact), 'the filtered ack');
			expect(emitted.items).toHaveLength(1);
			// Pings are answered with their data.
			const pings = stream().ping();
			await waitUntil(
				() => stream().acks.filter((a) => a.kind === 'ping').length === 1,
				'the pong',
			);
			expect(JSON.stringify(stream().acks.find((a) => a.kind === 'ping')?.data)).toBe(pings[0]);
			expect(stream().badFrames).toEqual([]);
		});

		it('robot messages: subscribed when asked, items carry text, sender, conversation and sessionWebhook with expiry', async () => {
			await start();
			const { emitted } = await rig.activate({ robotMessages: true, events: ['robotMessage'] });
			await waitUntil(() => openIds().length === 1, 'a connection');
			expect(stream().connections()[0].subscriptions).toEqual([
				{ type: 'EVENT', topic: '*' },
				{ type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' },
			]);
			const sent = stream().publishRobotMessage({
				text: ' 请假三天 ',
				conversationType: '2',
				senderNick: '李四',
			});
			await waitUntil(() => emitted.items.length === 1, 'the robot message');
			const item = emitted.items[0];
			expect(item).toMatchObject({
				msgId: sent.msgId,
				eventType: 'robot_message',
				category: 'robotMessage',
				eventId: sent.msgId,
				messageText: '请假三天',
				sender: { staffId: sent.senderStaffId, nick: '李四', id: sent.senderId },
				conversation: {
					id: sent.conversationId,
					type: '2',
					typeName: 'group',
					title: sent.conversationTitle,
				},
				sessionWebhook: sent.sessionWebhook,
				sessionWebhookExpiredTime: sent.sessionWebhookExpiredTime,
				sessionWebhookExpiresAt: new Date(sent.sessionWebhookExpiredTime).toISOString(),
			});
			await waitUntil(() => stream().acks.some((a) => a.key === sent.msgId), 'the ack');
			expect(stream().acks.find((a) => a.key === sent.msgId)?.data).toEqual({ response: null });
			// Events are not robot messages: acknowledged, not emitted.
			stream().publishEvent({ eventType: 'user_add_org', data: { UserId: ['u1'] } });
			await settleDeliveries();
			expect(emitted.items).toHaveLength(1);
		});

		it('without "Receive Robot Messages" the connection does not subscribe to them', async () => {
			await start();
			const { emitted } = await rig.activate({ events: ['*'] });
			await waitUntil(() => openIds().length === 1, 'a connection');
			const unheard = stream().publishRobotMessage({ text: 'anyone?' });
			await pause(300);
			expect(emitted.items).toEqual([]);
			expect(
				stream()
					.unacked()
					.map((e) => e.key),
			).toEqual([unheard.msgId]);
		});

		it('SYSTEM disconnect: the next connection opens before the old one closes, and no event is lost', async () => {
			// DingTalk closes a connection about 10 s after its disconnect; each event goes out once (no redelivery), so
			// only a client that connects anew at once, while the old socket still serves, keeps every event.
			await start({ disconnectGraceMs: 10_000, maxDeliveries: 1, redeliveryDelayMs: 10_000 });
			const { emitted } = await rig.activate();
			await waitUntil(() => openIds().length === 1, 'a connection');
			const [old] = openIds();
			const keys: string[] = [];
			for (let i = 0; i < 120; i++) {
				if (i === 20) stream().disconnect(old);
				keys.push(
					stream().publishEvent({ eventType: 'user_modify_org', data: { UserId: [`u${i}`] } }),
				);
				await pause(30);
			}
			await settleDeliveries();
			expectExactlyOnce(emitted.items, keys);
			expect(stream().lost()).toEqual([]);
			// The old socket is closed by the server at the end of its grace; the new one was open before that.
			await waitUntil(
				() => stream().connections()[0].closedAt !== undefined,
				'the old connection closed by the server',
				20_000,
			);
			const [before, after] = stream().connections();
			expect(before.id).toBe(old);
			expect(after.openedAt).toBeLessThan(before.closedAt!);
			expect(emitted.errors).toEqual([]);
		}, 45_000);

		it('forced drops under a stream of events: zero lost, zero doubled', async () => {
			await start({ redeliveryDelayMs: 300, maxDeliveries: 50 });
			const { emitted } = await rig.activate({ robotMessages: true });
			await waitUntil(() => openIds().length === 1, 'a connection');
			const keys: string[] = [];
			const publish = (i: number) =>
				keys.push(
					i % 7 === 0
						? stream().publishRobotMessage({ text: `m${i}` }).msgId
						: stream().publishEvent({ eventType: 'bpms_task_change', data: { taskId: i } }),
				);
			const dropped: string[] = [];
			for (let i = 0; i < 200; i++) {
				if (i % 50 === 25) {
					// Each drop hits a live connection: wait for the client's reconnection from the previous one.
					await waitUntil(() => openIds().length === 1, 'a connection to drop', 15_000);
					const [victim] = openIds();
					stream().drop(victim);
					dropped.push(victim);
					// Published while that connection is going: unacknowledged there, so DingTalk must send it again.
					publish(i);
					await pause(20);
					continue;
				}
				publish(i);
				// DingTalk also sends an acknowledged event again now and then.
				if (i % 30 === 29) {
					const acked = stream()
						.eventRecords()
						.find((e) => e.acked);
					if (acked) stream().duplicate(acked.key);
				}
				await pause(20);
			}
			await settleDeliveries(30_000);
			const emittedKeys = emitted.items.map((item) => ({
				...item,
				eventId: item.eventId ?? item.msgId,
			}));
			expectExactlyOnce(emittedKeys, keys);
			expect(new Set(dropped).size).toBe(4);
			expect(stream().lost()).toEqual([]);
			expect(
				stream()
					.eventRecords()
					.some((e) => e.deliveries > 1),
			).toBe(true);
			expect(stream().badFrames).toEqual([]);
		}, 60_000);

		it('no cron at all; deactivation closes the socket and ends the loop: no timer, no reconnect, no emit afterwards', async () => {
			await start();
			const loopsBefore = liveSchedulerLoops();
			const { workflowId, emitted } = await rig.activate();
			await waitUntil(() => openIds().length === 1, 'a connection');
			expect(rig.hasCrons(workflowId)).toBe(false);
			expect(liveSchedulerLoops()).toBe(loopsBefore + 1);
			await rig.deactivate(workflowId);
			await waitUntil(() => openIds().length === 0, 'the socket closed');
			expect(stream().connections()[0].closeCode).toBe(1000);
			// The loop's pending sleep ends within its second, and nothing follows it.
			await waitUntil(() => liveSchedulerLoops() === loopsBefore, 'the loop ended', 1500);
			const opens = emulator.callsTo('/v1.0/gateway/connections/open').length;
			stream().publishEvent({ eventType: 'user_add_org', data: {} });
			await pause(2500);
			expect(emulator.callsTo('/v1.0/gateway/connections/open')).toHaveLength(opens);
			expect(emitted.items).toEqual([]);
			expect(rig.hasCrons(workflowId)).toBe(false);
		});

		it('recognises a redelivery across a re-activation of the same workflow (one execution per event)', async () => {
			await start();
			const first = await rig.activate({}, 'stream-wf-reactivated');
			await waitUntil(() => openIds().length === 1, 'a connection');
			const eventId = stream().publishEvent({
				eventType: 'org_dept_create',
				data: { DeptId: [5] },
			});
			await waitUntil(() => first.emitted.items.length === 1, 'the event');
			await rig.deactivate('stream-wf-reactivated');
			const second = await rig.activate({}, 'stream-wf-reactivated');
			await waitUntil(() => openIds().length === 1, 'the new connection');
			stream().duplicate(eventId);
			await waitUntil(
				() => stream().acks.filter((a) => a.key === eventId).length === 2,
				'the duplicate acknowledged',
			);
			expect(second.emitted.items).toEqual([]);
		});

		it('emits with a deduplication key per event (n8n refuses a second execution with it), and again, before DingTalk is answered, when n8n lost the run', async () => {
			await start();
			const { workflowId, emitted } = await rig.activate({}, 'stream-wf-keys');
			// The first run is lost as a queue-mode worker's death loses it (error, no run data); the second one runs.
			emitted.lose = (_item, index) => index === 0;
			await waitUntil(() => openIds().length === 1, 'a connection');
			const eventId = stream().publishEvent({
				eventType: 'org_dept_create',
				data: { DeptId: [7] },
			});
			await waitUntil(() => emitted.items.length === 1, 'the event');
			const scope = JSON.stringify([workflowId, rig.node({}).id]);
			expect(emitted.keys).toEqual([deduplicationKey(scope, `event:${eventId}`)]);
			// Not acknowledged while n8n has no run of it: the lost run is not a recorded event.
			expect(stream().acks.filter((a) => a.key === eventId)).toHaveLength(0);
			await waitUntil(() => emitted.items.length === 2, 'the event emitted again', 5000);
			expect(emitted.items[1]).toEqual(emitted.items[0]);
			expect(emitted.keys[1]).toBe(deduplicationKey(scope, `event:${eventId}`, 2));
			await waitUntil(
				() => stream().acks.some((a) => a.key === eventId),
				'the acknowledgement after the second run',
			);
			// One execution, recorded before the one acknowledgement.
			expect(emitted.executions.map((e) => e.status)).toEqual(['success']);
			const ack = stream().acks.filter((a) => a.key === eventId);
			expect(ack).toHaveLength(1);
			expect(ack[0].data).toMatchObject({ status: 'SUCCESS' });
		});

		it('an event whose key n8n already holds (an execution of an earlier process, cut by a crash or finished) starts nothing and is acknowledged', async () => {
			await start();
			const { workflowId, emitted } = await rig.activate({}, 'stream-wf-key-taken');
			await waitUntil(() => openIds().length === 1, 'a connection');
			const scope = JSON.stringify([workflowId, rig.node({}).id]);
			const eventId = 'held-by-an-earlier-process';
			rig.keysTaken.add(deduplicationKey(scope, `event:${eventId}`));
			stream().publishEvent({ eventType: 'org_dept_create', data: { DeptId: [9] }, eventId });
			await waitUntil(
				() => stream().acks.some((a) => a.key === eventId),
				'the acknowledgement',
			);
			expect(emitted.items).toHaveLength(1);
			expect(emitted.executions).toEqual([]);
			expect(stream().acks.filter((a) => a.key === eventId)[0].data).toMatchObject({
				status: 'SUCCESS',
			});
		});

		it('a wrong Client Secret fails the activation with the reason, and keeps no connection or cron', async () => {
			await start({}, { clientSecret: 'wrong-secret' });
			await expect(rig.activate({}, 'stream-wf-refused')).rejects.toThrow(
				/DingTalk refused to open a Stream connection \(HTTP 400, invalidClientIdOrSecret.*Check Client ID and Client Secret/,
			);
			expect(rig.hasCrons('stream-wf-refused')).toBe(false);
			expect(stream().connections()).toEqual([]);
		});

		it('"Listen for test event" gets the first event; the next one is left to redelivery, not lost', async () => {
			await start({ redeliveryDelayMs: 300, maxDeliveries: 20 });
			const test = await rig.listenForTestEvent({ events: ['contact'] });
			await waitUntil(() => openIds().length === 1, 'a connection');
			const [testConnection] = openIds();
			const a = stream().publishEvent({ eventType: 'user_add_org', data: { UserId: ['first'] } });
			const b = stream().publishEvent({ eventType: 'user_add_org', data: { UserId: ['second'] } });
			const data = await test.first;
			expect(data[0][0].json).toMatchObject({ eventId: a, userIds: ['first'] });
			await test.response.closeFunction!();
			await waitUntil(() => openIds().length === 0, 'the test connection closed');
			const successOn = (key: string) =>
				stream()
					.acks.filter(
						(ack) => ack.key === key && (ack.data as { status?: string })?.status === 'SUCCESS',
					)
					.map((ack) => ack.connectionId);
			// The test's own event was acknowledged on the test's connection, before it closed: DingTalk is done with it.
			expect(successOn(a)).toContain(testConnection);
			// The second one never was there (answered LATER, or not at all): a published workflow receives it.
			expect(successOn(b)).toEqual([]);
			const { emitted } = await rig.activate({ events: ['contact'] });
			await waitUntil(
				() => emitted.items.some((item) => item.eventId === b),
				'the second event, redelivered',
				15_000,
			);
			await settleDeliveries();
			expect(emitted.items.filter((item) => item.eventId === b)).toHaveLength(1);
			expect(emitted.items.find((item) => item.eventId === b)).toMatchObject({
				userIds: ['second'],
			});
			expect(stream().lost()).toEqual([]);
		}, 30_000);

		it('a lasting outage reaches n8n: saveFailedExecution while it retries, with the cause and no secret', async () => {
			setStreamTestHooks({
				timing: {
					backoff: { initialMs: 50, maxMs: 200, jitter: 0 },
					stableAfterMs: 0,
					failureReportAfterMs: 1500,
				},
			});
			try {
				await start();
				const { emitted } = await rig.activate();
				await waitUntil(() => openIds().length === 1, 'a connection');
				emulator.injectFault({
					kind: 'http',
					status: 503,
					path: '/v1.0/gateway/connections/open',
					times: 1000,
				});
				stream().drop(openIds()[0]);
				await waitUntil(() => emitted.failed.length === 1, 'the reported failure', 15_000);
				const failure = emitted.failed[0] as Error & { description?: string };
				expect(failure.message).toMatch(/HTTP 503/);
				expect(failure.description).toMatch(/keeps retrying/);
				expect(emitted.errors).toEqual([]);
				expect(JSON.stringify([failure.message, failure.description])).not.toContain(
					DINGTALK_SEED.appSecret,
				);
			} finally {
				useTestTimings();
			}
		}, 30_000);

		/** Every answer to one event, by connection and status (EVENT) or "ok" (CALLBACK). */
		const answersTo = (key: string) =>
			stream()
				.acks.filter((a) => a.key === key)
				.map((a) => (a.data as { status?: string })?.status ?? 'ok');

		it('a 10-minute execution (compressed): DingTalk redelivers while it runs, each redelivery starts nothing, and every delivery is acknowledged once it finished', async () => {
			// DingTalk redelivers an unacknowledged event after about 60 s; here after 200 ms, against a 6 s execution.
			await start({ redeliveryDelayMs: 200, maxDeliveries: 200 });
			const { emitted } = await rig.activate();
			await waitUntil(() => openIds().length === 1, 'a connection');
			let finish: () => void = () => {};
			emitted.hold = () => new Promise<void>((resolve) => (finish = resolve));
			const eventId = stream().publishEvent({
				eventType: 'bpms_instance_change',
				data: { processInstanceId: 'long-1' },
			});
			await waitUntil(() => emitted.executions.length === 1, 'the execution');
			emitted.hold = undefined;
			await pause(6000);
			const record = () =>
				stream()
					.eventRecords()
					.find((e) => e.key === eventId)!;
			const deliveriesWhileRunning = record().deliveries;
			expect(deliveriesWhileRunning).toBeGreaterThan(10);
			expect(answersTo(eventId)).toEqual([]);
			expect(emitted.items).toHaveLength(1);
			finish();
			await settleDeliveries();
			expect(record()).toMatchObject({ acked: true, lost: false });
			// Every delivery (the first and each redelivery) is answered on its connection, SUCCESS, none LATER.
			await waitUntil(
				() => answersTo(eventId).length === record().deliveries,
				'an answer to every delivery',
			);
			expect(new Set(answersTo(eventId))).toEqual(new Set(['SUCCESS']));
			expect(emitted.executions.map((e) => e.status)).toEqual(['success']);
			// Once acknowledged, nothing comes again.
			const deliveries = record().deliveries;
			await pause(1000);
			expect(record().deliveries).toBe(deliveries);
			expect(emitted.items).toHaveLength(1);
		}, 30_000);

		it('executions are not serialised: 20 events run at once, each acknowledged when its own execution finishes', async () => {
			await start();
			const { emitted } = await rig.activate();
			await waitUntil(() => openIds().length === 1, 'a connection');
			const finishes = new Map<string, () => void>();
			emitted.hold = (item) =>
				new Promise<void>((resolve) => finishes.set(String(item.eventId), resolve));
			const keys = Array.from({ length: 20 }, (_, i) =>
				stream().publishEvent({ eventType: 'user_modify_org', data: { UserId: [`p${i}`] } }),
			);
			await waitUntil(() => finishes.size === 20, 'twenty executions running together');
			expect(emitted.executions.filter((e) => e.status === 'running')).toHaveLength(20);
			expect(stream().acks.filter((a) => a.kind === 'EVENT')).toEqual([]);
			// Finishing them in reverse order acknowledges them in that order.
			for (const key of [...keys].reverse()) {
				finishes.get(key)!();
				await waitUntil(() => answersTo(key).length === 1, `the ack of ${key}`);
			}
			expect(
				stream()
					.acks.filter((a) => a.kind === 'EVENT')
					.map((a) => a.key),
			).toEqual([...keys].reverse());
		});

		it('n8n starts no execution (runWorkflow throws): answered LATER, handed over again on the redelivery, acknowledged once recorded', async () => {
			await start({ redeliveryDelayMs: 200, maxDeliveries: 20 });
			const { emitted } = await rig.activate();
			await waitUntil(() => openIds().length === 1, 'a connection');
			let refusals = 2;
			emitted.refuse = () => (refusals-- > 0 ? new Error('Database is not ready!') : undefined);
			const logs = captureLogs();
			try {
				const eventId = stream().publishEvent({
					eventType: 'org_dept_create',
					data: { DeptId: [7] },
				});
				await waitUntil(() => answersTo(eventId).includes('SUCCESS'), 'the ack', 10_000);
				expect(answersTo(eventId)).toEqual(['LATER', 'LATER', 'SUCCESS']);
				expect(emitted.items).toHaveLength(3);
				expect(emitted.executions.map((e) => e.status)).toEqual(['success']);
				const lines = logs.lines.filter((l) => l.level !== 'debug').map((l) => l.message);
				expect(lines).toEqual([
					expect.stringMatching(
						/^DingTalk Stream: n8n did not record an event \(n8n started no execution: Database is not ready!\); it was answered LATER and DingTalk delivers it again \(about a minute later\) \[workflow "Stream workflow stream-wf-\d+", node "DingTalk Trigger"\]$/,
					),
					expect.stringMatching(
						/^DingTalk Stream: n8n records events again; 2 event\(s\) were left to DingTalk's redelivery/,
					),
				]);
			} finally {
				logs.restore();
			}
		});

		it('an execution stopped by a user or a timeout (donePromise rejected with ExecutionCancelledError) exists in n8n: acknowledged, not run again', async () => {
			await start({ redeliveryDelayMs: 200, maxDeliveries: 20 });
			const { emitted } = await rig.activate();
			await waitUntil(() => openIds().length === 1, 'a connection');
			emitted.refuse = () => new ManualExecutionCancelledError('exec-cancelled');
			const eventId = stream().publishEvent({
				eventType: 'org_dept_remove',
				data: { DeptId: [8] },
			});
			await waitUntil(() => answersTo(eventId).length === 1, 'the answer');
			await pause(600);
			expect(answersTo(eventId)).toEqual(['SUCCESS']);
			expect(emitted.items).toHaveLength(1);
		});

		it("n8n's Engine 2.0 refuses emits that wait: the trigger hands events over without waiting from then on, with one warn line", async () => {
			await start({ redeliveryDelayMs: 200, maxDeliveries: 20 });
			const { emitted } = await rig.activate();
			await waitUntil(() => openIds().length === 1, 'a connection');
			// What n8n 2.41's EngineV2ActiveTriggers.assertSupported throws for an emit with a donePromise.
			emitted.refuse = () => {
				const waiting = emitted.withDone.at(-1) === true;
				return waiting
					? new UserError(
							'Engine 2.0 cannot run a trigger that waits for its execution to finish yet. Set the node to hand off without waiting.',
						)
					: undefined;
			};
			const logs = captureLogs();
			try {
				const first = stream().publishEvent({
					eventType: 'user_add_org',
					data: { UserId: ['v2a'] },
				});
				await waitUntil(() => answersTo(first).length === 1, 'the first ack');
				const second = stream().publishEvent({
					eventType: 'user_add_org',
					data: { UserId: ['v2b'] },
				});
				await waitUntil(() => answersTo(second).length === 1, 'the second ack');
				expect([answersTo(first), answersTo(second)]).toEqual([['SUCCESS'], ['SUCCESS']]);
				expect(emitted.withDone).toEqual([true, false, false]);
				await waitUntil(() => emitted.executions.length === 2, 'two executions');
				expect(emitted.executions.map((e) => e.item.eventId)).toEqual([first, second]);
				expect(logs.lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
					expect.stringMatching(
						/^DingTalk Stream: n8n's Engine 2\.0 cannot report when an execution has finished/,
					),
				]);
			} finally {
				logs.restore();
			}
		});

		it('unusable events (data not JSON, a robot message without sender or sessionWebhook) are acknowledged, start nothing, and show up as failed executions with what was wrong; one warn line each', async () => {
			await start({ redeliveryDelayMs: 200, maxDeliveries: 20 });
			const { emitted } = await rig.activate({ robotMessages: true });
			await waitUntil(() => openIds().length === 1, 'a connection');
			const logs = captureLogs();
			try {
				const notJson = stream().publishEvent({
					eventType: 'user_add_org',
					data: {},
					rawData: '{"UserId": [broken',
				});
				const notObject = stream().publishEvent({
					eventType: 'user_add_org',
					data: {},
					rawData: '"just a string"',
				});
				const withoutSender: { msgId: string } = {
					msgId: 'msg-without-sender',
					...{ msgtype: 'text', text: { content: 'hi' }, conversationId: 'cid-1' },
				};
				const robot = stream().publishCallback(ROBOT_MESSAGE_TOPIC, withoutSender);
				const good = stream().publishRobotMessage({ text: 'a good one' });
				await waitUntil(() => emitted.items.length === 1, 'the good message');
				await waitUntil(
					() => [notJson, notObject, robot].every((key) => answersTo(key).length === 1),
					'the unusable ones acknowledged',
				);
				await pause(600);
				expect([notJson, notObject, robot].map(answersTo)).toEqual([
					['SUCCESS'],
					['SUCCESS'],
					['ok'],
				]);
				expect(emitted.items.map((item) => item.msgId)).toEqual([good.msgId]);
				expect(emitted.failed.map((e) => e.message)).toEqual([
					'DingTalk sent a Stream event that cannot start the workflow: its data is not JSON',
					'DingTalk sent a Stream event that cannot start the workflow: its data is not a JSON object',
					'DingTalk sent a Stream robot message that cannot start the workflow: a robot message without senderStaffId or senderId, sessionWebhook',
				]);
				expect((emitted.failed[2] as Error & { description?: string }).description).toContain(
					'msg-without-sender',
				);
				const warns = logs.lines.filter((l) => l.level === 'warn').map((l) => l.message);
				expect(warns).toHaveLength(3);
				expect(warns[2]).toMatch(
					/^DingTalk sent a Stream robot message that cannot start the workflow: a robot message without senderStaffId or senderId, sessionWebhook \(messageId [\w-]+\); acknowledged and recorded as a failed execution \[workflow "Stream workflow stream-wf-\d+", node "DingTalk Trigger"\]$/,
				);
			} finally {
				logs.restore();
			}
		});

		it('a redelivery to the workflow activated again while the first execution still runs starts nothing, and is acknowledged on the new connection when it finishes', async () => {
			await start();
			const first = await rig.activate({}, 'stream-wf-inflight');
			await waitUntil(() => openIds().length === 1, 'a connection');
			let finish: () => void = () => {};
			first.emitted.hold = () => new Promise<void>((resolve) => (finish = resolve));
			const eventId = stream().publishEvent({
				eventType: 'user_leave_org',
				data: { UserId: ['x'] },
			});
			await waitUntil(() => first.emitted.executions.length === 1, 'the execution');
			// Deactivation waits its (test) drain for the execution, then closes: the event is still unanswered.
			await rig.deactivate('stream-wf-inflight');
			const second = await rig.activate({}, 'stream-wf-inflight');
			await waitUntil(() => openIds().length === 1, 'the new connection');
			const [newConnection] = openIds();
			stream().duplicate(eventId);
			await pause(300);
			expect(second.emitted.items).toEqual([]);
			expect(answersTo(eventId)).toEqual([]);
			finish();
			await waitUntil(() => answersTo(eventId).length === 1, 'the ack');
			expect(stream().acks.find((a) => a.key === eventId)).toMatchObject({
				connectionId: newConnection,
				data: { status: 'SUCCESS' },
			});
			expect([...first.emitted.executions, ...second.emitted.executions]).toHaveLength(1);
		});
	},
);
