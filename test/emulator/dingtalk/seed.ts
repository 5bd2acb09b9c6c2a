/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code: runs under Node and jest, never inside n8n */
// The emulated DingTalk app and organisation. Emulator-only values, shaped like DingTalk's.

export const DINGTALK_SEED = {
	/** Client ID (AppKey); also the robotCode of the app's own robot. */
	appKey: 'dingemu8k3j2h5g7f1q9',
	/** Client Secret (AppSecret). */
	appSecret: 'emu-1BgZ05rpYtuCC466JD_Y8eKASyGksJUgtmDtos7UVp4-dingtalk-secret',
	agentId: 3141592653,
	corpId: 'dingemu0c9b8a7f6e5d4c3b2a1f0e9d8c7',
	callbackToken: 'emuCallbackTok3nDing',
	/** 43 characters, decodes to 32 bytes. */
	aesKey: '0pFzwQVXOhPjak5sXg33XvhW/yINXFdyzFXWgguywCQ',
} as const;

export type DingTalkSeedApp = typeof DINGTALK_SEED;

export interface DingTalkDepartment {
	dept_id: number;
	name: string;
	/** 0 for the root. */
	parent_id: number;
	order: number;
}

export interface DingTalkUser {
	userid: string;
	unionid: string;
	name: string;
	mobile: string;
	title: string;
	email: string;
	job_number: string;
	dept_id_list: number[];
	manager_userid?: string;
	active: boolean;
	admin: boolean;
	/** Epoch ms. */
	hired_date?: number;
}

export const DINGTALK_DEPARTMENTS: DingTalkDepartment[] = [
	{ dept_id: 1, name: '钉钉模拟科技', parent_id: 0, order: 0 },
	{ dept_id: 100, name: '研发中心', parent_id: 1, order: 1 },
	{ dept_id: 101, name: '后端组', parent_id: 100, order: 1 },
	{ dept_id: 102, name: '前端组', parent_id: 100, order: 2 },
	{ dept_id: 200, name: '市场部', parent_id: 1, order: 2 },
	{ dept_id: 300, name: '财务部', parent_id: 1, order: 3 },
];

function user(
	userid: string,
	name: string,
	mobile: string,
	dept: number[],
	extra: Partial<DingTalkUser> = {},
): DingTalkUser {
	return {
		userid,
		unionid: `union-${userid}`,
		name,
		mobile,
		title: extra.title ?? '',
		email: `${userid}@emu.dingtalk.test`,
		job_number: extra.job_number ?? `E${mobile.slice(-4)}`,
		dept_id_list: dept,
		active: true,
		admin: false,
		...extra,
	};
}

export const DINGTALK_USERS: DingTalkUser[] = [
	user('manager001', '王经理', '13900000001', [1], { title: '总经理', admin: true }),
	user('dev001', '李开发', '13900000002', [101], {
		title: '后端工程师',
		manager_userid: 'lead001',
	}),
	user('dev002', '赵前端', '13900000003', [102], {
		title: '前端工程师',
		manager_userid: 'lead001',
	}),
	user('lead001', '陈组长', '13900000004', [100, 101], {
		title: '研发负责人',
		manager_userid: 'manager001',
	}),
	user('mkt001', '孙市场', '13900000005', [200], {
		title: '市场专员',
		manager_userid: 'manager001',
	}),
	user('fin001', '周财务', '13900000006', [300], { title: '会计', manager_userid: 'manager001' }),
	user('inactive001', '吴未激活', '13900000007', [200], { active: false }),
];
