import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export const templateIdProperty: INodeProperties = {
	displayName: 'Template ID',
	name: 'templateId',
	type: 'string',
	required: true,
	default: '',
	placeholder: '3WLJF3ajRqRajNpvjWJ8oWfmSa4pZxmxVwNbLQRp',
	description:
		'ID of the approval template (模板ID): in the admin console open 应用管理 → 审批 → the template, and copy the ID from the address bar',
};

/** A text parameter that must not be empty, trimmed. */
export function requiredText(
	this: IExecuteFunctions,
	name: string,
	itemIndex: number,
	fix: string,
	options: { extractValue?: boolean } = {},
): string {
	const value = this.getNodeParameter(name, itemIndex, '', options);
	const text =
		typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
	if (text === '') {
		throw new NodeOperationError(this.getNode(), fix, { itemIndex });
	}
	return text;
}
