import type { NodeResource } from '../../shared/operations';
import { departmentResource } from './department';

export const resources: NodeResource[] = [departmentResource];
