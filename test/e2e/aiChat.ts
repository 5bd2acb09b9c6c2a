/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node, never inside n8n */
// The AI chat example inside the real n8n: DingTalk Trigger (Stream, chat item) → AI Reply Start → n8n's own AI Agent
// with n8n's OpenAI Chat Model (at the emulator's offline stand-in) through the DingTalk AI Card Streaming sub-node,
// and Simple Memory → AI Reply Finish, the Agent's error output → AI Reply Fail. Measured: the time from the robot
// message to the card being visible, to the first streamed text, to the finished card; updates per answer; a burst.
// Runs after the Stream checks (the acknowledgement checks included): it unpublishes the suite's Stream workflow first (DingTalk shares an app's events
// among its connections, so two published Stream workflows would split them).
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ApiEmulator } from '../emulator';
import { sendCallback } from '../emulator';
import {
	buildDingTalkRobotMessage,
	EMULATOR_ROBOT_GROUP,
	cardsOf,
	robotMessagePayload,
	type CardRecord,
} from '../emulator/dingtalk';
import { STREAM_WORKFLOW } from './dingtalkTrigger';
import { importDingTalk } from './dingtalk';
import {
	EXAMPLES_DIR,
	exampleById,
	OPENAI_STAND_IN_CREDENTIAL,
	sandboxCredentials,
} from './instance';
import {
	n8nCli,
	sleep,
	StepError,
	waitFor,
	type Log,
	type N8nConfig,
	type N8nRest,
	type Toolchain,
} from './n8nHost';

export const AI_EXAMPLE_ID = 'dingtalkAiAgentChat';

export interface AiChatWorld {
	emulator: ApiEmulator;
	rest: N8nRest;
	/** n8n's address, for the Production URL of the HTTP-mode copy. */
	n8nBaseUrl: () => string;
	say(line: string): void;
}

function expect(condition: boolean, message: string): void {
	if (!condition) throw new StepError(message);
}

/** What one answer looked like, measured from the moment the message was published. */
export interface AnswerFigures {
	visibleMs: number;
	firstTextMs: number | null;
	finishedMs: number;
	streamedUpdates: number;
	requests: number;
	modelStreamMs: number;
}

/** What one answer's card looked like, measured from `publishedAt` (the robot message's publication). */
export function answerFigures(
	state: ApiEmulator['dingtalk'],
	card: CardRecord,
	publishedAt: number,
): AnswerFigures {
	const streamed = card.updates.filter((u) => u.kind === 'streaming');
	const finished = card.updates.find(
		(u) => u.kind === 'update' && ['3', '5'].includes(String(u.body.flowStatus)),
	);
	const stand = state.modelStandIn;
	const request = stand.requests.filter((r) => r.at >= publishedAt).at(-1);
	const characters = request ? Array.from(stand.answer(request.input)).length : 0;
	return {
		visibleMs: card.createdAt - publishedAt,
		firstTextMs: streamed.length ? streamed[0].at - publishedAt : null,
		finishedMs: (finished?.at ?? Date.now()) - publishedAt,
		streamedUpdates: streamed.length,
		requests: card.updates.length,
		modelStreamMs:
			stand.firstTokenDelayMs + Math.ceil(characters / stand.chunkChars - 1) * stand.tokenDelayMs,
	};
}

export function aiChatChecks(world: AiChatWorld): Array<[string, () => Promise<void>]> {
	const { emulator, rest, say, n8nBaseUrl } = world;
	const stream = () => emulator.dingtalkStream;
	const state = () => emulator.dingtalk;
	const example = exampleById(AI_EXAMPLE_ID);

	/** Robot messages published to the example (redeliveries not counted): each must give exactly one execution. */
	let messages = 0;

	/** Each message published so far gave exactly one execution (waits for them to finish being recorded). */
	async function expectOneExecutionPerMessage(): Promise<void> {
		await waitFor(
			`${messages} finished executions of the example`,
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

	async function ask(text: string, options: { sender?: string; conversation?: string } = {}) {
		messages++;
		const before = new Set(cardsOf(state()).map((c) => c.outTrackId));
		const publishedAt = Date.now();
		const payload = stream().publishRobotMessage({
			text: ` ${text}`,
			conversationType: '2',
			conversationId: options.conversation ?? EMULATOR_ROBOT_GROUP,
			senderStaffId: options.sender ?? 'dev001',
		});
		const card = await waitFor(
			`the AI card for "${text}"`,
			async () => cardsOf(state()).find((c) => !before.has(c.outTrackId)),
			{ timeoutMs: 30000, intervalMs: 20 },
		);
		const ended = await waitFor(
			`the AI card for "${text}" to end`,
			async () => (['3', '5'].includes(card.params.flowStatus ?? '') ? card : undefined),
			{ timeoutMs: 60000, intervalMs: 20 },
		);
		return { payload, card: ended, publishedAt };
	}

	const figures = (card: CardRecord, publishedAt: number) =>
		answerFigures(state(), card, publishedAt);

	return [
		[
			"AI chat: the example (DingTalk Trigger → AI Agent with n8n's OpenAI Chat Model → AI card) is published in place of the Stream workflow",
			async () => {
				// 22 tokens 100 ms apart: an answer written over about 2 s, long enough to see it grow on a loaded machine.
				state().modelStandIn.tokenDelayMs = 100;
				await rest.post(`/workflows/${STREAM_WORKFLOW.id}/deactivate`, {});
				await waitFor(
					'the Stream workflow to let go of its connection',
					async () => (stream().openConnections().length === 0 ? true : undefined),
					{ timeoutMs: 30000, intervalMs: 100 },
				);
				const workflow = (await rest.get(`/workflows/${example.id}`)) as { versionId?: string };
				await rest.post(`/workflows/${example.id}/activate`, { versionId: workflow.versionId });
				await waitFor(
					'the AI example to open a Stream connection for robot messages',
					async () =>
						stream()
							.openConnections()
							.find(
								(c) =>
									c.state === 'open' &&
									c.subscriptions.some((s) => s.topic === '/v1.0/im/bot/messages/get'),
							),
					{ timeoutMs: 60000, intervalMs: 100 },
				);
			},
		],
		[
			'AI chat: a group @-message gets an AI card at once, the answer streams into it while the model writes, and it ends finished with the whole answer',
			async () => {
				const question = '下周的发布计划是什么？';
				const { card, publishedAt } = await ask(question);
				const f = figures(card, publishedAt);
				const answer = state().modelStandIn.answer(question);
				expect(card.params.flowStatus === '3', `the card ended ${card.params.flowStatus}`);
				expect(
					card.params.msgContent === answer,
					`the card says ${JSON.stringify(card.params.msgContent)}, expected the model's answer`,
				);
				expect(
					card.openSpaceId === `dtv1.card//IM_GROUP.${EMULATOR_ROBOT_GROUP}`,
					`the card went to ${card.openSpaceId}`,
				);
				const streamed = card.updates.filter((u) => u.kind === 'streaming');
				expect(
					streamed.length >= 2,
					`${streamed.length} streamed updates: the answer did not stream`,
				);
				const request = state().modelStandIn.requests.at(-1)!;
				expect(
					request.stream,
					'the OpenAI Chat Model did not ask for a stream: tokens could not arrive as produced',
				);
				expect(f.visibleMs < 1000, `the card became visible after ${f.visibleMs} ms`);
				await expectOneExecutionPerMessage();
				say(
					`    figures: card visible ${f.visibleMs} ms after the message, first text ${f.firstTextMs} ms, finished ${f.finishedMs} ms; ${f.streamedUpdates} streamed updates for ${Array.from(answer).length} characters in ${Math.ceil(Array.from(answer).length / state().modelStandIn.chunkChars)} tokens (model stream ${f.modelStreamMs} ms), ${f.requests} card requests in all`,
				);
			},
		],
		[
			"AI chat: the second message of the group continues the conversation (Simple Memory keyed by the item's sessionId, no expression), and its answer reaches the card while the model still writes",
			async () => {
				const { card, publishedAt } = await ask('那测试呢？', { sender: 'manager4220' });
				const f = figures(card, publishedAt);
				// Streamed while the model was still writing: text reached the card before the model's last chunk left.
				const modelRequest = state().modelStandIn.requests.at(-1)!;
				const during = card.updates.filter(
					(u) => u.kind === 'streaming' && u.at < (modelRequest.streamEndedAt ?? 0),
				);
				expect(
					during.length >= 1,
					`no streamed update arrived before the model's stream ended (${card.updates
						.filter((u) => u.kind === 'streaming')
						.map((u) => u.at - modelRequest.at)
						.join(
							', ',
						)} ms after the model request; it ended after ${(modelRequest.streamEndedAt ?? 0) - modelRequest.at} ms)`,
				);
				say(
					`    figures (second answer, n8n warm): card visible ${f.visibleMs} ms, first text ${f.firstTextMs} ms, finished ${f.finishedMs} ms; ${f.streamedUpdates} streamed updates (model stream ${f.modelStreamMs} ms), ${f.requests} card requests`,
				);
				const request = state().modelStandIn.requests.at(-1)!;
				const texts = JSON.stringify(request.messages);
				expect(
					texts.includes('下周的发布计划是什么？'),
					'the model did not get the first question from memory',
				);
				expect(
					request.messages.length >= 4,
					`${request.messages.length} messages sent to the model: no history`,
				);
			},
		],
		[
			'AI chat: a redelivered message starts nothing and makes no second card',
			async () => {
				const { payload } = await ask('只问一次');
				const cards = cardsOf(state()).length;
				stream().duplicate(payload.msgId);
				await sleep(2000);
				expect(cardsOf(state()).length === cards, 'a second card appeared');
				await expectOneExecutionPerMessage();
			},
		],
		[
			"AI chat: when the model fails, the Agent's error output ends the card as failed",
			async () => {
				const { card } = await ask('这个会失败 #fail');
				expect(card.params.flowStatus === '5', `the card ended ${card.params.flowStatus}`);
				expect(
					/抱歉/.test(card.params.msgContent ?? ''),
					`the card says ${JSON.stringify(card.params.msgContent)}`,
				);
			},
		],
		[
			'AI chat: a burst of 20 messages from 20 groups → 20 executions, 20 finished cards',
			async () => {
				const groups: string[] = [];
				for (let i = 0; i < 20; i++) {
					const id = `cidBurst${i}==`;
					groups.push(id);
					state().messaging.groups.push({
						openConversationId: id,
						title: `群${i}`,
						robotCodes: [state().app.appKey],
					});
				}
				const before = new Set(cardsOf(state()).map((c) => c.outTrackId));
				const started = Date.now();
				for (const group of groups) {
					messages++;
					stream().publishRobotMessage({
						text: ` 你好 ${group}`,
						conversationType: '2',
						conversationId: group,
						senderStaffId: 'dev001',
					});
				}
				const fresh = () => cardsOf(state()).filter((c) => !before.has(c.outTrackId));
				await waitFor(
					'20 finished cards',
					async () =>
						fresh().filter((c) => c.params.flowStatus === '3').length === 20 ? true : undefined,
					{ timeoutMs: 120000, intervalMs: 50 },
				);
				const seconds = (Date.now() - started) / 1000;
				const visible = fresh()
					.map((c) => c.createdAt - started)
					.sort((a, b) => a - b);
				await expectOneExecutionPerMessage();
				say(
					`    burst: 20 messages answered in ${seconds.toFixed(1)} s (${(20 / seconds).toFixed(1)} answers/s); cards visible after ${visible[0]}–${visible.at(-1)} ms (median ${visible[10]} ms)`,
				);
			},
		],
		[
			"AI chat over HTTP: a copy of the example with its DingTalk Trigger in HTTP mode gets a signed robot message on its Production URL (the robot's 消息接收地址), answers {} after record, and the Agent's answer ends in an AI card",
			async () => {
				const source = await rest.get<{
					name: string;
					nodes: Array<{ type: string; parameters?: object; webhookId?: string }>;
					connections: object;
					settings?: object;
				}>(`/workflows/${example.id}`);
				const webhookId = randomUUID();
				const nodes = source.nodes.map((node) =>
					node.type.endsWith('.dingTalkTrigger')
						? {
								...node,
								webhookId,
								parameters: { ...node.parameters, connectionMode: 'http', robotMessages: true },
							}
						: node,
				);
				const created = await rest.post<{ id: string; versionId: string }>('/workflows', {
					name: `${source.name} (HTTP robot)`,
					nodes,
					connections: source.connections,
					settings: source.settings ?? { executionOrder: 'v1' },
					active: false,
				});
				await rest.post(`/workflows/${created.id}/activate`, { versionId: created.versionId });
				const url = `${n8nBaseUrl()}/webhook/${webhookId}/callback`;
				try {
					// Registered once an unsigned POST is refused (401) rather than unknown (404); it starts nothing.
					await waitFor(
						'the HTTP-mode copy to be registered',
						async () =>
							(
								await sendCallback(url, {
									method: 'POST',
									query: {},
									body: '{}',
									contentType: 'application/json',
								})
							).status === 401
								? true
								: undefined,
						{ timeoutMs: 30000, intervalMs: 250 },
					);
					const question = '通过 HTTP 模式提问';
					const before = new Set(cardsOf(state()).map((c) => c.outTrackId));
					const payload = robotMessagePayload(state().app, emulator.baseUrl, Date.now(), {
						text: ` ${question}`,
						conversationType: '2',
						conversationId: EMULATOR_ROBOT_GROUP,
						senderStaffId: 'dev001',
					});
					const sentAt = Date.now();
					const answer = await sendCallback(url, buildDingTalkRobotMessage({ payload }));
					expect(
						answer.status === 200 && answer.body === '{}',
						`the robot message was answered HTTP ${answer.status} ${answer.body.slice(0, 200)}`,
					);
					const card = await waitFor(
						'the AI card of the HTTP robot message to end',
						async () =>
							cardsOf(state()).find(
								(c) => !before.has(c.outTrackId) && ['3', '5'].includes(c.params.flowStatus ?? ''),
							),
						{ timeoutMs: 60000, intervalMs: 50 },
					);
					expect(card.params.flowStatus === '3', `the card ended ${card.params.flowStatus}`);
					expect(
						card.params.msgContent === state().modelStandIn.answer(question),
						`the card says ${JSON.stringify(card.params.msgContent)}, expected the model's answer`,
					);
					expect(
						card.openSpaceId === `dtv1.card//IM_GROUP.${EMULATOR_ROBOT_GROUP}`,
						`the card went to ${card.openSpaceId}`,
					);
					// The same message again (DingTalk resending): answered, no second execution.
					const again = await sendCallback(url, buildDingTalkRobotMessage({ payload }));
					expect(again.status === 200, `the resent message was answered HTTP ${again.status}`);
					await sleep(1500);
					const executions = await rest.executions(created.id);
					expect(
						executions.total === 1,
						`n8n recorded ${executions.total} executions of the HTTP-mode copy for one message`,
					);
					say(
						`    HTTP robot message → AI card visible after ${card.createdAt - sentAt} ms, finished by ${Date.now() - sentAt} ms`,
					);
				} finally {
					await rest.post(`/workflows/${created.id}/deactivate`, {});
				}
			},
		],
	];
}

/**
 * For a sandbox made before the AI chat example existed: the OpenAI stand-in credential, the DingTalk credential again
 * (now with the emulator's card template) and the example workflow, imported (n8n not running).
 */
export async function importAiChat(
	toolchain: Toolchain,
	config: N8nConfig,
	emulatorBaseUrl: string,
	workDir: string,
	log: Log,
): Promise<void> {
	const credentialFile = join(workDir, 'openai-stand-in-credential.json');
	const credential = sandboxCredentials(emulatorBaseUrl).find(
		(c) => (c as { id?: string }).id === OPENAI_STAND_IN_CREDENTIAL.id,
	);
	writeFileSync(credentialFile, `${JSON.stringify([credential], null, 2)}\n`);
	const imported = await n8nCli(
		toolchain,
		config,
		['import:credentials', `--input=${credentialFile}`],
		log,
	);
	if (!/Successfully imported 1 credential/.test(imported)) {
		throw new StepError(
			`n8n import:credentials (OpenAI stand-in) failed:\n${imported.slice(-800)}`,
		);
	}
	await importDingTalk(toolchain, config, emulatorBaseUrl, workDir, log, { workflow: false });
	const workflow = await n8nCli(
		toolchain,
		config,
		['import:workflow', `--input=${join(EXAMPLES_DIR, exampleById(AI_EXAMPLE_ID).file)}`],
		log,
	);
	if (!/Successfully imported 1 workflow/.test(workflow)) {
		throw new StepError(`n8n import:workflow (AI chat example) failed:\n${workflow.slice(-800)}`);
	}
}
