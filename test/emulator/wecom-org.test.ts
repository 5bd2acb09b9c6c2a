/* eslint-disable @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any -- test code: runs under Node and jest, never inside n8n */
import { ApiEmulator, WECOM_SEED } from '.';
import { request, WeComClient } from './testClient';

describe('WeCom gettoken, agent and org endpoints', () => {
	let emulator: ApiEmulator;
	let client: WeComClient;

	beforeAll(async () => {
		emulator = await ApiEmulator.start({ plugins: ['wecom'] });
		client = new WeComClient(emulator);
	});

	afterAll(async () => {
		await emulator.stop();
	});

	describe('gettoken', () => {
		const gettoken = async (query: Record<string, string>) =>
			(await request(emulator.baseUrl, 'GET', '/cgi-bin/gettoken', { query })).json;

		it.each([
			['no corpid', { corpsecret: WECOM_SEED.secret }, 41002],
			['no corpsecret', { corpid: WECOM_SEED.corpId }, 41004],
			['a wrong corpid', { corpid: 'ww0000000000000000', corpsecret: WECOM_SEED.secret }, 40013],
			['a wrong secret', { corpid: WECOM_SEED.corpId, corpsecret: 'wrong' }, 40001],
		])('answers %s with its errcode', async (_what, query, errcode) => {
			const res = await gettoken(query);
			expect(res.errcode).toBe(errcode);
			expect(res.errmsg).toContain(`e=${errcode}`);
			expect(res.access_token).toBeUndefined();
		});

		it('never echoes the secret in errmsg', async () => {
			const res = await gettoken({ corpid: 'wrongcorp', corpsecret: WECOM_SEED.secret });
			expect(res.errmsg).not.toContain(WECOM_SEED.secret);
		});
	});

	it('agent/get answers the app and 40056 for another agentid', async () => {
		expect(await client.get('/cgi-bin/agent/get', { agentid: 1000002 })).toMatchObject({
			errcode: 0,
			agentid: 1000002,
			allow_partys: { partyid: [1] },
		});
		expect((await client.get('/cgi-bin/agent/get', { agentid: 1000003 })).errcode).toBe(40056);
		expect((await client.get('/cgi-bin/agent/get')).errcode).toBe(41011);
	});

	describe('departments', () => {
		it('department/list without id lists the whole tree of 3 levels', async () => {
			const res = await client.get('/cgi-bin/department/list');
			expect(res.errcode).toBe(0);
			expect(res.department.length).toBeGreaterThanOrEqual(6);
			const byId = new Map<number, { parentid: number }>(res.department.map((d: any) => [d.id, d]));
			const depth = (id: number): number => (id === 1 ? 1 : 1 + depth(byId.get(id)!.parentid));
			expect(Math.max(...res.department.map((d: any) => depth(d.id)))).toBe(3);
			expect(res.department[0]).toMatchObject({ id: 1, parentid: 0, name: '示例科技有限公司' });
		});

		it('department/list?id= gives the subtree, the root included', async () => {
			const res = await client.get('/cgi-bin/department/list', { id: 2 });
			expect(res.department.map((d: any) => d.id).sort()).toEqual([2, 6, 7, 8]);
			expect(res.department[0].id).toBe(2);
			expect((await client.get('/cgi-bin/department/list', { id: 999 })).errcode).toBe(60123);
		});

		it('department/simplelist and department/get', async () => {
			const simple = await client.get('/cgi-bin/department/simplelist', { id: 3 });
			expect(simple.department_id).toEqual([
				{ id: 3, parentid: 1, order: expect.any(Number) },
				{ id: 9, parentid: 3, order: expect.any(Number) },
				{ id: 10, parentid: 3, order: expect.any(Number) },
			]);
			const one = await client.get('/cgi-bin/department/get', { id: 4 });
			expect(one.department).toMatchObject({ id: 4, name: '财务部', department_leader: ['lisi'] });
			expect((await client.get('/cgi-bin/department/get', { id: 404 })).errcode).toBe(60123);
		});
	});

	describe('users', () => {
		it('user/get answers the member and 60111 for an unknown userid', async () => {
			const user = await client.get('/cgi-bin/user/get', { userid: 'zhangsan' });
			expect(user).toMatchObject({
				errcode: 0,
				userid: 'zhangsan',
				name: '张三',
				department: [2],
				mobile: expect.stringMatching(/^1\d{10}$/),
				email: 'zhangsan@example.com',
			});
			expect((await client.get('/cgi-bin/user/get', { userid: 'nobody' })).errcode).toBe(60111);
			expect((await client.get('/cgi-bin/user/get')).errcode).toBe(41009);
		});

		it('the seed has at least 12 members with Chinese names, mobiles and emails', () => {
			expect(emulator.wecom.users.length).toBeGreaterThanOrEqual(12);
			for (const u of emulator.wecom.users) {
				expect(u.name).toMatch(/^[\u4e00-\u9fff]{2,4}$/);
				expect(u.mobile).toMatch(/^1\d{10}$/);
				expect(u.email).toContain('@');
			}
		});

		it('user/simplelist and user/list, with and without fetch_child', async () => {
			const direct = await client.get('/cgi-bin/user/simplelist', { department_id: 2 });
			expect(direct.userlist.map((u: any) => u.userid)).toEqual(['zhangsan']);
			const tree = await client.get('/cgi-bin/user/list', { department_id: 2, fetch_child: 1 });
			const ids = tree.userlist.map((u: any) => u.userid);
			expect(ids).toEqual(
				expect.arrayContaining(['zhangsan', 'wangwu', 'zhaoliu', 'sunqi', 'chenjiashun']),
			);
			expect(ids).not.toContain('lisi');
			expect(tree.userlist[0]).toHaveProperty('mobile');
			expect((await client.get('/cgi-bin/user/list', { department_id: 77 })).errcode).toBe(60123);
		});

		it('user/list_id pages through every (member, department) pair with a cursor', async () => {
			const expected = emulator.wecom.users.flatMap((u) =>
				u.department.map((department) => ({ userid: u.userid, department })),
			);
			const seen: unknown[] = [];
			let cursor = '';
			let pages = 0;
			do {
				const page = await client.post('/cgi-bin/user/list_id', { cursor, limit: 4 });
				expect(page.errcode).toBe(0);
				expect(page.dept_user.length).toBeLessThanOrEqual(4);
				seen.push(...page.dept_user);
				cursor = page.next_cursor;
				pages++;
			} while (cursor);
			expect(seen).toEqual(expected);
			expect(pages).toBe(Math.ceil(expected.length / 4));

			const all = await client.post('/cgi-bin/user/list_id', {});
			expect(all.dept_user).toEqual(expected);
			expect(all.next_cursor).toBe('');
		});

		it('user/list_id rejects a bad cursor and a limit over 10000', async () => {
			expect(
				(await client.post('/cgi-bin/user/list_id', { cursor: 'garbage', limit: 10 })).errcode,
			).toBe(50100);
			expect((await client.post('/cgi-bin/user/list_id', { limit: 10001 })).errcode).toBe(40058);
			expect((await client.post('/cgi-bin/user/list_id', { limit: 0 })).errcode).toBe(40058);
		});

		it('user/getuserid finds by mobile; 46004 when nobody has it', async () => {
			const lisi = emulator.wecom.users.find((u) => u.userid === 'lisi')!;
			expect(await client.post('/cgi-bin/user/getuserid', { mobile: lisi.mobile })).toMatchObject({
				errcode: 0,
				userid: 'lisi',
			});
			expect(
				(await client.post('/cgi-bin/user/getuserid', { mobile: '13999999999' })).errcode,
			).toBe(46004);
			expect((await client.post('/cgi-bin/user/getuserid', { mobile: 'abc' })).errcode).toBe(60103);
		});

		it('user/get_userid_by_email looks in corp mail (1) or personal mail (2)', async () => {
			const corp = await client.post('/cgi-bin/user/get_userid_by_email', {
				email: 'wangwu@emucorp.example',
				email_type: 1,
			});
			expect(corp.userid).toBe('wangwu');
			const personal = await client.post('/cgi-bin/user/get_userid_by_email', {
				email: 'wangwu@example.com',
				email_type: 2,
			});
			expect(personal.userid).toBe('wangwu');
			const wrongType = await client.post('/cgi-bin/user/get_userid_by_email', {
				email: 'wangwu@example.com',
				email_type: 1,
			});
			expect(wrongType.errcode).toBe(46004);
		});
	});

	describe('tags', () => {
		it('tag/list and tag/get', async () => {
			const list = await client.get('/cgi-bin/tag/list');
			expect(list.taglist).toHaveLength(3);
			const tag = await client.get('/cgi-bin/tag/get', { tagid: 2 });
			expect(tag).toMatchObject({
				errcode: 0,
				tagname: '财务审批人',
				userlist: [
					{ userid: 'lisi', name: '李四' },
					{ userid: 'qianyi', name: '钱一' },
				],
				partylist: [4],
			});
			expect((await client.get('/cgi-bin/tag/get', { tagid: 99 })).errcode).toBe(40068);
			expect((await client.get('/cgi-bin/tag/get')).errcode).toBe(41017);
		});
	});
});
