/* eslint-disable @typescript-eslint/no-explicit-any, @n8n/community-nodes/no-hardcoded-secrets -- test code: reads the JSON bodies the emulator recorded; emulator-only secrets, and msgKey values are message types, not secrets */
// Send and Wait for Response on the group robots (WeCom 群机器人, DingTalk 自定义机器人), through the real engine:
// the message each robot receives carries the signed links as native buttons (or markdown links), and the node's
// webhook answers them.
import type { INodeParameters } from 'n8n-workflow';
import { WAIT_INDEFINITELY } from 'n8n-workflow';

import { utf8Bytes } from '../../nodes/shared/messageInput';
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
import { startRobots, type RobotNode, type RobotTestEnv } from './setup';

const ask = (parameters: INodeParameters): INodeParameters => ({
	resource: 'message',
	operation: 'sendAndWait',
	title: '报销审批',
	message: '张三 提交了报销 ¥6,800（差旅）',
	...parameters,
});

const CREDENTIAL_TYPE: Record<RobotNode, string> = {
	weComGroupRobot: 'weComGroupRobotApi',
	dingTalkGroupRobot: 'dingTalkRobotApi',
};

let env: RobotTestEnv;
const servers: WebhookServer[] = [];

beforeAll(async () => {
	env = await startRobots({ plugins: ['wecom', 'dingtalk'] });
});

afterAll(async () => {
	await Promise.all(servers.map(async (server) => await server.close()));
	await env.stop();
});

beforeEach(() => {
	env.emulator.calls.length = 0;
	env.emulator.clearFaults();
});

/** Runs the robot node with these parameters and serves its webhook for the execution it left waiting. */
async function answered(
	node: RobotNode,
	credential: { id: string; name: string },
	parameters: INodeParameters,
) {
	const full = ask(parameters);
	const result = await env.run(node, credential, full);
	const server = await waitingWebhook(
		env.harness,
		{
			name: 'Robot',
			type: env.harness.type(node),
			parameters: full,
			credentials: { [CREDENTIAL_TYPE[node]]: credential },
		},
		result,
	);
	servers.push(server);
	return { result, server };
}

describe('WeCom Group Robot: Send and Wait for Response', () => {
	let credential: { id: string; name: string };
	const bodies = () =>
		env.emulator.callsTo('/cgi-bin/webhook/send').map((call) => call.body as any);

	beforeEach(() => {
		// A robot of its own per test: the node paces each robot to 20 messages a minute.
		({ credential } = env.newWeComRobot());
	});

	it('posts a text notice card: the jump list holds Approve and Decline, the card opens a page with both', async () => {
		const result = await env.run(
			'weComGroupRobot',
			credential,
			ask({ approvalOptions: double, options: twoHours }),
			[{ json: { expense: 6800 } }],
		);

		expectWaitingWith(result, [{ expense: 6800 }]);
		const [body] = bodies();
		expect(body).toEqual({
			msgtype: 'template_card',
			template_card: {
				card_type: 'text_notice',
				main_title: { title: '报销审批', desc: expect.stringMatching(DEADLINE) },
				sub_title_text: '张三 提交了报销 ¥6,800（差旅）',
				jump_list: [
					{ type: 1, title: '同意', url: expect.any(String) },
					{ type: 1, title: '拒绝', url: expect.any(String) },
				],
				card_action: { type: 1, url: expect.any(String) },
			},
		});
		const card = body.template_card;
		expectSignedLinks(result, [
			[card.jump_list[0].url, 'true'],
			[card.jump_list[1].url, 'false'],
			[card.card_action.url, undefined],
		]);
		// The robot accepted it (the emulator checks template cards the way WeCom does).
		expect(env.wecom().posts.at(-1)?.msgtype).toBe('template_card');
		expectNoLinks(result, bodies());
	});

	it('Markdown: the title, the message, the deadline and one link per answer', async () => {
		const result = await env.run(
			'weComGroupRobot',
			credential,
			ask({
				messageStyle: 'markdown',
				message: '第一行\\n第二行',
				approvalOptions: double,
				options: twoHours,
			}),
		);

		expectWaitingWith(result, [{}]);
		const [body] = bodies();
		expect(Object.keys(body)).toEqual(['msgtype', 'markdown']);
		expect(body.msgtype).toBe('markdown');
		const content = body.markdown.content as string;
		const match =
			/^### 报销审批\n\n第一行\n第二行\n\n(截止 Due [^\n]+)\n\n\[同意\]\(([^)]+)\) {2}\[拒绝\]\(([^)]+)\)$/.exec(
				content,
			);
		expect(match).not.toBeNull();
		expect(match![1]).toMatch(DEADLINE);
		expectSignedLinks(result, [
			[match![2], 'true'],
			[match![3], 'false'],
		]);
	});

	it('Markdown: Mention User IDs @ the members under the question', async () => {
		await env.run(
			'weComGroupRobot',
			credential,
			ask({ messageStyle: 'markdown', mentionUserIds: 'zhangsan, lisi|zhangsan' }),
		);

		const content = bodies()[0].markdown.content as string;
		expect(content).toMatch(
			/^### 报销审批\n\n张三 提交了报销 ¥6,800（差旅）\n\n\[Approve\]\(http[^)]+\)\n\n<@zhangsan> <@lisi>$/,
		);
	});

	it('Markdown: a long message is shortened so the whole stays within 4,096 bytes, the links intact', async () => {
		const result = await env.run(
			'weComGroupRobot',
			credential,
			ask({
				messageStyle: 'markdown',
				message: `${'很长的说明。'.repeat(400)}结尾`,
				approvalOptions: double,
			}),
		);

		expect(result.error).toBeUndefined();
		const content = bodies()[0].markdown.content as string;
		expect(utf8Bytes(content)).toBeLessThanOrEqual(4096);
		expect(utf8Bytes(content)).toBeGreaterThan(4000);
		expect(content).not.toContain('结尾');
		expect(content).toMatch(
			/^### 报销审批\n\n很长的说明。很长的说明。[^\n]+…\n\n\[同意\]\(http[^)]+\) {2}\[拒绝\]\(http[^)]+\)$/,
		);
	});

	it('Free Text and Custom Form: one link labelled with Message Button Label; Approve Only: one Approve link', async () => {
		await env.run(
			'weComGroupRobot',
			credential,
			ask({ responseType: 'freeText', options: { messageButtonLabel: '填写意见' } }),
		);
		await env.run(
			'weComGroupRobot',
			credential,
			ask({
				responseType: 'customForm',
				formElements: { values: [{ fieldLabel: '意见', fieldType: 'text' }] },
			}),
		);
		const approveOnly = await env.run('weComGroupRobot', credential, ask({}));

		const cards = bodies().map((body) => body.template_card);
		expect(cards.map((card) => card.jump_list.map((j: any) => j.title))).toEqual([
			['填写意见'],
			['Respond'],
			['Approve'],
		]);
		for (const card of cards) {
			expect(card.card_action.url).toBe(card.jump_list[0].url);
			expect(link(card.card_action.url).params.approved).toBe('true');
		}
		expect(approveOnly.run.waitTill).toEqual(WAIT_INDEFINITELY);
		expect(cards[2].main_title).toEqual({ title: '报销审批' });
	});

	it('the links work: GET shows the page and resumes nothing, POST on Decline resumes with approved: false', async () => {
		const { server } = await answered('weComGroupRobot', credential, { approvalOptions: double });
		const card = bodies()[0].template_card;
		const decline = link(card.jump_list[1].url);

		expectPageOnly(await openLink(server, 'GET', decline), '报销审批');
		const answer = answerOf(await openLink(server, 'POST', decline));
		expect(answer).toEqual({ approved: false, respondedAt: expect.any(String) });
		const form = answerOf(
			await openLink(server, 'POST', link(card.card_action.url), { decision: 'approve' }),
		);
		expect(form.approved).toBe(true);
	});

	it('a WeCom refusal fails the node without waiting and without a link in the error', async () => {
		env.emulator.injectFault({ kind: 'errcode', errcode: 40058, path: '/cgi-bin/webhook/send' });
		const result = await env.run('weComGroupRobot', credential, ask({ approvalOptions: double }));

		expect(result.error?.message).toMatch(/40058/);
		expect(result.run.status).not.toBe('waiting');
		expectNoLinks(
			result,
			env.emulator.callsTo('/cgi-bin/webhook/send').map((c) => c.body),
		);
	});

	it('refuses an empty Message before posting anything', async () => {
		const result = await env.run('weComGroupRobot', credential, ask({ message: '  ' }));

		expect(result.error?.message).toMatch(/Message is empty/);
		expect(bodies()).toHaveLength(0);
	});
});

describe('DingTalk Group Robot: Send and Wait for Response', () => {
	const bodies = () => env.emulator.callsTo('/robot/send').map((call) => call.body as any);

	it('posts an action card with 同意 and 拒绝 side by side, each opening its signed link (signed post with 加签)', async () => {
		const { credential } = env.newDingTalkRobot({ secret: 'SEC0123456789abcdef' });
		const result = await env.run(
			'dingTalkGroupRobot',
			credential,
			ask({ message: '第一行\\n第二行', approvalOptions: double, options: twoHours }),
			[{ json: { expense: 6800 } }],
		);

		expectWaitingWith(result, [{ expense: 6800 }]);
		const [body] = bodies();
		expect(body).toEqual({
			msgtype: 'actionCard',
			actionCard: {
				title: '报销审批',
				text: expect.stringMatching(/^### 报销审批\n\n第一行 {2}\n第二行\n\n截止 Due [^\n]+$/),
				btnOrientation: '1',
				btns: [
					{ title: '同意', actionURL: expect.any(String) },
					{ title: '拒绝', actionURL: expect.any(String) },
				],
			},
		});
		expect(body.actionCard.text.split('\n\n')[2]).toMatch(DEADLINE);
		expectSignedLinks(result, [
			[body.actionCard.btns[0].actionURL, 'true'],
			[body.actionCard.btns[1].actionURL, 'false'],
		]);
		expect(env.dingtalk().posts.at(-1)?.msgtype).toBe('actionCard');
		expectNoLinks(result, bodies());
	});

	it('one answer (Approve Only, Free Text, Custom Form): one button for the whole card', async () => {
		const { credential } = env.newDingTalkRobot();
		await env.run(
			'dingTalkGroupRobot',
			credential,
			ask({ approvalOptions: { values: { approveLabel: '知道了' } } }),
		);
		await env.run(
			'dingTalkGroupRobot',
			credential,
			ask({ responseType: 'freeText', options: { messageButtonLabel: '填写意见' } }),
		);
		await env.run(
			'dingTalkGroupRobot',
			credential,
			ask({
				responseType: 'customForm',
				formElements: { values: [{ fieldLabel: '意见', fieldType: 'text' }] },
			}),
		);

		const cards = bodies().map((body) => body.actionCard);
		expect(cards.map((card) => card.singleTitle)).toEqual(['知道了', '填写意见', 'Respond']);
		for (const card of cards) {
			expect(Object.keys(card).sort()).toEqual(['singleTitle', 'singleURL', 'text', 'title']);
			expect(link(card.singleURL).params.approved).toBe('true');
			expect(card.text).toBe('### 报销审批\n\n张三 提交了报销 ¥6,800（差旅）');
		}
	});

	it('the links work: GET shows the page, POST on Approve resumes with approved: true', async () => {
		const { credential } = env.newDingTalkRobot();
		const { server } = await answered('dingTalkGroupRobot', credential, {
			approvalOptions: double,
		});
		const approve = link(bodies()[0].actionCard.btns[0].actionURL);

		expectPageOnly(await openLink(server, 'GET', approve), '报销审批');
		expect(answerOf(await openLink(server, 'POST', approve))).toEqual({
			approved: true,
			respondedAt: expect.any(String),
		});
	});

	it('a robot refusal (keyword missing, 310000) fails the node without waiting and without a link in the error', async () => {
		const { credential } = env.newDingTalkRobot({ keywords: ['告警'] });
		const result = await env.run(
			'dingTalkGroupRobot',
			credential,
			ask({ approvalOptions: double }),
		);

		expect(result.error?.message).toMatch(/310000/);
		expect(result.run.status).not.toBe('waiting');
		expectNoLinks(result, bodies());
	});
});
