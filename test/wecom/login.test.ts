import type { IDataObject } from 'n8n-workflow';

import { issueWeComLoginCode, WECOM_CODE_LIFETIME_MS } from '../emulator/wecom';
import { startWeCom, type WeComTestEnv } from './setup';

describe('WeCom User: Get by Login Code (auth/getuserinfo)', () => {
	let env: WeComTestEnv;

	beforeAll(async () => {
		env = await startWeCom();
	});

	afterAll(async () => {
		await env.stop();
	});

	beforeEach(() => {
		env.emulator.calls.length = 0;
	});

	const code = (subject: Parameters<typeof issueWeComLoginCode>[1], issuedAt = Date.now()) =>
		issueWeComLoginCode(env.emulator.wecom, subject, issuedAt);

	const run = async (value: string, includeProfile?: boolean) =>
		await env.run({
			resource: 'user',
			operation: 'getByCode',
			code: value,
			...(includeProfile === undefined ? {} : { includeProfile }),
		});

	it("turns a member's code into the userid and the profile", async () => {
		const result = await run(code({ userid: 'zhangsan' }));
		expect(result.error).toBeUndefined();
		const json = result.items[0].json;
		expect(json).toMatchObject({ member: true, userid: 'zhangsan', name: expect.any(String) });
		expect(json.department).toEqual(expect.any(Array));
		// user_ticket is a credential of the user's session: never in the item.
		expect(JSON.stringify(json)).not.toContain('user_ticket');
		expect(JSON.stringify(json)).not.toContain('emu-user-ticket');
		const paths = env.emulator.calls.map((c) => c.path).filter((p) => p !== '/cgi-bin/gettoken');
		expect(paths).toEqual(['/cgi-bin/auth/getuserinfo', '/cgi-bin/user/get']);
	});

	it('without the profile: one call, the userid only', async () => {
		const result = await run(code({ userid: 'lisi' }), false);
		expect(result.items[0].json).toEqual({ member: true, userid: 'lisi' });
		expect(env.emulator.callsTo('/cgi-bin/user/get')).toHaveLength(0);
	});

	it('a visitor from outside the company gives an openid and no profile call', async () => {
		const result = await run(code({ openid: 'oAbCdEf123', external_userid: 'wmEXT1' }));
		expect(result.items[0].json).toEqual({
			member: false,
			openid: 'oAbCdEf123',
			external_userid: 'wmEXT1',
		});
		expect(env.emulator.callsTo('/cgi-bin/user/get')).toHaveLength(0);
	});

	it('a reused code fails with the bilingual hint (errcode 40029)', async () => {
		const once = code({ userid: 'zhangsan' });
		expect((await run(once, false)).error).toBeUndefined();
		const again = await run(once, false);
		const error = again.error as Error & { description?: string };
		expect(error.message).toMatch(
			/login code is invalid: a code works once and for 5 minutes.*40029/,
		);
		expect(error.description).toContain('code 只能使用一次');
	});

	it('an expired code fails the same way', async () => {
		const stale = code({ userid: 'zhangsan' }, Date.now() - WECOM_CODE_LIFETIME_MS - 1000);
		const result = await run(stale);
		expect(result.error?.message).toMatch(/40029/);
		const answer = env.emulator.callsTo('/cgi-bin/auth/getuserinfo')[0].response as IDataObject;
		expect(String(answer.errmsg)).toContain('code expired');
	});

	it('an empty code is refused before any call, naming the field', async () => {
		const result = await run('  ');
		expect(result.error?.message).toMatch(/^Code is empty: map the "code"/);
		expect(env.emulator.callsTo('/cgi-bin/auth/getuserinfo')).toHaveLength(0);
	});
});
