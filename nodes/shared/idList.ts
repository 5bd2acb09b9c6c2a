import type { IDataObject } from 'n8n-workflow';

/**
 * Turns a picker value or an expression result into a list of IDs: arrays (nested too), numbers, strings separated by
 * '|' or ',' (also the full-width '，' and line breaks), and objects carrying an ID (`{userid}`, `{userId}`, `{id}`,
 * `{value}` — a resource locator's value too). Duplicates are dropped, order kept.
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
