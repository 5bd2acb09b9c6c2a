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
import { pacingHint, ROBOT_PACING_HINTS } from '../shared/robotPacing';
import {
	SEND_AND_WAIT_TOOLTIP,
	SEND_AND_WAIT_WEBHOOKS,
	sendAndWaitWebhook,
} from '../shared/sendAndWait';
import { resources } from './resources';

export class WeComGroupRobot implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WeCom Group Robot (群机器人)',
		name: 'weComGroupRobot',
		icon: { light: 'file:../WeCom/wecom.svg', dark: 'file:../WeCom/wecom.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle:
			'={{$parameter["operation"] === "sendAndWait" ? "Send and Wait for Response" : "Send: " + $parameter["messageType"]}}',
		description:
			"Post to a WeCom group through its robot's webhook (群机器人), no app needed: text with @mentions, markdown, images, news, files, voice and template cards; or ask the group and wait for the answer. Paces itself to WeCom's 20 messages a minute per robot: 45 items take about 2 minutes",
		defaults: { name: 'WeCom Group Robot' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'weComGroupRobotApi', required: true }],
		// Send and Wait's resume links (GET shows the page, POST answers).
		webhooks: SEND_AND_WAIT_WEBHOOKS,
		waitingNodeTooltip: SEND_AND_WAIT_TOOLTIP,
		properties: buildProperties(resources),
		hints: ROBOT_PACING_HINTS,
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await sendAndWaitWebhook.call(this);
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const output = await route.call(this, resources);
		// The spinner says nothing of the robot's 20-a-minute pace: the output pane says how long the items waited.
		const paced = pacingHint(this);
		if (paced) this.addExecutionHints(paced);
		return output;
	}
}
