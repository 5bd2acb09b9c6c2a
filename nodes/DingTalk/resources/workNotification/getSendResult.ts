import type { IExecuteFunctions } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import { optionsField } from '../../../shared/operations';
import { readAgentId } from '../shared/input';
import { collectSendResults } from './sendResult';
import { readTaskIds, taskIdsProperty } from './taskIds';

export const getWorkNotificationSendResult: NodeOperation = {
	value: 'getSendResult',
	name: 'Get Send Result',
	action: 'Get the send result of a work notification',
	description:
		'Who a work notification reached: invalid, forbidden (e.g. repeated or over the daily limit), failed, read and unread users',
	properties: [
		taskIdsProperty,
		optionsField([
			{
				displayName: 'Include Progress',
				name: 'includeProgress',
				type: 'boolean',
				default: false,
				description:
					'Whether to also ask how far each task has got (getsendprogress: percent and status)',
			},
		]),
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const taskIds = readTaskIds.call(this, itemIndex);
		const agentId = await readAgentId.call(this, itemIndex);
		const { includeProgress } = this.getNodeParameter('options', itemIndex, {}) as {
			includeProgress?: boolean;
		};
		const { lists, results } = await collectSendResults.call(
			this,
			agentId,
			taskIds,
			itemIndex,
			includeProgress === true,
		);
		return { task_ids: taskIds, ...lists, results };
	},
};
