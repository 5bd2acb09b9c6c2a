import type { IExecuteFunctions } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import { cleanComponent } from './components';
import { processCodeField, readProcessCode } from './fields';
import { fetchForm, kitRefusal } from './form';

export const getFormSchemaOperation: NodeOperation = {
	value: 'getFormSchema',
	name: 'Get Form Schema',
	action: 'Get an approval form schema',
	description:
		"Get a form's components (控件) with the value format each takes, e.g. to see what Start needs",
	properties: [processCodeField('The approval form (审批表单) whose components to list')],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const processCode = readProcessCode.call(this, itemIndex, 'the form whose components to list');
		const form = await fetchForm.call(this, processCode, itemIndex);
		const refusal = kitRefusal(form);
		return {
			processCode,
			name: form.name,
			startable: refusal === undefined,
			...(refusal ? { notStartable: refusal } : {}),
			components: form.components.map(cleanComponent),
		};
	},
};
