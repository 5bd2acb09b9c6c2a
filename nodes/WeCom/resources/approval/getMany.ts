import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { APPROVAL_STATUS } from '../../approvalStatus';
import { weComApiRequest } from '../../transport';
import { userLocator } from '../shared/orgFields';
import { filtersField, includeDetailsField, returnAllFields } from '../../../shared/listFields';
import type { NodeOperation } from '../../../shared/operations';
import { fetchApprovalDetail } from './detail';
import { DAY_SECONDS, parseTime } from '../../../shared/time';

/** getapprovalinfo refuses a span over 31 days; each slice stays one second short of that. */
export const SLICE_SECONDS = 31 * DAY_SECONDS;
const PAGE_SIZE = 100;
/** The range Get Many reads when Start Date and End Date are empty: the last 7 days. */
const DEFAULT_RANGE_SECONDS = 7 * DAY_SECONDS;

/** [start, end] (inclusive unix seconds) cut into back-to-back slices of at most 31 days. */
export function timeSlices(start: number, end: number): Array<[number, number]> {
	const slices: Array<[number, number]> = [];
	for (let from = start; from <= end; from += SLICE_SECONDS) {
		slices.push([from, Math.min(from + SLICE_SECONDS - 1, end)]);
	}
	return slices;
}

const RECORD_TYPES: Array<[number, string]> = [
	[1, 'Leave (请假)'],
	[2, 'Punch Correction (打卡补卡)'],
	[3, 'Business Trip (出差)'],
	[4, 'Outing (外出)'],
	[5, 'Overtime (加班)'],
	[6, 'Shift Swap (调班)'],
	[7, 'Meeting Room Booking (会议室预定)'],
	[8, 'Refund (退款审批)'],
	[9, 'Red Packet Reimbursement (红包报销审批)'],
];

/** `withdrawn_after_approval` -> `Withdrawn After Approval`, for the picker. */
function titled(name: string): string {
	return name.replace(/_/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
}

function filtersFrom(filters: IDataObject, creator: unknown): IDataObject[] {
	const out: IDataObject[] = [];
	const add = (key: string, value: unknown) => {
		const text = String(value ?? '').trim();
		if (text !== '') out.push({ key, value: text });
	};
	add('template_id', filters.templateId);
	add('creator', creator);
	// Only the department filter may repeat (WeCom ORs repeated filters of one key).
	const departments = filters.departmentIds;
	for (const id of Array.isArray(departments)
		? departments
		: String(departments ?? '').split(',')) {
		add('department', id);
	}
	if (filters.status !== undefined) add('sp_status', filters.status);
	if (filters.recordType !== undefined) add('record_type', filters.recordType);
	return out;
}

export const getManyOperation: NodeOperation = {
	value: 'getMany',
	name: 'Get Many',
	action: 'Get many approvals',
	description:
		'List the approval numbers (审批单号) submitted in a time range of any length, optionally with their details',
	properties: [
		{
			displayName: 'Start Date',
			name: 'startDate',
			type: 'dateTime',
			default: '',
			description:
				"Approvals submitted from this moment on; empty: 7 days before End Date. Also takes unix seconds. Without an offset, times are in the workflow's time zone.",
		},
		{
			displayName: 'End Date',
			name: 'endDate',
			type: 'dateTime',
			default: '',
			description:
				'Approvals submitted up to this moment; empty: now. A date without a time includes that whole day. Ranges over 31 days are fetched 31 days at a time.',
		},
		...returnAllFields,
		includeDetailsField(
			'Whether to fetch the details of each approval (one more call per approval) instead of returning only its number',
		),
		filtersField([
			userLocator({
				displayName: 'Creator',
				name: 'creator',
				description: 'Only approvals submitted by this member (申请人)',
				required: false,
			}),
			{
				displayName: 'Department Names or IDs',
				name: 'departmentIds',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getDepartments' },
				default: [],
				description:
					'Only approvals whose creator is in one of these departments. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Record Type',
				name: 'recordType',
				type: 'options',
				default: 1,
				// Alphabetical for the picker; WeCom's numbering is the value.
				options: RECORD_TYPES.map(([value, name]) => ({ name, value })).sort((a, b) =>
					a.name.localeCompare(b.name),
				),
				description:
					'Only approvals of this kind (审批单类型); WeCom filters by kind only for approvals submitted after 2021-05-31',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				default: 1,
				options: Object.entries(APPROVAL_STATUS)
					.map(([value, name]) => ({
						name: `${titled(name.en)} (${name.zh})`,
						value: Number(value),
					}))
					.sort((a, b) => a.name.localeCompare(b.name)),
				description: 'Only approvals in this state (审批状态)',
			},
			{
				displayName: 'Template ID',
				name: 'templateId',
				type: 'string',
				default: '',
				description: 'Only approvals made from this template (模板ID)',
			},
		]),
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const timeZone = this.getTimezone();
		const read = (name: string, label: string, endOfDay: boolean, fallback: () => number) => {
			const raw = this.getNodeParameter(name, itemIndex, '');
			if (raw === '' || raw === null || raw === undefined) return fallback();
			const time = parseTime(raw, timeZone, { endOfDay });
			if (!time) {
				throw new NodeOperationError(
					this.getNode(),
					`${label} "${String(raw)}" is not a date: give an ISO date (2024-03-01), a date and time (2024-03-01T09:30:00) or unix seconds`,
					{ itemIndex },
				);
			}
			return time.seconds;
		};
		// Empty dates give the last 7 days, so the operation runs as it is dropped into a workflow.
		const end = read('endDate', 'End Date', true, () => Math.floor(Date.now() / 1000));
		const start = read('startDate', 'Start Date', false, () => end - DEFAULT_RANGE_SECONDS + 1);
		if (start > end) {
			throw new NodeOperationError(
				this.getNode(),
				'Start Date is after End Date: swap them, or move the start earlier',
				{ itemIndex },
			);
		}
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex, 50) as number);
		const includeDetails = this.getNodeParameter('includeDetails', itemIndex, false) as boolean;
		// The creator is a locator, or a plain userid in workflows saved before it was one.
		const creator = this.getNodeParameter('filters.creator', itemIndex, '', { extractValue: true });
		const filters = filtersFrom(
			this.getNodeParameter('filters', itemIndex, {}) as IDataObject,
			creator,
		);

		const spNos: string[] = [];
		for (const [starttime, endtime] of timeSlices(start, end)) {
			let cursor = '';
			const seen = new Set<string>();
			while (spNos.length < limit) {
				const answer = await weComApiRequest.call(this, {
					method: 'POST',
					path: '/cgi-bin/oa/getapprovalinfo',
					body: {
						starttime,
						endtime,
						new_cursor: cursor,
						size: PAGE_SIZE,
						...(filters.length > 0 ? { filters } : {}),
					},
					itemIndex,
				});
				const page = Array.isArray(answer.sp_no_list) ? (answer.sp_no_list as unknown[]) : [];
				spNos.push(...page.map(String).slice(0, limit - spNos.length));
				cursor = String(answer.new_next_cursor ?? '');
				// A cursor that comes back again would loop forever.
				if (cursor === '' || seen.has(cursor)) break;
				seen.add(cursor);
			}
			if (spNos.length >= limit) break;
		}

		if (!includeDetails) return spNos.map((spNo) => ({ sp_no: spNo }));
		const details: IDataObject[] = [];
		for (const spNo of spNos) {
			details.push(await fetchApprovalDetail.call(this, spNo, itemIndex));
		}
		return details;
	},
};
