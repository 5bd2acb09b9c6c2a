import type {
	ILoadOptionsFunctions,
	INodeListSearchResult,
	INodePropertyOptions,
} from 'n8n-workflow';

import type { DirectoryEntry } from './orgDirectory';
import { directory, matching } from './orgDirectory';

/** Entries per listSearch page: enough to scroll, small enough for the picker to stay quick in big corps. */
const SEARCH_PAGE_SIZE = 200;

/** Filtered, one page: the pagination token is the offset of the next page. */
function searchResult(
	entries: DirectoryEntry[],
	filter?: string,
	paginationToken?: string,
): INodeListSearchResult {
	const found = matching(entries, filter);
	const offset = Math.max(0, Number.parseInt(paginationToken ?? '', 10) || 0);
	const results = found
		.slice(offset, offset + SEARCH_PAGE_SIZE)
		.map(({ name, value }) => ({ name, value }));
	const next = offset + SEARCH_PAGE_SIZE;
	return next < found.length ? { results, paginationToken: String(next) } : { results };
}

function asOptions(entries: DirectoryEntry[]): INodePropertyOptions[] {
	return entries.map(({ name, value }) => ({ name, value }));
}

export const orgListSearch = {
	async searchUsers(
		this: ILoadOptionsFunctions,
		filter?: string,
		paginationToken?: string,
	): Promise<INodeListSearchResult> {
		return searchResult(await directory.call(this, 'users'), filter, paginationToken);
	},

	async searchDepartments(
		this: ILoadOptionsFunctions,
		filter?: string,
		paginationToken?: string,
	): Promise<INodeListSearchResult> {
		return searchResult(await directory.call(this, 'departments'), filter, paginationToken);
	},

	async searchTags(
		this: ILoadOptionsFunctions,
		filter?: string,
		paginationToken?: string,
	): Promise<INodeListSearchResult> {
		return searchResult(await directory.call(this, 'tags'), filter, paginationToken);
	},
};

export const orgLoadOptions = {
	async getUsers(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return asOptions(await directory.call(this, 'users'));
	},

	async getDepartments(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return asOptions(await directory.call(this, 'departments'));
	},

	async getTags(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return asOptions(await directory.call(this, 'tags'));
	},
};
