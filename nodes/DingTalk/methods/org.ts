import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';

import { dingTalkApiRequest } from '../transport';

/** listsub calls one page of the picker may spend: the tree is walked level by level, page by page. */
const LEVEL_CALLS_PER_PAGE = 25;

interface Walk {
	/** Departments whose children are still to be listed, with the path of names leading to them. */
	queue: Array<{ id: number; path: string }>;
}

function readWalk(token: string | undefined): Walk {
	if (token) {
		try {
			const walk = JSON.parse(token) as Walk;
			if (Array.isArray(walk.queue)) return walk;
		} catch {
			// A token from another version of the picker: start over.
		}
	}
	return { queue: [{ id: 1, path: '' }] };
}

/**
 * Department picker. DingTalk lists one level per call (listsub), so the tree is walked breadth-first: each page
 * lists a bounded number of departments' children and hands the rest of the walk to the next page, so even a large
 * organisation shows its first page quickly. The filter matches names, paths and ids.
 */
export async function searchDepartments(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const walk = readWalk(paginationToken);
	const needle = (filter ?? '').trim().toLowerCase();
	const results: INodeListSearchItems[] = [];
	if (!paginationToken && (!needle || '1'.includes(needle))) {
		results.push({ name: 'Root department (1)', value: '1' });
	}
	for (let calls = 0; calls < LEVEL_CALLS_PER_PAGE && walk.queue.length; calls++) {
		const parent = walk.queue.shift() as { id: number; path: string };
		const answer = await dingTalkApiRequest.call(this, {
			method: 'POST',
			path: '/topapi/v2/department/listsub',
			body: { dept_id: parent.id },
		});
		const children = Array.isArray(answer.result) ? (answer.result as IDataObject[]) : [];
		for (const child of children) {
			const id = Number(child.dept_id);
			const name = String(child.name ?? id);
			const path = parent.path ? `${parent.path} / ${name}` : name;
			walk.queue.push({ id, path });
			if (!needle || path.toLowerCase().includes(needle) || String(id) === needle) {
				results.push({ name: `${path} (${id})`, value: String(id) });
			}
		}
	}
	return {
		results,
		paginationToken: walk.queue.length ? JSON.stringify(walk) : undefined,
	};
}

export const orgListSearch = { searchDepartments };
