import { readPositiveId } from '../../../shared/orgFields';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { weComApiRequest } from '../../transport';
import { departmentLocator, NUMERIC_ID } from '../shared/orgFields';
import type { NodeOperation } from '../../../shared/operations';

export const getDepartment: NodeOperation = {
	value: 'get',
	name: 'Get',
	action: 'Get a department',
	description: 'Get one department by its ID',
	properties: [
		departmentLocator({
			name: 'departmentId',
			displayName: 'Department',
			description: 'The department to get',
		}),
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const id = readPositiveId.call(this, 'departmentId', itemIndex, 'Department', NUMERIC_ID);
		const answer = await weComApiRequest.call(this, {
			method: 'GET',
			path: '/cgi-bin/department/get',
			qs: { id },
			itemIndex,
		});
		return (answer.department ?? {}) as IDataObject;
	},
};
