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

/**
 * Several members, in two fields side by side: `<name>` takes userids as text (comma-separated, or an expression
 * giving an array), `<name>Picked` adds members one by one with the searchable picker. n8n has no multi-select that
 * searches and pages, so a list of pickers is the picker for many; read both with `readUserIds`.
 */
export function usersField(options: LocatorOptions): INodeProperties[] {
	return [
		{
			displayName: `${options.displayName} (User IDs)`,
			name: options.name,
			type: 'string',
			default: '',
			placeholder: 'manager4220, dev001',
			hint: ID_LIST_HINT,
			description: `${options.description} Combined with the members picked below`,
		},
		{
			displayName: `${options.displayName} (Picked)`,
			name: `${options.name}Picked`,
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Pick a Member',
			default: {},
			description: `${options.description} Combined with the user IDs above`,
			options: [
				{
					displayName: 'Member',
					name: 'member',
					values: [
						userField({
							name: 'user',
							displayName: 'Member',
							description: 'Search by name, userid or mobile, or enter a userid',
						}),
					],
				},
			],
		},
	];
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

/** The userids of a `usersField` pair, typed ones first, then picked ones; duplicates dropped, order kept. */
export function readUserIds(
	this: IExecuteFunctions,
	name: string,
	itemIndex: number,
	label: string,
): string[] {
	const typed = this.getNodeParameter(name, itemIndex, '') as unknown;
	// Each picked entry is a resource locator value ({mode, value}); toIdList reads its value.
	const picked = this.getNodeParameter(`${name}Picked.member`, itemIndex, []) as Array<{
		user?: unknown;
	}>;
	const { ids, unreadable } = toIdList([
		typed,
		...(Array.isArray(picked) ? picked.map((entry) => entry?.user) : []),
	]);
	if (unreadable.length > 0) {
		throw new NodeOperationError(
			this.getNode(),
			`${label}: cannot read ${JSON.stringify(unreadable[0]).slice(0, 80)} as a userid; give userids separated by commas, or an array of them`,
			{ itemIndex },
		);
	}
	return ids.map((id) => checkText(this, id, itemIndex, label, USER_ID_RULE));
}

/** The old family wraps its data in `result`; items should hold only the data. */
export function resultOf(answer: IDataObject): IDataObject {
	const result = answer.result;
	return result !== null && typeof result === 'object' && !Array.isArray(result)
		? (result as IDataObject)
		: {};
}
