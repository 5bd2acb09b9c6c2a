import type { Route } from '../types';
import { bodyOf, nonEmptyString } from '../util';
import { newApiError, newApiOk, oldApiError, oldApiOk } from './errors';
import type { DingTalkDepartment, DingTalkUser } from './seed';
import { findDingTalkDepartment, findDingTalkUser, type DingTalkState } from './state';

// The org endpoints of the old family (POST ...?access_token=, HTTP 200 + errcode). Errcodes as DingTalk gives them:
// 40035 for a missing or malformed parameter, 60003 for an unknown department, 60121 for an unknown user.

/** /topapi/v2/user/list answers at most this many members per call. */
export const DINGTALK_USER_PAGE_MAX = 100;

/** order_field values of /topapi/v2/user/list. */
const ORDER_FIELDS = ['entry_asc', 'entry_desc', 'modify_asc', 'modify_desc', 'custom'];

const LANGUAGES = ['zh_CN', 'en_US'];

function badParameter(field: string, detail = ''): Error {
	return oldApiError(40035, `不合法的参数: ${field}${detail ? ` (${detail})` : ''}`);
}

/** Old-family department ids are positive integers (the root is 1); DingTalk also takes them as digit strings. */
function deptIdOf(value: unknown, field = 'dept_id'): number {
	const id = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
	if (typeof id !== 'number' || !Number.isInteger(id) || id < 1) {
		throw badParameter(field);
	}
	return id;
}

function existingDepartment(state: DingTalkState, id: number): DingTalkDepartment {
	const dept = findDingTalkDepartment(state, id);
	if (!dept) throw oldApiError(60003, '部门不存在');
	return dept;
}

function requiredString(body: Record<string, unknown>, field: string): string {
	const value = body[field];
	if (!nonEmptyString(value) || value.trim() !== value || value.length > 64) {
		throw badParameter(field);
	}
	return value;
}

function optionalLanguage(body: Record<string, unknown>): void {
	if (body.language !== undefined && !LANGUAGES.includes(String(body.language))) {
		throw badParameter('language');
	}
}

function requiredBoolean(body: Record<string, unknown>, field: string): boolean {
	if (typeof body[field] !== 'boolean') throw badParameter(field, 'a boolean is required');
	return body[field] as boolean;
}

/** A whole non-negative number, also as a digit string (the SDKs send either). */
function wholeNumber(body: Record<string, unknown>, field: string): number {
	const raw = body[field];
	const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
		throw badParameter(field, 'a whole number is required');
	}
	return value;
}

/** The profile /topapi/v2/user/get answers (the fields this emulator keeps, shaped like DingTalk's). */
export function userProfile(user: DingTalkUser): Record<string, unknown> {
	return {
		userid: user.userid,
		unionid: user.unionid,
		name: user.name,
		avatar: '',
		state_code: '86',
		mobile: user.mobile,
		hide_mobile: false,
		telephone: '',
		job_number: user.job_number,
		title: user.title,
		email: user.email,
		work_place: '',
		remark: '',
		dept_id_list: [...user.dept_id_list],
		dept_order_list: user.dept_id_list.map((dept_id, i) => ({ dept_id, order: i })),
		extension: '{}',
		...(user.hired_date !== undefined ? { hired_date: user.hired_date } : {}),
		active: user.active,
		real_authed: user.active,
		senior: false,
		admin: user.admin,
		boss: false,
		leader_in_dept: user.dept_id_list.map((dept_id) => ({ dept_id, leader: false })),
		...(user.manager_userid ? { manager_userid: user.manager_userid } : {}),
	};
}

/**
 * The direct members of one department, as DingTalk lists them (no sub-departments). `custom` (the default) is the
 * order the admin set, here the seed's; `entry_*` by hire date; `modify_*` by the seed's order too.
 */
function membersOf(state: DingTalkState, deptId: number, orderField: string): DingTalkUser[] {
	const members = state.users.filter((u) => u.dept_id_list.includes(deptId));
	if (orderField.startsWith('entry_')) {
		members.sort((a, b) => (a.hired_date ?? 0) - (b.hired_date ?? 0));
	}
	if (orderField.endsWith('_desc')) members.reverse();
	return members;
}

/** Most hits one call of the new family's contact search answers (size). */
export const DINGTALK_SEARCH_PAGE_MAX = 100;

/**
 * The new family's contact search ({queryWord, offset, size, fullMatchField}): names containing the word (or equal
 * to it with fullMatchField 1), in the organisation's order, as {hasMore, totalCount, list}.
 */
function contactSearch<T>(
	body: Record<string, unknown>,
	all: T[],
	nameOf: (entry: T) => string,
): { offset: number; size: number; hits: T[] } {
	const word = body.queryWord;
	if (!nonEmptyString(word)) {
		throw newApiError(400, 'MissingqueryWord', 'queryWord is mandatory for this action.');
	}
	for (const field of ['offset', 'size'] as const) {
		if (body[field] === undefined) {
			throw newApiError(400, `Missing${field}`, `${field} is mandatory for this action.`);
		}
	}
	const { offset, size } = body as { offset: unknown; size: unknown };
	if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
		throw newApiError(400, 'InvalidParameter', 'offset must be a whole number >= 0');
	}
	if (
		typeof size !== 'number' ||
		!Number.isInteger(size) ||
		size < 1 ||
		size > DINGTALK_SEARCH_PAGE_MAX
	) {
		throw newApiError(400, 'InvalidParameter', `size must be 1 to ${DINGTALK_SEARCH_PAGE_MAX}`);
	}
	const exact = body.fullMatchField === 1;
	const lower = word.toLowerCase();
	const hits = all.filter((entry) => {
		const name = nameOf(entry).toLowerCase();
		return exact ? name === lower : name.includes(lower);
	});
	return { offset, size, hits };
}

function searchAnswer<T>(
	found: { offset: number; size: number; hits: T[] },
	idOf: (entry: T) => unknown,
) {
	const page = found.hits.slice(found.offset, found.offset + found.size);
	return newApiOk({
		hasMore: found.offset + page.length < found.hits.length,
		totalCount: found.hits.length,
		list: page.map(idOf),
	});
}

export const orgRoutes: Route<DingTalkState>[] = [
	{
		method: 'POST',
		path: '/v1.0/contact/users/search',
		handle(req, ctx) {
			const found = contactSearch(bodyOf(req.body), ctx.state.users, (u) => u.name);
			return searchAnswer(found, (u) => u.userid);
		},
	},
	{
		method: 'POST',
		path: '/v1.0/contact/departments/search',
		handle(req, ctx) {
			const found = contactSearch(bodyOf(req.body), ctx.state.departments, (d) => d.name);
			return searchAnswer(found, (d) => d.dept_id);
		},
	},
	{
		method: 'POST',
		path: '/topapi/v2/department/listsub',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			optionalLanguage(body);
			const id = body.dept_id === undefined ? 1 : deptIdOf(body.dept_id);
			existingDepartment(ctx.state, id);
			const result = ctx.state.departments
				.filter((d) => d.parent_id === id)
				.sort((a, b) => a.order - b.order)
				.map((d) => ({
					dept_id: d.dept_id,
					name: d.name,
					parent_id: d.parent_id,
					create_dept_group: false,
					auto_add_user: true,
				}));
			return oldApiOk({ result });
		},
	},
	{
		method: 'POST',
		path: '/topapi/v2/department/get',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			optionalLanguage(body);
			const id = deptIdOf(body.dept_id);
			const dept = existingDepartment(ctx.state, id);
			const members = ctx.state.users.filter((u) => u.dept_id_list.includes(id)).length;
			return oldApiOk({
				result: {
					dept_id: dept.dept_id,
					name: dept.name,
					parent_id: dept.parent_id,
					order: dept.order,
					member_count: members,
					create_dept_group: false,
					auto_add_user: true,
				},
			});
		},
	},
	{
		method: 'POST',
		path: '/topapi/v2/user/get',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			optionalLanguage(body);
			const user = findDingTalkUser(ctx.state, requiredString(body, 'userid'));
			if (!user) throw oldApiError(60121, '找不到该用户');
			return oldApiOk({ result: userProfile(user) });
		},
	},
	{
		method: 'POST',
		path: '/topapi/v2/user/list',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			optionalLanguage(body);
			const deptId = deptIdOf(body.dept_id);
			const cursor = wholeNumber(body, 'cursor');
			const size = wholeNumber(body, 'size');
			if (size < 1 || size > DINGTALK_USER_PAGE_MAX) {
				throw badParameter('size', `1 to ${DINGTALK_USER_PAGE_MAX}`);
			}
			const orderField = body.order_field === undefined ? 'custom' : String(body.order_field);
			if (!ORDER_FIELDS.includes(orderField)) throw badParameter('order_field');
			if (
				body.contain_access_limit !== undefined &&
				typeof body.contain_access_limit !== 'boolean'
			) {
				throw badParameter('contain_access_limit');
			}
			existingDepartment(ctx.state, deptId);
			// The cursor is the offset of the next member: 0 first, then the next_cursor of the previous answer.
			const members = membersOf(ctx.state, deptId, orderField);
			const page = members.slice(cursor, cursor + size);
			const end = cursor + page.length;
			const hasMore = end < members.length;
			return oldApiOk({
				result: {
					has_more: hasMore,
					...(hasMore ? { next_cursor: end } : {}),
					list: page.map((user) => ({
						...userProfile(user),
						leader: false,
						dept_order: user.dept_id_list.indexOf(deptId),
					})),
				},
			});
		},
	},
	{
		method: 'POST',
		path: '/topapi/v2/user/getbymobile',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			const mobile = body.mobile;
			if (!nonEmptyString(mobile) || !/^\+?[0-9-]{3,20}$/.test(mobile))
				throw badParameter('mobile');
			const user = ctx.state.users.find((u) => u.mobile === mobile);
			if (!user) throw oldApiError(60121, '找不到该用户');
			return oldApiOk({ result: { userid: user.userid } });
		},
	},
	{
		method: 'POST',
		path: '/topapi/user/getbyunionid',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			const unionid = requiredString(body, 'unionid');
			const user = ctx.state.users.find((u) => u.unionid === unionid);
			if (!user) throw oldApiError(60121, '找不到该用户');
			return oldApiOk({ result: { contact_type: 0, userid: user.userid } });
		},
	},
	{
		method: 'POST',
		path: '/topapi/user/count',
		handle(req, ctx) {
			const onlyActive = requiredBoolean(bodyOf(req.body), 'only_active');
			const count = ctx.state.users.filter((u) => !onlyActive || u.active).length;
			return oldApiOk({ result: { count } });
		},
	},
];
