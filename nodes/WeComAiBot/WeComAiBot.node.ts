import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { buildProperties, route } from '../shared/operations';
import { weComAiBotConnectionTest } from './connection/credentialTest';
import { aiReplyResource } from './resources/aiReply';

const resources = [aiReplyResource];

export class WeComAiBot implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WeCom AI Bot (企业微信智能机器人)',
		name: 'weComAiBot',
		icon: { light: 'file:wecom.svg', dark: 'file:wecom.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			"Answer a message to the company's WeCom AI bot (智能机器人) with a stream reply through the WeCom AI Bot Trigger's long connection: thinking at once, updated while written, finished or failed",
		defaults: { name: 'WeCom AI Bot' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'weComAiBotApi', required: true, testedBy: 'weComAiBotConnectionTest' }],
		properties: buildProperties(resources),
	};

	methods = { credentialTest: { weComAiBotConnectionTest } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route.call(this, resources);
	}
}
