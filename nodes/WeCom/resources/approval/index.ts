import type { WeComResource } from '../types';
import { getOperation } from './get';
import { getManyOperation } from './getMany';
import { getTemplateOperation } from './getTemplate';
import { submitOperation } from './submit';

export const approvalResource: WeComResource = {
	value: 'approval',
	name: 'Approval (审批)',
	description: 'Submit approvals from templates and read their state',
	operations: [getOperation, getManyOperation, getTemplateOperation, submitOperation],
};
