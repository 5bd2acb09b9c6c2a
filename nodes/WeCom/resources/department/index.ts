import type { WeComResource } from '../types';
import { getDepartment } from './get';
import { getManyDepartments } from './getMany';

export const departmentResource: WeComResource = {
	value: 'department',
	name: 'Department (部门)',
	description: 'Look up departments of the organisation',
	operations: [getDepartment, getManyDepartments],
};
