/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: prints a measured figure */
// The DingTalk Trigger's chat item (Robot Message Output: Chat Item for an AI Agent), published through n8n-core's
// ActiveWorkflowTriggers against the emulator's Stream server over real WebSockets: chatInput and sessionId (per group
// or per member), sender, chat, mentions, the quoted message, and attachments fetched through the robot file API into
// binary data. The default output is unchanged.
import type { IDataObject } from 'n8n-workflow';

import type { ApiEmulator } from '../emulator';
import { addRobotFile, EMULATOR_ROBOT_GROUP } from '../emulator/dingtalk';
import { binaryBytes } from '../harness';
import { describeWithWebSocket } from '../support/webSocket';
import { startEmulator, waitUntil } from './stream/support';
import { StreamTriggerRig, useTestTimings, type Emitted } from './triggerSupport';

const PNG = Buffer.from(
	'89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
		'1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f4c9f20000000049454e44ae426082',
	'hex',
);

describeWithWebSocket('DingTalk Trigger: robot messages as chat items for an AI Agent', () => {
	let emulator: ApiEmulator;
	let rig: StreamTriggerRig;

	beforeAll(async () => {
		useTestTimings();
		emulator = await startEmulator();
		rig = new StreamTriggerRig(emulator);
	});

	afterAll(async () => {
		await rig?.stopAll();
		await emulator?.stop();
	});

	const stream = () => emulator.dingtalkStream;

	async function activate(parameters: IDataObject): Promise<Emitted> {
		await rig.stopAll();
		const { emitted } = await rig.activate({
			events: ['robotMessage'],
			robotMessages: true,
			...parameters,
		});
		await waitUntil(() => stream().openConnections().length === 1, 'a connection');
		return emitted;
	}

	async function next(emitted: Emitted, count: number): Promise<IDataObject> {
		await waitUntil(() => emitted.items.length >= count, `${count} item(s)`);
		return emitted.items[count - 1];
	}

	it('default output is unchanged: no chatInput, no sessionId', async () => {
		const emitted = await activate({});
		stream().publishRobotMessage({ text: '你好' });
		const item = await next(emitted, 1);
		expect(item.messageText).toBe('你好');
		expect(item.chatInput).toBeUndefined();
		expect(item.sessionId).toBeUndefined();
	});

	it('group @-message: chatInput, a per-group sessionId by default, sender, chat, mentions, and the quote of the replied message', async () => {
		const emitted = await activate({ robotMessageOutput: 'chat' });
		const payload = stream().publishRobotMessage({
			text: ' 这个方案风险在哪？',
			conversationType: '2',
			conversationId: EMULATOR_ROBOT_GROUP,
			conversationTitle: '研发群',
			senderStaffId: 'dev001',
			senderNick: '李开发',
			atUsers: [
				{ dingtalkId: `$:LWCP_v1:$${emulator.dingtalk.app.appKey}` },
				{ dingtalkId: '$:LWCP_v1:$other', staffId: 'manager4220' },
			],
			textExtra: {
				isReplyMsg: true,
				repliedMsg: {
					msgId: 'msgQuoted1',
					senderId: 'manager4220',
					senderNick: '王经理',
					msgType: 'text',
					content: { text: '下周上线新方案' },
				},
			},
		});
		const item = await next(emitted, 1);
		expect(item).toMatchObject({
			chatInput: '这个方案风险在哪？',
			sessionId: `dingtalk:${EMULATOR_ROBOT_GROUP}`,
			platform: 'dingtalk',
			messageId: payload.msgId,
			messageType: 'text',
			chat: { id: EMULATOR_ROBOT_GROUP, type: 'group', title: '研发群' },
			sender: { id: 'dev001', name: '李开发', staffId: 'dev001' },
			botMentioned: true,
			mentions: [{ userId: 'manager4220', platformId: '$:LWCP_v1:$other' }],
			quote: {
				messageId: 'msgQuoted1',
				senderId: 'manager4220',
				senderName: '王经理',
				text: '下周上线新方案',
			},
			attachments: [],
			// DingTalk's fields stay: the AI Reply and the sessionWebhook Reply read them.
			msgId: payload.msgId,
			conversationId: EMULATOR_ROBOT_GROUP,
			sessionWebhook: payload.sessionWebhook,
		});
	});

	it('"One per Member": each member of a group has their own sessionId; a 1:1 chat is its own conversation', async () => {
		const emitted = await activate({ robotMessageOutput: 'chat', sessionScope: 'member' });
		stream().publishRobotMessage({
			conversationType: '2',
			conversationId: EMULATOR_ROBOT_GROUP,
			senderStaffId: 'dev001',
		});
		stream().publishRobotMessage({
			conversationType: '2',
			conversationId: EMULATOR_ROBOT_GROUP,
			senderStaffId: 'manager4220',
		});
		stream().publishRobotMessage({
			conversationType: '1',
			conversationId: 'cidDirect1==',
			senderStaffId: 'dev001',
		});
		await next(emitted, 3);
		expect(emitted.items.map((i) => i.sessionId).sort()).toEqual(
			[
				`dingtalk:${EMULATOR_ROBOT_GROUP}:dev001`,
				`dingtalk:${EMULATOR_ROBOT_GROUP}:manager4220`,
				'dingtalk:cidDirect1==',
			].sort(),
		);
		expect(emitted.items.find((i) => i.sessionId === 'dingtalk:cidDirect1==')).toMatchObject({
			chat: { type: 'direct' },
			botMentioned: true,
		});
	});

	it('a picture and a file arrive as binary data (robot file API); the text says what came', async () => {
		const emitted = await activate({ robotMessageOutput: 'chat' });
		const pictureCode = addRobotFile(emulator.dingtalk, {
			fileName: 'x',
			mimeType: 'image/png',
			data: PNG,
		});
		const fileCode = addRobotFile(emulator.dingtalk, {
			fileName: '报价单.pdf',
			mimeType: 'application/pdf',
			data: Buffer.from('%PDF-1.4 emulator'),
		});
		stream().publishRobotMessage({ msgtype: 'picture', content: { downloadCode: pictureCode } });
		stream().publishRobotMessage({
			msgtype: 'file',
			content: { downloadCode: fileCode, fileName: '报价单.pdf' },
		});
		await next(emitted, 2);
		const pictureAt = emitted.items.findIndex((i) => i.messageType === 'picture');
		const picture = emitted.items[pictureAt];
		const file = emitted.items[1 - pictureAt];
		expect(picture).toMatchObject({
			chatInput: '[image: image-1.png]',
			messageType: 'picture',
			attachments: [
				{
					kind: 'image',
					fileName: 'image-1.png',
					mimeType: 'image/png',
					size: PNG.length,
					binaryProperty: 'attachment_0',
					error: null,
				},
			],
		});
		expect(file).toMatchObject({
			chatInput: '[file: 报价单.pdf]',
			attachments: [
				{
					kind: 'file',
					fileName: '报价单.pdf',
					mimeType: 'application/pdf',
					binaryProperty: 'attachment_0',
				},
			],
		});
		const pictureBinary = emitted.binaries?.[pictureAt];
		const fileBinary = emitted.binaries?.[1 - pictureAt];
		expect(await binaryBytes(pictureBinary!.attachment_0)).toEqual(PNG);
		expect(pictureBinary!.attachment_0).toMatchObject({
			mimeType: 'image/png',
			fileName: 'image-1.png',
		});
		expect((await binaryBytes(fileBinary!.attachment_0)).toString()).toBe(
			'%PDF-1.4 emulator',
		);
		expect(emulator.callsTo('/v1.0/robot/messageFiles/download')).toHaveLength(2);
	});

	it('rich text: its text parts and its pictures; a file over the size limit is listed, not downloaded; a refused download is said on the item', async () => {
		const emitted = await activate({
			robotMessageOutput: 'chat',
			options: { maxAttachmentSize: 1 },
		});
		const small = addRobotFile(emulator.dingtalk, {
			fileName: 'a',
			mimeType: 'image/png',
			data: PNG,
		});
		const big = addRobotFile(emulator.dingtalk, {
			fileName: 'big.bin',
			mimeType: 'application/octet-stream',
			data: Buffer.alloc(1024 * 1024 + 1),
		});
		stream().publishRobotMessage({
			msgtype: 'richText',
			content: {
				richText: [
					{ text: '看看这张图' },
					{ type: 'picture', downloadCode: small },
					{ text: '有问题吗' },
				],
			},
		});
		stream().publishRobotMessage({
			msgtype: 'file',
			content: { downloadCode: big, fileName: 'big.bin' },
		});
		stream().publishRobotMessage({ msgtype: 'picture', content: { downloadCode: 'unknown-code' } });
		await next(emitted, 3);
		// Each message is handed on once its files are fetched: the order of arrival is not kept.
		const at = (type: string) => emitted.items.findIndex((i) => i.messageType === type);
		const [rich, large, refused] = [at('richText'), at('file'), at('picture')].map(
			(i) => emitted.items[i],
		);
		expect(rich).toMatchObject({
			chatInput: '看看这张图\n有问题吗\n[image: image-1.png]',
			messageType: 'richText',
		});
		expect(emitted.binaries?.[at('richText')]?.attachment_0).toBeDefined();
		expect(large).toMatchObject({
			attachments: [
				{
					kind: 'file',
					size: 1024 * 1024 + 1,
					binaryProperty: null,
					error: expect.stringMatching(/^larger than 1 MB/),
				},
			],
		});
		expect(emitted.binaries?.[at('file')]).toBeUndefined();
		expect(refused).toMatchObject({
			attachments: [
				{ kind: 'image', binaryProperty: null, error: expect.stringMatching(/^download failed/) },
			],
		});
	});

	it('throughput: 300 robot messages in chat mode, each emitted once and acknowledged (figure printed)', async () => {
		const emitted = await activate({ robotMessageOutput: 'chat' });
		const started = Date.now();
		const ids = new Set<string>();
		for (let i = 0; i < 300; i++) {
			ids.add(
				stream().publishRobotMessage({
					text: `第 ${i} 条`,
					conversationType: '2',
					conversationId: EMULATOR_ROBOT_GROUP,
				}).msgId,
			);
		}
		await next(emitted, 300);
		const seconds = (Date.now() - started) / 1000;
		expect(new Set(emitted.items.map((i) => i.messageId))).toEqual(ids);
		await waitUntil(() => stream().unacked().length === 0, 'every message acknowledged');
		process.stdout.write(
			`[figure] DingTalk Trigger (Stream, chat items): 300 robot messages emitted in ${seconds.toFixed(2)} s = ${Math.round(300 / seconds)} messages/s\n`,
		);
	});
});
