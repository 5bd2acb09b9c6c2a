import type { IDataObject } from 'n8n-workflow';

import type { FormControl } from './controls';
import { findColumn, mapperFields } from './controls';

/** What the form editor holds for one item. */
export interface FormInput {
	/** The resource mapper's values, read with skipValidation: its field types choose the editor's inputs only. */
	fields: IDataObject;
	/** Table Rows (`tableRows.rows`). */
	rows: unknown;
	/** People and Departments (`formPeople.entries`). */
	people: unknown;
}

export interface GatheredForm {
	/** The value of each control given, by control id, in a shape each platform's formatter reads. */
	values: Map<string, unknown>;
	/** Form Fields keys that name no field of the form as it is now: left to the platform (older keys, renamed ones). */
	unknown: Array<[string, unknown]>;
}

export function isBlank(value: unknown): boolean {
	return (
		value === undefined ||
		value === null ||
		(typeof value === 'string' && value.trim() === '') ||
		(Array.isArray(value) && value.length === 0)
	);
}

/** The value of a resource locator ({__rl, mode, value}) or of a plain parameter. */
function locatorValue(value: unknown): unknown {
	return value !== null && typeof value === 'object' && !Array.isArray(value) && 'value' in value
		? (value as { value: unknown }).value
		: value;
}

/** A list from an array, JSON array text or comma-separated text. */
function asList(value: unknown): unknown[] {
	if (isBlank(value)) return [];
	if (Array.isArray(value)) return value;
	if (typeof value === 'string') {
		const text = value.trim();
		if (text.startsWith('[')) {
			try {
				const parsed = JSON.parse(text) as unknown;
				if (Array.isArray(parsed)) return parsed;
			} catch {
				// Not JSON: read as comma-separated below.
			}
		}
		return text
			.split(/[,，\n]/)
			.map((part) => part.trim())
			.filter((part) => part !== '');
	}
	return [value];
}

function entriesOf(value: unknown): IDataObject[] {
	return Array.isArray(value)
		? value.filter((v): v is IDataObject => v !== null && typeof v === 'object')
		: [];
}

interface CellEntry {
	column?: unknown;
	text?: unknown;
	number?: unknown;
	date?: unknown;
	start?: unknown;
	end?: unknown;
	option?: unknown;
	options?: unknown;
	user?: unknown;
	department?: unknown;
}

function cellValue(input: string, cell: CellEntry): unknown {
	switch (input) {
		case 'number':
			return cell.number;
		case 'date':
			return cell.date;
		case 'range':
			return isBlank(cell.start) && isBlank(cell.end) ? undefined : [cell.start, cell.end];
		case 'select':
			return cell.option;
		case 'multi':
			return cell.options;
		case 'user':
			return locatorValue(cell.user);
		case 'dept':
			return locatorValue(cell.department);
		default:
			return cell.text;
	}
}

/** Table Rows as rows per table: each row an object keyed by column id. */
function rowsByTable(
	controls: FormControl[],
	rows: unknown,
	fail: (message: string) => never,
): Map<string, IDataObject[]> {
	const byTable = new Map<string, IDataObject[]>();
	entriesOf(rows).forEach((row, r) => {
		const cells = entriesOf((row.cells as IDataObject | undefined)?.cell) as CellEntry[];
		if (!cells.length)
			fail(`Table Rows: row ${r + 1} has no cells: add a cell per column, or remove the row`);
		let table: FormControl | undefined;
		const out: IDataObject = {};
		cells.forEach((cell, c) => {
			if (isBlank(cell.column)) {
				fail(
					`Table Rows: row ${r + 1}, cell ${c + 1} has no column picked: pick one, or remove the cell`,
				);
			}
			const found = findColumn(controls, cell.column);
			if (!found) {
				fail(
					`Table Rows: row ${r + 1}, cell ${c + 1} names a column that is not in the form (it may have been changed): pick the column again`,
				);
			}
			if (table && table !== found.table) {
				fail(
					`Table Rows: row ${r + 1} has cells of two tables (${table.title}, ${found.table.title}): one row belongs to one table`,
				);
			}
			table = found.table;
			if (found.column.id in out) {
				fail(
					`Table Rows: row ${r + 1} gives the column ${found.column.title} twice: keep one cell for it`,
				);
			}
			const value = cellValue(String(cell.column).split('|')[0], cell);
			if (!isBlank(value)) out[found.column.id] = value as IDataObject[string];
		});
		if (!table) return;
		const list = byTable.get(table.id) ?? [];
		list.push(out);
		byTable.set(table.id, list);
	});
	return byTable;
}

/** Rows typed as JSON (or given by an expression) in a table's Form Fields entry. */
function typedRows(
	control: FormControl,
	value: unknown,
	fail: (message: string) => never,
): unknown[] {
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value) as unknown;
		} catch {
			fail(
				`Form field ${control.title}: the rows are not valid JSON; give a list of rows, or add the rows under Table Rows`,
			);
		}
	}
	if (!Array.isArray(parsed)) {
		fail(
			`Form field ${control.title}: rows given here and under Table Rows are added together, so give a list of rows here`,
		);
	}
	return parsed;
}

/**
 * The value of each control from the three places the editor keeps a form: Form Fields (one entry per component, a
 * date range's two ends, a multi-select's switches), Table Rows and People and Departments. Values given in two
 * places add up (rows, people); nothing is formatted here.
 */
export function gatherForm(
	controls: FormControl[],
	input: FormInput,
	fail: (message: string) => never,
): GatheredForm {
	const fields = new Map(mapperFields(controls).map((f) => [f.field.id, f]));
	const byId = new Map(controls.map((c) => [c.id, c]));
	const whole = new Map<string, unknown>();
	const starts = new Map<string, unknown>();
	const ends = new Map<string, unknown>();
	const chosen = new Map<string, string[]>();
	const unknown: Array<[string, unknown]> = [];

	for (const [key, value] of Object.entries(input.fields ?? {})) {
		const field = fields.get(key);
		if (!field) {
			if (!isBlank(value)) unknown.push([key, value]);
			continue;
		}
		const { control, target } = field;
		if (target.part === 'option') {
			if (value === true || value === 'true') {
				chosen.set(control.id, [...(chosen.get(control.id) ?? []), target.option.value]);
			}
		} else if (!isBlank(value)) {
			const into = target.part === 'start' ? starts : target.part === 'end' ? ends : whole;
			into.set(control.id, value);
		}
	}

	const people = new Map<string, unknown[]>();
	entriesOf(input.people).forEach((entry, index) => {
		if (isBlank(entry.field)) {
			fail(
				`People and Departments: entry ${index + 1} has no form field picked: pick one, or remove the entry`,
			);
		}
		const [kind, id] = String(entry.field).split('|');
		const control = byId.get(id);
		if (!control || (control.kind !== 'contact' && control.kind !== 'department')) {
			fail(
				`People and Departments: entry ${index + 1} names a field that is not in the form (it may have been changed): pick the field again`,
			);
		}
		const picked = asList(locatorValue(kind === 'dept' ? entry.department : entry.user));
		people.set(control.id, [...(people.get(control.id) ?? []), ...picked]);
	});

	const tableRows = rowsByTable(controls, input.rows, fail);
	const values = new Map<string, unknown>();
	for (const control of controls) {
		const given = whole.get(control.id);
		switch (control.kind) {
			case 'dateRange': {
				const start = starts.get(control.id);
				const end = ends.get(control.id);
				if (start === undefined && end === undefined) break;
				// One entry holding both ends (a list, or "start, end" text) is the whole range.
				const bothInStart =
					end === undefined &&
					(Array.isArray(start) || (typeof start === 'string' && /[,，~～]/.test(start)));
				values.set(control.id, bothInStart ? start : [start ?? '', end ?? '']);
				break;
			}
			case 'multiSelect': {
				const list = [...(chosen.get(control.id) ?? []), ...asList(given)];
				if (list.length) values.set(control.id, list);
				break;
			}
			case 'contact':
			case 'department': {
				const list = [...asList(given), ...(people.get(control.id) ?? [])];
				if (list.length) values.set(control.id, list);
				break;
			}
			case 'table': {
				const rows = tableRows.get(control.id) ?? [];
				if (!rows.length) {
					if (given !== undefined) values.set(control.id, given);
				} else {
					values.set(
						control.id,
						given === undefined ? rows : [...typedRows(control, given, fail), ...rows],
					);
				}
				break;
			}
			default:
				if (given !== undefined) values.set(control.id, given);
		}
	}
	return { values, unknown };
}
