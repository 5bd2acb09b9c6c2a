import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { listOrIdLocator, locatorText } from '../../../shared/locator';

/** Process codes look like PROC-XXXXXXXX-...; anything else non-empty is let through for DingTalk to judge. */
const PROCESS_CODE_HINT = 'PROC-17428B8C-6C60-470E-924C-64F1037AE067';

/** The approval form (审批表单) picker: the organisation's forms, searchable, or a process code. */
export function processCodeField(description: string): INodeProperties {
	return listOrIdLocator({
		displayName: 'Approval Form',
		name: 'processCode',
		description,
		searchListMethod: 'searchApprovalForms',
		id: {
			displayName: 'By Process Code',
			placeholder: PROCESS_CODE_HINT,
			hint: "The process code (审批模板 process code) from the form's edit page address in the OA admin console (审批管理后台)",
		},
	});
}

interface UserFieldOptions {
	name: string;
	displayName: string;
	description: string;
	required?: boolean;
}

/** A member picker: searchable by name (searchUsers, the User resource's), or a userid (also from an expression). */
export function userField(options: UserFieldOptions): INodeProperties {
	return listOrIdLocator({
		...options,
		searchListMethod: 'searchUsers',
		id: {
			displayName: 'By User ID',
			placeholder: 'manager4220',
			hint: "The member's userid (员工 UserID), not the name or mobile",
		},
	});
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

/** The chosen form's process code; `what` says which form the operation wants ("the form to start"). */
export function readProcessCode(this: IExecuteFunctions, itemIndex: number, what: string): string {
	return requiredText.call(
		this,
		'processCode',
		itemIndex,
		`Approval Form is empty: pick ${what} from the list, or enter its process code`,
	);
}

/** The approval instance's id; `what` says which one the operation wants ("the approval to terminate"). */
export function readInstanceId(this: IExecuteFunctions, itemIndex: number, what: string): string {
	return requiredText.call(
		this,
		'processInstanceId',
		itemIndex,
		`Approval Instance ID is empty: enter the processInstanceId (审批实例ID) of ${what}`,
	);
}

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
