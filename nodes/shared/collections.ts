import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

export interface RepeatingGroupOptions {
	displayName: string;
	name: string;
	placeholder: string;
	description: string;
	/** What one entry is called, and the key its values come under (`<name>.<entryName>` is the list). */
	entry: { displayName: string; name: string };
	values: INodeProperties[];
	/** Whether the order of entries matters (approval levels do). */
	sortable?: boolean;
	displayOptions?: IDisplayOptions;
}

/** A list of entries of the same fields (a fixedCollection with multiple values). */
export function repeatingGroup(options: RepeatingGroupOptions): INodeProperties {
	return {
		displayName: options.displayName,
		name: options.name,
		type: 'fixedCollection',
		placeholder: options.placeholder,
		default: {},
		typeOptions: { multipleValues: true, ...(options.sortable ? { sortable: true } : {}) },
		...(options.displayOptions ? { displayOptions: options.displayOptions } : {}),
		description: options.description,
		options: [{ ...options.entry, values: options.values }],
	};
}

/** How the approvers of one level decide: names both platforms use. */
export const SIGN_MODE = {
	and: 'And-Sign (会签): All Must Approve',
	or: 'Or-Sign (或签): Any One Approves',
} as const;

/**
 * Approval levels in order, shown when the approval flow is `custom`: each level's sign mode and approvers are the
 * platform's own fields.
 */
export function approverLevelsField(
	description: string,
	values: INodeProperties[],
): INodeProperties {
	return repeatingGroup({
		displayName: 'Approvers',
		name: 'approvers',
		placeholder: 'Add Approval Level',
		description,
		entry: { displayName: 'Level', name: 'levels' },
		values,
		sortable: true,
		displayOptions: { show: { approvalFlow: ['custom'] } },
	});
}

/** How a form is given: field by field, or as the platform's JSON. */
export function formInputField(
	name: string,
	descriptions: { fields: string; json: string },
): INodeProperties {
	return {
		displayName: 'Form Input',
		name,
		type: 'options',
		noDataExpression: true,
		default: 'fields',
		options: [
			{ name: 'Form Fields', value: 'fields', description: descriptions.fields },
			{ name: 'JSON', value: 'json', description: descriptions.json },
		],
	};
}

/** The "Options" collection an operation keeps its optional settings in. */
export function optionsCollection(
	options: INodeProperties[],
	displayOptions?: IDisplayOptions,
): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		...(displayOptions ? { displayOptions } : {}),
		options,
	};
}
