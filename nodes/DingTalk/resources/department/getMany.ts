import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { limitList, returnAllFields } from '../../../shared/listFields';
import type { NodeOperation } from '../../../shared/operations';
import { dingTalkApiRequest } from '../../transport';
import { departmentField, readDepartmentId } from '../shared/org';

/** listsub answers one level; the whole tree is walked breadth-first, one call per department that has children. */
async function subDepartments(this: IExecuteFunctions, deptId: number, itemIndex: number) {
	const answer = await dingTalkApiRequest.call(this, {
		method: 'POST',
		path: '/topapi/v2/department/listsub',
		body: { dept_id: deptId },
		itemIndex,
	});
	const result = answer.result;
	return Array.isArray(result) ? (result as IDataObject[]) : [];
}

export const getManyDepartments: NodeOperation = {
	value: 'getAll',
	name: 'Get Many',
	action: 'Get many departments',
	description: 'List the sub-departments of a department, one level or the whole tree below it',
	properties: [
		departmentField({
			displayName: 'Parent Department',
			name: 'parentId',
			description: 'The department whose sub-departments to list; the root department is 1',
			defaultRoot: true,
		}),
		{
			displayName: 'Include Whole Tree',
			name: 'recursive',
			type: 'boolean',
			default: false,
			description:
				'Whether to list every department below the parent (one call per level), not only its direct sub-departments',
		},
		...returnAllFields,
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const parentId = readDepartmentId.call(this, 'parentId', itemIndex, 'Parent Department');
		const recursive = this.getNodeParameter('recursive', itemIndex, false) as boolean;
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex, 50) as number);
		const found: IDataObject[] = [];
		const queue = [parentId];
		while (queue.length && found.length < limit) {
			const children = await subDepartments.call(this, queue.shift() as number, itemIndex);
			for (const child of children) {
				found.push(child);
				if (recursive) queue.push(Number(child.dept_id));
			}
		}
		return limitList.call(this, found, itemIndex);
	},
};
