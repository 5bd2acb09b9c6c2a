import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { ApiEmulator, type RecordedCall } from '../emulator';
import { DINGTALK_SEED } from '../emulator/dingtalk/seed';
import { DingTalkProbe } from './probeNode';
import { seededCredential, startDingTalk, type DingTalkTestEnv, storedToken } from './setup';

const getDept = (id: number | string = 100) => ({
	resource: 'department',
	operation: 'get',
	departmentId: { __rl: true, mode: 'id', value: String(id) },
});

/** Every token the emulator handed out (from its recorded token answers, both endpoints). */
function issuedTokens(env: DingTalkTestEnv): string[] {
	return env.emulator
		.callsTo(/^\/(v1\.0\/oauth2\/accessToken|gettoken)$/)
		.map((c) => {
			const answer = c.response as { accessToken?: string; access_token?: string };
			return answer.accessToken ?? answer.access_token;
		})
		.filter((t): t is string => typeof t === 'string');
}

const headerToken = (call: RecordedCall) => call.headers['x-acs-dingtalk-access-token'];

describe('DingTalk transport (both API families)', () => {
	let env: DingTalkTestEnv;

	const probe = async (path: string, body: IDataObject = {}, method = 'POST') =>
		await env.harness.runNode({
			name: 'Probe',
			type: env.harness.type('dingTalkProbe'),
			parameters: { method, path, body: JSON.stringify(body) },
			credentials: { dingTalkApi: env.credential },
		});

	beforeEach(async () => {
		env = await startDingTalk({ nodeTypes: [new DingTalkProbe()] });
		// A new-family endpoint for the probe: echoes the body.
		env.emulator.addRoute('dingtalk', {
			method: 'POST',
			path: '/v1.0/probe/echo',
			body: 'none',
			handle: (req) => ({
				json: { echoed: req.rawBody.length ? JSON.parse(req.rawBody.toString()) : {} },
			}),
		});
	});

	afterEach(async () => {
		await env.stop();
	});

	it('fetches one token for many executions, puts it in the query for the old family and in the header for the new', async () => {
		for (let run = 0; run < 5; run++) {
			const items: INodeExecutionData[] = [100, 200, 300].map((id) => ({ json: { id } }));
			const result = await env.run(
				{ ...getDept(), departmentId: { __rl: true, mode: 'id', value: '={{ $json.id }}' } },
				items,
			);
			expect(result.error).toBeUndefined();
			expect(result.items.map((i) => i.json.name)).toEqual(['研发中心', '市场部', '财务部']);
		}
		const echo = await probe('/v1.0/probe/echo', { hello: '钉钉' });
		expect(echo.error).toBeUndefined();
		expect(echo.items[0].json).toEqual({ echoed: { hello: '钉钉' } });

		const [token] = issuedTokens(env);
		expect(issuedTokens(env)).toHaveLength(1);
		const oldCalls = env.emulator.callsTo('/topapi/v2/department/get');
		expect(oldCalls).toHaveLength(15);
		for (const call of oldCalls) {
			expect(call.query.access_token).toBe(token);
			expect(headerToken(call)).toBeUndefined();
		}
		const [newCall] = env.emulator.callsTo('/v1.0/probe/echo');
		expect(headerToken(newCall)).toBe(token);
		expect(newCall.query.access_token).toBeUndefined();
		const stored = env.harness.credentials.stored(env.credential.id);
		expect(storedToken(env)).toBe(token);
		// Stored as a record tied to the values it was fetched with: no secret in it.
		expect(stored.accessToken).toMatch(/^tok1\.[A-Za-z0-9_-]{32}\.\d{13}\./);
		expect(stored.accessToken).not.toContain(DINGTALK_SEED.appSecret);
	});

	it('refreshes a dead token once on the old family (errcode 40014) and stores the new one', async () => {
		expect((await env.run(getDept())).error).toBeUndefined();
		env.emulator.injectFault({ kind: 'invalidateToken', path: '/topapi/v2/department/get' });
		const result = await env.run(getDept(200));
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.name).toBe('市场部');
		const tokens = issuedTokens(env);
		expect(tokens).toHaveLength(2);
		const calls = env.emulator.callsTo('/topapi/v2/department/get').slice(1);
		expect(calls.map((c) => (c.response as IDataObject).errcode)).toEqual([40014, 0]);
		expect(calls[1].query.access_token).toBe(tokens[1]);
		expect(storedToken(env)).toBe(tokens[1]);
	});

	it('refreshes on errcode 88 with sub_code 40014 (the old family wrapping a dead token)', async () => {
		let first = true;
		env.emulator.addRoute('dingtalk', {
			method: 'POST',
			path: '/topapi/probe/wrapped',
			body: 'none',
			handle: () => {
				if (first) {
					first = false;
					return {
						json: { errcode: 88, errmsg: 'ding talk error[subcode=40014]', sub_code: '40014' },
					};
				}
				return { json: { errcode: 0, errmsg: 'ok', result: { fine: true } } };
			},
		});
		const result = await probe('/topapi/probe/wrapped');
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ result: { fine: true } });
		expect(env.harness.credentials.preAuthenticationCount('dingTalkApi')).toBe(2);
	});

	it('refreshes a dead token once on the new family (401 InvalidAuthentication)', async () => {
		expect((await probe('/v1.0/probe/echo')).error).toBeUndefined();
		env.emulator.injectFault({ kind: 'invalidateToken', path: '/v1.0/probe/echo' });
		const result = await probe('/v1.0/probe/echo', { n: 2 });
		expect(result.error).toBeUndefined();
		const calls = env.emulator.callsTo('/v1.0/probe/echo').slice(1);
		expect(calls.map((c) => c.status)).toEqual([401, 200]);
		const tokens = issuedTokens(env);
		expect(tokens).toHaveLength(2);
		expect(headerToken(calls[1])).toBe(tokens[1]);
	});

	it('gives up after one refresh when the platform keeps refusing the token, without leaking it', async () => {
		env.emulator.addRoute('dingtalk', {
			method: 'POST',
			path: '/v1.0/probe/alwaysDead',
			body: 'none',
			handle: () => ({
				status: 401,
				json: { code: 'InvalidAuthentication', message: 'token is bad', requestid: 'r1' },
			}),
		});
		const result = await probe('/v1.0/probe/alwaysDead');
		expect(result.error?.message).toMatch(/rejected even after a refresh/);
		expect(env.emulator.callsTo('/v1.0/probe/alwaysDead')).toHaveLength(2);
		const token = storedToken(env);
		expect(JSON.stringify(result.error)).not.toContain(token);
	});

	it('never uses a token issued for other credential values: an edited secret gets a fresh token first', async () => {
		expect((await env.run(getDept())).error).toBeUndefined();
		const [oldToken] = issuedTokens(env);
		// The user edits the credential: another (here: wrong) secret, the stored token stays.
		env.harness.credentials.patch(env.credential.id, {
			clientSecret: 'wrong-secret-typed-by-user',
		});
		const result = await env.run(getDept());
		expect(result.error?.message).toMatch(/Client ID or Client Secret is wrong/);
		expect(result.error?.message).not.toContain('wrong-secret-typed-by-user');
		// Not one API call went out with the old token after the edit.
		const afterEdit = env.emulator.callsTo('/topapi/v2/department/get').slice(1);
		expect(afterEdit).toHaveLength(0);

		// Fixed again: the stored token was issued for exactly these values, so it serves again without a new fetch.
		env.harness.credentials.patch(env.credential.id, { clientSecret: DINGTALK_SEED.appSecret });
		const fixed = await env.run(getDept());
		expect(fixed.error).toBeUndefined();
		expect(env.emulator.callsTo('/v1.0/oauth2/accessToken')).toHaveLength(2);
		const [call] = env.emulator.callsTo('/topapi/v2/department/get').slice(1);
		expect(call.query.access_token).toBe(oldToken);
	});

	it('a changed API host fetches a token from the new host before any call', async () => {
		expect((await env.run(getDept())).error).toBeUndefined();
		const relay = await ApiEmulator.start({ plugins: ['dingtalk'] });
		try {
			env.harness.credentials.patch(env.credential.id, {
				apiBaseUrl: relay.baseUrl,
				oapiBaseUrl: relay.baseUrl,
			});
			expect((await env.run(getDept())).error).toBeUndefined();
			expect(relay.calls.map((c) => c.path)).toEqual([
				'/v1.0/oauth2/accessToken',
				'/topapi/v2/department/get',
			]);
			expect(env.emulator.callsTo('/topapi/v2/department/get')).toHaveLength(1);
		} finally {
			await relay.stop();
		}
	});

	it('waits out old-family throttling (90018) and succeeds', async () => {
		env.emulator.injectFault({
			kind: 'errcode',
			errcode: 90018,
			times: 2,
			path: '/topapi/v2/department/get',
		});
		const result = await env.run(getDept());
		expect(result.error).toBeUndefined();
		expect(env.emulator.callsTo('/topapi/v2/department/get')).toHaveLength(3);
	});

	it('waits out new-family QPS limits and 429 system.busy, then names the code when it stays throttled', async () => {
		env.emulator.injectFault({
			kind: 'http',
			status: 403,
			path: '/v1.0/probe/echo',
			body: JSON.stringify({
				code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi',
				message: 'qps limit',
				requestid: 'q1',
			}),
		});
		env.emulator.injectFault({
			kind: 'http',
			status: 429,
			path: '/v1.0/probe/echo',
			body: JSON.stringify({ code: 'system.busy', message: 'busy', requestid: 'q2' }),
		});
		expect((await probe('/v1.0/probe/echo')).error).toBeUndefined();
		expect(env.emulator.callsTo('/v1.0/probe/echo')).toHaveLength(3);

		env.emulator.injectFault({
			kind: 'errcode',
			errcode: 90002,
			times: 4,
			path: '/topapi/v2/department/get',
		});
		const stuck = await env.run(getDept());
		expect(stuck.error?.message).toMatch(/global rate limit/);
		expect(stuck.error?.message).toMatch(/still throttled after 3 retries/);
	}, 20_000);

	it('recognises flood protection ({"status":1111} and HTML) and retries after the wait', async () => {
		env.emulator.injectFault({
			kind: 'http',
			status: 200,
			path: '/topapi/v2/department/get',
			body: JSON.stringify({ status: 1111, wait: 1 }),
		});
		const result = await env.run(getDept());
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.name).toBe('研发中心');

		env.emulator.injectFault({
			kind: 'http',
			status: 403,
			path: '/v1.0/probe/echo',
			body: '<html><body>访问被拒绝 (flood)</body></html>',
		});
		expect((await probe('/v1.0/probe/echo')).error).toBeUndefined();
		expect(env.emulator.callsTo('/v1.0/probe/echo')).toHaveLength(2);
	}, 20_000);

	it('turns a new-family refusal into an error with code, request id, the permission to grant and a bilingual hint', async () => {
		env.emulator.addRoute('dingtalk', {
			method: 'POST',
			path: '/v1.0/probe/forbidden',
			body: 'none',
			handle: () => ({
				status: 403,
				json: {
					code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied',
					message: '没有调用该接口的权限',
					requestid: 'REQ-42',
					accessdenieddetail: { requiredScopes: ['qyapi_get_member'] },
				},
			}),
		});
		const result = await probe('/v1.0/probe/forbidden');
		const error = result.error as Error & { description?: string };
		expect(error.message).toMatch(/Permission to grant: qyapi_get_member/);
		expect(error.description).toMatch(/权限管理/);
		expect(error.description).toMatch(/Request ID: REQ-42/);
		expect(error.description).toMatch(/\/v1\.0\/probe\/forbidden/);
	});

	it('old-family refusals keep errcode and hint, readable under Continue (using error output)', async () => {
		const result = await env.run(getDept(999), [{ json: {} }], { onError: 'continueErrorOutput' });
		expect(result.error).toBeUndefined();
		const [failed] = result.output('DingTalk', 1);
		expect(failed.json.error).toMatch(/department was not found/i);
		expect(failed.json.details).toMatchObject({ errcode: 60003, code: '60003' });
		expect(String((failed.json.details as IDataObject).description)).toMatch(/部门不存在/);
		expect(result.output('DingTalk', 0)).toEqual([]);
	});

	it('redacts the token and secret from anything the platform echoes back', async () => {
		expect((await env.run(getDept())).error).toBeUndefined();
		const token = storedToken(env);
		env.emulator.addRoute('dingtalk', {
			method: 'POST',
			path: '/topapi/probe/echoSecrets',
			body: 'none',
			handle: (req) => ({
				json: {
					errcode: 40035,
					errmsg: `bad request access_token=${req.query.access_token} secret ${DINGTALK_SEED.appSecret}`,
				},
			}),
		});
		const result = await probe('/topapi/probe/echoSecrets');
		const text = JSON.stringify({
			message: result.error?.message,
			description: (result.error as { description?: string }).description,
			all: result.error,
		});
		expect(text).not.toContain(token);
		expect(text).not.toContain(DINGTALK_SEED.appSecret);
		expect(text).toContain('***');
	});

	it('names the host field and the fix when DingTalk cannot be reached', async () => {
		const closed = 'http://127.0.0.1:9';
		const other = env.harness.credentials.add('dingTalkApi', {
			...seededCredential(env.emulator.baseUrl),
			oapiBaseUrl: closed,
		}) as { id: string; name: string };
		const result = await env.harness.runNode({
			name: 'DingTalk',
			type: env.harness.type('dingTalk'),
			parameters: getDept(),
			credentials: { dingTalkApi: other },
		});
		expect(result.error?.message).toMatch(
			/Could not reach DingTalk at http:\/\/127\.0\.0\.1:9 .*API Host \(Old API\)/,
		);
	}, 20_000);
});
