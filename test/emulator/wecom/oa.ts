import type { Route } from '../types';
import { bodyOf, isRecord, nonEmptyString } from '../util';
import { recordsFor } from './approvalBank';
import { checkApplyData } from './approvalContents';
import { compareApprovals, nextSpNo, type Approval } from './approvalModel';
import { WeComErr, wecomError, wecomOk } from './errors';
import type { ApprovalTemplate } from './seed';
import { findUser, isReachable, type WeComState } from './state';

const MAX_SPAN_SECONDS = 31 * 86400;
const MAX_PAGE = 100;
const MAX_SUMMARY_LINES = 3;
const FILTER_KEYS = ['template_id', 'creator', 'department', 'sp_status', 'record_type'];

function bad(detail: string) {
	return wecomError(WeComErr.approvalParameter, detail);
}

function templateOf(state: WeComState, templateId: unknown): ApprovalTemplate {
	if (!nonEmptyString(templateId)) {
		throw bad('template_id missing');
	}
	const template = state.templates.find((t) => t.template_id === templateId);
	if (!template) {
		throw bad(`template_id '${templateId}' does not exist`);
	}
	return template;
}

/** Seconds given as a number or a digit string (WeCom takes both). */
function seconds(value: unknown, name: string): number {
	const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
	if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
		throw bad(`${name} is required: unix seconds`);
	}
	return n;
}

function userIds(state: WeComState, value: unknown, where: string): string[] {
	if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
		throw bad(`${where} must be a list of userids`);
	}
	const unknown = (value as string[]).filter((id) => !isReachable(findUser(state, id)));
	if (unknown.length > 0) {
		throw bad(`${where} names unknown members: ${unknown.join(', ')}`);
	}
	return value as string[];
}

function approverFlow(
	state: WeComState,
	body: Record<string, unknown>,
	template: ApprovalTemplate,
): ApprovalTemplate['defaultApprovers'] {
	if (body.use_template_approver === 1) {
		return template.defaultApprovers;
	}
	if (body.use_template_approver !== 0) {
		throw bad('use_template_approver must be 0 or 1');
	}
	if (!Array.isArray(body.approver) || body.approver.length === 0) {
		throw bad('approver is required when use_template_approver is 0');
	}
	return body.approver.map((node, i) => {
		if (!isRecord(node) || (node.attr !== 1 && node.attr !== 2)) {
			throw bad(`approver[${i}].attr must be 1 (or-sign) or 2 (and-sign)`);
		}
		const ids = userIds(state, node.userid, `approver[${i}].userid`);
		if (ids.length === 0) {
			throw bad(`approver[${i}].userid is empty`);
		}
		return { attr: node.attr as 1 | 2, userid: ids };
	});
}

function checkSummary(value: unknown): void {
	if (value === undefined) {
		return;
	}
	if (!Array.isArray(value) || value.length > MAX_SUMMARY_LINES) {
		throw bad(`summary_list must be a list of at most ${MAX_SUMMARY_LINES} lines`);
	}
	value.forEach((line, i) => {
		if (!isRecord(line) || !Array.isArray(line.summary_info)) {
			throw bad(`summary_list[${i}].summary_info must be a list of {text, lang}`);
		}
	});
}

function encodeCursor(a: Approval): string {
	return Buffer.from(`${a.apply_time}:${a.sp_no}`).toString('base64url');
}

function decodeCursor(cursor: string): { apply_time: number; sp_no: string } {
	const match = /^(\d+):(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
	if (!match) {
		throw bad('new_cursor is not a cursor this API returned');
	}
	return { apply_time: Number(match[1]), sp_no: match[2] };
}

type Filter = (a: Approval, state: WeComState) => boolean;

function filterFor(key: string, value: string): Filter {
	switch (key) {
		case 'template_id':
			return (a) => a.template_id === value;
		case 'creator':
			return (a) => a.applyer.userid === value;
		case 'department':
			return (a) => a.applyer.partyid === value;
		case 'sp_status':
			return (a) => String(a.sp_status) === value;
		default:
			return (a, state) =>
				String(state.templates.find((t) => t.template_id === a.template_id)?.recordType) === value;
	}
}

/** Different keys must all hold; several departments are alternatives. */
function parseFilters(value: unknown): Filter {
	if (value === undefined) {
		return () => true;
	}
	if (!Array.isArray(value)) {
		throw bad('filters must be a list of {key, value}');
	}
	const byKey = new Map<string, Filter[]>();
	value.forEach((f, i) => {
		if (!isRecord(f) || !FILTER_KEYS.includes(String(f.key))) {
			throw bad(`filters[${i}].key must be one of ${FILTER_KEYS.join(', ')}`);
		}
		if (typeof f.value !== 'string' && typeof f.value !== 'number') {
			throw bad(`filters[${i}].value must be a string`);
		}
		const key = String(f.key);
		// WeCom: only the department filter may be given several times.
		if (byKey.has(key) && key !== 'department') {
			throw bad(`filters[${i}]: only 'department' may be repeated, '${key}' is given twice`);
		}
		byKey.set(key, [...(byKey.get(key) ?? []), filterFor(key, String(f.value))]);
	});
	return (a, state) =>
		[...byKey.values()].every((alternatives) => alternatives.some((f) => f(a, state)));
}

function pageSize(value: unknown): number {
	if (value === undefined) {
		return MAX_PAGE;
	}
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_PAGE) {
		throw bad(`size must be 1 to ${MAX_PAGE}`);
	}
	return value;
}

export const oaRoutes: Route<WeComState>[] = [
	{
		method: 'POST',
		path: '/cgi-bin/oa/gettemplatedetail',
		handle(req, ctx) {
			const template = templateOf(ctx.state, bodyOf(req.body).template_id);
			return wecomOk({
				template_names: template.template_names,
				template_content: { controls: template.controls },
			});
		},
	},
	{
		method: 'POST',
		path: '/cgi-bin/oa/applyevent',
		handle(req, ctx) {
			const { state } = ctx;
			const body = bodyOf(req.body);
			const creator = findUser(state, body.creator_userid);
			if (!isReachable(creator)) {
				throw bad(`creator_userid '${String(body.creator_userid)}' is not an active member`);
			}
			const template = templateOf(state, body.template_id);
			const flow = approverFlow(state, body, template);
			const notifyer = body.notifyer === undefined ? [] : userIds(state, body.notifyer, 'notifyer');
			if (notifyer.length > 0 && ![1, 2, 3].includes(body.notify_type as number)) {
				throw bad('notify_type must be 1, 2 or 3 when notifyer is given');
			}
			const contents = checkApplyData(state, template, body.apply_data, ctx.now());
			checkSummary(body.summary_list);
			const applyTime = Math.floor(ctx.now() / 1000);
			const approval: Approval = {
				sp_no: nextSpNo(state.spNoSequences, applyTime),
				sp_name: template.template_names[0].text,
				sp_status: 1,
				template_id: template.template_id,
				apply_time: applyTime,
				applyer: { userid: creator.userid, partyid: String(creator.main_department) },
				sp_record: recordsFor(flow, 1, applyTime, 0),
				notifyer: notifyer.map((userid) => ({ userid })),
				apply_data: { contents },
				comments: [],
			};
			state.approvals.push(approval);
			state.approvals.sort(compareApprovals);
			return wecomOk({ sp_no: approval.sp_no });
		},
	},
	{
		method: 'POST',
		path: '/cgi-bin/oa/getapprovalinfo',
		handle(req, ctx) {
			const { state } = ctx;
			const body = bodyOf(req.body);
			const start = seconds(body.starttime, 'starttime');
			const end = seconds(body.endtime, 'endtime');
			if (end < start) {
				throw bad('endtime is before starttime');
			}
			if (end - start > MAX_SPAN_SECONDS) {
				throw bad('starttime to endtime spans more than 31 days');
			}
			const size = pageSize(body.size);
			const matches = parseFilters(body.filters);
			const after = nonEmptyString(body.new_cursor) ? decodeCursor(body.new_cursor) : undefined;
			const found = state.approvals.filter(
				(a) =>
					a.apply_time >= start &&
					a.apply_time <= end &&
					matches(a, state) &&
					(!after || compareApprovals(a, { ...a, ...after }) > 0),
			);
			const page = found.slice(0, size);
			const more = found.length > size;
			return wecomOk({
				sp_no_list: page.map((a) => a.sp_no),
				new_next_cursor: more ? encodeCursor(page[page.length - 1]) : '',
			});
		},
	},
	{
		method: 'POST',
		path: '/cgi-bin/oa/getapprovaldetail',
		handle(req, ctx) {
			const spNo = bodyOf(req.body).sp_no;
			if (!nonEmptyString(spNo) && typeof spNo !== 'number') {
				throw bad('sp_no missing');
			}
			const approval = ctx.state.approvals.find((a) => a.sp_no === String(spNo));
			if (!approval) {
				throw bad(`sp_no ${String(spNo)} does not exist`);
			}
			return wecomOk({ info: structuredClone(approval) });
		},
	},
];
