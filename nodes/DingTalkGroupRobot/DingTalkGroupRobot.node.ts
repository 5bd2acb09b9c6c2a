import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { buildProperties, route } from '../shared/operations';
import { resources } from './resources';

export class DingTalkGroupRobot implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingTalk Group Robot (自定义机器人)',
		name: 'dingTalkGroupRobot',
		icon: { light: 'file:../DingTalk/dingtalk.svg', dark: 'file:../DingTalk/dingtalk.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{"Send: " + $parameter["messageType"]}}',
		description:
			"Post to a DingTalk group through its custom robot's webhook (自定义机器人), signed when 加签 is on, no app needed: text and markdown with @mentions, links, action cards and feed cards",
		defaults: { name: 'DingTalk Group Robot' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'dingTalkRobotApi', required: true }],
		properties: buildProperties(resources),
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route.call(this, resources);
	}
}
