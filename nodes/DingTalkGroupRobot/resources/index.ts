import type { NodeResource } from '../../shared/operations';
import { messageResource } from './message';

export const resources: NodeResource[] = [messageResource];
