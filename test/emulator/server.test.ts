/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
import { ApiEmulator, DINGTALK_SEED, WECOM_SEED, wecom } from '.';
import { request, WeComClient } from './testClient';

describe('ApiEmulator base', () => {
	let clock: number;
	let emulator: ApiEmulator;

	beforeEach(async () => {
		clock = Date.UTC(2024, 8, 1, 8, 0, 0);
		emulator = await ApiEmulator.start({ tokenLifetimeMs: 60_000, now: () => clock });
	});

	afterEach(async () => {
		await emulator.stop();
	});

	const getToken = async () =>
		(
			await request(emulator.baseUrl, 'GET', '/cgi-bin/gettoken', {
				query: { corpid: WECOM_SEED.corpId, corpsecret: WECOM_SEED.secret },
			})
		).json;

	const agentGet = (token?: string) =>
		request(emulator.baseUrl, 'GET', '/cgi-bin/agent/get', {
			query: token === undefined ? { agentid: 1000002 } : { agentid: 1000002, access_token: token },
		});

	it('listens on 127.0.0.1 with a random port', () => {
		expect(emulator.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(emulator.baseUrl).not.toMatch(/:0$/);
	});

	describe('tokens', () => {
		it('returns the same token within its lifetime and a new one after', async () => {
			const first = await getToken();
			expect(first).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 60 });
			clock += 30_000;
			const second = await getToken();
			expect(second.access_token).toBe(first.access_token);
			expect(second.expires_in).toBe(30);
			expect(emulator.tokenIssueCount('wecom')).toBe(1);

			clock += 30_000;
			const third = await getToken();
			expect(third.access_token).not.toBe(first.access_token);
			expect(third.expires_in).toBe(60);
			expect(emulator.tokenIssueCount('wecom')).toBe(2);
			expect(emulator.tokenIssueCount('dingtalk')).toBe(0);
		});

		it('answers 41001 without a token, 40014 for an unknown one, 42001 for an expired one', async () => {
			const missing = await agentGet();
			expect(missing.status).toBe(200);
			expect(missing.json.errcode).toBe(41001);

			const unknown = await agentGet('not-a-token');
			expect(unknown.json.errcode).toBe(40014);

			const { access_token } = await getToken();
			expect((await agentGet(access_token)).json.errcode).toBe(0);
			clock += 60_000;
			const expired = await agentGet(access_token);
			expect(expired.json.errcode).toBe(42001);
			expect(expired.json.errmsg).toContain('more info at');
			expect(expired.json.errmsg).not.toContain(access_token);
		});

		it('invalidateTokens() kills live tokens early; gettoken then issues a new one', async () => {
			const { access_token } = await getToken();
			expect(emulator.invalidateTokens('wecom')).toBe(1);
			expect((await agentGet(access_token)).json.errcode).toBe(40014);
			const fresh = await getToken();
			expect(fresh.access_token).not.toBe(access_token);
			expect((await agentGet(fresh.access_token)).json.errcode).toBe(0);

			emulator.invalidateTokens(undefined, 'expired');
			expect((await agentGet(fresh.access_token)).json.errcode).toBe(42001);
			expect(emulator.tokenIssueCount('wecom')).toBe(2);
		});

		it('does not accept a DingTalk token on WeCom', async () => {
			const ding = emulator.accessToken('dingtalk');
			expect((await agentGet(ding)).json.errcode).toBe(40014);
		});
	});

	describe('DingTalk token checks', () => {
		beforeEach(() => {
			emulator.addRoute('dingtalk', {
				method: 'POST',
				path: '/v1.0/emulator/echo',
				handle: (req) => ({ json: { echoed: req.body } }),
			});
			emulator.addRoute('dingtalk', {
				method: 'POST',
				path: '/topapi/emulator/echo',
				handle: (req) => ({ json: { errcode: 0, errmsg: 'ok', echoed: req.body } }),
			});
		});

		it('new API: header token; 400 without it, 401 InvalidAuthentication when invalid or expired', async () => {
			const token = emulator.accessToken('dingtalk');
			const post = (headers: Record<string, string>, query: Record<string, string> = {}) =>
				request(emulator.baseUrl, 'POST', '/v1.0/emulator/echo', {
					body: { a: 1 },
					headers,
					query,
				});

			const ok = await post({ 'x-acs-dingtalk-access-token': token });
			expect(ok.status).toBe(200);
			expect(ok.json).toEqual({ echoed: { a: 1 } });

			const inQuery = await post({}, { access_token: token });
			expect(inQuery.status).toBe(400);
			expect(inQuery.json.code).toBe('AuthenticationFailed.MissingParameter');

			const bad = await post({ 'x-acs-dingtalk-access-token': 'nope' });
			expect(bad.status).toBe(401);
			expect(bad.json.code).toBe('InvalidAuthentication');

			clock += 60_000;
			const expired = await post({ 'x-acs-dingtalk-access-token': token });
			expect(expired.status).toBe(401);
			expect(expired.json.code).toBe('InvalidAuthentication');
		});

		it('old API: query token; errcode 40014 / 42001 on HTTP 200', async () => {
			const token = emulator.accessToken('dingtalk');
			const post = (query: Record<string, string>) =>
				request(emulator.baseUrl, 'POST', '/topapi/emulator/echo', { body: {}, query });

			expect((await post({ access_token: token })).json.errcode).toBe(0);
			const invalid = await post({ access_token: 'nope' });
			expect(invalid.status).toBe(200);
			expect(invalid.json.errcode).toBe(40014);
			expect((await post({})).json).toMatchObject({ errcode: 88, sub_code: '40000' });
			clock += 60_000;
			expect((await post({ access_token: token })).json.errcode).toBe(42001);
		});

		it('a token from either DingTalk endpoint is the same token', async () => {
			const fromNew = await request(emulator.baseUrl, 'POST', '/v1.0/oauth2/accessToken', {
				body: { appKey: DINGTALK_SEED.appKey, appSecret: DINGTALK_SEED.appSecret },
			});
			const fromOld = await request(emulator.baseUrl, 'GET', '/gettoken', {
				query: { appkey: DINGTALK_SEED.appKey, appsecret: DINGTALK_SEED.appSecret },
			});
			expect(fromNew.json.accessToken).toBe(fromOld.json.access_token);
			expect(fromNew.json.expireIn).toBe(60);
			expect(emulator.tokenIssueCount('dingtalk')).toBe(1);
		});
	});

	describe('call records', () => {
		it('records method, path, query, headers, parsed body, raw body, status and response', async () => {
			const client = new WeComClient(emulator);
			const token = await client.accessToken();
			const body = {
				touser: 'zhangsan',
				msgtype: 'text',
				agentid: 1000002,
				text: { content: '你好' },
			};
			const answer = await client.post('/cgi-bin/message/send', body, { 'x-test': 'yes' });

			expect(emulator.calls).toHaveLength(2);
			expect(emulator.calls[0].path).toBe('/cgi-bin/gettoken');
			const [send] = emulator.callsTo('/cgi-bin/message/send');
			expect(send).toMatchObject({
				platform: 'wecom',
				method: 'POST',
				path: '/cgi-bin/message/send',
				query: { access_token: token },
				body,
				status: 200,
				response: answer,
			});
			expect(send.headers['x-test']).toBe('yes');
			expect(send.rawBody.toString('utf8')).toBe(JSON.stringify(body));
			expect(emulator.callsTo(/^\/cgi-bin\//)).toHaveLength(2);
		});

		it('answers 47001 to a body that is not JSON, and records its text', async () => {
			const client = new WeComClient(emulator);
			const res = await client.post('/cgi-bin/message/send', '{"touser": zhangsan}');
			expect(res.errcode).toBe(47001);
			expect(emulator.callsTo('/cgi-bin/message/send')[0].body).toBe('{"touser": zhangsan}');
			expect((await client.post('/cgi-bin/message/send', '[1,2]')).errcode).toBe(47001);
		});

		it('answers unknown paths with 404 JSON and wrong methods with 405', async () => {
			const wecomMissing = await request(emulator.baseUrl, 'GET', '/cgi-bin/no/such/api');
			expect(wecomMissing.status).toBe(404);
			expect(wecomMissing.json.errmsg).toContain('/cgi-bin/no/such/api');
			const dingMissing = await request(emulator.baseUrl, 'POST', '/v1.0/no/such', { body: {} });
			expect(dingMissing.status).toBe(404);
			expect(dingMissing.json.code).toBe('InvalidAction.NotFound');
			const wrongMethod = await request(emulator.baseUrl, 'GET', '/cgi-bin/message/send');
			expect(wrongMethod.status).toBe(405);
			expect(emulator.calls.map((c) => c.status)).toEqual([404, 404, 405]);
			expect(emulator.calls.map((c) => c.platform)).toEqual(['wecom', 'dingtalk', 'wecom']);
		});
	});

	it('reset() clears calls, faults and tokens and restores the seed', async () => {
		const client = new WeComClient(emulator);
		await client.post('/cgi-bin/message/send', {
			touser: 'zhangsan',
			msgtype: 'text',
			agentid: 1000002,
			text: { content: 'x' },
		});
		emulator.wecom.users.pop();
		emulator.injectFault({ kind: 'latency', ms: 1 });
		const token = await client.accessToken();

		emulator.reset();
		expect(emulator.calls).toEqual([]);
		expect(emulator.pendingFaults()).toEqual([]);
		expect(emulator.tokenIssueCount('wecom')).toBe(0);
		expect(emulator.sentMessages()).toEqual([]);
		expect(emulator.wecom.users).toEqual(wecom.seedUsers());
		expect((await agentGet(token)).json.errcode).toBe(40014);
	});

	it('hosts only the plugins asked for', async () => {
		const only = await ApiEmulator.start({ plugins: ['dingtalk'] });
		try {
			const res = await request(only.baseUrl, 'GET', '/cgi-bin/gettoken');
			expect(res.status).toBe(404);
			expect(only.calls[0].platform).toBe('unknown');
			expect(() => only.wecom).toThrow(/not enabled/);
		} finally {
			await only.stop();
		}
	});

	it('stop() is idempotent and closes the port', async () => {
		const url = emulator.baseUrl;
		await emulator.stop();
		await emulator.stop();
		await expect(fetch(`${url}/cgi-bin/gettoken`)).rejects.toThrow();
	});
});
