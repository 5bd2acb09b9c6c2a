import type { INode, INodeListSearchResult, INodeParameters, INodeProperties } from 'n8n-workflow';

import type { RecordedCall } from '../emulator';
import { pickerContext, runListSearch } from '../harness';
import { seedLargeOrg, type LargeOrg } from '../emulator/dingtalk/largeOrg';
import { DingTalkPickerProbe } from './pickerNode';
import { startDingTalk, type DingTalkTestEnv } from './setup';

const byList = (value: string) => ({ __rl: true, mode: 'list', value });
const byId = (value: string) => ({ __rl: true, mode: 'id', value });

const PERMISSION_DENIED = JSON.stringify({
	code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied',
	message: '没有调用该接口的权限',
	requestid: 'REQ-SEARCH',
	accessdenieddetail: { requiredScopes: ['qyapi_get_member'] },
});

describe('DingTalk pickers and member fields', () => {
	let env: DingTalkTestEnv;

	beforeAll(async () => {
		env = await startDingTalk({ nodeTypes: [new DingTalkPickerProbe()] });
	});

	afterAll(async () => {
		await env.stop();
	});

	beforeEach(() => {
		env.emulator.calls.length = 0;
		env.emulator.clearFaults();
	});

	const apiCalls = (): RecordedCall[] =>
		env.emulator.calls.filter((c) => !/accessToken|gettoken/.test(c.path));

	/** The node as the editor holds it while a picker is open. */
	const editorNode = (type: string, parameters: INodeParameters = {}): INode => ({
		id: 'picker-node',
		name: 'DingTalk',
		type: env.harness.type(type),
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { dingTalkApi: env.credential },
	});

	const listSearch = async (method: string, filter?: string, paginationToken?: string) =>
		await runListSearch(
			env.harness,
			editorNode('dingTalk', { resource: 'user', operation: 'get', userId: byList('') }),
			'parameters.userId',
			method,
			filter,
			paginationToken,
		);

	/** Every page of a search, following the tokens; the calls each page made. */
	async function allPages(method: string, filter?: string) {
		const pages: Array<{ result: INodeListSearchResult; calls: number }> = [];
		let token: string | undefined;
		do {
			env.emulator.calls.length = 0;
			const result = await listSearch(method, filter, token);
			pages.push({ result, calls: apiCalls().length });
			token = result.paginationToken;
		} while (token && pages.length < 1000);
		return pages;
	}

	const values = (result: INodeListSearchResult) => result.results.map((r) => r.value);

	it('every resource locator of both nodes (nested ones too) names a listSearch method the node has', () => {
		for (const type of ['dingTalk', 'dingTalkPickerProbe']) {
			const { nodeType } = pickerContext(env.harness, editorNode(type), 'parameters.x');
			const methods = Object.keys(nodeType.methods?.listSearch ?? {});
			const locators: INodeProperties[] = [];
			const visit = (properties: INodeProperties[]) => {
				for (const property of properties) {
					if (property.type === 'resourceLocator') locators.push(property);
					for (const option of property.options ?? []) {
						if ('values' in option) visit(option.values);
						else if ('type' in option) visit([option as INodeProperties]);
					}
				}
			};
			visit(nodeType.description.properties);
			expect(locators.length).toBeGreaterThan(0);
			for (const property of locators) {
				for (const mode of property.modes ?? []) {
					if (mode.typeOptions?.searchListMethod)
						expect(methods).toContain(mode.typeOptions.searchListMethod);
				}
			}
			expect(methods).toEqual(expect.arrayContaining(['searchUsers', 'searchDepartments']));
		}
	});

	describe('searchUsers (small organisation)', () => {
		it('without a filter walks the organisation breadth-first and shows "name (userid)", each member once', async () => {
			const result = await listSearch('searchUsers');

			expect(result.paginationToken).toBeUndefined();
			expect(result.results).toEqual([
				{ name: '王经理 (manager001)', value: 'manager001' },
				{ name: '陈组长 (lead001)', value: 'lead001' },
				{ name: '孙市场 (mkt001)', value: 'mkt001' },
				{ name: '吴未激活 (inactive001)', value: 'inactive001' },
				{ name: '周财务 (fin001)', value: 'fin001' },
				{ name: '李开发 (dev001)', value: 'dev001' },
				{ name: '赵前端 (dev002)', value: 'dev002' },
			]);
			expect(apiCalls().map((c) => [c.path, c.body])).toEqual(
				[1, 100, 200, 300, 101, 102].flatMap((dept) => [
					['/topapi/v2/department/listsub', { dept_id: dept }],
					['/topapi/v2/user/list', { dept_id: dept, cursor: 0, size: 100 }],
				]),
			);
		});

		it('a name goes to DingTalk search (/v1.0/contact/users/search) and the hits get their names', async () => {
			const result = await listSearch('searchUsers', '组长');

			expect(result).toEqual({ results: [{ name: '陈组长 (lead001)', value: 'lead001' }] });
			expect(apiCalls().map((c) => [c.path, c.body])).toEqual([
				['/v1.0/contact/users/search', { queryWord: '组长', offset: 0, size: 20 }],
				['/topapi/v2/user/get', { userid: 'lead001' }],
			]);
			const [search] = env.emulator.callsTo('/v1.0/contact/users/search');
			expect(search.headers['x-acs-dingtalk-access-token']).toBeTruthy();
		});

		it('a mobile number finds its member directly (getbymobile), a userid too (user/get)', async () => {
			expect(await listSearch('searchUsers', '13900000004')).toEqual({
				results: [{ name: '陈组长 (lead001)', value: 'lead001' }],
			});
			expect(apiCalls()[0]).toMatchObject({
				path: '/topapi/v2/user/getbymobile',
				body: { mobile: '13900000004' },
			});
			env.emulator.calls.length = 0;
			expect(await listSearch('searchUsers', 'dev001')).toEqual({
				results: [{ name: '李开发 (dev001)', value: 'dev001' }],
			});
			expect(apiCalls().map((c) => c.path)).toEqual([
				'/topapi/v2/user/get',
				'/v1.0/contact/users/search',
			]);
		});

		it('part of a userid is looked for in userids once DingTalk search (names only) has nothing more', async () => {
			expect(await listSearch('searchUsers', 'dev')).toEqual({
				results: [
					{ name: '李开发 (dev001)', value: 'dev001' },
					{ name: '赵前端 (dev002)', value: 'dev002' },
				],
			});
			const paths = apiCalls().map((c) => c.path);
			// Not a whole userid (user/get finds none), no name has it, so the walk reads the organisation's members.
			expect(paths.slice(0, 2)).toEqual(['/topapi/v2/user/get', '/v1.0/contact/users/search']);
			expect(paths.filter((p) => p === '/topapi/v2/user/list')).toHaveLength(6);
			env.emulator.calls.length = 0;
			// A name hit is not shown again by the userid walk.
			expect(values(await listSearch('searchUsers', 'lead'))).toEqual(['lead001']);
		});

		it('without permission for DingTalk search, the picker walks the organisation and filters by name, userid, mobile', async () => {
			const deny = () =>
				env.emulator.injectFault({
					kind: 'http',
					status: 403,
					body: PERMISSION_DENIED,
					path: '/v1.0/contact/users/search',
				});
			deny();
			expect(await listSearch('searchUsers', '前端')).toEqual({
				results: [{ name: '赵前端 (dev002)', value: 'dev002' }],
			});
			expect(env.emulator.callsTo('/topapi/v2/user/list')).toHaveLength(6);
			deny();
			expect(values(await listSearch('searchUsers', '1390000000'))).toEqual([
				'manager001',
				'lead001',
				'mkt001',
				'inactive001',
				'fin001',
				'dev001',
				'dev002',
			]);
		});

		it('a picker failure that is not about the search is a NodeApiError naming the permission, without the token', async () => {
			env.emulator.injectFault({
				kind: 'errcode',
				errcode: 60011,
				errmsg: '应用尚未开通所需的权限点：qyapi_get_department_list',
				path: '/topapi/v2/department/listsub',
			});
			const error = (await listSearch('searchUsers').catch((e: unknown) => e)) as Error & {
				description?: string;
			};
			expect(error.constructor.name).toBe('NodeApiError');
			expect(error.message).toMatch(
				/API permission.*Permission to grant: qyapi_get_department_list/,
			);
			expect(error.description).toMatch(/权限管理/);
			expect(JSON.stringify({ ...error, m: error.message })).not.toContain(
				env.emulator.accessToken('dingtalk'),
			);
		});
	});

	describe('searchDepartments (small organisation)', () => {
		it('without a filter: the root (its name is the organisation) then paths, breadth-first', async () => {
			const result = await listSearch('searchDepartments');

			expect(result.paginationToken).toBeUndefined();
			expect(result.results).toEqual([
				{ name: '钉钉模拟科技 (1)', value: '1' },
				{ name: '研发中心 (100)', value: '100' },
				{ name: '市场部 (200)', value: '200' },
				{ name: '财务部 (300)', value: '300' },
				{ name: '研发中心 / 后端组 (101)', value: '101' },
				{ name: '研发中心 / 前端组 (102)', value: '102' },
			]);
		});

		it('a name goes to DingTalk search and each hit keeps its path; an ID is looked up directly', async () => {
			expect(await listSearch('searchDepartments', '前端')).toEqual({
				results: [{ name: '研发中心 / 前端组 (102)', value: '102' }],
			});
			// The hit, then its parents up to (not including) the root, each read once.
			expect(apiCalls().map((c) => [c.path, c.body])).toEqual([
				['/v1.0/contact/departments/search', { queryWord: '前端', offset: 0, size: 20 }],
				['/topapi/v2/department/get', { dept_id: 102 }],
				['/topapi/v2/department/get', { dept_id: 100 }],
			]);
			env.emulator.calls.length = 0;
			expect(await listSearch('searchDepartments', '组')).toEqual({
				results: [
					{ name: '研发中心 / 后端组 (101)', value: '101' },
					{ name: '研发中心 / 前端组 (102)', value: '102' },
				],
			});
			expect(env.emulator.callsTo('/topapi/v2/department/get').map((c) => c.body)).toEqual([
				{ dept_id: 101 },
				{ dept_id: 102 },
				{ dept_id: 100 },
			]);
			expect(await listSearch('searchDepartments', '300')).toEqual({
				results: [{ name: '财务部 (300)', value: '300' }],
			});
			expect(await listSearch('searchDepartments', '101')).toMatchObject({
				results: [{ name: '研发中心 / 后端组 (101)', value: '101' }],
			});
		});

		it('without permission for DingTalk search, the walk filters by path', async () => {
			env.emulator.injectFault({
				kind: 'http',
				status: 403,
				body: PERMISSION_DENIED,
				path: '/v1.0/contact/departments/search',
			});
			expect(await listSearch('searchDepartments', '研发')).toEqual({
				results: [
					{ name: '研发中心 (100)', value: '100' },
					{ name: '研发中心 / 后端组 (101)', value: '101' },
					{ name: '研发中心 / 前端组 (102)', value: '102' },
				],
			});
		});
	});

	describe('with 10,000 members', () => {
		let org: LargeOrg;
		let sizes: { departments: number; users: number };

		beforeAll(() => {
			const state = env.emulator.dingtalk;
			sizes = { departments: state.departments.length, users: state.users.length };
			org = seedLargeOrg(state, 10000);
		});

		afterAll(() => {
			const state = env.emulator.dingtalk;
			state.departments.length = sizes.departments;
			state.users.length = sizes.users;
		});

		it('browsing: a page costs at most 40 calls and holds a screenful; paging through shows every member once', async () => {
			const pages = await allPages('searchUsers');

			expect(pages.every((p) => p.calls <= 40)).toBe(true);
			expect(pages[0].result.results.length).toBeGreaterThanOrEqual(20);
			// Once the walk is among the teams, a page is one call per 100 members.
			expect(pages[3].result.results.length).toBeGreaterThanOrEqual(100);
			const shown = pages.flatMap((p) => values(p.result));
			expect(shown).toHaveLength(sizes.users + org.users.length);
			expect(new Set(shown).size).toBe(shown.length);
			expect(shown).toContain(org.deepUser.userid);
			// The token carries the walk's frontier and the members of several departments, never everyone.
			const longest = Math.max(...pages.map((p) => p.result.paginationToken?.length ?? 0));
			expect(longest).toBeLessThan(20_000);
		}, 120_000);

		it('a name is found through DingTalk search in a few calls, wherever the member is', async () => {
			expect(await listSearch('searchUsers', '欧阳深藏')).toEqual({
				results: [{ name: '欧阳深藏 (deep-hidden-01)', value: 'deep-hidden-01' }],
			});
			expect(apiCalls()).toHaveLength(2);
		});

		it('search results page 20 at a time, each page new members', async () => {
			const pages = await allPages('searchUsers', '王');
			const shown = pages.flatMap((p) => values(p.result));
			const expected = env.emulator.dingtalk.users.filter((u) => u.name.includes('王'));

			expect(pages[0].result.results).toHaveLength(20);
			expect(shown).toHaveLength(expected.length);
			expect(new Set(shown)).toEqual(new Set(expected.map((u) => u.userid)));
			expect(pages.every((p) => p.calls <= 21)).toBe(true);
		});

		it('a mobile number is one look-up, not a walk', async () => {
			const member = org.users[4321];
			const result = await listSearch('searchUsers', member.mobile);
			expect(result.results[0]).toEqual({
				name: `${member.name} (${member.userid})`,
				value: member.userid,
			});
			expect(env.emulator.callsTo('/topapi/v2/user/list')).toHaveLength(0);
		});

		it('the walk that replaces a refused search spends at most 80 calls a page and still reaches the last team', async () => {
			env.emulator.injectFault({
				kind: 'http',
				status: 403,
				body: PERMISSION_DENIED,
				path: '/v1.0/contact/users/search',
			});
			const pages = await allPages('searchUsers', '深藏');

			expect(pages.every((p) => p.calls <= 81)).toBe(true);
			expect(pages.flatMap((p) => values(p.result))).toEqual([org.deepUser.userid]);
		}, 60_000);

		it('browsing departments: a bounded first page and every department once over all pages', async () => {
			const pages = await allPages('searchDepartments');

			expect(pages[0].calls).toBeLessThanOrEqual(26);
			const shown = pages.flatMap((p) => values(p.result));
			expect(shown).toHaveLength(sizes.departments + org.departments.length);
			expect(new Set(shown).size).toBe(shown.length);
			expect(pages[0].result.results[0]).toEqual({ name: '钉钉模拟科技 (1)', value: '1' });
			expect(shown).toContain('12010');
		});
	});

	describe('member fields (userField, usersField) read through the engine', () => {
		const runProbe = async (parameters: INodeParameters, items = [{ json: {} }]) =>
			await env.harness.runNode(
				{
					name: 'Probe',
					type: env.harness.type('dingTalkPickerProbe'),
					parameters,
					credentials: { dingTalkApi: env.credential },
					onError: 'continueRegularOutput',
				},
				items,
			);

		it('typed userids, an expression giving an array, and picked members combine, each once, in order', async () => {
			const result = await runProbe(
				{
					owner: byList('manager001'),
					recipients: '={{ $json.ids }}',
					recipientsPicked: {
						member: [{ user: byList('dev001') }, { user: byId('={{ $json.extra }}') }],
					},
				},
				[
					{ json: { ids: ['lead001', 'dev001'], extra: 'fin001' } },
					{ json: { ids: 'mkt001，dev002, lead001', extra: 'mkt001' } },
					{ json: { ids: [{ userid: 'fin001' }, { userId: 'dev002' }], extra: '' } },
				],
			);

			expect(result.error).toBeUndefined();
			expect(result.json('Probe')).toEqual([
				{ owner: 'manager001', recipients: ['lead001', 'dev001', 'fin001'] },
				{ owner: 'manager001', recipients: ['mkt001', 'dev002', 'lead001', 'dev001'] },
				{ owner: 'manager001', recipients: ['fin001', 'dev002', 'dev001'] },
			]);
		});

		it('a name or an unreadable entry is refused with the field label', async () => {
			const result = await runProbe({ recipients: '={{ $json.ids }}' }, [
				{ json: { ids: ['王经理 李开发'] } },
				{ json: { ids: [{ name: '王经理' }] } },
			]);
			expect(result.json('Probe').map((j) => j.error)).toEqual([
				'Recipients "王经理 李开发" is not a valid userid: it has 1–64 characters without spaces or commas (the staff ID, not the name)',
				'Recipients: cannot read {"name":"王经理"} as a userid; give userids separated by commas, or an array of them',
			]);
		});
	});
});
