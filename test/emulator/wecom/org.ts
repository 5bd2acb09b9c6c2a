import type { Route } from '../types';
import { bodyOf, nonEmptyString } from '../util';
import { WeComErr, wecomError, wecomOk } from './errors';
import type { Department, User } from './seed';
import { findDepartment, findTag, findUser, subtree, type WeComState } from './state';

const MAX_LIST_ID = 10000;

/**
 * An app's visibility scope (可见范围): departments (with everything below them) and single members. Apps see only
 * inside it; an app without a scope here sees the whole corp, like one whose scope is the root department.
 */
export interface OrgVisibility {
	departments?: number[];
	users?: string[];
}

// Kept beside the state rather than in it so that reset() (a fresh state) also restores the full view.
const visibilities = new WeakMap<WeComState, OrgVisibility>();

/** Narrows what the org endpoints show to this scope; `undefined` restores the whole corp. */
export function setOrgVisibility(state: WeComState, scope: OrgVisibility | undefined): void {
	if (scope) {
		visibilities.set(state, scope);
	} else {
		visibilities.delete(state);
	}
}

/** The scope set with setOrgVisibility, or undefined for the whole corp. */
export function orgVisibility(state: WeComState): OrgVisibility | undefined {
	return visibilities.get(state);
}

/** Ids of the visible departments, or undefined when the app sees the whole corp. */
function visibleDepartmentIds(state: WeComState): Set<number> | undefined {
	const scope = visibilities.get(state);
	if (!scope) {
		return undefined;
	}
	return new Set((scope.departments ?? []).flatMap((id) => subtree(state, id).map((d) => d.id)));
}

function canSeeUser(state: WeComState, user: User): boolean {
	const scope = visibilities.get(state);
	if (!scope) {
		return true;
	}
	const departments = visibleDepartmentIds(state) ?? new Set<number>();
	return (
		(scope.users ?? []).includes(user.userid) || user.department.some((d) => departments.has(d))
	);
}

function requireVisible(state: WeComState, dept: Department): Department {
	const visible = visibleDepartmentIds(state);
	if (visible && !visible.has(dept.id)) {
		throw wecomError(
			WeComErr.noPermission,
			`department ${dept.id} is outside the app's visibility scope`,
		);
	}
	return dept;
}

function departmentParam(state: WeComState, value: string | undefined, name: string): Department {
	if (!value) {
		throw wecomError(WeComErr.invalidParameter, `${name} missing`);
	}
	const dept = findDepartment(state, value);
	if (!dept) {
		throw wecomError(WeComErr.invalidDepartmentId, `${name} ${value} does not exist`);
	}
	return dept;
}

/** Departments for list/simplelist: the subtree of ?id=, or all the visible ones. */
function departmentsFor(state: WeComState, id: string | undefined): Department[] {
	if (id) {
		return subtree(state, requireVisible(state, departmentParam(state, id, 'id')).id);
	}
	const visible = visibleDepartmentIds(state);
	const all = subtree(state, state.departments[0].id);
	return visible ? all.filter((d) => visible.has(d.id)) : all;
}

/** Members of a department, with fetch_child=1 of its subtree too, in userid order of the seed. */
function membersOf(state: WeComState, query: Record<string, string>): User[] {
	const dept = requireVisible(state, departmentParam(state, query.department_id, 'department_id'));
	const ids =
		query.fetch_child === '1'
			? new Set(subtree(state, dept.id).map((d) => d.id))
			: new Set([dept.id]);
	return state.users.filter((u) => u.status !== 5 && u.department.some((d) => ids.has(d)));
}

export const orgRoutes: Route<WeComState>[] = [
	{
		method: 'GET',
		path: '/cgi-bin/department/list',
		handle(req, ctx) {
			return wecomOk({ department: structuredClone(departmentsFor(ctx.state, req.query.id)) });
		},
	},
	{
		method: 'GET',
		path: '/cgi-bin/department/simplelist',
		handle(req, ctx) {
			const department_id = departmentsFor(ctx.state, req.query.id).map(
				({ id, parentid, order }) => ({
					id,
					parentid,
					order,
				}),
			);
			return wecomOk({ department_id });
		},
	},
	{
		method: 'GET',
		path: '/cgi-bin/department/get',
		handle(req, ctx) {
			const dept = requireVisible(ctx.state, departmentParam(ctx.state, req.query.id, 'id'));
			return wecomOk({ department: structuredClone(dept) });
		},
	},
	{
		method: 'GET',
		path: '/cgi-bin/user/get',
		handle(req, ctx) {
			const { userid } = req.query;
			if (!userid) {
				throw wecomError(WeComErr.userIdMissing);
			}
			const user = findUser(ctx.state, userid);
			if (!user) {
				throw wecomError(WeComErr.userIdNotFound);
			}
			if (!canSeeUser(ctx.state, user)) {
				throw wecomError(WeComErr.noPermission, `${userid} is outside the app's visibility scope`);
			}
			return wecomOk(structuredClone(user));
		},
	},
	{
		method: 'GET',
		path: '/cgi-bin/user/simplelist',
		handle(req, ctx) {
			const userlist = membersOf(ctx.state, req.query).map((u) => ({
				userid: u.userid,
				name: u.name,
				department: [...u.department],
				open_userid: u.open_userid,
			}));
			return wecomOk({ userlist });
		},
	},
	{
		method: 'GET',
		path: '/cgi-bin/user/list',
		handle(req, ctx) {
			return wecomOk({ userlist: structuredClone(membersOf(ctx.state, req.query)) });
		},
	},
	{
		method: 'POST',
		path: '/cgi-bin/user/list_id',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			const limit = body.limit ?? MAX_LIST_ID;
			if (
				typeof limit !== 'number' ||
				!Number.isInteger(limit) ||
				limit < 1 ||
				limit > MAX_LIST_ID
			) {
				throw wecomError(WeComErr.invalidParameter, `limit must be 1 to ${MAX_LIST_ID}`);
			}
			// One entry per (member, department), the whole corp, in a stable order.
			const all = ctx.state.users
				.filter((u) => canSeeUser(ctx.state, u))
				.flatMap((u) => u.department.map((department) => ({ userid: u.userid, department })));
			let start = 0;
			if (body.cursor !== undefined && body.cursor !== '') {
				const decoded =
					typeof body.cursor === 'string'
						? /^emu(\d+)$/.exec(Buffer.from(body.cursor, 'base64url').toString('utf8'))
						: null;
				if (!decoded || Number(decoded[1]) > all.length) {
					throw wecomError(WeComErr.invalidCursor);
				}
				start = Number(decoded[1]);
			}
			const page = all.slice(start, start + limit);
			const end = start + page.length;
			return wecomOk({
				next_cursor: end < all.length ? Buffer.from(`emu${end}`).toString('base64url') : '',
				dept_user: page,
			});
		},
	},
	{
		method: 'POST',
		path: '/cgi-bin/user/getuserid',
		handle(req, ctx) {
			const { mobile } = bodyOf(req.body);
			if (!nonEmptyString(mobile) || !/^\+?[\d-]{5,20}$/.test(mobile)) {
				throw wecomError(WeComErr.invalidMobile);
			}
			const user = ctx.state.users.find((u) => u.mobile === mobile);
			if (!user) {
				throw wecomError(WeComErr.userNotExist);
			}
			return wecomOk({ userid: user.userid });
		},
	},
	{
		method: 'POST',
		path: '/cgi-bin/user/get_userid_by_email',
		handle(req, ctx) {
			const { email, email_type } = bodyOf(req.body);
			if (!nonEmptyString(email)) {
				throw wecomError(WeComErr.invalidParameter, 'email missing');
			}
			if (email_type !== undefined && email_type !== 1 && email_type !== 2) {
				throw wecomError(
					WeComErr.invalidParameter,
					'email_type must be 1 (corp mail) or 2 (personal)',
				);
			}
			const field = email_type === 2 ? 'email' : 'biz_mail';
			const user = ctx.state.users.find((u) => u[field].toLowerCase() === email.toLowerCase());
			if (!user) {
				throw wecomError(WeComErr.userNotExist);
			}
			return wecomOk({ userid: user.userid });
		},
	},
	{
		method: 'GET',
		path: '/cgi-bin/tag/list',
		handle(_req, ctx) {
			return wecomOk({ taglist: ctx.state.tags.map(({ tagid, tagname }) => ({ tagid, tagname })) });
		},
	},
	{
		method: 'GET',
		path: '/cgi-bin/tag/get',
		handle(req, ctx) {
			const { tagid } = req.query;
			if (!tagid) {
				throw wecomError(WeComErr.tagIdMissing);
			}
			const tag = findTag(ctx.state, tagid);
			if (!tag) {
				throw wecomError(WeComErr.invalidTagId);
			}
			return wecomOk({
				tagname: tag.tagname,
				userlist: tag.userlist.map((userid) => ({
					userid,
					name: findUser(ctx.state, userid)?.name ?? '',
				})),
				partylist: [...tag.partylist],
			});
		},
	},
];
