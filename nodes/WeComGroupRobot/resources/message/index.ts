import type { NodeResource } from '../../../shared/operations';
import { sendOperation } from './send';
import { sendAndWaitOperation } from './sendAndWait';

export const messageResource: NodeResource = {
	value: 'message',
	name: 'Message (消息)',
	description: "Post messages to the robot's group, or ask it a question and wait for the answer",
	operations: [sendOperation, sendAndWaitOperation],
};
