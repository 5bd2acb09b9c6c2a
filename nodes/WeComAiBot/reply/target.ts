// Which AI bot message a reply answers: the bot (whose connection carries the reply) and the message's req_id (WeCom
// keys stream replies by it). Found on the input item, or on the WeCom AI Bot Trigger item it was made from (followed
// back through the AI Agent by n8n's paired items), or given as fields.
import type {
	IDataObject,
	IExecuteFunctions,
	INodeProperties,
	ISupplyDataFunctions,
} from 'n8n-workflow';

import { isRecord, scalarText } from '../../shared/json';
import { triggerItemFor as sharedTriggerItemFor } from '../../shared/triggerItem';

export interface AiBotReplyTarget {
	botId: string;
	reqId: string;
	msgid: string;
}

export type AiBotReplyContext = IExecuteFunctions | ISupplyDataFunctions;

function text(value: unknown): string {
	return (scalarText(value) ?? '').trim();
}

export function targetOfItem(json: IDataObject | undefined): AiBotReplyTarget | undefined {
	const fields = isRecord(json?.wecomAiBot) ? (json!.wecomAiBot as IDataObject) : undefined;
	if (!fields) return undefined;
	const botId = text(fields.botId);
	const reqId = text(fields.reqId);
	if (!botId || !reqId) return undefined;
	return { botId, reqId, msgid: text(fields.msgid) };
}

export const TRIGGER_NODE_SUFFIX = '.weComAiBotTrigger';

function triggerItemFor(context: AiBotReplyContext, itemIndex: number): IDataObject | undefined {
	return sharedTriggerItemFor(context, itemIndex, TRIGGER_NODE_SUFFIX, (json) => !!targetOfItem(json));
}

export const REPLY_TO_PROPERTIES: INodeProperties[] = [
	{
		displayName: 'Reply To',
		name: 'replyTo',
		type: 'options',
		options: [
			{
				name: "The WeCom AI Bot Trigger's Message",
				value: 'trigger',
				description:
					'The message this item comes from: the input item itself, or the trigger item it was made from (followed back through the AI Agent)',
			},
			{
				name: 'Message Fields',
				value: 'fields',
				description: 'Give the bot and the req_id yourself (e.g. from an item kept elsewhere)',
			},
		],
		default: 'trigger',
	},
	{
		displayName: 'Request ID (Req_id)',
		name: 'reqId',
		type: 'string',
		default: '={{ $json.wecomAiBot?.reqId }}',
		required: true,
		displayOptions: { show: { replyTo: ['fields'] } },
		description:
			"The req_id of the message's frame, as the trigger item carries it (wecomAiBot.reqId)",
	},
];

/** The message to answer for item `itemIndex`; the bot comes from the credential when only a req_id is given. */
export function readTarget(
	context: AiBotReplyContext,
	itemIndex: number,
	credentialBotId: string,
): AiBotReplyTarget | undefined {
	const replyTo = context.getNodeParameter('replyTo', itemIndex, 'trigger') as string;
	if (replyTo === 'fields') {
		const reqId = text(context.getNodeParameter('reqId', itemIndex, ''));
		return reqId ? { botId: credentialBotId, reqId, msgid: '' } : undefined;
	}
	return targetOfItem(triggerItemFor(context, itemIndex));
}
