// applyevent's apply_data.contents, checked against the template the way WeCom's page describes it
// (提交审批申请, https://developer.work.weixin.qq.com/document/path/91853, appendix 附1–附10, updated 2024/11/06):
// every id must be a control of the template, of the same kind, with a value of that kind's shape, and every
// required control must be filled; a Text control takes no line breaks (附1); each table row lists every
// column of the table (附10). The result is what getapprovaldetail shows (titles added).
import { isRecord } from '../util';
import type { ApprovalContent } from './approvalModel';
import { WeComErr, wecomError } from './errors';
import type { ApprovalTemplate, TemplateControl } from './seed';
import { findDepartment, findUser, liveMedia, type WeComState } from './state';

const NUMBER = /^-?\d+(\.\d+)?$/;
const MONEY = /^\d+(\.\d{1,2})?$/;
const TIMESTAMP = /^\d{1,12}$/;

function bad(detail: string) {
	return wecomError(WeComErr.approvalParameter, detail);
}

interface Checked {
	value: Record<string, unknown>;
	empty: boolean;
}

function records(value: unknown, where: string): Record<string, unknown>[] {
	if (value === undefined) {
		return [];
	}
	if (!Array.isArray(value) || !value.every(isRecord)) {
		throw bad(`${where} must be a list of objects`);
	}
	return value;
}

function optionalString(value: unknown, where: string): string {
	if (value === undefined) {
		return '';
	}
	if (typeof value !== 'string') {
		throw bad(`${where} must be a string`);
	}
	return value;
}

function checkValue(
	state: WeComState,
	control: TemplateControl,
	value: Record<string, unknown>,
	where: string,
	now: number,
): Checked {
	const config = control.config ?? {};
	switch (control.property.control) {
		case 'Text':
		case 'Textarea': {
			const text = optionalString(value.text, `${where}.value.text`);
			// "文本控件Text内容不支持包含换行符" (附1); refused here (assumed: the page does not say what WeCom answers).
			if (control.property.control === 'Text' && /[\r\n]/.test(text)) {
				throw bad(`${where}.value.text: a Text control takes no line breaks`);
			}
			return { value: { text }, empty: text === '' };
		}
		case 'Number': {
			const n = optionalString(value.new_number, `${where}.value.new_number`);
			if (n !== '' && !NUMBER.test(n)) {
				throw bad(`${where}.value.new_number '${n}' is not a number`);
			}
			return { value: { new_number: n }, empty: n === '' };
		}
		case 'Money': {
			const m = optionalString(value.new_money, `${where}.value.new_money`);
			if (m !== '' && !MONEY.test(m)) {
				throw bad(`${where}.value.new_money '${m}' is not an amount with at most 2 decimals`);
			}
			return { value: { new_money: m }, empty: m === '' };
		}
		case 'Date': {
			if (value.date === undefined) {
				return { value: {}, empty: true };
			}
			const date = isRecord(value.date) ? value.date : {};
			const expected = config.date?.type ?? 'day';
			if (date.type !== expected) {
				throw bad(`${where}.value.date.type must be '${expected}'`);
			}
			if (typeof date.s_timestamp !== 'string' || !TIMESTAMP.test(date.s_timestamp)) {
				throw bad(`${where}.value.date.s_timestamp must be unix seconds as a string`);
			}
			return { value: { date: { type: date.type, s_timestamp: date.s_timestamp } }, empty: false };
		}
		case 'Selector': {
			if (value.selector === undefined) {
				return { value: {}, empty: true };
			}
			const selector = isRecord(value.selector) ? value.selector : {};
			const expected = config.selector?.type ?? 'single';
			if (selector.type !== expected) {
				throw bad(`${where}.value.selector.type must be '${expected}'`);
			}
			const chosen = records(selector.options, `${where}.value.selector.options`).map((o, i) => {
				const option = config.selector?.options.find((known) => known.key === o.key);
				if (!option) {
					throw bad(
						`${where}.value.selector.options[${i}].key '${String(o.key)}' is not an option of this control`,
					);
				}
				return option;
			});
			if (expected === 'single' && chosen.length > 1) {
				throw bad(`${where} is a single selector, got ${chosen.length} options`);
			}
			return {
				value: { selector: { type: expected, options: chosen } },
				empty: chosen.length === 0,
			};
		}
		case 'Contact': {
			const single = config.contact?.type === 'single';
			if (config.contact?.mode === 'department') {
				const departments = records(value.departments, `${where}.value.departments`).map((d, i) => {
					const dept = findDepartment(state, d.openapi_id);
					if (!dept) {
						throw bad(
							`${where}.value.departments[${i}].openapi_id '${String(d.openapi_id)}' is not a department`,
						);
					}
					return { openapi_id: String(dept.id), name: dept.name };
				});
				if (single && departments.length > 1) {
					throw bad(`${where} takes one department`);
				}
				return { value: { departments }, empty: departments.length === 0 };
			}
			const members = records(value.members, `${where}.value.members`).map((m, i) => {
				const user = findUser(state, m.userid);
				if (!user) {
					throw bad(`${where}.value.members[${i}].userid '${String(m.userid)}' is not a member`);
				}
				return { userid: user.userid, name: user.name };
			});
			if (single && members.length > 1) {
				throw bad(`${where} takes one member`);
			}
			return { value: { members }, empty: members.length === 0 };
		}
		case 'File': {
			const files = records(value.files, `${where}.value.files`).map((f, i) => {
				if (!liveMedia(state, f.file_id, now)) {
					throw bad(
						`${where}.value.files[${i}].file_id is not a media_id from media/upload (or has expired)`,
					);
				}
				return { file_id: f.file_id };
			});
			return { value: { files }, empty: files.length === 0 };
		}
		case 'Table': {
			const children = config.table?.children ?? [];
			const rows = records(value.children, `${where}.value.children`).map((row, i) => {
				const at = `${where}.value.children[${i}].list`;
				const list = checkContents(state, children, row.list, at, now);
				// "子明细中必须包括模板中设置的全部子控件，如果子明细为空，则需要将所有子控件的值设为空" (附10).
				const absent = children.find((c) => !list.some((cell) => cell.id === c.property.id));
				if (absent) throw bad(`${at} lacks column '${titleOf(absent)}' (${absent.property.id}): every row lists every column`);
				return { list };
			});
			return { value: { children: rows }, empty: rows.length === 0 };
		}
	}
}

function titleOf(control: TemplateControl): string {
	return control.property.title[0]?.text ?? control.property.id;
}

export function checkContents(
	state: WeComState,
	controls: TemplateControl[],
	contents: unknown,
	where: string,
	now: number,
): ApprovalContent[] {
	if (!Array.isArray(contents)) {
		throw bad(`${where} must be a list`);
	}
	const seen = new Set<string>();
	const result = contents.map((item, i): ApprovalContent => {
		const at = `${where}[${i}]`;
		if (!isRecord(item)) {
			throw bad(`${at} must be an object`);
		}
		const control = controls.find((c) => c.property.id === item.id);
		if (!control) {
			throw bad(`${at}.id '${String(item.id)}' is not a control of this template`);
		}
		if (item.control !== control.property.control) {
			throw bad(
				`${at}.control is '${String(item.control)}', the template says '${control.property.control}'`,
			);
		}
		if (seen.has(control.property.id)) {
			throw bad(`${at}.id '${control.property.id}' appears twice`);
		}
		seen.add(control.property.id);
		if (!isRecord(item.value)) {
			throw bad(`${at}.value must be an object`);
		}
		const checked = checkValue(state, control, item.value, at, now);
		if (checked.empty && control.property.require === 1) {
			throw bad(`required control '${titleOf(control)}' (${control.property.id}) is empty`);
		}
		return {
			control: control.property.control,
			id: control.property.id,
			title: control.property.title,
			value: checked.value,
		};
	});
	const missing = controls.find((c) => c.property.require === 1 && !seen.has(c.property.id));
	if (missing) {
		throw bad(`required control '${titleOf(missing)}' (${missing.property.id}) is missing`);
	}
	return result;
}

export function checkApplyData(
	state: WeComState,
	template: ApprovalTemplate,
	applyData: unknown,
	now: number,
): ApprovalContent[] {
	if (!isRecord(applyData)) {
		throw bad('apply_data missing');
	}
	return checkContents(state, template.controls, applyData.contents, 'apply_data.contents', now);
}
