import type { IDataObject } from 'n8n-workflow';

import type { ApprovalTemplate, SelectorOption, TemplateControl } from './template';
import { controlLabel, enText, isRequired, optionText, zhText } from './template';
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

export interface FormField {
	control: string;
	value: unknown;
}

const NUMBER = /^-?\d+(?:\.\d+)?$/;
// Amounts are kept to the cent.
const MONEY = /^-?\d+(?:\.\d{1,2})?$/;

function isBlank(value: unknown): boolean {
	return (
		value === undefined ||
		value === null ||
		(typeof value === 'string' && value.trim() === '') ||
		(Array.isArray(value) && value.length === 0)
	);
}

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
	const contact = control.config?.contact ?? {};
	const ids = listOf(value);
	if (contact.mode !== 'multi' && ids.length > 1) {
		ctx.fail(
			`Form field ${label} takes a single ${contact.type === 'department' ? 'department' : 'member'}, got ${ids.length}: give just one`,
		);
	}
	if (contact.type === 'department') {
		const bad = ids.find((id) => !/^\d+$/.test(id));
		if (bad !== undefined) {
			ctx.fail(
				`Form field ${label}: "${bad}" is not a department ID. Give numeric department IDs, comma-separated`,
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
	const columns = control.config?.table?.children ?? [];
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
		const list = columns.flatMap((column) => {
			const cell = cells.get(column.property.id);
			if (isBlank(cell)) {
				if (isRequired(column)) {
					ctx.fail(
						`Form field ${label}: row ${r + 1} lacks the required column ${controlLabel(column)}`,
					);
				}
				return [];
			}
			return [convert(column, cell)];
		});
		return { list };
	});
	return { children };
}

/** The `value` object WeCom expects for this control type. */
function valueFor(control: TemplateControl, value: unknown, ctx: FormContext): IDataObject {
	const label = controlLabel(control);
	switch (control.property.control) {
		case 'Text':
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

function contentFor(control: TemplateControl, value: unknown, ctx: FormContext): IDataObject {
	return {
		control: control.property.control,
		id: control.property.id,
		title: control.property.title ?? [],
		value: valueFor(control, value, ctx),
	};
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
 * `apply_data.contents` from the Form Fields, in the template's order. Everything is checked against the template
 * here, before anything is uploaded or submitted.
 */
export function contentsFromFields(
	template: ApprovalTemplate,
	fields: FormField[],
	ctx: FormContext,
): IDataObject[] {
	const given = new Map<string, unknown>();
	for (const [index, field] of fields.entries()) {
		if (String(field.control ?? '').trim() === '') {
			ctx.fail(`Form field ${index + 1} has no control picked: pick one, or remove the entry`);
		}
		const control = findControl(template.controls, String(field.control ?? ''));
		if (!control) {
			const known = template.controls
				.map((c) => `${controlLabel(c)} = ${c.property.id}`)
				.join(', ');
			ctx.fail(
				`Form field "${String(field.control ?? '')}" is not a control of template "${templateName(template)}". Pick the control from the list; the template has: ${known}`,
			);
		}
		const id = control.property.id;
		if (given.has(id)) {
			ctx.fail(`Form field ${controlLabel(control)} is given twice: keep one entry for it`);
		}
		given.set(id, field.value);
	}
	for (const [id, value] of given) {
		if (isBlank(value)) given.delete(id);
	}
	requireAll(template, new Set(given.keys()), ctx, 'Add them under Form Fields with a value');
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
