import type {
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
} from 'n8n-workflow';

import { NodeConnectionTypes } from 'n8n-workflow';

import { weComAiBotConnectionTest } from './connection/credentialTest';
import { aiBotTrigger } from './trigger/connection';

export class WeComAiBotTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WeCom AI Bot (企业微信智能机器人) Trigger',
		name: 'weComAiBotTrigger',
		icon: { light: 'file:wecom.svg', dark: 'file:wecom.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"messages to the AI bot"}}',
		description:
			// n8n's node panel files this trigger under the WeCom AI Bot entry and shows this text for the whole entry (the
			// merged entry takes the trigger's description): it speaks for the reply actions too.
			"Answer the company's WeCom AI bot (智能机器人) with an AI Agent in a stream reply written as the model writes; and start workflows when a colleague writes to the bot, over WeCom's long connection (no public URL), one Chat Trigger item per message",
		defaults: { name: 'WeCom AI Bot Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'weComAiBotApi', required: true, testedBy: 'weComAiBotConnectionTest' }],
		properties: [
			{
				displayName:
					"Holds the AI bot's long connection (长连接) while the workflow is published: WeCom keeps one connection per bot, so publish one workflow per bot. Answer with WeCom AI Bot → Start / Finish (and WeCom AI Bot Streaming on the Agent's model); they reach WeCom through this connection, so n8n must run in one process (regular mode, not queue mode). 企业微信智能机器人的长连接：每个机器人只保留一个连接。",
				name: 'notice',
				type: 'notice',
				default: '',
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
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Include Raw Message',
						name: 'includeRaw',
						type: 'boolean',
						default: false,
						description:
							"Whether the item carries WeCom's message body as received under raw (without download URLs and their keys)",
					},
				],
			},
		],
	};

	methods = { credentialTest: { weComAiBotConnectionTest } };

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return await aiBotTrigger.call(this);
	}
}
