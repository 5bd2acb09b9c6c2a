/* eslint-disable @n8n/community-nodes/node-usable-as-tool -- test code: runs under Node and jest, never inside n8n */
// A test-only node with the shared member fields (one member, several members) as other DingTalk operations use
// them, so what they read is tested through n8n-core's engine; it outputs the userids it read.
import { readLocator } from '../../nodes/shared/checks';
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { listSearch } from '../../nodes/DingTalk/methods';
import {
	USER_ID_RULE,
	readUserIds,
	userField,
	usersField,
} from '../../nodes/DingTalk/resources/shared/org';
import { route } from '../../nodes/shared/operations';

export class DingTalkPickerProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingTalk Picker Probe',
		name: 'dingTalkPickerProbe',
		group: ['transform'],
		version: 1,
		description: 'Test only: reads the shared member fields',
		defaults: { name: 'Picker Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'dingTalkApi', required: true }],
		properties: [
			{ displayName: 'Resource', name: 'resource', type: 'hidden', default: 'probe' },
			{ displayName: 'Operation', name: 'operation', type: 'hidden', default: 'read' },
			{
				...userField({ name: 'owner', displayName: 'Owner', description: 'One member' }),
				required: false,
			},
			...usersField({
				name: 'recipients',
				displayName: 'Recipients',
				description: 'Several members.',
			}),
		],
	};

	methods = { listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route.call(this, [
			{
				value: 'probe',
				name: 'Probe',
				description: '',
				operations: [
					{
						value: 'read',
						name: 'Read',
						action: 'Read',
						description: '',
						properties: [],
						async execute(this: IExecuteFunctions, itemIndex: number) {
							const owner = this.getNodeParameter('owner', itemIndex, '', { extractValue: true });
							return {
								owner: owner
									? readLocator.call(this, 'owner', itemIndex, 'Owner', USER_ID_RULE)
									: null,
								recipients: readUserIds.call(this, 'recipients', itemIndex, 'Recipients'),
							};
						},
					},
				],
			},
		]);
	}
}
