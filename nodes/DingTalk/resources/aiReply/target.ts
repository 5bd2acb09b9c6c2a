// Which robot message an AI reply answers, and the card that belongs to it. The card's outTrackId is derived from the
// message (robot, conversation, msgId), so every step of a reply — the start, the streamed tokens, the end, an error
// output or a re-run of the workflow — finds the same card without carrying anything along.
import { createHash } from 'node:crypto';

import type {
	IDataObject,
	IExecuteFunctions,
	INodeProperties,
	ISupplyDataFunctions,
} from 'n8n-workflow';

import { isRecord, scalarText } from '../../../shared/json';
import { triggerItemFor as sharedTriggerItemFor } from '../../../shared/triggerItem';

export interface ReplyTarget {
	msgId: string;
	conversationId: string;
	/** '1' one-to-one with the robot, '2' a group. */
	conversationType: '1' | '2';
	/** The sender: a 1:1 card goes to them (dtv1.card//IM_ROBOT.<staffId>). */
	senderStaffId: string;
	senderNick: string;
	/** The robot the message was written to; empty: the credential's. */
	robotCode: string;
}

export type ReplyContext = IExecuteFunctions | ISupplyDataFunctions;

function text(value: unknown): string {
	return (scalarText(value) ?? '').trim();
}

/** The message a DingTalk Trigger item (DingTalk's fields, or the chat item) stands for; undefined for other items. */
export function targetOfItem(json: IDataObject | undefined): ReplyTarget | undefined {
	if (!json) return undefined;
	const chat = isRecord(json.chat) ? (json.chat as IDataObject) : undefined;
	const sender = isRecord(json.sender) ? (json.sender as IDataObject) : undefined;
	const msgId = text(json.msgId) || text(json.messageId);
	const conversationId = text(json.conversationId) || text(chat?.id);
	const type =
		text(json.conversationType) ||
		(chat?.type === 'group' ? '2' : chat?.type === 'direct' ? '1' : '');
	if (!msgId || !conversationId || (type !== '1' && type !== '2')) return undefined;
	return {
		msgId,
		conversationId,
		conversationType: type,
		senderStaffId: text(json.senderStaffId) || text(sender?.staffId),
		senderNick: text(json.senderNick) || text(sender?.name),
		robotCode: text(json.robotCode),
	};
}

/** The card of a message: sha256 hex like the official SDK's ids, the same for every step and every run. */
export function outTrackIdOf(target: ReplyTarget, robotCode: string): string {
	return createHash('sha256')
		.update(
			['n8n-ai-reply', target.robotCode || robotCode, target.conversationId, target.msgId].join(
				'\n',
			),
		)
		.digest('hex');
}

export const TRIGGER_NODE_SUFFIX = '.dingTalkTrigger';

/** The DingTalk Trigger item that led to item `itemIndex` (nodes/shared/triggerItem.ts). */
export function triggerItemFor(context: ReplyContext, itemIndex: number): IDataObject | undefined {
	return sharedTriggerItemFor(context, itemIndex, TRIGGER_NODE_SUFFIX, (json) => !!targetOfItem(json));
}

export const REPLY_TO_PROPERTIES: INodeProperties[] = [
	{
		displayName: 'Reply To',
		name: 'replyTo',
		type: 'options',
		options: [
			{
				name: "The DingTalk Trigger's Message",
				value: 'trigger',
				description:
					'The robot message this item comes from: the input item itself, or the DingTalk Trigger item it was made from (followed back through the AI Agent)',
			},
			{
				name: 'Message Fields',
				value: 'fields',
				description: 'Give the message ID and conversation yourself (e.g. from another workflow)',
			},
		],
		default: 'trigger',
	},
	{
		displayName: 'Message ID',
		name: 'msgId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { replyTo: ['fields'] } },
		description: 'The msgId of the robot message answered; the card is found again by it',
	},
	{
		displayName: 'Conversation ID',
		name: 'conversationId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { replyTo: ['fields'] } },
		description:
			'The conversationId of the robot message (the group, or the 1:1 chat with the robot)',
	},
	{
		displayName: 'Conversation Type',
		name: 'conversationType',
		type: 'options',
		options: [
			{ name: 'One-to-One (单聊)', value: '1' },
			{ name: 'Group (群聊)', value: '2' },
		],
		default: '1',
		displayOptions: { show: { replyTo: ['fields'] } },
	},
	{
		displayName: 'Sender Staff ID',
		name: 'senderStaffId',
		type: 'string',
		default: '',
		displayOptions: { show: { replyTo: ['fields'], conversationType: ['1'] } },
		description: 'The userid of the one who wrote: a one-to-one reply goes to them',
	},
];

/** The message item `itemIndex` answers, from the trigger's item or from the fields; undefined when none is found. */
export function readTarget(context: ReplyContext, itemIndex: number): ReplyTarget | undefined {
	if (context.getNodeParameter('replyTo', itemIndex, 'trigger') === 'fields') {
		const value = (name: string) => text(context.getNodeParameter(name, itemIndex, ''));
		const type = value('conversationType') === '2' ? '2' : '1';
		const target: ReplyTarget = {
			msgId: value('msgId'),
			conversationId: value('conversationId'),
			conversationType: type,
			senderStaffId: type === '1' ? value('senderStaffId') : '',
			senderNick: '',
			robotCode: '',
		};
		return target.msgId && target.conversationId ? target : undefined;
	}
	return targetOfItem(triggerItemFor(context, itemIndex));
}
