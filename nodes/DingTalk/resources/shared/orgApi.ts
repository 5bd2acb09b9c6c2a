import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { dingTalkApiRequest, type DingTalkContext } from '../../transport';
import { resultOf } from './org';

// The org calls of the old family that operations and pickers share. Each is one HTTP call; walking is the caller's.

/** /topapi/v2/user/list answers at most 100 members per call. */
export const USER_PAGE_MAX = 100;

/** One level of sub-departments (/topapi/v2/department/listsub). */
export async function subDepartments(
	this: DingTalkContext,
	deptId: number,
	itemIndex?: number,
	extra: IDataObject = {},
): Promise<IDataObject[]> {
	const answer = await dingTalkApiRequest.call(this, {
		method: 'POST',
		path: '/topapi/v2/department/listsub',
		body: { ...extra, dept_id: deptId },
		itemIndex,
	});
	return Array.isArray(answer.result) ? (answer.result as IDataObject[]) : [];
}

export interface MemberPage {
	list: IDataObject[];
	/** The cursor of the next page; undefined on the last one. */
	nextCursor?: number;
}

/** One page of a department's direct members with their profiles (/topapi/v2/user/list, cursor 0 first). */
export async function memberPage(
	this: DingTalkContext,
	deptId: number,
	cursor: number,
	size = USER_PAGE_MAX,
	extra: IDataObject = {},
	itemIndex?: number,
): Promise<MemberPage> {
	const answer = await dingTalkApiRequest.call(this, {
		method: 'POST',
		path: '/topapi/v2/user/list',
		body: { ...extra, dept_id: deptId, cursor, size: Math.min(Math.max(1, size), USER_PAGE_MAX) },
		itemIndex,
	});
	const result = resultOf(answer);
	const list = Array.isArray(result.list) ? (result.list as IDataObject[]) : [];
	if (result.has_more !== true) return { list };
	const next = Number(result.next_cursor);
	// A cursor that does not move on would page forever: stop rather than hang the workflow.
	if (!Number.isInteger(next) || next <= cursor) {
		throw new NodeOperationError(
			this.getNode(),
			`DingTalk answered /topapi/v2/user/list of department ${deptId} with has_more but the cursor ${String(result.next_cursor)} after ${cursor}: stopped paging to avoid a loop`,
			{ itemIndex },
		);
	}
	return { list, nextCursor: next };
}

/** One member's profile (/topapi/v2/user/get). */
export async function userProfile(
	this: DingTalkContext,
	userid: string,
	itemIndex?: number,
	extra: IDataObject = {},
): Promise<IDataObject> {
	const answer = await dingTalkApiRequest.call(this, {
		method: 'POST',
		path: '/topapi/v2/user/get',
		body: { ...extra, userid },
		itemIndex,
	});
	return resultOf(answer);
}

export interface MemberWalk {
	/** Departments whose children and members are still to be listed, breadth-first. */
	queue: number[];
	/** The department being paged and the cursor of its next page. */
	current?: { dept: number; cursor: number };
	/** Whether departments below the start are walked too. */
	recursive: boolean;
}

export function startWalk(deptId: number, recursive: boolean): MemberWalk {
	return { queue: [deptId], recursive };
}

/**
 * One step of a walk through the organisation, exactly one call: either lists the sub-departments of the next
 * department (queueing them) or reads the next page of the current department's members. Returns the members read
 * (undefined for a department step, and when the walk is done); `walk` is advanced in place. DingTalk lists only direct members and one level of departments per call, so this is the only
 * way through the whole organisation; it keeps only the frontier, never the members read so far.
 */
export async function walkStep(
	this: DingTalkContext,
	walk: MemberWalk,
	pageSize = USER_PAGE_MAX,
	extra: IDataObject = {},
	itemIndex?: number,
): Promise<IDataObject[] | undefined> {
	if (!walk.current) {
		const dept = walk.queue.shift();
		if (dept === undefined) return undefined;
		walk.current = { dept, cursor: 0 };
		if (walk.recursive) {
			const language = extra.language === undefined ? {} : { language: extra.language };
			const children = await subDepartments.call(this, dept, itemIndex, language);
			for (const child of children) {
				const id = Number(child.dept_id);
				if (Number.isSafeInteger(id) && id > 0) walk.queue.push(id);
			}
			return undefined;
		}
	}
	const { dept, cursor } = walk.current;
	const page = await memberPage.call(this, dept, cursor, pageSize, extra, itemIndex);
	walk.current = page.nextCursor === undefined ? undefined : { dept, cursor: page.nextCursor };
	return page.list;
}

export function walkDone(walk: MemberWalk): boolean {
	return !walk.current && walk.queue.length === 0;
}
