// Which AI bot message a reply answers: the bot, and the message's req_id (long connection: WeCom keys stream replies
// by it) or the stream id the trigger answered it with (callback mode: WeCom's refresh callbacks ask for it). Found on the input item, or on the WeCom AI Bot Trigger item it was made from (followed
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
	/** Long connection: the message frame's req_id ('' in callback mode). */
	reqId: string;
	msgid: string;
	/** Callback mode: the stream id the trigger answered the message with. */
	streamId?: string;
	/** The trigger takes the final answer back when this process has no connection (reply/relay.ts). */
	replyViaTrigger?: boolean;
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
	const streamId = text(fields.streamId);
	// Callback mode needs no bot to reach WeCom (the stream is read by WeCom's refreshes): its botId is informative.
	if (!streamId && (!botId || !reqId)) return undefined;
	return {
		botId,
		reqId,
		msgid: text(fields.msgid),
		...(streamId ? { streamId } : {}),
		...(fields.replyViaTrigger === true && !streamId ? { replyViaTrigger: true } : {}),
	};
}

export const TRIGGER_NODE_SUFFIX = '.weComAiBotTrigger';

function triggerItemFor(context: AiBotReplyContext, itemIndex: number): IDataObject | undefined {
	return sharedTriggerItemFor(
		context,
		itemIndex,
		TRIGGER_NODE_SUFFIX,
		(json) => !!targetOfItem(json),
	);
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
				description:
					'Give the req_id (long connection) or the stream ID (callback mode) yourself (e.g. from an item kept elsewhere)',
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
			"Long connection: the req_id of the message's frame, as the trigger item carries it (wecomAiBot.reqId); ignored when Stream ID is set",
	},
	{
		displayName: 'Stream ID (Callback Mode)',
		name: 'streamId',
		type: 'string',
		default: '={{ $json.wecomAiBot?.streamId }}',
		displayOptions: { show: { replyTo: ['fields'] } },
		description:
			'Callback mode: the stream ID the trigger answered the message with (wecomAiBot.streamId); empty for the long connection',
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
		const streamId = text(context.getNodeParameter('streamId', itemIndex, ''));
		if (streamId) return { botId: credentialBotId, reqId: '', msgid: '', streamId };
		const reqId = text(context.getNodeParameter('reqId', itemIndex, ''));
		return reqId ? { botId: credentialBotId, reqId, msgid: '' } : undefined;
	}
	return targetOfItem(triggerItemFor(context, itemIndex));
}
