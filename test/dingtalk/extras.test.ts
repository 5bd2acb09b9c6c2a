import type { IDataObject } from 'n8n-workflow';

import { dingTalkSignedUrl } from '../../nodes/DingTalk/resources/jsapi/getSignature';
import { clearTicketCache, jsapiSignature } from '../../nodes/shared/jsapiTicket';
import {
	DINGTALK_CODE_LIFETIME_MS,
	DINGTALK_SEED,
	dingTalkTickets,
	issueInAppCode,
	issueOAuthCode,
	microAppScope,
} from '../emulator/dingtalk';
import { DINGTALK_JSAPI_VECTOR } from '../fixtures/jsapiVectors';
import { startDingTalk, type DingTalkTestEnv } from './setup';

const PAGE =
	'https://emulator.example/h5/index.html?back=https%3A%2F%2Femulator.example%2Fa%3Fb%3D1&q=a+b#/x';
const SIGNED = 'https://emulator.example/h5/index.html?back=https://emulator.example/a?b=1&q=a b';

describe('DingTalk JSAPI, login codes and app info', () => {
	let env: DingTalkTestEnv;

	beforeAll(async () => {
		env = await startDingTalk();
	});

	afterAll(async () => {
		await env.stop();
	});

	beforeEach(() => {
		clearTicketCache();
		env.emulator.reset();
	});

	const ok = (path: string) =>
		env.emulator.callsTo(path).filter((c) => (c.response as IDataObject).errcode === 0);

	describe('JSAPI: Get Signature', () => {
		it("reproduces the signature for DingTalk's published example inputs", () => {
			const v = DINGTALK_JSAPI_VECTOR;
			expect(dingTalkSignedUrl(v.pageUrl)).toBe(v.signedUrl);
			expect(jsapiSignature(v.ticket, v.nonceStr, v.timestamp, v.signedUrl)).toBe(v.signature);
		});

		it('signs N items with one ticket fetch; dd.config (emulated) accepts each signature', async () => {
			const items = [0, 1, 2, 3].map(() => ({ json: {} }));
			const result = await env.run(
				{ resource: 'jsapi', operation: 'getSignature', pageUrl: PAGE },
				items,
			);
			expect(result.error).toBeUndefined();
			expect(ok('/get_jsapi_ticket')).toHaveLength(1);
			for (const { json } of result.items) {
				expect(json).toMatchObject({
					url: SIGNED,
					corpId: DINGTALK_SEED.corpId,
					agentId: String(DINGTALK_SEED.agentId),
				});
				expect(String(json.signature)).toMatch(/^[0-9a-f]{40}$/);
				expect(
					dingTalkTickets(env.emulator.dingtalk).verify(
						'jsapi',
						{
							url: SIGNED,
							nonceStr: String(json.nonceStr),
							timestamp: Number(json.timeStamp),
							signature: String(json.signature),
						},
						Date.now(),
					),
				).toBe(true);
				expect(json.ddConfig).toEqual({
					agentId: json.agentId,
					corpId: json.corpId,
					timeStamp: json.timeStamp,
					nonceStr: json.nonceStr,
					signature: json.signature,
					type: 0,
				});
			}
			const text = JSON.stringify(result.items);
			const ticket = (ok('/get_jsapi_ticket')[0].response as IDataObject).ticket as string;
			expect(text).not.toContain(ticket);
			expect(text).not.toContain(DINGTALK_SEED.appSecret);
		});

		it('SHA-256 on request, over the same string', async () => {
			const result = await env.run({
				resource: 'jsapi',
				operation: 'getSignature',
				pageUrl: PAGE,
				options: { algorithm: 'sha256', nonceStr: 'abc', timestamp: 1700000000 },
			});
			const ticket = (ok('/get_jsapi_ticket')[0].response as IDataObject).ticket as string;
			expect(result.items[0].json.signature).toBe(
				jsapiSignature(ticket, 'abc', 1700000000, SIGNED, 'sha256'),
			);
		});

		it('without a Corp ID in the credential: a clear error naming the field, and no ticket fetched', async () => {
			const credential = env.harness.credentials.add('dingTalkApi', {
				clientId: DINGTALK_SEED.appKey,
				clientSecret: DINGTALK_SEED.appSecret,
				agentId: String(DINGTALK_SEED.agentId),
				corpId: '',
				apiBaseUrl: env.emulator.baseUrl,
				oapiBaseUrl: env.emulator.baseUrl,
				accessToken: '',
			}) as { id: string; name: string };
			const result = await env.harness.runNode(
				{
					name: 'DingTalk',
					type: env.harness.type('dingTalk'),
					parameters: { resource: 'jsapi', operation: 'getSignature', pageUrl: PAGE },
					credentials: { dingTalkApi: credential },
				},
				[{ json: {} }],
			);
			expect(result.error?.message).toMatch(
				/^Corp ID \(CorpId\) in the DingTalk credential is empty/,
			);
			expect(env.emulator.callsTo('/get_jsapi_ticket')).toHaveLength(0);
		});
	});

	describe('User: Get by Login Code', () => {
		it('免登 code → userid and profile; the code works once (40078, bilingual)', async () => {
			const code = issueInAppCode(env.emulator.dingtalk, 'dev001', Date.now());
			const result = await env.run({ resource: 'user', operation: 'getByCode', code });
			expect(result.error).toBeUndefined();
			expect(result.items[0].json).toMatchObject({
				member: true,
				userid: 'dev001',
				unionid: 'union-dev001',
				name: '李开发',
				dept_id_list: [101],
			});
			const again = await env.run({ resource: 'user', operation: 'getByCode', code });
			const error = again.error as Error & { description?: string };
			expect(error.message).toMatch(/login code \(免登码\) is invalid.*40078/);
			expect(error.description).toContain('免登授权码无效');
		});

		it('an expired 免登 code fails the same way', async () => {
			const code = issueInAppCode(
				env.emulator.dingtalk,
				'dev001',
				Date.now() - DINGTALK_CODE_LIFETIME_MS - 1000,
			);
			const result = await env.run({
				resource: 'user',
				operation: 'getByCode',
				code,
				includeProfile: false,
			});
			expect(result.error?.message).toMatch(/40078/);
		});

		it('OAuth authCode → user token → users/me → the member, without the app token on those calls', async () => {
			const code = issueOAuthCode(env.emulator.dingtalk, { userid: 'fin001' }, Date.now());
			const result = await env.run({
				resource: 'user',
				operation: 'getByCode',
				codeSource: 'oauth',
				code,
			});
			expect(result.error).toBeUndefined();
			expect(result.items[0].json).toMatchObject({
				member: true,
				userid: 'fin001',
				unionId: 'union-fin001',
				nick: '周财务',
				title: '会计',
			});
			const exchange = env.emulator.callsTo('/v1.0/oauth2/userAccessToken')[0];
			expect(exchange.body).toEqual({
				clientId: DINGTALK_SEED.appKey,
				clientSecret: DINGTALK_SEED.appSecret,
				code,
				grantType: 'authorization_code',
			});
			expect(exchange.headers['x-acs-dingtalk-access-token']).toBeUndefined();
			const me = env.emulator.callsTo('/v1.0/contact/users/me')[0];
			expect(me.headers['x-acs-dingtalk-access-token']).toBe(
				(exchange.response as IDataObject).accessToken,
			);
			// The user's token is used, never handed out.
			expect(JSON.stringify(result.items)).not.toContain(
				String((exchange.response as IDataObject).accessToken),
			);
		});

		it('OAuth login of someone outside the organisation: member false, no profile', async () => {
			const code = issueOAuthCode(
				env.emulator.dingtalk,
				{ unionId: 'outsider-union-1', nick: '访客' },
				Date.now(),
			);
			const result = await env.run({
				resource: 'user',
				operation: 'getByCode',
				codeSource: 'oauth',
				code,
			});
			expect(result.error).toBeUndefined();
			expect(result.items[0].json).toMatchObject({
				member: false,
				unionId: 'outsider-union-1',
				nick: '访客',
			});
			expect(env.emulator.callsTo('/topapi/v2/user/get')).toHaveLength(0);
		});

		it('a reused OAuth code: a clear bilingual error that never shows the code or the secret', async () => {
			const code = issueOAuthCode(env.emulator.dingtalk, { userid: 'fin001' }, Date.now());
			const params = {
				resource: 'user',
				operation: 'getByCode',
				codeSource: 'oauth',
				code,
				includeProfile: false,
			};
			expect((await env.run(params)).error).toBeUndefined();
			const again = await env.run(params);
			const error = again.error as Error & { description?: string };
			expect(error.message).toMatch(/^DingTalk refused the login code: an authCode works once/);
			expect(error.description).toContain('登录授权码');
			const text = `${error.message}\n${error.description}`;
			expect(text).not.toContain(code);
			expect(text).not.toContain(DINGTALK_SEED.appSecret);
			// Not retried: a code is spent by the first call that reaches DingTalk.
			expect(env.emulator.callsTo('/v1.0/oauth2/userAccessToken')).toHaveLength(2);
		});
	});

	describe('App: Get', () => {
		it("finds the credential's app and its visibility scope", async () => {
			const scope = microAppScope(env.emulator.dingtalk);
			scope.deptVisibleScopes = [100];
			scope.userVisibleScopes = ['fin001'];
			const result = await env.run({ resource: 'app', operation: 'get' });
			expect(result.error).toBeUndefined();
			expect(result.items[0].json).toMatchObject({
				agentId: DINGTALK_SEED.agentId,
				appName: '审批助手',
				visibility: { hidden: false, departments: [100], users: ['fin001'] },
			});
			expect(env.emulator.callsTo('/microapp/visible_scopes')[0].body).toEqual({
				agentId: DINGTALK_SEED.agentId,
			});
		});
	});
});
