// A chat model that needs no network: an OpenAI-compatible `POST /openai/v1/chat/completions` answering a canned text,
// streamed token by token when the client asks for a stream (server-sent events, as api.openai.com does), plus
// `GET /openai/v1/models` for n8n's model picker. n8n's own "OpenAI Chat Model" node reaches it through an OpenAI
// credential whose Base URL is `<emulator>/openai/v1`. The stand-in only answers: no tools, no function calls.
// A user message containing "#fail" gets HTTP 500 (the Agent fails, so the reply's error state can be seen).
import type { Route } from './types';
import { bodyOf, isRecord } from './util';

export const MODEL_STAND_IN_PATH = '/openai/v1';

export interface ModelStandInRequest {
	at: number;
	stream: boolean;
	/** The text of the last user message. */
	input: string;
	messages: unknown[];
	/** When the last chunk of a streamed answer was written (emulator clock). */
	streamEndedAt?: number;
}

export interface ModelStandIn {
	/** The answer to a user message. */
	answer(input: string): string;
	/** Characters per streamed chunk. */
	chunkChars: number;
	/** Before the first chunk (the model "thinking"), and between chunks. */
	firstTokenDelayMs: number;
	tokenDelayMs: number;
	requests: ModelStandInRequest[];
}

export function createModelStandIn(): ModelStandIn {
	return {
		answer: (input) =>
			`收到「${input}」。这是离线模型替身的固定回答：钉钉 AI 卡片先显示处理中，随后随着生成逐步更新，最后定稿为完成状态。`,
		chunkChars: 3,
		firstTokenDelayMs: 150,
		tokenDelayMs: 60,
		requests: [],
	};
}

function lastUserText(messages: unknown[]): string {
	for (let i = messages.length - 1; i >= 0; i--) {
		const message = messages[i];
		if (!isRecord(message) || message.role !== 'user') continue;
		if (typeof message.content === 'string') return message.content;
		if (Array.isArray(message.content)) {
			return message.content
				.map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''))
				.join('');
		}
	}
	return '';
}

function chunk(id: string, model: string, created: number, delta: object, finish: string | null) {
	return `data: ${JSON.stringify({
		id,
		object: 'chat.completion.chunk',
		created,
		model,
		choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
	})}\n\n`;
}

export function modelStandInRoutes<S extends { modelStandIn: ModelStandIn }>(): Route<S>[] {
	return [
		{
			method: 'GET',
			path: `${MODEL_STAND_IN_PATH}/models`,
			auth: false,
			handle: () => ({
				json: {
					object: 'list',
					data: [{ id: 'gpt-4o-mini', object: 'model', created: 1700000000, owned_by: 'emulator' }],
				},
			}),
		},
		{
			method: 'POST',
			path: `${MODEL_STAND_IN_PATH}/chat/completions`,
			auth: false,
			handle(req, ctx) {
				if (!/^Bearer \S+/.test(String(req.headers.authorization ?? ''))) {
					return {
						status: 401,
						json: { error: { message: 'no API key', type: 'invalid_request_error' } },
					};
				}
				const body = bodyOf(req.body);
				const messages = Array.isArray(body.messages) ? body.messages : [];
				const input = lastUserText(messages);
				const stand = ctx.state.modelStandIn;
				const stream = body.stream === true;
				const record: ModelStandInRequest = { at: ctx.now(), stream, input, messages };
				stand.requests.push(record);
				if (input.includes('#fail')) {
					return {
						status: 500,
						json: {
							error: { message: 'the model stand-in was asked to fail', type: 'server_error' },
						},
					};
				}
				const model = typeof body.model === 'string' ? body.model : 'gpt-4o-mini';
				const id = `chatcmpl-emu${stand.requests.length}`;
				const created = Math.floor(ctx.now() / 1000);
				const answer = stand.answer(input);
				const usage = {
					prompt_tokens: 10,
					completion_tokens: Array.from(answer).length,
					total_tokens: 10 + Array.from(answer).length,
				};
				if (!stream) {
					return {
						json: {
							id,
							object: 'chat.completion',
							created,
							model,
							choices: [
								{
									index: 0,
									message: { role: 'assistant', content: answer },
									logprobs: null,
									finish_reason: 'stop',
								},
							],
							usage,
						},
					};
				}
				const characters = Array.from(answer);
				const pieces: Array<{ data: string; delayMs: number }> = [
					{ data: chunk(id, model, created, { role: 'assistant', content: '' }, null), delayMs: 0 },
				];
				for (let i = 0; i < characters.length; i += stand.chunkChars) {
					pieces.push({
						data: chunk(
							id,
							model,
							created,
							{ content: characters.slice(i, i + stand.chunkChars).join('') },
							null,
						),
						delayMs: i === 0 ? stand.firstTokenDelayMs : stand.tokenDelayMs,
					});
				}
				pieces.push({ data: chunk(id, model, created, {}, 'stop'), delayMs: 0 });
				const streamOptions = body.stream_options;
				if (isRecord(streamOptions) && streamOptions.include_usage === true) {
					pieces.push({
						data: `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`,
						delayMs: 0,
					});
				}
				pieces.push({ data: 'data: [DONE]\n\n', delayMs: 0 });
				return {
					stream: pieces,
					headers: { 'cache-control': 'no-cache' },
					onStreamEnd: () => {
						record.streamEndedAt = ctx.now();
					},
				};
			},
		},
	];
}
