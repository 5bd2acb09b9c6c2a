/* eslint-disable @typescript-eslint/no-require-imports -- test code: runs under Node and jest, never inside n8n */
// Garbage from the internet against the WeCom Trigger, with n8n's shared XML body parser in the loop.
// A file of its own: the wedge below is real and lasts for the module (as it lasts for an n8n process).
import type { INodeParameters } from 'n8n-workflow';

import { buildWeComCallback } from '../emulator/callbackSender';
import { WECOM_SEED } from '../emulator/wecom/seed';
import { WebhookServer, type WebhookCall } from '../harness';
import { startWeCom, type WeComTestEnv } from './setup';

const SEED = {
	token: WECOM_SEED.callbackToken,
	encodingAesKey: WECOM_SEED.encodingAesKey,
	corpId: WECOM_SEED.corpId,
};

/** The three anonymous requests of the report: afterwards n8n's shared parser never settles again. */
const WEDGE = ['<xml/>trailing', '<xml><Encrypt>AAAA</Encrypt></xml>', 'x<y>'];

let env: WeComTestEnv;
const servers: WebhookServer[] = [];
const warnings: string[] = [];

beforeAll(async () => {
	env = await startWeCom();
	// A node's `this.logger` is n8n's Logger from the DI container n8n-core uses.
	const fromCore = (id: string) => require.resolve(id, { paths: [require.resolve('n8n-core')] });
	const { Container } = require(fromCore('@n8n/di')) as {
		Container: { get<T>(type: new (...args: never[]) => T): T };
	};
	const { Logger } = require(fromCore('@n8n/backend-common')) as {
		Logger: new (...args: never[]) => { warn(message: string): void };
	};
	jest.spyOn(Container.get(Logger), 'warn').mockImplementation((message: string) => {
		warnings.push(message);
	});
});

afterAll(async () => {
	await Promise.all(servers.map(async (s) => await s.close()));
	await env.stop();
});

let nodes = 0;
async function serve(parameters: INodeParameters): Promise<WebhookServer> {
	nodes++;
	const server = await WebhookServer.start(env.harness, {
		id: `garbage-node-${nodes}`,
		name: `WeCom Trigger ${nodes}`,
		type: env.harness.type('weComTrigger'),
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { weComApi: env.credential },
		webhookId: `garbage-hook-${nodes}`,
	});
	servers.push(server);
	return server;
}

let msgIds = 9_200_000_000;
function valid() {
	msgIds++;
	return buildWeComCallback({
		...SEED,
		agentId: WECOM_SEED.agentId,
		payloadXml: `<xml><ToUserName><![CDATA[${SEED.corpId}]]></ToUserName><FromUserName><![CDATA[lisi]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[still here]]></Content><MsgId>${msgIds}</MsgId><AgentID>1000002</AgentID></xml>`,
	});
}

async function send(
	server: WebhookServer,
	body: string,
	query: Record<string, string> = {},
	timeoutMs = 3000,
): Promise<WebhookCall | 'no answer'> {
	try {
		return await server.call({
			method: 'POST',
			query,
			headers: { 'content-type': 'text/xml' },
			body,
			timeoutMs,
		});
	} catch {
		return 'no answer';
	}
}

describe('WeCom Trigger: garbage cannot stop it', () => {
	it("keeps answering and starting workflows after the requests that wedge n8n's XML parser", async () => {
		// A trigger saved before the raw-body flag: n8n parses its body first, like any XML webhook.
		const legacy = await serve({ events: ['*'], options: {} });
		// A trigger as the editor saves it now.
		const current = await serve({ events: ['*'] });

		const before = await send(legacy, valid().body, valid().query);
		expect(before).not.toBe('no answer');

		for (const server of [current, legacy]) {
			for (const body of WEDGE) {
				const answer = await send(server, body, { msg_signature: 'x', timestamp: '1', nonce: '2' });
				// Whatever each is answered, none of them starts anything.
				if (answer !== 'no answer') expect(answer.workflowData).toBeUndefined();
			}
		}

		// The parser is now wedged: an XML webhook that depends on it gets no answer at all.
		const built = valid();
		expect(await send(legacy, built.body, built.query, 1500)).toBe('no answer');

		// The WeCom Trigger never touches it.
		for (let i = 0; i < 3; i++) {
			const callback = valid();
			const answer = await send(current, callback.body, callback.query);
			expect(answer).not.toBe('no answer');
			expect((answer as WebhookCall).status).toBe(200);
			expect((answer as WebhookCall).workflowData?.[0][0].json.Content).toBe('still here');
		}
		expect(current.executionsStarted).toBe(3);
	});

	it('answers a few hundred garbage requests of every kind, each one, starting nothing', async () => {
		const server = await serve({ events: ['*'] });
		const kinds = [
			...WEDGE,
			'',
			'{"encrypt": ',
			'<xml><Encrypt><![CDATA[',
			'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><xml>&a;</xml>',
			`<xml>${'<a>'.repeat(5000)}</xml>`,
			'\u0000\u0001\u0002',
		];
		const answers: Array<WebhookCall | 'no answer'> = [];
		// Twenty at a time: the point is that each is answered, not how fast a loaded test machine is.
		for (let batch = 0; batch < 300; batch += 20) {
			answers.push(
				...(await Promise.all(
					Array.from({ length: 20 }, async (_, j) => {
						const i = batch + j;
						const built = valid();
						const body =
							i % 3 === 0 ? built.body.replace('<Encrypt>', '<Encrypt>x') : kinds[i % kinds.length];
						return await send(server, body, built.query, 10000);
					}),
				)),
			);
		}
		expect(answers.filter((a) => a === 'no answer')).toEqual([]);
		const statuses = new Set((answers as WebhookCall[]).map((a) => a.status));
		for (const status of statuses) expect(status >= 400 && status < 500).toBe(true);
		expect(server.executionsStarted).toBe(0);
		const after = valid();
		expect(await send(server, after.body, after.query)).toMatchObject({ status: 200 });
	});

	it("warns once that a trigger saved without the raw-body flag depends on n8n's parser", async () => {
		const legacy = await serve({ events: ['*'], options: { dedupeWindow: 5 } });
		warnings.length = 0;
		const callback = valid();
		// The parser of this module is wedged by the first test; JSON envelopes are parsed without it.
		for (let i = 0; i < 2; i++) {
			await legacy.call({
				method: 'POST',
				query: callback.query,
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ encrypt: callback.encrypt, tousername: SEED.corpId }),
			});
		}
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toMatch(/saved by an older version of n8n-nodes-wecom-dingtalk/);
		expect(warnings[0]).toMatch(/Delete the node and add it again/);
	});
});
