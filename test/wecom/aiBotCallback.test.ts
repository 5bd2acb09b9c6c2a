/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs under Node and jest, never inside n8n */
// The WeCom AI Bot Trigger in callback (URL) mode, through n8n-core's engine: the trigger's webhooks served the way
// n8n 2.41 serves them (test/harness/webhook.ts), WeCom played by the AI bot callback sender
// (test/emulator/wecom/aiBotCallback.ts: real signed, encrypted requests with receiveid "", refreshes until
// finish:true), and each execution run for real after the answer (trigger → Start → Agent through WeCom AI Bot
// Streaming → Finish, the Agent's error output → Fail).
import type { INode, INodeExecutionData } from 'n8n-workflow';

import { CallbackCrypto } from '../../nodes/shared/callbackCrypto';
import { resetCallbackStreams } from '../../nodes/WeComAiBot/callback/streams';
import { testAiBotCredentials } from '../../nodes/WeComAiBot/connection/credentialTest';
import {
	aiBotTestEvents,
	recentAiBotCallbacks,
	resetAiBotCallbackCryptos,
	TEST_RUN_NOTE,
	UNKNOWN_STREAM_NOTE,
} from '../../nodes/WeComAiBot/trigger/callback';
import { ApiEmulator } from '../emulator';
import { AIBOT_FILES_PATH } from '../emulator/wecom/aiBotFiles';
import { binaryBytes } from '../harness';
import { showsSecret } from '../harness/secrets';
import { sendCallback } from '../emulator/callbackSender';
import { AiBotCallbackSender, type AiBotConversation } from '../emulator/wecom/aiBotCallback';
import { AIBOT_SEED } from '../emulator/wecom/aiBotServer';
import { waitUntil } from '../dingtalk/stream/support';
import type { RunResult } from '../harness/engine';
import { WebhookServer } from '../harness/webhook';
import { AiBotRig, TRIGGER } from './aiBotSupport';

const ANSWER = '发布计划：周三冻结代码，周四灰度，周五全量。';

// The Agent writes the answer over about a second (3 characters every 120 ms): several refreshes see it grow.

// No WebSocket here: the credential's long-connection URL is never opened in callback mode.
const noEmulator = { baseUrl: 'http://127.0.0.1:9' } as ApiEmulator;

describe('WeCom AI bot (智能机器人) in callback (URL) mode', () => {
	const rig = new AiBotRig(noEmulator, {
		callbackToken: AIBOT_SEED.callbackToken,
		encodingAesKey: AIBOT_SEED.encodingAesKey,
	});
	const servers: WebhookServer[] = [];
	const senders: AiBotCallbackSender[] = [];
	let runs: Array<Promise<RunResult>> = [];

	afterEach(async () => {
		for (const sender of senders.splice(0)) sender.stop();
		await Promise.allSettled(runs);
		runs = [];
		for (const server of servers.splice(0)) await server.close();
		resetCallbackStreams();
		recentAiBotCallbacks.clear();
		aiBotTestEvents.events.clear();
		resetAiBotCallbackCryptos();
	});

	/** The example's shape (trigger → Start → Agent with streaming → Finish / Fail), the trigger in callback mode. */
	function agentWorkflow(agent: Record<string, string | number> = {}) {
		const workflow = rig.agentWorkflow({ answer: ANSWER, chunk: 3, delayMs: 120, ...agent });
		workflow.nodes[0].parameters = {
			connectionMode: 'callback',
			options: { binaryData: true },
		};
		return workflow;
	}

	/** Serves the workflow's trigger; every execution it starts runs the whole workflow right after the answer. */
	async function serve(
		workflow: { nodes: INode[]; connections: object },
		mode: 'webhook' | 'manual' = 'webhook',
		files?: ApiEmulator,
	) {
		const server = await WebhookServer.start(rig.harness, workflow.nodes[0]);
		server.mode = mode;
		server.afterWorkflowData = async (data: INodeExecutionData[][]) => {
			runs.push(
				rig.harness.run(workflow.nodes, workflow.connections as never, TRIGGER, data[0], mode),
			);
		};
		servers.push(server);
		const sender = new AiBotCallbackSender({
			url: server.url('default'),
			token: AIBOT_SEED.callbackToken,
			encodingAesKey: AIBOT_SEED.encodingAesKey,
			botId: AIBOT_SEED.botId,
			refreshIntervalMs: 50,
			files: files?.wecomAiBot.files,
		});
		senders.push(sender);
		return { server, sender };
	}

	async function ended(conversation: AiBotConversation): Promise<AiBotConversation> {
		let timer: NodeJS.Timeout | undefined;
		try {
			await Promise.race([
				conversation.done,
				new Promise((_, reject) => {
					timer = setTimeout(() => reject(new Error('the reply never ended')), 15000);
				}),
			]);
		} finally {
			clearTimeout(timer);
		}
		return conversation;
	}

	it('URL check: the exact plaintext within a second; a wrong signature is refused naming the Token; nothing registered in long-connection mode', async () => {
		const { server } = await serve(agentWorkflow());
		const check = new AiBotCallbackSender({
			url: server.url('setup'),
			token: AIBOT_SEED.callbackToken,
			encodingAesKey: AIBOT_SEED.encodingAesKey,
			botId: AIBOT_SEED.botId,
		});
		const ok = await check.verifyUrl();
		expect(ok).toMatchObject({ passed: true, status: 200 });
		const bad = await check.verifyUrl('signature');
		expect(bad.status).toBe(403);
		expect(bad.body).toMatch(/msg_signature does not match.*Token/);
		expect(bad.body).not.toContain(AIBOT_SEED.callbackToken);
		expect(server.executionsStarted).toBe(0);

		const longConnection = await WebhookServer.start(rig.harness, rig.triggerNode());
		servers.push(longConnection);
		const none = await new AiBotCallbackSender({
			url: longConnection.url('setup'),
			token: AIBOT_SEED.callbackToken,
			encodingAesKey: AIBOT_SEED.encodingAesKey,
			botId: AIBOT_SEED.botId,
		}).verifyUrl();
		expect(none.status).toBe(404);
	});

	it('a message: answered at once with a stream id and the thinking text; refreshes show the answer growing; it ends finish:true with the whole answer', async () => {
		const { server, sender } = await serve(agentWorkflow());
		const conversation = await sender.send({ text: '下周的发布计划是什么？', userid: 'lisi' });
		const first = conversation.answers[0];
		expect(first).toMatchObject({ kind: 'first', status: 200, content: '思考中…', finish: false });
		expect(first.streamId).toMatch(/^[0-9a-f]{24}$/);
		await ended(conversation);
		expect(conversation.finished).toBe(true);
		expect(conversation.shown[0]).toBe('思考中…');
		expect(conversation.shown.at(-1)).toBe(ANSWER);
		// Text that grew while the Agent wrote: more than thinking and the end, each a prefix of the answer.
		const growing = conversation.shown.slice(1, -1);
		expect(growing.length).toBeGreaterThanOrEqual(2);
		for (const partial of growing) expect(ANSWER.startsWith(partial)).toBe(true);
		expect(conversation.answers.filter((a) => a.kind === 'refresh').length).toBeGreaterThan(2);
		expect(sender.violations).toEqual([]);
		expect(server.executionsStarted).toBe(1);
		const run = await runs[0];
		expect(run.error).toBeUndefined();
		const item = run.json(TRIGGER)[0];
		expect(item).toMatchObject({
			chatInput: '下周的发布计划是什么？',
			sessionId: 'wecom:lisi',
			messageId: conversation.msgid,
			chat: { id: 'lisi', type: 'direct' },
			wecomAiBot: { botId: AIBOT_SEED.botId, streamId: first.streamId, msgid: conversation.msgid },
		});
		expect((item.wecomAiBot as object as { reqId?: string }).reqId).toBeUndefined();
		expect(run.json('Finish')[0].aiReply).toMatchObject({
			mode: 'callback',
			streamId: first.streamId,
			status: 'finished',
		});
		const everything = JSON.stringify({ item, answers: conversation.answers });
		expect(everything).not.toContain(AIBOT_SEED.encodingAesKey);
		expect(everything).not.toContain('response');
		// After the end a late refresh gets the final text again.
		const late = await sender.refresh(first.streamId!);
		expect(late).toMatchObject({ content: ANSWER, finish: true });
	});

	it('Include Raw Message keeps the body but never response_url (whoever holds it can answer as the bot)', async () => {
		const workflow = agentWorkflow({ delayMs: 1 });
		workflow.nodes[0].parameters = {
			connectionMode: 'callback',
			options: { binaryData: true, includeRaw: true },
		};
		const { sender } = await serve(workflow);
		await ended(await sender.send({ text: '原文', userid: 'lisi' }));
		const item = (await runs[0]).json(TRIGGER)[0];
		expect(item.raw).toMatchObject({
			msgtype: 'text',
			text: { content: '原文' },
			from: { userid: 'lisi' },
		});
		expect(JSON.stringify(item)).not.toMatch(/response_url|aibot\/response/);
	});

	it("the Agent fails: the Fail node ends the stream with the failure message and the error's text", async () => {
		const { sender } = await serve(agentWorkflow({ failWith: 'model unavailable (503)' }));
		const conversation = await ended(await sender.send({ text: '会失败吗' }));
		const last = conversation.answers.at(-1)!;
		expect(last.finish).toBe(true);
		expect(last.content).toMatch(/抱歉，这次没能完成回答/);
		expect(last.content).toMatch(/model unavailable \(503\)/);
		expect(sender.violations).toEqual([]);
	});

	it('a redelivered msgid starts nothing and gets the same stream as it stands; two messages get two streams', async () => {
		const { server, sender } = await serve(agentWorkflow({ delayMs: 5 }));
		const conversation = await sender.send({ text: '只问一次' });
		await ended(conversation);
		const again = await sender.redeliver(conversation);
		expect(again).toMatchObject({
			status: 200,
			streamId: conversation.streamId,
			content: ANSWER,
			finish: true,
		});
		expect(server.executionsStarted).toBe(1);
		const other = await ended(await sender.send({ text: '另一个问题' }));
		expect(other.streamId).not.toBe(conversation.streamId);
		expect(server.executionsStarted).toBe(2);
	});

	it('pictures and files: downloaded before the answer, decrypted with the EncodingAESKey (per the digest), on the item as binary; a file under another key says to check the EncodingAESKey', async () => {
		// WeCom's file server (the emulator's AI bot file store): the files encrypted with the callback's key.
		const files = await ApiEmulator.start({ plugins: ['wecom'] });
		try {
			const png = Buffer.concat([
				Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'),
				Buffer.alloc(100, 5),
			]);
			const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');
			const { sender } = await serve(agentWorkflow({ delayMs: 1 }), 'webhook', files);
			const mixed = await ended(
				await sender.send({
					text: '这张截图里是什么？',
					attachments: [{ kind: 'image', data: png, fileName: '报错截图.png' }],
				}),
			);
			const file = await ended(
				await sender.send({
					attachments: [{ kind: 'file', data: pdf, fileName: '需求说明 v2.pdf', chunked: true }],
				}),
			);
			// A file encrypted with a key of its own (no aeskey in callback mode): not the EncodingAESKey's.
			const stray = files.wecomAiBot.files.add({ kind: 'file', data: pdf, fileName: 'x.pdf' });
			const body = sender.messageBody({ text: 'x' });
			const strayConversation = await ended(
				await sender.send({
					body: { ...body, msgtype: 'file', text: undefined, file: { url: stray.url } },
				}),
			);
			for (const conversation of [mixed, file, strayConversation]) {
				expect(conversation.answers[0]).toMatchObject({ status: 200, content: '思考中…' });
				expect(conversation.finished).toBe(true);
			}
			expect(sender.violations).toEqual([]);
			const [mixedRun, fileRun, strayRun] = await Promise.all(runs);
			for (const run of [mixedRun, fileRun, strayRun]) expect(run.error).toBeUndefined();

			const mixedItem = mixedRun.output(TRIGGER)[0];
			expect(mixedItem.json).toMatchObject({
				chatInput: '这张截图里是什么？\n[image: 报错截图.png]',
				messageType: 'mixed',
				attachments: [
					{
						kind: 'image',
						fileName: '报错截图.png',
						mimeType: 'image/png',
						size: png.length,
						binaryProperty: 'attachment_0',
						error: null,
					},
				],
			});
			expect(mixedItem.binary?.attachment_0).toMatchObject({
				fileName: '报错截图.png',
				mimeType: 'image/png',
			});
			expect(await binaryBytes(mixedItem.binary!.attachment_0)).toEqual(png);

			const fileItem = fileRun.output(TRIGGER)[0];
			expect(fileItem.json).toMatchObject({
				chatInput: '[file: 需求说明 v2.pdf]',
				attachments: [
					{ kind: 'file', mimeType: 'application/pdf', binaryProperty: 'attachment_0' },
				],
			});
			expect(fileItem.binary?.attachment_0).toMatchObject({ fileName: '需求说明 v2.pdf' });
			expect(await binaryBytes(fileItem.binary!.attachment_0)).toEqual(pdf);

			const strayItem = strayRun.output(TRIGGER)[0];
			expect(strayItem.binary).toBeUndefined();
			expect(strayItem.json.attachments).toEqual([
				expect.objectContaining({
					binaryProperty: null,
					error: expect.stringMatching(
						/^downloaded, but it cannot be decrypted .*EncodingAESKey of the WeCom AI Bot credential.*not confirmed/,
					),
				}),
			]);
			expect(files.wecomAiBot.files.downloads.map((d) => d.status)).toEqual([200, 200, 200]);
			const shown = JSON.stringify({
				items: [mixedItem.json, fileItem.json, strayItem.json],
				answers: [mixed, file, strayConversation].map((c) => c.answers),
			});
			expect(showsSecret(shown, AIBOT_SEED.encodingAesKey)).toBe(false);
			expect(showsSecret(shown, stray.file.id)).toBe(false);
			expect(shown).not.toContain(AIBOT_FILES_PATH);
			expect(shown).not.toContain('sign=');
		} finally {
			await files.stop();
		}
	});

	it('refused: a wrong signature, a tampered body, a callback encrypted for an app (receiveid not empty); none starts anything', async () => {
		const { server, sender } = await serve(agentWorkflow());
		const message = JSON.stringify(sender.messageBody({ text: 'x' }));
		const url = server.url('default');
		const wrongSignature = await sendCallback(url, sender.build(message), { tamper: 'signature' });
		expect(wrongSignature.status).toBe(403);
		expect(wrongSignature.body).toMatch(/msg_signature does not match/);
		const tampered = await sendCallback(url, sender.build(message), { tamper: 'body' });
		expect(tampered.status).toBe(403);
		const forAnApp = await sendCallback(url, sender.build(message, 'ww1234567890abcdef'));
		expect(forAnApp.status).toBe(403);
		expect(forAnApp.body).toMatch(/receiveid is not empty.*AI bot/);
		const noSender = await sendCallback(
			url,
			sender.build(JSON.stringify({ ...sender.messageBody({ text: 'x' }), from: {} })),
		);
		expect(noSender.status).toBe(400);
		expect(noSender.body).toMatch(/no sender \(from\.userid\)/);
		const notJson = await sendCallback(url, {
			method: 'POST',
			query: {},
			body: 'hello',
			contentType: 'text/plain',
		});
		expect(notJson.status).toBe(400);
		expect(server.executionsStarted).toBe(0);
	});

	it('a refresh for a stream this n8n does not have ends it with a short note; an event starts nothing', async () => {
		const { server, sender } = await serve(agentWorkflow());
		const unknown = await sender.refresh('0123456789abcdef01234567');
		expect(unknown).toMatchObject({ status: 200, finish: true, content: UNKNOWN_STREAM_NOTE });
		const event = await sendCallback(
			server.url('default'),
			sender.build(
				JSON.stringify({
					msgid: 'evt-1',
					aibotid: AIBOT_SEED.botId,
					chattype: 'single',
					from: { userid: 'lisi' },
					msgtype: 'event',
					event: { eventtype: 'enter_chat' },
				}),
			),
		);
		expect(event).toMatchObject({ status: 200, body: '' });
		expect(server.executionsStarted).toBe(0);
	});

	it('a reply node where the stream is not (a queue-mode worker, a restarted n8n) fails naming one process', async () => {
		const workflow = agentWorkflow();
		const server = await WebhookServer.start(rig.harness, workflow.nodes[0]);
		servers.push(server);
		const sender = new AiBotCallbackSender({
			url: server.url('default'),
			token: AIBOT_SEED.callbackToken,
			encodingAesKey: AIBOT_SEED.encodingAesKey,
			botId: AIBOT_SEED.botId,
		});
		senders.push(sender);
		let items: INodeExecutionData[] = [];
		server.afterWorkflowData = async (data) => {
			items = data[0];
		};
		await sender.send({ text: '在另一个进程' });
		await waitUntil(() => items.length === 1, 'the trigger item');
		// The worker: the same item, but this process never opened its stream.
		resetCallbackStreams();
		const finish = rig.replyNode('Finish', { operation: 'finish', answer: '答' });
		const run = await rig.harness.run(
			[workflow.nodes[0], finish],
			{ [TRIGGER]: { main: [[{ node: 'Finish', type: 'main', index: 0 }]] } },
			TRIGGER,
			items,
			'webhook',
		);
		expect(run.error?.message).toMatch(/No stream reply .* in this n8n process \(callback mode\)/);
		expect(JSON.stringify(run.error)).toMatch(/regular mode.*queue mode/);
	});

	it('Listen for test event: the Test URL message runs the workflow; WeCom is told at once that the answer shows in the editor', async () => {
		const workflow = agentWorkflow({ delayMs: 5 });
		const { sender } = await serve(workflow, 'manual');
		const conversation = await ended(await sender.send({ text: '测试运行' }));
		expect(conversation.answers).toHaveLength(1);
		expect(conversation.answers[0]).toMatchObject({
			finish: true,
			content: `思考中…\n\n${TEST_RUN_NOTE}`,
		});
		const run = await runs[0];
		expect(run.error).toBeUndefined();
		expect(run.json(TRIGGER)[0]).toMatchObject({ chatInput: '测试运行' });
		expect(run.json('Finish')[0].aiReply).toMatchObject({ status: 'finished' });
		expect(aiBotTestEvents.events.size).toBe(0);
	});

	it('a test run with no test message in this process ends at once with an error that names the trigger and the fix', async () => {
		const workflow = agentWorkflow({ delayMs: 5 });
		const run = await rig.harness.run([workflow.nodes[0]], {}, TRIGGER, [{ json: {} }], 'manual');
		expect(run.error?.message).toBe(
			'No test message reached this WeCom AI Bot Trigger in this n8n process',
		);
		expect(JSON.stringify(run.error)).toMatch(/URL 回调 settings, then write to the bot/);
	});

	it("the credential's Test without a Secret checks Token and EncodingAESKey (callback mode) without showing them", async () => {
		const base = { botId: AIBOT_SEED.botId, secret: '', url: 'ws://127.0.0.1:9' };
		const ok = await testAiBotCredentials({
			...base,
			callbackToken: AIBOT_SEED.callbackToken,
			encodingAesKey: AIBOT_SEED.encodingAesKey,
		});
		expect(ok).toMatchObject({ status: 'OK', message: expect.stringMatching(/Callback mode/) });
		const badKey = await testAiBotCredentials({
			...base,
			callbackToken: AIBOT_SEED.callbackToken,
			encodingAesKey: 'too-short-key',
		});
		expect(badKey).toMatchObject({
			status: 'Error',
			message: expect.stringMatching(/EncodingAESKey.*43/),
		});
		expect(badKey.message).not.toContain('too-short-key');
		const nothing = await testAiBotCredentials(base);
		expect(nothing).toMatchObject({
			status: 'Error',
			message: expect.stringMatching(/Secret.*Token/),
		});
	});

	it("the answers are what WeCom's JSON library reads: signed over the encrypt, timestamp a string, receiveid empty", async () => {
		const { sender } = await serve(agentWorkflow({ delayMs: 1 }));
		const conversation = await ended(await sender.send({ text: '签名' }));
		const envelope = JSON.parse(conversation.answers[0].body) as Record<string, string>;
		expect(Object.keys(envelope).sort()).toEqual(['encrypt', 'msgsignature', 'nonce', 'timestamp']);
		expect(typeof envelope.timestamp).toBe('string');
		const crypto = new CallbackCrypto({
			platform: 'wecom',
			token: AIBOT_SEED.callbackToken,
			encodingAesKey: AIBOT_SEED.encodingAesKey,
		});
		expect(crypto.decrypt(envelope.encrypt).receiverId).toBe('');
	});
});
