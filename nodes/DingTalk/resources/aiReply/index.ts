// AI Reply (AI 卡片回复): the answer of an AI Agent to a robot message, shown in the same chat as it is made.
// Start shows the card at once ("processing"); the AI Card Streaming sub-node (or Update) writes the answer into it as it
// grows; Finish sets the final answer ("finished"); Fail closes it with an error ("failed"). Every step finds the card
// from the message (see target.ts), so a workflow needs no IDs, and a re-run updates the same card.
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { optionsField, type NodeOperation, type NodeResource } from '../../../shared/operations';
import { errorTextOf } from '../../../shared/chat';
import { contentField } from '../../../shared/messageFields';
import { CARD_OPTIONS, CARD_PROPERTIES, readReplyConfig } from './config';
import { openSessionsOf, sessionFor, type ReplySession } from './session';
import { readTarget, REPLY_TO_PROPERTIES } from './target';

const NOT_FOUND =
	'No robot message to reply to: this item does not come from a DingTalk Trigger robot message (Stream mode, Receive Robot Messages), and no DingTalk Trigger before this node has one. Put this node after the trigger (or after an AI Agent that follows it), or choose Reply To: Message Fields. 找不到要回复的机器人消息：请把本节点放在钉钉触发器（机器人消息）之后，或在 Reply To 中选择 Message Fields。';

async function sessionOf(this: IExecuteFunctions, itemIndex: number): Promise<ReplySession> {
	const target = readTarget(this, itemIndex);
	if (!target) throw new NodeOperationError(this.getNode(), NOT_FOUND, { itemIndex });
	return sessionFor(target, await readReplyConfig(this, itemIndex)).use(this);
}

/** The input item passed on (json and binary: an AI Agent after Start still sees the message), with the reply's state. */
function passOn(
	this: IExecuteFunctions,
	itemIndex: number,
	summary: IDataObject,
): INodeExecutionData[] {
	const item = this.getInputData()[itemIndex];
	return [
		{ json: { ...item.json, aiReply: summary }, ...(item.binary ? { binary: item.binary } : {}) },
	];
}

function withCardFields(
	properties: INodeProperties[],
	options: INodeProperties[] = [],
): INodeProperties[] {
	return [...properties, ...CARD_PROPERTIES, optionsField([...CARD_OPTIONS, ...options])];
}

const start: NodeOperation = {
	value: 'start',
	name: 'Start',
	action: 'Show the AI reply card',
	description:
		'Put the AI card in the chat at once, in its "processing" state (place it right after the trigger, before the AI Agent); passes the message on unchanged',
	properties: withCardFields([
		...REPLY_TO_PROPERTIES,
		{
			displayName: 'Thinking Text',
			name: 'thinkingText',
			type: 'string',
			default: '思考中…',
			description: 'What the card shows until the answer starts',
		},
	]),
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const session = await sessionOf.call(this, itemIndex);
		await session.start(String(this.getNodeParameter('thinkingText', itemIndex, '')));
		return passOn.call(this, itemIndex, session.summary());
	},
};

const update: NodeOperation = {
	value: 'update',
	name: 'Update',
	action: 'Update the AI reply card',
	description:
		'Show a partial answer or a step in the card ("inputting"); for live token streaming use the DingTalk AI Card Streaming sub-node on the AI Agent\'s model instead',
	properties: withCardFields([
		...REPLY_TO_PROPERTIES,
		contentField('The whole text the card shows now (markdown); it replaces what was there'),
	]),
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const session = await sessionOf.call(this, itemIndex);
		session.offer(String(this.getNodeParameter('content', itemIndex, '')));
		await session.settle();
		return passOn.call(this, itemIndex, session.summary());
	},
};

const finish: NodeOperation = {
	value: 'finish',
	name: 'Finish',
	action: 'Finish the AI reply',
	description:
		'Set the final answer (default: the AI Agent\'s output) and end the card as "finished"; without a card template, send the answer as a markdown message',
	properties: withCardFields(
		[
			...REPLY_TO_PROPERTIES,
			{
				displayName: 'Answer',
				name: 'answer',
				type: 'string',
				typeOptions: { rows: 4 },
				default: '={{ $json.output }}',
				required: true,
				description: "The final answer (markdown); by default the AI Agent's output",
			},
		],
		[
			{
				displayName: 'Markdown Title',
				name: 'title',
				type: 'string',
				default: '',
				description:
					"Without a card template: the message's title (shown in the chat list); empty: the answer's first words",
			},
		],
	),
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const answer = String(this.getNodeParameter('answer', itemIndex, '') ?? '');
		if (answer.trim() === '') {
			throw new NodeOperationError(
				this.getNode(),
				"Answer is empty: map the AI Agent's output ({{ $json.output }}) or write the answer",
				{ itemIndex },
			);
		}
		const session = await sessionOf.call(this, itemIndex);
		const { title } = this.getNodeParameter('options', itemIndex, {}) as { title?: string };
		await session.finish(answer, String(title ?? ''));
		return passOn.call(this, itemIndex, session.summary());
	},
};

const fail: NodeOperation = {
	value: 'fail',
	name: 'Fail',
	action: 'Fail the AI reply',
	description:
		'End the card as "failed" with a message: connect it to the AI Agent\'s error output, or use it in an error workflow (Reply To: Replies Left Open by an Execution)',
	properties: withCardFields(
		[
			{
				...REPLY_TO_PROPERTIES[0],
				options: [
					...(REPLY_TO_PROPERTIES[0].options ?? []),
					{
						name: 'Replies Left Open by an Execution (Error Workflow)',
						value: 'execution',
						description:
							'Every AI reply the failed execution started and did not end; works when the error workflow runs in the same n8n process',
					},
				],
			},
			...REPLY_TO_PROPERTIES.slice(1),
			{
				displayName: 'Execution ID',
				name: 'executionId',
				type: 'string',
				default: '={{ $json.execution?.id }}',
				displayOptions: { show: { replyTo: ['execution'] } },
				description: "The failed execution, as n8n's Error Trigger gives it",
			},
			{
				displayName: 'Message',
				name: 'message',
				type: 'string',
				default: '抱歉，这次没能完成回答，请稍后再试。',
				description: 'What the card (or message) says',
			},
		],
		[
			{
				displayName: 'Append Error Details',
				name: 'appendError',
				type: 'boolean',
				default: true,
				description:
					"Whether the input item's error (an error output's error, an Error Trigger's execution.error) is added after the message",
			},
		],
	),
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const json = this.getInputData()[itemIndex].json;
		const { appendError } = this.getNodeParameter('options', itemIndex, {}) as {
			appendError?: boolean;
		};
		const details = appendError === false ? '' : errorTextOf(json);
		const base = String(this.getNodeParameter('message', itemIndex, '') ?? '').trim();
		const message = [base, details ? `(${details})` : ''].filter((part) => part !== '').join(' ');
		if (this.getNodeParameter('replyTo', itemIndex, 'trigger') === 'execution') {
			const executionId = String(this.getNodeParameter('executionId', itemIndex, '') ?? '').trim();
			const open = executionId ? openSessionsOf(executionId) : [];
			const closed: IDataObject[] = [];
			for (const session of open) {
				await session.use(this).fail(message);
				closed.push(session.summary());
			}
			return { executionId, closed: closed.length, replies: closed };
		}
		const session = await sessionOf.call(this, itemIndex);
		await session.fail(message);
		return passOn.call(this, itemIndex, session.summary());
	},
};

export const aiReplyResource: NodeResource = {
	value: 'aiReply',
	name: 'AI Reply (AI 卡片回复)',
	description:
		"Answer a robot message with an AI Agent's reply in a DingTalk AI card: shown at once, updated while it is written, finished or failed",
	operations: [start, update, finish, fail],
};
