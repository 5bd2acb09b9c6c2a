// The emulated organisation's approval forms (审批表单): their schemas as the form-schema API gives them, and the
// approver flow each would take (what processes/forecast answers). Emulator-only values, shaped like DingTalk's.

export interface EmuComponent {
	componentName: string;
	props: Record<string, unknown> & { id: string };
	children?: EmuComponent[];
}

/** One approver node of a form's flow. */
export interface EmuFlowNode {
	activityId: string;
	activityName: string;
	/** target_select: the originator chooses the approvers; target_approval: fixed approvers. */
	activityType: 'target_select' | 'target_approval';
	actorKey: string;
	/** Fixed approvers (target_approval), or the members one may choose from (target_select; empty = anyone). */
	userIds: string[];
	allowedMulti: boolean;
	required: boolean;
}

export interface EmuForm {
	processCode: string;
	name: string;
	/** The group the form list shows it under. */
	dirName: string;
	items: EmuComponent[];
	flow: EmuFlowNode[];
	/** Forms may be listed but stopped (停用). */
	status: 'PUBLISHED' | 'INVALID';
}

/** The process codes a sandbox user can try Start with. */
export const PROCESS_CODES = {
	/** 费用报销: every common component, no kit, a fixed approver. */
	expense: 'PROC-EMU-EXPENSE-7F3A21',
	/** 采购申请: a self-select approver node (发起人自选) before a fixed one. */
	purchase: 'PROC-EMU-PURCHASE-5C9D04',
	/** 请假: built on the leave kit (DDHolidayField), which the API cannot start. */
	leave: 'PROC-EMU-LEAVE-2B6E88',
} as const;

/** The actorKey of 采购申请's self-select node. */
export const PURCHASE_SELF_SELECT_ACTOR = 'manual_emu1_9a4c_2f7e_b031';

/** How many plain forms pad the form list, so that the picker has more than one page. */
export const FILLER_FORMS = 102;

function component(
	componentName: string,
	id: string,
	label: unknown,
	extra: Record<string, unknown> = {},
	children?: EmuComponent[],
): EmuComponent {
	return {
		componentName,
		props: { id: `${componentName}-${id}`, label, required: false, ...extra },
		...(children ? { children } : {}),
	};
}

const EXPENSE_ITEMS: EmuComponent[] = [
	component('TextField', 'K2AD4O5B', '报销事由', { required: true, placeholder: '请输入' }),
	component('MoneyField', 'J7NM2P1Q', '报销金额（元）', { required: true, upper: true }),
	component('NumberField', 'H3XZ8W0R', '票据张数', { unit: '张' }),
	component('DDDateField', 'D1ATE0CC', '发生日期', { required: true, format: 'yyyy-MM-dd' }),
	component('DDDateField', 'D2EPART0', '出发时间', { format: 'yyyy-MM-dd HH:mm' }),
	// The label of a date range comes as an array in practice.
	component('DDDateRangeField', 'R4NGE7TT', ['开始时间', '结束时间'], {
		format: 'yyyy-MM-dd',
		unit: '天',
	}),
	// Real data gives options as {key, value}; the SDK types say string[]: both are seeded.
	component('DDSelectField', 'S1NGLE01', '费用类型', {
		required: true,
		options: [
			{ key: 'option_0', value: '差旅费' },
			{ key: 'option_1', value: '招待费' },
			{ key: 'option_2', value: '办公用品' },
		],
	}),
	component('DDMultiSelectField', 'M8LTI002', '支付方式', {
		options: ['公司卡', '个人垫付', '对公转账'],
	}),
	component('InnerContactField', 'C0NTACT9', '同行人', { choice: 1 }),
	component('DepartmentField', 'DEPT0004', '费用承担部门'),
	component('TableField', 'T4BLE001', '费用明细', { actionName: '添加明细' }, [
		component('TextField', 'TBLITEM1', '项目', { required: true }),
		component('MoneyField', 'TBLAMNT2', '金额', { required: true }),
		component('DDDateField', 'TBLDATE3', '日期', { format: 'yyyy-MM-dd' }),
		component('DDSelectField', 'TBLKIND4', '类别', {
			options: ['交通', '住宿', '餐饮'],
		}),
	]),
	component('DDAttachment', 'ATTACH01', '附件'),
	component('AddressField', 'ADDR0001', '出差地点'),
	component('DDPhotoField', 'PH0TO001', '现场照片'),
	// A layout group: its components are ordinary components of the form.
	component('FieldGroup', 'GROUP001', '联系方式', {}, [
		component('PhoneField', 'PHONE001', '联系电话'),
	]),
	component('RelateField', 'RELATE01', '关联审批单'),
	component('TextNote', 'N0TE0001', '说明', { content: '单笔超过5000元需财务总监审批' }),
	component('CalculateField', 'CALC0001', '合计', { formula: 'SUM(费用明细.金额)' }),
];

const PURCHASE_ITEMS: EmuComponent[] = [
	component('TextField', 'PITEM001', '采购物品', { required: true }),
	component('MoneyField', 'PBUDGET1', '预算（元）', { required: true }),
	component('TextareaField', 'PREASON1', '采购理由'),
];

const LEAVE_ITEMS: EmuComponent[] = [
	component('DDHolidayField', 'HOLIDAY1', ['开始时间', '结束时间'], {
		required: true,
		bizType: 'attendance.leave',
	}),
	component('TextareaField', 'LREASON1', '请假事由', { required: true }),
];

function fixedNode(id: string, name: string, userIds: string[]): EmuFlowNode {
	return {
		activityId: id,
		activityName: name,
		activityType: 'target_approval',
		actorKey: `fixed_${id}`,
		userIds,
		allowedMulti: true,
		required: true,
	};
}

function fillerForm(n: number): EmuForm {
	const number = String(n).padStart(3, '0');
	return {
		processCode: `PROC-EMU-DAILY-${number}`,
		name: `日常申请 ${number}`,
		dirName: '其他',
		items: [component('TextField', `DAILY${number}`, '申请内容', { required: true })],
		flow: [fixedNode(`daily_${number}`, '审批人', ['manager001'])],
		status: 'PUBLISHED',
	};
}

export function seedForms(): EmuForm[] {
	return [
		{
			processCode: PROCESS_CODES.expense,
			name: '费用报销',
			dirName: '财务管理',
			items: EXPENSE_ITEMS,
			flow: [fixedNode('exp_1', '直属主管', ['manager001'])],
			status: 'PUBLISHED',
		},
		{
			processCode: PROCESS_CODES.purchase,
			name: '采购申请',
			dirName: '行政管理',
			items: PURCHASE_ITEMS,
			flow: [
				{
					activityId: 'pur_1',
					activityName: '部门负责人审批',
					activityType: 'target_select',
					actorKey: PURCHASE_SELF_SELECT_ACTOR,
					userIds: ['lead001', 'manager001'],
					allowedMulti: false,
					required: true,
				},
				fixedNode('pur_2', '财务审批', ['fin001']),
			],
			status: 'PUBLISHED',
		},
		{
			processCode: PROCESS_CODES.leave,
			name: '请假',
			dirName: '假勤管理',
			items: LEAVE_ITEMS,
			flow: [fixedNode('leave_1', '直属主管', ['manager001'])],
			status: 'PUBLISHED',
		},
		...Array.from({ length: FILLER_FORMS }, (_, i) => fillerForm(i + 1)),
	];
}
