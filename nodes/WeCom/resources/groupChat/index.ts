import type { NodeResource } from '../../../shared/operations';
import { createOperation } from './create';
import { getOperation } from './get';
import { sendOperation } from './send';
import { updateOperation } from './update';

export const groupChatResource: NodeResource = {
	value: 'groupChat',
	name: 'Group Chat (群聊)',
	description: 'Create, read, update and message app group chats',
	operations: [createOperation, getOperation, updateOperation, sendOperation],
};
