import type { NodeResource } from '../../../shared/operations';
import { getWorkNotificationSendResult } from './getSendResult';
import { recallWorkNotification } from './recall';
import { sendWorkNotification } from './send';

export const workNotificationResource: NodeResource = {
	value: 'workNotification',
	name: 'Work Notification (工作通知)',
	description: 'Send work notifications as the app, see who received them, recall them',
	operations: [sendWorkNotification, getWorkNotificationSendResult, recallWorkNotification],
};
