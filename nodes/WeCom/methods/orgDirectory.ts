import type { IDataObject, ILoadOptionsFunctions } from 'n8n-workflow';

import { credentialFingerprint } from '../../shared/accessToken';
import { weComTokenOwner } from '../accessToken';
import { CREDENTIAL_TYPE, weComApiRequest } from '../transport';

/**
 * The members, departments and tags an app can see, as the pickers show them: loaded once, sorted once, then kept for
 * a short while per app (keyed by the credential's fingerprint, never its secret). A picker is opened, scrolled and
 * searched many times in a minute; without this each page and each keystroke fetched the whole organisation again
 * (two WeCom calls and every member, ~0.3 s at 10,000 members). What is kept is names and ids only.
 */
const TTL_MS = 2 * 60 * 1000;

/** Apps (credentials) kept at once; the oldest goes first. */
const MAX_APPS = 16;

/** Pinyin order for Chinese names, natural order for digits, as WeCom's own contact list sorts. */
const collator = new Intl.Collator('zh-CN', { numeric: true, sensitivity: 'base' });

export interface DirectoryEntry {
	name: string;
	value: string;
	/** Lower-cased name, id and other keys (English name, userid), searched by the pickers. */
	haystack: string;
}

type Kind = 'users' | 'departments' | 'tags';

interface Slot {
	expiresAt: number;
	entries: Promise<DirectoryEntry[]>;
}

const slots = new Map<string, Slot>();

/** Forgets every kept directory (tests; a changed organisation shows within TTL_MS anyway). */
export function clearOrgDirectory(): void {
	slots.clear();
}

function entry(name: string, value: string, keys: string[]): DirectoryEntry {
	return { name, value, haystack: [name, value, ...keys].join('\u0000').toLowerCase() };
}

function sorted(entries: DirectoryEntry[]): DirectoryEntry[] {
	return entries.sort((a, b) => collator.compare(a.name, b.name) || a.value.localeCompare(b.value));
}

function listOf(answer: IDataObject, field: string): IDataObject[] {
	const value = answer[field];
	return Array.isArray(value) ? (value as IDataObject[]) : [];
}

interface VisibleDepartment {
	id: number;
	name: string;
	name_en: string;
	parentid: number;
	path: string;
}

/**
 * department/list without an id answers every department in the app's visibility scope, with names (simplelist has
 * none). A department's path stops at the highest department the app can see: its parents may be outside the scope.
 */
async function loadDepartments(this: ILoadOptionsFunctions): Promise<VisibleDepartment[]> {
	const answer = await weComApiRequest.call(this, {
		method: 'GET',
		path: '/cgi-bin/department/list',
	});
	const byId = new Map<number, IDataObject>();
	for (const department of listOf(answer, 'department'))
		byId.set(Number(department.id), department);
	const paths = new Map<number, string>();
	const pathOf = (id: number): string => {
		const known = paths.get(id);
		if (known !== undefined) return known;
		const names: string[] = [];
		const seen = new Set<number>();
		for (let current = byId.get(id); current && !seen.has(Number(current.id)); ) {
			seen.add(Number(current.id));
			names.unshift(String(current.name ?? current.id));
			current = byId.get(Number(current.parentid));
		}
		const path = names.join(' / ');
		paths.set(id, path);
		return path;
	};
	return [...byId.values()].map((department) => {
		const id = Number(department.id);
		return {
			id,
			name: String(department.name ?? id),
			name_en: String(department.name_en ?? ''),
			parentid: Number(department.parentid),
			path: pathOf(id),
		};
	});
}

/**
 * Members with names. user/list_id would be the cheapest call but carries no names, and user/list sends whole
 * profiles (whose sensitive fields apps created after 2022-06-20 no longer get anyway). user/simplelist gives userid +
 * name to self-built apps old and new. It is asked once per top-most visible department with fetch_child=1 instead of
 * once for the root, because the root is often outside a newer app's visibility scope (60011). An app that sees
 * members but no department falls back to user/list_id: userids without names beat an empty picker.
 */
async function loadUsers(this: ILoadOptionsFunctions): Promise<DirectoryEntry[]> {
	const departments = await loadDepartments.call(this);
	const visibleIds = new Set(departments.map((d) => d.id));
	const tops = departments.filter((d) => !visibleIds.has(d.parentid));
	const users = new Map<string, DirectoryEntry>();
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
			users.set(
				userid,
				entry(name && name !== userid ? `${name} (${userid})` : userid, userid, [name]),
			);
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
				if (userid && !users.has(userid)) users.set(userid, entry(userid, userid, []));
			}
			const next = typeof answer.next_cursor === 'string' ? answer.next_cursor : '';
			// A cursor that comes back would page forever.
			cursor = next && next !== cursor ? next : '';
		} while (cursor);
	}
	return sorted([...users.values()]);
}

async function loadDepartmentEntries(this: ILoadOptionsFunctions): Promise<DirectoryEntry[]> {
	const departments = await loadDepartments.call(this);
	return sorted(departments.map((d) => entry(d.path, String(d.id), [d.name, d.name_en])));
}

async function loadTags(this: ILoadOptionsFunctions): Promise<DirectoryEntry[]> {
	const answer = await weComApiRequest.call(this, { method: 'GET', path: '/cgi-bin/tag/list' });
	return sorted(
		listOf(answer, 'taglist').map((tag) =>
			entry(String(tag.tagname ?? tag.tagid), String(tag.tagid), [String(tag.tagname ?? '')]),
		),
	);
}

const LOADERS: Record<Kind, (this: ILoadOptionsFunctions) => Promise<DirectoryEntry[]>> = {
	users: loadUsers,
	departments: loadDepartmentEntries,
	tags: loadTags,
};

/** The sorted entries of one kind for the credential in use: kept for TTL_MS, shared by concurrent callers. */
export async function directory(
	this: ILoadOptionsFunctions,
	kind: Kind,
): Promise<DirectoryEntry[]> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const key = `${credentialFingerprint(weComTokenOwner(credentials))}\u0000${kind}`;
	const now = Date.now();
	const kept = slots.get(key);
	if (kept && kept.expiresAt > now) return await kept.entries;
	for (const [k, slot] of slots) if (slot.expiresAt <= now) slots.delete(k);
	while (slots.size >= MAX_APPS * 3) slots.delete(slots.keys().next().value as string);
	const entries = LOADERS[kind].call(this);
	const slot: Slot = { expiresAt: now + TTL_MS, entries };
	slots.set(key, slot);
	// A failed load is not kept: the next open tries again (and shows its own error).
	entries.catch(() => {
		if (slots.get(key) === slot) slots.delete(key);
	});
	return await entries;
}

/** Entries whose name, id or keys contain `filter` (case-insensitive), in the directory's order. */
export function matching(entries: DirectoryEntry[], filter?: string): DirectoryEntry[] {
	const needle = (filter ?? '').trim().toLowerCase();
	return needle ? entries.filter((e) => e.haystack.includes(needle)) : entries;
}
