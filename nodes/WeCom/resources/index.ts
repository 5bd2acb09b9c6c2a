import { appResource } from './app';
import { approvalResource } from './approval';
import { departmentResource } from './department';
import { groupChatResource } from './groupChat';
import { jsapiResource } from './jsapi';
import { mediaResource } from './media';
import { messageResource } from './message';
import { tagResource } from './tag';
import type { NodeResource } from '../../shared/operations';
import { userResource } from './user';

export const resources: NodeResource[] = [
	messageResource,
	mediaResource,
	groupChatResource,
	approvalResource,
	departmentResource,
	userResource,
	tagResource,
	appResource,
	jsapiResource,
];
