/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
import { ApiEmulator, DINGTALK_SEED } from '.';
import { request } from './testClient';

describe('DingTalk token endpoints', () => {
	let emulator: ApiEmulator;

	beforeEach(async () => {
		emulator = await ApiEmulator.start({ plugins: ['dingtalk'] });
	});

	afterEach(async () => {
		await emulator.stop();
	});

	const newToken = (body: unknown) =>
		request(emulator.baseUrl, 'POST', '/v1.0/oauth2/accessToken', { body });
	const oldToken = (query: Record<string, string>) =>
		request(emulator.baseUrl, 'GET', '/gettoken', { query });

	it('POST /v1.0/oauth2/accessToken issues a token and reuses it while valid', async () => {
		const first = await newToken({
			appKey: DINGTALK_SEED.appKey,
			appSecret: DINGTALK_SEED.appSecret,
		});
		expect(first.status).toBe(200);
		expect(first.json).toEqual({ accessToken: expect.any(String), expireIn: 7200 });
		const second = await newToken({
			appKey: DINGTALK_SEED.appKey,
			appSecret: DINGTALK_SEED.appSecret,
		});
		expect(second.json.accessToken).toBe(first.json.accessToken);
		expect(emulator.tokenIssueCount('dingtalk')).toBe(1);
	});

	it('answers bad credentials with HTTP 400 invalidClientIdOrSecret', async () => {
		const bad = await newToken({ appKey: DINGTALK_SEED.appKey, appSecret: 'wrong' });
		expect(bad.status).toBe(400);
		expect(bad.json).toMatchObject({
			code: 'invalidClientIdOrSecret',
			requestid: expect.any(String),
		});
		expect(bad.text).not.toContain(DINGTALK_SEED.appSecret);
		expect((await newToken({})).status).toBe(400);
		const notJson = await request(emulator.baseUrl, 'POST', '/v1.0/oauth2/accessToken', {
			body: 'appKey=x',
		});
		expect(notJson.status).toBe(400);
		expect(notJson.json.code).toBe('InvalidParameter');
	});

	it('GET /gettoken issues the same token; a bad key is errcode 40096 on HTTP 200', async () => {
		const ok = await oldToken({ appkey: DINGTALK_SEED.appKey, appsecret: DINGTALK_SEED.appSecret });
		expect(ok.json).toMatchObject({
			errcode: 0,
			errmsg: 'ok',
			access_token: expect.any(String),
			expires_in: 7200,
		});
		const bad = await oldToken({ appkey: 'dingwrong', appsecret: DINGTALK_SEED.appSecret });
		expect(bad.status).toBe(200);
		expect(bad.json.errcode).toBe(40096);
		expect((await oldToken({})).json.errcode).toBe(40096);
	});

	it('a new token is issued after invalidateTokens()', async () => {
		const creds = { appkey: DINGTALK_SEED.appKey, appsecret: DINGTALK_SEED.appSecret };
		const first = (await oldToken(creds)).json.access_token;
		emulator.invalidateTokens('dingtalk');
		const second = (await oldToken(creds)).json.access_token;
		expect(second).not.toBe(first);
		expect(emulator.tokenIssueCount('dingtalk')).toBe(2);
	});
});
