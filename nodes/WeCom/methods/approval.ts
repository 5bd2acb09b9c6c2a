import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import {
	controlLabel,
	fetchTemplate,
	isRequired,
	optionText,
} from '../resources/approval/template';
import type { TemplateControl } from '../resources/approval/template';
import { pickerParameter } from '../../shared/pickerParameter';

function describe(control: TemplateControl): string {
	const { config = {} } = control;
	const notes = [isRequired(control) ? 'Required' : 'Optional'];
	if (config.selector) {
		const kind = config.selector.type === 'multi' ? 'one or more of' : 'one of';
		notes.push(`${kind}: ${(config.selector.options ?? []).map(optionText).join(', ')}`);
	}
	if (config.contact) {
		const what = config.contact.type === 'department' ? 'department IDs' : 'user IDs';
		notes.push(config.contact.mode === 'multi' ? `${what}, comma-separated` : `one of the ${what}`);
	}
	if (config.date) notes.push(config.date.type === 'hour' ? 'date and time' : 'date');
	if (config.table) {
		notes.push(
			`JSON rows with columns ${(config.table.children ?? []).map(controlLabel).join(', ')}`,
		);
	}
	if (control.property.control === 'File') notes.push('name of a binary property');
	return notes.join(' · ');
}

export const approvalLoadOptions = {
	/** The controls of the template in the Template ID field, for Submit's Form Fields. */
	async getTemplateControls(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
		const templateId = pickerParameter(this, 'templateId', {
			empty: 'Enter the Template ID first: the controls are read from the template',
			expression:
				'Template ID is an expression that cannot be resolved here: enter a fixed Template ID to pick controls, or give control IDs by expression',
		});
		const template = await fetchTemplate.call(this, templateId);
		return template.controls.map((control) => ({
			name: controlLabel(control),
			value: control.property.id,
			description: describe(control),
		}));
	},
};
