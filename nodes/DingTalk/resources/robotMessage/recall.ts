import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { chunks } from '../../../shared/idList';
import type { NodeOperation } from '../../../shared/operations';
import { dingTalkApiRequest } from '../../transport';
import { sendBatches } from '../shared/batches';
import { InputError, readIds, readRobotCode, textParameter } from '../shared/input';

/** otoMessages/batchRecall takes at most 20 processQueryKeys per call. */
export const MAX_RECALL_KEYS_PER_CALL = 20;

export const recallRobotMessage: NodeOperation = {
	value: 'recall',
	name: 'Recall',
	action: 'Recall a robot message',
	description:
		'Withdraw (撤回) robot messages sent within the last 24 hours, one-to-one or in a group',
	properties: [
		{
			displayName: 'Sent To',
			name: 'sendTo',
			type: 'options',
			options: [
				{ name: 'Users (单聊)', value: 'users', description: 'Messages sent one-to-one' },
				{ name: 'Group Chat (群聊)', value: 'group', description: 'Messages sent to a group chat' },
			],
			default: 'users',
			description: 'Where the messages were sent',
		},
		{
			displayName: 'Open Conversation ID',
			name: 'openConversationId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '={{ $json.openConversationId }}',
			displayOptions: { show: { sendTo: ['group'] } },
			description: 'The group chat the messages were sent to',
		},
		{
			displayName: 'Process Query Keys',
			name: 'processQueryKeys',
			type: 'string',
			default: '',
			required: true,
			placeholder: '={{ $json.processQueryKeys }}',
			hint: 'One key, several separated by commas, or an expression giving the processQueryKeys array of Send',
			description: 'The processQueryKey(s) that Send returned',
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const sendTo = this.getNodeParameter('sendTo', itemIndex, 'users') as 'users' | 'group';
		const keys = readIds.call(this, itemIndex, 'processQueryKeys', 'Process Query Keys');
		if (keys.length === 0) {
			throw new InputError(
				'Process Query Keys is empty: give the processQueryKey(s) that Send returned',
			);
		}
		const openConversationId =
			sendTo === 'group' ? textParameter.call(this, 'openConversationId', itemIndex) : '';
		if (sendTo === 'group' && !openConversationId) {
			throw new InputError(
				'Open Conversation ID is empty: give the group chat the messages were sent to',
			);
		}
		const robotCode = await readRobotCode.call(this);
		const answers = await sendBatches(
			chunks(keys, MAX_RECALL_KEYS_PER_CALL),
			async (batch) =>
				await dingTalkApiRequest.call(this, {
					method: 'POST',
					path:
						sendTo === 'group'
							? '/v1.0/robot/groupMessages/recall'
							: '/v1.0/robot/otoMessages/batchRecall',
					body: {
						robotCode,
						...(sendTo === 'group' ? { openConversationId } : {}),
						processQueryKeys: batch,
					},
					itemIndex,
				}),
			(done) =>
				`recalled: ${done.flatMap((a) => (Array.isArray(a.successResult) ? a.successResult : [])).join(', ')}`,
		);
		const successResult = answers.flatMap((a) =>
			Array.isArray(a.successResult) ? a.successResult.map(String) : [],
		);
		const failedResult: IDataObject = Object.assign(
			{},
			...answers.map((a) => (a.failedResult ?? {}) as IDataObject),
		);
		return { successResult, failedResult, allRecalled: Object.keys(failedResult).length === 0 };
	},
};
