import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { buildProperties, route } from '../shared/operations';
import { resources } from './resources';

export class WeComGroupRobot implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WeCom Group Robot (群机器人)',
		name: 'weComGroupRobot',
		icon: { light: 'file:../WeCom/wecom.svg', dark: 'file:../WeCom/wecom.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{"Send: " + $parameter["messageType"]}}',
		description:
			"Post to a WeCom group through its robot's webhook (群机器人), no app needed: text with @mentions, markdown, images, news, files, voice and template cards",
		defaults: { name: 'WeCom Group Robot' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'weComGroupRobotApi', required: true }],
		properties: buildProperties(resources),
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route.call(this, resources);
	}
}
