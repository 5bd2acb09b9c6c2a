import type { IDataObject, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

// Pieces both pickers use: the pagination token (the state of a search, handed to the editor and back), matching,
// and telling "not found" apart from real failures.

/** Decodes a token written by `encodeState`; anything else (another version, garbage) starts over. */
export function decodeState<T extends { v: number }>(token: string | undefined, version: number) {
	if (!token) return undefined;
	try {
		const state = JSON.parse(token) as T;
		return state && typeof state === 'object' && state.v === version ? state : undefined;
	} catch {
		return undefined;
	}
}

export interface SearchState extends IDataObject {
	v: number;
	/** `search`: DingTalk's contact search at offset `o`; `walk`: the organisation, department by department. */
	mode: 'search' | 'walk';
	o?: number;
}

/**
 * The state after one picker page: DingTalk's search while it works, the walk otherwise. Only the first page of a
 * search may turn to the walk (no permission for the search, or a relay without it); a later page reports its failure.
 */
export async function searchOrWalk<S extends SearchState>(
	state: S,
	search: (state: S) => Promise<S | undefined>,
	walk: (state: S) => Promise<S | undefined>,
): Promise<S | undefined> {
	if (state.mode !== 'search') return await walk(state);
	const outcome = await attempt(async () => await search(state));
	if ('value' in outcome) return outcome.value;
	if (!(outcome.error instanceof NodeApiError) || (state.o ?? 0) > 0) throw outcome.error;
	return await walk({ ...state, mode: 'walk' });
}

/** The result of one picker page: the token is there only while there is more to read. */
export function pageOf(
	results: INodeListSearchItems[],
	state: IDataObject | undefined,
): INodeListSearchResult {
	return state ? { results, paginationToken: JSON.stringify(state) } : { results };
}

/** Case-insensitive substring match of a filter against any of the texts. */
export function matchesAny(needle: string, texts: unknown[]): boolean {
	const lower = needle.toLowerCase();
	return texts.some(
		(text) =>
			(typeof text === 'string' || typeof text === 'number') &&
			String(text).toLowerCase().includes(lower),
	);
}

/** The code DingTalk gave for a refusal (old errcode or new code), if the error is one. */
export function dingTalkCodeOf(error: unknown): string | undefined {
	if (!(error instanceof NodeApiError)) return undefined;
	const response = (error.errorResponse ?? {}) as IDataObject;
	const code = response.errcode ?? response.code;
	return code === undefined || code === null ? undefined : String(code);
}

/** The value of a call, or what it threw: lets a caller decide about a failure outside a catch block. */
export async function attempt<T>(
	call: () => Promise<T>,
): Promise<{ value: T } | { error: unknown }> {
	try {
		return { value: await call() };
	} catch (error) {
		return { error };
	}
}

/** Runs a look-up that may legitimately find nothing: those codes give undefined, anything else is thrown. */
export async function unlessNotFound<T>(
	lookup: () => Promise<T>,
	notFoundCodes: string[],
): Promise<T | undefined> {
	const outcome = await attempt(lookup);
	if ('value' in outcome) return outcome.value;
	if (notFoundCodes.includes(dingTalkCodeOf(outcome.error) ?? '')) return undefined;
	throw outcome.error;
}

/** `map` over `items` with at most `width` calls in flight (DingTalk allows about 20 per second per API). */
export async function mapLimited<T, R>(
	items: T[],
	width: number,
	map: (item: T) => Promise<R>,
): Promise<R[]> {
	const out: R[] = new Array<R>(items.length);
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const index = next++;
			out[index] = await map(items[index]);
		}
	};
	await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
	return out;
}
