import type { NodeResource } from '../../../shared/operations';
import { getOperation } from './get';
import { getFormSchemaOperation } from './getFormSchema';
import { getManyOperation } from './getMany';
import { startOperation } from './start';
import { terminateOperation } from './terminate';

export const approvalResource: NodeResource = {
	value: 'approval',
	name: 'Approval (审批)',
	description: 'Start approvals (OA 审批) from forms, read their state, end them',
	operations: [
		getOperation,
		getFormSchemaOperation,
		getManyOperation,
		startOperation,
		terminateOperation,
	],
};
