import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
	ResourceMapperField,
	ResourceMapperFields,
} from 'n8n-workflow';

import { fetchForm, kitRefusal } from '../resources/approval/form';
import {
	isRequired,
	kindOf,
	nameOf,
	notSubmittableReason,
	optionsOf,
	titleOf,
} from '../resources/approval/components';
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

/** The Form Fields of Start: one per component of the chosen form that the API can fill. */
export async function getApprovalFormFields(
	this: ILoadOptionsFunctions,
): Promise<ResourceMapperFields> {
	const processCode = pickerParameter(this, 'processCode', {
		empty: 'Choose the Approval Form first: its fields are read from the form',
		expression:
			'Approval Form is an expression that cannot be resolved here: choose a form (or a fixed process code) to see its fields, or use Form Input: JSON',
	});
	const form = await fetchForm.call(this, processCode);
	const refusal = kitRefusal(form);
	if (refusal) return { fields: [], emptyFieldsNotice: refusal };
	const submittable = form.components.filter((c) => !notSubmittableReason(c));
	const names = submittable.map(nameOf);
	const fields = submittable.map((component, index): ResourceMapperField => {
		const kind = kindOf(component);
		const options = optionsOf(component);
		const select = component.componentName === 'DDSelectField' && options.length > 0;
		// Two components with one label cannot both be keyed by it: the later ones are keyed by their id.
		const name = names[index];
		const id = names.indexOf(name) === index ? name : component.props.id;
		return {
			id,
			displayName: select
				? `${titleOf(component)} (${kind.name})`
				: `${titleOf(component)} (${kind.name}: ${kind.example})`,
			required: isRequired(component),
			defaultMatch: false,
			canBeUsedToMatch: false,
			display: true,
			type: select ? 'options' : 'string',
			...(select ? { options: options.map((o) => ({ name: o.text, value: o.text })) } : {}),
		};
	});
	return {
		fields,
		emptyFieldsNotice: `The form "${form.name || processCode}" has no fields the API can fill`,
	};
}

export const approvalListSearch = { searchApprovalForms };

export const approvalResourceMapping = { getApprovalFormFields };
