import type {
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { receiveHttpEvent } from './trigger/http';
import { CALLBACK_REGISTRATION_METHODS } from './trigger/registration';
import {
	CALLBACK_PATH,
	HIDE_URL_EXPRESSION,
	HTTP_METHOD_FIELD,
	SUBTITLE,
	TRIGGER_PANEL,
	TRIGGER_PROPERTIES,
	type ConnectionModeValue,
	type TriggerOptions,
} from './trigger/options';
import { streamTrigger } from './trigger/stream';
import { holdCallbacks } from '../shared/heldCallbacks';
import { testEventTrigger } from './trigger/testEvents';

// Two connection modes, one node:
// - HTTP callback: a webhook (POST only; its method is empty in Stream mode, so n8n registers nothing then — worked out
//   per request without the expression engine, trigger/options.ts HTTP_METHOD_FIELD), read
//   and answered like the WeCom Trigger: typeVersion 1 with the hidden raw-body option, answer after record.
// - Stream: trigger() keeps a WebSocket to DingTalk (nodes/DingTalk/stream). In HTTP mode trigger() only matters to a
//   test run: n8n runs a node that has trigger() through it even when a webhook started the run (shared/testEvents.ts).

export class DingTalkTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingTalk (钉钉) Trigger',
		name: 'dingTalkTrigger',
		icon: { light: 'file:dingtalk.svg', dark: 'file:dingtalk.dark.svg' },
		group: ['trigger'],
		// Stays 1: n8n leaves the body unparsed only for typeVersion 1 (nodes/shared/webhookRequest.ts).
		version: 1,
		subtitle: SUBTITLE,
		description:
			// n8n's node panel files this trigger under the DingTalk entry and shows this text for the whole entry, the
			// actions included (n8n 2.41: the merged entry takes the trigger's description): it speaks for both.
			'Send DingTalk work notifications and robot messages, start and track approvals (审批), look up people; and start workflows on DingTalk events (事件订阅: approvals, contacts, robot messages) over HTTP callbacks or Stream mode, verified and decrypted, once per event',
		defaults: { name: 'DingTalk Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'dingTalkApi', required: true }],
		webhooks: [
			{
				name: 'default',
				// POST in HTTP mode, none in Stream mode; resolved without the expression engine where n8n allows.
				...HTTP_METHOD_FIELD,
				// n8n answers with the node's webhookResponse (DingTalk's signed "success") once it recorded the execution.
				responseMode: 'onReceived',
				responseData: '',
				path: CALLBACK_PATH,
				ndvHideUrl: HIDE_URL_EXPRESSION,
			},
		],
		triggerPanel: TRIGGER_PANEL,
		properties: TRIGGER_PROPERTIES,
	};

	// The console's 事件订阅 has no API: the user pastes the URL there. With "Register Callback by API" on, the old
	// registration API (trigger/registration.ts) registers it on publish and removes it on unpublish.
	webhookMethods = CALLBACK_REGISTRATION_METHODS;

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveHttpEvent.call(this);
	}

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const options = this.getNodeParameter('options', {}) as TriggerOptions;
		if ((this.getNodeParameter('connectionMode', 'http') as ConnectionModeValue) !== 'stream') {
			// HTTP mode: the webhook does the work. A test run calls this and waits for an emit, so it gets the test event
			// webhook() accepted (shared/testEvents.ts). Published, n8n calls this once on activation, on the main process:
			// nothing to start, unless "Answer After the Run" has this process hold the callbacks (shared/heldCallbacks.ts).
			if (this.getMode() === 'manual') return testEventTrigger.call(this);
			if (options.answerAfterRun !== true) return {};
			return holdCallbacks(this, {
				deduplicate: Number(options.dedupeWindow ?? 10) > 0,
				label: 'DingTalk Trigger',
			});
		}
		return await streamTrigger.call(this, options);
	}
}
