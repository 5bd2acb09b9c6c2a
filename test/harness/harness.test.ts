/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { Harness, WebhookServer } from '.';
import { HarnessEcho, HarnessTokenApi, HarnessTrigger } from './fixtures/harnessNodes';
import { showsSecret } from './secrets';

/** A token server: issues tok-1, tok-2, ... and answers /whoami with the bearer token it saw; 401 for revoked ones. */
function tokenServer() {
	let issued = 0;
	const revoked = new Set<string>();
	const server: Server = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		res.setHeader('content-type', 'application/json');
		if (url.pathname === '/token') {
			if (url.searchParams.get('secret') !== 's3cret') {
				res.statusCode = 403;
				res.end(JSON.stringify({ error: 'bad secret' }));
				return;
			}
			issued++;
			res.end(JSON.stringify({ token: `tok-${issued}` }));
			return;
		}
		const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
		if (!token || revoked.has(token)) {
			res.statusCode = 401;
			res.end(JSON.stringify({ error: 'token' }));
			return;
		}
		res.end(JSON.stringify({ token }));
	});
	return {
		server,
		issued: () => issued,
		revoke: (token: string) => revoked.add(token),
		async start() {
			await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
			return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		},
	};
}

describe('test harness: real engine and n8n-like credentials', () => {
	const tokens = tokenServer();
	let baseUrl: string;
	beforeAll(async () => {
		baseUrl = await tokens.start();
	});
	afterAll(() => tokens.server.close());

	function setup() {
		const harness = new Harness({
			nodeTypes: [new HarnessEcho(), new HarnessTrigger()],
			credentialTypes: [new HarnessTokenApi()],
		});
		const cred = harness.credentials.add('harnessTokenApi', {
			baseUrl,
			secret: 's3cret',
			accessToken: '',
		});
		const node = (forceRefresh = false) => ({
			name: 'Echo',
			type: harness.type('harnessEcho'),
			parameters: { forceRefresh },
			credentials: { harnessTokenApi: cred },
		});
		return { harness, cred, node };
	}

	it('runs preAuthentication once across two executions and stores the token', async () => {
		const { harness, cred, node } = setup();
		const before = tokens.issued();
		const first = await harness.runNode(node(), [{ json: {} }, { json: {} }]);
		const second = await harness.runNode(node(), [{ json: {} }]);
		expect(first.error).toBeUndefined();
		expect(tokens.issued() - before).toBe(1);
		expect(harness.credentials.preAuthenticationCount('harnessTokenApi')).toBe(1);
		const token = harness.credentials.stored(cred.id!).accessToken;
		expect(token).toMatch(/^tok-\d+$/);
		expect(first.json('Echo').map((j) => j.token)).toEqual([token, token]);
		expect(second.json('Echo')[0].token).toBe(token);
		expect(first.items[1].pairedItem).toEqual({ item: 1 });
	});

	it('runs preAuthentication again after the stored token is blanked', async () => {
		const { harness, cred, node } = setup();
		await harness.runNode(node());
		const oldToken = harness.credentials.stored(cred.id!).accessToken;
		harness.credentials.blankExpirable(cred.id!);
		const again = await harness.runNode(node());
		expect(harness.credentials.preAuthenticationCount('harnessTokenApi')).toBe(2);
		expect(again.json('Echo')[0].token).not.toBe(oldToken);
		expect(harness.credentials.stored(cred.id!).accessToken).toBe(again.json('Echo')[0].token);
	});

	it('forced refresh through credentialsDecrypted with an empty token persists the new token', async () => {
		const { harness, cred, node } = setup();
		await harness.runNode(node());
		const oldToken = harness.credentials.stored(cred.id!).accessToken;
		const forced = await harness.runNode(node(true));
		const newToken = harness.credentials.stored(cred.id!).accessToken;
		expect(newToken).not.toBe(oldToken);
		expect(forced.json('Echo')[0].token).toBe(newToken);
		const next = await harness.runNode(node());
		expect(next.json('Echo')[0].token).toBe(newToken);
		expect(harness.credentials.preAuthenticationCount('harnessTokenApi')).toBe(2);
	});

	it('refreshes once on HTTP 401, as n8n does', async () => {
		const { harness, cred, node } = setup();
		await harness.runNode(node());
		const oldToken = String(harness.credentials.stored(cred.id!).accessToken);
		tokens.revoke(oldToken);
		const result = await harness.runNode(node());
		expect(result.error).toBeUndefined();
		expect(result.json('Echo')[0].token).not.toBe(oldToken);
		expect(harness.credentials.stored(cred.id!).accessToken).toBe(result.json('Echo')[0].token);
	});

	it('reports a node error as the execution error', async () => {
		const { harness, cred } = setup();
		harness.credentials.patch(cred.id!, { secret: 'wrong' });
		const result = await harness.runNode({
			name: 'Echo',
			type: harness.type('harnessEcho'),
			parameters: {},
			credentials: { harnessTokenApi: cred },
		});
		expect(result.error).toBeDefined();
		expect(result.items).toEqual([]);
	});
});

describe('test harness: webhook server', () => {
	const harness = new Harness({ nodeTypes: [new HarnessTrigger()], credentialTypes: [] });
	const servers: WebhookServer[] = [];
	afterAll(async () => Promise.all(servers.map(async (s) => await s.close())));
	async function serve(mode: string) {
		const server = await WebhookServer.start(harness, {
			id: 't',
			name: 'Trigger',
			type: harness.type('harnessTrigger'),
			typeVersion: 1,
			position: [0, 0],
			parameters: { mode },
			webhookId: 'abc',
		});
		servers.push(server);
		return server;
	}

	it('returns exactly what the node wrote, and no workflow for a GET answered by the node', async () => {
		const server = await serve('plain');
		const answer = await server.call({ method: 'GET', query: { echo: '12345' } });
		expect(answer).toMatchObject({ status: 200, body: '12345', workflowData: undefined });
		expect(answer.contentType).toMatch(/^text\/plain/);
	});

	it('passes the raw body and query, and reports the workflow data', async () => {
		const server = await serve('plain');
		const answer = await server.call({
			method: 'POST',
			query: { a: '1' },
			headers: { 'content-type': 'text/xml' },
			body: '<xml><A>&amp;</A></xml>',
		});
		expect(answer.status).toBe(200);
		expect(answer.body).toBe('');
		expect(answer.workflowData?.[0][0].json).toEqual({
			raw: '<xml><A>&amp;</A></xml>',
			query: { a: '1' },
		});
		expect(server.executionsStarted).toBe(1);
	});

	it('answers n8n-style when the node leaves the answer to n8n', async () => {
		// n8n 2.41 evaluates a missing responseData to its default, the literal text `firstEntryJson`,
		// and sends that (shown in a real n8n by the e2e suite's floor trigger).
		const server = await serve('default-answer');
		const answer = await server.call({ method: 'POST', body: 'x' });
		expect(answer.status).toBe(200);
		expect(answer.body).toBe('firstEntryJson');
		expect(answer.workflowData).toBeDefined();
	});

	it('answers only after recording the execution, and 500 when recording fails', async () => {
		const server = await serve('default-answer');
		server.failRecords = 1;
		const failed = await server.call({ method: 'POST', body: 'x' });
		expect(failed.status).toBe(500);
		expect(failed.workflowData).toBeUndefined();
		expect(server.executionsStarted).toBe(0);
		server.recordDelayMs = 300;
		const recorded = await server.call({ method: 'POST', body: 'x' });
		expect(recorded.status).toBe(200);
		expect(recorded.answeredAfterMs).toBeGreaterThanOrEqual(290);
		expect(server.executionsStarted).toBe(1);
	});

	it("parses the body before the node as n8n does, with the status n8n gives a body it can't parse", async () => {
		const server = await serve('plain');
		const answer = await server.call({
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{"a": ',
		});
		expect(answer.status).toBe(422);
		expect(answer.workflowData).toBeUndefined();
	});

	it('reports no workflow for a rejected request', async () => {
		const server = await serve('reject');
		const answer = await server.call({ method: 'POST', body: 'x' });
		expect(answer).toMatchObject({ status: 403, body: 'rejected', workflowData: undefined });
		expect(server.executionsStarted).toBe(0);
	});

	it('refuses a method the node has no webhook for, without calling the node', async () => {
		const server = await serve('plain');
		const answer = await server.call({ method: 'PUT', webhookName: 'default', body: 'x' });
		expect(answer.status).toBe(404);
		expect(answer.workflowData).toBeUndefined();
	});
});

describe('test harness: secret search', () => {
	it('finds a secret shown as a value of its own and ignores the same characters inside a signature or ciphertext', () => {
		expect(showsSecret('{"token":"123456"}', '123456')).toBe(true);
		expect(showsSecret('check the Token 123456.', '123456')).toBe(true);
		expect(showsSecret('123456', '123456')).toBe(true);
		expect(showsSecret('{"msg_signature":"48d3c45826b71d2c4123456281a95ebe67efbdde"}', '123456')).toBe(false);
		expect(showsSecret('"encrypt":"Ab123456+/=="', '123456')).toBe(false);
		expect(showsSecret('key a.b(c)*', 'a.b(c)*')).toBe(true);
	});
});
