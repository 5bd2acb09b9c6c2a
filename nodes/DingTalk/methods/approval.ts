import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
	INodePropertyOptions,
	ResourceMapperFields,
} from 'n8n-workflow';

import {
	columnChoices,
	columnOptionChoices,
	mapperFields,
	peopleChoices,
} from '../../shared/approvalForm';
import { fetchForm, formControls, kitRefusal } from '../resources/approval/form';
import { pickerParameter } from '../../shared/pickerParameter';
import { dingTalkApiRequest } from '../transport';

/** The largest page the form list gives. */
const FORMS_PER_PAGE = 100;

/**
 * Approval form picker: every form of the organisation (the user-visible-forms API without a userId lists them all),
 * 100 per page, matched on name, group and process code.
 */
export async function searchApprovalForms(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const answer = await dingTalkApiRequest.call(this, {
		method: 'GET',
		path: '/v1.0/workflow/processes/userVisibilities/templates',
		qs: { maxResults: FORMS_PER_PAGE, nextToken: Number(paginationToken ?? 0) || 0 },
	});
	const result = (answer.result ?? {}) as IDataObject;
	const forms = Array.isArray(result.processList) ? (result.processList as IDataObject[]) : [];
	const needle = (filter ?? '').trim().toLowerCase();
	const results: INodeListSearchItems[] = [];
	for (const form of forms) {
		const code = String(form.processCode ?? '');
		if (!code) continue;
		const name = String(form.name ?? code);
		const group = String(form.dirName ?? '');
		if (needle && ![name, group, code].some((text) => text.toLowerCase().includes(needle))) {
			continue;
		}
		results.push({
			name: group ? `${name} (${group})` : name,
			value: code,
			...(typeof form.url === 'string' && form.url ? { url: form.url } : {}),
		});
	}
	const next = result.nextToken;
	return {
		results,
		paginationToken:
			next !== undefined && next !== null && String(next) !== '' ? String(next) : undefined,
	};
}

/** The form in Approval Form, with its fillable components as the form editor shows them. */
async function editorForm(this: ILoadOptionsFunctions) {
	const processCode = pickerParameter(this, 'processCode', {
		empty: 'Choose the Approval Form first: its fields are read from the form',
		expression:
			'Approval Form is an expression that cannot be resolved here: choose a form (or a fixed process code) to see its fields, or use Form Input: JSON',
	});
	const form = await fetchForm.call(this, processCode);
	return { form, processCode, controls: formControls(form) };
}

/** The Form Fields of Start: one per component of the chosen form that the API can fill, with its kind of input. */
export async function getApprovalFormFields(
	this: ILoadOptionsFunctions,
): Promise<ResourceMapperFields> {
	const { form, processCode, controls } = await editorForm.call(this);
	const refusal = kitRefusal(form);
	if (refusal) return { fields: [], emptyFieldsNotice: refusal };
	return {
		fields: mapperFields(controls).map((f) => f.field),
		emptyFieldsNotice: `The form "${form.name || processCode}" has no fields the API can fill`,
	};
}

/** A Table Rows cell's Column list: the columns of the form's tables. */
async function getApprovalTableColumns(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	return columnChoices((await editorForm.call(this)).controls);
}

/** A select column's options, for a cell's Option list. */
async function getApprovalColumnOptions(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const column = this.getCurrentNodeParameter('&column');
	return columnOptionChoices((await editorForm.call(this)).controls, column);
}

/** The form's contact and department fields, for People and Departments. */
async function getApprovalPeopleFields(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	return peopleChoices((await editorForm.call(this)).controls);
}

export const approvalListSearch = { searchApprovalForms };

export const approvalResourceMapping = { getApprovalFormFields };

export const approvalLoadOptions = {
	getApprovalTableColumns,
	getApprovalColumnOptions,
	getApprovalPeopleFields,
};
