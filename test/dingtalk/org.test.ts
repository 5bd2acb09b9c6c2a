/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { RecordedCall } from '../emulator';
import type { DingTalkUser } from '../emulator/dingtalk/seed';
import { seededCredential, startDingTalk, type DingTalkTestEnv } from './setup';

const byList = (value: string) => ({ __rl: true, mode: 'list', value });
const byId = (value: string | number) => ({ __rl: true, mode: 'id', value: String(value) });

/** `count` members of a department, named 成员000…, added to the emulator for one test. */
function extraMembers(dept: number, count: number): DingTalkUser[] {
	return Array.from({ length: count }, (_, i) => {
		const n = String(i).padStart(3, '0');
		return {
			userid: `extra${n}`,
			unionid: `union-extra${n}`,
			name: `成员${n}`,
			mobile: `1370000${n.padStart(4, '0')}`,
			title: '',
			email: `extra${n}@emu.dingtalk.test`,
			job_number: `X${n}`,
			dept_id_list: [dept],
			active: true,
			admin: false,
		};
	});
}

describe('DingTalk org lookups (Department, User)', () => {
	let env: DingTalkTestEnv;

	beforeAll(async () => {
		env = await startDingTalk();
	});

	afterAll(async () => {
		await env.stop();
	});

	beforeEach(() => {
		// Keep the stored token; forget earlier calls.
		env.emulator.calls.length = 0;
	});

	/** The calls to DingTalk's org API since the test began (not the token endpoint). */
	const apiCalls = (): RecordedCall[] =>
		env.emulator.calls.filter((c) => !/accessToken|gettoken/.test(c.path));
	const bodies = (path: string) => env.emulator.callsTo(path).map((c) => c.body);

	const errorOf = (result: Awaited<ReturnType<DingTalkTestEnv['run']>>) => {
		expect(result.error).toBeDefined();
		return result.error as Error & { description?: string };
	};

	async function withMembers<T>(members: DingTalkUser[], body: () => Promise<T>): Promise<T> {
		const users = env.emulator.dingtalk.users;
		users.push(...members);
		try {
			return await body();
		} finally {
			users.splice(users.length - members.length, members.length);
		}
	}

	describe('Department', () => {
		it('Get answers the department (department/get with dept_id as a number), one item per input', async () => {
			const result = await env.run(
				{ resource: 'department', operation: 'get', departmentId: byId('={{ $json.id }}') },
				[{ json: { id: 100 } }, { json: { id: '200' } }],
			);

			expect(result.error).toBeUndefined();
			expect(bodies('/topapi/v2/department/get')).toEqual([{ dept_id: 100 }, { dept_id: 200 }]);
			expect(result.items[0].json).toMatchObject({
				dept_id: 100,
				name: '研发中心',
				parent_id: 1,
				member_count: 1,
			});
			expect(result.items[0].json.errcode).toBeUndefined();
			expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		});

		it('Get with the Language option sends language', async () => {
			const result = await env.run({
				resource: 'department',
				operation: 'get',
				departmentId: byList('1'),
				options: { language: 'en_US' },
			});
			expect(result.error).toBeUndefined();
			expect(bodies('/topapi/v2/department/get')).toEqual([{ dept_id: 1, language: 'en_US' }]);
		});

		it('Get of an unknown department is 60003 with the bilingual hint', async () => {
			const error = errorOf(
				await env.run({ resource: 'department', operation: 'get', departmentId: byId(999) }),
			);
			expect(error.message).toMatch(/department was not found/i);
			expect(error.description).toMatch(/部门不存在/);
			expect(error.description).toMatch(/60003/);
		});

		it('refuses a department ID that is not a positive number before calling DingTalk', async () => {
			// A literal the editor's own check (the By ID regex) refuses never runs; an expression's result reaches the node.
			const result = await env.run(
				{ resource: 'department', operation: 'get', departmentId: byId('={{ $json.v }}') },
				['研发中心', 0, -3, 1.5, ''].map((v) => ({ json: { v } })),
				{ onError: 'continueRegularOutput' },
			);
			expect(result.items.map((i) => i.json.error)).toEqual([
				'Department "研发中心" is not a valid department ID: enter a positive whole number (the root department is 1)',
				'Department "0" is not a valid department ID: enter a positive whole number (the root department is 1)',
				'Department "-3" is not a valid department ID: enter a positive whole number (the root department is 1)',
				'Department "1.5" is not a valid department ID: enter a positive whole number (the root department is 1)',
				'Department is empty: pick one from the list or enter its ID (the root department is 1)',
			]);
			expect(apiCalls()).toEqual([]);
		});

		it('Get Many lists one level below the parent (root by default)', async () => {
			const result = await env.run({
				resource: 'department',
				operation: 'getAll',
				returnAll: true,
			});

			expect(result.error).toBeUndefined();
			expect(bodies('/topapi/v2/department/listsub')).toEqual([{ dept_id: 1 }]);
			expect(result.items.map((i) => i.json.name)).toEqual(['研发中心', '市场部', '财务部']);
			expect(result.items[0].json).toMatchObject({ dept_id: 100, parent_id: 1 });
		});

		it('Get Many with Include Whole Tree walks breadth-first, one listsub per department', async () => {
			const result = await env.run({
				resource: 'department',
				operation: 'getAll',
				parentId: byList('1'),
				recursive: true,
				returnAll: true,
			});

			expect(result.error).toBeUndefined();
			expect(result.items.map((i) => i.json.dept_id)).toEqual([100, 200, 300, 101, 102]);
			expect(bodies('/topapi/v2/department/listsub')).toEqual(
				[1, 100, 200, 300, 101, 102].map((dept_id) => ({ dept_id })),
			);
		});

		it('Get Many under a department with a limit stops walking once the limit is reached', async () => {
			const result = await env.run({
				resource: 'department',
				operation: 'getAll',
				parentId: byId(1),
				recursive: true,
				returnAll: false,
				limit: 2,
			});

			expect(result.items.map((i) => i.json.dept_id)).toEqual([100, 200]);
			expect(apiCalls()).toHaveLength(1);
		});

		it('Get Many of a parent without children gives no items, of an unknown parent 60003', async () => {
			const empty = await env.run({
				resource: 'department',
				operation: 'getAll',
				parentId: byId(101),
				returnAll: true,
			});
			expect(empty.error).toBeUndefined();
			expect(empty.items).toEqual([]);
			const unknown = await env.run({
				resource: 'department',
				operation: 'getAll',
				parentId: byId(4242),
				returnAll: true,
			});
			expect(errorOf(unknown).message).toMatch(/60003/);
		});
	});

	describe('User', () => {
		it('Get answers the profile from /topapi/v2/user/get', async () => {
			const result = await env.run({
				resource: 'user',
				operation: 'get',
				userId: byList('lead001'),
			});

			expect(result.error).toBeUndefined();
			expect(bodies('/topapi/v2/user/get')).toEqual([{ userid: 'lead001' }]);
			expect(result.items).toHaveLength(1);
			expect(result.items[0].json).toMatchObject({
				userid: 'lead001',
				unionid: 'union-lead001',
				name: '陈组长',
				mobile: '13900000004',
				dept_id_list: [100, 101],
				manager_userid: 'manager001',
				active: true,
			});
			expect(result.items[0].json.errcode).toBeUndefined();
		});

		it('Get of an unknown userid is 60121 with a hint that names the userid', async () => {
			const error = errorOf(
				await env.run({ resource: 'user', operation: 'get', userId: byId('nobody') }),
			);
			expect(error.message).toMatch(/user was not found/i);
			expect(error.description).toMatch(/找不到该用户/);
			expect(error.description).toMatch(/userid/);
		});

		it('Get refuses a name or a list where a userid belongs, before calling DingTalk', async () => {
			const result = await env.run(
				{ resource: 'user', operation: 'get', userId: byId('={{ $json.v }}') },
				['王 经理', 'a,b', ''].map((v) => ({ json: { v } })),
				{ onError: 'continueRegularOutput' },
			);
			expect(result.items.map((i) => i.json.error)).toEqual([
				'User "王 经理" is not a valid userid: it has 1–64 characters without spaces or commas (the staff ID, not the name)',
				'User "a,b" is not a valid userid: it has 1–64 characters without spaces or commas (the staff ID, not the name)',
				'User is empty: pick a member from the list or enter a userid',
			]);
			expect(apiCalls()).toEqual([]);
		});

		it('Get Many of one department pages with the cursor, 100 per call, and Return All reads every page', async () => {
			await withMembers(extraMembers(300, 250), async () => {
				const result = await env.run({
					resource: 'user',
					operation: 'getAll',
					departmentId: byList('300'),
					returnAll: true,
				});

				expect(result.error).toBeUndefined();
				expect(bodies('/topapi/v2/user/list')).toEqual([
					{ dept_id: 300, cursor: 0, size: 100 },
					{ dept_id: 300, cursor: 100, size: 100 },
					{ dept_id: 300, cursor: 200, size: 100 },
				]);
				expect(result.items).toHaveLength(251);
				expect(result.items[0].json).toMatchObject({ userid: 'fin001', name: '周财务' });
				expect(result.items.at(-1)?.json.userid).toBe('extra249');
				expect(new Set(result.items.map((i) => i.json.userid)).size).toBe(251);
			});
		});

		it('Get Many with a limit asks only for what is missing', async () => {
			await withMembers(extraMembers(300, 250), async () => {
				const result = await env.run({
					resource: 'user',
					operation: 'getAll',
					departmentId: byId(300),
					returnAll: false,
					limit: 120,
				});

				expect(result.items).toHaveLength(120);
				expect(bodies('/topapi/v2/user/list')).toEqual([
					{ dept_id: 300, cursor: 0, size: 100 },
					{ dept_id: 300, cursor: 100, size: 20 },
				]);
			});
		});

		it('Get Many of one department lists only its direct members', async () => {
			const result = await env.run({
				resource: 'user',
				operation: 'getAll',
				departmentId: byId(100),
				returnAll: true,
			});
			expect(result.items.map((i) => i.json.userid)).toEqual(['lead001']);
			expect(bodies('/topapi/v2/department/listsub')).toEqual([]);
		});

		it('Get Many with Include Sub-Departments walks the tree below and lists a member of two departments once', async () => {
			const result = await env.run({
				resource: 'user',
				operation: 'getAll',
				departmentId: byId(100),
				includeSubDepartments: true,
				returnAll: true,
			});

			expect(result.error).toBeUndefined();
			expect(result.items.map((i) => i.json.userid)).toEqual(['lead001', 'dev001', 'dev002']);
			expect(bodies('/topapi/v2/department/listsub')).toEqual(
				[100, 101, 102].map((dept_id) => ({ dept_id })),
			);
			expect(bodies('/topapi/v2/user/list').map((b) => (b as IDataObject).dept_id)).toEqual([
				100, 101, 102,
			]);
		});

		it('Get Many of the whole organisation: every member once, breadth-first from the root', async () => {
			const result = await env.run({
				resource: 'user',
				operation: 'getAll',
				scope: 'organization',
				returnAll: true,
				options: { orderField: 'entry_desc', language: 'en_US' },
			});

			expect(result.error).toBeUndefined();
			expect(result.items.map((i) => i.json.userid)).toEqual([
				'manager001',
				'lead001',
				'inactive001',
				'mkt001',
				'fin001',
				'dev001',
				'dev002',
			]);
			expect(bodies('/topapi/v2/user/list')[0]).toEqual({
				dept_id: 1,
				cursor: 0,
				size: 100,
				order_field: 'entry_desc',
				language: 'en_US',
			});
			expect(bodies('/topapi/v2/department/listsub')[0]).toEqual({ dept_id: 1, language: 'en_US' });
		});

		it('Get Many of the whole organisation with a limit stops the walk early', async () => {
			const result = await env.run({
				resource: 'user',
				operation: 'getAll',
				scope: 'organization',
				returnAll: false,
				limit: 2,
			});
			expect(result.items.map((i) => i.json.userid)).toEqual(['manager001', 'lead001']);
			expect(apiCalls().map((c) => c.path)).toEqual([
				'/topapi/v2/department/listsub',
				'/topapi/v2/user/list',
				'/topapi/v2/department/listsub',
				'/topapi/v2/user/list',
			]);
		});

		it('Get Many stops with a clear error when DingTalk answers a cursor that does not move on', async () => {
			// A stub old-family host that always says "more" with the same cursor; tokens still come from the emulator.
			const bodiesSeen: unknown[] = [];
			const stub = createServer((req, res) => {
				let raw = '';
				req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
				req.on('end', () => {
					bodiesSeen.push(JSON.parse(raw || '{}'));
					res.setHeader('content-type', 'application/json');
					res.end(
						JSON.stringify({
							errcode: 0,
							errmsg: 'ok',
							result: { has_more: true, next_cursor: 0, list: [{ userid: 'loop', name: 'Loop' }] },
						}),
					);
				});
			});
			await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
			try {
				const looping = env.harness.credentials.add('dingTalkApi', {
					...seededCredential(env.emulator.baseUrl),
					oapiBaseUrl: `http://127.0.0.1:${(stub.address() as AddressInfo).port}`,
				}) as { id: string; name: string };
				const result = await env.harness.runNode({
					name: 'DingTalk',
					type: env.harness.type('dingTalk'),
					parameters: {
						resource: 'user',
						operation: 'getAll',
						departmentId: byId(1),
						returnAll: true,
					},
					credentials: { dingTalkApi: looping },
				});
				expect(errorOf(result).message).toMatch(/cursor 0 after 0: stopped paging to avoid a loop/);
				expect(bodiesSeen).toEqual([{ dept_id: 1, cursor: 0, size: 100 }]);
			} finally {
				await new Promise<void>((resolve) => stub.close(() => resolve()));
			}
		});

		it('Get ID by Mobile answers {mobile, userid}; an unknown mobile is 60121', async () => {
			const result = await env.run(
				{ resource: 'user', operation: 'getIdByMobile', mobile: '={{ $json.mobile }}' },
				[{ json: { mobile: ' 13900000005 ' } }],
			);
			expect(result.error).toBeUndefined();
			expect(result.items[0].json).toEqual({ mobile: '13900000005', userid: 'mkt001' });
			expect(bodies('/topapi/v2/user/getbymobile')).toEqual([{ mobile: '13900000005' }]);

			const unknown = await env.run({
				resource: 'user',
				operation: 'getIdByMobile',
				mobile: '13911112222',
			});
			expect(errorOf(unknown).message).toMatch(/60121/);
			const notAMobile = await env.run({
				resource: 'user',
				operation: 'getIdByMobile',
				mobile: '王经理',
			});
			expect(errorOf(notAMobile).message).toMatch(/Mobile "王经理" is not a mobile number/);
		});

		it('Get by UnionId finds the member and gets the profile; Include Profile off gives only the ids', async () => {
			const full = await env.run({
				resource: 'user',
				operation: 'getByUnionId',
				unionId: 'union-dev002',
			});
			expect(full.error).toBeUndefined();
			expect(bodies('/topapi/user/getbyunionid')).toEqual([{ unionid: 'union-dev002' }]);
			expect(bodies('/topapi/v2/user/get')).toEqual([{ userid: 'dev002' }]);
			expect(full.items[0].json).toMatchObject({
				userid: 'dev002',
				unionid: 'union-dev002',
				name: '赵前端',
				contact_type: 0,
			});

			env.emulator.calls.length = 0;
			const idsOnly = await env.run({
				resource: 'user',
				operation: 'getByUnionId',
				unionId: 'union-dev002',
				includeProfile: false,
			});
			expect(idsOnly.items[0].json).toEqual({
				unionid: 'union-dev002',
				userid: 'dev002',
				contact_type: 0,
			});
			expect(apiCalls().map((c) => c.path)).toEqual(['/topapi/user/getbyunionid']);

			const unknown = await env.run({
				resource: 'user',
				operation: 'getByUnionId',
				unionId: 'union-nobody',
			});
			expect(errorOf(unknown).message).toMatch(/60121/);
		});

		it('Count counts every member, or only the active ones (only_active)', async () => {
			const result = await env.run(
				{ resource: 'user', operation: 'count', onlyActive: '={{ $json.active }}' },
				[{ json: { active: false } }, { json: { active: true } }],
			);
			expect(result.error).toBeUndefined();
			expect(result.items.map((i) => i.json)).toEqual([
				{ count: 7, only_active: false },
				{ count: 6, only_active: true },
			]);
			expect(bodies('/topapi/user/count')).toEqual([{ only_active: false }, { only_active: true }]);
		});
	});

	describe('On Error → Continue, for every operation', () => {
		/** Per operation: parameters reading `$json.v`, an input that works and one DingTalk refuses. */
		const cases: Array<{
			name: string;
			parameters: INodeParameters;
			good: IDataObject;
			bad: IDataObject;
			code: number;
		}> = [
			{
				name: 'Department: Get',
				parameters: {
					resource: 'department',
					operation: 'get',
					departmentId: byId('={{ $json.v }}'),
				},
				good: { v: 100 },
				bad: { v: 999 },
				code: 60003,
			},
			{
				name: 'Department: Get Many',
				parameters: {
					resource: 'department',
					operation: 'getAll',
					parentId: byId('={{ $json.v }}'),
					returnAll: true,
				},
				good: { v: 100 },
				bad: { v: 999 },
				code: 60003,
			},
			{
				name: 'User: Get',
				parameters: { resource: 'user', operation: 'get', userId: byId('={{ $json.v }}') },
				good: { v: 'dev001' },
				bad: { v: 'nobody' },
				code: 60121,
			},
			{
				name: 'User: Get Many',
				parameters: {
					resource: 'user',
					operation: 'getAll',
					departmentId: byId('={{ $json.v }}'),
					returnAll: true,
				},
				good: { v: 300 },
				bad: { v: 999 },
				code: 60003,
			},
			{
				name: 'User: Get ID by Mobile',
				parameters: { resource: 'user', operation: 'getIdByMobile', mobile: '={{ $json.v }}' },
				good: { v: '13900000002' },
				bad: { v: '13911112222' },
				code: 60121,
			},
			{
				name: 'User: Get by UnionId',
				parameters: { resource: 'user', operation: 'getByUnionId', unionId: '={{ $json.v }}' },
				good: { v: 'union-dev001' },
				bad: { v: 'union-nobody' },
				code: 60121,
			},
			{
				name: 'User: Count',
				parameters: { resource: 'user', operation: 'count', onlyActive: '={{ $json.v }}' },
				good: { v: true },
				bad: { v: false },
				code: 60011,
			},
		];

		const items = (c: (typeof cases)[number]): INodeExecutionData[] => [
			{ json: c.bad },
			{ json: c.good },
		];

		/** Count has no input DingTalk refuses: its second call is refused with 60011 instead. */
		const refuseCountOnce = (c: (typeof cases)[number]) => {
			if (c.code === 60011) {
				env.emulator.injectFault({ kind: 'errcode', errcode: 60011, path: '/topapi/user/count' });
			}
		};

		it.each(cases)(
			'$name: Continue (using error output) routes the refusal to the error output with errcode and hint',
			async (c) => {
				refuseCountOnce(c);
				const result = await env.run(c.parameters, items(c), { onError: 'continueErrorOutput' });

				expect(result.error).toBeUndefined();
				const failed = result.output('DingTalk', 1);
				const succeeded = result.output('DingTalk', 0);
				expect(failed).toHaveLength(1);
				expect(failed[0].pairedItem).toEqual({ item: 0 });
				expect(failed[0].json).toMatchObject({ details: { errcode: c.code } });
				expect(String(failed[0].json.error)).toContain(String(c.code));
				expect(String((failed[0].json.details as IDataObject).description)).toMatch(
					/[\u4e00-\u9fff]/,
				);
				expect(succeeded.length).toBeGreaterThan(0);
				expect(succeeded.every((i) => (i.pairedItem as { item: number }).item === 1)).toBe(true);
				expect(succeeded.every((i) => i.json.error === undefined)).toBe(true);
			},
		);

		it.each(cases)(
			'$name: Continue (regular output) keeps every item in order on one output',
			async (c) => {
				refuseCountOnce(c);
				const result = await env.run(c.parameters, items(c), { onError: 'continueRegularOutput' });

				expect(result.error).toBeUndefined();
				const out = result.output('DingTalk', 0);
				expect(out[0].pairedItem).toEqual({ item: 0 });
				expect(Object.keys(out[0].json).sort()).toEqual(['details', 'error']);
				expect(out[0].json).toMatchObject({ details: { errcode: c.code } });
				expect(out.slice(1).every((i) => (i.pairedItem as { item: number }).item === 1)).toBe(true);
				expect(out.slice(1).every((i) => i.json.error === undefined)).toBe(true);
				expect(result.output('DingTalk', 1)).toEqual([]);
			},
		);

		it.each(cases)('$name: without Continue the refusal stops the execution', async (c) => {
			refuseCountOnce(c);
			const result = await env.run(c.parameters, items(c));
			expect(result.error?.message).toContain(String(c.code));
		});
	});
});
