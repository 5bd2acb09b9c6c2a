/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node, never inside n8n */
// The WeCom AI bot example inside the real n8n in callback (URL) mode: examples/wecom-ai-agent-chat.json with only the
// trigger's Connection Mode switched to Callback URL (saved as a new workflow over REST, as the editor does, with a
// webhookId of its own), published. WeCom is played by the emulator's AI bot callback sender
// (test/emulator/wecom/aiBotCallback.ts): the URL check, then a user's message POSTed encrypted, then refresh callbacks
// until finish:true, recording what the user would see. The Agent is n8n's own AI Agent with n8n's OpenAI Chat Model at
// the emulator's offline stand-in, as in test/e2e/wecomAiChat.ts. Requests travel only between n8n and 127.0.0.1.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ApiEmulator } from '../emulator';
import { AiBotCallbackSender } from '../emulator/wecom/aiBotCallback';
import { TEST_RUN_NOTE } from '../../nodes/WeComAiBot/trigger/callback';
import { AIBOT_SEED } from '../emulator/wecom/aiBotServer';
import { EXAMPLES_DIR } from './instance';
import { sleep, StepError, waitFor, type N8nRest } from './n8nHost';

export interface WeComAiCallbackWorld {
	emulator: ApiEmulator;
	rest: N8nRest;
	n8nBaseUrl: string;
	say(line: string): void;
}

function expect(condition: boolean, message: string): void {
	if (!condition) throw new StepError(message);
}

interface WorkflowFile {
	name: string;
	nodes: Array<{
		type: string;
		name: string;
		webhookId?: string;
		parameters: Record<string, unknown>;
	}>;
	connections: object;
	settings?: object;
}

export function weComAiCallbackChecks(
	world: WeComAiCallbackWorld,
): Array<[string, () => Promise<void>]> {
	const { emulator, rest, n8nBaseUrl, say } = world;
	const stand = () => emulator.dingtalk.modelStandIn;
	const webhookId = randomUUID();
	const url = `${n8nBaseUrl}/webhook/${webhookId}/callback`;
	let workflowId = '';
	const sender = (to = url) =>
		new AiBotCallbackSender({
			url: to,
			token: AIBOT_SEED.callbackToken,
			encodingAesKey: AIBOT_SEED.encodingAesKey,
			botId: AIBOT_SEED.botId,
			refreshIntervalMs: 200,
		});

	async function executions(): Promise<number> {
		return (await rest.executions(workflowId)).total;
	}

	return [
		[
			"WeCom AI bot, callback mode: the example with Connection Mode → Callback URL is saved and published; WeCom's URL check gets the exact plaintext within a second",
			async () => {
				const example = JSON.parse(
					readFileSync(join(EXAMPLES_DIR, 'wecom-ai-agent-chat.json'), 'utf8'),
				) as WorkflowFile;
				const trigger = example.nodes.find((n) => n.type.endsWith('.weComAiBotTrigger'))!;
				// What the editor saves after the switch: the mode, and the webhookId it gives a node with webhooks.
				trigger.parameters = { ...trigger.parameters, connectionMode: 'callback' };
				trigger.webhookId = webhookId;
				const created = await rest.post<{ id: string; versionId: string }>('/workflows', {
					name: `${example.name} (callback mode)`,
					nodes: example.nodes,
					connections: example.connections,
					settings: example.settings ?? {},
				});
				workflowId = created.id;
				await rest.post(`/workflows/${workflowId}/activate`, { versionId: created.versionId });
				const check = await waitFor(
					'the callback URL check to pass',
					async () => {
						const result = await sender().verifyUrl();
						return result.passed ? result : undefined;
					},
					{ timeoutMs: 30000, intervalMs: 250 },
				);
				say(`    URL check answered in ${check.ms} ms`);
			},
		],
		[
			'WeCom AI bot, callback mode: a message is answered with a stream id and "思考中…", refreshes show the answer growing while the model writes, the last says finish:true with the whole answer; one execution',
			async () => {
				stand().tokenDelayMs = 100;
				const wecom = sender();
				const question = '回调模式下的发布计划？';
				const conversation = await wecom.send({ text: question, userid: 'wangwu' });
				const first = conversation.answers[0];
				expect(
					first.status === 200 && first.content === '思考中…' && first.finish === false,
					`the first answer was ${first.status} ${JSON.stringify(first.content)} finish=${first.finish} ${first.problem ?? ''}`,
				);
				await Promise.race([conversation.done, sleep(60000)]);
				wecom.stop();
				const answer = stand().answer(question);
				expect(
					conversation.finished,
					`no finish:true; the user saw ${JSON.stringify(conversation.shown)}`,
				);
				expect(
					conversation.shown.at(-1) === answer,
					`the reply ended ${JSON.stringify(conversation.shown.at(-1))}, expected ${JSON.stringify(answer)}`,
				);
				const growing = conversation.shown.slice(1, -1);
				expect(
					growing.length >= 2 && growing.every((text) => answer.startsWith(text)),
					`the text did not grow while written: ${JSON.stringify(conversation.shown)}`,
				);
				expect(wecom.violations.length === 0, `violations: ${JSON.stringify(wecom.violations)}`);
				const refreshes = conversation.answers.filter((a) => a.kind === 'refresh').length;
				const finishedMs = conversation.answers.at(-1)!.at - conversation.sentAt;
				await waitFor(
					'the execution to finish',
					async () => {
						const list = await rest.executions(workflowId);
						return list.length === 1 && list[0].status === 'success' ? true : undefined;
					},
					{ timeoutMs: 30000, intervalMs: 250 },
				);
				say(
					`    figures: first answer ${first.at - conversation.sentAt} ms after the message, finish:true seen ${finishedMs} ms after it, ${refreshes} refreshes, ${growing.length} growing texts shown`,
				);
			},
		],
		[
			'WeCom AI bot, callback mode: the same msgid sent again starts nothing and gets the same stream; a refresh for an unknown stream ends it',
			async () => {
				const wecom = sender();
				const conversation = await wecom.send({ text: '只问一次（回调）', userid: 'zhaoliu' });
				await Promise.race([conversation.done, sleep(60000)]);
				wecom.stop();
				expect(conversation.finished, 'the reply did not finish');
				const again = await wecom.redeliver(conversation);
				expect(
					again.status === 200 && again.streamId === conversation.streamId && again.finish === true,
					`the redelivery was answered ${again.status} stream ${again.streamId} finish=${again.finish}`,
				);
				await sleep(1000);
				const total = await executions();
				expect(total === 2, `n8n recorded ${total} executions for 2 messages`);
				const unknown = await wecom.refresh('ffffffffffffffffffffffff');
				expect(
					unknown.status === 200 && unknown.finish === true,
					`an unknown stream's refresh was answered ${unknown.status} finish=${unknown.finish}`,
				);
				await rest.post(`/workflows/${workflowId}/deactivate`, {});
			},
		],
		[
			'WeCom AI bot, callback mode: "Execute workflow" from the trigger listens on the Test URL; the message runs the workflow (manual, success) and WeCom is told at once that the answer shows in the editor',
			async () => {
				const known = new Set((await rest.executions(workflowId)).map((e) => e.id));
				// The canvas's "Execute workflow" from the trigger, as the editor calls it (n8n 2.41's useRunWorkflow).
				await rest.post(`/workflows/${encodeURIComponent(workflowId)}/run`, {
					workflowId,
					startNodes: [],
					triggerToStartFrom: { name: 'WeCom AI Bot Trigger' },
				});
				const testUrl = url.replace('/webhook/', '/webhook-test/');
				// The URL check while listening starts nothing and keeps the Test URL open.
				const check = await waitFor(
					'the Test URL to answer the URL check',
					async () => {
						const result = await sender(testUrl).verifyUrl();
						return result.passed ? result : undefined;
					},
					{ timeoutMs: 30000, intervalMs: 250 },
				);
				const wecom = sender(testUrl);
				const conversation = await wecom.send({ text: '测试运行（回调）', userid: 'lisi' });
				wecom.stop();
				const first = conversation.answers[0];
				expect(
					conversation.answers.length === 1 &&
						first.finish === true &&
						first.content === `思考中…\n\n${TEST_RUN_NOTE}`,
					`the test run's answer was ${first.status} ${JSON.stringify(first.content)} finish=${first.finish}`,
				);
				const execution = await waitFor(
					'the manual execution to finish',
					async () => {
						const fresh = (await rest.executions(workflowId)).filter((e) => !known.has(e.id));
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
				say(`    Test URL check answered in ${check.ms} ms`);
			},
		],
	];
}
