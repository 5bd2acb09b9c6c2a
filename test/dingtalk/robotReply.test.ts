/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code: runs under Node and jest, never inside n8n */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { eventFromStream, eventToItem } from '../../nodes/DingTalk/trigger/events';

import {
	robotMessagePayload,
	sessionReplies,
	SESSION_WEBHOOK_LIFETIME_MS,
} from '../emulator/dingtalk';
import { startDingTalk, type DingTalkTestEnv } from './setup';

describe('DingTalk Robot Message: Reply (sessionWebhook)', () => {
	let env: DingTalkTestEnv;

	beforeAll(async () => {
		env = await startDingTalk();
	});

	afterAll(async () => {
		await env.stop();
	});

	beforeEach(() => {
		env.emulator.calls.length = 0;
		sessionReplies(env.emulator.dingtalk).length = 0;
	});

	/** A robot message as the trigger's item carries it (the documented payload). */
	const message = (input: Parameters<typeof robotMessagePayload>[3] = {}, at = Date.now()) =>
		robotMessagePayload(
			env.emulator.dingtalk.app,
			env.emulator.baseUrl,
			at,
			input,
		) as unknown as IDataObject;

	const reply = async (json: IDataObject, parameters: IDataObject) =>
		await env.run({ resource: 'robotMessage', operation: 'reply', ...parameters }, [{ json }]);

	const errorText = (error: unknown) => {
		const e = error as Error & { description?: string };
		return `${e.message}\n${e.description ?? ''}`;
	};

	it('answers a group message in its chat, @mentioning the sender, with no access token', async () => {
		const json = message({ conversationType: '2', senderStaffId: 'dev001', text: '查一下报销' });
		const result = await reply(json, {
			messageType: 'text',
			content: '收到，正在处理',
			atUserIds: '={{ $json.senderStaffId }}',
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toEqual({ sent: true, msgtype: 'text' });
		const [sent] = sessionReplies(env.emulator.dingtalk);
		expect(sent.session.conversationId).toBe(json.conversationId);
		expect(sent.payload).toEqual({
			msgtype: 'text',
			text: { content: '收到，正在处理 @dev001' },
			at: { atMobiles: [], atUserIds: ['dev001'], isAtAll: false },
		});
		const call = env.emulator.callsTo('/robot/sendBySession')[0];
		expect(call.query.access_token).toBeUndefined();
		expect(
			env.emulator.calls.filter((c) => c.path.includes('accessToken') || c.path === '/gettoken'),
		).toHaveLength(0);
	});

	it('markdown, and action cards with one and with several buttons, in the webhook format', async () => {
		const json = message();
		await reply(json, { messageType: 'markdown', title: '结果', text: '## 已完成' });
		await reply(json, {
			messageType: 'actionCard',
			title: '审批',
			text: '请处理',
			buttons: { button: [{ title: '打开', url: 'https://emulator.example/a' }] },
		});
		await reply(json, {
			messageType: 'actionCard',
			title: '审批',
			text: '请选择',
			buttons: {
				button: [
					{ title: '同意', url: 'https://emulator.example/yes' },
					{ title: '拒绝', url: 'https://emulator.example/no' },
				],
			},
		});
		expect(sessionReplies(env.emulator.dingtalk).map((r) => r.payload)).toEqual([
			{ msgtype: 'markdown', markdown: { title: '结果', text: '## 已完成' } },
			{
				msgtype: 'actionCard',
				actionCard: {
					title: '审批',
					text: '请处理',
					singleTitle: '打开',
					singleURL: 'https://emulator.example/a',
				},
			},
			{
				msgtype: 'actionCard',
				actionCard: {
					title: '审批',
					text: '请选择',
					btnOrientation: '0',
					btns: [
						{ title: '同意', actionURL: 'https://emulator.example/yes' },
						{ title: '拒绝', actionURL: 'https://emulator.example/no' },
					],
				},
			},
		]);
	});

	it("an expired sessionWebhook (by the message's expiry) fails at once, bilingual, without the URL", async () => {
		const json = message({}, Date.now() - SESSION_WEBHOOK_LIFETIME_MS - 60_000);
		const result = await reply(json, { messageType: 'text', content: 'late' });
		const text = errorText(result.error);
		expect(text).toMatch(/sessionWebhook of this robot message is no longer valid/);
		expect(text).toContain('sessionWebhook 已失效');
		expect(text).not.toContain(String(json.sessionWebhook));
		expect(text).not.toContain(new URL(String(json.sessionWebhook)).searchParams.get('session'));
		expect(env.emulator.callsTo('/robot/sendBySession')).toHaveLength(0);
	});

	it('when DingTalk says the session is gone (300001): the same clear error, URL never shown', async () => {
		const json = message({}, Date.now() - SESSION_WEBHOOK_LIFETIME_MS - 60_000);
		const result = await reply(json, {
			messageType: 'text',
			content: 'late',
			sessionWebhookExpiredTime: '',
		});
		const text = errorText(result.error);
		expect(text).toMatch(/no longer valid.*DingTalk 300001: session 不存在/);
		expect(text).not.toContain(new URL(String(json.sessionWebhook)).searchParams.get('session'));
		expect(env.emulator.callsTo('/robot/sendBySession')).toHaveLength(1);
		expect(sessionReplies(env.emulator.dingtalk)).toHaveLength(0);
	});

	it('refuses a URL that is not a DingTalk sessionWebhook, without sending and without echoing it', async () => {
		const result = await reply(
			{ sessionWebhook: 'https://evil.example/robot/sendBySession?session=abcdef0123456789' },
			{ messageType: 'text', content: 'hi', sessionWebhookExpiredTime: '' },
		);
		const text = errorText(result.error);
		expect(text).toMatch(/^Session Webhook is not a DingTalk sessionWebhook/);
		expect(text).not.toContain('evil.example');
		expect(text).not.toContain('abcdef0123456789');
		expect(env.emulator.calls).toHaveLength(0);
	});

	it('an empty Session Webhook names the field and the mapping', async () => {
		const result = await reply({}, { messageType: 'text', content: 'hi' });
		expect(result.error?.message).toMatch(/^Session Webhook is empty: map the sessionWebhook/);
	});

	it("the robot-reply example's Reply node answers the item the trigger gives, @mentioning a group's sender", async () => {
		const example = JSON.parse(
			readFileSync(join(__dirname, '../../examples/dingtalk-robot-reply.json'), 'utf8'),
		) as { nodes: Array<{ name: string; parameters: INodeParameters }> };
		const replyNode = example.nodes.find((n) => n.name === 'Reply in the chat')!;
		const payload = message({ conversationType: '2', senderStaffId: 'dev001', text: '几点开会？' });
		const rawData = JSON.stringify(payload);
		const item = eventToItem(
			eventFromStream({
				type: 'CALLBACK',
				topic: '/v1.0/im/bot/messages/get',
				messageId: 'm1',
				data: payload as Record<string, unknown>,
				rawData,
				headers: {},
			}),
		);
		const result = await env.run(replyNode.parameters, [{ json: item }]);
		expect(result.error).toBeUndefined();
		const [sent] = sessionReplies(env.emulator.dingtalk);
		expect(sent.payload).toEqual({
			msgtype: 'text',
			text: { content: '收到：几点开会？ @dev001' },
			at: { atMobiles: [], atUserIds: ['dev001'], isAtAll: false },
		});
	});
});
