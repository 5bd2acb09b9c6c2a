/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code: runs under Node and jest, never inside n8n; msgKey values are message types, not secrets */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { EMULATOR_GROUP_WITHOUT_ROBOT, EMULATOR_ROBOT_GROUP } from '../emulator/dingtalk/messaging';
import { DINGTALK_SEED } from '../emulator/dingtalk/seed';
import type { DingTalkUser } from '../emulator/dingtalk/seed';
import { binaryItem, bytesOf, errorOf, multipartOf } from '../wecom/messagingSupport';
import { startDingTalk, type DingTalkTestEnv, storedToken } from './setup';

const ROBOT_CODE = DINGTALK_SEED.appKey;
const OTO_SEND = '/v1.0/robot/oToMessages/batchSend';
const GROUP_SEND = '/v1.0/robot/groupMessages/send';
const OTO_RECALL = '/v1.0/robot/otoMessages/batchRecall';
const GROUP_RECALL = '/v1.0/robot/groupMessages/recall';
const DAY = 24 * 3600 * 1000;

const send = (parameters: INodeParameters): INodeParameters => ({
	resource: 'robotMessage',
	operation: 'send',
	...parameters,
});

const recall = (parameters: INodeParameters): INodeParameters => ({
	resource: 'robotMessage',
	operation: 'recall',
	processQueryKeys: '={{ $json.processQueryKeys ?? $json.processQueryKey }}',
	...parameters,
});

const buttons = (count: number) => ({
	button: Array.from({ length: count }, (_, i) => ({
		title: `按钮${i + 1}`,
		url: `https://example.com/b${i + 1}`,
	})),
});

describe('DingTalk Robot Message', () => {
	let env: DingTalkTestEnv;
	let clock = Date.UTC(2026, 6, 1, 2, 0, 0);

	beforeAll(async () => {
		env = await startDingTalk({ now: () => clock });
	});

	afterAll(async () => {
		await env.stop();
	});

	beforeEach(() => {
		env.emulator.calls.length = 0;
		env.emulator.clearFaults();
	});

	const bodies = (path: string) => env.emulator.callsTo(path).map((c) => c.body as IDataObject);
	const robotMessages = () => env.emulator.dingtalk.messaging.robotMessages;

	describe('Send to users', () => {
		it("sends text as the app's robot (robotCode = Client ID) with msgParam as a JSON string", async () => {
			const result = await env.run(send({ userIds: 'dev001,dev002', content: '构建成功 ✅' }));

			expect(result.error).toBeUndefined();
			const [call] = env.emulator.callsTo(OTO_SEND);
			expect(call.headers['x-acs-dingtalk-access-token']).toEqual(expect.any(String));
			expect(call.body).toEqual({
				robotCode: ROBOT_CODE,
				userIds: ['dev001', 'dev002'],
				msgKey: 'sampleText',
				msgParam: JSON.stringify({ content: '构建成功 ✅' }),
			});
			const sent = robotMessages().at(-1)!;
			expect(sent.userIds).toEqual(['dev001', 'dev002']);
			expect(result.items).toEqual([
				{
					json: {
						msgKey: 'sampleText',
						processQueryKey: sent.processQueryKey,
						processQueryKeys: [sent.processQueryKey],
						invalidStaffIdList: [],
						flowControlledStaffIdList: [],
						calls: 1,
						batches: [
							{
								processQueryKey: sent.processQueryKey,
								userIds: ['dev001', 'dev002'],
								invalidStaffIdList: [],
								flowControlledStaffIdList: [],
							},
						],
					},
					pairedItem: { item: 0 },
				},
			]);
		});

		it("uses the credential's Robot Code when it is set", async () => {
			const { id } = env.credential;
			try {
				env.harness.credentials.patch(id, { robotCode: 'dingOtherRobot' });
				const result = await env.run(send({ userIds: 'dev001', content: 'x' }), [{ json: {} }], {
					onError: 'continueErrorOutput',
				});
				expect(bodies(OTO_SEND)[0].robotCode).toBe('dingOtherRobot');
				const [failed] = result.output('DingTalk', 1);
				expect(failed.json.error).toMatch(/No robot with this robotCode/);
				expect(failed.json.details).toMatchObject({
					code: 'invalidParameter.robotCode.notExsit',
					httpCode: '400',
				});
				expect(String((failed.json.details as IDataObject).description)).toMatch(/机器人不存在/);
			} finally {
				env.harness.credentials.patch(id, { robotCode: '' });
			}
		});

		it('splits 45 users into calls of 20 and reports invalid and flow-controlled users per batch and merged', async () => {
			const template = env.emulator.dingtalk.users[1];
			const extra: DingTalkUser[] = Array.from({ length: 43 }, (_, i) => ({
				...template,
				userid: `robotbulk${i}`,
			}));
			env.emulator.dingtalk.users.push(...extra);
			env.emulator.dingtalk.messaging.flowControlledUsers.add('robotbulk30');
			try {
				const userIds = [...extra.map((u) => u.userid), 'ghost1', 'ghost2'];
				const result = await env.run(
					send({
						userIds: '={{ $json.to }}',
						messageType: 'markdown',
						title: '日报',
						text: '# 今日',
					}),
					[{ json: { to: userIds } }],
				);
				expect(result.error).toBeUndefined();
				const sent = bodies(OTO_SEND);
				expect(sent.map((b) => (b.userIds as string[]).length)).toEqual([20, 20, 5]);
				expect(sent.flatMap((b) => b.userIds as string[])).toEqual(userIds);
				const json = result.items[0].json;
				expect(json).not.toHaveProperty('processQueryKey');
				expect(json.processQueryKeys).toEqual(
					robotMessages()
						.slice(-3)
						.map((m) => m.processQueryKey),
				);
				expect(json.invalidStaffIdList).toEqual(['ghost1', 'ghost2']);
				expect(json.flowControlledStaffIdList).toEqual(['robotbulk30']);
				const batches = json.batches as IDataObject[];
				expect(batches.map((b) => [b.invalidStaffIdList, b.flowControlledStaffIdList])).toEqual([
					[[], []],
					[[], ['robotbulk30']],
					[['ghost1', 'ghost2'], []],
				]);
				expect(batches[2].userIds).toEqual(userIds.slice(40));
			} finally {
				env.emulator.dingtalk.users.splice(-43);
				env.emulator.dingtalk.messaging.flowControlledUsers.clear();
			}
		});

		it('reads users and content per item from expressions', async () => {
			const items: INodeExecutionData[] = [
				{ json: { to: 'dev001', text: '一' } },
				{ json: { to: ['lead001', { userid: 'fin001' }], text: '二' } },
			];
			const result = await env.run(
				send({ userIds: '={{ $json.to }}', content: '={{ $json.text }}' }),
				items,
			);
			expect(result.error).toBeUndefined();
			expect(bodies(OTO_SEND).map((b) => [b.userIds, b.msgParam])).toEqual([
				[['dev001'], '{"content":"一"}'],
				[['lead001', 'fin001'], '{"content":"二"}'],
			]);
			expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		});
		it('adds members picked by search to the typed userids', async () => {
			const result = await env.run(
				send({
					userIds: 'dev001',
					userIdsPicked: {
						member: [
							{ user: { __rl: true, mode: 'list', value: 'lead001' } },
							{ user: { __rl: true, mode: 'id', value: 'dev001' } },
						],
					},
					content: '选人',
				}),
			);
			expect(result.error).toBeUndefined();
			expect(bodies(OTO_SEND).map((b) => b.userIds)).toEqual([['dev001', 'lead001']]);
		});
	});

	describe('Message types', () => {
		it.each<[string, INodeParameters, string, IDataObject]>([
			[
				'markdown',
				{ messageType: 'markdown', title: '告警', text: '**CPU** 95%' },
				'sampleMarkdown',
				{ title: '告警', text: '**CPU** 95%' },
			],
			[
				'an image from a URL',
				{ messageType: 'image', imageSource: 'url', photoUrl: 'https://example.com/a.png' },
				'sampleImageMsg',
				{ photoURL: 'https://example.com/a.png' },
			],
			[
				'a link',
				{
					messageType: 'link',
					title: '发布说明',
					text: 'v2.0 已发布',
					messageUrl: 'https://example.com/v2',
					picUrl: 'https://example.com/v2.png',
				},
				'sampleLink',
				{
					title: '发布说明',
					text: 'v2.0 已发布',
					messageUrl: 'https://example.com/v2',
					picUrl: 'https://example.com/v2.png',
				},
			],
			[
				'an action card with one button',
				{ messageType: 'actionCard', title: '审批', text: '请处理', buttons: buttons(1) },
				'sampleActionCard',
				{
					title: '审批',
					text: '请处理',
					singleTitle: '按钮1',
					singleURL: 'https://example.com/b1',
				},
			],
			...[2, 3, 4, 5].map((count): [string, INodeParameters, string, IDataObject] => [
				`an action card with ${count} buttons`,
				{ messageType: 'actionCard', title: '选择', text: '请选择', buttons: buttons(count) },
				`sampleActionCard${count}`,
				Object.fromEntries([
					['title', '选择'],
					['text', '请选择'],
					...Array.from({ length: count }, (_, i) => [
						[`actionTitle${i + 1}`, `按钮${i + 1}`],
						[`actionURL${i + 1}`, `https://example.com/b${i + 1}`],
					]).flat(),
				]),
			]),
		])('sends %s', async (_, parameters, msgKey, msgParam) => {
			const result = await env.run(send({ userIds: 'dev001', ...parameters }));
			expect(result.error).toBeUndefined();
			const [body] = bodies(OTO_SEND);
			expect(body.msgKey).toBe(msgKey);
			expect(typeof body.msgParam).toBe('string');
			expect(JSON.parse(body.msgParam as string)).toEqual(msgParam);
			expect(robotMessages().at(-1)!.msgKey).toBe(msgKey);
		});

		it('uploads an input image first and sends its media_id as photoURL', async () => {
			const bytes = bytesOf(5000, 3);
			const result = await env.run(send({ userIds: 'dev001', messageType: 'image' }), [
				binaryItem(bytes, '截图.png', 'image/png'),
			]);
			expect(result.error).toBeUndefined();
			const [upload] = env.emulator.callsTo('/media/upload');
			expect(upload.query.type).toBe('image');
			expect(multipartOf(upload).files[0].data.equals(bytes)).toBe(true);
			const mediaId = (upload.response as IDataObject).media_id;
			expect(JSON.parse(bodies(OTO_SEND)[0].msgParam as string)).toEqual({ photoURL: mediaId });
			expect(result.items[0].json.media).toMatchObject({ media_id: mediaId, type: 'image' });
		});

		it('uploads an input file first and sends sampleFile with its name and type', async () => {
			const bytes = bytesOf(8000, 5);
			const result = await env.run(
				send({ sendTo: 'group', openConversationId: EMULATOR_ROBOT_GROUP, messageType: 'file' }),
				[binaryItem(bytes, '三季度报表.XLSX', 'application/octet-stream')],
			);
			expect(result.error).toBeUndefined();
			const [upload] = env.emulator.callsTo('/media/upload');
			expect(upload.query.type).toBe('file');
			const mediaId = (upload.response as IDataObject).media_id;
			expect(JSON.parse(bodies(GROUP_SEND)[0].msgParam as string)).toEqual({
				mediaId,
				fileName: '三季度报表.XLSX',
				fileType: 'xlsx',
			});
		});

		it('sends a file by media_id, taking the type from the name when File Type is empty', async () => {
			env.emulator.dingtalk.messaging.media.set('@lADfileR', {
				media_id: '@lADfileR',
				type: 'file',
				filename: 'r.pdf',
				contentType: 'application/pdf',
				data: Buffer.from('x'),
				createdAt: clock,
			});
			const result = await env.run(
				send({
					userIds: 'dev001',
					messageType: 'file',
					mediaSource: 'mediaId',
					mediaId: '@lADfileR',
					fileName: '周报.pdf',
				}),
			);
			expect(result.error).toBeUndefined();
			expect(JSON.parse(bodies(OTO_SEND)[0].msgParam as string)).toEqual({
				mediaId: '@lADfileR',
				fileName: '周报.pdf',
				fileType: 'pdf',
			});
		});

		it.each<[string, INodeParameters, RegExp]>([
			[
				'six buttons',
				{ messageType: 'actionCard', title: 't', text: 't', buttons: buttons(6) },
				/6 given.*1 to 5/,
			],
			['no button', { messageType: 'actionCard', title: 't', text: 't' }, /0 given.*1 to 5/],
			[
				'a button without a URL',
				{
					messageType: 'actionCard',
					title: 't',
					text: 't',
					buttons: { button: [{ title: 'a', url: '' }] },
				},
				/Button 1 URL is empty/,
			],
			['empty markdown', { messageType: 'markdown', title: 't', text: ' ' }, /Text is empty/],
			[
				'a link without its URL',
				{ messageType: 'link', title: 't', text: 't', messageUrl: '={{ $json.none }}' },
				/Message URL is empty/,
			],
			[
				'no user',
				{ userIds: '={{ $json.none }}', content: 'x' },
				/Users is empty: pick at least one member/,
			],
			[
				'no group',
				{ sendTo: 'group', openConversationId: '={{ $json.none }}', content: 'x' },
				/Open Conversation ID is empty/,
			],
			[
				'a file name without extension and no File Type',
				{ messageType: 'file', mediaSource: 'mediaId', mediaId: '@x', fileName: 'report' },
				/File Type is empty and File Name "report" has no extension/,
			],
			[
				'a file that is not a document',
				{ messageType: 'file' },
				/\.exe: DingTalk accepts only doc\/docx/,
			],
		])('refuses %s before sending anything', async (_, parameters, message) => {
			const result = await env.run(send({ userIds: 'dev001', ...parameters }), [
				binaryItem(bytesOf(10), 'setup.exe', 'application/octet-stream'),
			]);
			expect(errorOf(result).message).toMatch(message);
			expect(env.emulator.calls.filter((c) => !c.path.includes('accessToken'))).toEqual([]);
		});
	});

	describe('Send to a group', () => {
		it('sends to the group by openConversationId and outputs the processQueryKey', async () => {
			const result = await env.run(
				send({
					sendTo: 'group',
					openConversationId: EMULATOR_ROBOT_GROUP,
					messageType: 'actionCard',
					title: '上线',
					text: '是否上线？',
					buttons: buttons(2),
				}),
			);
			expect(result.error).toBeUndefined();
			expect(bodies(GROUP_SEND)).toEqual([
				{
					robotCode: ROBOT_CODE,
					openConversationId: EMULATOR_ROBOT_GROUP,
					msgKey: 'sampleActionCard2',
					msgParam: expect.any(String),
				},
			]);
			const sent = robotMessages().at(-1)!;
			expect(sent.openConversationId).toBe(EMULATOR_ROBOT_GROUP);
			expect(result.items[0].json).toEqual({
				msgKey: 'sampleActionCard2',
				openConversationId: EMULATOR_ROBOT_GROUP,
				processQueryKey: sent.processQueryKey,
			});
		});

		it('routes a group the robot is not in to the error output with the hint', async () => {
			const result = await env.run(
				send({ sendTo: 'group', openConversationId: '={{ $json.cid }}', content: 'hi' }),
				[{ json: { cid: EMULATOR_GROUP_WITHOUT_ROBOT } }, { json: { cid: EMULATOR_ROBOT_GROUP } }],
				{ onError: 'continueErrorOutput' },
			);
			expect(result.error).toBeUndefined();
			const [failed] = result.output('DingTalk', 1);
			expect(failed.json.error).toMatch(/robot is not in it/);
			expect(failed.json.details).toMatchObject({ code: 'invalid.openConversationId' });
			expect(failed.pairedItem).toEqual({ item: 0 });
			expect(result.output('DingTalk', 0).map((i) => i.pairedItem)).toEqual([{ item: 1 }]);
		});
	});

	describe('Recall', () => {
		it('recalls one-to-one messages in calls of 20 keys and merges what DingTalk recalled', async () => {
			const items = Array.from({ length: 23 }, (_, i) => ({ json: { n: i } }));
			const sent = await env.run(
				send({ userIds: 'dev001', content: '={{ "消息 " + $json.n }}' }),
				items,
			);
			expect(sent.error).toBeUndefined();
			const keys = sent.items.map((i) => i.json.processQueryKey as string);
			const result = await env.run(recall({ processQueryKeys: '={{ $json.keys }}' }), [
				{ json: { keys: [...keys, 'unknown-key'] } },
			]);
			expect(result.error).toBeUndefined();
			expect(bodies(OTO_RECALL).map((b) => (b.processQueryKeys as string[]).length)).toEqual([
				20, 4,
			]);
			expect(bodies(OTO_RECALL)[0]).toMatchObject({ robotCode: ROBOT_CODE });
			expect(result.items[0].json).toEqual({
				successResult: keys,
				failedResult: { 'unknown-key': 'message not found' },
				allRecalled: false,
			});
			expect(
				robotMessages()
					.slice(-23)
					.every((m) => m.recalled),
			).toBe(true);
		});

		it('recalls a group message with the Send output as input, and reports one too old to recall', async () => {
			const sent = await env.run(
				send({ sendTo: 'group', openConversationId: EMULATOR_ROBOT_GROUP, content: '发错了' }),
			);
			const ok = await env.run(
				recall({ sendTo: 'group', openConversationId: '={{ $json.openConversationId }}' }),
				sent.items,
			);
			expect(ok.error).toBeUndefined();
			expect(bodies(GROUP_RECALL)).toEqual([
				{
					robotCode: ROBOT_CODE,
					openConversationId: EMULATOR_ROBOT_GROUP,
					processQueryKeys: [sent.items[0].json.processQueryKey],
				},
			]);
			expect(ok.items[0].json).toMatchObject({ allRecalled: true, failedResult: {} });

			const late = await env.run(
				send({ sendTo: 'group', openConversationId: EMULATOR_ROBOT_GROUP, content: '太晚' }),
			);
			clock += DAY + 1;
			try {
				const tooLate = await env.run(
					recall({ sendTo: 'group', openConversationId: EMULATOR_ROBOT_GROUP }),
					late.items,
				);
				expect(tooLate.items[0].json).toEqual({
					successResult: [],
					failedResult: { [late.items[0].json.processQueryKey as string]: 'recall time exceeded' },
					allRecalled: false,
				});
			} finally {
				clock -= DAY + 1;
			}
		});

		it('refuses an empty key list before calling DingTalk', async () => {
			const result = await env.run(recall({ processQueryKeys: '={{ $json.none }}' }));
			expect(errorOf(result).message).toMatch(/Process Query Keys is empty/);
			expect(env.emulator.calls).toEqual([]);
		});
	});

	it('keeps the access token and the secret out of errors and items', async () => {
		const ok = await env.run(send({ userIds: 'dev001', content: 'x' }));
		const token = storedToken(env);
		expect(JSON.stringify(ok.items)).not.toContain(token);
		env.emulator.injectFault({
			kind: 'http',
			status: 400,
			path: OTO_SEND,
			body: JSON.stringify({
				code: 'invalidParameter.param.invalid',
				message: `token ${token} / ${DINGTALK_SEED.appSecret}`,
				requestid: 'r-1',
			}),
		});
		const failed = await env.run(send({ userIds: 'dev001', content: 'x' }), [{ json: {} }], {
			onError: 'continueErrorOutput',
		});
		const text = JSON.stringify(failed.output('DingTalk', 1));
		expect(text).toContain('r-1');
		expect(text).not.toContain(token);
		expect(text).not.toContain(DINGTALK_SEED.appSecret);
	});
});
