import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { chunks } from '../../../shared/idList';
import { departmentsField, readDepartmentIds, readUserIds, usersField } from '../shared/org';

/** asyncsend_v2's per-call limits; longer lists are sent in several calls. */
export const MAX_USERS_PER_CALL = 100;
export const MAX_DEPARTMENTS_PER_CALL = 20;

export const workNotificationRecipientProperties: INodeProperties[] = [
	{
		displayName: 'To All (全员)',
		name: 'toAll',
		type: 'boolean',
		default: false,
		description: 'Whether to send to everyone in the organisation (to_all_user)',
	},
	...usersField({
		displayName: 'Users',
		name: 'userIds',
		displayOptions: { show: { toAll: [false] } },
		description: `Members (员工) to send to; more than ${MAX_USERS_PER_CALL} are sent in several calls.`,
	}),
	...departmentsField({
		displayName: 'Departments',
		name: 'departmentIds',
		displayOptions: { show: { toAll: [false] } },
		description: `Departments whose members (sub-departments included) receive the message; more than ${MAX_DEPARTMENTS_PER_CALL} are sent in several calls.`,
	}),
];

export interface WorkRecipients {
	toAll: boolean;
	users: string[];
	departments: string[];
}

export function readWorkRecipients(this: IExecuteFunctions, itemIndex: number): WorkRecipients {
	const toAll = this.getNodeParameter('toAll', itemIndex, false) as boolean;
	if (toAll) return { toAll, users: [], departments: [] };
	const recipients = {
		toAll,
		users: readUserIds.call(this, 'userIds', itemIndex, 'Users'),
		departments: readDepartmentIds.call(this, 'departmentIds', itemIndex, 'Departments'),
	};
	if (!recipients.users.length && !recipients.departments.length) {
		throw new NodeOperationError(
			this.getNode(),
			'No recipient: pick or give at least one user or department, or turn on "To All (全员)"',
			{ itemIndex },
		);
	}
	return recipients;
}

export interface RecipientBatch {
	users: string[];
	departments: string[];
	toAll: boolean;
}

/** Call i carries the i-th slice of each list, so the number of calls is the fewest the per-call limits allow. */
export function recipientBatches(recipients: WorkRecipients): RecipientBatch[] {
	if (recipients.toAll) return [{ users: [], departments: [], toAll: true }];
	const users = chunks(recipients.users, MAX_USERS_PER_CALL);
	const departments = chunks(recipients.departments, MAX_DEPARTMENTS_PER_CALL);
	return Array.from({ length: Math.max(users.length, departments.length) }, (_, i) => ({
		users: users[i] ?? [],
		departments: departments[i] ?? [],
		toAll: false,
	}));
}

/** The recipient fields of asyncsend_v2 for one batch. */
export function recipientFields(batch: RecipientBatch): IDataObject {
	if (batch.toAll) return { to_all_user: true };
	const fields: IDataObject = {};
	if (batch.users.length) fields.userid_list = batch.users.join(',');
	if (batch.departments.length) fields.dept_id_list = batch.departments.join(',');
	return fields;
}
