import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { locatorText } from './locator';

export interface TextRule {
	valid(value: string): boolean;
	/** Said after "<label> is empty: ". */
	whenEmpty: string;
	/** Said after `<label> "<value>" `. */
	invalid: string;
}

/** The value when the rule accepts it; otherwise an error that names the field as the UI labels it, and the fix. */
export function checkText(
	context: IExecuteFunctions,
	value: string,
	itemIndex: number,
	label: string,
	rule: TextRule,
): string {
	if (rule.valid(value)) return value;
	throw new NodeOperationError(
		context.getNode(),
		value === ''
			? `${label} is empty: ${rule.whenEmpty}`
			: `${label} "${value.slice(0, 80)}" ${rule.invalid}`,
		{ itemIndex },
	);
}

/** Mobiles as both platforms store them: digits, optionally a leading + and the separators some organisations keep. */
const MOBILE_PATTERN = /^\+?[0-9][0-9 -]{3,30}$/;

/** A mobile number parameter, trimmed and checked. */
export function readMobile(this: IExecuteFunctions, name: string, itemIndex: number): string {
	const mobile = String(this.getNodeParameter(name, itemIndex, '') ?? '').trim();
	return checkText(this, mobile, itemIndex, 'Mobile', {
		valid: (value) => MOBILE_PATTERN.test(value),
		whenEmpty: 'enter the mobile number of the member',
		invalid: 'is not a mobile number: use digits, optionally with a leading +',
	});
}

/** The value of a resource locator (picked or typed) when the rule accepts it (see checkText). */
export function readLocator(
	this: IExecuteFunctions,
	name: string,
	itemIndex: number,
	label: string,
	rule: TextRule,
): string {
	return checkText(this, locatorText(this, name, itemIndex), itemIndex, label, rule);
}
