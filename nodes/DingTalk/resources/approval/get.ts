import type { IExecuteFunctions } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import { instanceIdField, readInstanceId } from './fields';
import { fetchInstance } from './instance';

export const getOperation: NodeOperation = {
	value: 'get',
	name: 'Get',
	action: 'Get an approval instance',
	description:
		'Get an approval instance (审批实例): status and result by name, tasks, operation records and form values',
	properties: [instanceIdField],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		return await fetchInstance.call(
			this,
			readInstanceId.call(this, itemIndex, 'the approval'),
			itemIndex,
		);
	},
};
