// DingTalk → AI Reply and the AI Card Streaming sub-node, through n8n-core's engine against the emulator's card API:
// one card per message however often the reply runs, streamed updates throttled (latest wins) and backing off when
// DingTalk refuses for speed, the finished and failed states, the markdown fallback, and request shapes checked against
// the official SDK's models (@alicloud/dingtalk).
import type { IConnections, IDataObject, INode, INodeParameters } from 'n8n-workflow';

import { DingTalkAiCardStreaming } from '../../nodes/DingTalk/DingTalkAiCardStreaming.node';
import { replySessionOf, resetReplySessions } from '../../nodes/DingTalk/resources/aiReply/session';
import {
	cardsOf,
	EMULATOR_AI_CARD_TEMPLATE,
	EMULATOR_ROBOT_GROUP,
	robotMessagePayload,
	type CardRecord,
} from '../emulator/dingtalk';
import { FakeAgent, FakeChatModel, FakeDingTalkTrigger } from './aiSupport';
import { startDingTalk, type DingTalkTestEnv } from './setup';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const cardSdk = require('@alicloud/dingtalk/dist/card_1_0/client') as Record<
	string,
	{ names(): Record<string, string> }
>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const robotSdk = require('@alicloud/dingtalk/dist/robot_1_0/client') as Record<
	string,
	{ names(): Record<string, string> }
>;

const ANSWER =
	'你好！这是一个由 AI Agent 生成、在钉钉 AI 卡片中逐步显示的回答，共有大约六十个字符，用来计数更新的次数。';

describe('DingTalk AI Reply (AI card) and AI Card Streaming', () => {
	let env: DingTalkTestEnv;

	beforeAll(async () => {
		env = await startDingTalk({
			nodeTypes: [
				new DingTalkAiCardStreaming(),
				new FakeAgent(),
				new FakeChatModel(),
				new FakeDingTalkTrigger(),
			],
		});
	});

	afterAll(async () => {
		await env.stop();
	});

	beforeEach(() => {
		env.emulator.calls.length = 0;
		env.emulator.dingtalk.cards.cards.clear();
		env.emulator.dingtalk.messaging.robotMessages.length = 0;
		resetReplySessions();
	});

	const message = (input: Parameters<typeof robotMessagePayload>[3] = {}) =>
		robotMessagePayload(env.emulator.dingtalk.app, env.emulator.baseUrl, Date.now(), {
			conversationType: '2',
			conversationId: EMULATOR_ROBOT_GROUP,
			senderStaffId: 'dev001',
			text: '帮我总结一下',
			...input,
		}) as unknown as IDataObject;

	const credentials = () => ({ dingTalkApi: env.credential });
	const node = (
		name: string,
		type: string,
		parameters: INodeParameters,
		extra: Partial<INode> = {},
	): INode => ({
		id: name,
		name,
		type: env.harness.type(type),
		typeVersion: 1,
		position: [0, 0],
		parameters,
		...extra,
	});
	const reply = (name: string, operation: string, parameters: INodeParameters = {}) =>
		node(
			name,
			'dingTalk',
			{ resource: 'aiReply', operation, cardTemplateId: EMULATOR_AI_CARD_TEMPLATE, ...parameters },
			{ credentials: credentials() },
		);

	/** Trigger → Start → Agent (model through the streaming sub-node) → Finish, error output → Fail. */
	function chatWorkflow(
		agent: INodeParameters,
		options: { stream?: boolean; start?: boolean; streamOptions?: IDataObject } = {},
	) {
		const nodes: INode[] = [
			node('DingTalk Trigger', 'dingTalkTrigger', {}),
			node('Agent', 'fakeAgent', agent, { onError: 'continueErrorOutput' }),
			node('Model', 'fakeChatModel', {}),
			reply('Finish', 'finish'),
			reply('Fail', 'fail'),
		];
		const connections: IConnections = {
			Agent: {
				main: [
					[{ node: 'Finish', type: 'main', index: 0 }],
					[{ node: 'Fail', type: 'main', index: 0 }],
				],
			},
		};
		const first = options.start === false ? 'Agent' : 'Start';
		connections['DingTalk Trigger'] = { main: [[{ node: first, type: 'main', index: 0 }]] };
		if (options.start !== false) {
			nodes.push(reply('Start', 'start'));
			connections.Start = { main: [[{ node: 'Agent', type: 'main', index: 0 }]] };
		}
		if (options.stream === false) {
			connections.Model = {
				ai_languageModel: [[{ node: 'Agent', type: 'ai_languageModel', index: 0 }]],
			};
		} else {
			nodes.push(
				node(
					'AI Card Streaming',
					'dingTalkAiCardStreaming',
					{
						cardTemplateId: EMULATOR_AI_CARD_TEMPLATE,
						options: (options.streamOptions ?? {}) as INodeParameters,
					},
					{ credentials: credentials() },
				),
			);
			connections.Model = {
				ai_languageModel: [[{ node: 'AI Card Streaming', type: 'ai_languageModel', index: 0 }]],
			};
			connections['AI Card Streaming'] = {
				ai_languageModel: [[{ node: 'Agent', type: 'ai_languageModel', index: 0 }]],
			};
		}
		return { nodes, connections };
	}

	async function runChat(
		json: IDataObject,
		agent: INodeParameters,
		options: Parameters<typeof chatWorkflow>[1] = {},
	) {
		const { nodes, connections } = chatWorkflow(agent, options);
		return await env.harness.run(nodes, connections, 'DingTalk Trigger', [{ json }]);
	}

	const onlyCard = (): CardRecord => {
		const cards = cardsOf(env.emulator.dingtalk);
		expect(cards).toHaveLength(1);
		return cards[0];
	};
	const streamed = (card: CardRecord) => card.updates.filter((u) => u.kind === 'streaming');
	const creates = () => env.emulator.callsTo('/v1.0/card/instances/createAndDeliver');

	it('a group message: Start delivers one AI card to the group at once ("processing"), Finish ends it with the answer', async () => {
		const json = message();
		const result = await runChat(json, { answer: ANSWER }, { stream: false });
		expect(result.error).toBeUndefined();
		const card = onlyCard();
		expect(card).toMatchObject({
			templateId: EMULATOR_AI_CARD_TEMPLATE,
			openSpaceId: `dtv1.card//IM_GROUP.${EMULATOR_ROBOT_GROUP}`,
			params: { flowStatus: '3', msgContent: ANSWER },
		});
		expect(card.updates[0]).toMatchObject({
			kind: 'create',
			body: { flowStatus: '1', msgContent: '思考中…' },
		});
		expect(creates()).toHaveLength(1);
		const finish = result.json('Finish')[0];
		expect(finish).toMatchObject({
			output: ANSWER,
			aiReply: { status: 'finished', mode: 'card', outTrackId: card.outTrackId },
		});
		// Start passed the message on: the Agent got chatInput's source unchanged.
		expect(result.json('Start')[0]).toMatchObject({
			msgId: json.msgId,
			aiReply: { status: 'processing' },
		});
	});

	it('a re-run for the same message updates the same card — never a second one — also after this process forgot it', async () => {
		const json = message();
		await runChat(json, { answer: '第一次' }, { stream: false });
		await runChat(json, { answer: '第二次' }, { stream: false });
		expect(onlyCard().params).toMatchObject({ flowStatus: '3', msgContent: '第二次' });
		expect(creates().filter((c) => c.status === 200)).toHaveLength(1);
		// A restart: the process keeps nothing; DingTalk's refusal of the known outTrackId leads to an update.
		resetReplySessions();
		await runChat(json, { answer: '第三次' }, { stream: false });
		expect(cardsOf(env.emulator.dingtalk)).toHaveLength(1);
		expect(onlyCard().params.msgContent).toBe('第三次');
	});

	it('a one-to-one message: the card goes to the sender (dtv1.card//IM_ROBOT.<userid>)', async () => {
		const json = message({ conversationType: '1', conversationId: 'cidOneToOne==' });
		const result = await runChat(json, { answer: '好的' }, { stream: false });
		expect(result.error).toBeUndefined();
		expect(onlyCard()).toMatchObject({
			openSpaceId: 'dtv1.card//IM_ROBOT.dev001',
			spaceType: 'IM_ROBOT',
		});
		const body = creates()[0].body as IDataObject;
		expect(body.imRobotOpenDeliverModel).toEqual({ spaceType: 'IM_ROBOT' });
		expect(body.imGroupOpenDeliverModel).toBeUndefined();
	});

	it('streaming sub-node: tokens become throttled updates (latest wins, ≥ 300 ms apart), the card is "inputting" until Finish', async () => {
		const json = message();
		const started = Date.now();
		// 60 characters, 2 per token, 20 ms apart: ~600 ms of tokens.
		const result = await runChat(json, { answer: ANSWER, chunk: 2, delayMs: 20 });
		expect(result.error).toBeUndefined();
		const card = onlyCard();
		const updates = streamed(card);
		const tokens = Math.ceil(Array.from(ANSWER).length / 2);
		expect(updates.length).toBeGreaterThanOrEqual(2);
		// Far fewer requests than tokens, and never two within the interval.
		expect(updates.length).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 300) + 2);
		expect(updates.length).toBeLessThan(tokens / 3);
		// The spacing of the throttle's sends is checked on its own clock (test/shared/replyThrottle.test.ts): here the
		// emulator sees arrivals, which a loaded machine brings closer or further apart (CI once saw 184 ms between two
		// requests sent 300 ms apart), so only the rate above is checked.
		// Each update carries the whole text so far (isFull), growing; the last one closes the typewriter.
		const contents = updates.map((u) => String(u.body.content));
		for (let i = 1; i < contents.length; i++)
			expect(contents[i].startsWith(contents[i - 1]) || i === contents.length - 1).toBe(true);
		expect(updates.every((u) => u.body.isFull === true && u.body.key === 'msgContent')).toBe(true);
		expect(updates.at(-1)?.body).toMatchObject({ isFinalize: true, content: ANSWER });
		expect(card.updates.some((u) => u.kind === 'update' && u.body.flowStatus === '2')).toBe(true);
		expect(card.params).toMatchObject({ flowStatus: '3', msgContent: ANSWER });
		expect(card.finalized).toBe(true);
		expect(result.json('Finish')[0].aiReply).toMatchObject({
			status: 'finished',
			superseded: expect.any(Number),
		});
	});

	it('without Start, the sub-node shows the card itself when the model starts; tool calls show as steps', async () => {
		const json = message();
		const result = await runChat(
			json,
			{ answer: ANSWER, tool: 'search_wiki', chunk: 3, delayMs: 15 },
			{ start: false },
		);
		expect(result.error).toBeUndefined();
		const card = onlyCard();
		expect(card.updates[0]).toMatchObject({ kind: 'create', body: { flowStatus: '1' } });
		expect(streamed(card).some((u) => String(u.body.content).startsWith('> 🔧 search_wiki'))).toBe(
			true,
		);
		expect(card.params.msgContent).toBe(ANSWER);
	});

	it('DingTalk refusing for speed (HTTP 429) makes the updates back off, and the latest text still lands', async () => {
		env.emulator.injectFault({ kind: 'http', status: 429, path: '/v1.0/card/streaming', times: 2 });
		const result = await runChat(
			message(),
			{ answer: ANSWER, chunk: 2, delayMs: 15 },
			{ streamOptions: { intervalMs: 100 } },
		);
		expect(result.error).toBeUndefined();
		const refused = env.emulator.callsTo('/v1.0/card/streaming').filter((c) => c.status === 429);
		expect(refused).toHaveLength(2);
		expect(result.json('Finish')[0].aiReply).toMatchObject({ throttled: 2 });
		expect(onlyCard().params).toMatchObject({ flowStatus: '3', msgContent: ANSWER });
	});

	it('a failing Agent: its error output runs Fail, which ends the card as failed after the part already shown', async () => {
		const result = await runChat(message(), {
			answer: ANSWER,
			chunk: 2,
			delayMs: 15,
			failWith: 'model exploded',
		});
		expect(result.error).toBeUndefined();
		const card = onlyCard();
		expect(card.params.flowStatus).toBe('5');
		expect(card.params.msgContent).toMatch(
			/\n\n> 抱歉，这次没能完成回答，请稍后再试。 \(model exploded\)$/,
		);
		expect(card.errored).toBe(true);
		expect(result.json('Fail')[0].aiReply).toMatchObject({ status: 'failed' });
		expect(result.json('Finish')).toHaveLength(0);
	});

	it('an error workflow closes the replies a failed execution left open (Reply To: execution)', async () => {
		const json = message();
		const start = await env.harness.run(
			[node('DingTalk Trigger', 'dingTalkTrigger', {}), reply('Start', 'start')],
			{ 'DingTalk Trigger': { main: [[{ node: 'Start', type: 'main', index: 0 }]] } },
			'DingTalk Trigger',
			[{ json }],
		);
		expect(onlyCard().params.flowStatus).toBe('1');
		expect(start.error).toBeUndefined();
		// What an Error Trigger gives as execution.id: the execution the Start ran in.
		const [executionId] = [...replySessionOf(onlyCard().outTrackId)!.executions];
		const failed = await env.run(
			{
				resource: 'aiReply',
				operation: 'fail',
				replyTo: 'execution',
				executionId: '={{ $json.execution.id }}',
				cardTemplateId: EMULATOR_AI_CARD_TEMPLATE,
			},
			[
				{
					json: {
						execution: {
							id: executionId,
							error: { message: 'The workflow timed out' },
						},
					},
				},
			],
		);
		expect(failed.error).toBeUndefined();
		expect(failed.items[0].json).toMatchObject({ closed: 1 });
		expect(onlyCard().params).toMatchObject({
			flowStatus: '5',
			msgContent: '抱歉，这次没能完成回答，请稍后再试。 (The workflow timed out)',
		});
	});

	it('no card template: Finish sends one markdown message through the robot API (group), and a re-run sends nothing more', async () => {
		const json = message();
		const plain = (name: string, operation: string, parameters: INodeParameters = {}) =>
			node(
				name,
				'dingTalk',
				{ resource: 'aiReply', operation, ...parameters },
				{ credentials: credentials() },
			);
		const workflow = () =>
			env.harness.run(
				[
					node('DingTalk Trigger', 'dingTalkTrigger', {}),
					plain('Start', 'start'),
					plain('Finish', 'finish', { answer: '## 结论\n明天上线' }),
				],
				{
					'DingTalk Trigger': { main: [[{ node: 'Start', type: 'main', index: 0 }]] },
					Start: { main: [[{ node: 'Finish', type: 'main', index: 0 }]] },
				},
				'DingTalk Trigger',
				[{ json }],
			);
		const result = await workflow();
		expect(result.error).toBeUndefined();
		await workflow();
		expect(cardsOf(env.emulator.dingtalk)).toHaveLength(0);
		const sent = env.emulator.dingtalk.messaging.robotMessages;
		expect(sent).toHaveLength(1);
		expect(sent[0]).toMatchObject({
			msgKey: 'sampleMarkdown',
			openConversationId: EMULATOR_ROBOT_GROUP,
			msgParam: { title: '结论 明天上线', text: '## 结论\n明天上线' },
		});
		expect(result.json('Finish')[0].aiReply).toMatchObject({
			mode: 'markdown',
			status: 'finished',
		});
	});

	it('a one-to-one markdown fallback goes to the sender (oToMessages/batchSend)', async () => {
		const json = message({ conversationType: '1', conversationId: 'cidOneToOne==' });
		const result = await env.run({ resource: 'aiReply', operation: 'finish', answer: '好的' }, [
			{ json },
		]);
		expect(result.error).toBeUndefined();
		expect(env.emulator.dingtalk.messaging.robotMessages[0]).toMatchObject({
			msgKey: 'sampleMarkdown',
			userIds: ['dev001'],
		});
	});

	it("the credential's AI Card Template ID serves when the node names none", async () => {
		const id = env.harness.credentials.add('dingTalkApi', {
			...env.harness.credentials.stored(env.credential.id),
			accessToken: '',
			aiCardTemplateId: EMULATOR_AI_CARD_TEMPLATE,
		}) as { id: string; name: string };
		const result = await env.harness.runNode(
			{
				name: 'Finish',
				type: env.harness.type('dingTalk'),
				parameters: { resource: 'aiReply', operation: 'finish', answer: 'ok' },
				credentials: { dingTalkApi: id },
			},
			[{ json: message() }],
		);
		expect(result.error).toBeUndefined();
		expect(onlyCard().templateId).toBe(EMULATOR_AI_CARD_TEMPLATE);
	});

	it('an item that is no robot message names the fix', async () => {
		const result = await env.run({ resource: 'aiReply', operation: 'finish', answer: 'x' }, [
			{ json: { output: 'x' } },
		]);
		expect(result.error?.message).toMatch(/^No robot message to reply to/);
	});

	it("request bodies use only the field names of the official SDK's models (@alicloud/dingtalk)", async () => {
		await runChat(message(), { answer: ANSWER, chunk: 4, delayMs: 15 });
		await runChat(
			message({ conversationType: '1', conversationId: 'cidOneToOne==' }),
			{ answer: 'ok' },
			{ stream: false },
		);
		const models: Record<string, Record<string, string>> = {
			'POST /v1.0/card/instances/createAndDeliver': cardSdk.CreateAndDeliverRequest.names(),
			'PUT /v1.0/card/instances': cardSdk.UpdateCardRequest.names(),
			'PUT /v1.0/card/streaming': cardSdk.StreamingUpdateRequest.names(),
		};
		const nested: Record<string, Record<string, string>> = {
			imGroupOpenDeliverModel: cardSdk.CreateAndDeliverRequestImGroupOpenDeliverModel.names(),
			imRobotOpenDeliverModel: cardSdk.CreateAndDeliverRequestImRobotOpenDeliverModel.names(),
			imGroupOpenSpaceModel: cardSdk.CreateAndDeliverRequestImGroupOpenSpaceModel.names(),
			cardData: cardSdk.CreateAndDeliverRequestCardData.names(),
		};
		let checked = 0;
		for (const call of env.emulator.calls) {
			const model = models[`${call.method} ${call.path}`];
			if (!model) continue;
			const body = call.body as IDataObject;
			for (const key of Object.keys(body)) {
				expect(Object.values(model)).toContain(key);
				const inner = nested[key];
				if (inner)
					for (const k of Object.keys(body[key] as IDataObject))
						expect(Object.values(inner)).toContain(k);
			}
			checked++;
		}
		expect(checked).toBeGreaterThan(4);
		expect(Object.values(robotSdk.RobotMessageFileDownloadRequest.names()).sort()).toEqual([
			'downloadCode',
			'robotCode',
		]);
	});
});
