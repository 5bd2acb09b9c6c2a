import type { IExecuteFunctions } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import { dingTalkApiRequest } from '../../transport';
import { sendBatches } from '../shared/batches';
import { readAgentId } from '../shared/input';
import { readTaskIds, taskIdsProperty } from './taskIds';

export const recallWorkNotification: NodeOperation = {
	value: 'recall',
	name: 'Recall',
	action: 'Recall a work notification',
	description: 'Withdraw (撤回) a work notification sent within the last 24 hours',
	properties: [taskIdsProperty],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const taskIds = readTaskIds.call(this, itemIndex);
		const agentId = await readAgentId.call(this, itemIndex);
		const recalled = await sendBatches(
			taskIds,
			async (taskId) => {
				await dingTalkApiRequest.call(this, {
					method: 'POST',
					path: '/topapi/message/corpconversation/recall',
					body: { agent_id: agentId, msg_task_id: taskId },
					itemIndex,
				});
				return taskId;
			},
			(done) => `recalled task ids: ${done.join(', ')}`,
		);
		return { recalled: true, task_ids: recalled };
	},
};
