import type { NodeResource } from '../../../shared/operations';
import { recallOperation } from './recall';
import { sendOperation } from './send';
import { sendAndWaitOperation } from './sendAndWait';

export const messageResource: NodeResource = {
	value: 'message',
	name: 'Message (消息)',
	description: 'Send and recall app messages',
	operations: [sendOperation, recallOperation, sendAndWaitOperation],
};
