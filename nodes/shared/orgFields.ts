import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkText } from './checks';
import { locatorText } from './locator';

/** A positive whole number of at most `digits` digits, as the ID pattern of a picker's By ID mode. */
export function positiveIdPattern(digits: number): string {
	return `^[1-9][0-9]{0,${digits - 1}}$`;
}

/** What an ID of one kind may be: its pattern and largest value, the root of its tree, what the error calls it. */
export interface PositiveIdLimits {
	pattern: string;
	max: number;
	root?: string;
	idName?: string;
}

/**
 * A department (or tag) ID from a picker or typed: a positive whole number of the platform's size. The error names
 * the field as the UI labels it and says how to fix it; `root` adds where the tree starts.
 */
export function readPositiveId(
	this: IExecuteFunctions,
	name: string,
	itemIndex: number,
	label: string,
	limits: PositiveIdLimits,
): number {
	const root = limits.root ? ` (${limits.root})` : '';
	const value = checkText(this, locatorText(this, name, itemIndex), itemIndex, label, {
		valid: (text) => new RegExp(limits.pattern).test(text) && Number(text) <= limits.max,
		whenEmpty: `pick one from the list or enter its ID${root}`,
		invalid: `is not a valid ${limits.idName ?? 'ID'}: enter a positive whole number${root}`,
	});
	return Number(value);
}

/** User → Get Many's choice between one department and the whole organisation. */
export function memberScopeField(descriptions: {
	department: string;
	organisation: string;
}): INodeProperties {
	return {
		displayName: 'Scope',
		name: 'scope',
		type: 'options',
		options: [
			{ name: 'Department', value: 'department', description: descriptions.department },
			{ name: 'Whole Organisation', value: 'organization', description: descriptions.organisation },
		],
		default: 'department',
		description: 'Where to list members from',
	};
}

/** User → Get ID by Mobile's one field. */
export function mobileField(description: string): INodeProperties {
	return {
		displayName: 'Mobile',
		name: 'mobile',
		type: 'string',
		default: '',
		required: true,
		placeholder: '13800138000',
		description,
	};
}
