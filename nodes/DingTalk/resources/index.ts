import type { NodeResource } from '../../shared/operations';
import { approvalResource } from './approval';
import { departmentResource } from './department';
import { mediaResource } from './media';
import { robotMessageResource } from './robotMessage';
import { userResource } from './user';
import { workNotificationResource } from './workNotification';

export const resources: NodeResource[] = [
	workNotificationResource,
	robotMessageResource,
	mediaResource,
	approvalResource,
	departmentResource,
	userResource,
];
