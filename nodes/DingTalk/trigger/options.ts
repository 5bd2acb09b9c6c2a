// The DingTalk Trigger's parameters and the texts that explain its two connection modes.
import type {
	INodeParameters,
	INodeProperties,
	INodeTypeDescription,
	IWebhookDescription,
} from 'n8n-workflow';
import { WEBHOOK_RESOLVERS } from 'n8n-workflow';

import { dedupeWindowOption, TIMESTAMP_WINDOW_OPTION } from '../../shared/callbackTrigger';
import { answerAfterRunOption } from '../../shared/heldCallbacks';
import { RAW_BODY_OPTION } from '../../shared/webhookRequest';
import { EVENT_FILTER_OPTIONS } from './events';

export type ConnectionModeValue = 'http' | 'stream';

export interface TriggerOptions {
	dedupeWindow?: number;
	maxAttachmentSize?: number;
	maxConcurrent?: number;
	eventTypes?: string;
	includeRaw?: boolean;
	timestampWindow?: number;
	answerAfterRun?: boolean;
}

export const CALLBACK_PATH = 'callback';

const IS_STREAM = '$parameter["connectionMode"] === "stream"';

/** The POST webhook exists in HTTP mode only: an empty method registers nothing (n8n skips it). */
export const HTTP_METHOD_EXPRESSION = `={{ ${IS_STREAM} ? "" : "POST" }}`;

/** What HTTP_METHOD_EXPRESSION evaluates to, computed from the node's parameters without the expression engine. */
export function httpMethodOf(parameters: INodeParameters): string {
	return parameters.connectionMode === 'stream' ? '' : 'POST';
}

/**
 * The webhook's httpMethod: the expression (what the editor evaluates, and what n8n evaluates where it must), plus a
 * native resolver for it. n8n 2.41 works out every webhook's method on every request (LiveWebhooks.executeWebhook →
 * WebhookService.getNodeWebhooks); with the resolver, and the node's parameters free of expressions, it calls
 * httpMethodOf instead of evaluating the expression (n8n-workflow's resolveWebhookDescriptionField, which uses the
 * resolver only while the field still holds exactly this template). An n8n without resolvers evaluates the expression,
 * as before. Both give the same method for every parameter value (test/dingtalk/trigger.test.ts).
 */
export const HTTP_METHOD_FIELD: Pick<IWebhookDescription, 'httpMethod' | typeof WEBHOOK_RESOLVERS> =
	{
		httpMethod: HTTP_METHOD_EXPRESSION,
		// A symbol in n8n-workflow 2.41 and later; older versions have no resolvers (and no such export).
		...(typeof WEBHOOK_RESOLVERS === 'symbol'
			? {
					[WEBHOOK_RESOLVERS]: {
						httpMethod: { template: HTTP_METHOD_EXPRESSION, resolve: httpMethodOf },
					},
				}
			: {}),
	};

export const HIDE_URL_EXPRESSION = `={{ ${IS_STREAM} }}`;

export const SUBTITLE = `={{ ${IS_STREAM} ? "Stream" : "HTTP callback" }}`;

export const TRIGGER_PANEL: INodeTypeDescription['triggerPanel'] = {
	header: '',
	executionsHelp: {
		inactive:
			"<b>HTTP callback mode</b>: DingTalk posts every event of an app to the one URL saved in its developer console (事件订阅 → 推送方式 HTTP 推送 → 请求网址), so this button only hears DingTalk while that URL is this node's <b>Test URL</b>. Click 'Listen for test event', paste the Test URL there and save (DingTalk's URL check is answered), then cause an event; put the Production URL back before you publish. Robot messages in HTTP mode go to the robot's 消息接收地址 instead (the same URL works). Without DingTalk: <code>npm run sandbox:send -- dingtalk approval --url &lt;Test URL&gt;</code>, or <code>dingtalk-robot-http \"你好\" --url &lt;Test URL&gt;</code> for a robot message, from this package's repository.<br /><br /><b>Stream mode</b>: click 'Listen for test event' and cause an event; no URL is needed. DingTalk gives each event to <b>one</b> of the app's Stream connections: while a published workflow on the same app is connected, this test hears only part of the events.<br /><br />HTTP 推送：钉钉只把事件发到开发者后台保存的那一个请求网址；Stream 模式无需公网地址，但同一应用的多个连接会分摊事件。",
		active:
			'<b>This workflow is published</b>: events start it and show in the <a data-key="executions">executions list</a> (open one and use <i>Copy to editor</i> to work on its data here).<br /><br />In Stream mode, a test listener here shares the events with the published workflow: each event reaches only one of them. 已发布：Stream 模式下，此处的测试监听会与已发布的工作流分摊事件。',
	},
	activationHint:
		'When it works, publish the workflow: in HTTP mode with the Production URL saved in 事件订阅; in Stream mode with 推送方式 set to Stream 模式.',
};

export const TRIGGER_PROPERTIES: INodeProperties[] = [
	{
		displayName: 'Connection Mode',
		name: 'connectionMode',
		type: 'options',
		options: [
			{
				name: 'HTTP Callback (HTTP 推送)',
				value: 'http',
				description:
					"DingTalk posts encrypted events to this node's URL: n8n must be reachable from the internet",
			},
			{
				name: 'Stream (Stream 模式)',
				value: 'stream',
				description: 'The node keeps a connection open to DingTalk: no public URL needed',
			},
		],
		default: 'http',
	},
	{
		displayName:
			"Copy the <b>Production URL</b> from <b>Webhook URLs</b> above into the DingTalk developer console: 开发者后台 → your app → 事件订阅 (Event Subscription) → 推送方式 <b>HTTP 推送</b> → 请求网址 (Request URL), with the same 加密 token and 数据加密密钥 (aes_key) as the credential's Callback Token and Callback AES Key. <b>Publish (activate) this workflow before saving there</b>: DingTalk checks the URL at once (check_url) and only the production URL stays registered. Then tick the events to push (e.g. 审批实例开始/结束, 通讯录用户增加).",
		name: 'httpNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { connectionMode: ['http'] } },
	},
	{
		displayName: 'Register Callback by API (旧版注册回调)',
		name: 'registerCallback',
		type: 'boolean',
		default: false,
		displayOptions: { show: { connectionMode: ['http'] } },
		description:
			"Whether publishing the workflow registers this node's Production URL and events with DingTalk's old callback API (call_back/register_call_back) and unpublishing removes it; off leaves the configuration to the console",
	},
	{
		displayName:
			"<b>An organisation has ONE callback registered by API</b>: publishing this workflow registers its Production URL, the Trigger On events (or Only Event Types) and the credential's Callback Token and AES Key — and <b>replaces</b> any URL registered before (another workflow or system). Unpublishing removes the registration only while it is still this node's. DingTalk then encrypts for the <b>Corp ID</b>: set it in the credential. Test listening does not register. 一个组织只有一个通过 API 注册的回调：发布会替换已注册的地址。",
		name: 'registerCallbackNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { connectionMode: ['http'], registerCallback: [true] } },
	},
	{
		displayName:
			"In the DingTalk developer console: 开发者后台 → your app → 事件订阅 (Event Subscription) → 推送方式 <b>Stream 模式</b>, save, and tick the events to push; for robot messages set the robot's 消息接收模式 to Stream 模式 too. Uses the credential's Client ID and Client Secret. <b>DingTalk gives each event to ONE of the app's Stream connections</b>: two published workflows on the same app, a test listener beside a published workflow, or several n8n main processes each get only part of the events — keep one Stream trigger per app (branch inside the workflow).",
		name: 'streamNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { connectionMode: ['stream'] } },
	},
	{
		displayName: 'Trigger On',
		name: 'events',
		type: 'multiOptions',
		options: EVENT_FILTER_OPTIONS,
		default: ['*'],
		description:
			'Which events start the workflow; others are acknowledged to DingTalk and dropped. Which events DingTalk sends at all is chosen in 事件订阅.',
	},
	{
		displayName: 'Receive Robot Messages',
		name: 'robotMessages',
		type: 'boolean',
		default: false,
		description:
			"Whether to also receive messages sent to the app's robot. Stream: subscribes to them (CALLBACK /v1.0/im/bot/messages/get), shared with any other Stream connection of the app that receives robot messages. HTTP: accepts them on this node's URL, checked against the credential's Client Secret (set the robot's 消息接收模式 to HTTP and its 消息接收地址 to the Production URL).",
	},
	{
		displayName:
			"For robot messages in HTTP mode: 开发者后台 → your app → 机器人 (Robot) → 消息接收模式 <b>HTTP 模式</b> → 消息接收地址: the same <b>Production URL</b>. DingTalk signs each message with the app's Client Secret (headers timestamp and sign); unsigned, wrongly signed or over an hour old requests are refused.",
		name: 'robotHttpNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { connectionMode: ['http'], robotMessages: [true] } },
	},
	{
		displayName: 'Robot Message Output',
		name: 'robotMessageOutput',
		type: 'options',
		options: [
			{
				name: "DingTalk's Fields",
				value: 'fields',
				description:
					'The message as DingTalk sends it, with messageText, sender and conversation added',
			},
			{
				name: 'Chat Item for an AI Agent (AI 对话)',
				value: 'chat',
				description:
					"Adds n8n's Chat Trigger fields (chatInput, sessionId) and sender, chat, mentions, quote, attachments as binary: memory and the AI Agent work without expressions",
			},
		],
		default: 'fields',
		displayOptions: { show: { robotMessages: [true] } },
		description: 'What a robot message becomes; other events are not changed',
	},
	{
		displayName: 'Conversation Memory in Groups',
		name: 'sessionScope',
		type: 'options',
		options: [
			{
				name: 'One per Group (群共享)',
				value: 'chat',
				description:
					'The group is the sessionId: the Agent remembers what anyone in the group said to it',
			},
			{
				name: 'One per Member (按成员)',
				value: 'member',
				description:
					'The group and the sender make the sessionId: each member has their own conversation with the Agent',
			},
		],
		default: 'chat',
		displayOptions: {
			show: { robotMessages: [true], robotMessageOutput: ['chat'] },
		},
		description:
			'How sessionId is made for group messages (memory sub-nodes read it); a 1:1 chat is always its own conversation',
	},
	{
		displayName: 'Download Attachments',
		name: 'downloadAttachments',
		type: 'boolean',
		default: true,
		displayOptions: {
			show: { robotMessages: [true], robotMessageOutput: ['chat'] },
		},
		description:
			"Whether pictures, files, voice and video of a message are fetched (robot file API) and put on the item as binary data attachment_0, attachment_1, …; needs the app's robot message permission",
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		// RAW_BODY_OPTION's flag, set from the start (written out: the lint wants a literal here).
		default: { binaryData: true },
		options: [
			RAW_BODY_OPTION,
			dedupeWindowOption(
				'DingTalk sends an event again when its answer is late or lost (and sometimes anyway)',
			),
			{
				displayName: 'Max Attachment Size (MB)',
				name: 'maxAttachmentSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 200 },
				default: 20,
				displayOptions: { show: { '/robotMessageOutput': ['chat'] } },
				description:
					'Robot messages in chat mode: a larger file is listed on the item with its size but not downloaded',
			},
			{
				displayName: 'Include Raw Payload',
				name: 'includeRaw',
				type: 'boolean',
				default: false,
				description: 'Whether to add the text DingTalk sent (the decrypted event) as raw',
			},
			{
				displayName: 'Only Event Types',
				name: 'eventTypes',
				type: 'string',
				default: '',
				placeholder: 'bpms_instance_change, user_add_org',
				description:
					'EventType values to accept, separated by commas (within the chosen Trigger On groups); empty accepts all',
			},
			{
				...TIMESTAMP_WINDOW_OPTION,
				displayOptions: { show: { '/connectionMode': ['http'] } },
				description: `HTTP mode: ${TIMESTAMP_WINDOW_OPTION.description}`,
			},
			{
				...answerAfterRunOption('DingTalk', "DingTalk's answer time"),
				displayOptions: { show: { '/connectionMode': ['http'] } },
			},
			{
				displayName: 'Executions at Once (Stream)',
				name: 'maxConcurrent',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 64,
				displayOptions: { show: { '/connectionMode': ['stream'] } },
				description:
					'Stream mode: how many events of this trigger n8n records at once. DingTalk is answered for each event once its execution has finished; events beyond this wait in arrival order, so a burst cannot flood n8n. 0 for no limit.',
			},
		],
	},
];
