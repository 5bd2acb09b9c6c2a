/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any -- test code: runs under Node and jest, never inside n8n */
import { ApiEmulator, DINGTALK_SEED, type StreamServerOptions } from '.';
import { RawWebSocket } from './rawWebSocket';
import { request } from './testClient';

const OPEN = '/v1.0/gateway/connections/open';
const ROBOT = '/v1.0/im/bot/messages/get';

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

describe('DingTalk Stream server (emulator)', () => {
	let emulator: ApiEmulator;
	let clock: number;
	const sockets: RawWebSocket[] = [];

	async function startWith(stream: StreamServerOptions = {}): Promise<void> {
		clock = Date.UTC(2026, 10, 2, 8, 0, 0);
		emulator = await ApiEmulator.start({ plugins: ['dingtalk'], now: () => clock, stream });
	}

	const server = () => emulator.dingtalkStream;

	async function ticket(
		subscriptions: unknown = [{ type: 'EVENT', topic: '*' }],
	): Promise<{ endpoint: string; ticket: string }> {
		const res = await request(emulator.baseUrl, 'POST', OPEN, {
			headers: { accept: 'application/json', 'content-type': 'application/json' },
			body: {
				clientId: DINGTALK_SEED.appKey,
				clientSecret: DINGTALK_SEED.appSecret,
				subscriptions,
				ua: 'test',
			},
		});
		expect(res.status).toBe(200);
		return res.json;
	}

	async function connect(subscriptions?: unknown): Promise<RawWebSocket> {
		const { endpoint, ticket: t } = await ticket(subscriptions);
		const socket = await RawWebSocket.open(`${endpoint}?ticket=${encodeURIComponent(t)}`);
		sockets.push(socket);
		expect(socket.handshake.status).toBe(101);
		await until(() => socket.messages().length > 0, 'CONNECTED');
		return socket;
	}

	/** Answers an EVENT/CALLBACK frame the way a client does. */
	function ack(socket: RawWebSocket, frame: Record<string, any>, data: unknown): void {
		socket.sendJson({
			code: 200,
			headers: { contentType: 'application/json', messageId: frame.headers.messageId },
			message: 'OK',
			data: JSON.stringify(data),
		});
	}

	const framesOf = (socket: RawWebSocket, type: string) =>
		socket.messages().filter((m) => m.type === type);

	afterEach(async () => {
		for (const socket of sockets.splice(0)) socket.end();
		await emulator.stop();
	});

	describe('tickets', () => {
		beforeEach(() => startWith());

		it('a ticket opens one connection, once, within 90 s of the emulator clock', async () => {
			const first = await ticket();
			const url = `${first.endpoint}?ticket=${encodeURIComponent(first.ticket)}`;
			const ok = await RawWebSocket.open(url);
			sockets.push(ok);
			expect(ok.handshake.status).toBe(101);
			const again = await RawWebSocket.open(url);
			sockets.push(again);
			expect(again.handshake.status).toBe(401);

			const late = await ticket();
			clock += 90_001;
			const expired = await RawWebSocket.open(
				`${late.endpoint}?ticket=${encodeURIComponent(late.ticket)}`,
			);
			sockets.push(expired);
			expect(expired.handshake.status).toBe(401);
			const unknown = await RawWebSocket.open(`${late.endpoint}?ticket=made-up`);
			sockets.push(unknown);
			expect(unknown.handshake.status).toBe(401);
			expect(server().refusals).toEqual([
				'ticket already used',
				'ticket expired',
				'unknown ticket',
			]);
			expect(server().openConnections()).toHaveLength(1);
		});

		it('completes the RFC 6455 handshake (the RFC’s own key and answer) and refuses other paths', async () => {
			const { endpoint, ticket: t } = await ticket();
			const socket = await RawWebSocket.open(
				`${endpoint}?ticket=${encodeURIComponent(t)}`,
				'dGhlIHNhbXBsZSBub25jZQ==',
			);
			sockets.push(socket);
			expect(socket.handshake.headers['sec-websocket-accept']).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
			const elsewhere = await RawWebSocket.open(`${emulator.baseUrl.replace('http', 'ws')}/other`);
			sockets.push(elsewhere);
			expect(elsewhere.handshake.status).toBe(404);
		});

		it('refuses wrong credentials with invalidClientIdOrSecret and a missing one with MissingParameter', async () => {
			const bad = await request(emulator.baseUrl, 'POST', OPEN, {
				headers: { accept: 'application/json' },
				body: { clientId: DINGTALK_SEED.appKey, clientSecret: 'nope', subscriptions: [] },
			});
			expect(bad.status).toBe(400);
			expect(bad.json.code).toBe('invalidClientIdOrSecret');
			const missing = await request(emulator.baseUrl, 'POST', OPEN, {
				headers: { accept: 'application/json' },
				body: { subscriptions: [{ type: 'EVENT', topic: '*' }] },
			});
			expect(missing.json.code).toBe('MissingParameter');
			expect(emulator.dingtalk.stream.tickets.size).toBe(0);
		});
	});

	describe('frames', () => {
		beforeEach(() => startWith({ redeliveryDelayMs: 60_000, disconnectGraceMs: 100 }));

		it('greets with SYSTEM CONNECTED and sends EVENTs with type and id in the headers', async () => {
			const socket = await connect();
			expect(socket.messages()[0]).toMatchObject({
				specVersion: '1.0',
				type: 'SYSTEM',
				headers: { topic: 'CONNECTED', messageId: expect.any(String) },
			});
			const eventId = server().publishEvent({
				eventType: 'bpms_task_change',
				data: { processInstanceId: 'p1', taskId: 7, type: 'finish', result: 'agree' },
			});
			await until(() => framesOf(socket, 'EVENT').length === 1, 'the EVENT');
			const [frame] = framesOf(socket, 'EVENT');
			expect(frame.headers).toEqual({
				appId: DINGTALK_SEED.appKey,
				connectionId: server().connections()[0].id,
				contentType: 'application/json',
				messageId: expect.any(String),
				time: String(clock),
				topic: '*',
				eventType: 'bpms_task_change',
				eventId,
				eventBornTime: String(clock),
				eventCorpId: DINGTALK_SEED.corpId,
				eventUnifiedAppId: DINGTALK_SEED.appKey,
			});
			expect(typeof frame.data).toBe('string');
			expect(JSON.parse(frame.data)).toEqual({
				processInstanceId: 'p1',
				taskId: 7,
				type: 'finish',
				result: 'agree',
			});
		});

		it('robot messages carry the documented payload and go only to connections subscribed to them', async () => {
			const eventsOnly = await connect();
			const robots = await connect([
				{ type: 'EVENT', topic: '*' },
				{ type: 'CALLBACK', topic: ROBOT },
			]);
			const payload = server().publishRobotMessage({ text: '你好', conversationType: '2' });
			await until(() => framesOf(robots, 'CALLBACK').length === 1, 'the CALLBACK');
			const [frame] = framesOf(robots, 'CALLBACK');
			expect(frame.headers).toMatchObject({ topic: ROBOT, messageId: expect.any(String) });
			const data = JSON.parse(frame.data);
			expect(data).toEqual(payload);
			expect(data).toMatchObject({
				conversationType: '2',
				robotCode: DINGTALK_SEED.appKey,
				msgtype: 'text',
				text: { content: '你好' },
				isInAtList: true,
				createAt: clock,
				sessionWebhookExpiredTime: clock + 90 * 60_000,
			});
			expect(data.sessionWebhook).toMatch(
				new RegExp(`^${emulator.baseUrl}/robot/sendBySession\\?session=[0-9a-f]{32}$`),
			);
			expect(framesOf(eventsOnly, 'CALLBACK')).toEqual([]);
			ack(robots, frame, { response: null });
			await until(() => server().acks.length === 1, 'the ack');
			expect(server().unacked()).toEqual([]);
		});

		it('checks answers: the messageId of something sent on that connection, code 200, data a JSON string, an EVENT status', async () => {
			const socket = await connect();
			server().publishEvent({ eventType: 'user_add_org', data: {} });
			await until(() => framesOf(socket, 'EVENT').length === 1, 'the EVENT');
			const [frame] = framesOf(socket, 'EVENT');
			socket.sendJson({ code: 200, headers: { messageId: 'never-sent' }, data: '{}' });
			socket.sendJson({ code: 500, headers: { messageId: frame.headers.messageId }, data: '{}' });
			socket.sendJson({
				code: 200,
				headers: { messageId: frame.headers.messageId },
				data: { status: 'SUCCESS' },
			});
			socket.sendFrame(0x1, 'not json');
			await until(() => server().badFrames.length === 4, 'four refusals');
			expect(server().badFrames.map((b) => b.reason)).toEqual([
				'messageId of nothing sent on this connection',
				'an answer needs code 200 and data as a JSON string',
				'an answer needs code 200 and data as a JSON string',
				'not JSON',
			]);
			ack(socket, frame, { status: 'DONE' });
			await until(() => server().badFrames.length === 5, 'a bad status');
			expect(server().badFrames[4].reason).toMatch(/SUCCESS or LATER/);
			expect(server().unacked()).toHaveLength(1);

			const [pingData] = server().ping();
			await until(() => framesOf(socket, 'SYSTEM').length === 2, 'the ping');
			const ping = framesOf(socket, 'SYSTEM')[1];
			expect(ping.headers.topic).toBe('ping');
			expect(ping.data).toBe(pingData);
			ack(socket, ping, { something: 'else' });
			await until(() => server().badFrames.length === 6, 'a wrong ping answer');
			expect(server().badFrames[5].reason).toBe('a ping answer must echo the ping data');
		});

		it('delivers an unacknowledged or LATER event again after the delay, with a new messageId; gives up after maxDeliveries', async () => {
			await emulator.stop();
			await startWith({ redeliveryDelayMs: 60_000, maxDeliveries: 3 });
			const socket = await connect();
			const eventId = server().publishEvent({ eventType: 'check_in', data: {} });
			await until(() => framesOf(socket, 'EVENT').length === 1, 'the first delivery');
			server().redeliverDue();
			expect(framesOf(socket, 'EVENT')).toHaveLength(1);
			clock += 60_000;
			server().redeliverDue();
			await until(() => framesOf(socket, 'EVENT').length === 2, 'the redelivery');
			const [first, second] = framesOf(socket, 'EVENT');
			expect(second.headers.eventId).toBe(eventId);
			expect(second.headers.messageId).not.toBe(first.headers.messageId);
			ack(socket, second, { status: 'LATER' });
			await until(() => server().acks.length === 1, 'the LATER');
			clock += 60_000;
			server().redeliverDue();
			await until(() => framesOf(socket, 'EVENT').length === 3, 'the third delivery');
			clock += 60_000;
			server().redeliverDue();
			expect(
				server()
					.lost()
					.map((e) => e.key),
			).toEqual([eventId]);
			expect(server().eventRecords()[0]).toMatchObject({ deliveries: 3, acked: false, lost: true });
		});

		it('shares events among the connections of the app, one connection each', async () => {
			await emulator.stop();
			let pick = 0;
			await startWith({ random: () => [0.1, 0.9][pick++ % 2] });
			const a = await connect();
			const b = await connect();
			for (let i = 0; i < 10; i++)
				server().publishEvent({ eventType: 'org_dept_create', data: { i } });
			await until(
				() => framesOf(a, 'EVENT').length + framesOf(b, 'EVENT').length === 10,
				'ten deliveries',
			);
			expect(framesOf(a, 'EVENT')).toHaveLength(5);
			expect(framesOf(b, 'EVENT')).toHaveLength(5);
		});

		it('disconnect: SYSTEM disconnect with a reason, new events to the other connections, the socket closed after the grace', async () => {
			const old = await connect();
			const next = await connect();
			const [oldId] = server()
				.openConnections()
				.map((c) => c.id);
			server().disconnect(oldId);
			await until(() => framesOf(old, 'SYSTEM').length === 2, 'the disconnect');
			const disconnect = framesOf(old, 'SYSTEM')[1];
			expect(disconnect.headers.topic).toBe('disconnect');
			expect(JSON.parse(disconnect.data)).toEqual({ reason: 'persistent connection is timeout' });
			expect(server().connections()[0].state).toBe('draining');
			for (let i = 0; i < 4; i++) server().publishEvent({ eventType: 'x', data: {} });
			await until(() => framesOf(next, 'EVENT').length === 4, 'events on the other connection');
			expect(framesOf(old, 'EVENT')).toEqual([]);
			await until(() => old.closeCode() !== undefined, 'the close frame');
			expect(old.closeCode()).toBe(1000);
		});

		it('drop ends the TCP connection without a close frame; a zombie stays open and says nothing', async () => {
			const dropped = await connect();
			const zombie = await connect();
			const [droppedId, zombieId] = server()
				.openConnections()
				.map((c) => c.id);
			server().drop(droppedId);
			await until(() => dropped.ended, 'the drop');
			expect(dropped.closeCode()).toBeUndefined();
			expect(server().connections()[0]).toMatchObject({ state: 'closed', closeCode: 1006 });

			server().zombify(zombieId);
			const seen = zombie.frames.length;
			server().ping();
			const eventId = server().publishEvent({ eventType: 'x', data: {} });
			await new Promise((resolve) => setTimeout(resolve, 100));
			expect(zombie.frames).toHaveLength(seen);
			expect(zombie.ended).toBe(false);
			// It was handed the event all the same: it waits for redelivery.
			expect(server().eventRecords()[0]).toMatchObject({ key: eventId, sentTo: [zombieId] });
		});

		it('speaks RFC 6455: fragmented messages, ping/pong, close handshake; unmasked and binary frames end the connection', async () => {
			const socket = await connect();
			server().publishEvent({ eventType: 'x', data: {} });
			await until(() => framesOf(socket, 'EVENT').length === 1, 'the EVENT');
			const [frame] = framesOf(socket, 'EVENT');
			const answer = JSON.stringify({
				code: 200,
				headers: { messageId: frame.headers.messageId },
				message: 'OK',
				data: '{"status":"SUCCESS"}',
			});
			socket.sendFrame(0x1, answer.slice(0, 10), { fin: false });
			socket.sendFrame(0x0, answer.slice(10, 30), { fin: false });
			socket.sendFrame(0x9, 'are you there');
			socket.sendFrame(0x0, answer.slice(30));
			await until(() => server().acks.length === 1, 'the fragmented answer');
			// The pong is written by the server when it reads the ping; the client may read it a moment later.
			await until(() => socket.frames.some((f) => f.opcode === 0xa), 'the pong');
			const pong = socket.frames.find((f) => f.opcode === 0xa);
			expect(pong?.payload.toString()).toBe('are you there');
			const closing = Buffer.alloc(2);
			closing.writeUInt16BE(1000);
			socket.sendFrame(0x8, closing);
			await until(() => socket.closeCode() === 1000, 'the close answer');
			await until(() => server().connections()[0].state === 'closed', 'closed');
			expect(server().connections()[0].closeCode).toBe(1000);

			const unmasked = await connect();
			unmasked.sendFrame(0x1, '{}', { masked: false });
			await until(() => unmasked.closeCode() === 1002, 'protocol error');
			const binary = await connect();
			binary.sendFrame(0x2, Buffer.from([1, 2, 3]));
			await until(() => binary.closeCode() === 1003, 'unsupported data');
		});

		it('events that find no connection wait for the next one after the redelivery delay', async () => {
			const eventId = server().publishEvent({ eventType: 'user_add_org', data: {} });
			expect(server().eventRecords()[0]).toMatchObject({ deliveries: 1, sentTo: [] });
			const socket = await connect();
			expect(framesOf(socket, 'EVENT')).toEqual([]);
			clock += 60_000;
			server().redeliverDue();
			await until(() => framesOf(socket, 'EVENT').length === 1, 'the delivery');
			expect(framesOf(socket, 'EVENT')[0].headers.eventId).toBe(eventId);
		});

		it('reset() drops every connection and stop() does not wait on them', async () => {
			const socket = await connect();
			emulator.reset();
			await until(() => socket.ended, 'the drop');
			expect(server().connections()).toEqual([]);
			expect(emulator.dingtalk.stream.tickets.size).toBe(0);
			await connect();
			await emulator.stop();
		});
	});

	describe('controls over HTTP (/_emulator/stream/…)', () => {
		beforeEach(() => startWith());

		it('publishes events and robot messages, lists connections and events, and misbehaves on request', async () => {
			const socket = await connect([
				{ type: 'EVENT', topic: '*' },
				{ type: 'CALLBACK', topic: ROBOT },
			]);
			const control = (method: string, action: string, body?: unknown) =>
				request(emulator.baseUrl, method, `/_emulator/stream/${action}`, { body });
			const published = await control('POST', 'events', {
				eventType: 'user_add_org',
				data: { UserId: ['u1'] },
			});
			expect(published.json).toEqual({ eventId: expect.any(String) });
			const robot = await control('POST', 'robot-messages', { text: 'hi' });
			expect(robot.json.text).toEqual({ content: 'hi' });
			await until(() => socket.messages().length === 3, 'both');
			expect((await control('GET', 'events')).json.events).toHaveLength(2);
			const listed = (await control('GET', 'connections')).json.connections;
			expect(listed).toEqual([expect.objectContaining({ state: 'open', ua: 'test' })]);
			expect((await control('POST', 'ping')).json).toEqual({ pinged: 1 });
			expect((await control('POST', 'events', { eventType: 'x' })).status).toBe(400);
			expect((await control('POST', 'nothing')).status).toBe(404);
			expect((await control('POST', 'drop', { connectionId: 'nope' })).status).toBe(400);
			expect((await control('POST', 'drop')).json.connections).toEqual([listed[0].id]);
			await until(() => socket.ended, 'the drop');
			// Controls are not API calls.
			expect(emulator.calls.filter((c) => c.path.startsWith('/_emulator'))).toEqual([]);
		});
	});
});
