import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { locatorText } from '../shared/org';

/** Process codes look like PROC-XXXXXXXX-...; anything else non-empty is let through for DingTalk to judge. */
const PROCESS_CODE_HINT = 'PROC-17428B8C-6C60-470E-924C-64F1037AE067';

/** The approval form (审批表单) picker: the organisation's forms, searchable, or a process code. */
export function processCodeField(description: string): INodeProperties {
	return {
		displayName: 'Approval Form',
		name: 'processCode',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchApprovalForms', searchable: true },
			},
			{
				displayName: 'By Process Code',
				name: 'id',
				type: 'string',
				placeholder: PROCESS_CODE_HINT,
				hint: "The process code (审批模板 process code) from the form's edit page address in the OA admin console (审批管理后台)",
			},
		],
	};
}

interface UserFieldOptions {
	name: string;
	displayName: string;
	description: string;
	required?: boolean;
}

/** A member picker: searchable by name, or a userid (also from an expression). */
export function userField(options: UserFieldOptions): INodeProperties {
	return {
		displayName: options.displayName,
		name: options.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: options.required ?? true,
		description: options.description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchUsers', searchable: true },
			},
			{
				displayName: 'By User ID',
				name: 'id',
				type: 'string',
				placeholder: 'manager4220',
				hint: "The member's userid (员工 UserID), not the name or mobile",
			},
		],
	};
}

export const instanceIdField: INodeProperties = {
	displayName: 'Approval Instance ID',
	name: 'processInstanceId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'a171de6c-8bxx-4f40-a2d4-xxxxxxxxxxxx',
	description:
		'The approval instance (审批实例) ID, as Start, Get Many or the DingTalk Trigger (processInstanceId) give it',
};

/** A parameter (plain or locator) that must not be empty, trimmed. */
export function requiredText(
	this: IExecuteFunctions,
	name: string,
	itemIndex: number,
	fix: string,
): string {
	const text = locatorText(this, name, itemIndex);
	if (text === '') throw new NodeOperationError(this.getNode(), fix, { itemIndex });
	return text;
}

/** Text of any value: objects and lists as JSON. */
export function asText(value: unknown): string {
	return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value ?? '');
}

/** A list from an array, a JSON array text, or comma-separated text (Chinese commas and new lines too). */
export function textList(value: unknown): string[] {
	let list: unknown = value;
	if (typeof value === 'string' && value.trim().startsWith('[')) {
		try {
			list = JSON.parse(value) as unknown;
		} catch {
			list = value;
		}
	}
	const parts = Array.isArray(list) ? list.map(asText) : asText(list).split(/[,，\n]/);
	return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** User IDs, each once, from any form textList reads. */
export function userIdList(value: unknown): string[] {
	return [...new Set(textList(value))];
}
