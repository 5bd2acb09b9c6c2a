import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { weComApiRequest } from '../../transport';
import { departmentLocator, listOf, NUMERIC_ID } from '../shared/orgFields';
import { limitList, returnAllFields } from '../../../shared/listFields';
import { optionsCollection } from '../../../shared/collections';
import { memberScopeField, readPositiveId } from '../../../shared/orgFields';
import type { NodeOperation } from '../../../shared/operations';

/** user/list_id takes at most 10,000 user–department pairs per call. */
const LIST_ID_MAX_PAGE = 10000;

async function membersOfDepartment(this: IExecuteFunctions, itemIndex: number) {
	const departmentId = readPositiveId.call(
		this,
		'departmentId',
		itemIndex,
		'Department',
		NUMERIC_ID,
	);
	const fetchChild = this.getNodeParameter('fetchChild', itemIndex, false) as boolean;
	const simple = this.getNodeParameter('useSimpleList', itemIndex, false) as boolean;
	const answer = await weComApiRequest.call(this, {
		method: 'GET',
		path: simple ? '/cgi-bin/user/simplelist' : '/cgi-bin/user/list',
		qs: { department_id: departmentId, fetch_child: fetchChild ? 1 : 0 },
		itemIndex,
	});
	return limitList.call(this, listOf(answer, 'userlist'), itemIndex);
}

/**
 * user/list_id answers user–department pairs, so a member of two departments comes twice, possibly on different
 * pages: members are merged by userid, in the order first seen.
 */
async function membersOfOrganization(this: IExecuteFunctions, itemIndex: number) {
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const pageSize = this.getNodeParameter('options.pageSize', itemIndex, LIST_ID_MAX_PAGE) as number;
	if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > LIST_ID_MAX_PAGE) {
		throw new NodeOperationError(
			this.getNode(),
			`Page Size must be a whole number from 1 to ${LIST_ID_MAX_PAGE} (user/list_id's limit)`,
			{ itemIndex },
		);
	}
	const members = new Map<string, { userid: string; department: number[] }>();
	const seenCursors = new Set<string>();
	let cursor = '';
	do {
		const body: IDataObject = { limit: Math.min(pageSize, limit - members.size) };
		if (cursor) body.cursor = cursor;
		const answer = await weComApiRequest.call(this, {
			method: 'POST',
			path: '/cgi-bin/user/list_id',
			body,
			itemIndex,
		});
		for (const pair of listOf(answer, 'dept_user')) {
			const userid = String(pair.userid ?? pair.open_userid ?? '');
			if (!userid) continue;
			let member = members.get(userid);
			if (!member) {
				member = { userid, department: [] };
				members.set(userid, member);
			}
			const department = Number(pair.department);
			if (!member.department.includes(department)) member.department.push(department);
		}
		cursor = typeof answer.next_cursor === 'string' ? answer.next_cursor : '';
		// A cursor that comes back would page forever: stop rather than hang the workflow.
		if (cursor && seenCursors.has(cursor)) {
			throw new NodeOperationError(
				this.getNode(),
				'WeCom returned the same user/list_id cursor twice: stopped paging to avoid a loop',
				{ itemIndex },
			);
		}
		seenCursors.add(cursor);
	} while (cursor && members.size < limit);
	return [...members.values()].slice(0, limit) as IDataObject[];
}

export const getManyUsers: NodeOperation = {
	value: 'getAll',
	name: 'Get Many',
	action: 'Get many users',
	description:
		'List members of a department, or the userids of the whole organisation, one item per member',
	properties: [
		memberScopeField({
			department: 'Members of one department (user/list or user/simplelist), with names',
			organisation:
				'Every visible member as userid + department IDs (user/list_id, paged by cursor); use User → Get for details',
		}),
		{
			...departmentLocator({
				name: 'departmentId',
				displayName: 'Department',
				description: 'The department whose members to list',
			}),
			displayOptions: { show: { scope: ['department'] } },
		},
		{
			displayName: 'Include Sub-Departments',
			name: 'fetchChild',
			type: 'boolean',
			default: false,
			description: 'Whether to include the members of every department below it (fetch_child)',
			displayOptions: { show: { scope: ['department'] } },
		},
		{
			displayName: 'Use Simple List',
			name: 'useSimpleList',
			type: 'boolean',
			default: false,
			description:
				'Whether to call user/simplelist, which answers only userid, name and department, instead of user/list and its full profiles',
			displayOptions: { show: { scope: ['department'] } },
		},
		...returnAllFields,
		optionsCollection(
			[
				{
					displayName: 'Page Size',
					name: 'pageSize',
					type: 'number',
					typeOptions: { minValue: 1, maxValue: LIST_ID_MAX_PAGE },
					default: LIST_ID_MAX_PAGE,
					description:
						'User–department pairs to ask for per call (user/list_id limit, at most 10,000). With a limit, a member in several departments may show only those read so far; Return All gives complete lists.',
				},
			],
			{ show: { scope: ['organization'] } },
		),
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const scope = this.getNodeParameter('scope', itemIndex, 'department') as string;
		return scope === 'organization'
			? await membersOfOrganization.call(this, itemIndex)
			: await membersOfDepartment.call(this, itemIndex);
	},
};
