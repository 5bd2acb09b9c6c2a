/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// The WeCom Trigger's request path inside n8n: the answer comes only after n8n recorded the execution,
// the body is read by the node (never by n8n's parser) within its limits, and the credential is not
// read per request. The harness (test/harness/webhook.ts) does around the node what n8n 2.41 does.
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';

import type { IDataObject, INodeParameters } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { WeComTrigger } from '../../nodes/WeCom/WeComTrigger.node';
import { CALLBACK_FILTER_OPTIONS } from '../../nodes/WeCom/events';
import { buildWeComCallback, buildWeComUrlVerification } from '../emulator/callbackSender';
import { WECOM_SEED } from '../emulator/wecom/seed';
import { WebhookServer, type WebhookCall } from '../harness';
import { startWeCom, type WeComTestEnv } from './setup';

const SEED = {
	token: WECOM_SEED.callbackToken,
	encodingAesKey: WECOM_SEED.encodingAesKey,
	corpId: WECOM_SEED.corpId,
};

let env: WeComTestEnv;
const servers: WebhookServer[] = [];
let nodes = 0;

beforeAll(async () => {
	env = await startWeCom();
});

afterAll(async () => {
	await Promise.all(servers.map(async (s) => await s.close()));
	await env.stop();
});

interface Served {
	server: WebhookServer;
	credentialId: string;
}

/** A trigger node as a new one is saved by the editor (parameters left to their defaults). */
async function serve(
	parameters: INodeParameters = {},
	credentialData: IDataObject = {},
): Promise<Served> {
	const credential = env.harness.credentials.add('weComApi', {
		corpId: SEED.corpId,
		agentId: '1000002',
		secret: 'unused-for-callbacks',
		callbackToken: SEED.token,
		encodingAesKey: SEED.encodingAesKey,
		accessToken: '',
		...credentialData,
	}) as { id: string; name: string };
	nodes++;
	const server = await WebhookServer.start(env.harness, {
		id: `delivery-node-${nodes}`,
		name: 'WeCom Trigger',
		type: env.harness.type('weComTrigger'),
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { weComApi: credential },
		webhookId: `delivery-hook-${nodes}`,
	});
	servers.push(server);
	return { server, credentialId: credential.id };
}

let msgIds = 9_100_000_000;
function textMessage(content = 'hello'): string {
	msgIds++;
	return `<xml><ToUserName><![CDATA[${SEED.corpId}]]></ToUserName><FromUserName><![CDATA[lisi]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgIds}</MsgId><AgentID>1000002</AgentID></xml>`;
}

function signed(payloadXml: string, keys: { token?: string } = {}) {
	return buildWeComCallback({ ...SEED, ...keys, agentId: WECOM_SEED.agentId, payloadXml });
}

async function post(
	server: WebhookServer,
	built: ReturnType<typeof signed>,
	extra: { headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number } = {},
): Promise<WebhookCall> {
	return await server.call({
		method: 'POST',
		query: built.query,
		headers: { 'content-type': built.contentType, ...(extra.headers ?? {}) },
		body: extra.body ?? built.body,
		timeoutMs: extra.timeoutMs,
	});
}

describe('WeCom Trigger: n8n answers only what it recorded', () => {
	it('answers the empty 200 after the execution is recorded, and before the workflow runs', async () => {
		const { server } = await serve();
		server.recordDelayMs = 400;
		let downstreamFinished = false;
		server.afterWorkflowData = async () => {
			await new Promise((done) => setTimeout(done, 3000));
			downstreamFinished = true;
		};
		const answer = await post(server, signed(textMessage('recorded first')));
		expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: '' });
		expect(answer.contentType).toMatch(/^text\/plain/);
		// The answer waited for the recording, not for the workflow.
		expect(answer.answeredAfterMs).toBeGreaterThanOrEqual(380);
		expect(downstreamFinished).toBe(false);
		expect(server.executionsStarted).toBe(1);
	});

	it('gives no 200 for a callback n8n could not record, and starts the redelivery once', async () => {
		const { server } = await serve();
		const payload = textMessage('database hiccup');
		server.failRecords = 1;
		const first = await post(server, signed(payload));
		expect(first.status).toBe(500);
		expect(first.workflowData).toBeUndefined();
		expect(server.executionsStarted).toBe(0);
		// WeCom's next tries: encrypted and signed afresh.
		const second = await post(server, signed(payload));
		const third = await post(server, signed(payload));
		expect([second.status, third.status]).toEqual([200, 200]);
		expect([second.workflowData !== undefined, third.workflowData !== undefined]).toEqual([
			true,
			false,
		]);
		expect(server.executionsStarted).toBe(1);
	});

	it('makes a redelivery that arrives while the first is being recorded wait for its outcome', async () => {
		const { server } = await serve();
		server.recordDelayMs = 600;
		const payload = textMessage('overlapping');
		const first = post(server, signed(payload));
		await new Promise((done) => setTimeout(done, 150));
		const second = await post(server, signed(payload));
		const firstAnswer = await first;
		expect([firstAnswer.status, second.status]).toEqual([200, 200]);
		expect(second.answeredAfterMs).toBeGreaterThanOrEqual(300);
		expect(second.workflowData).toBeUndefined();
		expect(server.executionsStarted).toBe(1);
	});

	it('starts a waiting redelivery when the first one could not be recorded', async () => {
		const { server } = await serve();
		server.recordDelayMs = 500;
		server.failRecords = 1;
		const payload = textMessage('first one failed');
		const first = post(server, signed(payload));
		await new Promise((done) => setTimeout(done, 100));
		const second = await post(server, signed(payload));
		expect((await first).status).toBe(500);
		expect(second.status).toBe(200);
		expect(second.workflowData?.[0][0].json.Content).toBe('first one failed');
		expect(server.executionsStarted).toBe(1);
	});

	it('forgets a delivery whose sender hung up before n8n answered (at least once, never none)', async () => {
		const { server } = await serve();
		server.recordDelayMs = 800;
		server.failRecords = 1;
		const payload = textMessage('hung up');
		await expect(post(server, signed(payload), { timeoutMs: 200 })).rejects.toThrow();
		await new Promise((done) => setTimeout(done, 900));
		server.recordDelayMs = 0;
		const retry = await post(server, signed(payload));
		expect(retry.status).toBe(200);
		expect(server.executionsStarted).toBe(1);
	});
});

describe('WeCom Trigger: the node reads the body, never n8n', () => {
	it('carries the hidden raw-body flag in its Options by default, so n8n skips its parser', () => {
		const trigger = new WeComTrigger();
		const options = trigger.description.properties.find((p) => p.name === 'options');
		expect(trigger.description.version).toBe(1);
		expect(options?.default).toEqual({ binaryData: true });
		expect(options?.options).toContainEqual(
			expect.objectContaining({ name: 'binaryData', type: 'hidden', default: true }),
		);
		// What n8n evaluates for a typeVersion 1 start node, on a node as the editor saves it.
		const evaluate = (parameters: INodeParameters) => {
			const workflow = new Workflow({
				nodes: [
					{
						id: 'n',
						name: 'T',
						type: env.harness.type('weComTrigger'),
						typeVersion: 1,
						position: [0, 0],
						parameters,
					},
				],
				connections: {},
				active: false,
				nodeTypes: env.harness.nodeTypes,
			});
			return workflow.expression.getSimpleParameterValue(
				workflow.getNode('T')!,
				'={{$parameter["options"]["binaryData"]}}',
				'webhook',
				{},
				undefined,
				false,
			);
		};
		expect(evaluate({})).toBe(true);
		expect(evaluate({ options: { binaryData: true, dedupeWindow: 5 } })).toBe(true);
		expect(evaluate({ options: { dedupeWindow: 5 } })).toBeFalsy();
	});

	it('refuses a compressed body (415) and starts nothing', async () => {
		const { server } = await serve();
		const built = signed(textMessage('gzip'));
		const answer = await post(server, built, {
			headers: { 'content-encoding': 'gzip' },
			body: gzipSync(built.body),
		});
		expect({ status: answer.status, body: answer.body }).toEqual({
			status: 415,
			body: 'The request body is compressed (Content-Encoding: gzip); callbacks are sent uncompressed',
		});
		expect(server.executionsStarted).toBe(0);
	});

	it('refuses a body over 1 MiB, also without a Content-Length (413), and closes the connection', async () => {
		const { server } = await serve();
		const built = signed(textMessage('chunked'));
		const url = new URL(server.url());
		url.search = new URLSearchParams(built.query).toString();
		const answer = await new Promise<{ status: number; body: string; connection?: string }>(
			(resolve, reject) => {
				const req = request(url, { method: 'POST', headers: { 'content-type': 'text/xml' } });
				req.on('response', (res) => {
					let body = '';
					res.setEncoding('utf8');
					res.on('data', (c: string) => (body += c));
					res.on('end', () =>
						resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }),
					);
				});
				req.on('error', reject);
				// Chunked: no Content-Length tells the size in advance.
				const chunk = Buffer.alloc(64 * 1024, 0x20);
				for (let i = 0; i < 20; i++) req.write(chunk);
				req.end();
			},
		);
		expect(answer.status).toBe(413);
		expect(answer.body).toMatch(/more than the 1048576 a callback can be/);
		expect(answer.connection).toBe('close');
		expect(server.executionsStarted).toBe(0);
	});

	it('refuses a body that does not arrive within 5 s (408)', async () => {
		const { server } = await serve();
		const built = signed(textMessage('slow'));
		const url = new URL(server.url());
		url.search = new URLSearchParams(built.query).toString();
		const started = Date.now();
		const status = await new Promise<number>((resolve, reject) => {
			const req = request(url, {
				method: 'POST',
				headers: { 'content-type': 'text/xml', 'content-length': String(built.body.length) },
			});
			req.on('response', (res) => {
				res.resume();
				resolve(res.statusCode ?? 0);
			});
			req.on('error', reject);
			req.write(built.body.slice(0, 10));
		});
		expect(status).toBe(408);
		expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
		expect(server.executionsStarted).toBe(0);
	}, 15000);
});

describe('WeCom Trigger: the credential is not read per request', () => {
	const decryptions = (id: string) => env.harness.credentials.decryptions.get(id) ?? 0;

	it('reads it once for many callbacks', async () => {
		const { server, credentialId } = await serve();
		for (let i = 0; i < 10; i++) {
			expect((await post(server, signed(textMessage(`m${i}`)))).status).toBe(200);
		}
		expect(server.executionsStarted).toBe(10);
		expect(decryptions(credentialId)).toBe(1);
	});

	it('reads it afresh for the URL check, and for every test-URL request', async () => {
		const { server, credentialId } = await serve();
		for (let i = 0; i < 3; i++) {
			const check = buildWeComUrlVerification(SEED);
			const answer = await server.call({ method: 'GET', query: check.query });
			expect(answer.body).toBe(check.echo);
		}
		expect(decryptions(credentialId)).toBe(3);
		server.mode = 'manual';
		await post(server, signed(textMessage('test url 1')));
		await post(server, signed(textMessage('test url 2')));
		expect(decryptions(credentialId)).toBe(5);
	});

	it('takes a changed Token at once, and a flood of forged requests reads it at most once', async () => {
		const { server, credentialId } = await serve();
		expect((await post(server, signed(textMessage('old token')))).status).toBe(200);
		expect(decryptions(credentialId)).toBe(1);
		const newToken = 'aNewTokenAfterRotation2024';
		env.harness.credentials.patch(credentialId, { callbackToken: newToken });
		const rotated = await post(server, signed(textMessage('new token'), { token: newToken }));
		expect(rotated.status).toBe(200);
		expect(rotated.workflowData?.[0][0].json.Content).toBe('new token');
		expect(decryptions(credentialId)).toBe(2);
		// The old Token no longer opens anything, and forged requests do not make the node read again.
		const forged = await Promise.all(
			Array.from({ length: 20 }, async () => await post(server, signed(textMessage('forged')))),
		);
		expect(new Set(forged.map((a) => a.status))).toEqual(new Set([403]));
		// The reload for the rotation started the cooldown: twenty failures read nothing more.
		expect(decryptions(credentialId)).toBe(2);
		expect(server.executionsStarted).toBe(2);
	});

	it('takes a credential that was not set up once it is', async () => {
		const { server, credentialId } = await serve({}, { callbackToken: '' });
		const before = await post(server, signed(textMessage('not yet')));
		expect(before.status).toBe(403);
		env.harness.credentials.patch(credentialId, { callbackToken: SEED.token });
		const after = await post(server, signed(textMessage('now')));
		expect(after.status).toBe(200);
		expect(server.executionsStarted).toBe(1);
	});
});

describe('WeCom Trigger: what the editor shows', () => {
	const { description } = new WeComTrigger();

	function subtitle(events: string[] | undefined): unknown {
		const parameters: INodeParameters = events === undefined ? {} : { events };
		const workflow = new Workflow({
			nodes: [
				{
					id: 'n',
					name: 'T',
					type: env.harness.type('weComTrigger'),
					typeVersion: 1,
					position: [0, 0],
					parameters,
				},
			],
			connections: {},
			active: false,
			nodeTypes: env.harness.nodeTypes,
		});
		return workflow.expression.getSimpleParameterValue(
			workflow.getNode('T')!,
			description.subtitle as string,
			'manual',
			{},
			undefined,
			'',
		);
	}

	it('names the chosen callbacks readably in the subtitle', () => {
		expect(subtitle(['message:text', 'event:sys_approval_change'])).toBe(
			'Text message, Approval status change',
		);
		expect(subtitle(['event:change_contact', 'other'])).toBe(
			'Contact change, Other message or event',
		);
		expect(subtitle(['*'])).toBe('Any message or event');
		expect(subtitle(['*', 'message:text'])).toBe('Any message or event');
		expect(subtitle([])).toBe('Any message or event');
		expect(subtitle(undefined)).toBe('Any message or event');
	});

	it('gives every Trigger On choice a readable node-creator action name', () => {
		const trigger = description.properties.find((p) => p.displayName === 'Trigger On');
		expect(trigger?.options).toBe(CALLBACK_FILTER_OPTIONS);
		const actions = CALLBACK_FILTER_OPTIONS.map((o) => o.action);
		expect(actions).toContain('Text message');
		expect(actions).toContain('Approval status change');
		for (const action of actions) {
			expect(action).toMatch(/^[A-Z][a-z]+( [a-z]+)*$/);
		}
		expect(new Set(actions).size).toBe(actions.length);
	});

	it('explains in the trigger panel how WeCom reaches a test URL', () => {
		const panel = description.triggerPanel;
		expect(typeof panel).toBe('object');
		const help = (panel as { executionsHelp: { active: string; inactive: string } }).executionsHelp;
		for (const text of [help.inactive, help.active]) {
			expect(text).toMatch(/设置API接收/);
			expect(text).toMatch(/Test URL/);
			expect(text).toMatch(/Copy to editor/);
			expect(text).toMatch(/npm run sandbox:send -- text .* --url &lt;Test URL&gt;/);
		}
		expect(help.inactive).toMatch(/one URL saved in its admin console/);
		expect(help.inactive).toMatch(/调试时/);
	});
});
