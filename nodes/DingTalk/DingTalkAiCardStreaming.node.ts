import type {
	IDataObject,
	INodeType,
	INodeTypeDescription,
	ISupplyDataFunctions,
	SupplyData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { optionsField } from '../shared/operations';
import { CARD_OPTIONS, CARD_PROPERTIES, readReplyConfig } from './resources/aiReply/config';
import { sessionFor, type ReplySession } from './resources/aiReply/session';
import { readTarget, REPLY_TO_PROPERTIES } from './resources/aiReply/target';

// Why a sub-node: n8n streams an AI Agent's tokens only into the HTTP response of a trigger in "streaming" response
// mode (n8n-core isStreaming(): a sendChunk hook, streamingEnabled, and an execution mode of manual, webhook,
// integrated or chat — never "trigger"). A DingTalk card is not that response. What a community node can reach is the
// chat model itself: placed between the model and the Agent, this node hands the Agent the same model with one more
// LangChain callback. That callback says it prefers streaming (lc_prefer_streaming), which makes LangChain's chat model
// generate through its streaming path even when the Agent only invokes it, so every token reaches handleLLMNewToken
// while it is produced. n8n's own Model Selector passes a model on the same way (adds a callback to model.callbacks).
// Checked against n8n 2.41's tree (@langchain/core 1.2.8, @langchain/openai 1.4.4, @langchain/classic agents) and, end
// to end, with n8n's AI Agent 3.1 and OpenAI Chat Model 1.3 (test/e2e/aiChat.ts). A model class that has no streaming
// path (no _streamResponseChunks) gives its answer only when it is complete: the card then shows it at once.

interface ModelLike {
	callbacks?: unknown;
	/** LangChain's ChatOpenAI (and the models built on it) keep their constructor fields here. */
	fields?: unknown;
}

interface LlmResultLike {
	generations?: Array<
		Array<{ text?: string; message?: { tool_calls?: Array<{ name?: string }> } }>
	>;
}

function callbacksOf(model: ModelLike): unknown[] {
	const { callbacks } = model;
	if (callbacks === undefined || callbacks === null) return [];
	if (Array.isArray(callbacks)) return callbacks;
	// A CallbackManager: its handlers.
	const handlers = (callbacks as { handlers?: unknown }).handlers;
	return Array.isArray(handlers) ? handlers : [];
}

/** Names of the tools the model asked for in this call, if any. */
function toolCallsOf(output: LlmResultLike | undefined): string[] {
	const names: string[] = [];
	for (const generation of output?.generations?.flat() ?? []) {
		for (const call of generation.message?.tool_calls ?? []) {
			if (call?.name) names.push(call.name);
		}
	}
	return names;
}

function textOf(output: LlmResultLike | undefined): string {
	return (output?.generations?.flat() ?? []).map((g) => g.text ?? '').join('');
}

/** The card text: the steps so far (tool calls), then the answer being written. */
function render(session: ReplySession, text: string, showSteps: boolean): string {
	const steps = showSteps ? session.notes.map((note) => `> ${note}`) : [];
	return [...steps, ...(steps.length && text ? [''] : []), text].join('\n');
}

/**
 * The LangChain callback, as a plain object: LangChain wraps an object without a `name` into a handler of its own
 * (BaseCallbackHandler.fromMethods), keeping `lc_prefer_streaming`.
 */
function streamingCallback(session: ReplySession, showSteps: boolean) {
	let text = '';
	const reset = async () => {
		text = '';
	};
	return {
		lc_prefer_streaming: true,
		handleChatModelStart: reset,
		handleLLMStart: reset,
		handleLLMNewToken: async (token: string) => {
			if (typeof token !== 'string' || token === '') return;
			text += token;
			session.offer(render(session, text, showSteps));
		},
		handleLLMEnd: async (output: LlmResultLike) => {
			const tools = toolCallsOf(output);
			if (tools.length) {
				session.notes.push(...tools.map((name) => `🔧 ${name}`));
				text = '';
				session.offer(render(session, text, showSteps));
				return;
			}
			// A model that does not stream still shows its answer once it is complete.
			if (text === '') {
				text = textOf(output);
				if (text) session.offer(render(session, text, showSteps));
			}
		},
	};
}

// A sub-node supplies a model to an AI Agent and has no execute(): as a tool (usableAsTool) it would have nothing to run.
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool
export class DingTalkAiCardStreaming implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingTalk AI Card Streaming (钉钉 AI 卡片流式输出)',
		name: 'dingTalkAiCardStreaming',
		icon: { light: 'file:dingtalk.svg', dark: 'file:dingtalk.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle:
			'={{ $parameter["cardTemplateId"] ? "AI card " + $parameter["cardTemplateId"] : "AI card of the credential" }}',
		description:
			"Put between a chat model and an AI Agent: the answer appears in the robot message's DingTalk AI card token by token while the model writes it",
		defaults: { name: 'DingTalk AI Card Streaming' },
		inputs: [
			{
				displayName: 'Model',
				type: NodeConnectionTypes.AiLanguageModel,
				maxConnections: 1,
				required: true,
			},
		],
		outputs: [NodeConnectionTypes.AiLanguageModel],
		outputNames: ['Model'],
		credentials: [{ name: 'dingTalkApi', required: true }],
		properties: [
			{
				displayName:
					"Connect the chat model (any: OpenAI, Anthropic, Ollama, …) to this node and this node to the AI Agent's Chat Model input. The Agent's answer is streamed into the AI card of the robot message the Agent answers; end it with DingTalk → AI Reply → Finish after the Agent. Tool calls show as steps. 把聊天模型连到本节点，再把本节点连到 AI Agent 的 Chat Model 输入：回答会逐字出现在该机器人消息的 AI 卡片中。",
				name: 'notice',
				type: 'notice',
				default: '',
			},
			...REPLY_TO_PROPERTIES,
			...CARD_PROPERTIES,
			optionsField([
				...CARD_OPTIONS,
				{
					displayName: 'Show Tool Calls',
					name: 'showSteps',
					type: 'boolean',
					default: true,
					description: 'Whether the tools the Agent calls are listed in the card while it works',
				},
				{
					displayName: 'Thinking Text',
					name: 'thinkingText',
					type: 'string',
					default: '思考中…',
					description:
						'What a card made by this node shows before the first token (when no AI Reply → Start came before)',
				},
			]),
		],
	};

	async supplyData(this: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
		const model = (await this.getInputConnectionData(
			NodeConnectionTypes.AiLanguageModel,
			itemIndex,
		)) as ModelLike | undefined;
		if (!model || typeof model !== 'object') {
			throw new NodeOperationError(
				this.getNode(),
				'No chat model connected: connect one (e.g. OpenAI Chat Model) to the Model input',
			);
		}
		const passThrough = (message: string): SupplyData => {
			this.logger.warn(`DingTalk AI Card Streaming: ${message}`);
			this.addExecutionHints({ message, type: 'warning', location: 'outputPane' });
			return { response: model };
		};
		// The Agent asks for its model once for all its items: tokens cannot be told apart between messages.
		if (this.getInputData(0, NodeConnectionTypes.Main).length > 1) {
			return passThrough(
				'the AI Agent got several items: their tokens cannot be told apart, so nothing is streamed (AI Reply → Finish still writes each answer)',
			);
		}
		const target = readTarget(this, itemIndex);
		if (!target) {
			return passThrough(
				"no robot message found for the AI Agent's item (put the Agent after the DingTalk Trigger, or choose Reply To: Message Fields): nothing is streamed",
			);
		}
		const config = await readReplyConfig(this, itemIndex);
		if (!config.templateId) {
			return passThrough(
				'no card template (neither Card Template ID here nor in the credential): a markdown reply cannot be streamed',
			);
		}
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		const session = sessionFor(target, config).use(this);
		if (session.status !== 'processing' && session.status !== 'inputting') {
			// No AI Reply → Start before (or a re-run after the end): this node shows the card.
			await session.start(String(options.thinkingText ?? '思考中…'));
		}
		const callbacks = [
			...callbacksOf(model),
			streamingCallback(session, options.showSteps !== false),
		];
		model.callbacks = callbacks;
		// ChatOpenAI's withConfig() — which bindTools() and so every Agent calls — builds a new model from its
		// constructor fields (@langchain/openai 1.x): the callback must be in them too, or the Agent's copy lacks it.
		if (model.fields && typeof model.fields === 'object') {
			(model.fields as { callbacks?: unknown }).callbacks = callbacks;
		}
		return {
			response: model,
			// After the Agent's run: what is still pending goes out before the next node (AI Reply → Finish) runs.
			closeFunction: async () => await session.settle(),
		};
	}
}
