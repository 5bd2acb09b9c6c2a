/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs under Node and jest, never inside n8n */
// The Stream client against the emulator's Stream server over real WebSockets (Node's global one), opening
// connections through n8n's own HTTP client. Timings are shortened; the clock-level checks are in timing.test.ts.
import { DEFAULT_STREAM_TIMING, type StreamEvent } from '../../../nodes/DingTalk/stream';
import type { ApiEmulator } from '../../emulator';
import { DINGTALK_SEED } from '../../emulator';
import { describeWithWebSocket } from '../../support/webSocket';
import {
	IntervalScheduler,
	pause,
	startEmulator,
	streamClient,
	waitUntil,
	type ClientUnderTest,
} from './support';

/** How many times each key was handed over. */
function counts(events: StreamEvent[]): Map<string, number> {
	const byKey = new Map<string, number>();
	for (const event of events) {
		const key = event.eventId ?? String(event.data.msgId);
		byKey.set(key, (byKey.get(key) ?? 0) + 1);
	}
	return byKey;
}

function expectExactlyOnce(events: StreamEvent[], keys: string[]): void {
	const seen = counts(events);
	const lost = keys.filter((k) => !seen.has(k));
	const doubled = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
	expect({ lost: lost.length, doubled: doubled.length, handed: events.length }).toEqual({
		lost: 0,
		doubled: 0,
		handed: keys.length,
	});
}

describeWithWebSocket('DingTalk Stream client over WebSocket (emulator)', () => {
	let emulator: ApiEmulator;
	let scheduler: IntervalScheduler;
	const clients: ClientUnderTest[] = [];

	async function start(
		streamOptions: Parameters<typeof startEmulator>[0] = {},
		options: Partial<Parameters<typeof streamClient>[1]> = {},
	): Promise<ClientUnderTest> {
		emulator ??= await startEmulator(streamOptions);
		const rig = streamClient(emulator, { scheduler: scheduler.schedule, ...options });
		clients.push(rig);
		await rig.client.start();
		return rig;
	}

	const stream = () => emulator.dingtalkStream;
	/** Until every event is acknowledged or given up on (lost), so a count shows what went wrong. */
	const settleDeliveries = (timeoutMs = 10_000) =>
		waitUntil(
			() =>
				stream()
					.unacked()
					.every((e) => e.lost),
			'every event acknowledged or lost',
			timeoutMs,
		);
	const openIds = () =>
		stream()
			.openConnections()
			.map((c) => c.id);

	beforeEach(() => {
		scheduler = new IntervalScheduler(20);
	});

	afterEach(async () => {
		for (const rig of clients.splice(0)) rig.client.close();
		await emulator?.stop();
		emulator = undefined as unknown as ApiEmulator;
	});

	it('connects with a one-use ticket and subscribes EVENT * (plus robot messages when chosen)', async () => {
		await start({}, { robotMessages: true });
		await waitUntil(() => openIds().length === 1, 'a connection');
		const [connection] = stream().connections();
		expect(connection.subscriptions).toEqual([
			{ type: 'EVENT', topic: '*' },
			{ type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' },
		]);
		expect(connection.ua).toBe('n8n-nodes-wecom-dingtalk');
		const tickets = [...emulator.dingtalk.stream.tickets.values()];
		expect(tickets).toHaveLength(1);
		expect(tickets[0].used).toBe(true);
		expect(stream().refusals).toEqual([]);
	});

	it('hands an event over before acknowledging it, and acknowledges without waiting for the workflow', async () => {
		const order: string[] = [];
		let handOver: () => void = () => {};
		const rig = await start(
			{},
			{
				onEvent: (event) =>
					new Promise<void>((resolve) => {
						order.push(`handed ${event.eventId}`);
						handOver = () => {
							order.push(`emitted ${event.eventId}`);
							resolve();
						};
					}),
			},
		);
		await waitUntil(() => openIds().length === 1, 'a connection');
		const eventId = stream().publishEvent({
			eventType: 'bpms_instance_change',
			data: { processInstanceId: 'p1', type: 'finish', result: 'agree' },
		});
		await waitUntil(() => order.length === 1, 'the hand-over');
		await pause(200);
		expect(stream().acks.filter((a) => a.key === eventId)).toEqual([]);
		handOver();
		await waitUntil(() => stream().acks.some((a) => a.key === eventId), 'the ack');
		order.push(`acked ${eventId}`);
		expect(order).toEqual([`handed ${eventId}`, `emitted ${eventId}`, `acked ${eventId}`]);
		const ack = stream().acks.find((a) => a.key === eventId)!;
		expect(ack.data).toEqual({ status: 'SUCCESS' });
		expect(stream().unacked()).toEqual([]);
		expect(stream().badFrames).toEqual([]);
		expect(rig.client.stats.events).toBe(1);
	});

	it('gives the trigger the event type and id from the headers and the parsed data', async () => {
		const rig = await start();
		await waitUntil(() => openIds().length === 1, 'a connection');
		const eventId = stream().publishEvent({
			eventType: 'user_add_org',
			data: { UserId: ['manager4220'], CorpId: DINGTALK_SEED.corpId },
		});
		await waitUntil(() => rig.events.length === 1, 'the event');
		expect(rig.events[0]).toMatchObject({
			type: 'EVENT',
			eventType: 'user_add_org',
			eventId,
			corpId: DINGTALK_SEED.corpId,
			data: { UserId: ['manager4220'] },
		});
	});

	it('answers every SYSTEM ping with its data', async () => {
		const rig = await start();
		await waitUntil(() => openIds().length === 1, 'a connection');
		const sent = [...stream().ping(), ...stream().ping(), ...stream().ping()];
		await waitUntil(() => stream().acks.filter((a) => a.kind === 'ping').length === 3, 'pongs');
		expect(stream().acks.map((a) => JSON.stringify(a.data))).toEqual(sent);
		expect(stream().badFrames).toEqual([]);
		expect(rig.client.stats.pings).toBe(3);
	});

	it('robot messages: the documented payload arrives and is answered with {"response":null}; without the subscription none come', async () => {
		const rig = await start({}, { robotMessages: true });
		await waitUntil(() => openIds().length === 1, 'a connection');
		const sent = stream().publishRobotMessage({ text: '请假', conversationType: '2' });
		await waitUntil(() => rig.events.length === 1, 'the robot message');
		expect(rig.events[0]).toMatchObject({
			type: 'CALLBACK',
			topic: '/v1.0/im/bot/messages/get',
			data: {
				msgId: sent.msgId,
				text: { content: '请假' },
				conversationType: '2',
				senderStaffId: sent.senderStaffId,
				sessionWebhook: sent.sessionWebhook,
				sessionWebhookExpiredTime: sent.sessionWebhookExpiredTime,
			},
		});
		await waitUntil(() => stream().acks.some((a) => a.key === sent.msgId), 'the ack');
		expect(stream().acks.find((a) => a.key === sent.msgId)!.data).toEqual({ response: null });

		rig.client.close();
		const eventsOnly = await start();
		await waitUntil(
			() => stream().openConnections().length === 1 && eventsOnly.client.openConnections === 1,
			'the events-only connection',
		);
		const unheard = stream().publishRobotMessage({ text: 'anyone?' });
		await pause(200);
		expect(eventsOnly.events).toEqual([]);
		expect(
			stream()
				.unacked()
				.map((e) => e.key),
		).toEqual([unheard.msgId]);
	});

	it('SYSTEM disconnect: the next connection opens before the old one closes, and no event is lost', async () => {
		// No redelivery: whatever is not handed over in the overlap would be lost for good.
		// DingTalk closes the old socket about 10 s after its disconnect (the grace below).
		const rig = await start({
			disconnectGraceMs: 10_000,
			maxDeliveries: 1,
			redeliveryDelayMs: 10_000,
		});
		await waitUntil(() => openIds().length === 1, 'a connection');
		const [old] = openIds();
		const keys: string[] = [];
		const publish = (i: number) =>
			keys.push(
				stream().publishEvent({ eventType: 'user_modify_org', data: { UserId: [`u${i}`] } }),
			);
		let i = 0;
		for (; i < 30; i++) {
			publish(i);
			await pause(10);
		}
		stream().disconnect(old);
		// Events keep coming while the client replaces the connection (however long that takes), then on the new one
		// and after the old socket is gone.
		while (!openIds().some((id) => id !== old)) {
			publish(i++);
			await pause(10);
		}
		for (const end = i + 30; i < end; i++) {
			publish(i);
			await pause(10);
		}
		await waitUntil(
			() =>
				stream()
					.connections()
					.find((c) => c.id === old)!.state === 'closed',
			'the old socket closed by the server',
			20_000,
		);
		for (const end = i + 30; i < end; i++) {
			publish(i);
			await pause(10);
		}
		await settleDeliveries();
		expectExactlyOnce(rig.events, keys);
		expect(stream().lost()).toEqual([]);
		const [before, after] = stream().connections();
		expect(after.openedAt).toBeLessThan(before.closedAt!);
		// Events went to both: the old connection served until the new one was open.
		expect(
			new Set(
				stream()
					.eventRecords()
					.map((e) => e.sentTo[0]),
			).size,
		).toBe(2);
		expect(rig.client.stats.disconnects).toBe(1);
		expect(rig.failures).toEqual([]);
	}, 45_000);

	it('forced drops under a stream of events: zero lost, zero doubled', async () => {
		const rig = await start({ redeliveryDelayMs: 300, maxDeliveries: 50 }, { robotMessages: true });
		await waitUntil(() => openIds().length === 1, 'a connection');
		const keys: string[] = [];
		for (let i = 0; i < 300; i++) {
			if (i % 50 === 25) {
				// Each drop hits a live connection: wait for the reconnection after the previous one.
				await waitUntil(() => openIds().length === 1, 'a connection to drop', 15_000);
				stream().drop(openIds()[0]);
			}
			// The event right after a drop goes to the dying socket: it must come again.
			keys.push(
				i % 7 === 0
					? stream().publishRobotMessage({ text: `m${i}` }).msgId
					: stream().publishEvent({ eventType: 'bpms_task_change', data: { taskId: i } }),
			);
			// DingTalk also sends an acknowledged event again now and then.
			if (i % 30 === 29) {
				const acked = stream()
					.eventRecords()
					.find((e) => e.acked);
				if (acked) stream().duplicate(acked.key);
			}
			await pause(5);
		}
		await settleDeliveries(20_000);
		expectExactlyOnce(rig.events, keys);
		const records = stream().eventRecords();
		expect(records.filter((e) => e.lost)).toEqual([]);
		// The drops did cost deliveries that had to be repeated, and repeats were recognised.
		expect(records.some((e) => e.deliveries > 1)).toBe(true);
		expect(rig.client.stats.duplicates).toBeGreaterThan(0);
		expect(
			stream()
				.connections()
				.filter((c) => c.closeCode === 1006).length,
		).toBe(6);
		expect(stream().badFrames).toEqual([]);
	}, 40_000);

	it('several connections of one app share the events: each gets part, together all, once', async () => {
		const first = await start({ random: Math.random });
		const second = await start();
		await waitUntil(() => openIds().length === 2, 'two connections');
		const keys: string[] = [];
		for (let i = 0; i < 60; i++) {
			keys.push(stream().publishEvent({ eventType: 'org_dept_create', data: { DeptId: [i] } }));
		}
		await settleDeliveries();
		expect(first.events.length).toBeGreaterThan(0);
		expect(second.events.length).toBeGreaterThan(0);
		expectExactlyOnce([...first.events, ...second.events], keys);
	});

	it('the idle watchdog replaces a silent (zombie) socket, and redelivery brings what it swallowed', async () => {
		const rig = await start(
			// A budget of deliveries wide enough for a busy machine: the test waits for the redeliveries, it does not race them.
			{ pingIntervalMs: 100, redeliveryDelayMs: 500, maxDeliveries: 100 },
			{ timing: { idleTimeoutMs: 2000 } },
		);
		await waitUntil(() => openIds().length === 1, 'a connection');
		// Pings keep a healthy connection: no renewal while they come (for longer than the idle timeout).
		await pause(3000);
		expect(rig.client.stats.idleRenewals).toBe(0);
		expect(stream().connections()).toHaveLength(1);

		const [zombie] = openIds();
		stream().zombify(zombie);
		const keys: string[] = [];
		for (let i = 0; i < 5; i++) {
			keys.push(
				stream().publishEvent({ eventType: 'user_leave_org', data: { UserId: [`z${i}`] } }),
			);
		}
		await waitUntil(() => rig.client.stats.idleRenewals === 1, 'the watchdog');
		await waitUntil(
			() =>
				stream()
					.connections()
					.find((c) => c.id === zombie)!.state === 'closed',
			'the zombie closed by the client',
		);
		await settleDeliveries(60_000);
		expectExactlyOnce(rig.events, keys);
		expect(openIds()).toHaveLength(1);
		expect(openIds()[0]).not.toBe(zombie);
	}, 90_000);

	it('after 20 silent-socket replacements the process holds exactly one socket to the gateway; each silent one was closed within the bound', async () => {
		const rig = await start({ pingIntervalMs: 100 }, { timing: { idleTimeoutMs: 400 } });
		const zombies: string[] = [];
		for (let i = 0; i < 20; i++) {
			await waitUntil(() => openIds().length === 1, 'a live connection', 15_000);
			const [live] = openIds();
			stream().zombify(live);
			zombies.push(live);
			await waitUntil(() => !openIds().includes(live), `zombie ${i + 1} closed`, 15_000);
		}
		// On a loaded machine a ping can come later than the 400 ms idle bound, and the client then renews a live socket
		// too (CI caught it opening one more): wait for it to settle, and count at least the 20 forced renewals.
		await waitUntil(
			() => openIds().length === 1 && rig.client.sockets === 1 && rig.client.openConnections === 1,
			'one socket, at both ends',
			15_000,
		);
		expect({
			emulatorOpen: openIds().length,
			clientOpen: rig.client.openConnections,
			clientSockets: rig.client.sockets,
			abandoned: rig.client.stats.abandonedSockets,
		}).toEqual({ emulatorOpen: 1, clientOpen: 1, clientSockets: 1, abandoned: 0 });
		expect(rig.client.stats.idleRenewals).toBeGreaterThanOrEqual(20);
		// Each zombie's server side saw the close (code 1000) within the close bound after its replacement opened.
		const byId = new Map(
			stream()
				.connections()
				.map((c) => [c.id, c]),
		);
		const connections = stream().connections();
		for (const id of zombies) {
			const zombie = byId.get(id)!;
			const replacement = connections[connections.findIndex((c) => c.id === id) + 1];
			expect(zombie.closeCode).toBe(1000);
			expect(zombie.closedAt! - replacement.openedAt).toBeLessThan(
				DEFAULT_STREAM_TIMING.closeTimeoutMs,
			);
		}
	}, 60_000);

	it('a deaf peer (never answers the close frame): the client gives the socket up within closeTimeoutMs and keeps one; only the peer can end its TCP connection', async () => {
		const rig = await start(
			{ pingIntervalMs: 100, redeliveryDelayMs: 300, maxDeliveries: 50 },
			{ timing: { idleTimeoutMs: 400, closeTimeoutMs: 1000 } },
		);
		await waitUntil(() => openIds().length === 1, 'a connection');
		const [deaf] = openIds();
		stream().zombify(deaf, { deaf: true });
		await waitUntil(() => rig.client.stats.idleRenewals === 1, 'the watchdog');
		await waitUntil(
			() => rig.client.openConnections === 1 && rig.client.sockets === 2,
			'the replacement open',
		);
		await waitUntil(() => rig.client.sockets === 1, 'the deaf socket given up', 3000);
		expect(rig.client.stats.abandonedSockets).toBe(1);
		expect(rig.logs.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
			'DingTalk Stream: no frame (not even a ping) for 1 s; replacing the connection now',
			'DingTalk Stream: a replaced connection did not answer its close within 1 s; it is no longer used (DingTalk or the network ends it)',
		]);
		// Events still reach the workflow: DingTalk may push to the deaf connection (it looks open), and redelivers.
		const key = stream().publishEvent({ eventType: 'user_add_org', data: { UserId: ['after'] } });
		await waitUntil(() => rig.events.some((e) => e.eventId === key), 'the event', 15_000);
		// What the WHATWG WebSocket (undici) allows: close() sends the close frame and waits for the peer's; it has no
		// timeout and nothing else ends an established connection, so the deaf peer's TCP connection stays until that
		// peer (or the network) ends it. When it does, nothing is left.
		expect(
			stream()
				.openConnections()
				.map((c) => c.id),
		).toContain(deaf);
		stream().drop(deaf);
		await waitUntil(() => openIds().length === 1, 'the deaf connection gone');
	});

	it('renews a connection at its lifetime cap without losing events', async () => {
		// Redeliveries allowed, as DingTalk redelivers what was not acked: an event the server pushes to the old socket
		// in the very moment the client closes it (after the drain) is in flight on a closed connection, under any client
		// (and on a busy machine that can happen at more than one renewal of the same event).
		const rig = await start(
			{ pingIntervalMs: 50, maxDeliveries: 5, redeliveryDelayMs: 200 },
			{ timing: { maxLifetimeMs: 400, drainMs: 150 } },
		);
		await waitUntil(() => openIds().length === 1, 'a connection');
		const keys: string[] = [];
		for (let i = 0; i < 100; i++) {
			keys.push(stream().publishEvent({ eventType: 'check_in', data: { i } }));
			await pause(10);
		}
		await settleDeliveries();
		expectExactlyOnce(rig.events, keys);
		expect(rig.client.stats.lifetimeRenewals).toBeGreaterThanOrEqual(1);
		expect(stream().connections().length).toBeGreaterThanOrEqual(2);
		expect(
			stream()
				.connections()
				.filter((c) => c.state === 'closed')
				.every((c) => c.closeCode === 1000),
		).toBe(true);
	});

	it('close() closes the socket and stops every loop: no ticks, no reconnect, no timer left', async () => {
		const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
		// The emulator's own timers (its HTTP server's connection check) are there before the client starts.
		emulator = await startEmulator();
		const timersBefore = timeouts();
		const rig = await start();
		await waitUntil(() => openIds().length === 1, 'a connection');
		const opens = () => emulator.callsTo('/v1.0/gateway/connections/open').length;
		expect(scheduler.active).toBe(1);
		rig.client.close();
		expect(scheduler.active).toBe(0);
		await waitUntil(() => openIds().length === 0, 'the socket closed');
		expect(stream().connections()[0].closeCode).toBe(1000);
		// No timer is left: the count comes back to what it was before the client started (the HTTP keep-alive timers of
		// the open call run out within seconds, however slow the machine; a timer of the client's would stay, or fire
		// and reconnect).
		await waitUntil(
			() => timeouts() <= timersBefore,
			`no more timers than before the client started (${timersBefore})`,
			20_000,
		);
		// Whatever happens next, the client stays silent.
		stream().publishEvent({ eventType: 'user_add_org', data: {} });
		await pause(500);
		expect(opens()).toBe(1);
		expect(rig.events).toEqual([]);
	});

	it('close() while a connection is being opened: the late answer opens no socket', async () => {
		emulator = await startEmulator();
		emulator.injectFault({ kind: 'latency', ms: 300, path: '/v1.0/gateway/connections/open' });
		const rig = streamClient(emulator, { scheduler: scheduler.schedule });
		clients.push(rig);
		const started = rig.client.start();
		await pause(50);
		rig.client.close();
		await started;
		await pause(600);
		expect(emulator.callsTo('/v1.0/gateway/connections/open')).toHaveLength(1);
		expect(stream().connections()).toEqual([]);
		expect(scheduler.active).toBe(0);
	});

	it('reconnects after a drop with a fresh ticket; no log line or report holds the secret or a ticket', async () => {
		const rig = await start({}, { timing: { backoff: { initialMs: 50, maxMs: 200 } } });
		await waitUntil(() => openIds().length === 1, 'a connection');
		stream().drop(openIds()[0]);
		emulator.injectFault({
			kind: 'http',
			status: 503,
			path: '/v1.0/gateway/connections/open',
			times: 2,
		});
		await waitUntil(
			() => openIds().length === 1 && rig.client.openConnections === 1,
			'reconnected',
		);
		const tickets = [...emulator.dingtalk.stream.tickets.values()];
		expect(tickets).toHaveLength(2);
		expect(tickets.every((t) => t.used)).toBe(true);
		expect(rig.logs.length).toBeGreaterThan(0);
		const surfaced = JSON.stringify({
			logs: rig.logs,
			failures: rig.failures.map((f) => f.error.message),
		});
		expect(surfaced).not.toContain(DINGTALK_SEED.appSecret);
		for (const t of tickets) expect(surfaced).not.toContain(t.ticket);
	});
});
