import type { IDataObject } from 'n8n-workflow';

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
		clean.contact_type = config.contact.type ?? 'user';
		clean.contact_mode = config.contact.mode ?? 'single';
	}
	if (config.date) clean.date_type = config.date.type ?? 'day';
	if (config.table) clean.children = (config.table.children ?? []).map(cleanControl);
	return clean;
}
