/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code: runs under Node and jest, never inside n8n */
// The DingTalk Trigger in HTTP callback mode, through n8n 2.41's webhook request path (test/harness/webhook.ts) with
// real signed, encrypted requests: the official vectors, every refusal, every filter, redelivery, answer-after-record.
import { gzipSync } from 'node:zlib';

import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { resolveWebhookDescriptionField, WEBHOOK_RESOLVERS } from 'n8n-workflow';

import { DingTalkApi } from '../../credentials/DingTalkApi.credentials';
import { DingTalkTrigger } from '../../nodes/DingTalk/DingTalkTrigger.node';
import { CallbackCrypto } from '../../nodes/shared/callbackCrypto';
import { buildDingTalkCallback, type BuiltCallback, type Tamper } from '../emulator/callbackSender';
import { dingTalkCredentialData } from '../emulator/dingtalk/credential';
import {
	checkDingTalkAnswer,
	httpEventPayload,
	type HttpEventInput,
	type HttpEventKind,
} from '../emulator/dingtalk/httpEvents';
import {
	TestEventHandOver,
	testEventKey,
	testEvents,
} from '../../nodes/shared/testEvents';
import { httpMethodOf } from '../../nodes/DingTalk/trigger/options';
import { DINGTALK_SEED } from '../emulator/dingtalk/seed';
import { D1, D2, type CallbackVector } from '../fixtures/vectors';
import { Harness, WebhookServer, type RunResult, type WebhookCall } from '../harness';
import { showsSecret } from '../harness/secrets';

const SEED: { token: string; aesKey: string; receiverId: string } = {
	token: DINGTALK_SEED.callbackToken,
	aesKey: DINGTALK_SEED.aesKey,
	receiverId: DINGTALK_SEED.appKey,
};

const harness = new Harness({
	nodeTypes: [new DingTalkTrigger()],
	credentialTypes: [new DingTalkApi()],
});
const seeded = harness.credentials.add('dingTalkApi', {
	...dingTalkCredentialData('http://127.0.0.1:9'),
	accessToken: '',
}) as { id: string; name: string };

const servers: WebhookServer[] = [];
/** Every answer body seen, checked at the end for secrets. */
const answers: string[] = [];
const secrets = new Set<string>([SEED.token, SEED.aesKey, DINGTALK_SEED.appSecret]);
let nodeCounter = 0;

afterAll(async () => {
	await Promise.all(servers.map(async (s) => await s.close()));
});

interface ServeOptions {
	parameters?: INodeParameters;
	credential?: IDataObject;
}

/** The trigger served over HTTP; each gets a node of its own, so duplicates never leak between tests. */
async function serve(options: ServeOptions = {}): Promise<WebhookServer> {
	let credential = seeded;
	if (options.credential) {
		for (const key of ['callbackToken', 'aesKey']) {
			const value = options.credential[key];
			if (typeof value === 'string' && value !== '') secrets.add(value);
		}
		credential = harness.credentials.add('dingTalkApi', {
			...dingTalkCredentialData('http://127.0.0.1:9'),
			corpId: '',
			accessToken: '',
			...options.credential,
		}) as { id: string; name: string };
	}
	const parameters = options.parameters ?? { connectionMode: 'http', events: ['*'], options: {} };
	nodeCounter++;
	const server = await WebhookServer.start(harness, {
		id: `dingtalk-trigger-${nodeCounter}`,
		name: 'DingTalk Trigger',
		type: harness.type('dingTalkTrigger'),
		typeVersion: 1,
		position: [0, 0],
		// As n8n's editor saves a new node: the Options collection starts with its default {binaryData: true}.
		parameters: {
			...parameters,
			options: { binaryData: true, ...((parameters.options as IDataObject) ?? {}) },
		},
		credentials: { dingTalkApi: credential },
		webhookId: `ding-hook-${nodeCounter}`,
	});
	servers.push(server);
	return server;
}

function vectorCredential(v: CallbackVector): IDataObject {
	return { clientId: v.receiverId, callbackToken: v.token, aesKey: v.encodingAesKey };
}

async function call(
	server: WebhookServer,
	built: BuiltCallback,
	tamper?: Tamper,
	headers: Record<string, string> = {},
): Promise<WebhookCall> {
	const query = { ...built.query };
	let body = built.body;
	if (tamper === 'signature')
		query.msg_signature = query.msg_signature.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
	if (tamper === 'timestamp') query.timestamp = String(Number(query.timestamp) + 1);
	if (tamper === 'nonce') query.nonce = `${query.nonce}0`;
	if (tamper === 'body') {
		const encrypt = (JSON.parse(body ?? '{}') as { encrypt: string }).encrypt;
		const i = Math.floor(encrypt.length / 2);
		body = JSON.stringify({
			encrypt: `${encrypt.slice(0, i)}${encrypt[i] === 'A' ? 'B' : 'A'}${encrypt.slice(i + 1)}`,
		});
	}
	const answer = await server.call({
		method: 'POST',
		query,
		headers: { 'content-type': built.contentType ?? 'application/json', ...headers },
		body,
	});
	answers.push(answer.body);
	return answer;
}

function event(kind: HttpEventKind, input: HttpEventInput = {}) {
	return httpEventPayload(kind, input);
}

function sealed(
	payload: string | object,
	extra: Partial<Parameters<typeof buildDingTalkCallback>[0]> = {},
) {
	return buildDingTalkCallback({ ...SEED, payload, ...extra });
}

/** Accepted: 200 with DingTalk's JSON answer, which DingTalk's own check takes. */
function expectAnswered(answer: WebhookCall, receiverIds = [SEED.receiverId], keys = SEED): void {
	expect(answer.status).toBe(200);
	expect(answer.contentType).toMatch(/^application\/json/);
	expect(Object.keys(JSON.parse(answer.body) as object).sort()).toEqual([
		'encrypt',
		'msg_signature',
		'nonce',
		'timeStamp',
	]);
	expect(
		checkDingTalkAnswer(answer.body, { token: keys.token, aesKey: keys.aesKey, receiverIds }),
	).toEqual({
		ok: true,
		message: 'success',
	});
}

function expectRefused(answer: WebhookCall, status: number, reason: RegExp): void {
	expect({ status: answer.status, body: answer.body }).toEqual({
		status,
		body: expect.stringMatching(reason),
	});
	expect(answer.contentType).toMatch(/^text\/plain/);
	expect(answer.workflowData).toBeUndefined();
}

function itemOf(answer: WebhookCall): IDataObject {
	expect(answer.workflowData).toHaveLength(1);
	expect(answer.workflowData?.[0]).toHaveLength(1);
	return answer.workflowData![0][0].json;
}

describe('DingTalk Trigger: node description', () => {
	const { description } = new DingTalkTrigger();

	it('is a typeVersion 1 trigger whose POST webhook exists only in HTTP mode and is answered after record', () => {
		expect(description).toMatchObject({
			name: 'dingTalkTrigger',
			version: 1,
			group: ['trigger'],
			inputs: [],
			credentials: [{ name: 'dingTalkApi', required: true }],
			icon: { light: 'file:dingtalk.svg', dark: 'file:dingtalk.dark.svg' },
		});
		expect(description.displayName).toContain('Trigger');
		expect(description.webhooks).toEqual([
			{
				name: 'default',
				httpMethod: '={{ $parameter["connectionMode"] === "stream" ? "" : "POST" }}',
				responseMode: 'onReceived',
				responseData: '',
				path: 'callback',
				ndvHideUrl: '={{ $parameter["connectionMode"] === "stream" }}',
				// What n8n uses instead of evaluating httpMethod (next test); the editor only sees the expression.
				[WEBHOOK_RESOLVERS]: {
					httpMethod: {
						template: '={{ $parameter["connectionMode"] === "stream" ? "" : "POST" }}',
						resolve: httpMethodOf,
					},
				},
			},
		]);
		// The description the editor receives (JSON) has the expression and nothing else.
		expect(JSON.parse(JSON.stringify(description.webhooks))).toEqual([
			{
				name: 'default',
				httpMethod: '={{ $parameter["connectionMode"] === "stream" ? "" : "POST" }}',
				responseMode: 'onReceived',
				responseData: '',
				path: 'callback',
				ndvHideUrl: '={{ $parameter["connectionMode"] === "stream" }}',
			},
		]);
		const workflow = harness.workflow([
			{
				id: 'a',
				name: 'HTTP',
				type: harness.type('dingTalkTrigger'),
				typeVersion: 1,
				position: [0, 0],
				parameters: { connectionMode: 'http' },
			},
			{
				id: 'b',
				name: 'Stream',
				type: harness.type('dingTalkTrigger'),
				typeVersion: 1,
				position: [0, 0],
				parameters: { connectionMode: 'stream' },
			},
		]);
		const method = (name: string) =>
			workflow.expression.getSimpleParameterValue(
				workflow.getNode(name)!,
				description.webhooks![0].httpMethod,
				'webhook',
				{},
			);
		// What n8n registers: POST in HTTP mode, nothing (an empty method is skipped) in Stream mode.
		expect(method('HTTP')).toBe('POST');
		expect(method('Stream')).toBe('');
	});

	it('has n8n work out the method without the expression engine, to the same value in every mode', () => {
		const webhook = description.webhooks![0];
		// n8n 2.41 (WebhookService.evaluateDescriptionProperty) asks resolveWebhookDescriptionField first, per request.
		expect(webhook[WEBHOOK_RESOLVERS]?.httpMethod?.template).toBe(webhook.httpMethod);
		const modes: Array<string | undefined> = ['http', 'stream', undefined];
		const workflow = harness.workflow(
			modes.map((connectionMode, i) => ({
				id: `m${i}`,
				name: `Mode ${connectionMode ?? 'unset'}`,
				type: harness.type('dingTalkTrigger'),
				typeVersion: 1,
				position: [0, 0],
				parameters: connectionMode === undefined ? {} : { connectionMode },
			})),
		);
		for (const connectionMode of modes) {
			// The workflow's own node: its parameters carry the defaults (connectionMode 'http' when unset).
			const node = workflow.getNode(`Mode ${connectionMode ?? 'unset'}`)!;
			const native = resolveWebhookDescriptionField(node, webhook, 'httpMethod');
			const evaluated = workflow.expression.getSimpleParameterValue(
				node,
				webhook.httpMethod,
				'webhook',
				{},
			);
			expect(native).toEqual({ resolved: true, value: evaluated });
			expect(native).toEqual({
				resolved: true,
				value: connectionMode === 'stream' ? '' : 'POST',
			});
		}
		// A parameter holding an expression: n8n falls back to evaluating the template, which still works.
		const dynamic = harness.workflow([
			{
				id: 'd',
				name: 'Dynamic',
				type: harness.type('dingTalkTrigger'),
				typeVersion: 1,
				position: [0, 0],
				parameters: { connectionMode: 'stream', options: { dedupeWindow: '={{ 5 }}' } },
			},
		]);
		const dynamicNode = dynamic.getNode('Dynamic')!;
		expect(resolveWebhookDescriptionField(dynamicNode, webhook, 'httpMethod')).toEqual({
			resolved: false,
		});
		expect(
			dynamic.expression.getSimpleParameterValue(dynamicNode, webhook.httpMethod, 'webhook', {}),
		).toBe('');
	});

	it('tells the user what to paste where for HTTP, and warns that Stream connections split events', () => {
		const notice = (name: string) =>
			description.properties.find((p) => p.name === name)?.displayName ?? '';
		expect(notice('httpNotice')).toMatch(/Production URL/);
		expect(notice('httpNotice')).toMatch(/事件订阅/);
		expect(notice('httpNotice')).toMatch(/HTTP 推送/);
		expect(notice('httpNotice')).toMatch(/Publish \(activate\)/);
		expect(notice('streamNotice')).toMatch(/Stream 模式/);
		expect(notice('streamNotice')).toMatch(/ONE of the app's Stream connections/);
		expect(JSON.stringify(description.triggerPanel)).toMatch(/only part of the events/);
	});

	it('carries the hidden raw-body flag, so n8n never parses the body', () => {
		const options = description.properties.find((p) => p.name === 'options');
		expect(options?.default).toEqual({ binaryData: true });
	});

	// The webhook lifecycle (nothing remote unless Register Callback by API is on) runs through n8n-core's HookContext
	// in callbackRegistration.test.ts.
});

describe('DingTalk Trigger: official vectors end to end', () => {
	const d1 = (signatureName: 'msg_signature' | 'signature'): BuiltCallback => ({
		method: 'POST',
		query: { [signatureName]: D1.msgSignature, timestamp: D1.timestamp, nonce: D1.nonce },
		body: JSON.stringify({ encrypt: D1.encrypt }),
		contentType: 'application/json',
	});

	it('answers the D1 check_url with the signed, encrypted "success" and starts nothing', async () => {
		const server = await serve({ credential: vectorCredential(D1) });
		const answer = await call(server, d1('msg_signature'));
		expectAnswered(answer, [D1.receiverId], {
			token: D1.token,
			aesKey: D1.encodingAesKey,
			receiverId: D1.receiverId,
		});
		expect(answer.workflowData).toBeUndefined();
		expect(server.executionsStarted).toBe(0);
	});

	it('accepts the older `signature` parameter the same way', async () => {
		const server = await serve({ credential: vectorCredential(D1) });
		const answer = await call(server, d1('signature'));
		expectAnswered(answer, [D1.receiverId], {
			token: D1.token,
			aesKey: D1.encodingAesKey,
			receiverId: D1.receiverId,
		});
	});

	it("verifies and opens D2 (DingTalk's own answer envelope): genuine, but not an event", async () => {
		const server = await serve({ credential: vectorCredential(D2) });
		const answer = await call(server, {
			method: 'POST',
			query: { msg_signature: D2.msgSignature, timestamp: D2.timestamp, nonce: D2.nonce },
			body: JSON.stringify({ encrypt: D2.encrypt }),
			contentType: 'application/json',
		});
		// Signature and decryption passed (a wrong one would be 403/400 with a 9000xx code): "success" is no event.
		expectRefused(answer, 400, /^The decrypted event is not a JSON object$/);
	});

	it('answers in the shape of D2, which opens with the D2 keys to "success"', async () => {
		const server = await serve({ credential: vectorCredential(D2) });
		const answer = await call(
			server,
			buildDingTalkCallback({
				token: D2.token,
				aesKey: D2.encodingAesKey,
				receiverId: D2.receiverId,
				payload: { EventType: 'check_url' },
			}),
		);
		expectAnswered(answer, [D2.receiverId], {
			token: D2.token,
			aesKey: D2.encodingAesKey,
			receiverId: D2.receiverId,
		});
		const d2Shape = { msg_signature: '', timeStamp: '', nonce: '', encrypt: '' };
		expect(Object.keys(JSON.parse(answer.body) as object).sort()).toEqual(
			Object.keys(d2Shape).sort(),
		);
		// The same check opens D2 itself, so the answer is read the way DingTalk reads it.
		expect(
			checkDingTalkAnswer(
				JSON.stringify({
					msg_signature: D2.msgSignature,
					timeStamp: D2.timestamp,
					nonce: D2.nonce,
					encrypt: D2.encrypt,
				}),
				{ token: D2.token, aesKey: D2.encodingAesKey, receiverIds: [D2.receiverId] },
			),
		).toEqual({ ok: true, message: 'success' });
	});
});

describe('DingTalk Trigger: events from the emulator sender', () => {
	it('starts one execution for a finished approval, with readable names, after answering "success"', async () => {
		const server = await serve();
		const payload = event('approval', { type: 'finish', result: 'refuse', userId: 'user100' });
		const answer = await call(server, sealed(payload));
		expectAnswered(answer);
		const item = itemOf(answer);
		expect(item).toMatchObject({
			...payload,
			eventType: 'bpms_instance_change',
			category: 'approval',
			eventId: payload.eventId,
			connection: 'http',
			approval: {
				kind: 'instance',
				processInstanceId: payload.processInstanceId,
				processCode: 'PROC-EMU-EXPENSE',
				title: '张三提交的报销申请',
				type: 'finish',
				typeName: 'finished',
				typeNameZh: '审批结束',
				result: 'refuse',
				resultName: 'rejected',
				resultNameZh: '拒绝',
				staffId: 'user100',
				originatorUserId: 'user100',
				createTime: new Date(payload.createTime as number).toISOString(),
				finishTime: new Date(payload.finishTime as number).toISOString(),
				businessId: '202611291200000001',
			},
		});
		expect(server.executionsStarted).toBe(1);
	});

	it('names the task events: approver, transferred result, remark', async () => {
		const server = await serve();
		const payload = event('approval_task', {
			type: 'finish',
			result: 'redirect',
			userId: 'user200',
		});
		const item = itemOf(await call(server, sealed(payload)));
		expect(item.approval).toMatchObject({
			kind: 'task',
			typeName: 'finished',
			typeNameZh: '任务结束',
			resultName: 'transferred',
			resultNameZh: '转交',
			approverUserId: 'user200',
			taskId: '77000001',
			remark: '同意',
		});
	});

	it('keeps an unknown approval code, named "unknown"', async () => {
		const server = await serve();
		const payload = { ...event('approval', { type: 'finish' }), result: 'abstain' };
		const item = itemOf(await call(server, sealed(payload)));
		expect(item.approval).toMatchObject({
			result: 'abstain',
			resultName: 'unknown',
			resultNameZh: '未知',
		});
	});

	it('normalises UserId / userId and DeptId / deptId into userIds and deptIds', async () => {
		const server = await serve();
		const upper = itemOf(await call(server, sealed(event('user_add', { userId: 'u1' }))));
		const lower = itemOf(
			await call(server, sealed(event('user_add', { userId: 'u2', lowerCaseIds: true }))),
		);
		const dept = itemOf(await call(server, sealed(event('dept_create', { lowerCaseIds: true }))));
		expect([upper.userIds, upper.UserId, lower.userIds, lower.userId]).toEqual([
			['u1'],
			['u1'],
			['u2'],
			['u2'],
		]);
		expect(dept).toMatchObject({ deptIds: ['100'], category: 'department' });
	});

	it('answers a fresh check_url for the seeded app without an execution', async () => {
		const server = await serve();
		const answer = await call(server, sealed(event('check_url')));
		expectAnswered(answer);
		expect(answer.workflowData).toBeUndefined();
		expect(server.executionsStarted).toBe(0);
	});

	it('accepts the Corp ID as trailing key when the credential has one (the old register API)', async () => {
		const withCorp = await serve({
			credential: { corpId: DINGTALK_SEED.corpId, callbackToken: SEED.token, aesKey: SEED.aesKey },
		});
		const byCorp = await call(
			withCorp,
			sealed(event('user_add'), { receiverId: DINGTALK_SEED.corpId }),
		);
		expectAnswered(byCorp, [DINGTALK_SEED.corpId]);
		expect(byCorp.workflowData).toBeDefined();
		const byClient = await call(withCorp, sealed(event('user_add')));
		expectAnswered(byClient);
		// Without a Corp ID in the credential, only the Client ID is accepted.
		const withoutCorp = await serve({
			credential: { callbackToken: SEED.token, aesKey: SEED.aesKey },
		});
		const refused = await call(
			withoutCorp,
			sealed(event('user_add'), { receiverId: DINGTALK_SEED.corpId }),
		);
		expectRefused(
			refused,
			403,
			/expected AppKey \/ CorpId 'dingemu8k3j2h5g7f1q9'.*\(DingTalk error 900010\)$/,
		);
	});

	it('adds the decrypted text only when asked', async () => {
		const payload = event('check_in');
		const withRaw = await serve({
			parameters: { connectionMode: 'http', events: ['*'], options: { includeRaw: true } },
		});
		const without = await serve();
		expect(itemOf(await call(withRaw, sealed(payload))).raw).toBe(JSON.stringify(payload));
		expect(itemOf(await call(without, sealed(payload)))).not.toHaveProperty('raw');
	});

	it('works with the parameters n8n leaves unset (HTTP, everything, duplicates checked)', async () => {
		const server = await serve({ parameters: {} });
		const payload = event('dept_remove');
		expect((await call(server, sealed(payload))).workflowData).toBeDefined();
		expect((await call(server, sealed(payload))).workflowData).toBeUndefined();
	});
});

describe('DingTalk Trigger: refusals start nothing', () => {
	const otherKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

	it.each<[string, Tamper, number, RegExp]>([
		[
			'a changed signature',
			'signature',
			403,
			/msg_signature does not match.*\(DingTalk error 900005\)$/,
		],
		['a changed timestamp', 'timestamp', 403, /900005/],
		['a changed nonce', 'nonce', 403, /900005/],
		['a changed body', 'body', 403, /900005/],
	])('%s: %s', async (_name, tamper, status, reason) => {
		const server = await serve();
		expectRefused(await call(server, sealed(event('approval')), tamper), status, reason);
		expect(server.executionsStarted).toBe(0);
	});

	it('refuses a request without msg_signature (or signature), timestamp or nonce', async () => {
		const server = await serve();
		const built = sealed(event('user_add'));
		for (const name of ['msg_signature', 'timestamp', 'nonce']) {
			const query = { ...built.query };
			delete query[name];
			expectRefused(
				await call(server, { ...built, query }),
				400,
				new RegExp(`parameter ${name === 'msg_signature' ? 'msg_signature' : name} is missing`),
			);
		}
	});

	it.each([
		['empty', '', /body is empty/],
		['not JSON', 'encrypt=abc', /not a JSON object/],
		['without encrypt', '{"foo":"bar"}', /no encrypt value/],
		['encrypt not base64', '{"encrypt":"@@@@"}', /not valid base64/],
	])('refuses a body that is %s (400)', async (_name, body, reason) => {
		const server = await serve();
		const built = sealed(event('user_add'));
		// Signed over what is sent, so only the body's shape can be wrong.
		const encrypt =
			(JSON.parse(body.startsWith('{') ? body : '{}') as { encrypt?: string }).encrypt ?? '';
		const crypto = new CallbackCrypto({
			platform: 'dingtalk',
			token: SEED.token,
			encodingAesKey: SEED.aesKey,
		});
		const query = {
			...built.query,
			msg_signature: crypto.sign(built.query.timestamp, built.query.nonce, encrypt),
		};
		expectRefused(await call(server, { ...built, query, body }), 400, reason);
	});

	it('refuses an event encrypted with another aes_key (the credential holds the wrong one)', async () => {
		const server = await serve();
		const answer = await call(server, sealed(event('user_add'), { aesKey: otherKey }));
		expectRefused(answer, 400, /aes_key.*\(DingTalk error 900008\)$/);
	});

	it('refuses an event for another app (trailing key): 403 900010', async () => {
		const server = await serve();
		const answer = await call(server, sealed(event('user_add'), { receiverId: 'dingotherapp' }));
		expectRefused(answer, 403, /receiveid is 'dingotherapp'.*900010/);
	});

	it('refuses every request while the credential has no Callback Token or AES Key, and says what to set', async () => {
		const server = await serve({ credential: { callbackToken: '', aesKey: '' } });
		const answer = await call(server, sealed(event('check_url')));
		expectRefused(
			answer,
			403,
			/set Callback Token and Callback AES Key in the DingTalk credential/,
		);
	});

	it('refuses a credential whose AES key has the wrong shape', async () => {
		const server = await serve({ credential: { callbackToken: SEED.token, aesKey: 'short' } });
		expectRefused(
			await call(server, sealed(event('check_url'))),
			403,
			/aes_key is invalid.*900004/,
		);
	});

	it('refuses a compressed body (415), a body over 1 MiB (413)', async () => {
		const server = await serve();
		const built = sealed(event('user_add'));
		const gz = await server.call({
			method: 'POST',
			query: built.query,
			headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
			body: gzipSync(built.body),
		});
		expectRefused(gz, 415, /compressed/);
		const big = await server.call({
			method: 'POST',
			query: built.query,
			headers: { 'content-type': 'application/json' },
			body: `{"encrypt":"${'A'.repeat(1024 * 1024)}"}`,
		});
		expectRefused(big, 413, /more than the 1048576/);
		expect(server.executionsStarted).toBe(0);
	});

	it('refuses a stale timestamp (milliseconds, as DingTalk sends) when a freshness window is set', async () => {
		const server = await serve({
			parameters: { connectionMode: 'http', events: ['*'], options: { timestampWindow: 300 } },
		});
		const stale = await call(
			server,
			sealed(event('user_add'), { timestamp: String(Date.now() - 3_600_000) }),
		);
		expectRefused(stale, 403, /outside the 300 s freshness window/);
		expectAnswered(await call(server, sealed(event('user_add'))));
	});

	it('has no URL in Stream mode: n8n registers no webhook, so the node never sees a request', async () => {
		const server = await serve({ parameters: { connectionMode: 'stream', events: ['*'] } });
		const answer = await call(server, sealed(event('user_add')));
		expect(answer).toMatchObject({ status: 404, workflowData: undefined });
		expect(answer.body).toMatch(/not registered for POST/);
	});
});

const SAMPLES: Record<string, HttpEventKind> = {
	user_add: 'user_add',
	user_modify: 'user_modify',
	user_leave: 'user_leave',
	user_active: 'user_active',
	dept_create: 'dept_create',
	dept_modify: 'dept_modify',
	dept_remove: 'dept_remove',
	approval: 'approval',
	approval_task: 'approval_task',
	chat: 'chat',
	check_in: 'check_in',
	other: 'other',
};
const ALL_SAMPLES = Object.keys(SAMPLES);

async function startedBy(parameters: INodeParameters): Promise<string[]> {
	const server = await serve({ parameters: { connectionMode: 'http', ...parameters } });
	const started: string[] = [];
	for (const name of ALL_SAMPLES) {
		const answer = await call(server, sealed(event(SAMPLES[name])));
		// Filtered out or not, DingTalk always gets its "success".
		expectAnswered(answer);
		if (answer.workflowData) started.push(name);
	}
	expect(server.executionsStarted).toBe(started.length);
	return started;
}

describe('DingTalk Trigger: filters', () => {
	it.each([
		['contact', ['user_add', 'user_modify', 'user_leave', 'user_active']],
		['department', ['dept_create', 'dept_modify', 'dept_remove']],
		['approval', ['approval', 'approval_task']],
		['chat', ['chat']],
		['checkIn', ['check_in']],
		['other', ['other']],
		['robotMessage', []],
		['*', ALL_SAMPLES],
	])('%s starts the workflow for exactly %j', async (filter, expected) => {
		expect(await startedBy({ events: [filter], options: {} })).toEqual(expected);
	});

	it('combines several choices, and takes an empty choice as everything', async () => {
		expect(await startedBy({ events: ['approval', 'chat'], options: {} })).toEqual([
			'approval',
			'approval_task',
			'chat',
		]);
		expect(await startedBy({ events: [], options: {} })).toEqual(ALL_SAMPLES);
	});

	it('narrows to the listed event types', async () => {
		expect(
			await startedBy({
				events: ['*'],
				options: { eventTypes: 'BPMS_INSTANCE_CHANGE, user_leave_org' },
			}),
		).toEqual(['user_leave', 'approval']);
		expect(
			await startedBy({
				events: ['contact'],
				options: { eventTypes: 'user_leave_org，bpms_task_change' },
			}),
		).toEqual(['user_leave']);
	});
});

describe('DingTalk Trigger: one execution per event', () => {
	it('a redelivery (new signature, nonce and encryption) is answered and starts nothing, by eventId', async () => {
		const server = await serve();
		const payload = event('approval');
		const first = await call(server, sealed(payload));
		const again = await call(server, sealed(payload));
		expectAnswered(first);
		expectAnswered(again);
		expect(first.workflowData).toBeDefined();
		expect(again.workflowData).toBeUndefined();
		// Another event of the same kind is another execution.
		expect((await call(server, sealed(event('approval')))).workflowData).toBeDefined();
		expect(server.executionsStarted).toBe(2);
	});

	it('recognises a redelivered event without eventId by its content', async () => {
		const server = await serve();
		const payload = event('approval', { withoutEventId: true });
		expect((await call(server, sealed(payload))).workflowData).toBeDefined();
		expect((await call(server, sealed(payload))).workflowData).toBeUndefined();
		expect(
			(await call(server, sealed({ ...payload, type: 'terminate' }))).workflowData,
		).toBeDefined();
	});

	it('keeps duplicates apart per node, and checks none with a window of 0', async () => {
		const a = await serve();
		const b = await serve();
		const off = await serve({
			parameters: { connectionMode: 'http', events: ['*'], options: { dedupeWindow: 0 } },
		});
		const payload = event('user_leave');
		for (const server of [a, b, off])
			expect((await call(server, sealed(payload))).workflowData).toBeDefined();
		expect((await call(off, sealed(payload))).workflowData).toBeDefined();
	});

	it('answers after n8n recorded the execution; an event n8n could not record gets no "success" and its redelivery starts', async () => {
		const server = await serve();
		server.recordDelayMs = 150;
		let answeredBeforeRun = false;
		server.afterWorkflowData = async () => {
			answeredBeforeRun = true;
		};
		const payload = event('approval');
		server.failRecords = 1;
		const failed = await call(server, sealed(payload));
		expect(failed.status).toBe(500);
		expect(failed.body).not.toMatch(/msg_signature/);
		const redelivered = await call(server, sealed(payload));
		expectAnswered(redelivered);
		expect(redelivered.answeredAfterMs).toBeGreaterThanOrEqual(150);
		expect(redelivered.workflowData).toBeDefined();
		expect(answeredBeforeRun).toBe(true);
		expect(server.executionsStarted).toBe(1);
	});

	it('a redelivery that arrives while the first is being recorded waits for it and starts nothing', async () => {
		const server = await serve();
		server.recordDelayMs = 300;
		const payload = event('user_modify');
		const [first, second] = await Promise.all([
			call(server, sealed(payload)),
			call(server, sealed(payload)),
		]);
		expectAnswered(first);
		expectAnswered(second);
		expect([first, second].filter((a) => a.workflowData).length).toBe(1);
		expect(server.executionsStarted).toBe(1);
	});
});

// "Listen for test event" in HTTP mode: n8n answers the Test URL, then starts a MANUAL run whose start node is the
// trigger with the webhook's items as input (webhook-helpers prepareExecutionData). n8n-core runs a node that has
// trigger() through executeTriggerNode, which calls trigger() and waits for its first emit: before the fix trigger()
// returned {} in HTTP mode and the run never ended. These tests run that manual run in n8n-core's WorkflowExecute.
describe('DingTalk Trigger: Listen for test event (HTTP mode)', () => {
	/** A bound on the run, so that a run that never ends fails the test instead of stalling it. */
	const RUN_BOUND_MS = 10000;

	async function bounded(run: Promise<RunResult>, what: string): Promise<RunResult> {
		let timer: NodeJS.Timeout | undefined;
		const stalled = new Promise<never>((_, reject) => {
			timer = setTimeout(
				() => reject(new Error(`${what} was still running after ${RUN_BOUND_MS} ms`)),
				RUN_BOUND_MS,
			);
		});
		try {
			return await Promise.race([run, stalled]);
		} finally {
			clearTimeout(timer);
		}
	}

	/** The run n8n starts after the webhook: the trigger first, its input the webhook's items. */
	async function runAfterWebhook(
		server: WebhookServer,
		answer: WebhookCall,
		mode: 'manual' | 'webhook',
	): Promise<RunResult> {
		return await bounded(
			harness.run([server.node], {}, server.node.name, answer.workflowData![0], mode),
			`the ${mode} run of ${server.node.name}`,
		);
	}

	beforeEach(() => testEvents.clear());

	it("the test run started from the Test URL finishes with exactly the event's one normalised item", async () => {
		const server = await serve();
		server.mode = 'manual';
		const answer = await call(
			server,
			sealed(event('approval', { type: 'finish', result: 'agree' })),
		);
		expectAnswered(answer);
		const item = itemOf(answer);
		const result = await runAfterWebhook(server, answer, 'manual');
		expect(result.error).toBeUndefined();
		expect(result.run.status).toBe('success');
		expect(result.json(server.node.name)).toEqual([item]);
		expect(item).toMatchObject({ eventType: 'bpms_instance_change' });
		// Taken by its run: nothing is left for the next test event.
		expect(testEvents.size).toBe(0);
	});

	it('each of two test events sent at once reaches one run; an older leftover is never shown for a new event', async () => {
		const server = await serve();
		server.mode = 'manual';
		const [a, b] = await Promise.all([
			call(server, sealed(event('user_add', { userId: 'u-a' }))),
			call(server, sealed(event('user_add', { userId: 'u-b' }))),
		]);
		const runs = [
			await runAfterWebhook(server, a, 'manual'),
			await runAfterWebhook(server, b, 'manual'),
		];
		expect(runs.map((r) => r.json(server.node.name)).flat()).toEqual(
			expect.arrayContaining([itemOf(a), itemOf(b)]),
		);
		// A leftover (its run used the pinned output instead), then a new event: the new one is the run's.
		await call(server, sealed(event('user_leave')));
		const fresh = await call(server, sealed(event('dept_create')));
		const run = await runAfterWebhook(server, fresh, 'manual');
		expect(run.json(server.node.name)).toEqual([itemOf(fresh)]);
	});

	it('a published workflow (production URL) passes the items through and leaves nothing behind', async () => {
		const server = await serve();
		const answer = await call(server, sealed(event('approval')));
		expectAnswered(answer);
		expect(testEvents.size).toBe(0);
		const result = await runAfterWebhook(server, answer, 'webhook');
		expect(result.error).toBeUndefined();
		expect(result.json(server.node.name)).toEqual([itemOf(answer)]);
	});

	it('a refused, filtered or duplicate test event leaves nothing behind', async () => {
		const server = await serve({
			parameters: { connectionMode: 'http', events: ['approval'], options: {} },
		});
		server.mode = 'manual';
		expectRefused(await call(server, sealed(event('approval')), 'signature'), 403, /signature/i);
		expect((await call(server, sealed(event('user_add')))).workflowData).toBeUndefined();
		expect((await call(server, sealed({ EventType: 'check_url' }))).workflowData).toBeUndefined();
		const payload = event('approval');
		expect((await call(server, sealed(payload))).workflowData).toBeDefined();
		expect((await call(server, sealed(payload))).workflowData).toBeUndefined();
		expect(testEvents.size).toBe(1);
	});

	it('a test run with no test event in this process ends at once with an error that says why', async () => {
		const server = await serve();
		const result = await bounded(
			harness.run([server.node], {}, server.node.name, [{ json: {} }], 'manual'),
			'a manual run without a test event',
		);
		expect(result.error?.message).toMatch(/No test event reached this DingTalk Trigger/);
		expect(JSON.stringify(result.error)).toMatch(/OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS/);
	});

	it('the hand-over: newest first, kept two minutes, bounded per node and in all', () => {
		const handOver = new TestEventHandOver(1000, 2, 2);
		const items = (n: number) => [[{ json: { n } }]];
		handOver.put('a', items(1), 0);
		handOver.put('a', items(2), 10);
		handOver.put('a', items(3), 20);
		expect(handOver.size).toBe(2);
		expect(handOver.take('a', 30)).toEqual(items(3));
		expect(handOver.take('a', 30)).toEqual(items(2));
		expect(handOver.take('a', 30)).toBeUndefined();
		handOver.put('a', items(4), 100);
		expect(handOver.take('a', 1100)).toBeUndefined();
		handOver.put('a', items(5), 2000);
		handOver.put('b', items(6), 2001);
		handOver.put('c', items(7), 2002);
		expect(handOver.take('a', 2003)).toBeUndefined();
		expect(handOver.take('c', 2003)).toEqual(items(7));
		expect(testEventKey('wf', { id: 'n1', name: 'DingTalk Trigger' })).not.toBe(
			testEventKey('wf', { id: 'n2', name: 'DingTalk Trigger' }),
		);
	});
});

describe('DingTalk Trigger: secrets', () => {
	it('never shows the Token, the AES key or the Client Secret in an answer', () => {
		expect(answers.length).toBeGreaterThan(40);
		const all = answers.join('\n');
		for (const secret of secrets) {
			expect({ secret, shown: showsSecret(all, secret) }).toEqual({ secret, shown: false });
		}
	});
});
