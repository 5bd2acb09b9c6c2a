/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ExecutionLifecycleHooks, LoadOptionsContext } from 'n8n-core';
import type {
	IDataObject,
	INode,
	INodeListSearchResult,
	INodeParameters,
	INodeProperties,
	INodePropertyOptions,
	INodeType,
	IWorkflowBase,
} from 'n8n-workflow';

import type { RecordedCall } from '../emulator';
import { setOrgVisibility } from '../emulator/wecom/org';
import { seedDepartments, seedUsers } from '../emulator/wecom/seed';
import { clearOrgDirectory } from '../../nodes/WeCom/methods/orgDirectory';
import { ApiEmulator } from '../emulator';
import { seedLargeOrg } from '../emulator/wecom/largeOrg';
import { startWeCom, type WeComTestEnv } from './setup';

const byList = (value: string) => ({ __rl: true, mode: 'list', value });
const byId = (value: string | number) => ({ __rl: true, mode: 'id', value });

describe('WeCom org lookups (Department, User, Tag)', () => {
	let env: WeComTestEnv;

	beforeAll(async () => {
		env = await startWeCom();
	});

	afterAll(async () => {
		await env.stop();
	});

	beforeEach(() => {
		// Keep the token (the credential has it stored) but forget earlier calls and any narrowed scope.
		env.emulator.calls.length = 0;
		setOrgVisibility(env.emulator.wecom, undefined);
		// The pickers keep what they loaded for two minutes; each test here changes the org under them.
		clearOrgDirectory();
	});

	/** The calls to WeCom's API (not the token endpoint) since the test began. */
	const apiCalls = (): RecordedCall[] =>
		env.emulator.calls.filter((c) => c.path !== '/cgi-bin/gettoken');

	/** The query of a call without the token, which the transport adds. */
	const queryOf = (call: RecordedCall) => {
		const { access_token: token, ...rest } = call.query;
		expect(token).toBeTruthy();
		return rest;
	};

	const errorOf = (result: Awaited<ReturnType<WeComTestEnv['run']>>) => {
		expect(result.error).toBeDefined();
		return result.error as Error & { description?: string; context?: IDataObject };
	};

	describe('Department', () => {
		it('Get Many lists every visible department, one item each, with department/list and no id', async () => {
			const result = await env.run({
				resource: 'department',
				operation: 'getAll',
				returnAll: true,
			});

			expect(result.error).toBeUndefined();
			const calls = apiCalls();
			expect(calls).toHaveLength(1);
			expect(calls[0].method).toBe('GET');
			expect(calls[0].path).toBe('/cgi-bin/department/list');
			expect(queryOf(calls[0])).toEqual({});
			expect(result.items).toHaveLength(10);
			expect(result.items.map((i) => i.json.id)).toEqual([1, 2, 6, 7, 8, 3, 9, 10, 4, 5]);
			expect(result.items[0].json).toEqual({
				id: 1,
				name: '示例科技有限公司',
				name_en: 'Emulator Tech',
				department_leader: ['linfeng'],
				parentid: 0,
				order: 100000000,
			});
			expect(result.items.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
		});

		it('Get Many under one department sends ?id= and applies the limit', async () => {
			const result = await env.run({
				resource: 'department',
				operation: 'getAll',
				scope: 'subtree',
				departmentId: byList('2'),
				returnAll: false,
				limit: 3,
			});

			expect(result.error).toBeUndefined();
			expect(apiCalls().map((c) => [c.path, queryOf(c)])).toEqual([
				['/cgi-bin/department/list', { id: '2' }],
			]);
			expect(result.json('WeCom').map((d) => d.name)).toEqual(['研发中心', '前端组', '后端组']);
		});

		it('Get Many with Use Simple List calls department/simplelist and outputs id, parentid, order', async () => {
			const result = await env.run({
				resource: 'department',
				operation: 'getAll',
				scope: 'subtree',
				departmentId: byId('3'),
				useSimpleList: true,
				returnAll: true,
			});

			expect(result.error).toBeUndefined();
			expect(apiCalls().map((c) => [c.path, queryOf(c)])).toEqual([
				['/cgi-bin/department/simplelist', { id: '3' }],
			]);
			expect(result.json('WeCom')).toEqual([
				{ id: 3, parentid: 1, order: 99998000 },
				{ id: 9, parentid: 3, order: 99999000 },
				{ id: 10, parentid: 3, order: 99998000 },
			]);
		});

		it('Get returns the department of department/get', async () => {
			const result = await env.run({
				resource: 'department',
				operation: 'get',
				departmentId: byId('6'),
			});

			expect(result.error).toBeUndefined();
			expect(apiCalls().map((c) => [c.path, queryOf(c)])).toEqual([
				['/cgi-bin/department/get', { id: '6' }],
			]);
			expect(result.json('WeCom')).toEqual([seedDepartments().find((d) => d.id === 6)]);
		});

		it('Get rejects an ID that is not a whole number before calling WeCom', async () => {
			// A literal value is refused by n8n itself (the mode's validation regex makes it a node issue).
			await expect(
				env.run({ resource: 'department', operation: 'get', departmentId: byId('研发') }),
			).rejects.toThrow(/A department ID is a positive whole number/);
			// An expression is only known at run time: the operation checks it.
			const result = await env.run(
				{ resource: 'department', operation: 'get', departmentId: byId('={{ $json.dept }}') },
				[{ json: { dept: '研发' } }],
			);

			expect(errorOf(result).message).toMatch(/Department "研发" is not a valid ID/);
			expect(apiCalls()).toHaveLength(0);
		});

		it("Get of an unknown department surfaces WeCom's errcode with a hint (60123)", async () => {
			const result = await env.run({
				resource: 'department',
				operation: 'get',
				departmentId: byId('999'),
			});

			const error = errorOf(result);
			expect(error.message).toMatch(
				/^The department does not exist \(or is outside the app's visibility scope\): check the department ID, e\.g\. with Department: Get Many\. \(errcode 60123: /,
			);
			expect(error.description).toContain('部门不存在');
			expect(apiCalls()).toHaveLength(1);
		});

		it('a department outside the visibility scope gives 60011 with the scope hint', async () => {
			setOrgVisibility(env.emulator.wecom, { departments: [2] });
			const result = await env.run({
				resource: 'department',
				operation: 'get',
				departmentId: byId('4'),
			});

			const error = errorOf(result);
			expect(error.message).toMatch(/visibility scope/);
			expect(error.description).toMatch(/可见范围/);
		});
	});

	describe('User', () => {
		it('Get returns the profile from user/get without errcode/errmsg', async () => {
			const result = await env.run({
				resource: 'user',
				operation: 'get',
				userId: byList('zhangsan'),
			});

			expect(result.error).toBeUndefined();
			expect(apiCalls().map((c) => [c.method, c.path, queryOf(c)])).toEqual([
				['GET', '/cgi-bin/user/get', { userid: 'zhangsan' }],
			]);
			const seeded = seedUsers().find((u) => u.userid === 'zhangsan');
			expect(result.json('WeCom')).toEqual([seeded]);
		});

		it('Get of an unknown userid fails with 60111 and the hint', async () => {
			const result = await env.run({ resource: 'user', operation: 'get', userId: byId('nobody') });

			const error = errorOf(result);
			expect(error.message).toContain('The userid was not found');
			expect(error.message).toContain('60111');
			expect(error.description).toContain('成员 userid 不存在');
			expect(error.message).not.toContain(env.emulator.accessToken('wecom'));
		});

		it('Get evaluates the userid per item and goes on after a failure with continueOnFail', async () => {
			const result = await env.run(
				{ resource: 'user', operation: 'get', userId: byId('={{ $json.who }}') },
				[{ json: { who: 'lisi' } }, { json: { who: 'ghost' } }, { json: { who: 'wangwu' } }],
				{ continueOnFail: true },
			);

			expect(result.error).toBeUndefined();
			expect(apiCalls().map((c) => c.query.userid)).toEqual(['lisi', 'ghost', 'wangwu']);
			expect(result.items).toHaveLength(3);
			expect(result.items[0].json).toMatchObject({ userid: 'lisi', name: '李四' });
			expect(result.items[1].json).toMatchObject({ details: { errcode: 60111 } });
			expect(String(result.items[1].json.error)).toContain('The userid was not found');
			expect(result.items[1].pairedItem).toEqual({ item: 1 });
			expect(result.items[2].json).toMatchObject({ userid: 'wangwu', name: '王五' });
		});

		it('Get rejects a malformed or empty userid before calling WeCom', async () => {
			await expect(
				env.run({ resource: 'user', operation: 'get', userId: byId('张 三') }),
			).rejects.toThrow(/A userid has 1–64 letters/);
			const result = await env.run(
				{ resource: 'user', operation: 'get', userId: byId('={{ $json.who }}') },
				[{ json: { who: '张 三' } }, { json: {} }],
				{ continueOnFail: true },
			);

			expect(result.items.map((i) => i.json.error)).toEqual([
				expect.stringMatching(/User "张 三" is not a valid userid/),
				expect.stringMatching(/User is empty/),
			]);
			expect(apiCalls()).toHaveLength(0);
		});

		it('Get Many by department with sub-departments calls user/list with fetch_child=1', async () => {
			const result = await env.run({
				resource: 'user',
				operation: 'getAll',
				scope: 'department',
				departmentId: byList('2'),
				fetchChild: true,
				returnAll: true,
			});

			expect(result.error).toBeUndefined();
			expect(apiCalls().map((c) => [c.path, queryOf(c)])).toEqual([
				['/cgi-bin/user/list', { department_id: '2', fetch_child: '1' }],
			]);
			expect(result.json('WeCom').map((u) => u.userid)).toEqual([
				'zhangsan',
				'wangwu',
				'zhaoliu',
				'sunqi',
				'chenjiashun',
				'huangli',
				'xujing',
			]);
			expect(result.items[0].json).toMatchObject({
				name: '张三',
				position: '研发总监',
				department: [2],
			});
		});

		it('Get Many by department with Use Simple List calls user/simplelist and limits', async () => {
			const result = await env.run({
				resource: 'user',
				operation: 'getAll',
				scope: 'department',
				departmentId: byId('4'),
				useSimpleList: true,
				returnAll: false,
				limit: 1,
			});

			expect(result.error).toBeUndefined();
			expect(apiCalls().map((c) => [c.path, queryOf(c)])).toEqual([
				['/cgi-bin/user/simplelist', { department_id: '4', fetch_child: '0' }],
			]);
			expect(result.json('WeCom')).toEqual([
				{ userid: 'lisi', name: '李四', department: [4], open_userid: 'woemu03lisi' },
			]);
		});

		it('Get Many of the whole organisation follows user/list_id cursors with Return All', async () => {
			const result = await env.run({
				resource: 'user',
				operation: 'getAll',
				scope: 'organization',
				returnAll: true,
				options: { pageSize: 4 },
			});

			expect(result.error).toBeUndefined();
			const calls = apiCalls();
			// 16 user–department pairs (chenjiashun is in two departments) in pages of 4.
			expect(calls).toHaveLength(4);
			expect(calls.every((c) => c.method === 'POST' && c.path === '/cgi-bin/user/list_id')).toBe(
				true,
			);
			expect(calls[0].body).toEqual({ limit: 4 });
			for (let i = 1; i < calls.length; i++) {
				const previous = calls[i - 1].response as { next_cursor: string };
				expect(previous.next_cursor).toBeTruthy();
				expect(calls[i].body).toEqual({ limit: 4, cursor: previous.next_cursor });
			}
			expect((calls[3].response as { next_cursor: string }).next_cursor).toBe('');
			const users = result.json('WeCom');
			expect(users.map((u) => u.userid)).toEqual(seedUsers().map((u) => u.userid));
			expect(users.find((u) => u.userid === 'chenjiashun')).toEqual({
				userid: 'chenjiashun',
				department: [7, 8],
			});
			expect(users[0]).toEqual({ userid: 'linfeng', department: [1] });
		});

		it('merges a member whose departments come on two different user/list_id pages', async () => {
			// Pages of 11 pairs: chenjiashun's department 7 ends page 1, department 8 starts page 2.
			const result = await env.run({
				resource: 'user',
				operation: 'getAll',
				scope: 'organization',
				returnAll: true,
				options: { pageSize: 11 },
			});

			expect(result.error).toBeUndefined();
			const calls = apiCalls();
			expect(calls).toHaveLength(2);
			expect((calls[0].response as { dept_user: IDataObject[] }).dept_user.at(-1)).toEqual({
				userid: 'chenjiashun',
				department: 7,
			});
			const users = result.json('WeCom');
			expect(users).toHaveLength(15);
			expect(users.filter((u) => u.userid === 'chenjiashun')).toEqual([
				{ userid: 'chenjiashun', department: [7, 8] },
			]);
		});

		it('Get Many of the whole organisation stops reading pages at the limit', async () => {
			const result = await env.run({
				resource: 'user',
				operation: 'getAll',
				scope: 'organization',
				returnAll: false,
				limit: 10,
				options: { pageSize: 4 },
			});

			expect(result.error).toBeUndefined();
			const calls = apiCalls();
			expect(calls.map((c) => (c.body as IDataObject).limit)).toEqual([4, 4, 2]);
			expect(result.json('WeCom').map((u) => u.userid)).toEqual(
				seedUsers()
					.slice(0, 10)
					.map((u) => u.userid),
			);
		});

		it('Get Many of the whole organisation asks for no more than the limit in one call', async () => {
			const result = await env.run({
				resource: 'user',
				operation: 'getAll',
				scope: 'organization',
				returnAll: false,
				limit: 3,
			});

			expect(result.error).toBeUndefined();
			expect(apiCalls().map((c) => c.body)).toEqual([{ limit: 3 }]);
			expect(result.json('WeCom')).toEqual([
				{ userid: 'linfeng', department: [1] },
				{ userid: 'zhangsan', department: [2] },
				{ userid: 'lisi', department: [4] },
			]);
		});

		it('Get Many of the whole organisation rejects a page size WeCom would refuse', async () => {
			const result = await env.run({
				resource: 'user',
				operation: 'getAll',
				scope: 'organization',
				returnAll: true,
				options: { pageSize: 20000 },
			});

			expect(errorOf(result).message).toMatch(/Page Size must be a whole number from 1 to 10000/);
			expect(apiCalls()).toHaveLength(0);
		});

		it('Get ID by Mobile posts the mobile to user/getuserid', async () => {
			const result = await env.run({
				resource: 'user',
				operation: 'getIdByMobile',
				mobile: ' 13800138002 ',
			});

			expect(result.error).toBeUndefined();
			const calls = apiCalls();
			expect(calls.map((c) => [c.method, c.path, c.body])).toEqual([
				['POST', '/cgi-bin/user/getuserid', { mobile: '13800138002' }],
			]);
			expect(result.json('WeCom')).toEqual([{ mobile: '13800138002', userid: 'zhangsan' }]);
		});

		it('Get ID by Mobile of an unknown number fails with 46004, and continueOnFail goes on per item', async () => {
			const failed = await env.run({
				resource: 'user',
				operation: 'getIdByMobile',
				mobile: '13900000000',
			});
			const error = errorOf(failed);
			expect(error.message).toContain('The user does not exist');
			expect(error.message).toContain('46004');

			env.emulator.calls.length = 0;
			const result = await env.run(
				{ resource: 'user', operation: 'getIdByMobile', mobile: '={{ $json.phone }}' },
				[{ json: { phone: '13900000000' } }, { json: { phone: '13800138009' } }],
				{ continueOnFail: true },
			);
			expect(result.error).toBeUndefined();
			expect(apiCalls().map((c) => c.body)).toEqual([
				{ mobile: '13900000000' },
				{ mobile: '13800138009' },
			]);
			expect(result.items.map((i) => i.json)).toEqual([
				expect.objectContaining({ details: expect.objectContaining({ errcode: 46004 }) }),
				{ mobile: '13800138009', userid: 'zhengshi' },
			]);
			expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		});

		it('Get ID by Mobile rejects something that is not a number before calling WeCom', async () => {
			const result = await env.run({
				resource: 'user',
				operation: 'getIdByMobile',
				mobile: 'call me',
			});

			expect(errorOf(result).message).toMatch(/is not a mobile number/);
			expect(apiCalls()).toHaveLength(0);
		});

		it('Get ID by Email sends email_type 1 for the corporate mailbox and 2 for the personal one', async () => {
			const result = await env.run(
				{
					resource: 'user',
					operation: 'getIdByEmail',
					email: '={{ $json.email }}',
					emailType: '={{ $json.kind }}',
				},
				[
					{ json: { email: 'zhangsan@emucorp.example', kind: 'corp' } },
					{ json: { email: 'lisi@example.com', kind: 'personal' } },
				],
			);

			expect(result.error).toBeUndefined();
			expect(apiCalls().map((c) => [c.path, c.body])).toEqual([
				['/cgi-bin/user/get_userid_by_email', { email: 'zhangsan@emucorp.example', email_type: 1 }],
				['/cgi-bin/user/get_userid_by_email', { email: 'lisi@example.com', email_type: 2 }],
			]);
			expect(result.json('WeCom')).toEqual([
				{ email: 'zhangsan@emucorp.example', userid: 'zhangsan' },
				{ email: 'lisi@example.com', userid: 'lisi' },
			]);
		});

		it('Get ID by Email: a personal address is not found as a corporate one', async () => {
			const result = await env.run({
				resource: 'user',
				operation: 'getIdByEmail',
				email: 'lisi@example.com',
				emailType: 'corp',
			});

			expect(errorOf(result).message).toContain('46004');
			expect(apiCalls().map((c) => c.body)).toEqual([{ email: 'lisi@example.com', email_type: 1 }]);
		});

		it('Get ID by Email rejects an address without @ before calling WeCom', async () => {
			const result = await env.run({ resource: 'user', operation: 'getIdByEmail', email: 'lisi' });

			expect(errorOf(result).message).toMatch(/is not an email address/);
			expect(apiCalls()).toHaveLength(0);
		});

		it('a member outside the visibility scope gives 60011', async () => {
			setOrgVisibility(env.emulator.wecom, { departments: [2] });
			const result = await env.run({ resource: 'user', operation: 'get', userId: byId('lisi') });

			expect(errorOf(result).message).toMatch(/60011/);
		});
	});

	describe('Tag', () => {
		it('Get Many lists the tags of tag/list, one item each', async () => {
			const all = await env.run({ resource: 'tag', operation: 'getAll', returnAll: true });

			expect(all.error).toBeUndefined();
			expect(apiCalls().map((c) => [c.method, c.path, queryOf(c)])).toEqual([
				['GET', '/cgi-bin/tag/list', {}],
			]);
			expect(all.json('WeCom')).toEqual([
				{ tagid: 1, tagname: '项目经理' },
				{ tagid: 2, tagname: '财务审批人' },
				{ tagid: 3, tagname: '新员工' },
			]);

			const limited = await env.run({
				resource: 'tag',
				operation: 'getAll',
				returnAll: false,
				limit: 2,
			});
			expect(limited.json('WeCom').map((t) => t.tagid)).toEqual([1, 2]);
		});

		it('Get Members outputs the tag with its members and departments', async () => {
			const result = await env.run({
				resource: 'tag',
				operation: 'getMembers',
				tagId: byList('2'),
			});

			expect(result.error).toBeUndefined();
			expect(apiCalls().map((c) => [c.path, queryOf(c)])).toEqual([
				['/cgi-bin/tag/get', { tagid: '2' }],
			]);
			expect(result.json('WeCom')).toEqual([
				{
					tagid: 2,
					tagname: '财务审批人',
					userlist: [
						{ userid: 'lisi', name: '李四' },
						{ userid: 'qianyi', name: '钱一' },
					],
					partylist: [4],
				},
			]);
		});

		it('Get Members evaluates the tag per item; an unknown tag fails alone with continueOnFail', async () => {
			const result = await env.run(
				{ resource: 'tag', operation: 'getMembers', tagId: byId('={{ $json.tag }}') },
				[{ json: { tag: 1 } }, { json: { tag: 99 } }, { json: { tag: 3 } }],
				{ continueOnFail: true },
			);

			expect(result.error).toBeUndefined();
			expect(apiCalls().map((c) => c.query.tagid)).toEqual(['1', '99', '3']);
			expect(
				result.items.map(
					(i) => i.json.tagname ?? (i.json.details as IDataObject | undefined)?.errcode,
				),
			).toEqual(['项目经理', 40068, '新员工']);
			expect(result.items[2].json.partylist).toEqual([10]);
		});

		it('Get Members rejects a tag ID that is not a whole number before calling WeCom', async () => {
			await expect(
				env.run({ resource: 'tag', operation: 'getMembers', tagId: byId('1.5') }),
			).rejects.toThrow(/A tag ID is a positive whole number/);
			const result = await env.run(
				{ resource: 'tag', operation: 'getMembers', tagId: byId('={{ $json.tag }}') },
				[{ json: { tag: 1.5 } }],
			);

			expect(errorOf(result).message).toMatch(/Tag "1.5" is not a valid ID/);
			expect(apiCalls()).toHaveLength(0);
		});
	});

	it('Get Many of the whole organisation stops when WeCom hands back a cursor it already gave', async () => {
		// The emulator's list_id never does this, so a stub server plays a WeCom that loops.
		const bodies: unknown[] = [];
		const stub = createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				res.setHeader('content-type', 'application/json');
				if (req.url?.startsWith('/cgi-bin/gettoken')) {
					res.end(
						JSON.stringify({
							errcode: 0,
							errmsg: 'ok',
							access_token: 'stub-token',
							expires_in: 7200,
						}),
					);
					return;
				}
				bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
				res.end(
					JSON.stringify({
						errcode: 0,
						errmsg: 'ok',
						next_cursor: 'same',
						dept_user: [{ userid: 'u1', department: 1 }],
					}),
				);
			});
		});
		await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
		const looping = await startWeCom();
		try {
			const { port } = stub.address() as AddressInfo;
			looping.harness.credentials.patch(looping.credential.id, {
				baseUrl: `http://127.0.0.1:${port}`,
				accessToken: '',
			});
			const result = await looping.run({
				resource: 'user',
				operation: 'getAll',
				scope: 'organization',
				returnAll: true,
			});

			expect(errorOf(result).message).toMatch(/same user\/list_id cursor twice/);
			expect(bodies).toEqual([{ limit: 10000 }, { limit: 10000, cursor: 'same' }]);
		} finally {
			await looping.stop();
			await new Promise<void>((resolve) => stub.close(() => resolve()));
		}
	});

	describe('pickers through n8n-core LoadOptionsContext', () => {
		const workflowData = {
			id: 'picker-workflow',
			name: 'Picker workflow',
			active: false,
			nodes: [],
			connections: {},
			settings: {},
		} as unknown as IWorkflowBase;

		/** What n8n's DynamicNodeParametersService builds for a picker: the node as in the editor, a LoadOptionsContext. */
		function pickerContext(parameters: INodeParameters, path: string) {
			const node: INode = {
				id: 'picker-node',
				name: 'WeCom',
				type: env.harness.type('weCom'),
				typeVersion: 1,
				position: [0, 0],
				parameters,
				credentials: { weComApi: env.credential },
			};
			const workflow = env.harness.workflow([node]);
			const hooks = new ExecutionLifecycleHooks('internal', 'picker', workflowData);
			const additionalData = env.harness.additionalData(hooks, {
				currentNodeParameters: parameters,
			});
			const nodeType = env.harness.nodeTypes.getByNameAndVersion(node.type, 1) as INodeType;
			return { context: new LoadOptionsContext(workflow, node, additionalData, path), nodeType };
		}

		async function listSearch(method: string, filter?: string, paginationToken?: string) {
			const { context, nodeType } = pickerContext(
				{ resource: 'user', operation: 'get', userId: byList('') },
				'parameters.userId',
			);
			const search = nodeType.methods?.listSearch?.[method];
			expect(search).toBeDefined();
			return (await search!.call(context, filter, paginationToken)) as INodeListSearchResult;
		}

		async function loadOptions(method: string) {
			const { context, nodeType } = pickerContext(
				{ resource: 'message', operation: 'send' },
				'parameters.toTags',
			);
			const load = nodeType.methods?.loadOptions?.[method];
			expect(load).toBeDefined();
			return (await load!.call(context)) as INodePropertyOptions[];
		}

		it('every resource locator of the node names a listSearch method the node has', () => {
			const { nodeType } = pickerContext({}, 'parameters.x');
			const methods = Object.keys(nodeType.methods?.listSearch ?? {});
			const locators = nodeType.description.properties.filter(
				(p: INodeProperties) => p.type === 'resourceLocator',
			);
			expect(locators.length).toBeGreaterThan(0);
			for (const property of locators) {
				for (const mode of property.modes ?? []) {
					if (mode.typeOptions?.searchListMethod)
						expect(methods).toContain(mode.typeOptions.searchListMethod);
				}
			}
			expect(methods).toEqual(
				expect.arrayContaining(['searchUsers', 'searchDepartments', 'searchTags']),
			);
		});

		it('searchUsers matches Chinese names and shows "name (userid)", from department/list + user/simplelist', async () => {
			const result = await listSearch('searchUsers', '张');

			expect(result).toEqual({ results: [{ name: '张三 (zhangsan)', value: 'zhangsan' }] });
			expect(apiCalls().map((c) => [c.path, queryOf(c)])).toEqual([
				['/cgi-bin/department/list', {}],
				['/cgi-bin/user/simplelist', { department_id: '1', fetch_child: '1' }],
			]);
		});

		it('searchUsers matches userids case-insensitively and returns everyone without a filter', async () => {
			expect((await listSearch('searchUsers', 'ZHAO')).results).toEqual([
				{ name: '赵六 (zhaoliu)', value: 'zhaoliu' },
			]);
			const all = await listSearch('searchUsers');
			expect(all.paginationToken).toBeUndefined();
			expect(all.results).toHaveLength(15);
		});

		it('searchDepartments shows paths and matches them in Chinese', async () => {
			const result = await listSearch('searchDepartments', '前端');

			expect(result).toEqual({
				results: [{ name: '示例科技有限公司 / 研发中心 / 前端组', value: '6' }],
			});
			const byIdFilter = await listSearch('searchDepartments', 'Sales');
			expect(byIdFilter.results.map((r) => r.value).sort()).toEqual(['10', '9']);
		});

		it('searchTags matches tag names in Chinese and tag IDs', async () => {
			expect(await listSearch('searchTags', '财务')).toEqual({
				results: [{ name: '财务审批人', value: '2' }],
			});
			expect((await listSearch('searchTags', '3')).results).toEqual([
				{ name: '新员工', value: '3' },
			]);
		});

		it('searchUsers pages 200 at a time with a pagination token', async () => {
			const users = env.emulator.wecom.users;
			const template = users.find((u) => u.userid === 'liuxiaoming')!;
			for (let i = 0; i < 250; i++) {
				const n = String(i).padStart(3, '0');
				users.push({ ...structuredClone(template), userid: `sales${n}`, name: `销售${n}` });
			}
			try {
				const first = await listSearch('searchUsers', '销售');
				expect(first.results).toHaveLength(200);
				expect(first.paginationToken).toBe('200');
				expect(first.results[0]).toEqual({ name: '销售000 (sales000)', value: 'sales000' });
				const second = await listSearch('searchUsers', '销售', first.paginationToken as string);
				expect(second.results).toHaveLength(50);
				expect(second.paginationToken).toBeUndefined();
				expect(second.results.at(-1)).toEqual({ name: '销售249 (sales249)', value: 'sales249' });
			} finally {
				users.splice(users.length - 250, 250);
			}
		});

		it('with a scope below the root, users come from each top-most visible department', async () => {
			setOrgVisibility(env.emulator.wecom, { departments: [2, 4] });

			const result = await listSearch('searchUsers');
			const simplelists = apiCalls().filter((c) => c.path === '/cgi-bin/user/simplelist');
			expect(simplelists.map((c) => queryOf(c))).toEqual([
				{ department_id: '2', fetch_child: '1' },
				{ department_id: '4', fetch_child: '1' },
			]);
			expect(result.results.map((r) => r.value).sort()).toEqual(
				[
					'zhangsan',
					'wangwu',
					'zhaoliu',
					'sunqi',
					'chenjiashun',
					'huangli',
					'xujing',
					'lisi',
					'qianyi',
				].sort(),
			);

			const departments = await listSearch('searchDepartments', '前端');
			expect(departments.results).toEqual([{ name: '研发中心 / 前端组', value: '6' }]);
		});

		it('with only single members in scope, users fall back to user/list_id (userids without names)', async () => {
			setOrgVisibility(env.emulator.wecom, { users: ['zhouba', 'lisi'] });

			const result = await listSearch('searchUsers');
			expect(apiCalls().map((c) => c.path)).toEqual([
				'/cgi-bin/department/list',
				'/cgi-bin/user/list_id',
			]);
			expect(result.results).toEqual([
				{ name: 'lisi', value: 'lisi' },
				{ name: 'zhouba', value: 'zhouba' },
			]);
		});

		it('a second open, the next page and a search within two minutes make no WeCom call', async () => {
			const users = env.emulator.wecom.users;
			const template = users.find((u) => u.userid === 'liuxiaoming')!;
			for (let i = 0; i < 250; i++) {
				users.push({ ...structuredClone(template), userid: `cache${i}`, name: `缓存${i}` });
			}
			try {
				const first = await listSearch('searchUsers');
				const loads = apiCalls().length;
				expect(loads).toBe(2);

				expect(await listSearch('searchUsers')).toEqual(first);
				const next = await listSearch('searchUsers', undefined, first.paginationToken as string);
				expect(next.results).toHaveLength(65);
				expect((await listSearch('searchUsers', '缓存24')).results).toHaveLength(11);
				await loadOptions('getUsers');
				expect(apiCalls()).toHaveLength(loads);

				// Departments and tags are their own lists, loaded once each.
				await listSearch('searchDepartments');
				await loadOptions('getDepartments');
				expect(apiCalls()).toHaveLength(loads + 1);
			} finally {
				users.splice(users.length - 250, 250);
			}
		});

		it('after two minutes the pickers load the organisation again (a new member shows)', async () => {
			await listSearch('searchUsers');
			const users = env.emulator.wecom.users;
			users.push({ ...structuredClone(users[0]), userid: 'newcomer', name: '新人' });
			const now = Date.now();
			const clock = jest.spyOn(Date, 'now');
			try {
				clock.mockReturnValue(now + 60_000);
				expect((await listSearch('searchUsers', '新人')).results).toEqual([]);
				clock.mockReturnValue(now + 121_000);
				expect((await listSearch('searchUsers', '新人')).results).toEqual([
					{ name: '新人 (newcomer)', value: 'newcomer' },
				]);
			} finally {
				clock.mockRestore();
				users.pop();
			}
		});

		it('a failed load is not kept: the next open tries again', async () => {
			env.emulator.injectFault({
				kind: 'errcode',
				errcode: 60011,
				path: '/cgi-bin/department/list',
			});

			await expect(listSearch('searchDepartments')).rejects.toThrow(/visibility scope/);
			expect((await listSearch('searchDepartments')).results).toHaveLength(10);
		});

		it('what one app (credential values) loaded is never shown for another', async () => {
			await listSearch('searchUsers');
			const other = await ApiEmulator.start({ plugins: ['wecom'] });
			const stored = env.harness.credentials.stored(env.credential.id);
			try {
				seedLargeOrg(other.wecom, { members: 300, divisions: 2, teamsPerDivision: 2 });
				env.harness.credentials.patch(env.credential.id, { baseUrl: other.baseUrl });

				const result = await listSearch('searchUsers', 'u00300');

				expect(result.results).toEqual([expect.objectContaining({ value: 'u00300' })]);
				expect(other.callsTo('/cgi-bin/user/simplelist')).toHaveLength(1);
			} finally {
				env.harness.credentials.patch(env.credential.id, {
					baseUrl: stored.baseUrl,
					accessToken: stored.accessToken,
				});
				await other.stop();
			}
		});

		it('getUsers lists every visible member sorted by name (pinyin)', async () => {
			const options = await loadOptions('getUsers');

			expect(options.map((o) => o.value)).toEqual([
				'chenjiashun',
				'heyun',
				'huangli',
				'lisi',
				'linfeng',
				'liuxiaoming',
				'qianyi',
				'sunqi',
				'wangwu',
				'wujiu',
				'xujing',
				'zhangsan',
				'zhaoliu',
				'zhengshi',
				'zhouba',
			]);
			expect(options[0]).toEqual({ name: '陈家顺 (chenjiashun)', value: 'chenjiashun' });
		});

		it('getDepartments lists paths with string ids, sorted by name', async () => {
			const options = await loadOptions('getDepartments');

			expect(options).toHaveLength(10);
			expect(options[0]).toEqual({ name: '示例科技有限公司', value: '1' });
			expect(options).toContainEqual({
				name: '示例科技有限公司 / 市场部 / 华南销售组',
				value: '10',
			});
			const names = options.map((o) => o.name);
			expect(names).toEqual([...names].sort(new Intl.Collator('zh-CN', { numeric: true }).compare));
		});

		it('getTags lists tags with string ids, sorted by name', async () => {
			expect(await loadOptions('getTags')).toEqual([
				{ name: '财务审批人', value: '2' },
				{ name: '项目经理', value: '1' },
				{ name: '新员工', value: '3' },
			]);
		});

		it('a picker failure is a NodeApiError without the token', async () => {
			env.emulator.injectFault({ kind: 'errcode', errcode: 60011, path: '/cgi-bin/tag/list' });

			const error = (await listSearch('searchTags', '财务').catch((e: unknown) => e)) as Error;
			expect(error.constructor.name).toBe('NodeApiError');
			expect(error.message).toMatch(/visibility scope/);
			expect(error.message).not.toContain(env.emulator.accessToken('wecom'));
		});
	});
});
