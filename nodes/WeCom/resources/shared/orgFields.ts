import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { checkText } from '../../../shared/checks';
import { locatorField, locatorText, type LocatorOptions } from '../../../shared/locator';

/** WeCom userids: 1–64 letters, digits and `_ - @ .` (the admin console refuses anything else). */
export const USER_ID_PATTERN = '^[A-Za-z0-9_.@-]{1,64}$';

/** Department and tag ids are positive 32-bit integers. */
export const NUMERIC_ID_PATTERN = '^[1-9][0-9]{0,9}$';

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

export function readUserId(
	this: IExecuteFunctions,
	name: string,
	itemIndex: number,
	label = 'User',
): string {
	return checkText(this, locatorText(this, name, itemIndex), itemIndex, label, {
		valid: (value) => new RegExp(USER_ID_PATTERN).test(value),
		whenEmpty: 'pick a member from the list or enter a userid',
		invalid: 'is not a valid userid: it has 1–64 letters, digits, "_", "-", "@" or "."',
	});
}

export function readNumericId(
	this: IExecuteFunctions,
	name: string,
	itemIndex: number,
	label: string,
): number {
	const value = checkText(this, locatorText(this, name, itemIndex), itemIndex, label, {
		valid: (text) => new RegExp(NUMERIC_ID_PATTERN).test(text) && Number(text) <= 0xffffffff,
		whenEmpty: 'pick one from the list or enter its ID',
		invalid: 'is not a valid ID: enter a positive whole number',
	});
	return Number(value);
}

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
