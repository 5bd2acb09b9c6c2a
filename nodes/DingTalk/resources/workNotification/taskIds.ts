import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readIds } from '../shared/input';

/** The task id(s) Send returned: one, or all of a split send. */
export const taskIdsProperty: INodeProperties = {
	displayName: 'Task IDs',
	name: 'taskIds',
	type: 'string',
	default: '',
	required: true,
	placeholder: '={{ $json.task_ids }}',
	hint: 'One task ID, several separated by commas, or an expression giving the task_ids array of Send',
	description: 'The task_id(s) that Send returned',
};

export function readTaskIds(this: IExecuteFunctions, itemIndex: number): number[] {
	const ids = readIds.call(this, itemIndex, 'taskIds', 'Task IDs');
	if (ids.length === 0) {
		throw new NodeOperationError(
			this.getNode(),
			'Task IDs is empty: give the task_id (or the task_ids) that Send returned',
			{ itemIndex },
		);
	}
	const bad = ids.find((id) => !/^\d{1,19}$/.test(id) || !Number.isSafeInteger(Number(id)));
	if (bad !== undefined) {
		throw new NodeOperationError(
			this.getNode(),
			`Task IDs: "${bad}" is not a task ID; DingTalk's task_id is a whole number that Send returned`,
			{ itemIndex },
		);
	}
	return ids.map(Number);
}
