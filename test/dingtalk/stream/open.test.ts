/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code: a deliberately wrong secret, never inside n8n */
import {
	ackData,
	answerFrame,
	eventKey,
	eventOf,
	openConnectionRequest,
	parseFrame,
	readTicket,
	ROBOT_MESSAGE_TOPIC,
	streamOpener,
	StreamOpenError,
	streamSubscriptions,
} from '../../../nodes/DingTalk/stream';
import { backoffDelay } from '../../../nodes/shared/retry';
import { ApiEmulator, DINGTALK_SEED } from '../../emulator';
import { request } from '../../emulator/testClient';
import { n8nHttpRequest, seededCredentials, startEmulator } from './support';

describe('Stream frames', () => {
	const eventFrame = JSON.stringify({
		specVersion: '1.0',
		type: 'EVENT',
		headers: {
			appId: 'dingapp',
			connectionId: 'c1',
			contentType: 'application/json',
			eventBornTime: '1690000000000',
			eventCorpId: 'dingcorp',
			eventId: 'ev-1',
			eventType: 'bpms_instance_change',
			messageId: 'm-1',
			time: '1690000000100',
			topic: '*',
		},
		data: JSON.stringify({ processInstanceId: 'p1', type: 'finish', result: 'agree' }),
	});

	it('reads an EVENT with its type and id from the headers, not the data', () => {
		const frame = parseFrame(eventFrame);
		expect(frame).toBeDefined();
		const event = eventOf(frame!);
		expect(event).toMatchObject({
			type: 'EVENT',
			topic: '*',
			messageId: 'm-1',
			eventType: 'bpms_instance_change',
			eventId: 'ev-1',
			corpId: 'dingcorp',
			bornTime: 1690000000000,
			data: { processInstanceId: 'p1', type: 'finish', result: 'agree' },
		});
		expect(eventKey(event)).toBe('event:ev-1');
	});

	it('keys robot messages by msgId (each redelivery has a new messageId)', () => {
		const make = (messageId: string) =>
			eventOf(
				parseFrame(
					JSON.stringify({
						type: 'CALLBACK',
						headers: { messageId, topic: ROBOT_MESSAGE_TOPIC },
						data: JSON.stringify({ msgId: 'msgA', text: { content: 'hi' } }),
					}),
				)!,
			);
		expect(eventKey(make('m1'))).toBe(eventKey(make('m2')));
		expect(eventKey(make('m1'))).toBe(`${ROBOT_MESSAGE_TOPIC}:msgA`);
	});

	it('keeps data that is not a JSON object as rawData, and refuses what is not a frame', () => {
		const event = eventOf(
			parseFrame(JSON.stringify({ type: 'EVENT', headers: { messageId: 'x' }, data: 'not json' }))!,
		);
		expect(event.data).toEqual({});
		expect(event.rawData).toBe('not json');
		expect(eventKey(event)).toBeUndefined();
		expect(parseFrame('not json')).toBeUndefined();
		expect(parseFrame(JSON.stringify({ type: 'EVENT', headers: {} }))).toBeUndefined();
		expect(parseFrame(Buffer.from('{}'))).toBeUndefined();
	});

	it('drops prototype-sensitive keys from the data, which becomes an n8n item', () => {
		const event = eventOf(
			parseFrame(
				JSON.stringify({
					type: 'EVENT',
					headers: { messageId: 'x', eventId: 'e' },
					data: '{"__proto__": {"polluted": true}, "a": {"constructor": 1, "b": 2}}',
				}),
			)!,
		);
		expect(event.data).toEqual({ a: { b: 2 } });
		expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
		expect(Object.getPrototypeOf(event.data)).toBe(Object.prototype);
	});

	it('answers with code 200, the messageId and data as a JSON string', () => {
		expect(JSON.parse(answerFrame('m-1', ackData('EVENT')))).toEqual({
			code: 200,
			headers: { contentType: 'application/json', messageId: 'm-1' },
			message: 'OK',
			data: '{"status":"SUCCESS"}',
		});
		expect(ackData('EVENT', 'LATER')).toBe('{"status":"LATER"}');
		expect(ackData('CALLBACK')).toBe('{"response":null}');
	});

	it('subscribes EVENT * always and robot messages on request', () => {
		expect(streamSubscriptions({ robotMessages: false })).toEqual([{ type: 'EVENT', topic: '*' }]);
		expect(streamSubscriptions({ robotMessages: true })).toEqual([
			{ type: 'EVENT', topic: '*' },
			{ type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' },
		]);
	});
});

describe('back-off policy', () => {
	const policy = { initialMs: 1000, maxMs: 60_000, jitter: 0.25 };

	it('doubles from 1 s to a 60 s cap, each step within ±25 % and never outside [1 s, 60 s]', () => {
		for (let failures = 1; failures <= 40; failures++) {
			const step = Math.min(1000 * 2 ** (failures - 1), 60_000);
			for (const r of [0, 0.25, 0.5, 0.999, 1]) {
				const delay = backoffDelay(failures, policy, () => r);
				expect(delay).toBeGreaterThanOrEqual(Math.max(1000, step * 0.75));
				expect(delay).toBeLessThanOrEqual(Math.min(60_000, step * 1.25));
			}
		}
		expect(backoffDelay(1, policy, () => 0.5)).toBe(1000);
		expect(backoffDelay(4, policy, () => 0.5)).toBe(8000);
		expect(backoffDelay(30, policy, () => 0.5)).toBe(60_000);
		// A random source out of range cannot push it out of bounds.
		expect(backoffDelay(3, policy, () => 7)).toBe(5000);
		expect(backoffDelay(3, policy, () => -3)).toBe(3000);
	});

	it('spreads clients that failed together', () => {
		const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5, policy, Math.random)));
		expect(delays.size).toBeGreaterThan(10);
	});
});

describe('opening a Stream connection (POST /v1.0/gateway/connections/open)', () => {
	let emulator: ApiEmulator;

	beforeEach(async () => {
		emulator = await startEmulator();
	});

	afterEach(async () => {
		await emulator.stop();
	});

	it('sends the app, the subscriptions and Accept: application/json through n8n’s HTTP client', async () => {
		const open = streamOpener(n8nHttpRequest, seededCredentials(emulator));
		const ticket = await open(streamSubscriptions({ robotMessages: true }));
		expect(ticket.endpoint).toBe(`${emulator.baseUrl.replace('http', 'ws')}/connect`);
		expect(ticket.ticket).toMatch(/^[\w-]{20,}$/);
		const [call] = emulator.callsTo('/v1.0/gateway/connections/open');
		expect(call.headers.accept).toBe('application/json');
		expect(call.headers['content-type']).toMatch(/^application\/json/);
		expect(call.body).toEqual({
			clientId: DINGTALK_SEED.appKey,
			clientSecret: DINGTALK_SEED.appSecret,
			subscriptions: [
				{ type: 'EVENT', topic: '*' },
				{ type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' },
			],
			ua: 'n8n-nodes-wecom-dingtalk',
		});
		const record = emulator.dingtalk.stream.tickets.get(ticket.ticket);
		expect(record).toMatchObject({ used: false, clientId: DINGTALK_SEED.appKey });
		// A fresh ticket for every call.
		expect((await open(streamSubscriptions({ robotMessages: false }))).ticket).not.toBe(
			ticket.ticket,
		);
	});

	it('builds the request against the credential’s API host, whatever its trailing slash', () => {
		const options = openConnectionRequest(
			{ apiBaseUrl: 'https://api.dingtalk.com/', clientId: 'id', clientSecret: 's' },
			streamSubscriptions({ robotMessages: false }),
		);
		expect(options).toMatchObject({
			method: 'POST',
			url: 'https://api.dingtalk.com/v1.0/gateway/connections/open',
			json: true,
			headers: { Accept: 'application/json' },
		});
		expect(options.timeout).toBeGreaterThan(0);
	});

	it('answers XML without the Accept header, which readTicket refuses with a clear message', async () => {
		const res = await request(emulator.baseUrl, 'POST', '/v1.0/gateway/connections/open', {
			body: {
				clientId: DINGTALK_SEED.appKey,
				clientSecret: DINGTALK_SEED.appSecret,
				subscriptions: [{ type: 'EVENT', topic: '*' }],
			},
		});
		expect(res.status).toBe(200);
		expect(res.text).toMatch(/^<\?xml/);
		expect(() => readTicket(res.text)).toThrow(/without an endpoint and ticket/);
	});

	it('takes only ws(s) endpoints with a ticket', () => {
		expect(
			readTicket({ endpoint: 'wss://wss-open-connection.dingtalk.com:443/connect', ticket: 't' }),
		).toEqual({ endpoint: 'wss://wss-open-connection.dingtalk.com:443/connect', ticket: 't' });
		for (const bad of [
			{ endpoint: 'https://x/connect', ticket: 't' },
			{ endpoint: 'not a url', ticket: 't' },
			{ endpoint: 'wss://x/connect', ticket: '' },
			{ endpoint: 'wss://x/connect' },
			null,
			'{"endpoint":1}',
		]) {
			expect(() => readTicket(bad)).toThrow(StreamOpenError);
		}
	});

	it('a wrong Client Secret is a permanent refusal that names the fix and not the secret', async () => {
		const wrongSecret = 'wrong-secret-0123456789abcdef';
		const open = streamOpener(n8nHttpRequest, {
			...seededCredentials(emulator),
			clientSecret: wrongSecret,
		});
		const error = (await open(streamSubscriptions({ robotMessages: false })).catch(
			(e: unknown) => e,
		)) as StreamOpenError;
		expect(error).toBeInstanceOf(StreamOpenError);
		expect(error.permanent).toBe(true);
		expect(error.status).toBe(400);
		expect(error.code).toBe('invalidClientIdOrSecret');
		expect(error.message).toContain('Client ID and Client Secret');
		expect(error.message).toContain('Stream 模式');
		expect(JSON.stringify(error)).not.toContain(wrongSecret);
		expect(`${error.message}${error.stack}`).not.toContain(wrongSecret);
	});

	it('the platform refuses an EVENT topic other than *, and unknown subscription types', async () => {
		const open = (subscriptions: unknown) =>
			request(emulator.baseUrl, 'POST', '/v1.0/gateway/connections/open', {
				headers: { accept: 'application/json', 'content-type': 'application/json' },
				body: {
					clientId: DINGTALK_SEED.appKey,
					clientSecret: DINGTALK_SEED.appSecret,
					subscriptions,
				},
			});
		expect((await open([{ type: 'EVENT', topic: 'bpms_task_change' }])).json.message).toMatch(
			/topic \* only/,
		);
		expect((await open([{ type: 'PUSH', topic: '*' }])).status).toBe(400);
		expect((await open([])).status).toBe(400);
		expect((await open([{ type: 'CALLBACK', topic: ROBOT_MESSAGE_TOPIC }])).status).toBe(200);
	});

	it('HTTP 5xx and 429 and an unreachable host are worth retrying', async () => {
		const open = streamOpener(n8nHttpRequest, seededCredentials(emulator));
		const subs = streamSubscriptions({ robotMessages: false });
		emulator.injectFault({ kind: 'http', status: 503, path: '/v1.0/gateway/connections/open' });
		const busy = (await open(subs).catch((e: unknown) => e)) as StreamOpenError;
		expect(busy).toMatchObject({ permanent: false, status: 503 });
		expect(busy.message).toContain('keeps retrying');
		emulator.injectFault({ kind: 'http', status: 429, path: '/v1.0/gateway/connections/open' });
		expect(await open(subs).catch((e: unknown) => e)).toMatchObject({ permanent: false });

		const unreachable = streamOpener(n8nHttpRequest, {
			...seededCredentials(emulator),
			apiBaseUrl: 'http://127.0.0.1:1',
		});
		const refused = (await unreachable(subs).catch((e: unknown) => e)) as StreamOpenError;
		expect(refused.permanent).toBe(false);
		expect(refused.message).toContain('ECONNREFUSED');
		expect(refused.message).not.toContain(DINGTALK_SEED.appSecret);
	});
});
