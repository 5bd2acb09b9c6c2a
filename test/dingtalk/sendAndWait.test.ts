/* eslint-disable @typescript-eslint/no-explicit-any, @n8n/community-nodes/no-hardcoded-secrets -- test code: reads the JSON bodies the emulator recorded; emulator-only secrets, and msgKey values are message types, not secrets */
// Send and Wait for Response on the DingTalk node, through the real engine: work notifications (action_card) and the
// app robot's messages (sampleActionCard / sampleActionCard2), to users and to a group; the node's webhook answers
// the buttons' signed links.
import type { INodeParameters } from 'n8n-workflow';

import { EMULATOR_ROBOT_GROUP } from '../emulator/dingtalk/messaging';
import { DINGTALK_SEED } from '../emulator/dingtalk/seed';
import type { WebhookServer } from '../harness';
import {
	answerOf,
	DEADLINE,
	double,
	expectNoLinks,
	expectPageOnly,
	expectSignedLinks,
	expectWaitingWith,
	link,
	openLink,
	twoHours,
	waitingWebhook,
} from '../shared/sendAndWaitSupport';
import { errorOf } from '../wecom/messagingSupport';
import { startDingTalk, type DingTalkTestEnv } from './setup';

const WORK_SEND = '/topapi/message/corpconversation/asyncsend_v2';
const OTO_SEND = '/v1.0/robot/oToMessages/batchSend';
const GROUP_SEND = '/v1.0/robot/groupMessages/send';
const QUESTION = '### 报销审批\n\n张三 提交了报销 ¥6,800（差旅）';

const askBy = (resource: 'workNotification' | 'robotMessage') => (parameters: INodeParameters) => ({
	resource,
	operation: 'sendAndWait',
	title: '报销审批',
	message: '张三 提交了报销 ¥6,800（差旅）',
	...parameters,
});
const work = askBy('workNotification');
const robot = askBy('robotMessage');

let env: DingTalkTestEnv;
const servers: WebhookServer[] = [];

beforeAll(async () => {
	env = await startDingTalk();
});

afterAll(async () => {
	await Promise.all(servers.map(async (server) => await server.close()));
	await env.stop();
});

beforeEach(() => {
	env.emulator.calls.length = 0;
	env.emulator.clearFaults();
});

const bodies = (path: string) => env.emulator.callsTo(path).map((call) => call.body as any);
const msgParam = (body: any) => JSON.parse(body.msgParam as string);

/** Runs the node and serves its webhook for the execution it left waiting. */
async function answered(parameters: INodeParameters) {
	const result = await env.run(parameters);
	const server = await waitingWebhook(
		env.harness,
		{
			name: 'DingTalk',
			type: env.harness.type('dingTalk'),
			parameters,
			credentials: { dingTalkApi: env.credential },
		},
		result,
	);
	servers.push(server);
	return { result, server };
}

describe('DingTalk Work Notification: Send and Wait for Response', () => {
	it('sends an action_card with 同意 and 拒绝 buttons (btn_json_list) to users and departments', async () => {
		const result = await env.run(
			work({
				userIds: 'manager001',
				departmentIds: '300',
				message: '第一行\\n第二行',
				approvalOptions: double,
				options: twoHours,
			}),
			[{ json: { expense: 6800 } }],
		);

		expectWaitingWith(result, [{ expense: 6800 }]);
		const [body] = bodies(WORK_SEND);
		expect(body).toEqual({
			agent_id: DINGTALK_SEED.agentId,
			userid_list: 'manager001',
			dept_id_list: '300',
			msg: {
				msgtype: 'action_card',
				action_card: {
					title: '报销审批',
					markdown: expect.stringMatching(
						/^### 报销审批\n\n第一行 {2}\n第二行\n\n截止 Due [^\n]+$/,
					),
					btn_orientation: '1',
					btn_json_list: [
						{ title: '同意', action_url: expect.any(String) },
						{ title: '拒绝', action_url: expect.any(String) },
					],
				},
			},
		});
		const card = body.msg.action_card;
		expect(card.markdown.split('\n\n')[2]).toMatch(DEADLINE);
		expectSignedLinks(result, [
			[card.btn_json_list[0].action_url, 'true'],
			[card.btn_json_list[1].action_url, 'false'],
		]);
		// DingTalk took it: a task was recorded for the recipients.
		expect(env.emulator.callsTo(WORK_SEND)[0].response).toMatchObject({ errcode: 0 });
		expectNoLinks(result, bodies(WORK_SEND));
	});

	it('one answer (Approve Only, Free Text, Custom Form): a single button; To All sends to everyone', async () => {
		await env.run(work({ userIds: 'manager001' }));
		await env.run(
			work({
				toAll: true,
				responseType: 'freeText',
				options: { messageButtonLabel: '填写意见' },
			}),
		);
		await env.run(
			work({
				userIds: 'manager001',
				responseType: 'customForm',
				formElements: { values: [{ fieldLabel: '意见', fieldType: 'text' }] },
			}),
		);

		const sent = bodies(WORK_SEND);
		expect(sent.map((body) => [body.userid_list, body.to_all_user])).toEqual([
			['manager001', undefined],
			[undefined, true],
			['manager001', undefined],
		]);
		const cards = sent.map((body) => body.msg.action_card);
		expect(cards.map((card) => card.single_title)).toEqual(['Approve', '填写意见', 'Respond']);
		for (const card of cards) {
			expect(Object.keys(card).sort()).toEqual(['markdown', 'single_title', 'single_url', 'title']);
			expect(card.markdown).toBe(QUESTION);
			expect(link(card.single_url).params.approved).toBe('true');
		}
	});

	it('a long message gives way so the whole notification, links included, stays within 2,048 bytes', async () => {
		const result = await env.run(
			work({
				userIds: 'manager001',
				message: `${'很长的说明。'.repeat(200)}结尾`,
				approvalOptions: double,
				options: twoHours,
			}),
		);

		expect(result.error).toBeUndefined();
		const { msg } = bodies(WORK_SEND)[0];
		const bytes = Buffer.byteLength(JSON.stringify(msg), 'utf8');
		expect(bytes).toBeLessThanOrEqual(2048);
		expect(bytes).toBeGreaterThan(2000);
		expect(msg.action_card.markdown).toMatch(
			/^### 报销审批\n\n很长的说明。很长的说明。[^\n]+…\n\n截止 Due [^\n]+$/,
		);
		expect(msg.action_card.markdown).not.toContain('结尾');
		expect(msg.action_card.btn_json_list).toHaveLength(2);
	});

	it('refuses before sending: no recipient; a title too long to leave room for the links', async () => {
		const none = await env.run(work({}));
		const huge = await env.run(work({ userIds: 'manager001', title: '标题'.repeat(400) }));

		expect(errorOf(none).message).toMatch(/No recipient/);
		expect(errorOf(huge).message).toMatch(/at most 2048 bytes for a work notification/);
		for (const result of [none, huge]) expect(result.run.status).not.toBe('waiting');
		expect(bodies(WORK_SEND)).toHaveLength(0);
	});

	it('a DingTalk refusal fails the node without waiting and without a link in the error', async () => {
		env.emulator.injectFault({ kind: 'errcode', errcode: 40035, path: WORK_SEND });
		const result = await env.run(work({ userIds: 'manager001', approvalOptions: double }));

		expect(errorOf(result).message).toMatch(/40035/);
		expect(result.run.status).not.toBe('waiting');
		expectNoLinks(result, bodies(WORK_SEND));
	});

	it('the links work: GET shows the page, POST on 拒绝 resumes with approved: false', async () => {
		const { server } = await answered(work({ userIds: 'manager001', approvalOptions: double }));
		const [, decline] = bodies(WORK_SEND)[0].msg.action_card.btn_json_list.map((b: any) =>
			link(b.action_url),
		);

		const page = await openLink(server, 'GET', decline);
		expectPageOnly(page, '报销审批');
		expect(page.body).toContain('value="decline">拒绝</button>');
		expect(answerOf(await openLink(server, 'POST', decline))).toEqual({
			approved: false,
			respondedAt: expect.any(String),
		});
	});

	it('Free Text: the button opens the form, and its POST resumes with the text', async () => {
		const { server } = await answered(work({ userIds: 'manager001', responseType: 'freeText' }));
		const respond = link(bodies(WORK_SEND)[0].msg.action_card.single_url);

		expect((await openLink(server, 'GET', respond)).body).toContain('<textarea id="field-0"');
		expect(answerOf(await openLink(server, 'POST', respond, { 'field-0': '请补发票' }))).toEqual({
			text: '请补发票',
			respondedAt: expect.any(String),
		});
	});
});

describe('DingTalk Robot Message: Send and Wait for Response', () => {
	it('to users: sampleActionCard2 with 同意 and 拒绝, each opening its signed link', async () => {
		const result = await env.run(
			robot({ userIds: 'manager001,fin001', approvalOptions: double, options: twoHours }),
			[{ json: { expense: 6800 } }],
		);

		expectWaitingWith(result, [{ expense: 6800 }]);
		const [body] = bodies(OTO_SEND);
		expect(body).toEqual({
			robotCode: DINGTALK_SEED.appKey,
			userIds: ['manager001', 'fin001'],
			msgKey: 'sampleActionCard2',
			msgParam: expect.any(String),
		});
		const param = msgParam(body);
		expect(param).toEqual({
			title: '报销审批',
			text: expect.stringMatching(/^### 报销审批\n\n张三 提交了报销 ¥6,800（差旅）\n\n截止 Due /),
			actionTitle1: '同意',
			actionURL1: expect.any(String),
			actionTitle2: '拒绝',
			actionURL2: expect.any(String),
		});
		expectSignedLinks(result, [
			[param.actionURL1, 'true'],
			[param.actionURL2, 'false'],
		]);
		expectNoLinks(result, bodies(OTO_SEND));
	});

	it('to a group chat: one answer is sampleActionCard with a single button', async () => {
		const result = await env.run(
			robot({
				sendTo: 'group',
				openConversationId: EMULATOR_ROBOT_GROUP,
				responseType: 'customForm',
				formElements: { values: [{ fieldLabel: '意见', fieldType: 'text' }] },
				options: { messageButtonLabel: '填写审批' },
			}),
		);

		expectWaitingWith(result, [{}]);
		const [body] = bodies(GROUP_SEND);
		expect(body).toMatchObject({
			robotCode: DINGTALK_SEED.appKey,
			openConversationId: EMULATOR_ROBOT_GROUP,
			msgKey: 'sampleActionCard',
		});
		const param = msgParam(body);
		expect(param).toEqual({
			title: '报销审批',
			text: QUESTION,
			singleTitle: '填写审批',
			singleURL: expect.any(String),
		});
		expectSignedLinks(result, [[param.singleURL, 'true']]);
	});

	it('to users, one answer (Approve Only, Free Text): sampleActionCard named after it', async () => {
		await env.run(robot({ userIds: 'manager001' }));
		await env.run(
			robot({
				userIds: 'manager001',
				responseType: 'freeText',
				options: { messageButtonLabel: '填写意见' },
			}),
		);

		const sent = bodies(OTO_SEND);
		expect(sent.map((body) => body.msgKey)).toEqual(['sampleActionCard', 'sampleActionCard']);
		const params = sent.map(msgParam);
		expect(params.map((param) => param.singleTitle)).toEqual(['Approve', '填写意见']);
		for (const param of params) {
			expect(param.text).toBe(QUESTION);
			expect(link(param.singleURL).params.approved).toBe('true');
		}
	});

	it('a DingTalk refusal fails the node without waiting and without a link in the error', async () => {
		env.emulator.injectFault({ kind: 'errcode', errcode: 400002, path: OTO_SEND });
		const result = await env.run(robot({ userIds: 'manager001', approvalOptions: double }));

		expect(errorOf(result).message).toMatch(/400002/);
		expect(result.run.status).not.toBe('waiting');
		expectNoLinks(result, bodies(OTO_SEND));
	});

	it('refuses an empty Open Conversation ID before sending anything', async () => {
		const result = await env.run(robot({ sendTo: 'group', openConversationId: ' ' }));

		expect(errorOf(result).message).toMatch(/Open Conversation ID is empty/);
		expect(result.run.status).not.toBe('waiting');
		expect(bodies(GROUP_SEND)).toHaveLength(0);
	});

	it('the links work: POST on 同意 resumes with approved: true', async () => {
		const { server } = await answered(robot({ userIds: 'manager001', approvalOptions: double }));
		const approve = link(msgParam(bodies(OTO_SEND)[0]).actionURL1);

		expectPageOnly(await openLink(server, 'GET', approve), '报销审批');
		expect(answerOf(await openLink(server, 'POST', approve))).toEqual({
			approved: true,
			respondedAt: expect.any(String),
		});
	});
});
