import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { isRecord } from '../../../shared/json';
import type { NodeOperation } from '../../../shared/operations';
import { dingTalkApiRequest } from '../../transport';
import { eventFromHttp, eventToItem } from '../../trigger/events';

/** Pages fetched at most in one run: DingTalk keeps failed pushes for a limited time, so this is never reached. */
const MAX_PAGES = 200;

/**
 * One failed push as an item shaped like the DingTalk Trigger's: `{event_time, call_back_tag, <data>}` where the data
 * sits under the tag's name (or beside it), read as an HTTP callback of that EventType.
 */
export function failedEventToItem(entry: IDataObject): IDataObject {
	const tag = String(entry.call_back_tag ?? '');
	const nested = entry[tag];
	const data: IDataObject = isRecord(nested) ? (nested as IDataObject) : { ...entry };
	delete data.call_back_tag;
	delete data.event_time;
	const fields: IDataObject = { EventType: tag, ...data };
	if (entry.event_time !== undefined) fields.EventTime = entry.event_time;
	const item = eventToItem(eventFromHttp(fields, JSON.stringify(entry)));
	return { ...item, replayed: true };
}

export const getFailedEvents: NodeOperation = {
	value: 'getFailedEvents',
	name: 'Get Failed Events',
	action: 'Get failed callback events',
	description:
		"Fetch the events DingTalk could not push to the callback URL registered by API (/call_back/get_call_back_failed_result), one item per event shaped like the DingTalk Trigger's, to replay them into a workflow. DingTalk hands each failed event out once.",
	properties: [],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const items: IDataObject[] = [];
		for (let page = 0; page < MAX_PAGES; page++) {
			const answer = await dingTalkApiRequest.call(this, {
				method: 'GET',
				path: '/call_back/get_call_back_failed_result',
				itemIndex,
			});
			const list = Array.isArray(answer.failed_list) ? answer.failed_list : [];
			for (const entry of list) {
				if (isRecord(entry)) items.push(failedEventToItem(entry as IDataObject));
			}
			if (answer.has_more !== true || list.length === 0) break;
		}
		return items;
	},
};
