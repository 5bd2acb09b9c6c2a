import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { listSearch, loadOptions, resourceMapping } from './methods';
import { resources } from './resources';
import { buildProperties, route } from '../shared/operations';
import {
	SEND_AND_WAIT_TOOLTIP,
	SEND_AND_WAIT_WEBHOOKS,
	sendAndWaitWebhook,
} from '../shared/sendAndWait';

export class WeCom implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WeCom (企业微信)',
		name: 'weCom',
		icon: { light: 'file:wecom.svg', dark: 'file:wecom.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Send WeCom app messages, upload media, manage app group chats, submit and query approvals (审批), look up departments, users and tags, identify users from login codes, sign JS-SDK pages and manage the app',
		defaults: { name: 'WeCom' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'weComApi', required: true }],
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
