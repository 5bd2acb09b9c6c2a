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
import { weComAiBotConnectionTest } from './connection/credentialTest';
import { INTERVAL_OPTION, sessionOf } from './resources/aiReply';
import { REPLY_TO_PROPERTIES } from './reply/target';

// The streaming callback and why a sub-node: nodes/shared/aiStreaming.ts.

// A sub-node supplies a model to an AI Agent and has no execute(): as a tool (usableAsTool) it would have nothing to run.
// eslint-disable-next-line @n8n/community-nodes/node-usable-as-tool
export class WeComAiBotStreaming implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WeCom AI Bot Streaming (企业微信智能机器人流式输出)',
		name: 'weComAiBotStreaming',
		icon: { light: 'file:wecom.svg', dark: 'file:wecom.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{"stream reply of the AI bot"}}',
		description:
			"Put between a chat model and an AI Agent: the answer appears in the WeCom AI bot's stream reply token by token while the model writes it",
		defaults: { name: 'WeCom AI Bot Streaming' },
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
		credentials: [{ name: 'weComAiBotApi', required: true, testedBy: 'weComAiBotConnectionTest' }],
		properties: [
			{
				displayName:
					"Connect the chat model (any) to this node and this node to the AI Agent's Chat Model input. The Agent's answer is streamed into the reply to the AI bot message the Agent answers; end it with WeCom AI Bot → Finish after the Agent. 把聊天模型连到本节点，再把本节点连到 AI Agent 的 Chat Model 输入：回答会逐字出现在智能机器人的流式回复中。",
				name: 'notice',
				type: 'notice',
				default: '',
			},
			...REPLY_TO_PROPERTIES,
			optionsField([
				INTERVAL_OPTION,
				{
					displayName: 'Show Tool Calls',
					name: 'showSteps',
					type: 'boolean',
					default: true,
					description: 'Whether the tools the Agent calls are listed in the reply while it works',
				},
				{
					displayName: 'Thinking Text',
					name: 'thinkingText',
					type: 'string',
					default: '思考中…',
					description:
						'What the reply shows before the first token when no WeCom AI Bot → Start came before',
				},
			]),
		],
	};

	methods = { credentialTest: { weComAiBotConnectionTest } };

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
			this.logger.warn(`WeCom AI Bot Streaming: ${message}`);
			this.addExecutionHints({ message, type: 'warning', location: 'outputPane' });
			return { response: model };
		};
		// The Agent asks for its model once for all its items: tokens cannot be told apart between messages.
		if (this.getInputData(0, NodeConnectionTypes.Main).length > 1) {
			return passThrough(
				'the AI Agent got several items: their tokens cannot be told apart, so nothing is streamed (WeCom AI Bot → Finish still writes each answer)',
			);
		}
		const session = await sessionOf(this, itemIndex);
		if (!session) {
			return passThrough(
				"no AI bot message found for the AI Agent's item (put the Agent after the WeCom AI Bot Trigger): nothing is streamed",
			);
		}
		const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
		if (session.status === 'new') {
			await session.start(String(options.thinkingText ?? '思考中…'));
		}
		withStreamingCallback(model, session, options.showSteps !== false);
		return {
			response: model,
			// After the Agent's run: what is still pending goes out before the next node (Finish) runs.
			closeFunction: async () => await session.settle(),
		};
	}
}
