// AI Reply (流式回复): the answer of an AI Agent to an AI bot message, shown in the same chat as it is written. Start
// sends the "thinking" frame at once; the WeCom AI Bot Streaming sub-node (or Update) writes the answer as it grows;
// Finish ends it with the final answer; Fail ends it with a failure message. Every step finds the message from the
// item (reply/target.ts) and reaches WeCom through the trigger's long connection (connection/registry.ts).
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { errorTextOf } from '../../shared/chat';
import { contentField } from '../../shared/messageFields';
import { optionsField, type NodeOperation, type NodeResource } from '../../shared/operations';
import { aiBotCredentialsOf } from '../connection/credentialTest';
import { openSessionsOf, sessionFor, type AiBotReplySession } from '../reply/session';
import { readTarget, REPLY_TO_PROPERTIES } from '../reply/target';

const NOT_FOUND =
	'No AI bot message to reply to: this item does not come from a WeCom AI Bot Trigger, and no such trigger before this node has one. Put this node after the trigger (or after an AI Agent that follows it), or choose Reply To: Message Fields. 找不到要回复的智能机器人消息：请把本节点放在企业微信智能机器人触发器之后。';

export const INTERVAL_OPTION = {
	displayName: 'Update Interval (Ms)',
	name: 'intervalMs',
	type: 'number' as const,
	default: 300,
	typeOptions: { minValue: 100 },
	description:
		'Least time between two updates of the reply while it is written; newer text replaces text not yet sent',
};

export async function sessionOf(
	context: IExecuteFunctions | Parameters<typeof readTarget>[0],
	itemIndex: number,
): Promise<AiBotReplySession | undefined> {
	const credentials = aiBotCredentialsOf(await context.getCredentials('weComAiBotApi', itemIndex));
	const target = readTarget(context, itemIndex, credentials.botId);
	if (!target) return undefined;
	// Callback mode writes to the trigger's stream in this process: no connection, so no bot to match.
	if (!target.streamId && target.botId !== credentials.botId) {
		throw new NodeOperationError(
			context.getNode(),
			`The message came to AI bot ${target.botId}, but this node's credential is for bot ${credentials.botId}: choose the credential of the trigger's bot`,
			{ itemIndex },
		);
	}
	const session = sessionFor(target).use(context);
	const { intervalMs } = context.getNodeParameter('options', itemIndex, {}) as {
		intervalMs?: number;
	};
	const interval = Number(intervalMs ?? 300);
	session.intervalMs = Number.isFinite(interval) && interval >= 100 ? interval : 300;
	return session;
}

async function requireSession(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<AiBotReplySession> {
	const session = await sessionOf(this, itemIndex);
	if (!session) throw new NodeOperationError(this.getNode(), NOT_FOUND, { itemIndex });
	return session;
}

/** The input item passed on (an AI Agent after Start still sees the message), with the reply's state. */
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

const start: NodeOperation = {
	value: 'start',
	name: 'Start',
	action: 'Show that the bot is thinking',
	description:
		'Answer the message at once with a "thinking" text (place it right after the trigger, before the AI Agent); passes the message on unchanged',
	properties: [
		...REPLY_TO_PROPERTIES,
		{
			displayName: 'Thinking Text',
			name: 'thinkingText',
			type: 'string',
			default: '思考中…',
			description: 'What the reply shows until the answer starts',
		},
		optionsField([INTERVAL_OPTION]),
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const session = await requireSession.call(this, itemIndex);
		await session.start(String(this.getNodeParameter('thinkingText', itemIndex, '') || '思考中…'));
		return passOn.call(this, itemIndex, session.summary());
	},
};

const update: NodeOperation = {
	value: 'update',
	name: 'Update',
	action: 'Update the reply',
	description:
		"Show a partial answer or a step; for live token streaming use the WeCom AI Bot Streaming sub-node on the AI Agent's model instead",
	properties: [
		...REPLY_TO_PROPERTIES,
		contentField('The whole text the reply shows now (markdown); it replaces what was there'),
		optionsField([INTERVAL_OPTION]),
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const session = await requireSession.call(this, itemIndex);
		session.offer(String(this.getNodeParameter('content', itemIndex, '')));
		await session.settle();
		return passOn.call(this, itemIndex, session.summary());
	},
};

const finish: NodeOperation = {
	value: 'finish',
	name: 'Finish',
	action: 'Finish the reply',
	description: "Set the final answer (default: the AI Agent's output) and end the reply",
	properties: [
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
		optionsField([INTERVAL_OPTION]),
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const answer = String(this.getNodeParameter('answer', itemIndex, '') ?? '');
		if (answer.trim() === '') {
			throw new NodeOperationError(
				this.getNode(),
				"Answer is empty: map the AI Agent's output ({{ $json.output }}) or write the answer",
				{ itemIndex },
			);
		}
		const session = await requireSession.call(this, itemIndex);
		await session.finish(answer);
		return passOn.call(this, itemIndex, session.summary());
	},
};

const fail: NodeOperation = {
	value: 'fail',
	name: 'Fail',
	action: 'Fail the reply',
	description:
		"End the reply with a failure message: connect it to the AI Agent's error output, or use it in an error workflow (Reply To: Replies Left Open by an Execution)",
	properties: [
		{
			...REPLY_TO_PROPERTIES[0],
			options: [
				...(REPLY_TO_PROPERTIES[0].options ?? []),
				{
					name: 'Replies Left Open by an Execution (Error Workflow)',
					value: 'execution',
					description:
						'Every AI bot reply the failed execution started and did not end; works when the error workflow runs in the same n8n process',
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
			description: 'What the reply says after the part of the answer already shown',
		},
		optionsField([
			{
				displayName: 'Append Error Details',
				name: 'appendError',
				type: 'boolean',
				default: true,
				description:
					"Whether the input item's error (an error output's error, an Error Trigger's execution.error) is added after the message",
			},
		]),
	],
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
			const closed: IDataObject[] = [];
			for (const session of executionId ? openSessionsOf(executionId) : []) {
				await session.use(this).fail(message);
				closed.push(session.summary());
			}
			return { executionId, closed: closed.length, replies: closed };
		}
		const session = await requireSession.call(this, itemIndex);
		await session.fail(message);
		return passOn.call(this, itemIndex, session.summary());
	},
};

export const aiReplyResource: NodeResource = {
	value: 'aiReply',
	name: 'AI Reply (流式回复)',
	description:
		"Answer an AI bot message with an AI Agent's reply: shown at once, updated while it is written, finished or failed",
	operations: [start, update, finish, fail],
};
