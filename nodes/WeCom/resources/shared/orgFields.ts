import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { TextRule } from '../../../shared/checks';
import { locatorField, type LocatorOptions } from '../../../shared/locator';
import { positiveIdPattern, type PositiveIdLimits } from '../../../shared/orgFields';

/** WeCom userids: 1–64 letters, digits and `_ - @ .` (the admin console refuses anything else). */
export const USER_ID_PATTERN = '^[A-Za-z0-9_.@-]{1,64}$';

/** Department and tag ids are positive 32-bit integers. */
export const NUMERIC_ID_PATTERN = positiveIdPattern(10);

export function userLocator(options: LocatorOptions): INodeProperties {
	return locatorField(options, {
		searchListMethod: 'searchUsers',
		pattern: USER_ID_PATTERN,
		placeholder: 'zhangsan',
		errorMessage: 'A userid has 1–64 letters, digits, "_", "-", "@" or "."',
	});
}

export function departmentLocator(options: LocatorOptions): INodeProperties {
	return locatorField(options, {
		searchListMethod: 'searchDepartments',
		pattern: NUMERIC_ID_PATTERN,
		placeholder: '2',
		errorMessage: 'A department ID is a positive whole number (the root department is 1)',
	});
}

export function tagLocator(options: LocatorOptions): INodeProperties {
	return locatorField(options, {
		searchListMethod: 'searchTags',
		pattern: NUMERIC_ID_PATTERN,
		placeholder: '1',
		errorMessage: 'A tag ID is a positive whole number',
	});
}

/** One userid, or several separated by | or , (the By ID mode of a recipient list takes either). */
const USER_IDS_PATTERN = '^\\s*[A-Za-z0-9_.@-]{1,64}(\\s*[|,，]\\s*[A-Za-z0-9_.@-]{1,64})*\\s*$';
const NUMERIC_IDS_PATTERN = '^\\s*[1-9][0-9]{0,9}(\\s*[|,，]\\s*[1-9][0-9]{0,9})*\\s*$';

interface ListFieldOptions {
	name: string;
	displayName: string;
	description: string;
	displayOptions?: INodeProperties['displayOptions'];
}

/**
 * A list of members or departments, each picked with a searchable, paged locator (the pickers stay quick in a corp of
 * 10,000) or given By ID. One entry may also be an expression giving several IDs (an array, or IDs separated by | or ,),
 * so recipients from the data need no entry per person. Read with `readLocatorList`.
 */
function locatorList(
	options: ListFieldOptions,
	entry: { name: string; displayName: string },
	field: INodeProperties,
): INodeProperties {
	return {
		displayName: options.displayName,
		name: options.name,
		type: 'fixedCollection',
		placeholder: `Add ${entry.displayName}`,
		typeOptions: { multipleValues: true },
		default: {},
		...(options.displayOptions ? { displayOptions: options.displayOptions } : {}),
		description: options.description,
		options: [{ name: entry.name, displayName: entry.displayName, values: [field] }],
	};
}

export function userList(options: ListFieldOptions): INodeProperties {
	return locatorList(
		options,
		{ name: 'user', displayName: 'User' },
		locatorField(
			{
				name: 'id',
				displayName: 'User',
				description:
					'A member: search by name or userid, or give the userid; an expression may give several (an array, or userids separated by | or ,)',
			},
			{
				searchListMethod: 'searchUsers',
				pattern: USER_IDS_PATTERN,
				placeholder: 'zhangsan',
				errorMessage:
					'One or more userids (letters, digits, "_", "-", "@", "."), separated by | or ,',
			},
		),
	);
}

export function departmentList(options: ListFieldOptions): INodeProperties {
	return locatorList(
		options,
		{ name: 'department', displayName: 'Department' },
		locatorField(
			{
				name: 'id',
				displayName: 'Department',
				description:
					'A department: search by name or path, or give its ID; an expression may give several (an array, or IDs separated by | or ,)',
			},
			{
				searchListMethod: 'searchDepartments',
				pattern: NUMERIC_IDS_PATTERN,
				placeholder: '2',
				errorMessage: 'One or more department IDs (positive whole numbers), separated by | or ,',
			},
		),
	);
}

/**
 * The values of a `userList` / `departmentList` parameter, one per entry (a locator's value may be an expression's
 * array; an empty one adds nothing, so an expression may give no one for some items). A plain value (a whole-field
 * expression in a hand-written workflow) is taken as it is.
 */
export function readLocatorList(
	this: IExecuteFunctions,
	name: string,
	entryName: string,
	itemIndex: number,
): unknown[] {
	const raw = this.getNodeParameter(name, itemIndex, {}) as unknown;
	if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return [raw];
	const entries = (raw as IDataObject)[entryName];
	if (!Array.isArray(entries)) return [];
	return entries.map((entry) => {
		const id = (entry as IDataObject | null)?.id as unknown;
		return typeof id === 'object' && id !== null && !Array.isArray(id) && '__rl' in id
			? (id as { value?: unknown }).value
			: id;
	});
}

/** A WeCom userid from a `userLocator` (for readLocator). */
export const USER_ID_RULE: TextRule = {
	valid: (value) => new RegExp(USER_ID_PATTERN).test(value),
	whenEmpty: 'pick a member from the list or enter a userid',
	invalid: 'is not a valid userid: it has 1–64 letters, digits, "_", "-", "@" or "."',
};

/** Department and tag IDs: positive 32-bit integers (for readPositiveId). */
export const NUMERIC_ID: PositiveIdLimits = { pattern: NUMERIC_ID_PATTERN, max: 0xffffffff };

/** WeCom answers carry errcode/errmsg beside the data; the items should hold only the data. */
export function withoutStatus(answer: IDataObject): IDataObject {
	const data = { ...answer };
	delete data.errcode;
	delete data.errmsg;
	return data;
}

/** A list field of a WeCom answer, tolerating its absence (an empty scope answers without it). */
export function listOf(answer: IDataObject, field: string): IDataObject[] {
	const value = answer[field];
	return Array.isArray(value) ? (value as IDataObject[]) : [];
}
