import type { NodeResource } from '../../shared/operations';
import { departmentResource } from './department';
import { userResource } from './user';

export const resources: NodeResource[] = [departmentResource, userResource];
