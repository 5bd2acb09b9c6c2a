/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code: a deliberately wrong secret, never inside n8n */
// The WeCom AI bot example inside the real n8n (examples/wecom-ai-agent-chat.json): WeCom AI Bot Trigger (long
// connection to the emulator's server) → Start → n8n's own AI Agent with n8n's OpenAI Chat Model (at the emulator's
// offline stand-in) through the WeCom AI Bot Streaming sub-node, and Simple Memory → Finish, the Agent's error output →
// Fail. Also the credential's Test button (a node method that opens the WebSocket) as the editor calls it. Measured:
// the time from the user's message to the "thinking" frame, to the first streamed text, to finish:true; updates per
// answer. Messages and replies travel only between n8n and the emulator on 127.0.0.1.
import type { ApiEmulator } from '../emulator';
import type { AiBotMessageRecord, AiBotReplyRecord } from '../emulator/wecom/aiBotServer';
import { AIBOT_CREDENTIAL, exampleById } from './instance';
import { sleep, StepError, waitFor, type N8nRest } from './n8nHost';

export const WECOM_AI_EXAMPLE_ID = 'wecomAiAgentChat';

export interface WeComAiChatWorld {
	emulator: ApiEmulator;
	rest: N8nRest;
	say(line: string): void;
}

function expect(condition: boolean, message: string): void {
	if (!condition) throw new StepError(message);
}

export function weComAiChatChecks(world: WeComAiChatWorld): Array<[string, () => Promise<void>]> {
	const { emulator, rest, say } = world;
	const server = () => emulator.wecomAiBot;
	const stand = () => emulator.dingtalk.modelStandIn;
	const example = exampleById(WECOM_AI_EXAMPLE_ID);
	let messages = 0;

	async function expectOneExecutionPerMessage(): Promise<void> {
		await waitFor(
			`${messages} finished executions of the WeCom AI example`,
			async () => {
				const list = await rest.executions(example.id);
				const finished = list.filter((e) => !['new', 'running', 'waiting'].includes(e.status));
				return finished.length >= messages ? true : undefined;
			},
			{ timeoutMs: 60000, intervalMs: 250 },
		);
		await sleep(750);
		const total = (await rest.executions(example.id)).total;
		expect(total === messages, `n8n recorded ${total} executions for ${messages} messages`);
	}

	async function ask(
		text: string,
		options: { userid?: string; chattype?: 'single' | 'group' } = {},
	) {
		messages++;
		const publishedAt = Date.now();
		const record = server().publish({
			text,
			userid: options.userid ?? 'zhangsan',
			chattype: options.chattype,
		});
		await waitFor(
			`the reply to "${text}" to finish`,
			async () =>
				server()
					.repliesTo(record.reqId)
					.some((r) => r.finish)
					? true
					: undefined,
			{ timeoutMs: 60000, intervalMs: 20 },
		);
		return { record, replies: server().repliesTo(record.reqId), publishedAt };
	}

	function figures(replies: AiBotReplyRecord[], publishedAt: number) {
		const streamed = replies.slice(1, -1);
		return {
			thinkingMs: replies[0].at - publishedAt,
			firstTextMs: streamed.length ? streamed[0].at - publishedAt : null,
			finishedMs: replies.at(-1)!.at - publishedAt,
			updates: streamed.length,
			frames: replies.length,
		};
	}

	const credentialTest = async (secret?: string) => {
		const stored = await rest.get<{ data: Record<string, unknown> }>(
			`/credentials/${AIBOT_CREDENTIAL.id}?includeData=true`,
		);
		return await rest.post<{ status: string; message: string }>('/credentials/test', {
			credentials: {
				...AIBOT_CREDENTIAL,
				data: { ...stored.data, ...(secret ? { secret } : {}) },
			},
		});
	};

	return [
		[
			"WeCom AI bot: the credential's Test subscribes over the WebSocket — green with the bot's Secret, 853000 naming Bot ID and Secret with a wrong one",
			async () => {
				const good = await credentialTest();
				expect(
					good.status === 'OK',
					`the correct credential tested ${good.status}: ${good.message}`,
				);
				const wrongSecret = 'not-the-aibot-secret-42';
				const bad = await credentialTest(wrongSecret);
				expect(
					bad.status === 'Error' &&
						/853000/.test(bad.message) &&
						/Bot ID or Secret/.test(bad.message),
					`a wrong Secret tested ${bad.status}: ${bad.message}`,
				);
				expect(!bad.message.includes(wrongSecret), 'the Test message shows the secret');
				const results = server()
					.subscriptions.map((s) => s.errcode)
					.join(',');
				expect(results === '0,853000', `the emulator saw subscriptions answered ${results}`);
			},
		],
		[
			"WeCom AI bot: the example (trigger → AI Agent with n8n's OpenAI Chat Model through WeCom AI Bot Streaming → reply) is published and holds the long connection",
			async () => {
				stand().tokenDelayMs = 100;
				const workflow = (await rest.get(`/workflows/${example.id}`)) as { versionId?: string };
				await rest.post(`/workflows/${example.id}/activate`, { versionId: workflow.versionId });
				await waitFor('the example to subscribe to the AI bot', async () => server().subscribed(), {
					timeoutMs: 60000,
					intervalMs: 100,
				});
			},
		],
		[
			'WeCom AI bot: a direct message gets "thinking" within a second, the answer streams in while the model writes, and ends finish:true with the whole answer',
			async () => {
				const question = '下周的发布计划是什么？';
				const { replies, publishedAt } = await ask(question);
				const f = figures(replies, publishedAt);
				const answer = stand().answer(question);
				expect(
					replies[0].content === '思考中…',
					`the first frame says ${JSON.stringify(replies[0].content)}`,
				);
				expect(f.thinkingMs < 1000, `"thinking" came ${f.thinkingMs} ms after the message`);
				expect(
					replies.at(-1)!.content === answer,
					`the reply ended ${JSON.stringify(replies.at(-1)!.content)}`,
				);
				expect(f.updates >= 2, `${f.updates} streamed updates: the answer did not stream`);
				const request = stand().requests.at(-1)!;
				expect(request.stream, 'the OpenAI Chat Model did not ask for a stream');
				const during = replies
					.slice(1, -1)
					.filter((r) => r.at < (request.streamEndedAt ?? 0)).length;
				expect(during >= 1, 'no update reached WeCom before the model finished writing');
				expect(
					replies.every((r) => r.errcode === 0) && server().violations.length === 0,
					`refused frames or violations: ${JSON.stringify(server().violations)}`,
				);
				await expectOneExecutionPerMessage();
				say(
					`    figures: thinking ${f.thinkingMs} ms after the message, first text ${f.firstTextMs} ms, finished ${f.finishedMs} ms; ${f.updates} streamed updates for ${Array.from(answer).length} characters (${f.frames} frames in all)`,
				);
			},
		],
		[
			"WeCom AI bot: the second message continues the conversation (Simple Memory on the item's sessionId)",
			async () => {
				const { replies, publishedAt } = await ask('那测试呢？');
				const f = figures(replies, publishedAt);
				const request = stand().requests.at(-1)!;
				expect(
					JSON.stringify(request.messages).includes('下周的发布计划是什么？'),
					'the model did not get the first question from memory',
				);
				say(
					`    figures (second answer, n8n warm): thinking ${f.thinkingMs} ms, first text ${f.firstTextMs} ms, finished ${f.finishedMs} ms; ${f.updates} updates`,
				);
			},
		],
		[
			'WeCom AI bot: a redelivered message starts nothing and gets no second reply',
			async () => {
				const { record } = await ask('只问一次');
				const frames = server().replies.length;
				server().redeliver(record.msgid);
				await sleep(2000);
				expect(server().replies.length === frames, 'the redelivery was answered again');
				await expectOneExecutionPerMessage();
			},
		],
		[
			"WeCom AI bot: when the model fails, the Agent's error output ends the reply with the failure message",
			async () => {
				const { replies } = await ask('这个会失败 #fail');
				const last = replies.at(-1)!;
				expect(
					last.finish && /抱歉/.test(last.content),
					`the reply ended ${JSON.stringify(last.content)}`,
				);
			},
		],
		[
			'WeCom AI bot: a burst of 20 messages from 20 members → 20 executions, 20 finished replies, each shown "thinking" at once',
			async () => {
				const started = Date.now();
				const records = Array.from({ length: 20 }, (_, i) => {
					messages++;
					// 20 senders: WeCom lets one member have at most 3 messages in flight with a bot.
					return server().publish({ text: `并发问题 ${i}`, userid: `burst${i}` });
				});
				await waitFor(
					'20 finished replies',
					async () =>
						records.every((r) =>
							server()
								.repliesTo(r.reqId)
								.some((f) => f.finish),
						)
							? true
							: undefined,
					{ timeoutMs: 120000, intervalMs: 50 },
				);
				const seconds = (Date.now() - started) / 1000;
				const thinking = records
					.map((r) => server().repliesTo(r.reqId)[0])
					.map((f) => f.at - started)
					.sort((a, b) => a - b);
				for (const record of records) {
					const replies = server().repliesTo(record.reqId);
					expect(
						replies[0].content === '思考中…' &&
							replies.at(-1)!.content === stand().answer(`并发问题 ${records.indexOf(record)}`),
						`the reply to ${record.msgid} is ${JSON.stringify(replies.map((r) => [r.content.slice(0, 20), r.finish]))}`,
					);
				}
				expect(
					server().violations.length === 0,
					`violations: ${JSON.stringify(server().violations)}`,
				);
				await expectOneExecutionPerMessage();
				say(
					`    burst: 20 messages answered in ${seconds.toFixed(1)} s (${(20 / seconds).toFixed(1)} answers/s); "思考中…" shown after ${thinking[0]}–${thinking.at(-1)} ms (median ${thinking[10]} ms)`,
				);
			},
		],
		[
			'WeCom AI bot: unpublishing the example closes its connection',
			async () => {
				await rest.post(`/workflows/${example.id}/deactivate`, {});
				await waitFor(
					'the connection to close',
					async () => (server().subscribed() === undefined ? true : undefined),
					{ timeoutMs: 30000, intervalMs: 100 },
				);
				const pending: AiBotMessageRecord[] = server().messages.filter((m) => !m.finished);
				expect(
					pending.length === 0,
					`${pending.length} messages were left without a finished reply`,
				);
			},
		],
		[
			'WeCom AI bot: "Execute workflow" from the trigger (unpublished) listens, takes one message, and the Agent\'s reply still reaches WeCom after n8n closed the trigger; then the connection closes',
			async () => {
				const known = new Set((await rest.executions(example.id)).map((e) => e.id));
				// The canvas's "Execute workflow" from the trigger, as the editor calls it (n8n 2.41's useRunWorkflow).
				await rest.post(`/workflows/${encodeURIComponent(example.id)}/run`, {
					workflowId: example.id,
					startNodes: [],
					triggerToStartFrom: { name: 'WeCom AI Bot Trigger' },
				});
				await waitFor(
					'the test run to subscribe to the AI bot',
					async () => server().subscribed(),
					{
						timeoutMs: 60000,
						intervalMs: 100,
					},
				);
				const question = '测试运行';
				const record = server().publish({ text: question, userid: 'lisi' });
				await waitFor(
					"the test run's reply to finish",
					async () =>
						server()
							.repliesTo(record.reqId)
							.some((r) => r.finish)
							? true
							: undefined,
					{ timeoutMs: 60000, intervalMs: 50 },
				);
				const replies = server().repliesTo(record.reqId);
				expect(
					replies[0].content === '思考中…' && replies.at(-1)!.content === stand().answer(question),
					`the test run's reply was ${JSON.stringify(replies.map((r) => r.content))}`,
				);
				expect(
					replies.length >= 3,
					`${replies.length} frames: the test run's answer did not stream`,
				);
				const execution = await waitFor(
					'the manual execution to finish',
					async () => {
						const fresh = (await rest.executions(example.id)).filter((e) => !known.has(e.id));
						return fresh.length === 1 && !['new', 'running', 'waiting'].includes(fresh[0].status)
							? fresh[0]
							: undefined;
					},
					{ timeoutMs: 60000, intervalMs: 250 },
				);
				expect(
					execution.mode === 'manual' && execution.status === 'success',
					`the test run is ${execution.mode}/${execution.status}, expected manual/success`,
				);
				await waitFor(
					"the test run's connection to close",
					async () => (server().subscribed() === undefined ? true : undefined),
					{ timeoutMs: 30000, intervalMs: 100 },
				);
			},
		],
	];
}
