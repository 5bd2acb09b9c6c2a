import type { IDataObject } from 'n8n-workflow';

/**
 * Turns a picker value or an expression result into a list of IDs: arrays (nested too), numbers, strings separated by
 * '|' or ',' (also the full-width '，' and line breaks), and objects carrying an ID (`{userid}`, `{userId}`, `{id}`,
 * `{value}`). Duplicates are dropped, order kept; what cannot be read as an ID is returned apart so the caller can
 * name it.
 */
export function toIdList(value: unknown): { ids: string[]; unreadable: unknown[] } {
	const ids: string[] = [];
	const unreadable: unknown[] = [];
	const visit = (entry: unknown): void => {
		if (entry === undefined || entry === null || entry === '') return;
		if (Array.isArray(entry)) {
			entry.forEach(visit);
		} else if (typeof entry === 'number' || typeof entry === 'bigint') {
			ids.push(String(entry));
		} else if (typeof entry === 'string') {
			for (const part of entry.split(/[|,，\r\n]/)) {
				if (part.trim() !== '') ids.push(part.trim());
			}
		} else if (typeof entry === 'object') {
			const record = entry as IDataObject;
			const id = record.userid ?? record.userId ?? record.id ?? record.value;
			if (typeof id === 'string' || typeof id === 'number') visit(id);
			else unreadable.push(entry);
		} else {
			unreadable.push(entry);
		}
	};
	visit(value);
	return { ids: [...new Set(ids)], unreadable };
}

/** Cuts a list into slices of at most `size` (none for an empty list): the calls an API's per-call limit asks for. */
export function chunks<T>(list: readonly T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
	return out;
}
