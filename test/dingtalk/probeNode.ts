/* eslint-disable @n8n/community-nodes/node-usable-as-tool -- test code: runs under Node and jest, never inside n8n */
// A test-only node that sends one request through the DingTalk transport, so the transport's rules for both API
// families are exercised through n8n-core's engine without depending on any one operation.
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { dingTalkApiRequest } from '../../nodes/DingTalk/transport';
import { route } from '../../nodes/shared/operations';

export class DingTalkProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingTalk Probe',
		name: 'dingTalkProbe',
		group: ['transform'],
		version: 1,
		description: 'Test only: one request through the DingTalk transport',
		defaults: { name: 'Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'dingTalkApi', required: true }],
		properties: [
			{ displayName: 'Resource', name: 'resource', type: 'hidden', default: 'probe' },
			{ displayName: 'Operation', name: 'operation', type: 'hidden', default: 'call' },
			{ displayName: 'Method', name: 'method', type: 'string', default: 'POST' },
			{ displayName: 'Path', name: 'path', type: 'string', default: '' },
			{ displayName: 'Body', name: 'body', type: 'json', default: '{}' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route.call(this, [
			{
				value: 'probe',
				name: 'Probe',
				description: '',
				operations: [
					{
						value: 'call',
						name: 'Call',
						action: 'Call',
						description: '',
						properties: [],
						async execute(this: IExecuteFunctions, itemIndex: number) {
							const body = this.getNodeParameter('body', itemIndex, '{}') as string | IDataObject;
							return await dingTalkApiRequest.call(this, {
								method: this.getNodeParameter('method', itemIndex) as IHttpRequestMethods,
								path: this.getNodeParameter('path', itemIndex) as string,
								body: typeof body === 'string' ? (JSON.parse(body) as IDataObject) : body,
								itemIndex,
							});
						},
					},
				],
			},
		]);
	}
}
