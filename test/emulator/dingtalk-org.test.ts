/* eslint-disable @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any -- test code: runs under Node and jest, never inside n8n */
import { ApiEmulator } from '.';
import { seedLargeOrg } from './dingtalk/largeOrg';
import { request } from './testClient';

describe('DingTalk org endpoints (emulator)', () => {
	let emulator: ApiEmulator;
	let token: string;

	beforeAll(async () => {
		emulator = await ApiEmulator.start({ plugins: ['dingtalk'] });
		token = emulator.accessToken('dingtalk');
	});

	afterAll(async () => {
		await emulator.stop();
	});

	/** An old-family call: POST with ?access_token= and a JSON body. */
	const oapi = async (path: string, body: unknown) =>
		(await request(emulator.baseUrl, 'POST', path, { query: { access_token: token }, body })).json;
	/** A new-family call: the token in the header. */
	const api = async (path: string, body: unknown) =>
		await request(emulator.baseUrl, 'POST', path, {
			headers: { 'x-acs-dingtalk-access-token': token, 'content-type': 'application/json' },
			body,
		});

	describe('/topapi/v2/user/list', () => {
		it('pages by cursor: next_cursor is the offset of the next member, has_more false on the last page', async () => {
			const first = await oapi('/topapi/v2/user/list', { dept_id: 200, cursor: 0, size: 1 });
			expect(first).toMatchObject({
				errcode: 0,
				result: { has_more: true, next_cursor: 1, list: [{ userid: 'mkt001' }] },
			});
			const second = await oapi('/topapi/v2/user/list', { dept_id: 200, cursor: 1, size: 1 });
			expect(second.result.has_more).toBe(false);
			expect(second.result.next_cursor).toBeUndefined();
			expect(second.result.list.map((u: any) => u.userid)).toEqual(['inactive001']);
			const beyond = await oapi('/topapi/v2/user/list', { dept_id: 200, cursor: 50, size: 10 });
			expect(beyond.result).toEqual({ has_more: false, list: [] });
		});

		it('lists direct members only, with profile fields and the department order', async () => {
			const res = await oapi('/topapi/v2/user/list', { dept_id: 101, cursor: 0, size: 100 });
			expect(res.result.list.map((u: any) => u.userid)).toEqual(['dev001', 'lead001']);
			expect(res.result.list[1]).toMatchObject({
				name: '陈组长',
				dept_id_list: [100, 101],
				dept_order: 1,
				leader: false,
				unionid: 'union-lead001',
			});
		});

		it.each([
			['size over 100', { dept_id: 1, cursor: 0, size: 101 }],
			['size 0', { dept_id: 1, cursor: 0, size: 0 }],
			['no size', { dept_id: 1, cursor: 0 }],
			['no cursor', { dept_id: 1, size: 10 }],
			['a negative cursor', { dept_id: 1, cursor: -1, size: 10 }],
			['no dept_id', { cursor: 0, size: 10 }],
			['a department name', { dept_id: '研发中心', cursor: 0, size: 10 }],
			['an unknown order_field', { dept_id: 1, cursor: 0, size: 10, order_field: 'name' }],
		])('refuses %s with 40035', async (_what, body) => {
			const res = await oapi('/topapi/v2/user/list', body);
			expect(res.errcode).toBe(40035);
			expect(res.result).toBeUndefined();
		});

		it('answers 60003 for an unknown department', async () => {
			expect(
				(await oapi('/topapi/v2/user/list', { dept_id: 4242, cursor: 0, size: 10 })).errcode,
			).toBe(60003);
		});

		it('orders by entry date when asked', async () => {
			const state = emulator.dingtalk;
			const before = state.users.length;
			seedLargeOrg(state, 40, { divisions: 1, teamsPerDivision: 1 });
			try {
				const asc = await oapi('/topapi/v2/user/list', {
					dept_id: 10101,
					cursor: 0,
					size: 3,
					order_field: 'entry_asc',
				});
				const desc = await oapi('/topapi/v2/user/list', {
					dept_id: 10101,
					cursor: 0,
					size: 3,
					order_field: 'entry_desc',
				});
				expect(asc.result.list.map((u: any) => u.userid)).toEqual([
					'deep-hidden-01',
					'staff00001',
					'staff00002',
				]);
				expect(desc.result.list.map((u: any) => u.userid)).toEqual([
					'staff00040',
					'staff00039',
					'staff00038',
				]);
			} finally {
				state.users.length = before;
				state.departments.splice(-2, 2);
			}
		});
	});

	describe('user look-ups and count', () => {
		it('user/get answers the profile, 60121 for an unknown userid, 40035 without one', async () => {
			expect((await oapi('/topapi/v2/user/get', { userid: 'dev001' })).result).toMatchObject({
				userid: 'dev001',
				name: '李开发',
				manager_userid: 'lead001',
			});
			expect((await oapi('/topapi/v2/user/get', { userid: 'nobody' })).errcode).toBe(60121);
			expect((await oapi('/topapi/v2/user/get', {})).errcode).toBe(40035);
			expect(
				(await oapi('/topapi/v2/user/get', { userid: 'dev001', language: 'fr' })).errcode,
			).toBe(40035);
		});

		it('getbymobile and getbyunionid find the userid; 60121 when nobody matches', async () => {
			expect(await oapi('/topapi/v2/user/getbymobile', { mobile: '13900000006' })).toMatchObject({
				errcode: 0,
				result: { userid: 'fin001' },
			});
			expect((await oapi('/topapi/v2/user/getbymobile', { mobile: '13900009999' })).errcode).toBe(
				60121,
			);
			expect((await oapi('/topapi/v2/user/getbymobile', { mobile: '' })).errcode).toBe(40035);
			expect(await oapi('/topapi/user/getbyunionid', { unionid: 'union-fin001' })).toMatchObject({
				result: { userid: 'fin001', contact_type: 0 },
			});
			expect((await oapi('/topapi/user/getbyunionid', { unionid: 'x' })).errcode).toBe(60121);
		});

		it('count needs only_active as a boolean', async () => {
			expect((await oapi('/topapi/user/count', { only_active: false })).result).toEqual({
				count: 7,
			});
			expect((await oapi('/topapi/user/count', { only_active: true })).result).toEqual({
				count: 6,
			});
			expect((await oapi('/topapi/user/count', {})).errcode).toBe(40035);
			expect((await oapi('/topapi/user/count', { only_active: 'true' })).errcode).toBe(40035);
		});

		it('the old family wants the token in the query: a header alone is errcode 88', async () => {
			const res = await request(emulator.baseUrl, 'POST', '/topapi/user/count', {
				headers: { 'x-acs-dingtalk-access-token': token },
				body: { only_active: false },
			});
			expect(res.json).toMatchObject({ errcode: 88, sub_code: '40000' });
		});
	});

	describe('new-family contact search', () => {
		it('users/search answers userids of names containing the word, paged by offset', async () => {
			const res = await api('/v1.0/contact/users/search', {
				queryWord: '前端',
				offset: 0,
				size: 10,
			});
			expect(res.status).toBe(200);
			expect(res.json).toEqual({ hasMore: false, totalCount: 1, list: ['dev002'] });
			const paged = await api('/v1.0/contact/users/search', { queryWord: '0', offset: 0, size: 1 });
			expect(paged.json).toEqual({ hasMore: false, totalCount: 0, list: [] });
			const exact = await api('/v1.0/contact/users/search', {
				queryWord: '赵',
				offset: 0,
				size: 10,
				fullMatchField: 1,
			});
			expect(exact.json.list).toEqual([]);
		});

		it('departments/search answers department ids', async () => {
			const res = await api('/v1.0/contact/departments/search', {
				queryWord: '组',
				offset: 1,
				size: 1,
			});
			expect(res.json).toEqual({ hasMore: false, totalCount: 2, list: [102] });
		});

		it.each([
			['no queryWord', { offset: 0, size: 10 }, 'MissingqueryWord'],
			['no offset', { queryWord: 'a', size: 10 }, 'Missingoffset'],
			['size over 100', { queryWord: 'a', offset: 0, size: 101 }, 'InvalidParameter'],
		])('refuses %s with HTTP 400 and a code', async (_what, body, code) => {
			const res = await api('/v1.0/contact/users/search', body);
			expect(res.status).toBe(400);
			expect(res.json).toMatchObject({ code, requestid: expect.any(String) });
		});

		it('wants the token in the header (not the query)', async () => {
			const res = await request(emulator.baseUrl, 'POST', '/v1.0/contact/users/search', {
				query: { access_token: token },
				body: { queryWord: 'a', offset: 0, size: 1 },
			});
			expect(res.status).toBe(400);
			expect(res.json.code).toBe('AuthenticationFailed.MissingParameter');
		});
	});

	it('seedLargeOrg adds divisions, teams and members, deterministic and with unique mobiles', () => {
		const state = emulator.dingtalk;
		const sizes = [state.departments.length, state.users.length];
		const org = seedLargeOrg(state, 10000);
		try {
			expect(org.departments).toHaveLength(220);
			expect(org.users).toHaveLength(10001);
			expect(new Set(org.users.map((u) => u.mobile)).size).toBe(10001);
			expect(new Set(org.users.map((u) => u.userid)).size).toBe(10001);
			expect(org.multiDepartmentUsers).toHaveLength(400);
			expect(org.deepUser.dept_id_list).toEqual([12010]);
			expect(org.users[0]).toMatchObject({ userid: 'staff00001', mobile: '13800000001' });
		} finally {
			state.departments.length = sizes[0];
			state.users.length = sizes[1];
		}
	});
});
