import type { INodePropertyOptions, ResourceMapperField } from 'n8n-workflow';

/**
 * An approval form's component (DingTalk) or a template's control (WeCom) as the form editor needs it: what kind of
 * input it takes, never how the platform wants the value written (that stays with each platform's formatter).
 */
export type ControlKind =
	| 'text'
	| 'number'
	| 'date'
	| 'dateRange'
	| 'select'
	| 'multiSelect'
	| 'contact'
	| 'department'
	| 'table'
	/** Files: names of binary properties of the input item. */
	| 'files'
	/** A value the platform wants as an object, given as JSON (WeCom's rarer controls). */
	| 'json';

export interface ControlOption {
	/** What the formatter is given for this option (DingTalk: the text it sends; WeCom: the option key). */
	value: string;
	/** What people read. */
	name: string;
}

export interface FormControl {
	/** The platform's id of the component (DingTalk props.id, WeCom property.id). */
	id: string;
	/** The name older workflows and expressions use as key: the label (DingTalk: the start label of a range). */
	name: string;
	/** What people read: "报销金额" or "开始时间 ~ 结束时间". */
	title: string;
	/** English kind shown beside the title: "Money", "Date Range". */
	typeName: string;
	kind: ControlKind;
	required: boolean;
	/** How a value is written where the field is plain text ("1280.50", "省, 市, 区"). */
	hint?: string;
	options?: ControlOption[];
	/** Contact and department: several allowed. */
	multiple?: boolean;
	/** Date range: the titles of its two ends. */
	rangeTitles?: [string, string];
	/** Table: its columns. */
	columns?: FormControl[];
}

/** Which part of a control a Form Fields entry fills. */
export type FieldPart =
	| { part: 'value' }
	| { part: 'start' }
	| { part: 'end' }
	| { part: 'option'; option: ControlOption };

export interface MapperField {
	field: ResourceMapperField;
	control: FormControl;
	target: FieldPart;
}

const WHERE_PEOPLE = 'or pick them under People and Departments';

/** `报销金额 (Money, required)`, `附件 (Attachment: names of binary properties)`; n8n cuts labels at about 40 characters. */
function displayName(control: FormControl, detail?: string, title = control.title): string {
	const required = control.required ? ', required' : '';
	return `${title} (${control.typeName}${required}${detail ? `: ${detail}` : ''})`;
}

/**
 * The Form Fields (resource mapper) of a form, and which control (and part of it) each fills. Keys are the control's
 * name where it is unique, else its id, so workflows saved with label keys keep working. Every key is unique.
 *
 * n8n 2.41's resource mapper keeps only strings, numbers and booleans (its editor drops arrays), so a multi-select is
 * one switch per option; a date range is two date pickers; people, departments and table rows have their own
 * collections (pickers and per-row columns), their text fields here being hidden unless required.
 */
export function mapperFields(controls: FormControl[]): MapperField[] {
	const taken = new Set<string>();
	const claim = (wanted: string, fallback: string): string => {
		let key = wanted !== '' && !taken.has(wanted) ? wanted : fallback;
		for (let n = 2; taken.has(key); n++) key = `${fallback} ${n}`;
		taken.add(key);
		return key;
	};
	const out: MapperField[] = [];
	const push = (
		control: FormControl,
		target: FieldPart,
		id: string,
		field: Partial<ResourceMapperField> & { displayName: string },
	) => {
		out.push({
			control,
			target,
			field: {
				id,
				defaultMatch: false,
				canBeUsedToMatch: false,
				display: true,
				required: false,
				type: 'string',
				...field,
			},
		});
	};
	for (const control of controls) {
		const key = claim(control.name, control.id);
		switch (control.kind) {
			case 'number':
				push(control, { part: 'value' }, key, {
					displayName: displayName(control),
					required: control.required,
					type: 'number',
				});
				break;
			case 'date':
				push(control, { part: 'value' }, key, {
					displayName: displayName(control),
					required: control.required,
					type: 'dateTime',
				});
				break;
			case 'dateRange': {
				// Each end under its own label ("开始时间 (Date Range start)"): the two must not look alike in the editor.
				const [startTitle, endTitle] = control.rangeTitles ?? [
					`${control.title} start`,
					`${control.title} end`,
				];
				push(control, { part: 'start' }, key, {
					displayName: displayName(
						{ ...control, typeName: `${control.typeName} start` },
						undefined,
						startTitle,
					),
					required: control.required,
					type: 'dateTime',
				});
				push(control, { part: 'end' }, claim(endTitle, `${control.id} end`), {
					displayName: displayName(
						{ ...control, typeName: `${control.typeName} end` },
						undefined,
						endTitle,
					),
					required: control.required,
					type: 'dateTime',
				});
				break;
			}
			case 'select':
				push(control, { part: 'value' }, key, {
					displayName: displayName(control),
					required: control.required,
					type: 'options',
					options: (control.options ?? []).map(
						(o): INodePropertyOptions => ({ name: o.name, value: o.value }),
					),
				});
				break;
			case 'multiSelect':
				for (const option of control.options ?? []) {
					push(
						control,
						{ part: 'option', option },
						claim(`${key} › ${option.name}`, `${control.id} › ${option.value}`),
						{
							displayName: `${control.title}: ${option.name} (${control.typeName}${control.required ? ', pick at least one' : ''})`,
							type: 'boolean',
						},
					);
				}
				// For expressions: the whole choice as a list, hidden until added.
				push(control, { part: 'value' }, key, {
					displayName: displayName(control, 'the chosen options as a list or an expression'),
					removed: true,
				});
				break;
			case 'contact':
				push(control, { part: 'value' }, key, {
					displayName: displayName(control, `userids, ${WHERE_PEOPLE}`),
					removed: !control.required,
				});
				break;
			case 'department':
				push(control, { part: 'value' }, key, {
					displayName: displayName(control, `department IDs, ${WHERE_PEOPLE}`),
					removed: !control.required,
				});
				break;
			case 'table':
				push(control, { part: 'value' }, key, {
					displayName: displayName(
						control,
						'rows as JSON or an expression, or add them under Table Rows',
					),
					removed: !control.required,
				});
				break;
			default:
				push(control, { part: 'value' }, key, {
					displayName: displayName(control, control.hint),
					required: control.required,
				});
		}
	}
	return out;
}

/** A Table Rows cell's column value: `<input>|<table id>|<column id>`; the input names the cell field shown. */
export type CellInput = 'text' | 'number' | 'date' | 'range' | 'select' | 'multi' | 'user' | 'dept';

const CELL_INPUT: Record<ControlKind, CellInput> = {
	text: 'text',
	files: 'text',
	json: 'text',
	table: 'text',
	number: 'number',
	date: 'date',
	dateRange: 'range',
	select: 'select',
	multiSelect: 'multi',
	contact: 'user',
	department: 'dept',
};

export function cellInputOf(control: FormControl): CellInput {
	return CELL_INPUT[control.kind];
}

/** The columns of every table of the form, for a cell's Column list. */
export function columnChoices(controls: FormControl[]): INodePropertyOptions[] {
	const tables = controls.filter((c) => c.kind === 'table');
	return tables.flatMap((table) =>
		(table.columns ?? []).map((column) => ({
			name: `${tables.length > 1 ? `${table.title} › ` : ''}${column.title} (${column.typeName}${column.required ? ', required' : ''})`,
			value: `${cellInputOf(column)}|${table.id}|${column.id}`,
			...(column.hint ? { description: column.hint } : {}),
		})),
	);
}

/** The table and column a cell's Column value names. */
export function findColumn(
	controls: FormControl[],
	value: unknown,
): { table: FormControl; column: FormControl } | undefined {
	const [, tableId, ...rest] = String(value ?? '').split('|');
	const columnId = rest.join('|');
	const table = controls.find((c) => c.kind === 'table' && c.id === tableId);
	const column = table?.columns?.find((c) => c.id === columnId);
	return table && column ? { table, column } : undefined;
}

/** A select column's options, for the cell's Option list. */
export function columnOptionChoices(
	controls: FormControl[],
	columnValue: unknown,
): INodePropertyOptions[] {
	const found = findColumn(controls, columnValue);
	return (found?.column.options ?? []).map((o) => ({ name: o.name, value: o.value }));
}

/** The contact and department controls, for an entry's Form Field list under People and Departments. */
export function peopleChoices(controls: FormControl[]): INodePropertyOptions[] {
	return controls
		.filter((c) => c.kind === 'contact' || c.kind === 'department')
		.map((c) => ({
			name: `${c.title} (${c.typeName}${c.multiple ? ', several' : ', one'}${c.required ? ', required' : ''})`,
			value: `${cellInputOf(c)}|${c.id}`,
		}));
}
