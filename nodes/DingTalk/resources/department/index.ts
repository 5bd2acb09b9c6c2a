import type { NodeResource } from '../../../shared/operations';
import { getDepartment } from './get';
import { getManyDepartments } from './getMany';

export const departmentResource: NodeResource = {
	value: 'department',
	name: 'Department (部门)',
	description: 'Look up departments',
	operations: [getManyDepartments, getDepartment],
};
