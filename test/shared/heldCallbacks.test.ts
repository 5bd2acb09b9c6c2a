/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs under Node and jest, never inside n8n */
// "Answer After the Run" (nodes/shared/heldCallbacks.ts): the WeCom Trigger and the DingTalk Trigger (HTTP mode)
// published as n8n 2.41 publishes them — trigger() activated through n8n-core's ActiveWorkflowTriggers, each emit a
// real n8n-core execution whose donePromise settles after its workflowExecuteAfter hooks (test/dingtalk/
// triggerSupport.ts) — and their webhook() served over HTTP in the same process (test/harness/webhook.ts), with real
// signed, encrypted callbacks. A run "n8n lost" is played as n8n 2.x records a queue job whose worker died.
import type { IDataObject, INode, INodeParameters } from 'n8n-workflow';

import { testEvents } from '../../nodes/WeCom/testEvents';
import { recentCallbacks } from '../../nodes/WeCom/events';
import { captureLogs, StreamTriggerRig, type Emitted } from '../dingtalk/triggerSupport';
import { startEmulator, waitUntil } from '../dingtalk/stream/support';
import type { ApiEmulator } from '../emulator';
import {
	buildDingTalkCallback,
	buildWeComCallback,
	type BuiltCallback,
} from '../emulator/callbackSender';
import { dingTalkCredentialData } from '../emulator/dingtalk/credential';
import { httpEventPayload } from '../emulator/dingtalk/httpEvents';
import { buildDingTalkRobotMessage } from '../emulator/dingtalk/robotHttp';
import { robotMessagePayload } from '../emulator/dingtalk/streamPayloads';
import { DINGTALK_SEED } from '../emulator/dingtalk/seed';
import { WECOM_SEED } from '../emulator/wecom/seed';
import { WebhookServer, type WebhookCall } from '../harness';
import { showsSecret } from '../harness/secrets';

/** The workflow id WebhookServer gives every request (Harness.workflow): the published copy must have the same. */
const SERVED_WORKFLOW_ID = 'harness-workflow';

let emulator: ApiEmulator;
let rig: StreamTriggerRig;
const servers: WebhookServer[] = [];
let nodes = 0;

beforeAll(async () => {
	emulator = await startEmulator();
	rig = new StreamTriggerRig(emulator);
});

afterEach(async () => {
	await rig.stopAll();
	await Promise.all(servers.splice(0).map(async (s) => await s.close()));
	testEvents.clear();
});

afterAll(async () => {
	await emulator.stop();
});

const WECOM_KEYS = {
	token: WECOM_SEED.callbackToken,
	encodingAesKey: WECOM_SEED.encodingAesKey,
	corpId: WECOM_SEED.corpId,
};

function weComNode(options: IDataObject): INode {
	const credential = rig.harness.credentials.add('weComApi', {
		corpId: WECOM_KEYS.corpId,
		agentId: WECOM_SEED.agentId,
		secret: 'unused-for-callbacks',
		callbackToken: WECOM_KEYS.token,
		encodingAesKey: WECOM_KEYS.encodingAesKey,
		accessToken: '',
	}) as { id: string; name: string };
	nodes++;
	return {
		id: `held-wecom-${nodes}`,
		name: 'WeCom Trigger',
		type: rig.harness.type('weComTrigger'),
		typeVersion: 1,
		position: [0, 0],
		parameters: { events: ['*'], options: { binaryData: true, ...options } },
		credentials: { weComApi: credential },
		webhookId: `held-wecom-hook-${nodes}`,
	};
}

function dingTalkNode(options: IDataObject): INode {
	const credential = rig.harness.credentials.add('dingTalkApi', {
		...dingTalkCredentialData(emulator.baseUrl),
		accessToken: '',
	}) as { id: string; name: string };
	nodes++;
	const parameters: INodeParameters = {
		connectionMode: 'http',
		events: ['*'],
		options: { binaryData: true, ...options },
	};
	return {
		id: `held-dingtalk-${nodes}`,
		name: 'DingTalk Trigger',
		type: rig.harness.type('dingTalkTrigger'),
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { dingTalkApi: credential },
		webhookId: `held-dingtalk-hook-${nodes}`,
	};
}

/** The node published (its trigger() activated as on n8n's main process) and served (its webhook()) in this process. */
async function publish(
	node: INode,
	{ activate = true }: { activate?: boolean } = {},
): Promise<{ server: WebhookServer; emitted: Emitted }> {
	let emitted: Emitted | undefined;
	if (activate) emitted = (await rig.activateNode(node, SERVED_WORKFLOW_ID)).emitted;
	const server = await WebhookServer.start(rig.harness, node);
	servers.push(server);
	return { server, emitted: emitted ?? ({ items: [], executions: [] } as unknown as Emitted) };
}

let msgIds = 9_300_000_000;
function weComText(content: string): BuiltCallback {
	msgIds++;
	return buildWeComCallback({
		...WECOM_KEYS,
		agentId: WECOM_SEED.agentId,
		payloadXml: `<xml><ToUserName><![CDATA[${WECOM_KEYS.corpId}]]></ToUserName><FromUserName><![CDATA[lisi]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgIds}</MsgId><AgentID>${WECOM_SEED.agentId}</AgentID></xml>`,
	});
}

async function post(
	server: WebhookServer,
	built: BuiltCallback,
	timeoutMs?: number,
): Promise<WebhookCall> {
	return await server.call({
		method: 'POST',
		query: built.query,
		body: built.body,
		headers: { 'content-type': built.contentType ?? 'text/xml' },
		timeoutMs,
	});
}

/** Resolves `release()` later: the run of an item held this way finishes only then. */
function gate(): { promise: Promise<void>; release: () => void } {
	let release: () => void = () => undefined;
	const promise = new Promise<void>((resolve) => (release = resolve));
	return { promise, release };
}

describe('Answer After the Run: WeCom Trigger', () => {
	it('answers WeCom only once the run has finished, and the run is the trigger’s own (no webhook run)', async () => {
		const { server, emitted } = await publish(weComNode({ answerAfterRun: true }));
		const held = gate();
		emitted.hold = () => held.promise;
		let answered = false;
		const answer = post(server, weComText('审批来了')).then((a) => {
			answered = true;
			return a;
		});
		await waitUntil(() => emitted.executions.length === 1, 'the run to start');
		await new Promise((resolve) => setTimeout(resolve, 300));
		// The run is still going: WeCom has no answer yet.
		expect(answered).toBe(false);
		expect(emitted.executions[0].status).toBe('running');
		held.release();
		const result = await answer;
		expect(result.status).toBe(200);
		expect(result.body).toBe('');
		expect(emitted.executions[0].status).toBe('success');
		expect(emitted.items).toHaveLength(1);
		expect(emitted.items[0]).toMatchObject({
			MsgType: 'text',
			Content: '审批来了',
			FromUserName: 'lisi',
		});
		// Started by trigger(), with n8n's deduplication key; the webhook itself started nothing.
		expect(emitted.keys[0]).toMatch(/^n8n-nodes-wecom-dingtalk:v1:/);
		expect(server.executionsStarted).toBe(0);
		expect(result.workflowData).toBeUndefined();
	});

	it('a run n8n lost (its worker died) runs again before WeCom is answered: one finished run, nothing lost', async () => {
		const { server, emitted } = await publish(weComNode({ answerAfterRun: true }));
		emitted.lose = (_item, index) => index === 0;
		const logs = captureLogs();
		let result: WebhookCall;
		try {
			result = await post(server, weComText('worker died'));
		} finally {
			logs.restore();
		}
		expect(result.status).toBe(200);
		// The lost emit, then the one that ran, each with its own key (the lost run holds the first).
		expect(emitted.items).toHaveLength(2);
		expect(emitted.keys[1]).toBe(`${emitted.keys[0]}:2`);
		expect(emitted.executions).toHaveLength(1);
		expect(emitted.executions[0].status).toBe('success');
		const retry = logs.lines.filter((l) =>
			/n8n lost the run of a callback; running it again/.test(l.message),
		);
		expect(retry).toHaveLength(1);
		expect(retry[0].level).toBe('warn');
		expect(retry[0].message).toMatch(
			/attempt 2\), then the callback is answered \[workflow .*node "WeCom Trigger"\]/,
		);
	});

	it('WeCom sends the callback again while its run is held: the repeat joins that run, both answered after it', async () => {
		const { server, emitted } = await publish(weComNode({ answerAfterRun: true }));
		const held = gate();
		emitted.hold = () => held.promise;
		const callback = weComText('slow workflow');
		// WeCom hangs up after its timeout and sends the same callback again.
		await expect(post(server, callback, 300)).rejects.toThrow();
		await waitUntil(() => emitted.executions.length === 1, 'the first run to start');
		const repeat = post(server, callback);
		await new Promise((resolve) => setTimeout(resolve, 300));
		held.release();
		expect((await repeat).status).toBe(200);
		expect(emitted.items).toHaveLength(1);
		expect(emitted.executions).toHaveLength(1);
		// And once more after the run: the trigger's redelivery window answers it, nothing runs.
		expect((await post(server, callback)).status).toBe(200);
		expect(emitted.items).toHaveLength(1);
	});

	it('an event n8n already ran (its key is in n8n: another process, or this one before a restart) starts nothing and is answered', async () => {
		const { server, emitted } = await publish(weComNode({ answerAfterRun: true }));
		const callback = weComText('already ran');
		expect((await post(server, callback)).status).toBe(200);
		expect(emitted.executions).toHaveLength(1);
		// The redelivery window in memory is gone (a restart); n8n's executions table still holds the key.
		recentCallbacks.clear();
		const again = await post(server, callback);
		expect(again.status).toBe(200);
		expect(emitted.items).toHaveLength(2);
		expect(emitted.keys[1]).toBe(emitted.keys[0]);
		expect(emitted.executions).toHaveLength(1);
	});

	it('a process that does not hold the trigger (a webhook process) answers 503, starts nothing and says how to route', async () => {
		const { server } = await publish(weComNode({ answerAfterRun: true }), { activate: false });
		const logs = captureLogs();
		let result: WebhookCall;
		try {
			result = await post(server, weComText('wrong process'));
			await post(server, weComText('wrong process again'));
		} finally {
			logs.restore();
		}
		expect(result.status).toBe(503);
		expect(result.body).toMatch(/route its URL to the main process/);
		expect(server.executionsStarted).toBe(0);
		const warnings = logs.lines.filter((l) => /does not hold this trigger/.test(l.message));
		// One line per node, not one per callback.
		expect(warnings).toHaveLength(1);
		expect(warnings[0].message).toMatch(
			/WeCom will send it again; route this trigger's Production URL to the main process/,
		);
		for (const secret of [WECOM_KEYS.token, WECOM_KEYS.encodingAesKey]) {
			expect(showsSecret(`${result.body}\n${warnings[0].message}`, secret)).toBe(false);
		}
	});

	it('with the option off, the webhook starts the run itself and trigger() holds nothing', async () => {
		const { server, emitted } = await publish(weComNode({}));
		const result = await post(server, weComText('default path'));
		expect(result.status).toBe(200);
		expect(server.executionsStarted).toBe(1);
		expect(result.workflowData?.[0][0].json).toMatchObject({ Content: 'default path' });
		expect(emitted.items).toHaveLength(0);
	});

	it('unpublished while a lost run waits to run again: WeCom gets 503 and will send it again', async () => {
		const { server, emitted } = await publish(weComNode({ answerAfterRun: true }));
		emitted.lose = () => true;
		const answer = post(server, weComText('unpublished meanwhile'));
		await waitUntil(() => emitted.items.length === 1, 'the first emit');
		await rig.stopAll();
		const result = await answer;
		expect(result.status).toBe(503);
		expect(result.body).toMatch(/unpublished or changed while this callback waited to run again/);
		expect(emitted.items).toHaveLength(1);
	});
});

describe('Answer After the Run: DingTalk Trigger (HTTP mode)', () => {
	it("answers DingTalk's signed success only once the run has finished", async () => {
		const { server, emitted } = await publish(dingTalkNode({ answerAfterRun: true }));
		const held = gate();
		emitted.hold = () => held.promise;
		let answered = false;
		const built = buildDingTalkCallback({
			token: DINGTALK_SEED.callbackToken,
			aesKey: DINGTALK_SEED.aesKey,
			receiverId: DINGTALK_SEED.appKey,
			payload: httpEventPayload('approval', { type: 'finish', result: 'agree' }),
		});
		const answer = server
			.call({
				method: 'POST',
				query: built.query,
				body: built.body,
				headers: { 'content-type': 'application/json' },
			})
			.then((a) => {
				answered = true;
				return a;
			});
		await waitUntil(() => emitted.executions.length === 1, 'the run to start');
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(answered).toBe(false);
		held.release();
		const result = await answer;
		expect(result.status).toBe(200);
		expect(Object.keys(JSON.parse(result.body) as object).sort()).toEqual([
			'encrypt',
			'msg_signature',
			'nonce',
			'timeStamp',
		]);
		expect(emitted.items[0]).toMatchObject({ eventType: 'bpms_instance_change' });
		expect(server.executionsStarted).toBe(0);
	});
});

describe('Answer After the Run: DingTalk robot messages over HTTP', () => {
	it('a signed robot message is answered only once its run has finished, as one emitted chat item', async () => {
		const node = dingTalkNode({ answerAfterRun: true });
		node.parameters = { ...node.parameters, robotMessages: true, robotMessageOutput: 'chat' };
		const { server, emitted } = await publish(node);
		const held = gate();
		emitted.hold = () => held.promise;
		const payload = robotMessagePayload(emulator.dingtalk.app, emulator.baseUrl, Date.now(), {
			text: '帮我查一下审批',
		});
		const built = buildDingTalkRobotMessage({ payload });
		let answered = false;
		const answer = server
			.call({
				method: 'POST',
				body: built.body,
				headers: { 'content-type': built.contentType!, ...built.headers },
			})
			.then((a) => {
				answered = true;
				return a;
			});
		await waitUntil(() => emitted.executions.length === 1, 'the run to start');
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(answered).toBe(false);
		held.release();
		const result = await answer;
		expect(result.status).toBe(200);
		expect(emitted.items).toHaveLength(1);
		expect(emitted.items[0]).toMatchObject({ chatInput: '帮我查一下审批', connection: 'http' });
		expect(server.executionsStarted).toBe(0);
	});
});

describe('WeCom Trigger: Listen for test event (it has trigger() now)', () => {
	it('the test run started from the Test URL gets exactly the callback’s item', async () => {
		const node = weComNode({});
		const server = await WebhookServer.start(rig.harness, node);
		servers.push(server);
		server.mode = 'manual';
		const answer = await post(server, weComText('test event'));
		expect(answer.status).toBe(200);
		const item = answer.workflowData![0][0].json;
		const result = await rig.harness.run([node], {}, node.name, answer.workflowData![0], 'manual');
		expect(result.error).toBeUndefined();
		expect(result.json(node.name)).toEqual([item]);
		expect(testEvents.size).toBe(0);
	});

	it('a test run with no test event in this process ends at once with an error that names the trigger and the fix', async () => {
		const node = weComNode({});
		const result = await rig.harness.run([node], {}, node.name, [{ json: {} }], 'manual');
		expect(result.error?.message).toBe('No test event reached this WeCom Trigger in this n8n process');
		expect(JSON.stringify(result.error)).toMatch(/OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS/);
		expect(JSON.stringify(result.error)).toMatch(/let WeCom or `npm run sandbox:send` post to the Test URL/);
	});

	it('a published run (production URL) passes the items through', async () => {
		const node = weComNode({});
		const server = await WebhookServer.start(rig.harness, node);
		servers.push(server);
		const answer = await post(server, weComText('production'));
		const result = await rig.harness.run([node], {}, node.name, answer.workflowData![0], 'webhook');
		expect(result.error).toBeUndefined();
		expect(result.json(node.name)).toEqual([answer.workflowData![0][0].json]);
		expect(testEvents.size).toBe(0);
	});
});
