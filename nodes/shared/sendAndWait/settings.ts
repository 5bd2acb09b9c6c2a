import type { IDataObject } from 'n8n-workflow';
import { WAIT_INDEFINITELY } from 'n8n-workflow';

import type { FormField, ParameterGetter } from './form';
import { FREE_TEXT_FIELD, readFormFields, text } from './form';

export type ResponseType = 'approval' | 'freeText' | 'customForm';

/**
 * What the node asks, read the same way when the message is sent (execute, item 0) and when a link is opened
 * (webhook, the waiting item): the page shows what the message promised.
 */
export interface AskSettings {
	title: string;
	message: string;
	responseType: ResponseType;
	/** Approval: whether Decline is offered too. */
	double: boolean;
	approveLabel: string;
	declineLabel: string;
	/** Forms: the link's label in the message. */
	respondLabel: string;
	/** Forms: the page's headline, text and button. */
	formTitle: string;
	formDescription: string;
	submitLabel: string;
	/** Forms: the fields of the page (Free Text: one text area). */
	fields: FormField[];
}

export function readAskSettings(get: ParameterGetter): AskSettings {
	const responseType = text(get('responseType', 'approval')) as ResponseType;
	if (!['approval', 'freeText', 'customForm'].includes(responseType)) {
		throw new Error(
			`Response Type "${responseType}" is not one of Approval, Free Text, Custom Form`,
		);
	}
	const approval = (get('approvalOptions.values', {}) ?? {}) as IDataObject;
	const options = (get('options', {}) ?? {}) as IDataObject;
	const title = text(get('title', '')).trim();
	const message = text(get('message', '')).trim();
	return {
		title,
		message,
		responseType,
		double: approval.approvalType === 'double',
		approveLabel: text(approval.approveLabel).trim() || 'Approve',
		declineLabel: text(approval.disapproveLabel).trim() || 'Decline',
		respondLabel: text(options.messageButtonLabel).trim() || 'Respond',
		formTitle: text(options.responseFormTitle).trim() || title,
		formDescription: text(options.responseFormDescription).trim() || message,
		submitLabel: text(options.responseFormButtonLabel).trim() || 'Submit',
		fields:
			responseType === 'customForm'
				? readFormFields(get)
				: responseType === 'freeText'
					? [FREE_TEXT_FIELD]
					: [],
	};
}

const UNIT_MS: Record<string, number> = {
	minutes: 60_000,
	hours: 3_600_000,
	days: 86_400_000,
};

/**
 * When the wait ends without an answer (Options → Limit Wait Time), or WAIT_INDEFINITELY. Throws an Error naming
 * the field when the limit cannot be a moment in the future.
 */
export function waitTill(get: ParameterGetter, now = Date.now()): Date {
	const limit = get('options.limitWaitTime.values', {}) as IDataObject | undefined;
	if (!limit || Object.keys(limit).length === 0) return WAIT_INDEFINITELY;
	if (limit.limitType === 'atSpecifiedTime') {
		const raw = limit.maxDateAndTime;
		const date = raw instanceof Date ? raw : new Date(raw as string);
		if (raw === '' || raw === undefined || raw === null || Number.isNaN(date.getTime())) {
			throw new Error(
				`Limit Wait Time: Max Date and Time "${text(raw)}" is not a date: pick one, or give an ISO date such as 2026-05-03T18:00:00+08:00`,
			);
		}
		if (date.getTime() <= now) {
			throw new Error(
				`Limit Wait Time: Max Date and Time ${date.toISOString()} has already passed: choose a moment in the future`,
			);
		}
		return date;
	}
	const amount = Number(limit.resumeAmount ?? 1);
	const unit = text(limit.resumeUnit || 'hours');
	if (!Number.isFinite(amount) || amount <= 0 || UNIT_MS[unit] === undefined) {
		throw new Error(
			`Limit Wait Time: Amount ${text(limit.resumeAmount)} ${unit} is not a positive time: give a number above 0 in minutes, hours or days`,
		);
	}
	return new Date(now + Math.round(amount * UNIT_MS[unit]));
}

/** "2026-05-03 18:00 (UTC+8)": the deadline as the workflow's time zone shows it, with the offset. */
export function deadlineText(deadline: Date, timeZone: string): string {
	const format = (zone: string) =>
		new Intl.DateTimeFormat('en-CA', {
			timeZone: zone,
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			hourCycle: 'h23',
			timeZoneName: 'shortOffset',
		}).formatToParts(deadline);
	let parts: Intl.DateTimeFormatPart[];
	try {
		parts = format(timeZone || 'UTC');
	} catch {
		parts = format('UTC');
	}
	const part = (type: Intl.DateTimeFormatPartTypes) =>
		parts.find((p) => p.type === type)?.value ?? '';
	// "GMT+8" → "UTC+8"; "GMT", "UTC+0" → "UTC".
	const offset = part('timeZoneName')
		.replace(/^(GMT|UTC)/, '')
		.replace(/^[+-]0(:00)?$/, '');
	return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} (UTC${offset})`;
}
