import type { IDataObject } from 'n8n-workflow';

import type { ControlKind, FormControl } from '../../../shared/approvalForm';

import type { WeComContext } from '../../transport';
import { weComApiRequest } from '../../transport';
import { oncePerRun } from '../../../shared/runCache';

export interface I18nText {
	text: string;
	lang: string;
}

export interface SelectorOption {
	key: string;
	value: I18nText[];
}

/** One control of a template, as gettemplatedetail describes it. */
export interface TemplateControl {
	property: {
		control: string;
		id: string;
		title?: I18nText[];
		placeholder?: I18nText[];
		require?: number;
		un_print?: number;
	};
	config?: {
		date?: { type?: string };
		selector?: { type?: string; options?: SelectorOption[] };
		/**
		 * The template doc (获取审批模板详情, 附3) gives `type` single|multi and `mode` user|department; older
		 * descriptions swap the two: read both ways (contactKind, contactMultiple).
		 */
		contact?: { type?: string; mode?: string };
		table?: { children?: TemplateControl[] };
	};
}

export interface ApprovalTemplate {
	templateId: string;
	names: I18nText[];
	controls: TemplateControl[];
}

function textIn(texts: I18nText[] | undefined, lang: string): string | undefined {
	return texts?.find((t) => t.lang === lang)?.text;
}

/** The Chinese text, else whatever the template has: templates made in the admin console are often zh only. */
export function zhText(texts: I18nText[] | undefined): string {
	return textIn(texts, 'zh_CN') ?? texts?.[0]?.text ?? '';
}

export function enText(texts: I18nText[] | undefined): string {
	return textIn(texts, 'en') ?? '';
}

/** How a control is named in messages and pickers: `报销金额 (Money)`. */
export function controlLabel(control: TemplateControl): string {
	const title = zhText(control.property.title) || control.property.id;
	return `${title} (${control.property.control})`;
}

export function isRequired(control: TemplateControl): boolean {
	return Number(control.property.require) === 1;
}

export function optionText(option: SelectorOption): string {
	return zhText(option.value) || option.key;
}

export async function fetchTemplate(
	this: WeComContext,
	templateId: string,
	itemIndex?: number,
): Promise<ApprovalTemplate> {
	const answer = await weComApiRequest.call(this, {
		method: 'POST',
		path: '/cgi-bin/oa/gettemplatedetail',
		body: { template_id: templateId },
		itemIndex,
	});
	const content = (answer.template_content ?? {}) as { controls?: TemplateControl[] };
	return {
		templateId,
		names: (answer.template_names ?? []) as I18nText[],
		controls: Array.isArray(content.controls) ? content.controls : [],
	};
}

/** The template, fetched at most once per node run. */
export async function cachedTemplate(
	this: WeComContext,
	templateId: string,
	itemIndex: number,
): Promise<ApprovalTemplate> {
	return await oncePerRun(this, `wecom-template:${templateId}`, async () =>
		fetchTemplate.call(this, templateId, itemIndex),
	);
}

/** A control without the template's nesting, for people and for later nodes. */
export function cleanControl(control: TemplateControl): IDataObject {
	const { property, config = {} } = control;
	const clean: IDataObject = {
		id: property.id,
		control: property.control,
		title: zhText(property.title),
		title_en: enText(property.title),
		required: isRequired(control),
	};
	if (config.selector) {
		clean.selector_type = config.selector.type ?? 'single';
		clean.options = (config.selector.options ?? []).map((option) => ({
			key: option.key,
			text: zhText(option.value),
			text_en: enText(option.value),
		}));
	}
	if (config.contact) {
		// What is picked and how many, whichever way round the template names them (see contactIsDepartment).
		clean.contact_type = contactIsDepartment(control) ? 'department' : 'user';
		clean.contact_mode = contactIsMultiple(control) ? 'multi' : 'single';
	}
	if (config.date) clean.date_type = config.date.type ?? 'day';
	if (config.table) clean.children = (config.table.children ?? []).map(cleanControl);
	return clean;
}

/** Whether a Contact control picks departments (else members). */
export function contactIsDepartment(control: TemplateControl): boolean {
	const contact = control.config?.contact ?? {};
	return contact.mode === 'department' || contact.type === 'department';
}

/** Whether a Contact control takes several. */
export function contactIsMultiple(control: TemplateControl): boolean {
	const contact = control.config?.contact ?? {};
	return contact.type === 'multi' || contact.mode === 'multi';
}

/** Filled by WeCom itself (提交表单时无需填写 / 后台自动填充): never given. */
const AUTOMATIC = new Set(['Tips', 'Formula']);

export function isAutomatic(control: TemplateControl): boolean {
	return AUTOMATIC.has(control.property.control);
}

const TYPE_NAMES: Record<string, string> = {
	Text: 'Text',
	Textarea: 'Long Text',
	Number: 'Number',
	Money: 'Money',
	Date: 'Date',
	Selector: 'Select',
	Contact: 'Contact',
	File: 'File',
	Table: 'Table',
};

function controlKind(control: TemplateControl): ControlKind {
	switch (control.property.control) {
		case 'Text':
		case 'Textarea':
			return 'text';
		case 'Number':
		case 'Money':
			return 'number';
		case 'Date':
			return 'date';
		case 'Selector':
			return control.config?.selector?.type === 'multi' ? 'multiSelect' : 'select';
		case 'Contact':
			return contactIsDepartment(control) ? 'department' : 'contact';
		case 'File':
			return 'files';
		case 'Table':
			return 'table';
		default:
			return 'json';
	}
}

/** The control as the shared form editor sees it (controls WeCom fills itself are left out, in tables too). */
export function toControl(control: TemplateControl): FormControl {
	const kind = controlKind(control);
	const title = zhText(control.property.title) || control.property.id;
	const out: FormControl = {
		id: control.property.id,
		name: title,
		title,
		typeName:
			kind === 'multiSelect'
				? 'Multi-Select'
				: kind === 'department'
					? 'Department'
					: (TYPE_NAMES[control.property.control] ?? control.property.control),
		kind,
		required: isRequired(control),
	};
	if (kind === 'select' || kind === 'multiSelect') {
		out.options = (control.config?.selector?.options ?? []).map((o) => ({
			value: o.key,
			name: optionText(o),
		}));
	}
	if (kind === 'contact' || kind === 'department') out.multiple = contactIsMultiple(control);
	if (kind === 'files') out.hint = 'binary properties';
	if (kind === 'json')
		out.hint = 'the value object as JSON, e.g. {"related_approval": [{"sp_no": "…"}]}';
	if (kind === 'table') {
		out.columns = (control.config?.table?.children ?? [])
			.filter((c) => !isAutomatic(c))
			.map(toControl);
	}
	return out;
}

/** The controls the form editor shows. */
export function templateControls(template: ApprovalTemplate): FormControl[] {
	return template.controls.filter((c) => !isAutomatic(c)).map(toControl);
}
