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
import { listSearch, loadOptions, resourceMapping } from './methods';
import { resources } from './resources';

export class DingTalk implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingTalk (钉钉)',
		name: 'dingTalk',
		icon: { light: 'file:dingtalk.svg', dark: 'file:dingtalk.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Send DingTalk work notifications and robot messages (reply to them, or send and wait for an answer), upload media, start and query approvals (审批), look up departments and users, identify users from login codes, sign JSAPI pages and read the app',
		defaults: { name: 'DingTalk' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'dingTalkApi', required: true }],
		// Send and Wait's resume links (GET shows the page, POST answers).
		webhooks: SEND_AND_WAIT_WEBHOOKS,
		waitingNodeTooltip: SEND_AND_WAIT_TOOLTIP,
		properties: buildProperties(resources),
	};

	methods = { listSearch, loadOptions, resourceMapping };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await sendAndWaitWebhook.call(this);
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route.call(this, resources);
	}
}
