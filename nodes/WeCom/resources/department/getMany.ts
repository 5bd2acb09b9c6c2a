import { readPositiveId } from '../../../shared/orgFields';
import type { IExecuteFunctions } from 'n8n-workflow';

import { weComApiRequest } from '../../transport';
import { departmentLocator, listOf, NUMERIC_ID } from '../shared/orgFields';
import { limitList, returnAllFields } from '../../../shared/listFields';
import type { NodeOperation } from '../../../shared/operations';

export const getManyDepartments: NodeOperation = {
	value: 'getAll',
	name: 'Get Many',
	action: 'Get many departments',
	description: 'List the departments the app can see, as one item per department',
	properties: [
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'options',
			options: [
				{
					name: 'All Visible Departments',
					value: 'all',
					description: "Every department inside the app's visibility scope (可见范围)",
				},
				{
					name: 'One Department and Its Sub-Departments',
					value: 'subtree',
					description: 'The chosen department and every department below it',
				},
			],
			default: 'all',
			description: 'Which part of the organisation to list',
		},
		{
			...departmentLocator({
				name: 'departmentId',
				displayName: 'Department',
				description: 'The department whose tree to list (it is included in the output)',
			}),
			displayOptions: { show: { scope: ['subtree'] } },
		},
		{
			displayName: 'Use Simple List',
			name: 'useSimpleList',
			type: 'boolean',
			default: false,
			description:
				'Whether to call department/simplelist, which answers only the ID, parentid and order of each department. Use it when department/list is refused, as it is for the contacts-sync secret on IPs added after 2022-08-15.',
		},
		...returnAllFields,
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const scope = this.getNodeParameter('scope', itemIndex, 'all') as string;
		const simple = this.getNodeParameter('useSimpleList', itemIndex, false) as boolean;
		const qs =
			scope === 'subtree'
				? { id: readPositiveId.call(this, 'departmentId', itemIndex, 'Department', NUMERIC_ID) }
				: undefined;
		const answer = await weComApiRequest.call(this, {
			method: 'GET',
			path: simple ? '/cgi-bin/department/simplelist' : '/cgi-bin/department/list',
			qs,
			itemIndex,
		});
		return limitList.call(this, listOf(answer, simple ? 'department_id' : 'department'), itemIndex);
	},
};
