import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { idsFrom, readIdList } from '../../../shared/idList';
import { departmentList, readLocatorList, userList } from '../shared/orgFields';

/** WeCom's per-call limits for message/send; bigger lists are sent in several calls. */
export const MAX_USERS_PER_CALL = 1000;
export const MAX_PARTIES_PER_CALL = 100;
export const MAX_TAGS_PER_CALL = 100;

/** Shown under the ID pickers: what an expression may give. */
export const ID_LIST_HINT =
	'An expression may give an array of IDs or one string of IDs separated by | or ,';

export const recipientProperties: INodeProperties[] = [
	{
		displayName: 'To All',
		name: 'toAll',
		type: 'boolean',
		default: false,
		description:
			"Whether to send to every member in the app's visibility scope (可见范围; touser @all)",
	},
	userList({
		displayName: 'Users',
		name: 'toUsers',
		displayOptions: { show: { toAll: [false] } },
		description:
			'Members (成员) to send to: one entry per member, searched by name or userid; or one entry By ID whose expression gives many (e.g. {{ $json.userids }})',
	}),
	departmentList({
		displayName: 'Departments',
		name: 'toDepartments',
		displayOptions: { show: { toAll: [false] } },
		description:
			'Departments (部门) whose members receive the message: one entry per department, searched by name; or one entry By ID whose expression gives many',
	}),
	{
		displayName: 'Tag Names or IDs',
		name: 'toTags',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getTags' },
		default: [],
		displayOptions: { show: { toAll: [false] } },
		hint: ID_LIST_HINT,
		description:
			'Tags (标签) whose members receive the message. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
];

export interface Recipients {
	toAll: boolean;
	users: string[];
	departments: string[];
	tags: string[];
}

/** The recipients of one item, checked: at least one is required. */
export function readRecipients(this: IExecuteFunctions, itemIndex: number): Recipients {
	const toAll = this.getNodeParameter('toAll', itemIndex, false) as boolean;
	if (toAll) return { toAll, users: [], departments: [], tags: [] };
	const recipients: Recipients = {
		toAll,
		users: idsFrom.call(
			this,
			itemIndex,
			readLocatorList.call(this, 'toUsers', 'user', itemIndex),
			'Users',
		),
		departments: idsFrom.call(
			this,
			itemIndex,
			readLocatorList.call(this, 'toDepartments', 'department', itemIndex),
			'Departments',
			true,
		),
		tags: readIdList.call(this, itemIndex, 'toTags', 'Tags', true),
	};
	if (!recipients.users.length && !recipients.departments.length && !recipients.tags.length) {
		throw new NodeOperationError(
			this.getNode(),
			'No recipient: choose at least one user, department or tag, or turn on "To All" (@all)',
			{ itemIndex },
		);
	}
	return recipients;
}

function chunk(list: string[], size: number, index: number): string[] {
	return list.slice(index * size, (index + 1) * size);
}

/**
 * The touser/toparty/totag fields of each call. WeCom takes at most 1,000 users and 100 departments and tags per
 * call; call i carries the i-th slice of each list, so the number of calls is the fewest that fit.
 */
export function recipientBatches(recipients: Recipients): IDataObject[] {
	if (recipients.toAll) return [{ touser: '@all' }];
	const calls = Math.max(
		Math.ceil(recipients.users.length / MAX_USERS_PER_CALL),
		Math.ceil(recipients.departments.length / MAX_PARTIES_PER_CALL),
		Math.ceil(recipients.tags.length / MAX_TAGS_PER_CALL),
	);
	const batches: IDataObject[] = [];
	for (let i = 0; i < calls; i++) {
		const batch: IDataObject = {};
		const users = chunk(recipients.users, MAX_USERS_PER_CALL, i);
		const parties = chunk(recipients.departments, MAX_PARTIES_PER_CALL, i);
		const tags = chunk(recipients.tags, MAX_TAGS_PER_CALL, i);
		if (users.length) batch.touser = users.join('|');
		if (parties.length) batch.toparty = parties.join('|');
		if (tags.length) batch.totag = tags.join('|');
		batches.push(batch);
	}
	return batches;
}

/** WeCom answers invalid recipients as '|'-joined strings; the node outputs arrays. */
export function splitInvalid(value: unknown): string[] {
	if (Array.isArray(value)) return value.map(String).filter((v) => v !== '');
	if (typeof value !== 'string' && typeof value !== 'number') return [];
	return String(value)
		.split('|')
		.filter((v) => v !== '');
}
