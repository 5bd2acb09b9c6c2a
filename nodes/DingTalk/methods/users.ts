import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';

import {
	startWalk,
	userProfile,
	walkDone,
	walkStep,
	type MemberWalk,
} from '../resources/shared/orgApi';
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

const VERSION = 1;

/**
 * Without a filter: a page ends at 100 members, or after 12 calls once it has 20 (a screenful; the editor asks for
 * more as the list is scrolled), or after 40 calls in any case (upper departments often have no direct members).
 */
const BROWSE_PAGE = 100;
const BROWSE_SCREEN = 20;
const BROWSE_CALLS = 12;
const BROWSE_MAX_CALLS = 40;

/**
 * With a filter the editor loads more only when the list is scrolled, so a page must hold enough matches to scroll
 * (or everything there is): DingTalk's name search gives them at once; the walk that replaces it spends more calls.
 */
const SEARCH_PAGE = 20;
const FILTERED_WALK_CALLS = 80;

/** Profiles fetched in parallel for one page of search hits (DingTalk allows about 20 calls per second per API). */
const PROFILE_WIDTH = 4;

const MOBILE = /^\+?[0-9][0-9-]{5,19}$/;
/** A filter worth trying as a userid: userids are Latin letters, digits and a few signs in practice; names are not. */
const USERID_LIKE = /^[A-Za-z0-9_.@-]{1,64}$/;
const NOT_FOUND = ['60121', '40035', '60003'];

interface UserSearchState extends SearchState {
	walk?: IDataObject;
	/**
	 * Userids already shown that a later page could show again: exact hits of the first page and members of several
	 * departments (the walk meets them once per department). Members of one department, most of any organisation,
	 * need no record, so the token stays small.
	 */
	shown: string[];
	/**
	 * After DingTalk's name search: the walk that finds members by part of their userid (the search matches names
	 * only), leaving out those whose name matched, which the search showed.
	 */
	ids?: boolean;
	/** The filter found its member by mobile or userid: no walk for parts of userids. */
	exact?: boolean;
}

function entry(profile: IDataObject): INodeListSearchItems | undefined {
	const userid = typeof profile.userid === 'string' ? profile.userid : '';
	if (!userid) return undefined;
	const name = typeof profile.name === 'string' ? profile.name.trim() : '';
	return { name: name && name !== userid ? `${name} (${userid})` : userid, value: userid };
}

/** A filter that is a mobile number or a userid finds that member with one or two calls, before any search. */
async function exactHits(this: ILoadOptionsFunctions, needle: string): Promise<IDataObject[]> {
	const hits: IDataObject[] = [];
	if (MOBILE.test(needle)) {
		const answer = await unlessNotFound(
			async () =>
				await dingTalkApiRequest.call(this, {
					method: 'POST',
					path: '/topapi/v2/user/getbymobile',
					body: { mobile: needle },
				}),
			NOT_FOUND,
		);
		const userid = (answer?.result as IDataObject | undefined)?.userid;
		if (typeof userid === 'string') {
			const profile = await unlessNotFound(
				async () => await userProfile.call(this, userid),
				NOT_FOUND,
			);
			if (profile) hits.push(profile);
		}
	}
	// A mobile that found its member is not also tried as a userid.
	if (USERID_LIKE.test(needle) && hits.length === 0) {
		const profile = await unlessNotFound(
			async () => await userProfile.call(this, needle),
			NOT_FOUND,
		);
		if (profile) hits.push(profile);
	}
	return hits;
}

/** One page of DingTalk's name search (/v1.0/contact/users/search): userids, then their names. */
async function searchPage(
	this: ILoadOptionsFunctions,
	needle: string,
	state: UserSearchState,
	results: INodeListSearchItems[],
): Promise<UserSearchState | undefined> {
	const offset = state.o ?? 0;
	const answer = await dingTalkApiRequest.call(this, {
		method: 'POST',
		path: '/v1.0/contact/users/search',
		body: { queryWord: needle, offset, size: SEARCH_PAGE },
	});
	const ids = (Array.isArray(answer.list) ? answer.list : [])
		.map(String)
		.filter((id) => id && !state.shown.includes(id));
	const profiles = await mapLimited(ids, PROFILE_WIDTH, async (id) => {
		return await unlessNotFound(async () => await userProfile.call(this, id), NOT_FOUND);
	});
	for (const profile of profiles) {
		const item = profile && entry(profile);
		if (item) results.push(item);
	}
	if (answer.hasMore === true) return { ...state, o: offset + SEARCH_PAGE };
	// A filter that could be part of a userid, without an exact hit: the walk looks for it in userids.
	if (USERID_LIKE.test(needle) && !state.exact) {
		return await walkPage.call(
			this,
			needle,
			{ v: VERSION, mode: 'walk', shown: state.shown, ids: true },
			results,
		);
	}
	return undefined;
}

/** One page of the walk: members department by department, filtered, each once. */
async function walkPage(
	this: ILoadOptionsFunctions,
	needle: string,
	state: UserSearchState,
	results: INodeListSearchItems[],
): Promise<UserSearchState | undefined> {
	const walk = (state.walk as unknown as MemberWalk | undefined) ?? startWalk(1, true);
	const shown = new Set(state.shown);
	const enough = (calls: number) =>
		needle
			? results.length >= SEARCH_PAGE || calls >= FILTERED_WALK_CALLS
			: results.length >= BROWSE_PAGE ||
				calls >= BROWSE_MAX_CALLS ||
				(calls >= BROWSE_CALLS && results.length >= BROWSE_SCREEN);
	for (let calls = 0; !enough(calls) && !walkDone(walk); calls++) {
		for (const member of (await walkStep.call(this, walk)) ?? []) {
			const item = entry(member);
			if (!item || shown.has(item.value as string)) continue;
			const match = state.ids
				? matchesAny(needle, [item.value]) && !matchesAny(needle, [member.name])
				: !needle ||
					matchesAny(needle, [
						member.name,
						item.value,
						member.mobile,
						member.job_number,
						member.email,
					]);
			if (!match) continue;
			results.push(item);
			if (Array.isArray(member.dept_id_list) && member.dept_id_list.length > 1) {
				shown.add(item.value as string);
			}
		}
	}
	return walkDone(walk)
		? undefined
		: {
				v: VERSION,
				mode: 'walk',
				walk: walk as unknown as IDataObject,
				shown: [...shown],
				...(state.ids ? { ids: true } : {}),
			};
}

/**
 * Member picker for organisations of any size: nothing is loaded up front and no page costs more than a bounded
 * number of calls. Without a filter it walks the organisation breadth-first, department by department, 100 members
 * per call, and hands the rest of the walk to the next page in the pagination token. With a filter, a mobile number
 * or a userid is looked up directly, and names go to DingTalk's own search (/v1.0/contact/users/search); a filter that
 * may be part of a userid ("dev") and named no one exactly is then looked for in userids by the walk. An app that may
 * not use that search (no permission, or a relay without it) gets the walk, filtered by name, userid, mobile, job
 * number and email.
 */
export async function searchUsers(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const needle = (filter ?? '').trim();
	const results: INodeListSearchItems[] = [];
	let state = decodeState<UserSearchState>(paginationToken, VERSION);
	if (!state) {
		const hits = needle ? await exactHits.call(this, needle) : [];
		for (const hit of hits) {
			const item = entry(hit);
			if (item) results.push(item);
		}
		state = {
			v: VERSION,
			mode: needle ? 'search' : 'walk',
			shown: results.map((r) => String(r.value)),
			...(hits.length ? { exact: true } : {}),
		};
	}
	const next = await searchOrWalk(
		state,
		async (searching) => await searchPage.call(this, needle, searching, results),
		async (walking) => await walkPage.call(this, needle, walking, results),
	);
	return pageOf(results, next);
}
