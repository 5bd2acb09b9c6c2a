import type {
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { NodeConnectionTypes } from 'n8n-workflow';

import { CONSOLE_REGISTERED_WEBHOOK_METHODS, RAW_BODY_OPTION } from '../shared/webhookRequest';
import { weComAiBotConnectionTest } from './connection/credentialTest';
import {
	aiBotTestEvents,
	CALLBACK_PATH,
	DEFAULT_THINKING_TEXT,
	receiveAiBotCallback,
	type AiBotConnectionMode,
} from './trigger/callback';
import { aiBotTrigger, DEFAULT_NO_ANSWER_TEXT, FAILED_RUN_GRACE_MS } from './trigger/connection';
import { DEFAULT_MAX_ATTACHMENT_MB } from '../shared/chat';
import { MAX_ATTACHMENT_MB } from './trigger/media';
import {
	CALLBACK_GET_FIELD,
	CALLBACK_POST_FIELD,
	HIDE_URL_EXPRESSION,
	TRIGGER_PANEL,
} from './trigger/modes';

// Two connection modes, one node (the DingTalk Trigger's shape, nodes/DingTalk/DingTalkTrigger.node.ts):
// - Long connection (the default, and what every workflow saved before callback mode used): trigger() holds WeCom's
//   WebSocket (trigger/connection.ts); the webhooks' methods are empty then, so n8n registers no URL.
// - Callback URL: WeCom calls the node's webhooks (trigger/callback.ts): GET for the URL check, POST for messages and
//   stream refreshes. trigger() then only matters to a test run (nodes/shared/testEvents.ts).

export class WeComAiBotTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WeCom AI Bot (企业微信智能机器人) Trigger',
		name: 'weComAiBotTrigger',
		icon: { light: 'file:wecom.svg', dark: 'file:wecom.dark.svg' },
		group: ['trigger'],
		version: 1,
		// Stays 1: n8n leaves the body unparsed only for typeVersion 1 (nodes/shared/webhookRequest.ts).
		subtitle:
			'={{ $parameter["connectionMode"] === "callback" ? "callback URL" : "long connection" }}',
		description:
			// n8n's node panel files this trigger under the WeCom AI Bot entry and shows this text for the whole entry (the
			// merged entry takes the trigger's description): it speaks for the reply actions too.
			"Answer the company's WeCom AI bot (智能机器人) with an AI Agent in a stream reply written as the model writes; and start workflows when a colleague writes to the bot, over WeCom's long connection (no public URL) or the bot's callback URL, one Chat Trigger item per message",
		defaults: { name: 'WeCom AI Bot Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'weComAiBotApi', required: true, testedBy: 'weComAiBotConnectionTest' }],
		webhooks: [
			{
				name: 'setup',
				...CALLBACK_GET_FIELD,
				responseMode: 'onReceived',
				path: CALLBACK_PATH,
				ndvHideUrl: HIDE_URL_EXPRESSION,
			},
			{
				name: 'default',
				...CALLBACK_POST_FIELD,
				// n8n answers with the node's webhookResponse (the encrypted stream reply) once it recorded the execution.
				responseMode: 'onReceived',
				responseData: '',
				path: CALLBACK_PATH,
				ndvHideUrl: HIDE_URL_EXPRESSION,
			},
		],
		triggerPanel: TRIGGER_PANEL,
		properties: [
			{
				displayName: 'Connection Mode',
				name: 'connectionMode',
				type: 'options',
				options: [
					{
						name: 'Long Connection (长连接)',
						value: 'longConnection',
						description:
							'The node keeps a WebSocket open to WeCom with the Bot ID and Secret: no public URL needed',
					},
					{
						name: 'Callback URL (URL 回调)',
						value: 'callback',
						description:
							"WeCom posts encrypted messages to this node's URL (Token and EncodingAESKey): n8n must be reachable from the internet",
					},
				],
				default: 'longConnection',
			},
			{
				displayName:
					"Holds the AI bot's long connection (长连接) while the workflow is published: WeCom keeps one connection per bot, so publish one workflow per bot. The reply shows the thinking text at once; answer with WeCom AI Bot → Finish (and WeCom AI Bot Streaming on the Agent's model, for the answer as it is written). In queue mode the final answer comes back from the worker to this trigger on the main process (no updates while it is written). 企业微信智能机器人的长连接：每个机器人只保留一个连接；队列模式下只回传最终回答。",
				name: 'notice',
				type: 'notice',
				default: '',
				displayOptions: { show: { connectionMode: ['longConnection'] } },
			},
			{
				displayName:
					"Copy the <b>Production URL</b> from <b>Webhook URLs</b> above into the bot's settings: 管理后台 → 应用管理 → 智能机器人 → the bot → API 模式 → <b>URL 回调</b>, with the same Token and EncodingAESKey as the credential. <b>Publish this workflow before saving there</b>: WeCom checks the URL at once. Answer with WeCom AI Bot → Start / Finish (and WeCom AI Bot Streaming); WeCom fetches the reply from this n8n process (refresh callbacks), so n8n must run in one process (regular mode, not queue mode). 企业微信智能机器人 URL 回调模式：回复由企业微信回调拉取，n8n 需以单进程运行。",
				name: 'callbackNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { connectionMode: ['callback'] } },
			},
			{
				displayName: 'Conversation Memory in Groups',
				name: 'sessionScope',
				type: 'options',
				options: [
					{
						name: 'One Conversation per Group',
						value: 'chat',
						description: 'The sessionId is the group: the Agent remembers what anyone in it said',
					},
					{
						name: 'One Conversation per Member',
						value: 'member',
						description:
							'The sessionId is the group and the sender: each member has their own conversation',
					},
				],
				default: 'chat',
				description:
					'What sessionId (the key memory nodes read) stands for in a group; a one-to-one chat is always its own conversation',
			},
			{
				displayName: 'Download Attachments',
				name: 'downloadAttachments',
				type: 'boolean',
				default: true,
				description:
					"Whether pictures, files and videos of a message are downloaded, decrypted and put on the item as binary data attachment_0, attachment_1, … (WeCom's download links work for 5 minutes)",
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				// RAW_BODY_OPTION's flag, set from the start (written out: the lint wants a literal here).
				default: { binaryData: true },
				options: [
					RAW_BODY_OPTION,
					{
						displayName: 'Include Raw Message',
						name: 'includeRaw',
						type: 'boolean',
						default: false,
						description:
							"Whether the item carries WeCom's message body as received under raw (without download URLs and their keys)",
					},
					{
						displayName: 'Max Attachment Size (MB)',
						name: 'maxAttachmentSize',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: MAX_ATTACHMENT_MB },
						default: DEFAULT_MAX_ATTACHMENT_MB,
						description:
							'A larger file is listed on the item with its size but not downloaded (WeCom allows files up to 100 MB)',
					},
					{
						displayName: 'Thinking Text',
						name: 'thinkingText',
						type: 'string',
						default: DEFAULT_THINKING_TEXT,
						description:
							'What the reply shows as soon as the message arrives, before the workflow runs (until the answer replaces it)',
					},
					{
						displayName: 'No Answer Text',
						name: 'noAnswerText',
						type: 'string',
						default: DEFAULT_NO_ANSWER_TEXT,
						displayOptions: { show: { '/connectionMode': ['longConnection'] } },
						description: `What ends a reply the run left open: shown when the run ended without Finish or Fail, or failed (after ${FAILED_RUN_GRACE_MS / 1000} s, so that an error workflow can end it with its own message first)`,
					},
				],
			},
		],
	};

	methods = { credentialTest: { weComAiBotConnectionTest } };

	// WeCom has no API to register a bot's callback URL: the user pastes it into the admin console.
	webhookMethods = CONSOLE_REGISTERED_WEBHOOK_METHODS;

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveAiBotCallback.call(this);
	}

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const mode = this.getNodeParameter('connectionMode', 'longConnection') as AiBotConnectionMode;
		if (mode !== 'callback') return await aiBotTrigger.call(this);
		// Callback mode: the webhooks do the work. Published, n8n calls this once on activation (nothing to start) and
		// passes each webhook's items through the run; a test run gets the message webhook() accepted.
		if (this.getMode() !== 'manual') return {};
		return aiBotTestEvents.trigger.call(this);
	}
}
