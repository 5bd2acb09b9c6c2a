import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { checkText, type TextRule } from '../../../shared/checks';
import { toIdList } from '../../../shared/idList';
import { locatorField, type LocatorOptions } from '../../../shared/locator';
import { positiveIdPattern, type PositiveIdLimits } from '../../../shared/orgFields';

/** DingTalk department ids are positive integers (the root is 1). */
export const DEPARTMENT_ID_PATTERN = positiveIdPattern(19);

/**
 * DingTalk userids (员工 userId): set by DingTalk or by the admin, up to 64 characters; never blank, never with
 * whitespace or the separators a list of them uses.
 */
export const USER_ID_PATTERN = '^[^\\s,，|]{1,64}$';

const ID_LIST_HINT =
	'Comma-separated userids, or an expression giving an array of userids (or of objects with a userid)';

interface DepartmentFieldOptions extends LocatorOptions {
	/** Start at the root department (1) rather than empty. */
	defaultRoot?: boolean;
}

/** A department picker: from the organisation's tree (searchable, paged), or by ID. */
export function departmentField(options: DepartmentFieldOptions): INodeProperties {
	const field = locatorField(options, {
		searchListMethod: 'searchDepartments',
		pattern: DEPARTMENT_ID_PATTERN,
		placeholder: '1',
		errorMessage: 'A department ID is a positive whole number (the root department is 1)',
	});
	if (options.defaultRoot) field.default = { mode: 'id', value: '1' };
	return field;
}

/** A picker for one member: searched by name, userid or mobile across the organisation, or by userid. */
export function userField(options: LocatorOptions): INodeProperties {
	return locatorField(options, {
		searchListMethod: 'searchUsers',
		pattern: USER_ID_PATTERN,
		placeholder: 'manager4220',
		errorMessage: 'A userid has 1–64 characters without spaces or commas',
	});
}

interface ListFieldOptions extends LocatorOptions {
	displayOptions?: INodeProperties['displayOptions'];
}

/**
 * Several of one kind, in two fields side by side: `<name>` takes IDs as text (comma-separated, or an expression
 * giving an array), `<name>Picked` adds them one by one with the searchable picker. n8n has no multi-select that
 * searches and pages, so a list of pickers is the picker for many; read both with `readPickedIds`.
 */
function pickedListField(
	options: ListFieldOptions,
	kind: {
		what: string;
		placeholder: string;
		hint: string;
		pick: string;
		entry: string;
		picker: INodeProperties;
	},
): INodeProperties[] {
	const shown = options.displayOptions ? { displayOptions: options.displayOptions } : {};
	return [
		{
			displayName: `${options.displayName} (${kind.what})`,
			name: options.name,
			type: 'string',
			default: '',
			placeholder: kind.placeholder,
			hint: kind.hint,
			description: `${options.description} Combined with the ones picked below`,
			...shown,
		},
		{
			displayName: `${options.displayName} (Picked)`,
			name: `${options.name}Picked`,
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: kind.pick,
			default: {},
			description: `${options.description} Combined with the ${kind.what} above`,
			...shown,
			options: [{ displayName: kind.entry, name: kind.entry.toLowerCase(), values: [kind.picker] }],
		},
	];
}

/** Several members: userids typed, and members picked by name, userid or mobile (see pickedListField). */
export function usersField(options: ListFieldOptions): INodeProperties[] {
	return pickedListField(options, {
		what: 'User IDs',
		placeholder: 'manager4220, dev001',
		hint: ID_LIST_HINT,
		pick: 'Pick a Member',
		entry: 'Member',
		picker: userField({
			name: 'user',
			displayName: 'Member',
			description: 'Search by name, userid (or part of it) or mobile, or enter a userid',
		}),
	});
}

/** Several departments: IDs typed, and departments picked from the tree or by name (see pickedListField). */
export function departmentsField(options: ListFieldOptions): INodeProperties[] {
	return pickedListField(options, {
		what: 'Department IDs',
		placeholder: '100, 200',
		hint: 'Comma-separated department IDs, or an expression giving an array of them',
		pick: 'Pick a Department',
		entry: 'Department',
		picker: departmentField({
			name: 'department',
			displayName: 'Department',
			description: 'Search by name (the path is shown), or enter a department ID',
		}),
	});
}

/** Department IDs (for readPositiveId). */
export const DEPARTMENT_ID: PositiveIdLimits = {
	pattern: DEPARTMENT_ID_PATTERN,
	max: Number.MAX_SAFE_INTEGER,
	root: 'the root department is 1',
	idName: 'department ID',
};

/** A DingTalk userid from a `userField` (for readLocator). */
export const USER_ID_RULE: TextRule = {
	valid: (value: string) => new RegExp(USER_ID_PATTERN).test(value),
	whenEmpty: 'pick a member from the list or enter a userid',
	invalid:
		'is not a valid userid: it has 1–64 characters without spaces or commas (the staff ID, not the name)',
};

/** The IDs of a `usersField` / `departmentsField` pair, typed ones first, then picked ones; repeats dropped. */
function readPickedIds(
	this: IExecuteFunctions,
	name: string,
	entry: { list: string; field: string; one: string; many: string },
	itemIndex: number,
	label: string,
	rule: TextRule,
): string[] {
	const typed = this.getNodeParameter(name, itemIndex, '') as unknown;
	// Each picked entry is a resource locator value ({mode, value}); toIdList reads its value.
	const picked = this.getNodeParameter(`${name}Picked.${entry.list}`, itemIndex, []) as Array<
		Record<string, unknown>
	>;
	const { ids, unreadable } = toIdList([
		typed,
		...(Array.isArray(picked) ? picked.map((item) => item?.[entry.field]) : []),
	]);
	if (unreadable.length > 0) {
		throw new NodeOperationError(
			this.getNode(),
			`${label}: cannot read ${JSON.stringify(unreadable[0]).slice(0, 80)} as ${entry.one}; give ${entry.many} separated by commas, or an array of them`,
			{ itemIndex },
		);
	}
	return ids.map((id) => checkText(this, id, itemIndex, label, rule));
}

/** The userids of a `usersField` pair. */
export function readUserIds(
	this: IExecuteFunctions,
	name: string,
	itemIndex: number,
	label: string,
): string[] {
	return readPickedIds.call(
		this,
		name,
		{ list: 'member', field: 'user', one: 'a userid', many: 'userids' },
		itemIndex,
		label,
		USER_ID_RULE,
	);
}

/** The department IDs of a `departmentsField` pair. */
export function readDepartmentIds(
	this: IExecuteFunctions,
	name: string,
	itemIndex: number,
	label: string,
): string[] {
	return readPickedIds.call(
		this,
		name,
		{ list: 'department', field: 'department', one: 'a department ID', many: 'department IDs' },
		itemIndex,
		label,
		DEPARTMENT_ID_RULE,
	);
}

/** A DingTalk department ID (for checkText). */
export const DEPARTMENT_ID_RULE: TextRule = {
	valid: (value: string) => new RegExp(DEPARTMENT_ID_PATTERN).test(value),
	whenEmpty: 'pick a department from the list or enter its ID',
	invalid:
		'is not a department ID: DingTalk identifies departments by positive whole numbers (the root is 1)',
};

/** The old family wraps its data in `result`; items should hold only the data. */
export function resultOf(answer: IDataObject): IDataObject {
	const result = answer.result;
	return result !== null && typeof result === 'object' && !Array.isArray(result)
		? (result as IDataObject)
		: {};
}
