import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { dingTalkApiRequest } from '../../transport';

/** The recipient lists of getsendresult, merged over the tasks of a split send. */
export const RESULT_LISTS = [
	'invalid_user_id_list',
	'forbidden_user_id_list',
	'failed_user_id_list',
	'read_user_id_list',
	'unread_user_id_list',
	'invalid_dept_id_list',
] as const;

export type SendResultLists = Record<(typeof RESULT_LISTS)[number], unknown[]> & {
	forbidden_list: IDataObject[];
};

/** getsendprogress's `status` once DingTalk has finished a task (0 not started, 1 sending, 2 done). */
const DONE = 2;
const POLL_MS = 1000;

/** getsendresult of each task, merged: lists keyed by text to drop repeats, values as DingTalk gave them. */
export async function collectSendResults(
	this: IExecuteFunctions,
	agentId: number,
	taskIds: number[],
	itemIndex: number,
	includeProgress = false,
): Promise<{ lists: SendResultLists; results: IDataObject[] }> {
	const merged: Record<string, Map<string, unknown>> = Object.fromEntries(
		RESULT_LISTS.map((name) => [name, new Map<string, unknown>()]),
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
		for (const name of RESULT_LISTS) {
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
		if (includeProgress) result.progress = await progressOf.call(this, agentId, taskId, itemIndex);
		results.push(result);
	}
	const lists = Object.fromEntries(
		RESULT_LISTS.map((name) => [name, [...merged[name].values()]]),
	) as SendResultLists;
	lists.forbidden_list = forbidden;
	return { lists, results };
}

async function progressOf(
	this: IExecuteFunctions,
	agentId: number,
	taskId: number,
	itemIndex: number,
): Promise<IDataObject> {
	const answer = await dingTalkApiRequest.call(this, {
		method: 'POST',
		path: '/topapi/message/corpconversation/getsendprogress',
		body: { agent_id: agentId, task_id: taskId },
		itemIndex,
	});
	return (answer.progress ?? {}) as IDataObject;
}

/**
 * Waits until DingTalk has finished sending every task (getsendprogress status 2), asking once a second, for at most
 * `maxWaitMs`. True when all finished in time.
 */
export async function waitUntilSent(
	this: IExecuteFunctions,
	agentId: number,
	taskIds: number[],
	maxWaitMs: number,
	itemIndex: number,
): Promise<boolean> {
	const deadline = Date.now() + maxWaitMs;
	const pending = new Set(taskIds);
	for (;;) {
		for (const taskId of [...pending]) {
			const progress = await progressOf.call(this, agentId, taskId, itemIndex);
			if (Number(progress.status) === DONE) pending.delete(taskId);
		}
		if (!pending.size) return true;
		const left = deadline - Date.now();
		if (left <= 0) return false;
		await sleep(Math.min(POLL_MS, left));
	}
}
