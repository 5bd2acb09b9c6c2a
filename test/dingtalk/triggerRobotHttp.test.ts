/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code: sample secrets of the emulator, never real ones */
// Robot messages in HTTP mode (机器人 → 消息接收模式 HTTP): DingTalk posts each message unencrypted to the same Webhook URL
// as the event callback, with the headers timestamp and sign (HmacSHA256 of timestamp + "\n" + the app secret). Through
// n8n 2.41's webhook request path (test/harness/webhook.ts) with real signed requests from the emulator's sender: the
// good, the wrongly signed, the stale and the unsigned; text, picture, mention, group and 1:1; duplicates; the same item
// as Stream mode; and an AI Reply answering an HTTP-mode item.
import type { IConnections, IDataObject, INode, INodeParameters } from 'n8n-workflow';

import { DingTalkTrigger } from '../../nodes/DingTalk/DingTalkTrigger.node';
import { resetReplySessions } from '../../nodes/DingTalk/resources/aiReply/session';
import { testEvents } from '../../nodes/DingTalk/trigger/testEvents';
import { buildDingTalkCallback } from '../emulator/callbackSender';
import {
	addRobotFile,
	buildDingTalkRobotMessage,
	cardsOf,
	DINGTALK_SEED,
	EMULATOR_AI_CARD_TEMPLATE,
	EMULATOR_ROBOT_GROUP,
	robotMessagePayload,
	type RobotMessageInput,
} from '../emulator/dingtalk';
import { httpEventPayload } from '../emulator/dingtalk/httpEvents';
import { binaryBytes, ensureBinaryDataService, WebhookServer, type WebhookCall } from '../harness';
import { describeWithWebSocket } from '../support/webSocket';
import { startDingTalk, type DingTalkTestEnv } from './setup';
import { waitUntil } from './stream/support';
import { captureLogs, StreamTriggerRig, useTestTimings } from './triggerSupport';

const PNG = Buffer.from(
	'89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
		'1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f4c9f20000000049454e44ae426082',
	'hex',
);

const SECRETS = [
	DINGTALK_SEED.appSecret,
	DINGTALK_SEED.callbackToken,
	DINGTALK_SEED.aesKey,
] as const;

let env: DingTalkTestEnv;
const servers: WebhookServer[] = [];
let nodeCounter = 0;
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
	env = await startDingTalk({ nodeTypes: [new DingTalkTrigger()] });
	await ensureBinaryDataService();
});

afterAll(async () => {
	await Promise.all(servers.map(async (s) => await s.close()));
	await env?.stop();
});

beforeEach(() => {
	logs = captureLogs();
});

afterEach(() => {
	logs.restore();
	// Whatever a test did, nothing the trigger said holds a secret.
	for (const line of logs.lines) {
		for (const secret of SECRETS) expect(line.message).not.toContain(secret);
	}
});

/** The trigger in HTTP mode with robot messages on, served over HTTP; each call gets a node of its own. */
async function serve(
	parameters: INodeParameters = {},
	credential = env.credential,
): Promise<WebhookServer> {
	nodeCounter++;
	const server = await WebhookServer.start(env.harness, {
		id: `robot-http-${nodeCounter}`,
		name: 'DingTalk Trigger',
		type: env.harness.type('dingTalkTrigger'),
		typeVersion: 1,
		position: [0, 0],
		parameters: {
			connectionMode: 'http',
			events: ['*'],
			robotMessages: true,
			...parameters,
			options: { binaryData: true, ...((parameters.options as IDataObject) ?? {}) },
		},
		credentials: { dingTalkApi: credential },
		webhookId: `robot-http-hook-${nodeCounter}`,
	});
	servers.push(server);
	return server;
}

function message(input: RobotMessageInput = {}): IDataObject {
	return robotMessagePayload(
		env.emulator.dingtalk.app,
		env.emulator.baseUrl,
		Date.now(),
		input,
	) as unknown as IDataObject;
}

interface SendOptions {
	appSecret?: string;
	timestamp?: string;
	/** Replace or drop (undefined) headers after signing. */
	headers?: Record<string, string | undefined>;
}

async function send(
	server: WebhookServer,
	payload: IDataObject | string,
	options: SendOptions = {},
): Promise<WebhookCall> {
	const built = buildDingTalkRobotMessage({
		payload,
		appSecret: options.appSecret,
		timestamp: options.timestamp,
	});
	const headers: Record<string, string> = { 'content-type': built.contentType!, ...built.headers };
	for (const [name, value] of Object.entries(options.headers ?? {})) {
		if (value === undefined) delete headers[name];
		else headers[name] = value;
	}
	const answer = await server.call({ method: 'POST', headers, body: built.body });
	for (const secret of SECRETS) expect(answer.body).not.toContain(secret);
	return answer;
}

function expectStarted(answer: WebhookCall): IDataObject {
	expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: '{}' });
	expect(answer.contentType).toMatch(/^application\/json/);
	expect(answer.workflowData).toHaveLength(1);
	expect(answer.workflowData![0]).toHaveLength(1);
	return answer.workflowData![0][0].json;
}

function expectAnsweredOnly(answer: WebhookCall): void {
	expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: '{}' });
	expect(answer.workflowData).toBeUndefined();
}

function expectRefused(answer: WebhookCall, status: number, reason: RegExp): void {
	expect({ status: answer.status, body: answer.body }).toEqual({
		status,
		body: expect.stringMatching(reason),
	});
	expect(answer.workflowData).toBeUndefined();
	// One warning that says why, naming the node.
	const warned = logs.lines.filter(
		(l) => l.level === 'warn' && l.message.includes('refused a robot message request'),
	);
	expect(warned.map((l) => l.message)).toEqual([
		expect.stringMatching(new RegExp(`\\(${status}\\): .*node "DingTalk Trigger"`)),
	]);
	expect(warned[0].message).toContain(answer.body);
	logs.lines.length = 0;
}

describe('DingTalk Trigger, HTTP mode: robot messages on the Webhook URL', () => {
	it('a signed 1:1 text message starts one execution with the same fields as Stream mode, answered {} after record', async () => {
		const server = await serve();
		server.recordDelayMs = 100;
		const payload = message({ text: '你好', senderStaffId: 'manager4220', senderNick: '张三' });
		const answer = await send(server, payload);
		const item = expectStarted(answer);
		expect(answer.answeredAfterMs).toBeGreaterThanOrEqual(100);
		expect(item).toMatchObject({
			...payload,
			eventType: 'robot_message',
			category: 'robotMessage',
			eventId: payload.msgId,
			connection: 'http',
			messageText: '你好',
			sender: { staffId: 'manager4220', nick: '张三' },
			conversation: { id: payload.conversationId, type: '1', typeName: 'single' },
		});
		expect(item.chatInput).toBeUndefined();
		expect(server.executionsStarted).toBe(1);
	});

	it('chat output, group @-message with a mention: chatInput, per-group sessionId, mentions, botMentioned', async () => {
		const server = await serve({ robotMessageOutput: 'chat' });
		const payload = message({
			text: ' 这个方案风险在哪？',
			conversationType: '2',
			conversationId: EMULATOR_ROBOT_GROUP,
			conversationTitle: '研发群',
			senderStaffId: 'dev001',
			senderNick: '李开发',
			atUsers: [
				{ dingtalkId: `$:LWCP_v1:$${env.emulator.dingtalk.app.appKey}` },
				{ dingtalkId: '$:LWCP_v1:$other', staffId: 'manager4220' },
			],
		});
		const item = expectStarted(await send(server, payload));
		expect(item).toMatchObject({
			chatInput: '这个方案风险在哪？',
			sessionId: `dingtalk:${EMULATOR_ROBOT_GROUP}`,
			platform: 'dingtalk',
			messageId: payload.msgId,
			chat: { id: EMULATOR_ROBOT_GROUP, type: 'group', title: '研发群' },
			sender: { id: 'dev001', name: '李开发', staffId: 'dev001' },
			botMentioned: true,
			mentions: [{ userId: 'manager4220', platformId: '$:LWCP_v1:$other' }],
			sessionWebhook: payload.sessionWebhook,
		});
	});

	it('chat output, 1:1 and per-member memory: the chat is its own session; a group member gets group+sender', async () => {
		const server = await serve({ robotMessageOutput: 'chat', sessionScope: 'member' });
		const direct = expectStarted(
			await send(server, message({ conversationId: 'cidDirect1==', senderStaffId: 'dev001' })),
		);
		expect(direct).toMatchObject({ chat: { type: 'direct' }, botMentioned: true });
		const group = expectStarted(
			await send(
				server,
				message({
					conversationType: '2',
					conversationId: EMULATOR_ROBOT_GROUP,
					senderStaffId: 'dev001',
				}),
			),
		);
		expect(group.sessionId).not.toBe(`dingtalk:${EMULATOR_ROBOT_GROUP}`);
		expect(group.sessionId).toContain('dev001');
	});

	it('a picture arrives as binary data through the robot file API, as in Stream mode', async () => {
		const server = await serve({ robotMessageOutput: 'chat' });
		const downloadCode = addRobotFile(env.emulator.dingtalk, {
			fileName: 'photo.png',
			mimeType: 'image/png',
			data: PNG,
		});
		const answer = await send(server, message({ msgtype: 'picture', content: { downloadCode } }));
		const item = expectStarted(answer);
		expect(item).toMatchObject({
			messageType: 'picture',
			attachments: [
				{
					kind: 'image',
					mimeType: 'image/png',
					size: PNG.length,
					binaryProperty: 'attachment_0',
					error: null,
				},
			],
		});
		const binary = answer.workflowData![0][0].binary!.attachment_0;
		expect(await binaryBytes(binary)).toEqual(PNG);
		expect(env.emulator.callsTo('/v1.0/robot/messageFiles/download')).not.toHaveLength(0);
	});

	it('a redelivered msgId (new timestamp and sign) is answered and starts nothing; a window of 0 checks none', async () => {
		const server = await serve();
		const payload = message();
		expectStarted(await send(server, payload));
		expectAnsweredOnly(await send(server, payload, { timestamp: String(Date.now() - 5_000) }));
		expectStarted(await send(server, message()));
		expect(server.executionsStarted).toBe(2);
		const off = await serve({ options: { dedupeWindow: 0 } });
		expectStarted(await send(off, payload));
		expectStarted(await send(off, payload));
	});

	it('a message n8n could not record gets no 200, and its redelivery starts it', async () => {
		const server = await serve();
		server.failRecords = 1;
		const payload = message();
		const failed = await send(server, payload);
		expect(failed.status).toBe(500);
		expectStarted(await send(server, payload));
		expect(server.executionsStarted).toBe(1);
	});

	it('Trigger On and Only Event Types apply as in Stream mode', async () => {
		const approvals = await serve({ events: ['approval'] });
		expectAnsweredOnly(await send(approvals, message()));
		const robots = await serve({ events: ['robotMessage'] });
		expectStarted(await send(robots, message()));
		const typed = await serve({ options: { eventTypes: 'bpms_task_change' } });
		expectAnsweredOnly(await send(typed, message()));
		const robotType = await serve({ options: { eventTypes: 'robot_message' } });
		expectStarted(await send(robotType, message()));
	});

	it('the encrypted event callback still works on the same URL', async () => {
		const server = await serve();
		const built = buildDingTalkCallback({
			token: DINGTALK_SEED.callbackToken,
			aesKey: DINGTALK_SEED.aesKey,
			receiverId: DINGTALK_SEED.appKey,
			payload: httpEventPayload('approval'),
		});
		const answer = await server.call({
			method: 'POST',
			query: built.query,
			headers: { 'content-type': built.contentType },
			body: built.body,
		});
		expect(answer.status).toBe(200);
		expect(answer.workflowData![0][0].json).toMatchObject({ eventType: 'bpms_instance_change' });
		expectStarted(await send(server, message()));
	});

	it("the emulator's control (what `sandbox:send -- dingtalk-robot-http` posts) builds a message the trigger takes", async () => {
		const server = await serve();
		const res = await fetch(`${env.emulator.baseUrl}/_emulator/stream/robot-messages-http`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ text: '从沙盒来' }),
		});
		const built = (await res.json()) as { headers: Record<string, string>; body: string };
		const answer = await server.call({
			method: 'POST',
			headers: { 'content-type': 'application/json; charset=utf-8', ...built.headers },
			body: built.body,
		});
		expect(expectStarted(answer)).toMatchObject({ messageText: '从沙盒来', connection: 'http' });
	});

	it('a test event (Test URL) reaches the test run with its binary data', async () => {
		testEvents.clear();
		const server = await serve({ robotMessageOutput: 'chat' });
		server.mode = 'manual';
		const answer = await send(server, message({ text: 'test' }));
		const item = expectStarted(answer);
		const result = await env.harness.run(
			[server.node],
			{},
			server.node.name,
			answer.workflowData![0],
			'manual',
		);
		expect(result.error).toBeUndefined();
		expect(result.json(server.node.name)).toEqual([item]);
		expect(testEvents.size).toBe(0);
	});
});

describe('DingTalk Trigger, HTTP mode: robot message requests that are refused start nothing', () => {
	it('a wrong sign (another secret, or altered): 403', async () => {
		const server = await serve();
		expectRefused(
			await send(server, message(), { appSecret: 'another-app-secret-0000000000000000' }),
			403,
			/sign header does not match/,
		);
		const built = buildDingTalkRobotMessage({ payload: message() });
		const altered = built.headers.sign.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
		expectRefused(
			await send(server, message(), { headers: { sign: altered } }),
			403,
			/sign header does not match/,
		);
		expect(server.executionsStarted).toBe(0);
	});

	it('a signed body changed on the way is still DingTalk-signed: the sign covers only the timestamp (documented)', async () => {
		// DingTalk's sign authenticates the timestamp, not the body: what the docs say, and why the 1-hour window and msgId
		// deduplication matter. This pins the behaviour so that a change to it is a decision.
		const server = await serve();
		expectStarted(await send(server, message({ text: 'changed on the way' })));
	});

	it('a timestamp more than an hour away (past or future): 403, even with a correct sign; 59 minutes is fine', async () => {
		const server = await serve();
		const hour = 3_600_000;
		for (const timestamp of [Date.now() - hour - 60_000, Date.now() + hour + 60_000]) {
			expectRefused(
				await send(server, message(), { timestamp: String(timestamp) }),
				403,
				/outside the 3600 s freshness window/,
			);
		}
		expectStarted(await send(server, message(), { timestamp: String(Date.now() - 59 * 60_000) }));
		// A tighter Timestamp Freshness Window of the node wins.
		const tight = await serve({ options: { timestampWindow: 60 } });
		expectRefused(
			await send(tight, message(), { timestamp: String(Date.now() - 120_000) }),
			403,
			/outside the 60 s freshness window/,
		);
		expect(server.executionsStarted + tight.executionsStarted).toBe(1);
	});

	it('missing headers (sign, timestamp, both) or a timestamp that is no number: 401 / 400', async () => {
		const server = await serve();
		for (const dropped of [['sign'], ['timestamp'], ['sign', 'timestamp']]) {
			const headers = Object.fromEntries(dropped.map((name) => [name, undefined]));
			expectRefused(
				await send(server, message(), { headers }),
				401,
				/Not a signed DingTalk request/,
			);
		}
		expectRefused(
			await send(server, message(), { timestamp: 'yesterday' }),
			400,
			/timestamp parameter is not a number/,
		);
		// A plain JSON POST without anything: what a scanner sends.
		const bare = await server.call({
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{"hello":"world"}',
		});
		expectRefused(bare, 401, /Not a signed DingTalk request/);
		expect(server.executionsStarted).toBe(0);
	});

	it('Receive Robot Messages off: a signed robot message is refused (403) and says what to turn on', async () => {
		const server = await serve({ robotMessages: false });
		expectRefused(await send(server, message()), 403, /turn on Receive Robot Messages/);
	});

	it('a credential without Client Secret: 403 that names the field', async () => {
		const credential = env.harness.credentials.add('dingTalkApi', {
			clientId: DINGTALK_SEED.appKey,
			clientSecret: '',
			apiBaseUrl: env.emulator.baseUrl,
			oapiBaseUrl: env.emulator.baseUrl,
		}) as { id: string; name: string };
		const server = await serve({}, credential);
		expectRefused(
			await send(server, message()),
			403,
			/set Client Secret in the DingTalk credential/,
		);
	});

	it('a signed body that is not a robot message: 400, nothing started', async () => {
		const server = await serve();
		expectRefused(await send(server, '[1,2]'), 400, /not a JSON object/);
		const incomplete = message();
		delete incomplete.msgId;
		delete incomplete.sessionWebhook;
		expectRefused(await send(server, incomplete), 400, /without msgId, sessionWebhook/);
		expect(server.executionsStarted).toBe(0);
	});
});

describe('DingTalk AI Reply from an HTTP-mode robot message', () => {
	const credentials = () => ({ dingTalkApi: env.credential });
	const node = (name: string, type: string, parameters: INodeParameters): INode => ({
		id: name,
		name,
		type: env.harness.type(type),
		typeVersion: 1,
		position: [0, 0],
		parameters,
		...(type === 'dingTalk' ? { credentials: credentials() } : {}),
	});

	beforeEach(() => {
		env.emulator.dingtalk.cards.cards.clear();
		env.emulator.dingtalk.messaging.robotMessages.length = 0;
		resetReplySessions();
	});

	/** The published run n8n starts with the webhook's items: Trigger → Start → Finish. */
	async function runReply(item: IDataObject, reply: INodeParameters) {
		const nodes = [
			node('DingTalk Trigger', 'dingTalkTrigger', {
				connectionMode: 'http',
				robotMessages: true,
				robotMessageOutput: 'chat',
			}),
			node('Start', 'dingTalk', { resource: 'aiReply', operation: 'start', ...reply }),
			node('Finish', 'dingTalk', {
				resource: 'aiReply',
				operation: 'finish',
				answer: '## 结论\n明天上线',
				...reply,
			}),
		];
		const connections: IConnections = {
			'DingTalk Trigger': { main: [[{ node: 'Start', type: 'main', index: 0 }]] },
			Start: { main: [[{ node: 'Finish', type: 'main', index: 0 }]] },
		};
		return await env.harness.run(
			nodes,
			connections,
			'DingTalk Trigger',
			[{ json: item }],
			'webhook',
		);
	}

	it('an AI card goes to the group of the message and ends finished', async () => {
		const server = await serve({ robotMessageOutput: 'chat' });
		const item = expectStarted(
			await send(
				server,
				message({
					conversationType: '2',
					conversationId: EMULATOR_ROBOT_GROUP,
					senderStaffId: 'dev001',
				}),
			),
		);
		const result = await runReply(item, { cardTemplateId: EMULATOR_AI_CARD_TEMPLATE });
		expect(result.error).toBeUndefined();
		const cards = cardsOf(env.emulator.dingtalk);
		expect(cards).toHaveLength(1);
		expect(cards[0].openSpaceId).toBe(`dtv1.card//IM_GROUP.${EMULATOR_ROBOT_GROUP}`);
		expect(result.json('Finish')[0].aiReply).toMatchObject({ mode: 'card', status: 'finished' });
	});

	it('without a card template, one markdown message goes to the 1:1 sender', async () => {
		const server = await serve({ robotMessageOutput: 'chat' });
		const item = expectStarted(
			await send(server, message({ conversationId: 'cidOneToOne==', senderStaffId: 'dev001' })),
		);
		const result = await runReply(item, {});
		expect(result.error).toBeUndefined();
		expect(env.emulator.dingtalk.messaging.robotMessages).toEqual([
			expect.objectContaining({ msgKey: 'sampleMarkdown', userIds: ['dev001'] }),
		]);
	});
});

describeWithWebSocket('DingTalk Trigger: the same robot message over HTTP and over Stream', () => {
	let rig: StreamTriggerRig;

	beforeAll(() => {
		useTestTimings();
		rig = new StreamTriggerRig(env.emulator);
	});

	afterAll(async () => {
		await rig?.stopAll();
	});

	it('makes the same item (chat output), only `connection` differs', async () => {
		const parameters = { events: ['*'], robotMessages: true, robotMessageOutput: 'chat' };
		const { emitted } = await rig.activate(parameters);
		await waitUntil(
			() => env.emulator.dingtalkStream.openConnections().length === 1,
			'a Stream connection',
		);
		const payload = message({
			text: '同一条消息',
			conversationType: '2',
			conversationId: EMULATOR_ROBOT_GROUP,
			senderStaffId: 'dev001',
		});
		env.emulator.dingtalkStream.publishCallback(
			'/v1.0/im/bot/messages/get',
			payload as { msgId: string },
		);
		await waitUntil(() => emitted.items.length === 1, 'the Stream item');
		const server = await serve(parameters);
		const overHttp = expectStarted(await send(server, payload));
		expect({ ...overHttp, connection: 'stream' }).toEqual(emitted.items[0]);
		expect(overHttp.connection).toBe('http');
	});
});
