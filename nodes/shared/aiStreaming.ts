// The chat model an AI Agent gets from a streaming sub-node (DingTalk AI Card Streaming, WeCom AI Bot Streaming): the
// same model with one more LangChain callback, which writes every token into the platform's reply while it is produced.
//
// Why a sub-node: n8n streams an AI Agent's tokens only into the HTTP response of a trigger in "streaming" response
// mode (n8n-core isStreaming(): a sendChunk hook, streamingEnabled, and an execution mode of manual, webhook,
// integrated or chat — never "trigger"). A DingTalk card or a WeCom stream reply is not that response. What a community
// node can reach is the chat model itself: placed between the model and the Agent, the sub-node hands the Agent the
// same model with one more LangChain callback. That callback says it prefers streaming (lc_prefer_streaming), which
// makes LangChain's chat model generate through its streaming path even when the Agent only invokes it, so every token
// reaches handleLLMNewToken while it is produced. n8n's own Model Selector passes a model on the same way (adds a
// callback to model.callbacks). Checked against n8n 2.41's tree (@langchain/core 1.2.8, @langchain/openai 1.4.4,
// @langchain/classic agents) and, end to end, with n8n's AI Agent 3.1 and OpenAI Chat Model 1.3 (test/e2e/aiChat.ts,
// test/e2e/wecomAiChat.ts). A model class that has no streaming path (no _streamResponseChunks) gives its answer only
// when it is complete: the reply then shows it at once. Nothing here imports LangChain.

export interface ModelLike {
	callbacks?: unknown;
	/** LangChain's ChatOpenAI (and the models built on it) keep their constructor fields here. */
	fields?: unknown;
}

interface LlmResultLike {
	generations?: Array<
		Array<{ text?: string; message?: { tool_calls?: Array<{ name?: string }> } }>
	>;
}

/** What a streamed reply offers the callback: the steps shown above the answer, and the whole text so far. */
export interface StreamedReply {
	readonly notes: string[];
	offer(content: string): void;
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

/** The reply's text: the steps so far (tool calls), then the answer being written. */
function render(reply: StreamedReply, text: string, showSteps: boolean): string {
	const steps = showSteps ? reply.notes.map((note) => `> ${note}`) : [];
	return [...steps, ...(steps.length && text ? [''] : []), text].join('\n');
}

/**
 * The LangChain callback, as a plain object: LangChain wraps an object without a `name` into a handler of its own
 * (BaseCallbackHandler.fromMethods), keeping `lc_prefer_streaming`.
 */
export function streamingCallback(reply: StreamedReply, showSteps: boolean) {
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
			reply.offer(render(reply, text, showSteps));
		},
		handleLLMEnd: async (output: LlmResultLike) => {
			const tools = toolCallsOf(output);
			if (tools.length) {
				reply.notes.push(...tools.map((name) => `🔧 ${name}`));
				text = '';
				reply.offer(render(reply, text, showSteps));
				return;
			}
			// A model that does not stream still shows its answer once it is complete.
			if (text === '') {
				text = textOf(output);
				if (text) reply.offer(render(reply, text, showSteps));
			}
		},
	};
}

/** Adds the callback to the model (and to the fields its copies are built from); returns the model. */
export function withStreamingCallback(model: ModelLike, reply: StreamedReply, showSteps: boolean) {
	const callbacks = [...callbacksOf(model), streamingCallback(reply, showSteps)];
	model.callbacks = callbacks;
	// ChatOpenAI's withConfig() — which bindTools() and so every Agent calls — builds a new model from its
	// constructor fields (@langchain/openai 1.x): the callback must be in them too, or the Agent's copy lacks it.
	if (model.fields && typeof model.fields === 'object') {
		(model.fields as { callbacks?: unknown }).callbacks = callbacks;
	}
	return model;
}
