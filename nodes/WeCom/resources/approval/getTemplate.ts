import type { IExecuteFunctions } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import { requiredText, templateIdProperty } from './fields';
import { cleanControl, enText, fetchTemplate, zhText } from './template';

export const getTemplateOperation: NodeOperation = {
	value: 'getTemplate',
	name: 'Get Template',
	action: 'Get an approval template',
	description:
		"Get a template's name and its controls (form fields), e.g. to see what Submit needs",
	properties: [templateIdProperty],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const templateId = requiredText.call(
			this,
			'templateId',
			itemIndex,
			'Template ID is empty: enter the ID of an approval template (模板ID)',
		);
		const template = await fetchTemplate.call(this, templateId, itemIndex);
		return {
			template_id: templateId,
			template_name: zhText(template.names),
			template_name_en: enText(template.names),
			controls: template.controls.map(cleanControl),
		};
	},
};
