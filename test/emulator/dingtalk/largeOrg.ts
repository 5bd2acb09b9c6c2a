import type { DingTalkDepartment, DingTalkUser } from './seed';
import type { DingTalkState } from './state';

// A large organisation on demand (never part of the default seed): for pickers, paging and benchmarks.

const SURNAMES =
	'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢';
const GIVEN =
	'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红梅鑫波斌宇浩凯健俊帆帅旭宁龙林欣晨';

export interface LargeOrgOptions {
	/** Divisions (事业部) directly under the root. Default 20. */
	divisions?: number;
	/** Teams (组) under each division. Default 10. */
	teamsPerDivision?: number;
}

export interface LargeOrg {
	/** The departments added, top-down (divisions, then teams). */
	departments: DingTalkDepartment[];
	users: DingTalkUser[];
	/** A member placed in the very last team, to be found only at the end of a walk: name 欧阳深藏. */
	deepUser: DingTalkUser;
	/** Members listed in two departments (a division and a team). */
	multiDepartmentUsers: DingTalkUser[];
}

/** Division i (1-based) and team j of it. */
export const largeOrgDivisionId = (i: number) => 1000 + i;
export const largeOrgTeamId = (i: number, j: number) => 10000 + i * 100 + j;

/**
 * Adds `members` members in divisions and teams under the root of an emulator state: about 50 per team by default,
 * every 25th also in its division, every 50th inactive, each with a unique mobile (13800000001, 13800000002, ...) and unionid.
 * Deterministic, so tests and benchmarks can name who is where.
 */
export function seedLargeOrg(
	state: DingTalkState,
	members = 10000,
	options: LargeOrgOptions = {},
): LargeOrg {
	const divisions = options.divisions ?? 20;
	const teamsPerDivision = options.teamsPerDivision ?? 10;
	const departments: DingTalkDepartment[] = [];
	const teams: DingTalkDepartment[] = [];
	for (let i = 1; i <= divisions; i++) {
		const tag = String(i).padStart(2, '0');
		departments.push({
			dept_id: largeOrgDivisionId(i),
			name: `事业部${tag}`,
			parent_id: 1,
			order: 100 + i,
		});
	}
	for (let i = 1; i <= divisions; i++) {
		for (let j = 1; j <= teamsPerDivision; j++) {
			const team = {
				dept_id: largeOrgTeamId(i, j),
				name: `事业部${String(i).padStart(2, '0')}-${String(j).padStart(2, '0')}组`,
				parent_id: largeOrgDivisionId(i),
				order: j,
			};
			departments.push(team);
			teams.push(team);
		}
	}
	const users: DingTalkUser[] = [];
	for (let k = 0; k < members; k++) {
		const n = String(k + 1).padStart(5, '0');
		const team = teams[k % teams.length];
		const deptIds = [team.dept_id];
		if (k % 25 === 24) deptIds.push(team.parent_id);
		users.push({
			userid: `staff${n}`,
			unionid: `union-staff${n}`,
			name:
				SURNAMES[k % SURNAMES.length] +
				GIVEN[Math.floor(k / SURNAMES.length) % GIVEN.length] +
				GIVEN[(k * 7) % GIVEN.length],
			mobile: `13${800000000 + k + 1}`,
			title: k % 10 === 0 ? '组长' : '工程师',
			email: `staff${n}@emu.dingtalk.test`,
			job_number: `S${n}`,
			dept_id_list: deptIds,
			active: k % 50 !== 49,
			admin: false,
			hired_date: Date.UTC(2015, 0, 1) + k * 86_400_000,
		});
	}
	const last = teams[teams.length - 1];
	const deepUser: DingTalkUser = {
		userid: 'deep-hidden-01',
		unionid: 'union-deep-hidden-01',
		name: '欧阳深藏',
		mobile: '13999999999',
		title: '隐士',
		email: 'deep-hidden-01@emu.dingtalk.test',
		job_number: 'D0001',
		dept_id_list: [last.dept_id],
		active: true,
		admin: false,
	};
	users.push(deepUser);
	state.departments.push(...departments);
	state.users.push(...users);
	return {
		departments,
		users,
		deepUser,
		multiDepartmentUsers: users.filter((u) => u.dept_id_list.length > 1),
	};
}
