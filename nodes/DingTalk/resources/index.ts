import type { NodeResource } from '../../shared/operations';
import { approvalResource } from './approval';
import { departmentResource } from './department';

export const resources: NodeResource[] = [approvalResource, departmentResource];
