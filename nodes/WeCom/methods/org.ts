import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
	INodePropertyOptions,
} from 'n8n-workflow';

import { weComApiRequest } from '../transport';

/** Entries per listSearch page: enough to scroll, small enough for the picker to stay quick in big corps. */
const SEARCH_PAGE_SIZE = 200;

/** Pinyin order for Chinese names, natural order for digits, as WeCom's own contact list sorts. */
const collator = new Intl.Collator('zh-CN', { numeric: true, sensitivity: 'base' });

interface Entry {
	name: string;
	value: string;
	/** Extra texts a filter may match (English name, userid, id). */
	keys: string[];
}

interface VisibleDepartment {
	id: number;
	name: string;
	parentid: number;
	path: string;
	keys: string[];
}

function listOf(answer: IDataObject, field: string): IDataObject[] {
	const value = answer[field];
	return Array.isArray(value) ? (value as IDataObject[]) : [];
}

/**
 * department/list without an id answers every department in the app's visibility scope, with names (simplelist has
 * none). A department's path stops at the highest department the app can see: its parents may be outside the scope.
 */
async function visibleDepartments(this: ILoadOptionsFunctions): Promise<VisibleDepartment[]> {
	const answer = await weComApiRequest.call(this, {
		method: 'GET',
		path: '/cgi-bin/department/list',
	});
	const byId = new Map<number, IDataObject>();
	for (const department of listOf(answer, 'department'))
		byId.set(Number(department.id), department);
	const pathOf = (id: number): string => {
		const names: string[] = [];
		const seen = new Set<number>();
		for (let current = byId.get(id); current && !seen.has(Number(current.id)); ) {
			seen.add(Number(current.id));
			names.unshift(String(current.name ?? current.id));
			current = byId.get(Number(current.parentid));
		}
		return names.join(' / ');
	};
	return [...byId.values()].map((department) => {
		const id = Number(department.id);
		return {
			id,
			name: String(department.name ?? id),
			parentid: Number(department.parentid),
			path: pathOf(id),
			keys: [String(id), String(department.name_en ?? '')],
		};
	});
}

/**
 * Members with names for the pickers. user/list_id would be the cheapest call but carries no names, and user/list
 * sends whole profiles (whose sensitive fields apps created after 2022-06-20 no longer get anyway). user/simplelist
 * gives userid + name to self-built apps old and new. It is asked once per top-most visible department with
 * fetch_child=1 instead of once for the root, because the root is often outside a newer app's visibility scope
 * (60011). An app that sees members but no department falls back to user/list_id: userids without names beat an
 * empty picker.
 */
async function visibleUsers(this: ILoadOptionsFunctions): Promise<Entry[]> {
	const departments = await visibleDepartments.call(this);
	const visibleIds = new Set(departments.map((d) => d.id));
	const tops = departments.filter((d) => !visibleIds.has(d.parentid));
	const users = new Map<string, Entry>();
	for (const top of tops) {
		const answer = await weComApiRequest.call(this, {
			method: 'GET',
			path: '/cgi-bin/user/simplelist',
			qs: { department_id: top.id, fetch_child: 1 },
		});
		for (const user of listOf(answer, 'userlist')) {
			const userid = String(user.userid ?? '');
			if (!userid || users.has(userid)) continue;
			const name = String(user.name ?? '');
			users.set(userid, {
				name: name && name !== userid ? `${name} (${userid})` : userid,
				value: userid,
				keys: [name, userid],
			});
		}
	}
	if (tops.length === 0) {
		let cursor = '';
		do {
			const answer = await weComApiRequest.call(this, {
				method: 'POST',
				path: '/cgi-bin/user/list_id',
				body: cursor ? { cursor, limit: 10000 } : { limit: 10000 },
			});
			for (const pair of listOf(answer, 'dept_user')) {
				const userid = String(pair.userid ?? '');
				if (userid && !users.has(userid))
					users.set(userid, { name: userid, value: userid, keys: [userid] });
			}
			const next = typeof answer.next_cursor === 'string' ? answer.next_cursor : '';
			// A cursor that comes back would page forever.
			cursor = next && next !== cursor ? next : '';
		} while (cursor);
	}
	return [...users.values()];
}

async function departmentEntries(this: ILoadOptionsFunctions): Promise<Entry[]> {
	const departments = await visibleDepartments.call(this);
	return departments.map((d) => ({ name: d.path, value: String(d.id), keys: [d.name, ...d.keys] }));
}

async function tagEntries(this: ILoadOptionsFunctions): Promise<Entry[]> {
	const answer = await weComApiRequest.call(this, { method: 'GET', path: '/cgi-bin/tag/list' });
	return listOf(answer, 'taglist').map((tag) => ({
		name: String(tag.tagname ?? tag.tagid),
		value: String(tag.tagid),
		keys: [String(tag.tagname ?? ''), String(tag.tagid)],
	}));
}

function sortByName(entries: Entry[]): Entry[] {
	return [...entries].sort(
		(a, b) => collator.compare(a.name, b.name) || a.value.localeCompare(b.value),
	);
}

/** Case-insensitive substring match on the shown name, the id and the extra keys. */
function matches(entry: Entry, filter: string): boolean {
	const needle = filter.toLowerCase();
	return [entry.name, entry.value, ...entry.keys].some((text) =>
		text.toLowerCase().includes(needle),
	);
}

/** Filtered, sorted, one page: the pagination token is the offset of the next page. */
function searchResult(
	entries: Entry[],
	filter?: string,
	paginationToken?: string,
): INodeListSearchResult {
	const needle = (filter ?? '').trim();
	const found = sortByName(needle ? entries.filter((e) => matches(e, needle)) : entries);
	const offset = Math.max(0, Number.parseInt(paginationToken ?? '', 10) || 0);
	const results: INodeListSearchItems[] = found
		.slice(offset, offset + SEARCH_PAGE_SIZE)
		.map(({ name, value }) => ({ name, value }));
	const next = offset + SEARCH_PAGE_SIZE;
	return next < found.length ? { results, paginationToken: String(next) } : { results };
}

function asOptions(entries: Entry[]): INodePropertyOptions[] {
	return sortByName(entries).map(({ name, value }) => ({ name, value }));
}

export const orgListSearch = {
	async searchUsers(
		this: ILoadOptionsFunctions,
		filter?: string,
		paginationToken?: string,
	): Promise<INodeListSearchResult> {
		return searchResult(await visibleUsers.call(this), filter, paginationToken);
	},

	async searchDepartments(
		this: ILoadOptionsFunctions,
		filter?: string,
		paginationToken?: string,
	): Promise<INodeListSearchResult> {
		return searchResult(await departmentEntries.call(this), filter, paginationToken);
	},

	async searchTags(
		this: ILoadOptionsFunctions,
		filter?: string,
		paginationToken?: string,
	): Promise<INodeListSearchResult> {
		return searchResult(await tagEntries.call(this), filter, paginationToken);
	},
};

export const orgLoadOptions = {
	async getUsers(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return asOptions(await visibleUsers.call(this));
	},

	async getDepartments(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return asOptions(await departmentEntries.call(this));
	},

	async getTags(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return asOptions(await tagEntries.call(this));
	},
};
