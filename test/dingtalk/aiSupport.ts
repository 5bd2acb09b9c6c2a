/* eslint-disable @n8n/community-nodes/node-usable-as-tool -- test code: runs under Node and jest, never inside n8n */
// Stand-ins for n8n's AI nodes, for workflows run through n8n-core's engine: a chat model that is a plain object with
// LangChain's `callbacks` list, and an "agent" that drives it the way LangChain does when a callback prefers streaming
// (handleChatModelStart, handleLLMNewToken per token, handleLLMEnd). The real AI Agent and OpenAI Chat Model run in
// the real-n8n suite (test/e2e/aiChat.ts); these only let the package's side be tested without n8n's AI packages.
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	ISupplyDataFunctions,
	SupplyData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError, sleep } from 'n8n-workflow';

interface Handler {
	lc_prefer_streaming?: boolean;
	handleChatModelStart?: () => Promise<void>;
	handleLLMNewToken?: (token: string) => Promise<void>;
	handleLLMEnd?: (output: unknown) => Promise<void>;
}

export class FakeChatModel implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Fake Chat Model',
		name: 'fakeChatModel',
		group: ['transform'],
		version: 1,
		description: 'A model object with LangChain callbacks',
		defaults: { name: 'Fake Chat Model' },
		inputs: [],
		outputs: [NodeConnectionTypes.AiLanguageModel],
		properties: [],
	};

	async supplyData(this: ISupplyDataFunctions): Promise<SupplyData> {
		return { response: { lc_namespace: ['langchain', 'chat_models'], callbacks: [] } };
	}
}

/** Streams `answer` in chunks of `chunk` characters every `delayMs` to the streaming callbacks of its model. */
export class FakeAgent implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Fake Agent',
		name: 'fakeAgent',
		group: ['transform'],
		version: 1,
		description: 'Drives the model like LangChain',
		defaults: { name: 'Fake Agent' },
		inputs: [
			NodeConnectionTypes.Main,
			{ type: NodeConnectionTypes.AiLanguageModel, maxConnections: 1, required: true },
		],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'Answer', name: 'answer', type: 'string', default: '' },
			{ displayName: 'Chunk', name: 'chunk', type: 'number', default: 2 },
			{ displayName: 'Delay', name: 'delayMs', type: 'number', default: 10 },
			{ displayName: 'Tool', name: 'tool', type: 'string', default: '' },
			{ displayName: 'Fail With', name: 'failWith', type: 'string', default: '' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const model = (await this.getInputConnectionData(NodeConnectionTypes.AiLanguageModel, 0)) as {
			callbacks: Handler[];
		};
		const streaming = model.callbacks.filter((h) => h.lc_prefer_streaming);
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < this.getInputData().length; i++) {
			const answer = String(this.getNodeParameter('answer', i));
			const size = Number(this.getNodeParameter('chunk', i));
			const delayMs = Number(this.getNodeParameter('delayMs', i));
			const tool = String(this.getNodeParameter('tool', i));
			const failWith = String(this.getNodeParameter('failWith', i));
			const call = async (method: keyof Handler, arg?: unknown) => {
				for (const handler of streaming)
					await (handler[method] as (a?: unknown) => Promise<void>)?.(arg);
			};
			if (tool) {
				await call('handleChatModelStart');
				await call('handleLLMEnd', {
					generations: [[{ text: '', message: { tool_calls: [{ name: tool }] } }]],
				});
			}
			await call('handleChatModelStart');
			const characters = Array.from(answer);
			for (let c = 0; c < characters.length; c += size) {
				await sleep(delayMs);
				await call('handleLLMNewToken', characters.slice(c, c + size).join(''));
				if (failWith && c >= characters.length / 2) break;
			}
			if (failWith) {
				// As n8n's AI Agent does: with "On Error: Continue" the item carries the error, the engine routes it.
				if (!this.continueOnFail()) {
					throw new NodeOperationError(this.getNode(), failWith, { itemIndex: i });
				}
				out.push({ json: { error: failWith }, pairedItem: { item: i } });
				continue;
			}
			await call('handleLLMEnd', { generations: [[{ text: answer, message: {} }]] });
			out.push({ json: { output: answer } as IDataObject, pairedItem: { item: i } });
		}
		return [out];
	}
}

/** Passes its input on under the DingTalk Trigger's type name: a trigger item for the paired-item look-up. */
export class FakeDingTalkTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'DingTalk Trigger (test stand-in)',
		name: 'dingTalkTrigger',
		group: ['transform'],
		version: 1,
		description: 'Passes the robot message on',
		defaults: { name: 'DingTalk Trigger' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData().map((item, i) => ({ json: item.json, pairedItem: { item: i } }))];
	}
}
