import { readPositiveId } from '../../../shared/orgFields';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { returnAllFields } from '../../../shared/listFields';
import type { NodeOperation } from '../../../shared/operations';
import { departmentField, DEPARTMENT_ID } from '../shared/org';
import { subDepartments } from '../shared/orgApi';
import { languageOptions, readLanguage } from '../shared/language';

export const getManyDepartments: NodeOperation = {
	value: 'getAll',
	name: 'Get Many',
	action: 'Get many departments',
	description:
		'List the sub-departments of a department, one level or the whole tree below it (/topapi/v2/department/listsub)',
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
				'Whether to list every department below the parent (breadth-first, one call per department), not only its direct sub-departments',
		},
		...returnAllFields,
		languageOptions,
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const parentId = readPositiveId.call(
			this,
			'parentId',
			itemIndex,
			'Parent Department',
			DEPARTMENT_ID,
		);
		const recursive = this.getNodeParameter('recursive', itemIndex, false) as boolean;
		const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
		const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex, 50) as number);
		const extra = readLanguage.call(this, itemIndex);
		const found: IDataObject[] = [];
		// listsub answers one level: the tree is walked breadth-first, one call per department listed. A department
		// listed twice (it moved while the walk ran) is output and walked once. (it moved while the walk ran) is output and walked once.
		const seen = new Set<number>([parentId]);
		const queue = [parentId];
		while (queue.length && found.length < limit) {
			const children = await subDepartments.call(this, queue.shift() as number, itemIndex, extra);
			for (const child of children) {
				const id = Number(child.dept_id);
				if (seen.has(id)) continue;
				seen.add(id);
				found.push(child);
				if (recursive) queue.push(id);
			}
		}
		return found.slice(0, limit);
	},
};
