/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code: runs under Node and jest, never inside n8n */
// The emulated corporation. Values are emulator-only (no real corp, secret or key), shaped like
// WeCom's so that validation in the nodes (lengths, alphabets) sees realistic input.

export const WECOM_SEED = {
	corpId: 'ww7e3a9c1d5b2f8e60',
	secret: 'emu-5TxVQ-kHKCvvHEpcuA91H3lY89l9enL_NFxegk2',
	agentId: 1000002,
	agentName: '审批助手',
	callbackToken: 'emuCallbackTok3nWeCom',
	/** 43 characters, decodes to 32 bytes. */
	encodingAesKey: 'i0yfNstCAFzhyW1SednqwQl/SwM0sHnnvNzNI4qZlu8',
} as const;

export type WeComSeedApp = typeof WECOM_SEED;

export interface Department {
	id: number;
	name: string;
	name_en: string;
	department_leader: string[];
	parentid: number;
	order: number;
}

/** 1 active, 2 disabled, 4 not activated, 5 left. */
export type UserStatus = 1 | 2 | 4 | 5;

export interface User {
	userid: string;
	name: string;
	department: number[];
	order: number[];
	position: string;
	mobile: string;
	gender: '0' | '1' | '2';
	email: string;
	biz_mail: string;
	is_leader_in_dept: number[];
	direct_leader: string[];
	avatar: string;
	thumb_avatar: string;
	telephone: string;
	alias: string;
	address: string;
	open_userid: string;
	main_department: number;
	extattr: { attrs: Array<{ type: number; name: string; text?: { value: string } }> };
	status: UserStatus;
	qr_code: string;
	external_position: string;
	external_profile: { external_corp_name: string; external_attr: unknown[] };
}

export interface Tag {
	tagid: number;
	tagname: string;
	userlist: string[];
	partylist: number[];
}

export interface I18nText {
	text: string;
	lang: string;
}

export type ControlType =
	| 'Text'
	| 'Textarea'
	| 'Number'
	| 'Money'
	| 'Date'
	| 'Selector'
	| 'Contact'
	| 'File'
	| 'Table';

export interface ControlConfig {
	date?: { type: 'day' | 'hour' };
	selector?: { type: 'single' | 'multi'; options: Array<{ key: string; value: I18nText[] }> };
	/** As the template doc gives it (获取审批模板详情, 附3): type single|multi, mode user|department. */
	contact?: { type: 'single' | 'multi'; mode: 'user' | 'department' };
	table?: { children: TemplateControl[] };
}

export interface TemplateControl {
	property: {
		control: ControlType;
		id: string;
		title: I18nText[];
		placeholder: I18nText[];
		require: 0 | 1;
		un_print: 0 | 1;
	};
	config?: ControlConfig;
}

export interface ApprovalTemplate {
	template_id: string;
	template_names: I18nText[];
	controls: TemplateControl[];
	/** getapprovalinfo's record_type filter (1 leave, ... 9 red-packet reimbursement); emulator-side. */
	recordType?: number;
	/** The flow configured "in the admin console", used when use_template_approver is 1. */
	defaultApprovers: Array<{ attr: 1 | 2; userid: string[] }>;
}

export const ROOT_DEPARTMENT_ID = 1;

function department(
	id: number,
	name: string,
	name_en: string,
	parentid: number,
	order: number,
	leaders: string[] = [],
): Department {
	return { id, name, name_en, department_leader: leaders, parentid, order };
}

export function seedDepartments(): Department[] {
	return [
		department(1, '示例科技有限公司', 'Emulator Tech', 0, 100000000, ['linfeng']),
		department(2, '研发中心', 'R&D Center', 1, 99999000, ['zhangsan']),
		department(3, '市场部', 'Marketing', 1, 99998000, ['zhouba']),
		department(4, '财务部', 'Finance', 1, 99997000, ['lisi']),
		department(5, '人力资源部', 'Human Resources', 1, 99996000, ['zhengshi']),
		department(6, '前端组', 'Frontend', 2, 99999000, ['wangwu']),
		department(7, '后端组', 'Backend', 2, 99998000, ['zhaoliu']),
		department(8, '测试组', 'QA', 2, 99997000),
		department(9, '华东销售组', 'Sales East', 3, 99999000, ['wujiu']),
		department(10, '华南销售组', 'Sales South', 3, 99998000),
	];
}

interface UserSpec {
	userid: string;
	name: string;
	departments: number[];
	leaderIn?: number[];
	position: string;
	gender: '1' | '2';
	n: number;
	directLeader?: string[];
	status?: UserStatus;
}

const USER_SPECS: UserSpec[] = [
	{
		userid: 'linfeng',
		name: '林峰',
		departments: [1],
		leaderIn: [1],
		position: '总经理',
		gender: '1',
		n: 1,
	},
	{
		userid: 'zhangsan',
		name: '张三',
		departments: [2],
		leaderIn: [2],
		position: '研发总监',
		gender: '1',
		n: 2,
		directLeader: ['linfeng'],
	},
	{
		userid: 'lisi',
		name: '李四',
		departments: [4],
		leaderIn: [4],
		position: '财务经理',
		gender: '2',
		n: 3,
		directLeader: ['linfeng'],
	},
	{
		userid: 'wangwu',
		name: '王五',
		departments: [6],
		leaderIn: [6],
		position: '前端组长',
		gender: '1',
		n: 4,
		directLeader: ['zhangsan'],
	},
	{
		userid: 'zhaoliu',
		name: '赵六',
		departments: [7],
		leaderIn: [7],
		position: '后端组长',
		gender: '1',
		n: 5,
		directLeader: ['zhangsan'],
	},
	{
		userid: 'sunqi',
		name: '孙七',
		departments: [8],
		position: '测试工程师',
		gender: '2',
		n: 6,
		directLeader: ['zhangsan'],
	},
	{
		userid: 'zhouba',
		name: '周八',
		departments: [3],
		leaderIn: [3],
		position: '市场总监',
		gender: '1',
		n: 7,
		directLeader: ['linfeng'],
	},
	{
		userid: 'wujiu',
		name: '吴九',
		departments: [9],
		leaderIn: [9],
		position: '销售经理',
		gender: '2',
		n: 8,
		directLeader: ['zhouba'],
	},
	{
		userid: 'zhengshi',
		name: '郑十',
		departments: [5],
		leaderIn: [5],
		position: '人事经理',
		gender: '2',
		n: 9,
		directLeader: ['linfeng'],
	},
	{
		userid: 'qianyi',
		name: '钱一',
		departments: [4],
		position: '会计',
		gender: '2',
		n: 10,
		directLeader: ['lisi'],
	},
	{
		userid: 'chenjiashun',
		name: '陈家顺',
		departments: [7, 8],
		position: '后端工程师',
		gender: '1',
		n: 11,
		directLeader: ['zhaoliu'],
	},
	{
		userid: 'liuxiaoming',
		name: '刘晓明',
		departments: [10],
		position: '销售代表',
		gender: '1',
		n: 12,
		directLeader: ['zhouba'],
	},
	{
		userid: 'huangli',
		name: '黄丽',
		departments: [6],
		position: '前端工程师',
		gender: '2',
		n: 13,
		directLeader: ['wangwu'],
	},
	{
		userid: 'heyun',
		name: '何芸',
		departments: [5],
		position: '行政专员',
		gender: '2',
		n: 14,
		status: 2,
	},
	{
		userid: 'xujing',
		name: '徐静',
		departments: [8],
		position: '测试实习生',
		gender: '2',
		n: 15,
		status: 4,
	},
];

function seedUser(spec: UserSpec): User {
	const nn = String(spec.n).padStart(2, '0');
	return {
		userid: spec.userid,
		name: spec.name,
		department: [...spec.departments],
		order: spec.departments.map(() => 100 - spec.n),
		position: spec.position,
		mobile: `138001380${nn}`,
		gender: spec.gender,
		email: `${spec.userid}@example.com`,
		biz_mail: `${spec.userid}@emucorp.example`,
		is_leader_in_dept: spec.departments.map((d) => (spec.leaderIn?.includes(d) ? 1 : 0)),
		direct_leader: [...(spec.directLeader ?? [])],
		avatar: `https://wework.qpic.cn/wwhead/emulator_${spec.userid}/0`,
		thumb_avatar: `https://wework.qpic.cn/wwhead/emulator_${spec.userid}/100`,
		telephone: `021-6000${nn}`,
		alias: spec.userid.toUpperCase(),
		address: '上海市浦东新区示例路100号',
		open_userid: `woemu${nn}${spec.userid}`,
		main_department: spec.departments[0],
		extattr: { attrs: [{ type: 0, name: '工号', text: { value: `E10${nn}` } }] },
		status: spec.status ?? 1,
		qr_code: `https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=emulator${nn}`,
		external_position: spec.position,
		external_profile: { external_corp_name: '示例科技', external_attr: [] },
	};
}

export function seedUsers(): User[] {
	return USER_SPECS.map(seedUser);
}

export function seedTags(): Tag[] {
	return [
		{ tagid: 1, tagname: '项目经理', userlist: ['zhangsan', 'wangwu', 'zhaoliu'], partylist: [] },
		{ tagid: 2, tagname: '财务审批人', userlist: ['lisi', 'qianyi'], partylist: [4] },
		{
			tagid: 3,
			tagname: '新员工',
			userlist: ['huangli', 'xujing', 'liuxiaoming'],
			partylist: [10],
		},
	];
}

const zh = (text: string): I18nText[] => [{ text, lang: 'zh_CN' }];

function control(
	type: ControlType,
	id: string,
	title: string,
	require: 0 | 1,
	config?: ControlConfig,
): TemplateControl {
	return {
		property: {
			control: type,
			id,
			title: zh(title),
			placeholder: zh(`请输入${title}`),
			require,
			un_print: 0,
		},
		...(config ? { config } : {}),
	};
}

function options(...texts: string[]): Array<{ key: string; value: I18nText[] }> {
	return texts.map((text, i) => ({ key: `option-${1700000001 + i}`, value: zh(text) }));
}

export const TEMPLATE_IDS = {
	expense: '3WLJF3ajRqRajNpvjWJ8oWfmSa4pZxmxVwNbLQRp',
	leave: 'C4UCJS891Afmu1rE1ws3LAMrYVRTGQ2ZLB9fKgBYJ',
	purchase: 'BsAfDeCBwNK4zD9KSR9Fd8pgYfahRkvJ4h7VHqGRX',
} as const;

export function seedTemplates(): ApprovalTemplate[] {
	return [
		{
			template_id: TEMPLATE_IDS.expense,
			template_names: zh('报销申请'),
			controls: [
				control('Text', 'Text-1700000000001', '报销事由', 1),
				control('Money', 'Money-1700000000002', '报销金额', 1),
				control('Date', 'Date-1700000000003', '发生日期', 1, { date: { type: 'day' } }),
				control('Selector', 'Selector-1700000000004', '费用类型', 1, {
					selector: { type: 'single', options: options('差旅费', '招待费', '办公用品') },
				}),
				control('Table', 'Table-1700000000005', '费用明细', 0, {
					table: {
						children: [
							control('Text', 'Text-1700000000051', '项目', 1),
							control('Money', 'Money-1700000000052', '金额', 1),
						],
					},
				}),
				control('File', 'File-1700000000006', '附件', 0),
				control('Contact', 'Contact-1700000000007', '同行人', 0, {
					contact: { type: 'multi', mode: 'user' },
				}),
			],
			defaultApprovers: [
				{ attr: 1, userid: ['lisi'] },
				{ attr: 2, userid: ['zhangsan', 'linfeng'] },
			],
		},
		{
			template_id: TEMPLATE_IDS.leave,
			template_names: zh('请假'),
			recordType: 1,
			controls: [
				control('Selector', 'Selector-1700000000011', '请假类型', 1, {
					selector: { type: 'single', options: options('年假', '事假', '病假') },
				}),
				control('Date', 'Date-1700000000012', '开始时间', 1, { date: { type: 'hour' } }),
				control('Number', 'Number-1700000000013', '请假天数', 1),
				control('Textarea', 'Textarea-1700000000014', '请假事由', 1),
				control('Selector', 'Selector-1700000000015', '工作交接方式', 0, {
					selector: { type: 'multi', options: options('邮件', '当面交接', '共享文档') },
				}),
				control('Contact', 'Contact-1700000000016', '所属部门', 0, {
					contact: { type: 'single', mode: 'department' },
				}),
			],
			defaultApprovers: [{ attr: 1, userid: ['zhengshi'] }],
		},
		{
			template_id: TEMPLATE_IDS.purchase,
			template_names: zh('采购申请'),
			controls: [
				control('Text', 'Text-1700000000021', '采购物品', 1),
				control('Number', 'Number-1700000000022', '数量', 1),
				control('Money', 'Money-1700000000023', '预算', 1),
				control('Contact', 'Contact-1700000000024', '采购负责人', 1, {
					contact: { type: 'single', mode: 'user' },
				}),
				control('Textarea', 'Textarea-1700000000025', '备注', 0),
			],
			defaultApprovers: [
				{ attr: 1, userid: ['zhouba'] },
				{ attr: 1, userid: ['lisi'] },
			],
		},
	];
}
