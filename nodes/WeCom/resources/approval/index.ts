import type { NodeResource } from '../../../shared/operations';
import { getOperation } from './get';
import { getManyOperation } from './getMany';
import { getTemplateOperation } from './getTemplate';
import { submitOperation } from './submit';

export const approvalResource: NodeResource = {
	value: 'approval',
	name: 'Approval (审批)',
	description: 'Submit approvals from templates and read their state',
	operations: [getOperation, getManyOperation, getTemplateOperation, submitOperation],
};
