import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';

import { DEPARTMENT_ID_PATTERN, resultOf } from '../resources/shared/org';
import { subDepartments } from '../resources/shared/orgApi';
import { dingTalkApiRequest } from '../transport';
import {
	decodeState,
	mapLimited,
	matchesAny,
	pageOf,
	searchOrWalk,
	unlessNotFound,
	type SearchState,
} from './searchState';
import { searchUsers } from './users';

const VERSION = 1;

/**
 * listsub calls a page may spend without a filter (the editor asks for more pages itself): 24, or up to 240 while the
 * page is still empty (the end of a walk lists leaf departments, which have no children to show), 4 at a time.
 */
const BROWSE_CALLS = 24;
const BROWSE_MAX_CALLS = 240;
const LISTSUB_WIDTH = 4;

/** With a filter the editor loads more only on scrolling: enough matches to scroll, or a longer walk. */
const SEARCH_PAGE = 20;
const FILTERED_WALK_CALLS = 80;

const NOT_FOUND = ['60003', '40035'];

interface DepartmentSearchState extends SearchState {
	/** Departments whose children are still to be listed, with the path of names leading to them. */
	queue?: Array<[number, string]>;
	/** An exact hit of the first page, not to be shown again. */
	shown?: number;
}

async function getDepartment(
	this: ILoadOptionsFunctions,
	id: number,
): Promise<IDataObject | undefined> {
	return await unlessNotFound(
		async () =>
			resultOf(
				await dingTalkApiRequest.call(this, {
					method: 'POST',
					path: '/topapi/v2/department/get',
					body: { dept_id: id },
				}),
			),
		NOT_FOUND,
	);
}

function entry(department: IDataObject | undefined): INodeListSearchItems | undefined {
	const id = Number(department?.dept_id);
	if (!Number.isSafeInteger(id) || id < 1) return undefined;
	return { name: `${String(department?.name ?? id)} (${id})`, value: String(id) };
}

/** Parents above a department the path is read through at most (DingTalk trees are shallow). */
const MAX_DEPTH = 16;

/**
 * The path of names from below the root down to the department ("研发中心 / 前端组"), as the walk shows it: each
 * parent read once per page (department/get gives parent_id), from `known` where the page has it already.
 */
async function pathOf(
	this: ILoadOptionsFunctions,
	department: IDataObject,
	known: Map<number, Promise<IDataObject | undefined>>,
): Promise<string> {
	const names = [String(department.name ?? department.dept_id)];
	let parent = Number(department.parent_id);
	for (let depth = 0; depth < MAX_DEPTH && Number.isSafeInteger(parent) && parent > 1; depth++) {
		let pending = known.get(parent);
		if (!pending) {
			pending = getDepartment.call(this, parent);
			known.set(parent, pending);
		}
		const above = await pending;
		if (!above) break;
		names.unshift(String(above.name ?? parent));
		parent = Number(above.parent_id);
	}
	return names.join(' / ');
}

/** One page of DingTalk's name search (/v1.0/contact/departments/search): ids, then their paths. */
async function searchPage(
	this: ILoadOptionsFunctions,
	needle: string,
	state: DepartmentSearchState,
	results: INodeListSearchItems[],
): Promise<DepartmentSearchState | undefined> {
	const offset = state.o ?? 0;
	const answer = await dingTalkApiRequest.call(this, {
		method: 'POST',
		path: '/v1.0/contact/departments/search',
		body: { queryWord: needle, offset, size: SEARCH_PAGE },
	});
	const ids = (Array.isArray(answer.list) ? answer.list : [])
		.map(Number)
		.filter((id) => Number.isSafeInteger(id) && id > 0 && id !== state.shown);
	const known = new Map<number, Promise<IDataObject | undefined>>();
	const found = await mapLimited(ids, 4, async (id) => {
		const department = await getDepartment.call(this, id);
		return department
			? { department, path: await pathOf.call(this, department, known) }
			: undefined;
	});
	for (const hit of found) {
		const item = hit && entry(hit.department);
		if (item) results.push({ ...item, name: `${hit.path} (${item.value})` });
	}
	return answer.hasMore === true ? { ...state, o: offset + SEARCH_PAGE } : undefined;
}

/** One page of the breadth-first walk: each listsub call names one level below one department. */
async function walkPage(
	this: ILoadOptionsFunctions,
	needle: string,
	state: DepartmentSearchState,
	results: INodeListSearchItems[],
): Promise<DepartmentSearchState | undefined> {
	const queue = state.queue ?? [[1, '']];
	const enough = (calls: number) =>
		needle
			? results.length >= SEARCH_PAGE || calls >= FILTERED_WALK_CALLS
			: calls >= BROWSE_MAX_CALLS || (calls >= BROWSE_CALLS && results.length > 0);
	let calls = 0;
	while (!enough(calls) && queue.length) {
		// A few departments at a time (DingTalk allows about 20 calls per second per API), in order.
		const batch = queue.splice(0, Math.min(LISTSUB_WIDTH, queue.length));
		calls += batch.length;
		const levels = await mapLimited(batch, LISTSUB_WIDTH, async ([parentId]) => {
			return await subDepartments.call(this, parentId);
		});
		for (const [index, children] of levels.entries()) {
			const parentPath = batch[index][1];
			for (const child of children) {
				const id = Number(child.dept_id);
				if (!Number.isSafeInteger(id) || id < 1) continue;
				const name = String(child.name ?? id);
				const path = parentPath ? `${parentPath} / ${name}` : name;
				queue.push([id, path]);
				if (id !== state.shown && (!needle || matchesAny(needle, [path, String(id)]))) {
					results.push({ name: `${path} (${id})`, value: String(id) });
				}
			}
		}
	}
	return queue.length ? { ...state, mode: 'walk', queue } : undefined;
}

/**
 * Department picker. Without a filter the tree is walked breadth-first, showing paths, a bounded number of listsub
 * calls per page, the rest of the walk handed to the next page. With a filter, a department ID is looked up directly
 * and names go to DingTalk's own search (/v1.0/contact/departments/search), each hit shown with its path as the walk
 * shows it; an app that may not use that search gets the walk, filtered by path and ID.
 */
export async function searchDepartments(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const needle = (filter ?? '').trim();
	const results: INodeListSearchItems[] = [];
	let state = decodeState<DepartmentSearchState>(paginationToken, VERSION);
	if (!state) {
		state = { v: VERSION, mode: needle ? 'search' : 'walk' };
		// The root first when browsing (its name is the organisation's); a numeric filter is tried as an ID.
		const exact = !needle ? 1 : new RegExp(DEPARTMENT_ID_PATTERN).test(needle) ? Number(needle) : 0;
		const department = exact ? await getDepartment.call(this, exact) : undefined;
		const item = entry(department);
		if (department && item) {
			// An ID typed is shown with its path, as search hits are; the root by its name (the organisation's).
			const path = exact === 1 ? undefined : await pathOf.call(this, department, new Map());
			results.push(path ? { ...item, name: `${path} (${item.value})` } : item);
			state.shown = Number(item.value);
		}
	}
	const next = await searchOrWalk(
		state,
		async (searching) => await searchPage.call(this, needle, searching, results),
		async (walking) => await walkPage.call(this, needle, walking, results),
	);
	return pageOf(results, next);
}

export const orgListSearch = { searchDepartments, searchUsers };
