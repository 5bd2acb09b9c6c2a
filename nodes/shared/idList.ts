import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

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

/** Reads a list-of-IDs parameter; `numeric` for department and tag IDs. */
export function readIdList(
	this: IExecuteFunctions,
	itemIndex: number,
	parameterName: string,
	label: string,
	numeric = false,
): string[] {
	return idsFrom.call(
		this,
		itemIndex,
		this.getNodeParameter(parameterName, itemIndex, []),
		label,
		numeric,
	);
}

/** IDs from any value `toIdList` reads, checked; `numeric` for department and tag IDs. */
export function idsFrom(
	this: IExecuteFunctions,
	itemIndex: number,
	value: unknown,
	label: string,
	numeric = false,
): string[] {
	const { ids, unreadable } = toIdList(value);
	if (unreadable.length > 0) {
		throw new NodeOperationError(
			this.getNode(),
			`${label}: cannot read ${JSON.stringify(unreadable[0]).slice(0, 80)} as an ID; give IDs as an array or a string separated by | or ,`,
			{ itemIndex },
		);
	}
	if (numeric) {
		const bad = ids.find((id) => !/^\d+$/.test(id));
		if (bad !== undefined) {
			throw new NodeOperationError(
				this.getNode(),
				`${label}: "${bad}" is not a numeric ID: departments and tags are identified by number`,
				{ itemIndex },
			);
		}
	}
	return ids;
}
