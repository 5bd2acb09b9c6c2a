import type { NodeResource } from '../../../shared/operations';
import { getWorkNotificationSendResult } from './getSendResult';
import { recallWorkNotification } from './recall';
import { sendWorkNotification } from './send';
import { sendAndWaitWorkNotification } from './sendAndWait';

export const workNotificationResource: NodeResource = {
	value: 'workNotification',
	name: 'Work Notification (工作通知)',
	description:
		'Send work notifications as the app, see who received them, recall them, or ask and wait for the answer',
	operations: [
		sendWorkNotification,
		getWorkNotificationSendResult,
		recallWorkNotification,
		sendAndWaitWorkNotification,
	],
};
