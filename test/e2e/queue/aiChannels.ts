// Both AI chat channels in queue mode, on the processes the suite already runs (no restart): the examples as they ship,
// published over REST (n8n's leader main then runs their triggers), their executions on the workers.
// - DingTalk: the Stream trigger on main hands each robot message to a worker, where the AI Agent (n8n's OpenAI Chat
//   Model at the emulator's offline stand-in) writes into the AI card through the streaming sub-node: the card is
//   created, streamed and finished on the emulator; one execution and one card per message, a redelivery none.
// - WeCom AI bot: the trigger on main holds the long connection and shows "thinking" at once; the reply nodes run on a
//   worker, which has no connection: Finish (or Fail) hands the answer back through n8n's run response, and the trigger
//   on main ends the reply with it (nodes/WeComAiBot/reply/relay.ts). What the user sees in WeCom is what the
//   emulator's long-connection server received for the message.
// Every wait is for a state (a finished card, a recorded execution, a barrier message answered after the one under
// test), bounded; nothing is counted after a sleep.
import { DINGTALK_SEED, type ApiEmulator } from '../../emulator';
import { cardsOf, EMULATOR_ROBOT_GROUP, type CardRecord } from '../../emulator/dingtalk';
import { ROBOT_TOPIC } from '../../emulator/dingtalk/streamPayloads';
import { DEFAULT_NO_ANSWER_TEXT } from '../../../nodes/WeComAiBot/trigger/connection';
import { AIBOT_SEED } from '../../emulator/wecom/aiBotServer';
import { AI_EXAMPLE_ID, answerFigures, type AnswerFigures } from '../aiChat';
import { StepError, waitFor, type ExecutionSummary, type N8nRest } from '../n8nHost';
import { WECOM_AI_EXAMPLE_ID } from '../wecomAiChat';
import { startedOn, type QueueDeployment } from './topology';
import { AI_POSTGRES_MEMORY } from './workflows';

export interface AiQueueWorld {
	emulator: ApiEmulator;
	deployment: QueueDeployment;
	/** n8n's REST API on main (a new login after a restart of main: hence a function). */
	rest(): N8nRest;
	figure(line: string): void;
}

const WAIT_MS = 120_000;

function expect(condition: unknown, message: string): asserts condition {
	if (!condition) throw new StepError(message);
}

const FINISHED = (status: string) => !['new', 'running', 'waiting'].includes(status);

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor((sorted.length - 1) / 2)];
}

function range(values: number[], unit = 'ms'): string {
	return `${Math.min(...values)}–${Math.max(...values)} ${unit} (median ${median(values)})`;
}

export function aiChannelChecks(world: AiQueueWorld): Array<[string, () => Promise<void>]> {
	const { emulator, deployment } = world;
	const rest = () => world.rest();
	const state = () => emulator.dingtalk;
	const stream = () => emulator.dingtalkStream;
	const aiBot = () => emulator.wecomAiBot;
	const stand = () => emulator.dingtalk.modelStandIn;

	/** The worker whose log says it started the execution. */
	const workerOf = (executionId: string) =>
		deployment.workers.find((w) => startedOn(w).has(executionId))?.name;

	/** Executions of a workflow newer than `afterId`, once `count` of them have finished (bounded). */
	async function finishedExecutions(
		workflowId: string,
		afterId: number,
		count: number,
	): Promise<ExecutionSummary[]> {
		return await waitFor(
			`${count} finished executions of ${workflowId}`,
			async () => {
				const fresh = await rest().executionsAfter(workflowId, afterId);
				return fresh.length >= count && fresh.every((e) => FINISHED(e.status)) ? fresh : undefined;
			},
			{ timeoutMs: WAIT_MS, intervalMs: 250 },
		);
	}

	async function newestExecutionId(workflowId: string): Promise<number> {
		return Number((await rest().executions(workflowId))[0]?.id ?? 0);
	}

	// --- DingTalk ------------------------------------------------------------------------------------------------

	const robotConnections = () =>
		stream()
			.openConnections()
			.filter((c) => c.state === 'open' && c.subscriptions.some((s) => s.topic === ROBOT_TOPIC));

	/** Robot messages published to the DingTalk example and the cards they made. */
	const asked: Array<{ msgId: string; question: string; publishedAt: number }> = [];
	let dingTalkBefore = 0;
	const cardsBefore = new Set<string>();

	async function ask(question: string, conversationId = EMULATOR_ROBOT_GROUP) {
		const before = new Set(cardsOf(state()).map((c) => c.outTrackId));
		const publishedAt = Date.now();
		const payload = stream().publishRobotMessage({
			text: ` ${question}`,
			conversationType: '2',
			conversationId,
			senderStaffId: 'dev001',
		});
		asked.push({ msgId: payload.msgId, question, publishedAt });
		const card = await waitFor(
			`the AI card for "${question}" to end`,
			async () =>
				cardsOf(state()).find(
					(c) => !before.has(c.outTrackId) && ['3', '5'].includes(c.params.flowStatus ?? ''),
				),
			{ timeoutMs: WAIT_MS, intervalMs: 20 },
		);
		return { card, publishedAt, msgId: payload.msgId };
	}

	function expectFinishedWithAnswer(card: CardRecord, question: string): void {
		const answer = stand().answer(question);
		expect(
			card.params.flowStatus === '3',
			`the card for "${question}" ended ${card.params.flowStatus}`,
		);
		expect(
			card.params.msgContent === answer,
			`the card says ${JSON.stringify(card.params.msgContent)}, expected the model's answer`,
		);
		const streamed = card.updates.filter((u) => u.kind === 'streaming').length;
		expect(
			streamed >= 2,
			`${streamed} streamed updates for "${question}": the answer did not stream`,
		);
	}

	function describe(f: AnswerFigures): string {
		return `card visible ${f.visibleMs} ms, first text ${f.firstTextMs} ms, finished ${f.finishedMs} ms, ${f.streamedUpdates} streamed updates / ${f.requests} card requests`;
	}

	// --- WeCom AI bot --------------------------------------------------------------------------------------------

	const aiBotPublished: Array<{ reqId: string; msgid: string }> = [];

	return [
		[
			'AI chat (DingTalk) in queue mode: the AI example published over REST opens one robot-message Stream connection, on the leader main',
			async () => {
				// 22 tokens 100 ms apart: an answer written over about 2 s (as in the single-process suite).
				stand().tokenDelayMs = 100;
				for (const card of cardsOf(state())) cardsBefore.add(card.outTrackId);
				dingTalkBefore = await newestExecutionId(AI_EXAMPLE_ID);
				await rest().publish(AI_EXAMPLE_ID);
				await waitFor(
					"the AI example's Stream connection for robot messages",
					async () => robotConnections()[0],
					{ timeoutMs: WAIT_MS, intervalMs: 100 },
				);
				expect(
					robotConnections().length === 1,
					`${robotConnections().length} robot-message connections: expected one, the leader's`,
				);
			},
		],
		[
			'AI chat (DingTalk) in queue mode: each robot message → one execution on a worker; its AI card is created, streamed while the model writes, and finished with the whole answer',
			async () => {
				const questions = [
					'下周的发布计划是什么？',
					'队列模式下卡片正常吗？',
					'请总结一下今天的会议',
				];
				const answers: Array<{ f: AnswerFigures; card: CardRecord; history: boolean }> = [];
				const afterId = await newestExecutionId(AI_EXAMPLE_ID);
				for (const question of questions) {
					const { card, publishedAt } = await ask(question);
					expectFinishedWithAnswer(card, question);
					expect(
						card.openSpaceId === `dtv1.card//IM_GROUP.${EMULATOR_ROBOT_GROUP}`,
						`the card went to ${card.openSpaceId}`,
					);
					const request = stand().requests.at(-1)!;
					expect(request.stream, 'the OpenAI Chat Model did not ask for a stream');
					const during = card.updates.filter(
						(u) => u.kind === 'streaming' && u.at < (request.streamEndedAt ?? 0),
					).length;
					expect(during >= 1, `no card update for "${question}" before the model finished writing`);
					// Measured, not asserted: Simple Memory lives in the worker that ran the earlier message.
					const earlier = questions.slice(0, answers.length);
					const history = earlier.every((q) => JSON.stringify(request.messages).includes(q));
					answers.push({ f: answerFigures(state(), card, publishedAt), card, history });
				}
				const executions = await finishedExecutions(AI_EXAMPLE_ID, afterId, questions.length);
				expect(
					executions.length === questions.length,
					`${executions.length} executions for ${questions.length} messages`,
				);
				const where = executions.map((e) => `${e.id}@${workerOf(e.id) ?? 'no worker'}`);
				expect(
					executions.every((e) => e.status === 'success' && e.mode === 'trigger' && workerOf(e.id)),
					`executions: ${executions.map((e) => `${e.id} ${e.mode}/${e.status}`).join(', ')}; ran on ${where.join(', ')}`,
				);
				// Each worker's first AI run also loads n8n's tokenizer in the model node (a few seconds): "cold".
				const ran = new Set<string>();
				const byId = [...executions].sort((a, b) => Number(a.id) - Number(b.id));
				for (const [i, { f, history }] of answers.entries()) {
					const worker = workerOf(byId[i].id) ?? '?';
					const cold = !ran.has(worker);
					ran.add(worker);
					world.figure(
						`DingTalk AI card in queue mode, answer ${i + 1} (${worker}, ${cold ? 'its first AI run' : 'warm'}): ${describe(f)}${i > 0 ? `; Simple Memory gave the model the earlier questions: ${history ? 'yes' : 'no'}` : ''}`,
					);
				}
			},
		],
		[
			"AI chat (DingTalk) in queue mode: a redelivered robot message starts nothing and makes no second card; a failing model ends the card failed through the Agent's error output",
			async () => {
				const afterId = await newestExecutionId(AI_EXAMPLE_ID);
				const { msgId, card: first } = await ask('只问一次');
				expectFinishedWithAnswer(first, '只问一次');
				stream().duplicate(msgId);
				// The barrier: frames of one connection are read in order, so this message is handled after the duplicate.
				const { card: failed } = await ask('这个会失败 #fail');
				expect(
					failed.params.flowStatus === '5',
					`the failing answer's card ended ${failed.params.flowStatus}`,
				);
				expect(
					/抱歉/.test(failed.params.msgContent ?? ''),
					`the failed card says ${JSON.stringify(failed.params.msgContent)}`,
				);
				const executions = await finishedExecutions(AI_EXAMPLE_ID, afterId, 2);
				expect(
					executions.length === 2,
					`${executions.length} executions for 2 messages and a redelivery`,
				);
				const forFirst = cardsOf(state()).filter((c) => c.outTrackId === first.outTrackId);
				expect(forFirst.length === 1, `${forFirst.length} cards for the redelivered message`);
			},
		],
		[
			'AI chat (DingTalk) in queue mode: 10 messages from 10 groups at once → 10 executions spread over the workers, 10 finished cards',
			async () => {
				const afterId = await newestExecutionId(AI_EXAMPLE_ID);
				const groups: string[] = [];
				for (let i = 0; i < 10; i++) {
					const id = `cidQueueBurst${i}==`;
					groups.push(id);
					state().messaging.groups.push({
						openConversationId: id,
						title: `队列群${i}`,
						robotCodes: [state().app.appKey],
					});
				}
				const before = new Set(cardsOf(state()).map((c) => c.outTrackId));
				const started = Date.now();
				for (const group of groups) {
					const question = `你好 ${group}`;
					const payload = stream().publishRobotMessage({
						text: ` ${question}`,
						conversationType: '2',
						conversationId: group,
						senderStaffId: 'dev001',
					});
					asked.push({ msgId: payload.msgId, question, publishedAt: started });
				}
				const fresh = () => cardsOf(state()).filter((c) => !before.has(c.outTrackId));
				await waitFor(
					'10 finished cards',
					async () =>
						fresh().filter((c) => c.params.flowStatus === '3').length === 10 ? true : undefined,
					{ timeoutMs: WAIT_MS, intervalMs: 50 },
				);
				const seconds = (Date.now() - started) / 1000;
				const executions = await finishedExecutions(AI_EXAMPLE_ID, afterId, 10);
				expect(executions.length === 10, `${executions.length} executions for 10 messages`);
				expect(fresh().length === 10, `${fresh().length} cards for 10 messages`);
				for (const card of fresh()) {
					const group = card.openSpaceId.replace('dtv1.card//IM_GROUP.', '');
					expectFinishedWithAnswer(card, `你好 ${group}`);
				}
				const perWorker = deployment.workers.map(
					(w) => executions.filter((e) => workerOf(e.id) === w.name).length,
				);
				expect(
					perWorker.reduce((a, b) => a + b, 0) === 10,
					`executions per worker ${perWorker.join(' + ')}: some ran on no worker`,
				);
				const visible = fresh().map((c) => c.createdAt - started);
				const streamed = fresh().map((c) => c.updates.filter((u) => u.kind === 'streaming').length);
				world.figure(
					`DingTalk AI burst in queue mode: 10 messages answered in ${seconds.toFixed(1)} s, executions per worker ${perWorker.join(' + ')}; cards visible after ${range(visible)}; streamed updates per answer ${Math.min(...streamed)}–${Math.max(...streamed)}`,
				);
			},
		],
		[
			'AI chat (DingTalk) in queue mode: every robot message made exactly one execution and one card; unpublishing closes the connection',
			async () => {
				const executions = await finishedExecutions(AI_EXAMPLE_ID, dingTalkBefore, asked.length);
				expect(
					executions.length === asked.length,
					`${executions.length} executions for ${asked.length} robot messages`,
				);
				const cards = cardsOf(state()).filter((c) => !cardsBefore.has(c.outTrackId));
				expect(
					cards.length === asked.length,
					`${cards.length} cards for ${asked.length} robot messages`,
				);
				expect(stream().lost().length === 0, `${stream().lost().length} Stream events lost`);
				await rest().unpublish(AI_EXAMPLE_ID);
				await waitFor(
					'the AI example to close its Stream connection',
					async () => (robotConnections().length === 0 ? true : undefined),
					{ timeoutMs: WAIT_MS, intervalMs: 100 },
				);
				world.figure(
					`DingTalk AI in queue mode: ${asked.length} robot messages (+1 redelivery) → ${executions.length} executions, ${cards.length} cards`,
				);
			},
		],
		[
			'AI chat (DingTalk) in queue mode with Postgres Chat Memory in place of Simple Memory: the conversation continues whichever worker runs the next message',
			async () => {
				const afterId = await newestExecutionId(AI_POSTGRES_MEMORY.id);
				await rest().publish(AI_POSTGRES_MEMORY.id);
				await waitFor(
					"the variant's Stream connection for robot messages",
					async () => robotConnections()[0],
					{
						timeoutMs: WAIT_MS,
						intervalMs: 100,
					},
				);
				const group = 'cidQueueMemory==';
				state().messaging.groups.push({
					openConversationId: group,
					title: '队列记忆群',
					robotCodes: [state().app.appKey],
				});
				const questions = ['我们的项目代号是青鸟。', '项目代号是什么？', '再说一遍代号？'];
				const histories: boolean[] = [];
				for (const [i, question] of questions.entries()) {
					const { card, publishedAt } = await ask(question, group);
					expectFinishedWithAnswer(card, question);
					const request = stand()
						.requests.filter((r) => r.at >= publishedAt)
						.at(-1);
					expect(request, `the model got no request for "${question}"`);
					const sent = JSON.stringify(request.messages);
					histories.push(questions.slice(0, i).every((earlier) => sent.includes(earlier)));
				}
				const executions = [...(await finishedExecutions(AI_POSTGRES_MEMORY.id, afterId, 3))].sort(
					(a, b) => Number(a.id) - Number(b.id),
				);
				expect(executions.length === 3, `${executions.length} executions for 3 messages`);
				expect(
					executions.every((e) => e.status === 'success' && workerOf(e.id)),
					`executions: ${executions.map((e) => `${e.id} ${e.status}@${workerOf(e.id)}`).join(', ')}`,
				);
				const workers = executions.map((e) => workerOf(e.id));
				expect(
					histories.every(Boolean),
					`the model did not get the earlier questions of the group (messages on ${workers.join(', ')})`,
				);
				await rest().unpublish(AI_POSTGRES_MEMORY.id);
				await waitFor(
					'the variant to close its Stream connection',
					async () => (robotConnections().length === 0 ? true : undefined),
					{ timeoutMs: WAIT_MS, intervalMs: 100 },
				);
				world.figure(
					`DingTalk AI with Postgres Chat Memory in queue mode: 3 messages of one group ran on ${workers.join(', ')}; each later one's model request carried the earlier questions`,
				);
			},
		],
		[
			'WeCom AI bot in queue mode: the trigger on main shows "thinking" at once; the run on a worker hands its answer back through n8n to main, which ends the reply; a failure too; nothing doubled; no secret in any log',
			async () => {
				const afterId = await newestExecutionId(WECOM_AI_EXAMPLE_ID);
				const modelRequests = stand().requests.length;
				await rest().publish(WECOM_AI_EXAMPLE_ID);
				await waitFor(
					'the WeCom AI example to subscribe to the AI bot',
					async () => aiBot().subscribed(),
					{
						timeoutMs: WAIT_MS,
						intervalMs: 100,
					},
				);
				const subscribed = aiBot()
					.connections()
					.filter((c) => c.state === 'subscribed');
				expect(subscribed.length === 1, `${subscribed.length} subscribed AI bot connections`);

				/** Publishes a message and waits for its reply to end (finish:true), bounded. */
				async function askBot(text: string, userid: string, chattype: 'single' | 'group') {
					const publishedAt = Date.now();
					const message = aiBot().publish({ text, userid, chattype });
					aiBotPublished.push(message);
					const replies = await waitFor(
						`the WeCom AI bot reply to "${text}" to end`,
						async () => {
							const frames = aiBot().repliesTo(message.reqId);
							return frames.some((f) => f.finish) ? frames : undefined;
						},
						{ timeoutMs: WAIT_MS, intervalMs: 20 },
					);
					return { message, replies, publishedAt };
				}

				const question = '队列模式下能回答吗？';
				const first = await askBot(question, 'zhangsan', 'single');
				// A redelivery of the first message, then a second message as the barrier behind it.
				aiBot().redeliver(first.message.msgid);
				const second = await askBot('第二个问题', 'lisi', 'group');
				const failed = await askBot('这个会失败 #fail', 'wangwu', 'single');
				const executions = await finishedExecutions(WECOM_AI_EXAMPLE_ID, afterId, 3);
				expect(
					executions.length === 3,
					`${executions.length} executions for 3 messages and a redelivery`,
				);
				for (const execution of executions) {
					expect(
						execution.status === 'success' && execution.mode === 'trigger',
						`execution ${execution.id} is ${execution.mode}/${execution.status}, expected trigger/success`,
					);
					expect(workerOf(execution.id), `execution ${execution.id} did not run on a worker`);
				}
				for (const { message, replies } of [first, second]) {
					const answer = stand().answer(message.text);
					expect(
						replies[0].content === '思考中…' && !replies[0].finish,
						`the first frame for "${message.text}" is ${JSON.stringify(replies[0])}`,
					);
					expect(
						replies.length === 2 && replies[1].finish && replies[1].content === answer,
						`the reply to "${message.text}" is ${JSON.stringify(replies.map((r) => [r.content, r.finish]))}, expected thinking then the model's answer`,
					);
				}
				const failure = failed.replies.at(-1)!;
				// The example's Fail (on the Agent's error output) appends the error: not the trigger's own No Answer Text.
				expect(
					failure.finish &&
						/^抱歉/.test(failure.content) &&
						failure.content !== DEFAULT_NO_ANSWER_TEXT &&
						failed.replies.length === 2,
					`the failed reply is ${JSON.stringify(failed.replies.map((r) => [r.content, r.finish]))}`,
				);
				const frames = aiBotPublished.flatMap((m) => aiBot().repliesTo(m.reqId));
				expect(
					frames.every((f) => f.errcode === 0) && aiBot().violations.length === 0,
					`refused frames or violations: ${JSON.stringify(aiBot().violations)}`,
				);
				expect(
					stand().requests.length === modelRequests + 3,
					`the model was asked ${stand().requests.length - modelRequests} times for 3 messages`,
				);
				const secrets = [AIBOT_SEED.secret, DINGTALK_SEED.appSecret, DINGTALK_SEED.aesKey];
				const logs = [deployment.main, deployment.webhook, ...deployment.workers].map((p) => [
					p.name,
					p.log(),
				]);
				const seen = logs.filter(([, text]) => secrets.some((s) => s && text.includes(s)));
				expect(seen.length === 0, `a secret appears in ${seen.map(([name]) => name).join(', ')}`);
				const thinking = [first, second, failed].map((q) => aiBot().repliesTo(q.message.reqId)[0].at - q.publishedAt);
				const answered = [first, second].map((q) => q.replies.at(-1)!.at - q.publishedAt);
				world.figure(
					`WeCom AI bot in queue mode: 3 messages (+1 redelivery) → 3 executions on ${executions.map((e) => workerOf(e.id)).join(', ')}; "thinking" shown by main ${range(thinking)} after the message; the answer from the worker ${range(answered)}; 2 frames per reply (updates are not handed back)`,
				);
			},
		],
		[
			'WeCom AI bot in queue mode: unpublishing the example stops the trigger',
			async () => {
				await rest().unpublish(WECOM_AI_EXAMPLE_ID);
				const workflow = await rest().workflow(WECOM_AI_EXAMPLE_ID);
				expect(!workflow.active, 'the WeCom AI example is still published');
				// Every reply was ended (the workers' answers came back), so no reply is owed: the connection closes.
				await waitFor('the AI bot connection to close', async () => !aiBot().subscribed(), {
					timeoutMs: WAIT_MS,
					intervalMs: 100,
				});
				world.figure('WeCom AI bot in queue mode: after unpublishing, the long connection closed');
			},
		],
	];
}
