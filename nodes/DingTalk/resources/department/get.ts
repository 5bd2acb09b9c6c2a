import { readPositiveId } from '../../../shared/orgFields';
import type { IExecuteFunctions } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import { dingTalkApiRequest } from '../../transport';
import { departmentField, DEPARTMENT_ID, resultOf } from '../shared/org';
import { languageOptions, readLanguage } from '../shared/language';

export const getDepartment: NodeOperation = {
	value: 'get',
	name: 'Get',
	action: 'Get a department',
	description:
		'Get one department by its ID: name, parent, order, member count (/topapi/v2/department/get)',
	properties: [
		departmentField({
			displayName: 'Department',
			name: 'departmentId',
			description: 'The department to get; the root department is 1',
		}),
		languageOptions,
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const deptId = readPositiveId.call(
			this,
			'departmentId',
			itemIndex,
			'Department',
			DEPARTMENT_ID,
		);
		const answer = await dingTalkApiRequest.call(this, {
			method: 'POST',
			path: '/topapi/v2/department/get',
			body: { ...readLanguage.call(this, itemIndex), dept_id: deptId },
			itemIndex,
		});
		return resultOf(answer);
	},
};
