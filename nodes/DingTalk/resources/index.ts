import type { NodeResource } from '../../shared/operations';
import { aiReplyResource } from './aiReply';
import { appResource } from './app';
import { approvalResource } from './approval';
import { callbackResource } from './callback';
import { departmentResource } from './department';
import { jsapiResource } from './jsapi';
import { mediaResource } from './media';
import { robotMessageResource } from './robotMessage';
import { userResource } from './user';
import { workNotificationResource } from './workNotification';

export const resources: NodeResource[] = [
	workNotificationResource,
	robotMessageResource,
	aiReplyResource,
	mediaResource,
	approvalResource,
	departmentResource,
	userResource,
	appResource,
	jsapiResource,
	callbackResource,
];
