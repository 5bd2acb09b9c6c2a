// How the emulator checks formComponentValues of a new approval, component by component, the way DingTalk's start-
// instance page describes them (https://open.dingtalk.com/document/development/create-an-approval-instance, request
// parameters and request example, updated 2026-04-24; the example is kept in test/fixtures/dingtalk-start-instance.doc.json):
// `name` is the component's label as the form holds it (for a date range the whole label ["开始时间","结束时间"] as one
// string), `id` (optional) the component's id; the address is one text separated by English commas, several
// departments are IDs separated by commas. Where the page is silent the reference (../shared/reference/dingtalk.md,
// "Approval forms in detail") is followed.
import { isRecord } from '../util';
import type { EmuComponent } from './approvalForms';
import { newApiError } from './errors';
import type { DingTalkState } from './state';

export const MAX_VALUE_LENGTH = 65535;
export const MAX_TABLE_ROWS = 100;

const NOT_SUBMITTABLE = new Set(['TextNote', 'CalculateField', 'SeqNumberField']);
const KITS = new Set(['DDHolidayField', 'DDBizSuite']);

export function isKitComponent(c: EmuComponent): boolean {
	return KITS.has(c.componentName);
}

/** Components of a form with layout groups opened up. */
export function formComponents(items: EmuComponent[]): EmuComponent[] {
	return items.flatMap((c) =>
		c.componentName === 'FieldGroup' ? formComponents(c.children ?? []) : [c],
	);
}

export function labelsOfComponent(c: EmuComponent): string[] {
	const label = c.props.label;
	if (Array.isArray(label)) return label.map(String);
	return typeof label === 'string' ? [label] : [];
}

/** The name a value is given under: the label as the form holds it; a label array as its JSON text (the date range). */
function nameOfComponent(c: EmuComponent): string {
	const label = c.props.label;
	return Array.isArray(label) ? JSON.stringify(label.map(String)) : String(label ?? '');
}

function optionTexts(c: EmuComponent): string[] {
	const options = Array.isArray(c.props.options) ? c.props.options : [];
	return options.map((o: unknown) => (isRecord(o) ? String(o.value) : String(o)));
}

/** 表单数据校验失败: the answer to a value in the wrong format. */
function converterError(c: EmuComponent, why: string) {
	return newApiError(
		400,
		'formConverterError',
		`表单数据校验失败，失败控件：${labelsOfComponent(c).join(',')}（${why}）`,
	);
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return undefined;
	}
}

function stringArray(value: string): string[] | undefined {
	const parsed = parseJson(value);
	return Array.isArray(parsed) &&
		parsed.every((v) => typeof v === 'string' || typeof v === 'number')
		? parsed.map(String)
		: undefined;
}

/** DingTalk's date formats as patterns; a real date check follows. */
function dateMatches(text: string, format: string): boolean {
	const source = format
		.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
		.replace('yyyy', '(\\d{4})')
		.replace('MM', '(\\d{2})')
		.replace('dd', '(\\d{2})')
		.replace('HH', '([01]\\d|2[0-3])')
		.replace('mm', '[0-5]\\d')
		.replace('ss', '[0-5]\\d');
	const match = new RegExp(`^${source}$`).exec(text);
	if (!match) return false;
	const [, y, m, d] = match;
	const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
	return date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d);
}

function formatOf(c: EmuComponent): string {
	return typeof c.props.format === 'string' ? c.props.format : 'yyyy-MM-dd';
}

function activeUser(state: DingTalkState, id: string): boolean {
	return state.users.some((u) => u.userid === id && u.active);
}

function checkValue(state: DingTalkState, c: EmuComponent, value: string): void {
	const fail = (why: string) => {
		throw converterError(c, why);
	};
	switch (c.componentName) {
		case 'NumberField':
		case 'MoneyField':
		case 'StarRatingField':
			if (!/^-?\d+(\.\d+)?$/.test(value)) fail('不是数字');
			return;
		case 'DDSelectField':
			if (!optionTexts(c).includes(value)) fail('选项值不在选项列表中');
			return;
		case 'DDMultiSelectField': {
			const list = stringArray(value);
			if (!list?.length) fail('需为选项值数组字符串');
			if (list!.some((v) => !optionTexts(c).includes(v))) fail('选项值不在选项列表中');
			return;
		}
		case 'DDDateField':
			if (!dateMatches(value, formatOf(c))) fail(`日期格式需为 ${formatOf(c)}`);
			return;
		case 'DDDateRangeField': {
			const list = stringArray(value);
			if (list?.length !== 2 || !list.every((v) => dateMatches(v, formatOf(c)))) {
				fail(`需为 ["开始","结束"]，日期格式 ${formatOf(c)}`);
			}
			if (list![0] > list![1]) fail('开始时间晚于结束时间');
			return;
		}
		case 'InnerContactField': {
			const ids = value.startsWith('[') ? stringArray(value) : [value];
			if (!ids?.length || ids.some((id) => !activeUser(state, id))) fail('需为在职成员的 userId');
			if (Number(c.props.choice) === 0 && ids!.length > 1) fail('只能选一人');
			return;
		}
		case 'DepartmentField': {
			// "当选择多个部门时，value 用英文逗号分隔" (the page's request example).
			const ids = value.split(',');
			const known = (id: string) => state.departments.some((d) => String(d.dept_id) === id);
			if (!ids.every(known)) fail('需为本企业的部门ID，多个用英文逗号分隔');
			return;
		}
		case 'AddressField': {
			// "省市区必须遵照地址控件的格式正确传递才可识别，且需使用英文格式逗号进行分隔": "北京,北京市,河东区". A fourth
			// part (the street address) is accepted the same way; the page shows none.
			const parts = value.split(',');
			if (
				value.trimStart().startsWith('[') ||
				parts.length < 3 ||
				parts.length > 4 ||
				parts.some((p) => p.trim() === '')
			) {
				fail('需为 "省,市,区"（英文逗号分隔）');
			}
			return;
		}
		case 'DDPhotoField': {
			const urls = stringArray(value);
			if (!urls?.length || urls.some((u) => !/^https?:\/\//.test(u))) fail('需为图片URL数组字符串');
			return;
		}
		case 'RelateField': {
			const ids = value.startsWith('[') ? stringArray(value) : [value];
			const known = (id: string) => state.instances.some((i) => i.processInstanceId === id);
			if (!ids?.length || !ids.every(known)) fail('关联审批单不存在');
			return;
		}
		case 'DDAttachment': {
			const files = parseJson(value);
			if (!Array.isArray(files) || !files.length) fail('需为附件JSON数组字符串');
			for (const file of files as unknown[]) {
				if (!isRecord(file)) fail('附件需为对象');
				const f = file as Record<string, unknown>;
				for (const key of ['spaceId', 'fileName', 'fileSize', 'fileType', 'fileId']) {
					if (f[key] === undefined || f[key] === '') fail(`附件缺少 ${key}`);
				}
				const stored = state.drive.files.get(String(f.fileId));
				if (!stored || String(stored.spaceId) !== String(f.spaceId)) fail('附件不在审批钉盘空间中');
			}
			return;
		}
		case 'TableField':
			checkTable(state, c, value);
			return;
		default:
			return;
	}
}

function checkTable(state: DingTalkState, table: EmuComponent, value: string): void {
	const rows = parseJson(value);
	// One inner array of {name, value} per row; the once-published [{"col": "v"}] rows are refused.
	if (!Array.isArray(rows) || !rows.every((row) => Array.isArray(row))) {
		throw converterError(table, '明细需为二维数组 [[{"name","value"}]]');
	}
	if (rows.length > MAX_TABLE_ROWS) throw converterError(table, `明细最多${MAX_TABLE_ROWS}行`);
	const children = formComponents(table.children ?? []);
	for (const row of rows as unknown[][]) {
		const filled = new Set<EmuComponent>();
		for (const cell of row) {
			if (!isRecord(cell) || typeof cell.name !== 'string' || typeof cell.value !== 'string') {
				throw converterError(table, '明细单元格需为 {"name","value"} 字符串');
			}
			const child = children.find((c) => nameOfComponent(c) === cell.name);
			if (!child) throw converterError(table, `明细没有列 ${cell.name}`);
			checkValue(state, child, cell.value);
			if (cell.value !== '') filled.add(child);
		}
		const missing = children.find((c) => c.props.required === true && !filled.has(c));
		if (missing)
			throw converterError(table, `明细缺少必填列 ${labelsOfComponent(missing).join(',')}`);
	}
}

/**
 * Checks the formComponentValues of a new instance against the form; returns them with their components, in the
 * order given. Throws DingTalk's answer to the first problem.
 */
export function checkFormValues(
	state: DingTalkState,
	items: EmuComponent[],
	values: unknown,
): Array<{ component: EmuComponent; name: string; value: string }> {
	if (!Array.isArray(values) || values.length === 0) {
		throw newApiError(400, 'invalidParameter', 'formComponentValues不能为空');
	}
	if (values.length > 150)
		throw newApiError(400, 'invalidParameter', 'formComponentValues最多150个');
	const components = formComponents(items);
	const checked = values.map((entry: unknown) => {
		if (!isRecord(entry) || typeof entry.name !== 'string' || typeof entry.value !== 'string') {
			throw newApiError(400, 'illegalComponent', '表单组件入参错误：name 和 value 需为字符串');
		}
		if (entry.id !== undefined && typeof entry.id !== 'string') {
			throw newApiError(400, 'illegalComponent', '表单组件入参错误：id 需为字符串');
		}
		// An id names the component; the name must then be that component's (the emulator's choice: the page does not
		// say what DingTalk does with an id and a name that disagree).
		const component =
			entry.id !== undefined
				? components.find((c) => c.props.id === entry.id)
				: components.find((c) => nameOfComponent(c) === entry.name);
		if (
			!component ||
			NOT_SUBMITTABLE.has(component.componentName) ||
			nameOfComponent(component) !== entry.name
		) {
			throw newApiError(400, 'illegalComponent', `表单组件入参错误：${entry.name}`);
		}
		if (entry.value.length > MAX_VALUE_LENGTH)
			throw converterError(component, '控件值超过65535字符');
		checkValue(state, component, entry.value);
		return { component, name: entry.name, value: entry.value };
	});
	const missing = components.find(
		(c) =>
			c.props.required === true &&
			!NOT_SUBMITTABLE.has(c.componentName) &&
			!checked.some((v) => v.component === c && v.value !== ''),
	);
	if (missing) throw converterError(missing, '必填');
	return checked;
}
