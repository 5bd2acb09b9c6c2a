import type { IDataObject } from 'n8n-workflow';

import type { GatheredForm } from '../../../shared/approvalForm';
import { isBlank } from '../../../shared/approvalForm';
import { formatWallClock, parseTime, WALL_CLOCK_PATTERN } from '../../../shared/time';
import type { ApprovalForm } from './form';
import { asText, textList } from './fields';
import type { FormComponent, SelectOption } from './components';
import {
	dateFormatOf,
	describeComponent,
	flattenComponents,
	isRequired,
	labelsOf,
	nameOf,
	notSubmittableReason,
	optionsOf,
	titleOf,
} from './components';

/** DingTalk's limit for one value, and for the rows of a table. */
export const MAX_VALUE_LENGTH = 65535;
export const MAX_TABLE_ROWS = 100;

/** Files of an attachment component, filled in once every value is valid and the files are uploaded. */
export class AttachmentSlot {
	files: IDataObject[] = [];

	constructor(
		readonly properties: string[],
		readonly label: string,
	) {}
}

interface Cell {
	name: string;
	value: WireValue;
}

/** A value on its way to DingTalk: text, files still to upload, or the rows of a table. */
export type WireValue = string | AttachmentSlot | Cell[][];

export interface PendingValue {
	/** The component's id: sent beside the name, as DingTalk's SDK samples do, so no label can be mistaken. */
	id?: string;
	name: string;
	value: WireValue;
	/** Extra keys given in JSON mode (id, componentType, extValue, ...), sent as written. */
	extra?: IDataObject;
}

/** What turning form fields into `formComponentValues` needs from its surroundings. */
export interface FormContext {
	timeZone: string;
	/** Throws the error the user sees. */
	fail(message: string): never;
	/** Registers files to upload for an attachment component; binary properties are checked here. */
	attachment(properties: string[], label: string): AttachmentSlot;
}

const NUMBER = /^-?\d+(?:\.\d+)?$/;
const USER_ID = /^[A-Za-z0-9_.@$-]+$/;
const DEPARTMENT_ID = /^-?\d{1,19}$/;

function findOption(options: SelectOption[], token: string): SelectOption | undefined {
	const lower = token.toLowerCase();
	return (
		options.find((o) => o.text === token) ??
		options.find((o) => o.key === token) ??
		options.find((o) => o.text.toLowerCase() === lower)
	);
}

function chooseOptions(
	component: FormComponent,
	value: unknown,
	ctx: FormContext,
	single: boolean,
): string[] {
	const label = describeComponent(component);
	const options = optionsOf(component);
	// An option whose text contains a comma is still found when it is the whole value.
	const whole = typeof value === 'string' ? findOption(options, value.trim()) : undefined;
	const tokens = whole ? [whole.text] : textList(value);
	const chosen = tokens.map((token) => {
		const option = options.length ? findOption(options, token) : { key: token, text: token };
		if (!option) {
			ctx.fail(
				`Form field ${label}: "${token}" is not one of its options. Use one of: ${options.map((o) => o.text).join(', ')}`,
			);
		}
		return option.text;
	});
	if (single && chosen.length > 1) {
		ctx.fail(`Form field ${label} takes one option, got ${chosen.length}: give just one`);
	}
	return [...new Set(chosen)];
}

function numericText(component: FormComponent, value: unknown, ctx: FormContext): string {
	const text = (typeof value === 'number' ? String(value) : String(value).trim()).replace(
		/^\+/,
		'',
	);
	if (!NUMBER.test(text)) {
		ctx.fail(
			`Form field ${describeComponent(component)}: "${asText(value)}" is not a number. Give digits with an optional decimal point, e.g. 1280.50 (no currency signs, units or thousands separators)`,
		);
	}
	return text;
}

function dateText(component: FormComponent, value: unknown, ctx: FormContext): string {
	const format = dateFormatOf(component);
	const label = describeComponent(component);
	// A format we cannot write (e.g. with a half-day "a"): the text is taken as already written in it.
	if (!WALL_CLOCK_PATTERN.test(format)) {
		if (typeof value === 'string' && value.trim() !== '') return value.trim();
		ctx.fail(
			`Form field ${label}: the form's date format is "${format}"; give the value as text already written in that format`,
		);
	}
	const time = parseTime(value, ctx.timeZone);
	if (!time) {
		ctx.fail(
			`Form field ${label}: "${asText(value)}" is not a date. Give 2026-07-27, 2026-07-27 09:30, an ISO date-time or an expression such as {{ $now }}; it is sent as ${format}`,
		);
	}
	return formatWallClock(time.seconds, ctx.timeZone, format);
}

function dateRangeText(component: FormComponent, value: unknown, ctx: FormContext): string {
	const label = describeComponent(component);
	let parts: unknown[];
	if (Array.isArray(value)) parts = value;
	else if (typeof value === 'string' && value.trim().startsWith('[')) parts = textList(value);
	else parts = String(value).split(/\s*(?:,|，|~|～|\bto\b)\s*/);
	parts = parts.filter((p) => !isBlank(p));
	if (parts.length !== 2) {
		ctx.fail(
			`Form field ${label} needs a start and an end, got ${parts.length} value${parts.length === 1 ? '' : 's'}. Give ["2026-07-27","2026-07-30"] or "2026-07-27, 2026-07-30"`,
		);
	}
	const [start, end] = parts.map((part) => dateText(component, part, ctx));
	const [from, to] = parts.map((part) => parseTime(part, ctx.timeZone)?.seconds);
	if (from !== undefined && to !== undefined && from > to) {
		ctx.fail(`Form field ${label}: the start ${start} is after the end ${end}: swap them`);
	}
	return JSON.stringify([start, end]);
}

function contactText(component: FormComponent, value: unknown, ctx: FormContext): string {
	const label = describeComponent(component);
	const ids = textList(value);
	const bad = ids.find((id) => !USER_ID.test(id));
	if (bad !== undefined) {
		ctx.fail(
			`Form field ${label}: "${bad}" is not a user ID. Give userids (e.g. manager4220), never names; comma-separated for several`,
		);
	}
	if (Number(component.props.choice) === 0 && ids.length > 1) {
		ctx.fail(`Form field ${label} takes one person, got ${ids.length}: give just one userid`);
	}
	return JSON.stringify([...new Set(ids)]);
}

function departmentText(component: FormComponent, value: unknown, ctx: FormContext): string {
	const ids = textList(value);
	const bad = ids.find((id) => !DEPARTMENT_ID.test(id));
	if (bad !== undefined) {
		ctx.fail(
			`Form field ${describeComponent(component)}: "${bad}" is not a department ID. Pick departments, or give numeric department IDs, comma-separated`,
		);
	}
	// DingTalk's sample (发起审批实例): "当选择多个部门时，value 用英文逗号分隔".
	return [...new Set(ids)].join(',');
}

function addressText(component: FormComponent, value: unknown, ctx: FormContext): string {
	const parts = textList(value);
	if (parts.length < 3 || parts.length > 4) {
		ctx.fail(
			`Form field ${describeComponent(component)} needs province, city and district, and optionally the street address (3 or 4 parts), got ${parts.length}. Give "浙江省, 杭州市, 余杭区, 文一西路969号" or a list`,
		);
	}
	// DingTalk's sample (发起审批实例): "省市区…需使用英文格式逗号进行分隔", value "北京,北京市,河东区". A fourth part
	// (the street address) is joined the same way; the sample shows none (unverified).
	return parts.join(',');
}

function photoText(component: FormComponent, value: unknown, ctx: FormContext): string {
	const urls = textList(value);
	const bad = urls.find((url) => !/^https?:\/\/\S+$/i.test(url));
	if (bad !== undefined) {
		ctx.fail(
			`Form field ${describeComponent(component)}: "${bad}" is not an image URL. Give http(s) URLs of images, comma-separated`,
		);
	}
	return JSON.stringify(urls);
}

const DRIVE_FILE_KEYS = ['spaceId', 'fileName', 'fileSize', 'fileType', 'fileId'];

function attachmentValue(
	component: FormComponent,
	value: unknown,
	ctx: FormContext,
): string | AttachmentSlot {
	const label = describeComponent(component);
	let parsed: unknown = value;
	if (typeof value === 'string' && /^\s*[[{]/.test(value)) {
		try {
			parsed = JSON.parse(value) as unknown;
		} catch {
			ctx.fail(`Form field ${label}: the value looks like JSON but is not valid JSON`);
		}
	}
	const list = Array.isArray(parsed) ? parsed : [parsed];
	if (list.every((entry) => entry !== null && typeof entry === 'object')) {
		// Files already in the approval's Drive space (e.g. from an earlier approval's form values).
		for (const entry of list as IDataObject[]) {
			const missing = DRIVE_FILE_KEYS.filter((key) => isBlank(entry[key]));
			if (missing.length) {
				ctx.fail(
					`Form field ${label}: a file is missing ${missing.join(', ')}. Give binary property names to upload files, or complete Drive file entries {"spaceId","fileName","fileSize","fileType","fileId"}`,
				);
			}
		}
		return JSON.stringify(list);
	}
	return ctx.attachment(textList(value), titleOf(component));
}

function parseTable(component: FormComponent, value: unknown, ctx: FormContext): unknown[] {
	const label = describeComponent(component);
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value) as unknown;
		} catch {
			ctx.fail(
				`Form field ${label}: the value is not valid JSON. Give rows like [{"费用类型": "差旅费", "金额": "1200"}]`,
			);
		}
	}
	if (!Array.isArray(parsed)) {
		ctx.fail(
			`Form field ${label} needs a list of rows, like [{"费用类型": "差旅费", "金额": "1200"}] (one object per row)`,
		);
	}
	if (parsed.length > MAX_TABLE_ROWS) {
		ctx.fail(
			`Form field ${label} has ${parsed.length} rows; DingTalk takes at most ${MAX_TABLE_ROWS}: split the approval`,
		);
	}
	return parsed;
}

function findComponent(components: FormComponent[], key: string): FormComponent | undefined {
	const wanted = key.trim();
	return (
		components.find((c) => nameOf(c) === wanted) ??
		components.find((c) => c.props.id === wanted) ??
		components.find((c) => titleOf(c) === wanted || labelsOf(c).includes(wanted))
	);
}

function tableRows(component: FormComponent, value: unknown, ctx: FormContext): Cell[][] {
	const label = describeComponent(component);
	const columns = flattenComponents(component.children);
	const known = () => columns.map(describeComponent).join(', ');
	return parseTable(component, value, ctx).map((row, r) => {
		// A row is an object keyed by column, or DingTalk's own list of {name, value} cells.
		let entries: Array<[string, unknown]>;
		if (Array.isArray(row)) {
			entries = row.map((cell: unknown, c) => {
				const item = cell as IDataObject;
				if (
					!item ||
					typeof item !== 'object' ||
					(item.name === undefined && item.id === undefined)
				) {
					ctx.fail(
						`Form field ${label}: row ${r + 1}, cell ${c + 1} is not {"name": "<column>", "value": "..."}`,
					);
				}
				return [String(item.name ?? item.id), item.value];
			});
		} else if (row !== null && typeof row === 'object') {
			entries = Object.entries(row as IDataObject);
		} else {
			ctx.fail(
				`Form field ${label}: row ${r + 1} is not an object. Give rows like [{"费用类型": "差旅费", "金额": "1200"}]`,
			);
		}
		const cells = new Map<FormComponent, unknown>();
		for (const [key, cell] of entries) {
			const column = findComponent(columns, key);
			if (!column) {
				ctx.fail(
					`Form field ${label}: row ${r + 1} has "${key}", which is not a column of the table. Columns: ${known()}`,
				);
			}
			if (notSubmittableReason(column)) continue;
			cells.set(column, cell);
		}
		return columns.flatMap((column): Cell[] => {
			const cell = cells.get(column);
			if (isBlank(cell)) {
				if (isRequired(column) && !notSubmittableReason(column)) {
					ctx.fail(
						`Form field ${label}: row ${r + 1} lacks the required column ${describeComponent(column)}`,
					);
				}
				return [];
			}
			return [{ name: nameOf(column), value: wireValue(column, cell, ctx) }];
		});
	});
}

/** The value DingTalk expects for this component, from what the user gave. */
export function wireValue(component: FormComponent, value: unknown, ctx: FormContext): WireValue {
	switch (component.componentName) {
		case 'NumberField':
		case 'MoneyField':
		case 'StarRatingField':
			return numericText(component, value, ctx);
		case 'DDSelectField':
			return chooseOptions(component, value, ctx, true)[0];
		case 'DDMultiSelectField':
			return JSON.stringify(chooseOptions(component, value, ctx, false));
		case 'DDDateField':
			return dateText(component, value, ctx);
		case 'DDDateRangeField':
			return dateRangeText(component, value, ctx);
		case 'InnerContactField':
			return contactText(component, value, ctx);
		case 'DepartmentField':
			return departmentText(component, value, ctx);
		case 'AddressField':
			return addressText(component, value, ctx);
		case 'DDPhotoField':
			return photoText(component, value, ctx);
		case 'RelateField':
			return JSON.stringify(textList(value));
		case 'DDAttachment':
			return attachmentValue(component, value, ctx);
		case 'TableField':
			return tableRows(component, value, ctx);
		default:
			// Text, long text, phone, ID card and components this node has no special format for.
			return asText(value);
	}
}

function formName(form: ApprovalForm): string {
	return form.name || form.processCode;
}

function requireAll(
	form: ApprovalForm,
	filled: Set<FormComponent>,
	ctx: FormContext,
	how: string,
): void {
	const missing = form.components.filter(
		(c) => isRequired(c) && !notSubmittableReason(c) && !filled.has(c),
	);
	if (missing.length) {
		ctx.fail(
			`Missing required form field${missing.length > 1 ? 's' : ''} of "${formName(form)}": ${missing.map(describeComponent).join(', ')}. ${how}`,
		);
	}
}

function knownFields(form: ApprovalForm): string {
	return form.components
		.filter((c) => !notSubmittableReason(c))
		.map(describeComponent)
		.join(', ');
}

function refuseUnsubmittable(component: FormComponent, ctx: FormContext): void {
	const reason = notSubmittableReason(component);
	if (reason) {
		ctx.fail(`Form field ${describeComponent(component)} cannot be filled: it is ${reason}`);
	}
}

/**
 * `formComponentValues` from the form editor (its values gathered by component id; keys that name no field of the
 * form as it is now are looked up by name, label or id), in the form's order. Every value is checked against the
 * form here, before anything is uploaded or started.
 */
export function valuesFromFields(
	form: ApprovalForm,
	gathered: GatheredForm,
	ctx: FormContext,
): PendingValue[] {
	const given = new Map<FormComponent, unknown>();
	for (const [id, value] of gathered.values) {
		const component = form.components.find((c) => c.props.id === id);
		if (component && !isBlank(value)) given.set(component, value);
	}
	for (const [key, value] of gathered.unknown) {
		const component = findComponent(form.components, key);
		if (!component) {
			ctx.fail(
				`Form field "${key}" is not in the form "${formName(form)}" (it may have been renamed: refresh the form fields). The form has: ${knownFields(form)}`,
			);
		}
		refuseUnsubmittable(component, ctx);
		if (given.has(component)) {
			ctx.fail(`Form field ${describeComponent(component)} is given twice: keep one value for it`);
		}
		given.set(component, value);
	}
	requireAll(
		form,
		new Set(given.keys()),
		ctx,
		'Fill them under Form Fields (tables under Table Rows, people and departments under People and Departments)',
	);
	return form.components
		.filter((component) => given.has(component))
		.map((component) => ({
			id: component.props.id,
			name: nameOf(component),
			value: wireValue(component, given.get(component), ctx),
		}));
}

/**
 * `formComponentValues` given as JSON: each entry's `name` must be a component of the form (its label, or its id,
 * which is then replaced by the label); values that are not text are sent as JSON text. Values are not reformatted.
 */
export function valuesFromJson(
	form: ApprovalForm,
	json: unknown,
	ctx: FormContext,
): PendingValue[] {
	const example =
		'[{"name": "报销事由", "value": "客户拜访"}, {"name": "金额（元）", "value": "1280.50"}]';
	let parsed = json;
	if (typeof parsed === 'string') {
		try {
			parsed = JSON.parse(parsed) as unknown;
		} catch {
			ctx.fail(`Form Values (JSON) is not valid JSON: give formComponentValues, like ${example}`);
		}
	}
	if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
		parsed = (parsed as IDataObject).formComponentValues;
	}
	if (!Array.isArray(parsed)) {
		ctx.fail(`Form Values (JSON) must be the list formComponentValues, like ${example}`);
	}
	const seen = new Set<FormComponent>();
	const values = parsed.map((entry: unknown, index): PendingValue => {
		const item = entry as IDataObject;
		const key = item?.name ?? item?.id;
		if (!item || typeof item !== 'object' || typeof key !== 'string' || key.trim() === '') {
			ctx.fail(
				`Form Values (JSON): entry ${index + 1} has no "name". Each entry looks like {"name": "<label>", "value": "..."}`,
			);
		}
		const component = findComponent(form.components, key);
		if (!component) {
			ctx.fail(
				`Form Values (JSON): "${key}" is not in the form "${formName(form)}". The form has: ${knownFields(form)}`,
			);
		}
		refuseUnsubmittable(component, ctx);
		if (isBlank(item.value)) {
			ctx.fail(`Form Values (JSON): ${describeComponent(component)} has no "value"`);
		}
		seen.add(component);
		const extra: IDataObject = { ...item };
		delete extra.name;
		delete extra.value;
		return {
			id: component.props.id,
			name: nameOf(component),
			value: typeof item.value === 'string' ? item.value : JSON.stringify(item.value),
			...(Object.keys(extra).length ? { extra } : {}),
		};
	});
	requireAll(form, seen, ctx, 'Add them to Form Values (JSON)');
	return values;
}

/** Every attachment slot among these values, tables included. */
export function attachmentSlots(values: PendingValue[]): AttachmentSlot[] {
	const slots: AttachmentSlot[] = [];
	const visit = (value: WireValue) => {
		if (value instanceof AttachmentSlot) slots.push(value);
		else if (Array.isArray(value)) value.forEach((row) => row.forEach((cell) => visit(cell.value)));
	};
	values.forEach((v) => visit(v.value));
	return slots;
}

function finalText(value: WireValue): string {
	if (typeof value === 'string') return value;
	if (value instanceof AttachmentSlot) return JSON.stringify(value.files);
	return JSON.stringify(
		value.map((row) => row.map((cell) => ({ name: cell.name, value: finalText(cell.value) }))),
	);
}

/** `formComponentValues` as DingTalk takes them: every value a string of at most 65535 characters. */
export function finalValues(values: PendingValue[], ctx: FormContext): IDataObject[] {
	return values.map(({ id, name, value, extra }) => {
		const text = finalText(value);
		if (text.length > MAX_VALUE_LENGTH) {
			ctx.fail(
				`Form field ${name} is ${text.length} characters long; DingTalk takes at most ${MAX_VALUE_LENGTH}: shorten it`,
			);
		}
		return { ...(id ? { id } : {}), ...(extra ?? {}), name, value: text };
	});
}
