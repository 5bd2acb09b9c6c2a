import type { NodeResource } from '../../../shared/operations';
import { sendOperation } from './send';

export const messageResource: NodeResource = {
	value: 'message',
	name: 'Message (消息)',
	description: "Post messages to the robot's group",
	operations: [sendOperation],
};
