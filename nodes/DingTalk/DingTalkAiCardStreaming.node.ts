import type {
	IDataObject,
	INodeType,
	INodeTypeDescription,
	ISupplyDataFunctions,
	SupplyData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { withStreamingCallback, type ModelLike } from '../shared/aiStreaming';
import { optionsField } from '../shared/operations';
import { CARD_OPTIONS, CARD_PROPERTIES, readReplyConfig } from './resources/aiReply/config';
import { sessionFor } from './resources/aiReply/session';
import { readTarget, REPLY_TO_PROPERTIES } from './resources/aiReply/target';

// The streaming callback and why a sub-node: nodes/shared/aiStreaming.ts.

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
		withStreamingCallback(model, session, options.showSteps !== false);
		return {
			response: model,
			// After the Agent's run: what is still pending goes out before the next node (AI Reply → Finish) runs.
			closeFunction: async () => await session.settle(),
		};
	}
}
