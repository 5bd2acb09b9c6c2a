// A deterministic history of approvals ending "now", so that list queries have something to page
// through: the content is the same on every run, only the timestamps follow the emulator's clock.
import {
	compareApprovals,
	nextSpNo,
	type Approval,
	type ApprovalContent,
	type SpRecord,
} from './approvalModel';
import type { ApprovalTemplate, Department, TemplateControl, User } from './seed';

export const APPROVAL_BANK_SIZE = 180;
export const APPROVAL_BANK_DAYS = 90;

const DAY_SECONDS = 86400;

/** mulberry32: tiny, seedable, good enough for test data. */
function rng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const PHRASES = [
	'客户拜访差旅',
	'季度团队建设',
	'服务器续费',
	'参加技术大会',
	'办公设备更换',
	'项目验收招待',
	'家中有事需处理',
	'身体不适就医',
];

// Weighted so that most approvals are approved or pending, as in a live corp.
const STATUS_WEIGHTS: Array<[number, number]> = [
	[1, 25],
	[2, 40],
	[3, 15],
	[4, 10],
	[6, 4],
	[7, 3],
	[10, 3],
];

interface Picker {
	random: () => number;
	int(n: number): number;
	pick<T>(items: readonly T[]): T;
}

function picker(seed: number): Picker {
	const random = rng(seed);
	const int = (n: number) => Math.floor(random() * n);
	return { random, int, pick: (items) => items[int(items.length)] };
}

function pickStatus(p: Picker): number {
	let roll = p.int(100);
	for (const [status, weight] of STATUS_WEIGHTS) {
		if (roll < weight) {
			return status;
		}
		roll -= weight;
	}
	return 2;
}

function valueFor(
	control: TemplateControl,
	p: Picker,
	applyTime: number,
	users: User[],
	departments: Department[],
): Record<string, unknown> {
	const config = control.config ?? {};
	switch (control.property.control) {
		case 'Text':
		case 'Textarea':
			return { text: p.pick(PHRASES) };
		case 'Number':
			return { new_number: String(1 + p.int(5)) };
		case 'Money':
			return { new_money: (10 + p.random() * 4990).toFixed(2) };
		case 'Date':
			return {
				date: {
					type: config.date?.type ?? 'day',
					s_timestamp: String(applyTime - p.int(7) * DAY_SECONDS),
				},
			};
		case 'Selector': {
			const all = config.selector?.options ?? [];
			const count = config.selector?.type === 'multi' ? 1 + p.int(2) : 1;
			const start = p.int(all.length);
			const chosen = Array.from({ length: count }, (_, i) => all[(start + i) % all.length]);
			return { selector: { type: config.selector?.type ?? 'single', options: chosen } };
		}
		case 'Contact':
			if (config.contact?.mode === 'department') {
				const d = p.pick(departments);
				return { departments: [{ openapi_id: String(d.id), name: d.name }] };
			} else {
				const u = p.pick(users);
				return { members: [{ userid: u.userid, name: u.name }] };
			}
		case 'File':
			return { files: [{ file_id: `emu_bank_file_${applyTime}` }] };
		case 'Table': {
			const rows = 1 + p.int(2);
			const children = config.table?.children ?? [];
			return {
				children: Array.from({ length: rows }, () => ({
					list: children.map((child) => contentFor(child, p, applyTime, users, departments)),
				})),
			};
		}
	}
}

function contentFor(
	control: TemplateControl,
	p: Picker,
	applyTime: number,
	users: User[],
	departments: Department[],
): ApprovalContent {
	return {
		control: control.property.control,
		id: control.property.id,
		title: control.property.title,
		value: valueFor(control, p, applyTime, users, departments),
	};
}

/** The approver records for a flow that ended (or stands) at `status`. */
export function recordsFor(
	flow: ApprovalTemplate['defaultApprovers'],
	status: number,
	applyTime: number,
	stopAt: number,
): SpRecord[] {
	const records: SpRecord[] = [];
	for (let i = 0; i < flow.length; i++) {
		const node = flow[i];
		const finished = status === 2 || status === 6 || status === 10 || i < stopAt;
		const rejectedHere = status === 3 && i === stopAt;
		const nodeStatus = finished ? 2 : rejectedHere ? 3 : 1;
		const sptime = nodeStatus === 1 ? 0 : applyTime + (i + 1) * 3600;
		records.push({
			sp_status: nodeStatus,
			approverattr: node.attr,
			details: node.userid.map((userid) => ({
				approver: { userid },
				speech: nodeStatus === 3 ? '金额超标，请重提' : nodeStatus === 2 ? '同意' : '',
				sp_status: nodeStatus,
				sptime,
				media_id: [],
			})),
		});
		if (!finished) {
			break;
		}
	}
	return records;
}

export function generateApprovalBank(
	nowMs: number,
	users: User[],
	departments: Department[],
	templates: ApprovalTemplate[],
	sequences: Map<string, number>,
): Approval[] {
	const p = picker(20240901);
	const applicants = users.filter((u) => u.status === 1);
	const end = Math.floor(nowMs / 1000) - 3600;
	const start = end - APPROVAL_BANK_DAYS * DAY_SECONDS;
	const step = (end - start) / APPROVAL_BANK_SIZE;
	const bank: Approval[] = [];
	for (let i = 0; i < APPROVAL_BANK_SIZE; i++) {
		const applyTime = Math.floor(start + i * step + p.random() * step * 0.9);
		const template = p.pick(templates);
		const applyer = p.pick(applicants);
		const status = pickStatus(p);
		const stopAt = p.int(template.defaultApprovers.length);
		const contents = template.controls
			.filter((c) => c.property.require === 1 || p.random() < 0.5)
			.map((c) => contentFor(c, p, applyTime, users, departments));
		const records = recordsFor(template.defaultApprovers, status, applyTime, stopAt);
		const commenter = records[0]?.details[0]?.approver.userid;
		bank.push({
			sp_no: nextSpNo(sequences, applyTime),
			sp_name: template.template_names[0].text,
			sp_status: status,
			template_id: template.template_id,
			apply_time: applyTime,
			applyer: { userid: applyer.userid, partyid: String(applyer.main_department) },
			sp_record: records,
			notifyer: p.random() < 0.3 ? [{ userid: 'zhengshi' }] : [],
			apply_data: { contents },
			comments:
				commenter && p.random() < 0.2
					? [
							{
								commentUserInfo: { userid: commenter },
								commenttime: applyTime + 1800,
								commentcontent: '请补充发票 & 行程单 <附件>',
								commentid: `68992877833540${String(i).padStart(5, '0')}`,
								media_id: [],
							},
						]
					: [],
		});
	}
	return bank.sort(compareApprovals);
}
