import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import {
	filtersField,
	includeDetailsField,
	returnAllFields,
	timeRangeFields,
} from '../../../shared/listFields';
import { failFor, type Fail, type NodeOperation } from '../../../shared/operations';
import { DAY_SECONDS, parseTime } from '../../../shared/time';
import { dingTalkApiRequest } from '../../transport';
import { processCodeField, readProcessCode, userIdList } from './fields';
import { fetchInstance } from './instance';
import { FILTER_STATUSES, statusOption } from './names';

/** instanceIds/query refuses a window over 120 days; each slice stays one millisecond short of that. */
export const SLICE_MS = 120 * DAY_SECONDS * 1000;
/** Its largest page, and the most originators one query may name. */
export const PAGE_SIZE = 20;
export const MAX_ORIGINATORS_PER_QUERY = 10;

/** [start, end] (inclusive epoch milliseconds) cut into back-to-back slices DingTalk accepts. */
export function timeSlices(start: number, end: number): Array<[number, number]> {
	const slices: Array<[number, number]> = [];
	for (let from = start; from <= end; from += SLICE_MS) {
		slices.push([from, Math.min(from + SLICE_MS - 1, end)]);
	}
	return slices;
}

function chunks<T>(list: T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
	return out;
}

/** nextToken comes back as text; the query takes a number (or the text, if DingTalk ever makes it opaque). */
function tokenFor(next: string): number | string {
	return /^\d+$/.test(next) ? Number(next) : next;
}

export const getManyOperation: NodeOperation = {
	value: 'getAll',
	name: 'Get Many',
	action: 'Get many approval instances',
	description:
		'List the approval instances of a form started in a time range of any length, optionally with their details',
	properties: [
		processCodeField('The approval form (审批表单) whose instances to list'),
		...timeRangeFields({
			start:
				"Instances started from this moment on. Also takes unix seconds or milliseconds. Without an offset, times are in the workflow's time zone. DingTalk keeps 365 days for standard organisations (5 years with OA premium).",
			end: 'Instances started up to this moment; empty means now, and a date without a time includes that whole day. Ranges over 120 days are fetched 120 days at a time.',
			endRequired: false,
		}),
		...returnAllFields,
		includeDetailsField(
			'Whether to fetch the details of each instance (one more call per instance), as Get gives them, instead of only its ID',
		),
		filtersField([
			{
				displayName: 'Originator IDs',
				name: 'originators',
				type: 'string',
				default: '',
				placeholder: 'manager4220, user123',
				description:
					'Only instances started by these members (发起人): userids, comma-separated. DingTalk takes 10 per query; more are queried 10 at a time.',
			},
			{
				displayName: 'Statuses',
				name: 'statuses',
				type: 'multiOptions',
				default: [],
				options: FILTER_STATUSES.map(statusOption).sort((a, b) => a.name.localeCompare(b.name)),
				description: 'Only instances in these states; none means all',
			},
		]),
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const fail: Fail = failFor(this, itemIndex);
		const processCode = readProcessCode.call(this, itemIndex, 'the form whose instances to list');
		const timeZone = this.getTimezone();
		const read = (name: string, label: string, endOfDay: boolean): number | undefined => {
			const raw = this.getNodeParameter(name, itemIndex, '');
			if (raw === '' || raw === null || raw === undefined) return undefined;
			const time = parseTime(raw, timeZone, { endOfDay });
			if (!time) {
				fail(
					`${label} "${String(raw)}" is not a date: give an ISO date (2026-03-01), a date and time (2026-03-01T09:30:00), or unix seconds or milliseconds`,
				);
			}
			return time.seconds * 1000 + (endOfDay ? 999 : 0);
		};
		const start = read('startDate', 'Start Date', false);
		if (start === undefined) fail('Start Date is empty: give the moment to list instances from');
		const end = read('endDate', 'End Date', true) ?? Date.now();
		if (start > end) {
			fail('Start Date is after End Date: swap them, or move the start earlier');
		}
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex, 50) as number);
		const includeDetails = this.getNodeParameter('includeDetails', itemIndex, false) as boolean;
		const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
		const statuses = Array.isArray(filters.statuses) ? (filters.statuses as string[]) : [];
		const originators = userIdList(filters.originators);
		const groups = originators.length ? chunks(originators, MAX_ORIGINATORS_PER_QUERY) : [[]];

		const ids = new Set<string>();
		for (const userIds of groups) {
			for (const [startTime, endTime] of timeSlices(start as number, end)) {
				let nextToken: number | string = 0;
				const seen = new Set<string>();
				while (ids.size < limit) {
					const body: IDataObject = {
						processCode,
						startTime,
						endTime,
						nextToken,
						maxResults: PAGE_SIZE,
					};
					if (userIds.length) body.userIds = userIds;
					if (statuses.length) body.statuses = statuses;
					const answer = await dingTalkApiRequest.call(this, {
						method: 'POST',
						path: '/v1.0/workflow/processes/instanceIds/query',
						body,
						itemIndex,
					});
					const result = (answer.result ?? {}) as IDataObject;
					const page = Array.isArray(result.list) ? (result.list as unknown[]) : [];
					for (const id of page) {
						if (ids.size >= limit) break;
						ids.add(String(id));
					}
					const next =
						result.nextToken === undefined || result.nextToken === null
							? ''
							: String(result.nextToken);
					// A token that comes back again would loop forever.
					if (next === '' || seen.has(next) || page.length === 0) break;
					seen.add(next);
					nextToken = tokenFor(next);
				}
				if (ids.size >= limit) break;
			}
			if (ids.size >= limit) break;
		}

		if (!includeDetails) {
			return [...ids].map((processInstanceId) => ({ processInstanceId, processCode }));
		}
		const details: IDataObject[] = [];
		for (const id of ids) details.push(await fetchInstance.call(this, id, itemIndex));
		return details;
	},
};
