import type { IDataObject } from 'n8n-workflow';

import type { GatheredForm } from '../../../shared/approvalForm';
import { isBlank } from '../../../shared/approvalForm';
import type { ApprovalTemplate, SelectorOption, TemplateControl } from './template';
import {
	contactIsDepartment,
	contactIsMultiple,
	controlLabel,
	enText,
	isAutomatic,
	isRequired,
	optionText,
	zhText,
} from './template';
import { parseTime } from '../../../shared/time';

/** What Submit needs from its surroundings while it turns form fields into `apply_data.contents`. */
export interface FormContext {
	timeZone: string;
	/** Throws the error the user sees. */
	fail(message: string): never;
	/**
	 * A file value for a binary property of the item: checks the property exists and returns the `{file_id}` object
	 * to fill once everything is valid and the file is uploaded.
	 */
	file(propertyName: string, label: string): IDataObject;
}

const NUMBER = /^-?\d+(?:\.\d+)?$/;
// Amounts are kept to the cent.
const MONEY = /^-?\d+(?:\.\d{1,2})?$/;

/** Comma-separated text (Chinese commas too) or a list, as trimmed non-empty strings. */
function listOf(value: unknown): string[] {
	const parts = Array.isArray(value) ? value.map((v) => String(v)) : String(value).split(/[,，]/);
	return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function asText(value: unknown): string {
	return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

function parseJson(value: unknown, label: string, example: string, ctx: FormContext): unknown {
	if (typeof value !== 'string') return value;
	try {
		return JSON.parse(value);
	} catch {
		return ctx.fail(`Form field ${label}: the value is not valid JSON. Give it like ${example}`);
	}
}

function findOption(options: SelectorOption[], token: string): SelectorOption | undefined {
	const lower = token.toLowerCase();
	return (
		options.find((o) => o.key === token) ??
		options.find((o) => o.value.some((v) => v.text === token)) ??
		options.find((o) => o.value.some((v) => v.text.toLowerCase() === lower))
	);
}

function selectorValue(control: TemplateControl, value: unknown, ctx: FormContext): IDataObject {
	const label = controlLabel(control);
	const selector = control.config?.selector ?? {};
	const type = selector.type === 'multi' ? 'multi' : 'single';
	const options = selector.options ?? [];
	// An option whose text contains a comma is still found when it is the whole value.
	const whole = typeof value === 'string' ? findOption(options, value.trim()) : undefined;
	const tokens = whole ? [value as string] : listOf(value);
	const chosen = tokens.map((token) => {
		const option = whole ?? findOption(options, token);
		if (!option) {
			const available = options.map((o) => `${optionText(o)} (${o.key})`).join(', ');
			ctx.fail(
				`Form field ${label}: "${token}" is not one of its options. Use an option's text or key: ${available}`,
			);
		}
		return option;
	});
	if (type === 'single' && chosen.length > 1) {
		ctx.fail(`Form field ${label} takes a single option, got ${chosen.length}: give just one`);
	}
	const keys = [...new Set(chosen.map((o) => o.key))];
	return { selector: { type, options: keys.map((key) => ({ key })) } };
}

function contactValue(control: TemplateControl, value: unknown, ctx: FormContext): IDataObject {
	const label = controlLabel(control);
	const department = contactIsDepartment(control);
	const ids = listOf(value);
	if (!contactIsMultiple(control) && ids.length > 1) {
		ctx.fail(
			`Form field ${label} takes a single ${department ? 'department' : 'member'}, got ${ids.length}: give just one`,
		);
	}
	if (department) {
		const bad = ids.find((id) => !/^\d+$/.test(id));
		if (bad !== undefined) {
			ctx.fail(
				`Form field ${label}: "${bad}" is not a department ID. Pick departments, or give numeric department IDs, comma-separated`,
			);
		}
		return { departments: ids.map((id) => ({ openapi_id: id })) };
	}
	return { members: ids.map((userid) => ({ userid })) };
}

function numericText(control: TemplateControl, value: unknown, ctx: FormContext): string {
	const text = (typeof value === 'number' ? String(value) : String(value).trim()).replace(
		/^\+/,
		'',
	);
	const money = control.property.control === 'Money';
	if (!(money ? MONEY : NUMBER).test(text)) {
		ctx.fail(
			`Form field ${controlLabel(control)}: "${asText(value)}" is not ${money ? 'an amount' : 'a number'}. Give digits with an optional decimal point${money ? ' and at most 2 decimals' : ''}, e.g. 1280.50 (no currency signs or thousands separators)`,
		);
	}
	return text;
}

function tableValue(
	control: TemplateControl,
	value: unknown,
	ctx: FormContext,
	convert: (child: TemplateControl, value: unknown) => IDataObject,
): IDataObject {
	const label = controlLabel(control);
	const example =
		'[{"项目": "机票", "金额": "1200"}] (one object per row, keyed by column title or ID)';
	const parsed = parseJson(value, label, example, ctx);
	if (
		typeof parsed === 'object' &&
		parsed !== null &&
		!Array.isArray(parsed) &&
		'children' in parsed
	) {
		return parsed as IDataObject;
	}
	if (!Array.isArray(parsed)) {
		return ctx.fail(`Form field ${label} needs a list of rows, like ${example}`);
	}
	const columns = (control.config?.table?.children ?? []).filter((c) => !isAutomatic(c));
	const children = parsed.map((row: unknown, r) => {
		if (typeof row !== 'object' || row === null || Array.isArray(row)) {
			return ctx.fail(
				`Form field ${label}: row ${r + 1} is not an object. Give rows like ${example}`,
			);
		}
		const cells = new Map<string, unknown>();
		for (const [key, cell] of Object.entries(row as IDataObject)) {
			const column = findControl(columns, key);
			if (!column) {
				const known = columns.map(controlLabel).join(', ');
				ctx.fail(
					`Form field ${label}: row ${r + 1} has "${key}", which is not a column of the table. Columns: ${known}`,
				);
			}
			cells.set(column.property.id, cell);
		}
		// 附10: "子明细中必须包括模板中设置的全部子控件，如果子明细为空，则需要将所有子控件的值设为空": every column, blanks empty.
		const list = columns.map((column) => {
			const cell = cells.get(column.property.id);
			if (isBlank(cell)) {
				if (isRequired(column)) {
					ctx.fail(
						`Form field ${label}: row ${r + 1} lacks the required column ${controlLabel(column)}`,
					);
				}
				return { ...contentShell(column), value: emptyValue(column) };
			}
			return convert(column, cell);
		});
		return { list };
	});
	if (!children.length) {
		return ctx.fail(`Form field ${label} has no rows: WeCom takes a table with at least one row`);
	}
	return { children };
}

/**
 * A column left blank in a table row. The doc shows the empty text of Text controls; the other shapes follow the
 * empty lists getapprovaldetail shows. A blank Date is written as `{}` (unverified: the doc shows no empty date).
 */
function emptyValue(control: TemplateControl): IDataObject {
	switch (control.property.control) {
		case 'Text':
		case 'Textarea':
			return { text: '' };
		case 'Number':
			return { new_number: '' };
		case 'Money':
			return { new_money: '' };
		case 'Selector':
			return {
				selector: {
					type: control.config?.selector?.type === 'multi' ? 'multi' : 'single',
					options: [],
				},
			};
		case 'Contact':
			return contactIsDepartment(control) ? { departments: [] } : { members: [] };
		case 'File':
			return { files: [] };
		default:
			return {};
	}
}

/** The `value` object WeCom expects for this control type. */
function valueFor(control: TemplateControl, value: unknown, ctx: FormContext): IDataObject {
	const label = controlLabel(control);
	switch (control.property.control) {
		case 'Text': {
			const text = asText(value);
			// 附1: "文本控件Text内容不支持包含换行符".
			if (/[\r\n]/.test(text)) {
				ctx.fail(
					`Form field ${label}: a Text control takes no line breaks (WeCom's rule); remove them, or use a Textarea control`,
				);
			}
			return { text };
		}
		case 'Textarea':
			return { text: asText(value) };
		case 'Number':
			return { new_number: numericText(control, value, ctx) };
		case 'Money':
			return { new_money: numericText(control, value, ctx) };
		case 'Date': {
			const time = parseTime(value, ctx.timeZone);
			if (!time) {
				ctx.fail(
					`Form field ${label}: "${asText(value)}" is not a date. Give an ISO date (2024-03-01), a date and time (2024-03-01 09:30 or 2024-03-01T09:30:00+08:00) or unix seconds`,
				);
			}
			const type = control.config?.date?.type === 'hour' ? 'hour' : 'day';
			return { date: { type, s_timestamp: String(time.seconds) } };
		}
		case 'Selector':
			return selectorValue(control, value, ctx);
		case 'Contact':
			return contactValue(control, value, ctx);
		case 'File':
			return { files: listOf(value).map((property) => ctx.file(property, label)) };
		case 'Table':
			return tableValue(control, value, ctx, (child, cell) => contentFor(child, cell, ctx));
		default: {
			// Location, RelatedApproval, DateRange, ...: rare and varied, so their value object is given as is.
			const parsed = parseJson(
				value,
				label,
				'{"related_approval": [{"sp_no": "202403010001"}]}',
				ctx,
			);
			if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
				return ctx.fail(
					`Form field ${label}: give this control's value object as JSON, e.g. {"related_approval": [{"sp_no": "202403010001"}]}`,
				);
			}
			return parsed as IDataObject;
		}
	}
}

/** What every content entry carries besides its value: the doc's examples give control, id and title. */
function contentShell(control: TemplateControl): IDataObject {
	return {
		control: control.property.control,
		id: control.property.id,
		title: control.property.title ?? [],
	};
}

function contentFor(control: TemplateControl, value: unknown, ctx: FormContext): IDataObject {
	return { ...contentShell(control), value: valueFor(control, value, ctx) };
}

/** A control by ID, or by its title (Chinese or English) for people who write expressions. */
export function findControl(
	controls: TemplateControl[],
	idOrTitle: string,
): TemplateControl | undefined {
	const wanted = idOrTitle.trim();
	return (
		controls.find((c) => c.property.id === wanted) ??
		controls.find((c) => zhText(c.property.title) === wanted || enText(c.property.title) === wanted)
	);
}

function templateName(template: ApprovalTemplate): string {
	return zhText(template.names) || template.templateId;
}

function requireAll(
	template: ApprovalTemplate,
	filled: Set<string>,
	ctx: FormContext,
	how: string,
): void {
	const missing = template.controls.filter((c) => isRequired(c) && !filled.has(c.property.id));
	if (missing.length > 0) {
		ctx.fail(
			`Missing required control${missing.length > 1 ? 's' : ''} of template "${templateName(template)}": ${missing.map(controlLabel).join(', ')}. ${how}`,
		);
	}
}

/**
 * `apply_data.contents` from the form editor (its values gathered by control id; keys that name no field of the
 * template as it is now are looked up by ID or title), in the template's order. Everything is checked against the
 * template here, before anything is uploaded or submitted.
 */
export function contentsFromFields(
	template: ApprovalTemplate,
	gathered: GatheredForm,
	ctx: FormContext,
): IDataObject[] {
	const given = new Map<string, unknown>();
	for (const [id, value] of gathered.values) {
		if (!isBlank(value)) given.set(id, value);
	}
	for (const [key, value] of gathered.unknown) {
		const control = findControl(template.controls, key);
		if (!control) {
			const known = template.controls
				.map((c) => `${controlLabel(c)} = ${c.property.id}`)
				.join(', ');
			ctx.fail(
				`Form field "${key}" is not a control of template "${templateName(template)}" (it may have been renamed: refresh the form fields). The template has: ${known}`,
			);
		}
		if (given.has(control.property.id)) {
			ctx.fail(`Form field ${controlLabel(control)} is given twice: keep one value for it`);
		}
		given.set(control.property.id, value);
	}
	requireAll(
		template,
		new Set(given.keys()),
		ctx,
		'Fill them under Form Fields (tables under Table Rows, people and departments under People and Departments)',
	);
	return template.controls
		.filter((control) => given.has(control.property.id))
		.map((control) => contentFor(control, given.get(control.property.id), ctx));
}

/**
 * `apply_data.contents` given as JSON: taken as written, with `control` filled in from the template where it is
 * left out, and checked for unknown and missing controls.
 */
export function contentsFromJson(
	template: ApprovalTemplate,
	json: unknown,
	ctx: FormContext,
): IDataObject[] {
	const example = '[{"control": "Text", "id": "Text-1700000000001", "value": {"text": "..."}}]';
	let parsed = json;
	if (typeof parsed === 'string') {
		try {
			parsed = JSON.parse(parsed);
		} catch {
			return ctx.fail(
				`Contents (JSON) is not valid JSON: give apply_data.contents, like ${example}`,
			);
		}
	}
	if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
		const holder = parsed as IDataObject;
		parsed = (holder.apply_data as IDataObject | undefined)?.contents ?? holder.contents;
	}
	if (!Array.isArray(parsed)) {
		return ctx.fail(`Contents (JSON) must be the list apply_data.contents, like ${example}`);
	}
	const seen = new Set<string>();
	const contents = parsed.map((entry: unknown, index) => {
		const item = entry as IDataObject;
		if (typeof entry !== 'object' || entry === null || typeof item.id !== 'string') {
			return ctx.fail(
				`Contents (JSON): entry ${index + 1} has no "id". Each entry looks like ${example}`,
			);
		}
		const control = template.controls.find((c) => c.property.id === item.id);
		if (!control) {
			const known = template.controls
				.map((c) => `${controlLabel(c)} = ${c.property.id}`)
				.join(', ');
			return ctx.fail(
				`Contents (JSON): "${item.id}" is not a control of template "${templateName(template)}". Use the control IDs of the template: ${known}`,
			);
		}
		if (typeof item.value !== 'object' || item.value === null || Array.isArray(item.value)) {
			return ctx.fail(
				`Contents (JSON): ${controlLabel(control)} needs a "value" object, like ${example}`,
			);
		}
		if (item.control !== undefined && item.control !== control.property.control) {
			return ctx.fail(
				`Contents (JSON): ${controlLabel(control)} is given as control "${String(item.control)}": use "${control.property.control}"`,
			);
		}
		seen.add(item.id);
		return { control: control.property.control, ...item };
	});
	requireAll(template, seen, ctx, 'Add them to Contents (JSON)');
	return contents;
}
