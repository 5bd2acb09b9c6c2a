import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { returnAllFields } from '../../../shared/listFields';
import { optionsCollection } from '../../../shared/collections';
import { memberScopeField, readPositiveId } from '../../../shared/orgFields';
import type { NodeOperation } from '../../../shared/operations';
import { departmentField, DEPARTMENT_ID } from '../shared/org';
import { startWalk, USER_PAGE_MAX, walkDone, walkStep } from '../shared/orgApi';
import { languageOption, readLanguage } from '../shared/language';

const ORDER_FIELDS = ['custom', 'entry_asc', 'entry_desc', 'modify_asc', 'modify_desc'];

/**
 * Members of one department (paged by cursor, 100 per call), or of a department and everything below it, or of the
 * whole organisation (the tree walked breadth-first from the root). A member of several departments comes once, in
 * the first department the walk reaches.
 */
async function listMembers(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject[]> {
	const scope = this.getNodeParameter('scope', itemIndex, 'department') as string;
	const wholeOrg = scope === 'organization';
	const deptId = wholeOrg
		? 1
		: readPositiveId.call(this, 'departmentId', itemIndex, 'Department', DEPARTMENT_ID);
	const recursive =
		wholeOrg || (this.getNodeParameter('includeSubDepartments', itemIndex, false) as boolean);
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const order = this.getNodeParameter('options.orderField', itemIndex, 'custom') as string;
	const extra: IDataObject = { ...readLanguage.call(this, itemIndex) };
	if (ORDER_FIELDS.includes(order) && order !== 'custom') extra.order_field = order;

	const walk = startWalk(deptId, recursive);
	const seen = new Set<string>();
	const members: IDataObject[] = [];
	while (!walkDone(walk) && members.length < limit) {
		const pageSize = Math.min(USER_PAGE_MAX, limit - members.length);
		const page = await walkStep.call(this, walk, pageSize, extra, itemIndex);
		for (const member of page ?? []) {
			const userid = String(member.userid ?? '');
			if (!userid || seen.has(userid)) continue;
			seen.add(userid);
			members.push(member);
			if (members.length >= limit) break;
		}
	}
	return members;
}

export const getManyUsers: NodeOperation = {
	value: 'getAll',
	name: 'Get Many',
	action: 'Get many users',
	description:
		'List the members of a department (paged by cursor), of a department and all below it, or of the whole organisation, one item per member',
	properties: [
		memberScopeField({
			department: 'Members of one department (optionally with every department below it)',
			organisation:
				'Every member, department by department from the root; members of several departments come once',
		}),
		{
			...departmentField({
				name: 'departmentId',
				displayName: 'Department',
				description: 'The department whose members to list; the root department is 1',
			}),
			displayOptions: { show: { scope: ['department'] } },
		},
		{
			displayName: 'Include Sub-Departments',
			name: 'includeSubDepartments',
			type: 'boolean',
			default: false,
			description:
				'Whether to include the members of every department below it (one call per department and per 100 members); members of several departments come once',
			displayOptions: { show: { scope: ['department'] } },
		},
		...returnAllFields,
		optionsCollection([
			{
				displayName: 'Order',
				name: 'orderField',
				type: 'options',
				options: [
					{
						name: 'Custom (As in the Contacts)',
						value: 'custom',
						description: 'The order the admin set in the contacts (自定义排序)',
					},
					{ name: 'Joined, Newest First', value: 'entry_desc' },
					{ name: 'Joined, Oldest First', value: 'entry_asc' },
					{ name: 'Modified, Newest First', value: 'modify_desc' },
					{ name: 'Modified, Oldest First', value: 'modify_asc' },
				],
				default: 'custom',
				description: 'Order of the members within each department (order_field)',
			},
			languageOption,
		]),
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		return await listMembers.call(this, itemIndex);
	},
};
