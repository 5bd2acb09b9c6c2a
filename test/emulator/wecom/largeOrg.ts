// A big corporation on demand (never by default): 10,000 members over 110 departments, for measuring the pickers.
// Deterministic, so two runs measure the same org. Names are plausible Chinese names (surname + given name), with
// duplicates as in any real company of this size.
import type { Department, User } from './seed';
import { ROOT_DEPARTMENT_ID } from './seed';
import type { WeComState } from './state';

const SURNAMES = [
	...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
];
const GIVEN = [
	...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国志红玉梅飞鹏辉玲婷雪琳晨宇浩然子轩欣怡思远嘉俊雨涵博文',
];

export interface LargeOrgOptions {
	/** Members to add (default 10,000). */
	members?: number;
	/** Top-level divisions under the root (default 10), each with `teamsPerDivision` teams (default 10). */
	divisions?: number;
	teamsPerDivision?: number;
}

export interface LargeOrg {
	departments: number;
	members: number;
}

/** Deterministic pseudo-random numbers (mulberry32), so every run builds the same org. */
function random(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * Adds divisions, teams and members to the emulated corp (next to the seeded ones, which stay). Members get userids
 * `u00001`…, one team each (every 50th also a second team), and are all active.
 */
export function seedLargeOrg(state: WeComState, options: LargeOrgOptions = {}): LargeOrg {
	const members = options.members ?? 10000;
	const divisions = options.divisions ?? 10;
	const teamsPerDivision = options.teamsPerDivision ?? 10;
	const next = random(20240301);
	const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];
	let id = Math.max(...state.departments.map((d) => d.id)) + 1;
	const teams: number[] = [];
	const added: Department[] = [];
	for (let d = 0; d < divisions; d++) {
		const divisionId = id++;
		added.push({
			id: divisionId,
			name: `事业部${String(d + 1).padStart(2, '0')}`,
			name_en: `Division ${d + 1}`,
			department_leader: [],
			parentid: ROOT_DEPARTMENT_ID,
			order: 90000000 - d * 1000,
		});
		for (let t = 0; t < teamsPerDivision; t++) {
			const teamId = id++;
			teams.push(teamId);
			added.push({
				id: teamId,
				name: `事业部${String(d + 1).padStart(2, '0')}第${t + 1}组`,
				name_en: `Division ${d + 1} Team ${t + 1}`,
				department_leader: [],
				parentid: divisionId,
				order: 90000000 - t * 1000,
			});
		}
	}
	state.departments.push(...added);
	const template = state.users[0];
	for (let i = 1; i <= members; i++) {
		const userid = `u${String(i).padStart(5, '0')}`;
		const team = teams[(i - 1) % teams.length];
		const department = i % 50 === 0 ? [team, teams[(i * 7) % teams.length]] : [team];
		const name = pick(SURNAMES) + pick(GIVEN) + (next() < 0.6 ? pick(GIVEN) : '');
		const user: User = {
			...structuredClone(template),
			userid,
			name,
			department,
			order: department.map(() => 0),
			position: '职员',
			mobile: `139${String(i).padStart(8, '0')}`,
			email: `${userid}@example.com`,
			biz_mail: `${userid}@emucorp.example`,
			is_leader_in_dept: department.map(() => 0),
			direct_leader: [],
			alias: '',
			open_userid: `woemu${userid}`,
			main_department: team,
			status: 1,
		};
		state.users.push(user);
	}
	return { departments: added.length, members };
}
