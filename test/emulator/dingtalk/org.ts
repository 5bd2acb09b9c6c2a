import type { Route } from '../types';
import { bodyOf } from '../util';
import { oldApiError, oldApiOk } from './errors';
import { findDingTalkDepartment, type DingTalkState } from './state';

/** Old-family department ids are positive integers; the root is 1. */
function deptIdOf(value: unknown, field = 'dept_id'): number {
	const id = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
	if (typeof id !== 'number' || !Number.isInteger(id) || id < 1) {
		throw oldApiError(40035, `不合法的参数: ${field}`);
	}
	return id;
}

export const orgRoutes: Route<DingTalkState>[] = [
	{
		method: 'POST',
		path: '/topapi/v2/department/listsub',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			const id = body.dept_id === undefined ? 1 : deptIdOf(body.dept_id);
			if (!findDingTalkDepartment(ctx.state, id)) throw oldApiError(60003, '部门不存在');
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
			const id = deptIdOf(bodyOf(req.body).dept_id);
			const dept = findDingTalkDepartment(ctx.state, id);
			if (!dept) throw oldApiError(60003, '部门不存在');
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
];
