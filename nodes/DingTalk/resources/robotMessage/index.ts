import type { NodeResource } from '../../../shared/operations';
import { recallRobotMessage } from './recall';
import { replyRobotMessage } from './reply';
import { sendRobotMessage } from './send';
import { sendAndWaitRobotMessage } from './sendAndWait';

export const robotMessageResource: NodeResource = {
	value: 'robotMessage',
	name: 'Robot Message (机器人消息)',
	description:
		"Send, reply with and recall messages of the app's own robot, or ask with it and wait for the answer",
	operations: [sendRobotMessage, replyRobotMessage, recallRobotMessage, sendAndWaitRobotMessage],
};
