// A deterministic history of approval instances ending "now", so that Get Many has something to page and slice
// through: the content is the same on every run, only the timestamps follow the emulator's clock.
import { createHash } from 'node:crypto';

import { PROCESS_CODES } from './approvalForms';
import type { EmuInstance, InstanceStatus } from './approvalModel';
import { instanceId } from './approvalModel';
import type { DingTalkDepartment, DingTalkUser } from './seed';

export const BANK_DAYS = 90;
export const BANK_SIZES = { expense: 150, purchase: 40 } as const;

const DAY_MS = 86400 * 1000;

/** A number in [0, 1) from a seed text: the same every run. */
function roll(seed: string): number {
	return createHash('sha256').update(seed).digest().readUInt32BE(0) / 2 ** 32;
}

function pick<T>(items: readonly T[], seed: string): T {
	return items[Math.floor(roll(seed) * items.length)];
}

const REASONS = [
	'客户拜访差旅',
	'季度团队建设',
	'服务器续费',
	'参加技术大会',
	'办公设备更换',
	'项目验收招待',
];
const KINDS = ['差旅费', '招待费', '办公用品'];
const ITEMS = ['显示器', '笔记本电脑', '会议椅', '投影仪'];

function outcome(seed: string): { status: InstanceStatus; result: 'agree' | 'refuse' | '' } {
	const r = roll(`${seed}:status`);
	if (r < 0.3) return { status: 'RUNNING', result: '' };
	if (r < 0.75) return { status: 'COMPLETED', result: 'agree' };
	if (r < 0.9) return { status: 'COMPLETED', result: 'refuse' };
	return { status: 'TERMINATED', result: '' };
}

function day(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10);
}

export function approvalBank(
	now: number,
	users: DingTalkUser[],
	departments: DingTalkDepartment[],
): EmuInstance[] {
	const originators = users.filter((u) => u.active);
	const start = now - BANK_DAYS * DAY_MS;
	const instances: EmuInstance[] = [];
	let taskId = 60000;
	for (const [kind, size] of Object.entries(BANK_SIZES) as Array<
		[keyof typeof BANK_SIZES, number]
	>) {
		for (let i = 0; i < size; i++) {
			const seed = `${kind}:${i}`;
			// Spread evenly over the 90 days (the newest an hour before now), with a little jitter.
			const createTime = Math.floor(
				start + ((i + roll(`${seed}:t`) * 0.5) * (BANK_DAYS * DAY_MS - 3600_000)) / size,
			);
			const user = pick(originators, `${seed}:who`);
			const deptId = user.dept_id_list[0];
			const dept = departments.find((d) => d.dept_id === deptId);
			const { status, result } = outcome(seed);
			const finishTime = status === 'RUNNING' ? undefined : createTime + 6 * 3600_000;
			const approver = kind === 'purchase' ? 'fin001' : 'manager001';
			const values =
				kind === 'expense'
					? [
							{
								id: 'TextField-K2AD4O5B',
								name: '报销事由',
								value: pick(REASONS, `${seed}:r`),
								componentType: 'TextField',
							},
							{
								id: 'MoneyField-J7NM2P1Q',
								name: '报销金额（元）',
								value: String(100 + Math.floor(roll(`${seed}:m`) * 5000)),
								componentType: 'MoneyField',
							},
							{
								id: 'DDDateField-D1ATE0CC',
								name: '发生日期',
								value: day(createTime),
								componentType: 'DDDateField',
							},
							{
								id: 'DDSelectField-S1NGLE01',
								name: '费用类型',
								value: pick(KINDS, `${seed}:k`),
								componentType: 'DDSelectField',
							},
						]
					: [
							{
								id: 'TextField-PITEM001',
								name: '采购物品',
								value: pick(ITEMS, `${seed}:i`),
								componentType: 'TextField',
							},
							{
								id: 'MoneyField-PBUDGET1',
								name: '预算（元）',
								value: String(500 + Math.floor(roll(`${seed}:b`) * 9000)),
								componentType: 'MoneyField',
							},
						];
			const decided = status === 'COMPLETED';
			instances.push({
				processInstanceId: instanceId(`bank:${seed}`),
				processCode: PROCESS_CODES[kind],
				title: `${user.name}提交的${kind === 'expense' ? '费用报销' : '采购申请'}`,
				originatorUserId: user.userid,
				originatorDeptId: deptId === 1 ? '-1' : String(deptId),
				originatorDeptName: dept?.name ?? '',
				status,
				result,
				businessId: `2026${String(100000 + instances.length).slice(1)}`,
				createTime,
				finishTime,
				formComponentValues: values,
				approverUserIds: [],
				ccUserIds: [],
				tasks: [
					{
						taskId: taskId++,
						userId: approver,
						status:
							status === 'RUNNING' ? 'RUNNING' : status === 'TERMINATED' ? 'CANCELED' : 'COMPLETED',
						result: decided ? (result === 'agree' ? 'AGREE' : 'REFUSE') : 'NONE',
						createTime,
						finishTime,
						activityId: `${kind}_1`,
					},
				],
				operationRecords: [
					{
						userId: user.userid,
						date: createTime,
						type: 'START_PROCESS_INSTANCE',
						result: 'NONE',
						showName: '发起审批',
					},
					...(decided
						? [
								{
									userId: approver,
									date: finishTime as number,
									type: 'EXECUTE_TASK_NORMAL',
									result: result === 'agree' ? ('AGREE' as const) : ('REFUSE' as const),
									remark: result === 'agree' ? '同意' : '预算不足',
									showName: '审批人',
								},
							]
						: []),
					...(status === 'TERMINATED'
						? [
								{
									userId: user.userid,
									date: finishTime as number,
									type: 'TERMINATE_PROCESS_INSTANCE',
									result: 'NONE' as const,
									showName: '撤销',
								},
							]
						: []),
				],
			});
		}
	}
	return instances.sort((a, b) => a.createTime - b.createTime);
}
