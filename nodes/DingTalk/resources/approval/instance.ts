import type { IDataObject } from 'n8n-workflow';

import type { DingTalkContext } from '../../transport';
import { dingTalkApiRequest } from '../../transport';
import { withNames } from './names';

/** One approval instance with its status, result, tasks and records named, and its id alongside. */
export async function fetchInstance(
	this: DingTalkContext,
	processInstanceId: string,
	itemIndex: number,
): Promise<IDataObject> {
	const answer = await dingTalkApiRequest.call(this, {
		method: 'GET',
		path: '/v1.0/workflow/processInstances',
		qs: { processInstanceId },
		itemIndex,
	});
	return { processInstanceId, ...withNames((answer.result ?? {}) as IDataObject) };
}
