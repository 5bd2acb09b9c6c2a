import type { WeComResource } from '../types';
import { recallOperation } from './recall';
import { sendOperation } from './send';

export const messageResource: WeComResource = {
	value: 'message',
	name: 'Message (消息)',
	description: 'Send and recall app messages',
	operations: [sendOperation, recallOperation],
};
