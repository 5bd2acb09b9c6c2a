import type {
	ILoadOptionsFunctions,
	INodePropertyOptions,
	ResourceMapperFields,
} from 'n8n-workflow';

import {
	columnChoices,
	columnOptionChoices,
	mapperFields,
	peopleChoices,
} from '../../shared/approvalForm';
import { pickerParameter } from '../../shared/pickerParameter';
import { fetchTemplate, templateControls, zhText } from '../resources/approval/template';

/** The template in Template ID, with its controls as the form editor shows them. */
async function editorTemplate(this: ILoadOptionsFunctions) {
	const templateId = pickerParameter(this, 'templateId', {
		empty: 'Enter the Template ID first: the form fields are read from the template',
		expression:
			'Template ID is an expression that cannot be resolved here: enter a fixed Template ID to fill the form field by field, or use Form Input: JSON',
	});
	const template = await fetchTemplate.call(this, templateId);
	return { template, templateId, controls: templateControls(template) };
}

/** Submit's Form Fields: one per control of the template, with its kind of input. */
async function getApprovalFormFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const { template, templateId, controls } = await editorTemplate.call(this);
	return {
		fields: mapperFields(controls).map((f) => f.field),
		emptyFieldsNotice: `The template "${zhText(template.names) || templateId}" has no controls to fill`,
	};
}

export const approvalResourceMapping = { getApprovalFormFields };

export const approvalLoadOptions = {
	/** A Table Rows cell's Column list: the columns of the template's tables. */
	async getApprovalTableColumns(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return columnChoices((await editorTemplate.call(this)).controls);
	},
	/** A select column's options, for a cell's Option list. */
	async getApprovalColumnOptions(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		const column = this.getCurrentNodeParameter('&column');
		return columnOptionChoices((await editorTemplate.call(this)).controls, column);
	},
	/** The template's member and department controls, for People and Departments. */
	async getApprovalPeopleFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		return peopleChoices((await editorTemplate.call(this)).controls);
	},
};
