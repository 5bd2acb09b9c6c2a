import type { NodeResource } from '../../../shared/operations';
import { getFailedEvents } from './getFailedEvents';

export const callbackResource: NodeResource = {
	value: 'callback',
	name: 'Callback (回调)',
	description:
		'Callbacks registered by API (旧版注册回调, the DingTalk Trigger\'s "Register Callback by API"): the events DingTalk failed to push',
	operations: [getFailedEvents],
};
