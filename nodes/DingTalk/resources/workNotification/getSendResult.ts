import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import { optionsField } from '../../../shared/operations';
import { dingTalkApiRequest } from '../../transport';
import { readAgentId } from '../shared/input';
import { readTaskIds, taskIdsProperty } from './taskIds';

/** The recipient lists of getsendresult, merged over the tasks of a split send. */
const LISTS = [
	'invalid_user_id_list',
	'forbidden_user_id_list',
	'failed_user_id_list',
	'read_user_id_list',
	'unread_user_id_list',
	'invalid_dept_id_list',
] as const;

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
		// Keyed by text to drop repeats, valued as DingTalk gave them (department ids are numbers).
		const merged: Record<string, Map<string, unknown>> = Object.fromEntries(
			LISTS.map((name) => [name, new Map<string, unknown>()]),
		);
		const forbidden: IDataObject[] = [];
		const results: IDataObject[] = [];
		for (const taskId of taskIds) {
			const answer = await dingTalkApiRequest.call(this, {
				method: 'POST',
				path: '/topapi/message/corpconversation/getsendresult',
				body: { agent_id: agentId, task_id: taskId },
				itemIndex,
			});
			const sendResult = (answer.send_result ?? {}) as IDataObject;
			for (const name of LISTS) {
				const list = sendResult[name];
				if (Array.isArray(list)) list.forEach((id) => merged[name].set(String(id), id));
			}
			if (Array.isArray(sendResult.forbidden_list)) {
				forbidden.push(
					...(sendResult.forbidden_list as IDataObject[]).map((entry) => ({
						...entry,
						task_id: taskId,
					})),
				);
			}
			const result: IDataObject = { task_id: taskId, send_result: sendResult };
			if (includeProgress) {
				const progress = await dingTalkApiRequest.call(this, {
					method: 'POST',
					path: '/topapi/message/corpconversation/getsendprogress',
					body: { agent_id: agentId, task_id: taskId },
					itemIndex,
				});
				result.progress = progress.progress ?? {};
			}
			results.push(result);
		}
		return {
			task_ids: taskIds,
			...Object.fromEntries(LISTS.map((name) => [name, [...merged[name].values()]])),
			forbidden_list: forbidden,
			results,
		};
	},
};
