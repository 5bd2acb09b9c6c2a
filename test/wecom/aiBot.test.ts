/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code: emulator-only values, never inside n8n */
// The WeCom AI bot channel over real WebSocket frames against the emulator's long-connection server, through n8n-core's
// engine: the credential Test (subscribe, 853000), the trigger published (ActiveWorkflowTriggers) and listening for a
// test event (TriggersAndPollers), the item in the Chat Trigger's shape, msgid redeliveries, the stream reply (thinking
// at once, throttled updates each after the previous acknowledgement, finish, failure, 20,480 bytes), a takeover by a
// second connection (not fought), a dropped socket, and the reply where no connection is held (queue-mode workers).
import type {
	IDataObject,
	IExecuteResponsePromiseData,
	INode,
	INodeParameters,
	IRun,
} from 'n8n-workflow';

import { testAiBotCredentials } from '../../nodes/WeComAiBot/connection/credentialTest';
import { heldConnection } from '../../nodes/WeComAiBot/connection/registry';
import { globalWebSocket } from '../../nodes/shared/longConnection/socket';
import { relayedReplyOf, relayResponse } from '../../nodes/WeComAiBot/reply/relay';
import { sessionFor } from '../../nodes/WeComAiBot/reply/session';
import { setAiBotTestHooks } from '../../nodes/WeComAiBot/trigger/connection';
import { ApiEmulator } from '../emulator';
import { AIBOT_SEED, type AiBotMessageRecord } from '../emulator/wecom/aiBotServer';
import { pause, waitUntil } from '../dingtalk/stream/support';
import { captureLogs } from '../dingtalk/triggerSupport';
import { AIBOT_FILES_PATH } from '../emulator/wecom/aiBotFiles';
import { binaryBytes, ensureBinaryDataService } from '../harness';
import { showsSecret } from '../harness/secrets';
import { describeWithWebSocket } from '../support/webSocket';
import {
	AiBotRig,
	aiBotUrl,
	TRIGGER,
	useAiBotTestTimings,
	type AiBotEmitted,
} from './aiBotSupport';

describeWithWebSocket('WeCom AI bot (智能机器人) over the long connection', () => {
	let emulator: ApiEmulator;
	let rig: AiBotRig;

	beforeAll(async () => {
		useAiBotTestTimings();
		await ensureBinaryDataService();
		emulator = await ApiEmulator.start({ plugins: ['wecom'], aiBot: { ackDelayMs: 20 } });
		rig = new AiBotRig(emulator);
	});

	afterEach(async () => {
		await rig.stopAll();
		emulator.wecomAiBot.reset();
	});

	afterAll(async () => {
		setAiBotTestHooks({});
		await emulator?.stop();
	});

	const server = () => emulator.wecomAiBot;

	function startNode() {
		return rig.replyNode('Thinking', { operation: 'start', thinkingText: '思考中…' });
	}

	function finishNode(answer = '={{ "答：" + $json.chatInput }}') {
		return rig.replyNode('Finish', { operation: 'finish', answer });
	}

	async function publishWorkflow(after: INode[], parameters: INodeParameters = {}) {
		const { nodes, connections } = rig.chain(rig.triggerNode(parameters), after);
		const { emitted, workflowId } = await rig.activate(nodes, connections);
		await waitUntil(() => server().subscribed() !== undefined, 'the bot subscribed');
		return { emitted, workflowId };
	}

	async function finished(record: AiBotMessageRecord) {
		await waitUntil(
			() =>
				server()
					.repliesTo(record.reqId)
					.some((r) => r.finish),
			`the reply to "${record.text}" to finish`,
		);
		return server().repliesTo(record.reqId);
	}

	async function executionsDone(emitted: AiBotEmitted, count: number) {
		await waitUntil(
			() => emitted.executions.filter((e) => e.status !== 'running').length >= count,
			`${count} finished execution(s)`,
		);
	}

	it('credential Test: subscribes and reads the answer; a wrong secret is 853000 naming the fields, without the secret', async () => {
		const url = aiBotUrl(emulator);
		const ok = await testAiBotCredentials({
			botId: AIBOT_SEED.botId,
			secret: AIBOT_SEED.secret,
			url,
		});
		expect(ok).toEqual({
			status: 'OK',
			message: expect.stringMatching(/accepted the Bot ID and Secret/),
		});
		const wrong = 'definitely-not-the-secret';
		const bad = await testAiBotCredentials({ botId: AIBOT_SEED.botId, secret: wrong, url });
		expect(bad.status).toBe('Error');
		expect(bad.message).toMatch(/Bot ID or Secret is wrong \(853000/);
		expect(bad.message).not.toContain(wrong);
		expect(server().subscriptions.map((s) => s.errcode)).toEqual([0, 853000]);
		const nowhere = await testAiBotCredentials({
			botId: AIBOT_SEED.botId,
			secret: AIBOT_SEED.secret,
			url: url.replace('/wecom-aibot', '/nothing-here'),
		});
		expect(nowhere.status).toBe('Error');
		expect(nowhere.message).toMatch(/WebSocket URL/);
	});

	it('credential Test while a published trigger holds the bot: answered from that connection, no second subscription', async () => {
		await publishWorkflow([]);
		const before = server().subscriptions.length;
		const url = aiBotUrl(emulator);
		const ok = await testAiBotCredentials({
			botId: AIBOT_SEED.botId,
			secret: AIBOT_SEED.secret,
			url,
		});
		expect(ok.status).toBe('OK');
		const other = await testAiBotCredentials({ botId: AIBOT_SEED.botId, secret: 'another', url });
		expect(other.status).toBe('Error');
		expect(other.message).toMatch(/take the bot over/);
		expect(server().subscriptions.length).toBe(before);
		expect(server().subscribed()).toBeDefined();
	});

	it('published: a direct message → one item in the Chat Trigger shape; thinking within a second, then the answer with finish:true', async () => {
		const { emitted } = await publishWorkflow([startNode(), finishNode()]);
		const publishedAt = Date.now();
		const record = server().publish({ text: '下周的发布计划是什么？', userid: 'lisi' });
		const replies = await finished(record);
		expect(replies[0]).toMatchObject({ content: '思考中…', finish: false, errcode: 0 });
		expect(replies[0].at - publishedAt).toBeLessThan(1000);
		expect(replies.at(-1)).toMatchObject({
			content: '答：下周的发布计划是什么？',
			finish: true,
			errcode: 0,
		});
		expect(new Set(replies.map((r) => r.streamId)).size).toBe(1);
		expect(server().violations).toEqual([]);
		const item = emitted.items[0];
		expect(item).toMatchObject({
			chatInput: '下周的发布计划是什么？',
			sessionId: 'wecom:lisi',
			platform: 'wecom',
			messageId: record.msgid,
			messageType: 'text',
			chat: { id: 'lisi', type: 'direct', title: null },
			sender: { id: 'lisi', name: null },
			mentions: [],
			quote: null,
			attachments: [],
			wecomAiBot: {
				botId: AIBOT_SEED.botId,
				reqId: record.reqId,
				msgid: record.msgid,
				chatType: 'single',
			},
		});
		expect(JSON.stringify(item)).not.toContain(AIBOT_SEED.secret);
		await executionsDone(emitted, 1);
		expect(emitted.executions[0].status).toBe('success');
		expect(emitted.keys[0]).toMatch(/^n8n-nodes-wecom-dingtalk:v1:/);
	});

	it('group messages: sessionId per member when chosen, the leading @mention removed, a quote kept, a picture whose download fails listed with the reason', async () => {
		const { emitted } = await publishWorkflow([], { sessionScope: 'member' });
		server().publish({
			text: '@AI助手 那测试呢？',
			chattype: 'group',
			chatid: 'wrkGroup1',
			userid: 'wangwu',
		});
		server().publish({
			chattype: 'group',
			userid: 'wangwu',
			body: {
				msgid: 'mixed-1',
				aibotid: AIBOT_SEED.botId,
				chatid: 'wrkGroup1',
				chattype: 'group',
				from: { userid: 'wangwu' },
				msgtype: 'mixed',
				mixed: {
					msg_item: [
						{ msgtype: 'text', text: { content: '@AI助手 看看这张图' } },
						{
							msgtype: 'image',
							image: { url: 'http://127.0.0.1:9/x', aeskey: 'a-key-never-shown' },
						},
					],
				},
				quote: { msgtype: 'text', text: { content: '上一条' } },
			},
		});
		await waitUntil(() => emitted.items.length === 2, 'two items');
		expect(emitted.items[0]).toMatchObject({
			chatInput: '那测试呢？',
			sessionId: 'wecom:wrkGroup1:wangwu',
			chat: { id: 'wrkGroup1', type: 'group' },
		});
		const mixed = emitted.items[1];
		expect(mixed.chatInput).toBe('看看这张图\n[image]');
		expect(mixed.quote).toMatchObject({ text: '上一条' });
		expect(mixed.attachments).toEqual([
			expect.objectContaining({
				kind: 'image',
				binaryProperty: null,
				error: expect.stringMatching(/^download failed \(ECONNREFUSED\)/),
			}),
		]);
		expect(emitted.binaries[1]).toBeUndefined();
		expect(JSON.stringify(emitted.items)).not.toMatch(/a-key-never-shown|127\.0\.0\.1:9/);
	});

	// Bytes n8n recognises: a PNG, a JPEG and an MP4 by their headers, a PDF by its name.
	const PNG = Buffer.concat([
		Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'),
		Buffer.alloc(200, 7),
	]);
	const JPEG = Buffer.concat([
		Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'),
		Buffer.alloc(300, 9),
		Buffer.from('ffd9', 'hex'),
	]);
	const MP4 = Buffer.concat([
		Buffer.from('000000186674797069736f6d0000020069736f6d6d703431', 'hex'),
		Buffer.alloc(500, 3),
	]);
	const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

	it('pictures, files and videos: downloaded, decrypted with their aeskey, on the item as binary attachment_<n> named as WeCom names them; nothing secret on the item or in the logs', async () => {
		const logs = captureLogs();
		try {
			const { emitted } = await publishWorkflow([startNode(), finishNode()]);
			const file = server().publish({
				attachments: [{ kind: 'file', data: PDF, fileName: '2025年第三季度报告.pdf' }],
			});
			const mixed = server().publish({
				text: '看看这两张图',
				attachments: [
					{ kind: 'image', data: PNG, fileName: '截图 1.png' },
					{ kind: 'image', data: JPEG, chunked: true },
				],
			});
			const video = server().publish({
				attachments: [{ kind: 'video', data: MP4, fileName: '演示.mp4' }],
			});

			for (const record of [file, mixed, video]) await finished(record);
			await executionsDone(emitted, 3);
			expect(emitted.executions.map((e) => e.status)).toEqual(['success', 'success', 'success']);

			// Messages are handled side by side: their items come in the order their downloads ended.
			const at = (record: AiBotMessageRecord) =>
				emitted.items.findIndex((item) => item.messageId === record.msgid);
			const [fileItem, mixedItem, videoItem] = [file, mixed, video].map(
				(record) => emitted.items[at(record)],
			);
			expect(fileItem).toMatchObject({
				messageType: 'file',
				chatInput: '[file: 2025年第三季度报告.pdf]',
				attachments: [
					{
						kind: 'file',
						fileName: '2025年第三季度报告.pdf',
						mimeType: 'application/pdf',
						size: PDF.length,
						binaryProperty: 'attachment_0',
						error: null,
					},
				],
			});
			const fileBinary = emitted.binaries[at(file)]!.attachment_0;
			expect(fileBinary).toMatchObject({
				fileName: '2025年第三季度报告.pdf',
				mimeType: 'application/pdf',
			});
			expect(await binaryBytes(fileBinary)).toEqual(PDF);

			expect(mixedItem.chatInput).toBe('看看这两张图\n[image: 截图 1.png]\n[image: image-2.jpg]');
			expect(mixedItem.attachments).toEqual([
				expect.objectContaining({
					kind: 'image',
					fileName: '截图 1.png',
					mimeType: 'image/png',
					binaryProperty: 'attachment_0',
					error: null,
				}),
				expect.objectContaining({
					kind: 'image',
					fileName: 'image-2.jpg',
					mimeType: 'image/jpeg',
					size: JPEG.length,
					binaryProperty: 'attachment_1',
					error: null,
				}),
			]);
			const pictures = emitted.binaries[at(mixed)]!;
			expect(Object.keys(pictures)).toEqual(['attachment_0', 'attachment_1']);
			expect(pictures.attachment_0).toMatchObject({
				fileName: '截图 1.png',
				mimeType: 'image/png',
			});
			expect(pictures.attachment_1).toMatchObject({
				fileName: 'image-2.jpg',
				mimeType: 'image/jpeg',
			});
			expect(await binaryBytes(pictures.attachment_0)).toEqual(PNG);
			expect(await binaryBytes(pictures.attachment_1)).toEqual(JPEG);

			expect(videoItem).toMatchObject({
				chatInput: '[video: 演示.mp4]',
				attachments: [{ kind: 'video', mimeType: 'video/mp4', binaryProperty: 'attachment_0' }],
			});
			expect(await binaryBytes(emitted.binaries[at(video)]!.attachment_0)).toEqual(MP4);
			// The answer read chatInput: the file's name reached the reply.
			expect((await finished(file)).at(-1)?.content).toBe('答：[file: 2025年第三季度报告.pdf]');
			expect(server().files.downloads.map((d) => d.status)).toEqual([200, 200, 200, 200]);

			// Neither the URLs (their path, their sign=) nor the aeskeys reach the item, its binary data or a log line.
			const aeskeys = [file, mixed, video].flatMap((record) =>
				JSON.stringify(record.body)
					.match(/"aeskey":"([^"]+)"/g)!
					.map((m) => m.slice(10, -1)),
			);
			expect(aeskeys).toHaveLength(4);
			const shown = [
				JSON.stringify(emitted.items),
				JSON.stringify(emitted.binaries),
				logs.lines.map((l) => l.message).join('\n'),
			].join('\n');
			for (const key of aeskeys) expect(showsSecret(shown, key)).toBe(false);
			expect(shown).not.toContain(AIBOT_FILES_PATH);
			expect(shown).not.toContain('sign=');
			expect(shown).not.toContain(AIBOT_SEED.secret);
		} finally {
			logs.restore();
		}
	});

	it('a failed download never loses the message: an expired link, over Max Attachment Size (declared or not), a wrong key each say what happened and what to do', async () => {
		const { emitted } = await publishWorkflow([startNode(), finishNode()], {
			options: { maxAttachmentSize: 1 },
		});
		const big = Buffer.alloc(1024 * 1024 + 100, 1);
		server().files.lifetimeMs = 0;
		const expired = server().publish({
			attachments: [{ kind: 'file', data: PDF, fileName: '过期.pdf' }],
		});
		await waitUntil(() => emitted.items.length === 1, 'the expired one');
		server().files.lifetimeMs = 5 * 60_000;
		const declared = server().publish({
			attachments: [{ kind: 'file', data: big, fileName: '大文件.bin' }],
		});
		await waitUntil(() => emitted.items.length === 2, 'the large one');
		const chunked = server().publish({
			attachments: [{ kind: 'file', data: big, fileName: '大文件2.bin', chunked: true }],
		});
		await waitUntil(() => emitted.items.length === 3, 'the large chunked one');
		// The URL of one file with the aeskey of another.
		const one = server().files.add({ kind: 'image', data: PNG });
		const other = server().files.add({ kind: 'image', data: PNG });
		const wrongKey = server().publish({
			body: {
				msgid: 'wrong-key-1',
				aibotid: AIBOT_SEED.botId,
				chattype: 'single',
				from: { userid: 'zhangsan' },
				msgtype: 'image',
				image: { url: one.url, aeskey: other.aeskey },
			},
		});
		for (const record of [expired, declared, chunked, wrongKey]) await finished(record);
		await executionsDone(emitted, 4);
		expect(emitted.executions.map((e) => e.status)).toEqual([
			'success',
			'success',
			'success',
			'success',
		]);
		expect(emitted.binaries).toEqual([undefined, undefined, undefined, undefined]);
		const [a, b, c, d] = emitted.items.map((item) => (item.attachments as IDataObject[])[0]);
		expect(a).toMatchObject({ binaryProperty: null, fileName: null });
		expect(a.error).toMatch(
			/^download failed: WeCom answered HTTP 403; .*5 minutes.*send it again/,
		);
		expect(emitted.items[0].chatInput).toBe('[file]');
		expect(b).toMatchObject({ binaryProperty: null, size: expect.any(Number) });
		expect(b.size as number).toBeGreaterThan(1024 * 1024);
		expect(b.error).toBe(
			'larger than 1 MB: not downloaded (raise Max Attachment Size (MB), up to 100)',
		);
		expect(c).toMatchObject({ binaryProperty: null });
		expect(c.error).toBe(b.error);
		expect(d).toMatchObject({ binaryProperty: null });
		expect(d.error).toMatch(/^downloaded, but it cannot be decrypted with the key WeCom sent/);
		expect(server().files.downloads.map((x) => x.status)).toEqual([403, 200, 200, 200]);
		expect(JSON.stringify(emitted.items)).not.toMatch(/sign=|wecom-aibot-files/);
		expect(showsSecret(JSON.stringify(emitted.items), other.aeskey!)).toBe(false);
	});

	it('Download Attachments off: the attachments are listed, nothing is fetched', async () => {
		const { emitted } = await publishWorkflow([], { downloadAttachments: false });
		server().publish({
			text: '图',
			attachments: [{ kind: 'image', data: PNG, fileName: 'a.png' }],
		});
		await waitUntil(() => emitted.items.length === 1, 'the item');
		expect(emitted.items[0]).toMatchObject({
			chatInput: '图\n[image]',
			attachments: [
				{
					kind: 'image',
					fileName: null,
					binaryProperty: null,
					error: 'not downloaded (Download Attachments is off)',
				},
			],
		});
		expect(emitted.binaries[0]).toBeUndefined();
		expect(server().files.downloads).toEqual([]);
	});

	it('a redelivered msgid (same connection, or after a reconnect) starts nothing', async () => {
		const { emitted, workflowId } = await publishWorkflow([startNode(), finishNode()]);
		const record = server().publish({ text: '只问一次' });
		await finished(record);
		server().redeliver(record.msgid);
		server().drop();
		await waitUntil(
			() =>
				server().subscriptions.filter((s) => s.errcode === 0).length === 2 &&
				server().subscribed() !== undefined,
			'the trigger to subscribe again',
		);
		server().redeliver(record.msgid);
		await pause(500);
		expect(emitted.items).toHaveLength(1);
		await executionsDone(emitted, 1);
		expect(emitted.executions).toHaveLength(1);
		// Messages after the reconnect are answered on the new connection.
		const after = server().publish({ text: '重连之后' });
		expect((await finished(after)).at(-1)).toMatchObject({ content: '答：重连之后', finish: true });
		// Every reply finished, redeliveries owe none: unpublishing closes the connection at once.
		server().redeliver(after.msgid);
		await pause(200);
		await rig.deactivate(workflowId);
		await waitUntil(
			() => heldConnection(AIBOT_SEED.botId) === undefined,
			'the connection to close',
			1500,
		);
		await waitUntil(
			() => server().subscribed() === undefined,
			'the socket to end at the server',
			1500,
		);
	});

	it('updates: throttled latest-wins, in order, each sent after the previous acknowledgement, the whole text each time', async () => {
		const { emitted } = await publishWorkflow([startNode()]);
		// The run stays open while the test writes the reply (a run that ended leaves the trigger to end its reply).
		let release!: () => void;
		const held = new Promise<void>((resolve) => (release = resolve));
		emitted.hold = () => held;
		const record = server().publish({ text: '写长一点' });
		await waitUntil(
			() => server().repliesTo(record.reqId).length >= 1 && emitted.executions.length === 1,
			'the thinking frame and the run',
		);
		const session = sessionFor({
			botId: AIBOT_SEED.botId,
			reqId: record.reqId,
			msgid: record.msgid,
		});
		session.intervalMs = 100;
		const started = Date.now();
		let text = '';
		for (let i = 0; i < 60; i++) {
			text += `字${i}`;
			session.offer(text);
			await pause(10);
		}
		await session.settle();
		await session.finish(`${text}。`);
		const replies = server().repliesTo(record.reqId);
		const updates = replies.slice(1, -1);
		expect(updates.length).toBeGreaterThanOrEqual(2);
		expect(updates.length).toBeLessThan(30);
		// At most one update per interval: counted over the whole time (arrival gaps between two frames depend on the
		// machine's load; the throttle's own spacing is checked on its clock in test/shared/replyThrottle.test.ts).
		expect(updates.length).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 100) + 2);
		expect(updates.at(-1)!.content).toBe(text);
		for (let i = 1; i < updates.length; i++) {
			expect(updates[i].content.startsWith(updates[i - 1].content)).toBe(true);
		}
		expect(replies.at(-1)).toMatchObject({ content: `${text}。`, finish: true, errcode: 0 });
		expect(replies.every((r) => r.errcode === 0)).toBe(true);
		expect(server().violations).toEqual([]);
		expect(session.summary()).toMatchObject({ status: 'finished', superseded: expect.any(Number) });
		expect(session.stats.superseded).toBeGreaterThan(0);
		release();
		await executionsDone(emitted, 1);
		// The reply the run's Start began is the one the test ended: the trigger adds nothing after it.
		await pause(300);
		expect(server().repliesTo(record.reqId).at(-1)).toMatchObject({ content: `${text}。` });
	});

	it('an AI Agent through WeCom AI Bot Streaming: tokens reach the reply while the model writes; Finish ends it with the whole answer', async () => {
		const answer = '这是一个逐字写出的回答，用来确认流式回复在模型写作时就已经出现在企业微信里。';
		const { nodes, connections } = rig.agentWorkflow(
			{ answer, chunk: 2, delayMs: 40 },
			{ intervalMs: 100 },
		);
		const { emitted } = await rig.activate(nodes, connections);
		await waitUntil(() => server().subscribed() !== undefined, 'the bot subscribed');
		const record = server().publish({ text: '写一个回答' });
		const replies = await finished(record);
		await executionsDone(emitted, 1);
		expect(emitted.executions[0].status).toBe('success');
		const finish = replies.at(-1)!;
		expect(finish).toMatchObject({ content: answer, finish: true, errcode: 0 });
		const updates = replies.slice(1, -1);
		// Tokens every 40 ms over ~1.3 s, updates at most every 100 ms: several, each a longer prefix of the answer.
		expect(updates.length).toBeGreaterThanOrEqual(3);
		for (const update of updates) expect(answer.startsWith(update.content)).toBe(true);
		expect(updates[0].at).toBeLessThan(finish.at - 500);
		expect(server().violations).toEqual([]);
	});

	it("the Agent failing half-way: its error output's Fail ends the reply with what was shown and the failure", async () => {
		const answer = '前半句已经出现了，后半句不会来了。';
		const { nodes, connections } = rig.agentWorkflow({
			answer,
			chunk: 2,
			delayMs: 30,
			failWith: 'model exploded',
		});
		await rig.activate(nodes, connections);
		await waitUntil(() => server().subscribed() !== undefined, 'the bot subscribed');
		const record = server().publish({ text: '会失败吗' });
		const last = (await finished(record)).at(-1)!;
		expect(last.finish).toBe(true);
		expect(last.content).toMatch(/^前半句/);
		expect(last.content).toMatch(/> 抱歉，这次没能完成回答，请稍后再试。 \(model exploded\)$/);
	});

	it('an error workflow closes the replies a failed execution left open (Fail, Replies Left Open by an Execution)', async () => {
		// The Agent fails with no error output: the execution fails after Start showed "thinking".
		const { nodes, connections } = rig.agentWorkflow({
			answer: '一半',
			chunk: 1,
			delayMs: 20,
			failWith: 'boom',
		});
		const agent = nodes.find((n) => n.name === 'Agent')!;
		delete agent.onError;
		const { emitted } = await rig.activate(nodes, connections);
		await waitUntil(() => server().subscribed() !== undefined, 'the bot subscribed');
		const record = server().publish({ text: '会半途失败' });
		await executionsDone(emitted, 1);
		expect(emitted.executions[0].status).toBe('error');
		expect(
			server()
				.repliesTo(record.reqId)
				.some((r) => r.finish),
		).toBe(false);
		// What n8n's Error Trigger gives the error workflow: the failed execution's id and its error.
		const fail = rig.replyNode('Close open replies', {
			operation: 'fail',
			replyTo: 'execution',
			executionId: '={{ $json.execution.id }}',
			message: '抱歉，出错了。',
		});
		const result = await rig.harness.run([fail], {}, fail.name, [
			{ json: { execution: { id: emitted.executions[0].id, error: { message: 'boom' } } } },
		]);
		expect(result.run.status).toBe('success');
		expect(result.json(fail.name)[0]).toMatchObject({ closed: 1 });
		const last = server().repliesTo(record.reqId).at(-1)!;
		expect(last).toMatchObject({ finish: true, errcode: 0 });
		expect(last.content).toMatch(/> 抱歉，出错了。 \(boom\)$/);
	});

	it('Fail ends the reply with the message after what was shown; content over 20,480 bytes is cut, not refused', async () => {
		const fail = rig.replyNode('Fail', {
			operation: 'fail',
			message: '抱歉，这次没能完成回答。',
			options: { appendError: false },
		});
		await publishWorkflow([startNode(), fail]);
		const record = server().publish({ text: '会失败' });
		const replies = await finished(record);
		expect(replies.at(-1)).toMatchObject({
			content: '抱歉，这次没能完成回答。',
			finish: true,
			errcode: 0,
		});
		await rig.stopAll();
		server().reset();
		await publishWorkflow([startNode(), finishNode(`={{ "长".repeat(8000) }}`)]);
		const long = server().publish({ text: '很长' });
		const last = (await finished(long)).at(-1)!;
		expect(last.errcode).toBe(0);
		expect(Buffer.byteLength(last.content, 'utf8')).toBeLessThanOrEqual(20_480);
		expect(last.content).toMatch(/truncated/);
	});

	it('another connection subscribing to the bot: disconnected_event → a clear failure and log line, and the trigger does not take the bot back', async () => {
		const logs = captureLogs();
		try {
			const { emitted } = await publishWorkflow([]);
			const Socket = globalWebSocket()!;
			const other = new Socket(aiBotUrl(emulator));
			await new Promise((resolve) => other.addEventListener('open', resolve));
			other.send(
				JSON.stringify({
					cmd: 'aibot_subscribe',
					headers: { req_id: 'other-1' },
					body: { bot_id: AIBOT_SEED.botId, secret: AIBOT_SEED.secret },
				}),
			);
			await waitUntil(() => emitted.failed.length === 1, 'the takeover recorded as a failure');
			expect(emitted.failed[0].message).toMatch(/disconnected_event/);
			expect(emitted.failed[0].message).toMatch(/does not reconnect/);
			expect(emitted.errors).toEqual([]);
			await pause(2500);
			expect(server().subscriptions.filter((s) => s.errcode === 0)).toHaveLength(2);
			expect(server().subscribed()?.id).not.toBe(server().connections()[0].id);
			expect(
				logs.lines.filter(
					(l) => l.level === 'warn' && /took bot .* over \(disconnected_event\)/.test(l.message),
				),
			).toHaveLength(1);
			expect(logs.lines.map((l) => l.message).join('\n')).not.toContain(AIBOT_SEED.secret);
			other.close();
		} finally {
			logs.restore();
		}
	});

	it('a second workflow on the same bot in this process is refused at publishing, naming the holder', async () => {
		await publishWorkflow([]);
		const { nodes } = rig.chain(rig.triggerNode(), []);
		await expect(rig.activate(nodes)).rejects.toThrow(/already connected in this n8n by workflow/);
		expect(server().subscriptions).toHaveLength(1);
	});

	it('a wrong secret at publishing fails with 853000 naming Bot ID and Secret, without the secret', async () => {
		const badRig = new AiBotRig(emulator, { secret: 'wrong-secret-123' });
		const { nodes } = badRig.chain(badRig.triggerNode(), []);
		const error = await badRig.activate(nodes).then(
			() => undefined,
			(e: Error) => e,
		);
		expect(error?.message).toMatch(/853000/);
		expect(error?.message).toMatch(/Bot ID or Secret/);
		expect(error?.message).not.toContain('wrong-secret-123');
		expect(heldConnection(AIBOT_SEED.botId)).toBeUndefined();
	});

	it('Listen for test event: the manual run takes the first message, and its reply nodes still answer through the connection after n8n closed the trigger; then it closes', async () => {
		const { nodes, connections } = rig.chain(rig.triggerNode(), [startNode(), finishNode()]);
		// n8n 2.41 runs the trigger node inside the manual execution and calls its closeFunction as soon as the trigger
		// has given its item (n8n-core WorkflowExecute), before the nodes after it run.
		const running = rig.harness.run(nodes, connections, TRIGGER, [{ json: {} }], 'manual');
		await waitUntil(() => server().subscribed() !== undefined, 'the test listener subscribed');
		const record = server().publish({ text: '测试一下' });
		const result = await running;
		expect(result.run.status).toBe('success');
		expect(result.json(TRIGGER)).toEqual([
			expect.objectContaining({
				chatInput: '测试一下',
				wecomAiBot: expect.objectContaining({ reqId: record.reqId }),
			}),
		]);
		const replies = server().repliesTo(record.reqId);
		expect(replies.map((r) => [r.content, r.finish, r.errcode])).toEqual([
			['思考中…', false, 0],
			['答：测试一下', true, 0],
		]);
		await waitUntil(
			() => heldConnection(AIBOT_SEED.botId) === undefined,
			'the connection to close',
		);
		await waitUntil(() => server().subscribed() === undefined, 'the socket to end at the server');
		// A second message after the test run starts nothing and gets no reply.
		expect(() => server().publish({ text: '之后' })).toThrow(/no subscribed/);
	});

	it('Listen for test event while the bot is published in this n8n: refused with the holder named, the published connection untouched', async () => {
		await publishWorkflow([]);
		const { nodes, connections } = rig.chain(rig.triggerNode(), [finishNode()]);
		const result = await rig.harness.run(nodes, connections, TRIGGER, [{ json: {} }], 'manual');
		expect(result.run.status).toBe('error');
		expect(result.run.data.resultData.error?.message).toMatch(
			/already connected in this n8n by workflow/,
		);
		expect(server().subscriptions).toHaveLength(1);
		expect(server().subscribed()).toBeDefined();
	});

	it('a run that ends without Finish: the trigger ends the reply it showed with the No Answer Text', async () => {
		await publishWorkflow([startNode()], { options: { noAnswerText: '没有回答。' } });
		const record = server().publish({ text: '不回答' });
		const replies = await finished(record);
		expect(replies.map((r) => [r.content, r.finish])).toEqual([
			['思考中…', false],
			['没有回答。', true],
		]);
		expect(server().violations).toEqual([]);
	});

	describe('queue mode: the run on a worker hands its reply back to the trigger on main', () => {
		const message = (reqId: string) => ({
			chatInput: '队列模式',
			wecomAiBot: { botId: AIBOT_SEED.botId, reqId, msgid: `m-${reqId}`, replyViaTrigger: true },
		});

		/** The worker: no connection in this process; what sendResponse() gives n8n to relay to main. */
		async function onWorker(after: INode[], reqId: string) {
			const relayed: IExecuteResponsePromiseData[] = [];
			const { nodes, connections } = rig.chain(after[0], after.slice(1));
			const result = await rig.harness.run(
				nodes,
				connections,
				nodes[0].name,
				[{ json: message(reqId) }],
				'trigger',
				(hooks) => hooks.addHandler('sendResponse', (response) => void relayed.push(response)),
			);
			return { result, relayed };
		}

		it('on the worker: Start and updates send nothing, Finish hands the answer to n8n once; nothing reaches WeCom from there', async () => {
			const update = rig.replyNode('Update', { operation: 'update', content: '一半' });
			const { result, relayed } = await onWorker(
				[startNode(), update, finishNode('最终回答')],
				'req-worker',
			);
			expect(result.error).toBeUndefined();
			expect(relayed).toEqual([
				relayResponse({
					botId: AIBOT_SEED.botId,
					reqId: 'req-worker',
					msgid: 'm-req-worker',
					status: 'finished',
					content: '最终回答',
				}),
			]);
			expect(result.json('Finish')[0].aiReply).toMatchObject({
				status: 'finished',
				handedToTrigger: 'finished',
				updatesNotShown: 2,
			});
			expect(server().replies).toEqual([]);
		});

		it('on the worker: Fail hands back only its message (nothing of the answer was shown)', async () => {
			const update = rig.replyNode('Update', { operation: 'update', content: '写了一半' });
			const fail = rig.replyNode('Fail', {
				operation: 'fail',
				message: '出错了',
				options: { appendError: false },
			});
			const { relayed } = await onWorker([update, fail], 'req-worker-fail');
			expect(relayedReplyOf(relayed[0])).toMatchObject({ status: 'failed', content: '出错了' });
			expect(relayed).toHaveLength(1);
		});

		it("on main: thinking at once, then the worker's answer from n8n's relay; a failed run's reply ends with the No Answer Text", async () => {
			const { emitted } = await publishWorkflow([finishNode()]);
			const runs: string[] = [];
			emitted.remote = (item, response, done) => {
				const reqId = String((item.wecomAiBot as IDataObject).reqId);
				runs.push(reqId);
				// What n8n's main does with the worker's job messages: 'respond-to-webhook' resolves the emit's response,
				// 'job-finished' the donePromise with the job's summary (no run data).
				void pause(200).then(() => {
					if (item.chatInput === '答') {
						response?.resolve(
							relayResponse({
								botId: AIBOT_SEED.botId,
								reqId,
								msgid: String((item.wecomAiBot as IDataObject).msgid),
								status: 'finished',
								content: '来自 worker 的回答',
							}),
						);
						done?.resolve(summary('success', 'Finish'));
					} else {
						response?.resolve({ body: { message: 'Workflow execution failed' }, statusCode: 500 });
						done?.resolve(summary('error', 'Agent'));
					}
				});
			};
			const answered = server().publish({ text: '答' });
			expect((await finished(answered)).map((r) => [r.content, r.finish])).toEqual([
				['思考中…', false],
				['来自 worker 的回答', true],
			]);
			useAiBotTestTimings({ failedRunGraceMs: 300 });
			try {
				const failed = server().publish({ text: '错' });
				expect((await finished(failed)).map((r) => [r.content, r.finish])).toEqual([
					['思考中…', false],
					['抱歉，这次没能完成回答，请稍后再试。', true],
				]);
			} finally {
				useAiBotTestTimings();
			}
			expect(runs).toHaveLength(2);
			expect(server().violations).toEqual([]);
		});
	});

	it('where no connection is held (a queue-mode worker), the reply fails naming the cause and the fix, and sends nothing', async () => {
		const node = finishNode('答案');
		const result = await rig.harness.run([node], {}, node.name, [
			{
				json: {
					chatInput: 'x',
					wecomAiBot: { botId: AIBOT_SEED.botId, reqId: 'req-nowhere', msgid: 'm1' },
				},
			},
		]);
		expect(result.run.status).toBe('error');
		const error = result.run.data.resultData.error!;
		expect(error.message).toMatch(/No long connection of WeCom AI bot .* in this n8n process/);
		expect(error.description).toMatch(/regular mode, EXECUTIONS_MODE=regular/);
		expect(error.description).toMatch(/queue mode/);
		expect(server().replies).toEqual([]);
	});
});

/** What main's donePromise gets for a run on a worker (n8n 2.41: the job's summary, no run data). */
function summary(status: 'success' | 'error', lastNodeExecuted: string): IRun {
	return {
		status,
		mode: 'trigger',
		finished: status === 'success',
		startedAt: new Date(),
		storedAt: 'db',
		data: { resultData: { runData: {}, lastNodeExecuted } },
	} as unknown as IRun;
}
