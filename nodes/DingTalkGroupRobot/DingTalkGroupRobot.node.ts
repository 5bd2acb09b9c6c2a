import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { buildProperties, route } from '../shared/operations';
import {
	SEND_AND_WAIT_TOOLTIP,
	SEND_AND_WAIT_WEBHOOKS,
	sendAndWaitWebhook,
} from '../shared/sendAndWait';
import { resources } from './resources';

export class DingTalkGroupRobot implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingTalk Group Robot (自定义机器人)',
		name: 'dingTalkGroupRobot',
		icon: { light: 'file:../DingTalk/dingtalk.svg', dark: 'file:../DingTalk/dingtalk.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle:
			'={{$parameter["operation"] === "sendAndWait" ? "Send and Wait for Response" : "Send: " + $parameter["messageType"]}}',
		description:
			"Post to a DingTalk group through its custom robot's webhook (自定义机器人), signed when 加签 is on, no app needed: text and markdown with @mentions, links, action cards and feed cards; or ask the group and wait for the answer",
		defaults: { name: 'DingTalk Group Robot' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'dingTalkRobotApi', required: true }],
		// Send and Wait's resume links (GET shows the page, POST answers).
		webhooks: SEND_AND_WAIT_WEBHOOKS,
		waitingNodeTooltip: SEND_AND_WAIT_TOOLTIP,
		properties: buildProperties(resources),
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await sendAndWaitWebhook.call(this);
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route.call(this, resources);
	}
}
