import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { DINGTALK_SEED } from '../emulator/dingtalk/seed';
import type { DingTalkUser } from '../emulator/dingtalk/seed';
import { FORBIDDEN_REPEAT } from '../emulator/dingtalk/workNotification';
import { binaryItem, bytesOf, errorOf, multipartOf } from '../wecom/messagingSupport';
import { startDingTalk, type DingTalkTestEnv, storedToken } from './setup';

const AGENT_ID = DINGTALK_SEED.agentId;
const SEND_PATH = '/topapi/message/corpconversation/asyncsend_v2';
const DAY = 24 * 3600 * 1000;

const send = (parameters: INodeParameters): INodeParameters => ({
	resource: 'workNotification',
	operation: 'send',
	...parameters,
});

describe('DingTalk Work Notification', () => {
	let env: DingTalkTestEnv;
	let clock = Date.UTC(2026, 6, 1, 2, 0, 0);
	/** Every test sends other content: DingTalk drops a repeat to the same user on one day. */
	let serial = 0;
	const unique = (text: string) => `${text} #${++serial}`;

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

	const sendCalls = () => env.emulator.callsTo(SEND_PATH);
	const sendBodies = () => sendCalls().map((c) => c.body as IDataObject);
	const tasks = () => env.emulator.dingtalk.messaging.workNotifications;

	describe('Send: recipients', () => {
		it("sends text to users and departments as the credential's app, in one call", async () => {
			const content = unique('明天上午十点开会');
			const result = await env.run(
				send({ userIds: 'manager001, dev001', departmentIds: '200', content }),
			);

			expect(result.error).toBeUndefined();
			expect(sendBodies()).toEqual([
				{
					agent_id: AGENT_ID,
					userid_list: 'manager001,dev001',
					dept_id_list: '200',
					msg: { msgtype: 'text', text: { content } },
				},
			]);
			const task = tasks().at(-1)!;
			expect(task.delivered.sort()).toEqual(['dev001', 'manager001', 'mkt001']);
			expect(task.failed).toEqual(['inactive001']);
			expect(result.items).toEqual([
				{
					json: {
						msgtype: 'text',
						task_id: task.task_id,
						task_ids: [task.task_id],
						calls: 1,
						batches: [
							{
								task_id: task.task_id,
								userid_list: ['manager001', 'dev001'],
								dept_id_list: ['200'],
							},
						],
						// Without Wait for Send Result the item says who it reached is unknown.
						recipientsChecked: false,
						note: expect.stringMatching(/sends asynchronously.*Wait for Send Result/),
					},
					pairedItem: { item: 0 },
				},
			]);
		});

		it('sends to everyone with to_all_user and ignores the ID fields', async () => {
			const result = await env.run(
				send({ toAll: true, userIds: 'dev001', content: unique('全员通知') }),
			);
			expect(result.error).toBeUndefined();
			expect(sendBodies()[0]).toMatchObject({ agent_id: AGENT_ID, to_all_user: true });
			expect(sendBodies()[0]).not.toHaveProperty('userid_list');
			expect(tasks().at(-1)!.delivered).toHaveLength(6);
			expect(result.items[0].json.batches).toEqual([
				{ task_id: tasks().at(-1)!.task_id, to_all_user: true },
			]);
		});

		it('reads recipients and content per item from expressions: arrays, comma strings, objects with userid', async () => {
			const items: INodeExecutionData[] = [
				{ json: { to: ['dev001', 'dev002'], text: unique('第一条') } },
				{ json: { to: 'lead001，fin001', depts: [300], text: unique('第二条') } },
				{ json: { to: [{ userid: 'mkt001' }, { userId: 'manager001' }], text: unique('第三条') } },
			];
			const result = await env.run(
				send({
					userIds: '={{ $json.to }}',
					departmentIds: '={{ $json.depts }}',
					content: '={{ $json.text }}',
				}),
				items,
			);
			expect(result.error).toBeUndefined();
			expect(
				sendBodies().map((b) => [b.userid_list, b.dept_id_list, (b.msg as IDataObject).text]),
			).toEqual([
				['dev001,dev002', undefined, { content: items[0].json.text }],
				['lead001,fin001', '300', { content: items[1].json.text }],
				['mkt001,manager001', undefined, { content: items[2].json.text }],
			]);
			expect(result.items.map((i) => i.pairedItem)).toEqual([
				{ item: 0 },
				{ item: 1 },
				{ item: 2 },
			]);
		});

		it('splits 250 users and 45 departments into 3 calls (100/20 per call) and lists each batch', async () => {
			const template = env.emulator.dingtalk.users[1];
			const extra: DingTalkUser[] = Array.from({ length: 250 }, (_, i) => ({
				...template,
				userid: `bulk${String(i).padStart(3, '0')}`,
				dept_id_list: [101],
			}));
			env.emulator.dingtalk.users.push(...extra);
			const departments = Array.from({ length: 45 }, (_, i) => 5000 + i);
			try {
				const result = await env.run(
					send({
						userIds: '={{ $json.users }}',
						departmentIds: '={{ $json.departments }}',
						content: unique('拆分发送'),
					}),
					[{ json: { users: extra.map((u) => u.userid), departments } }],
				);
				expect(result.error).toBeUndefined();
				const bodies = sendBodies();
				expect(bodies.map((b) => String(b.userid_list).split(',').length)).toEqual([100, 100, 50]);
				expect(bodies.map((b) => String(b.dept_id_list).split(',').length)).toEqual([20, 20, 5]);
				expect(bodies.flatMap((b) => String(b.userid_list).split(','))).toEqual(
					extra.map((u) => u.userid),
				);
				const sent = tasks().slice(-3);
				const json = result.items[0].json;
				expect(json.task_ids).toEqual(sent.map((t) => t.task_id));
				expect(json).not.toHaveProperty('task_id');
				expect(json.calls).toBe(3);
				const batches = json.batches as IDataObject[];
				expect(batches.map((b) => (b.userid_list as string[]).length)).toEqual([100, 100, 50]);
				expect(batches[2]).toMatchObject({
					task_id: sent[2].task_id,
					dept_id_list: departments.slice(40).map(String),
				});
				expect(result.items).toHaveLength(1);
			} finally {
				env.emulator.dingtalk.users.splice(-250);
			}
		});

		it('says which calls of a split send went out when a later one fails', async () => {
			const users = Array.from({ length: 150 }, (_, i) => `u${i}`);
			// The first call passes (a zero delay), the second is refused.
			env.emulator.injectFault({ kind: 'latency', ms: 0, path: SEND_PATH });
			env.emulator.injectFault({ kind: 'errcode', errcode: 90020, path: SEND_PATH });
			const result = await env.run(
				send({ userIds: users.join(','), content: unique('半途失败') }),
				[{ json: {} }],
				{ onError: 'continueErrorOutput' },
			);
			expect(result.error).toBeUndefined();
			expect(sendCalls()).toHaveLength(2);
			const [failed] = result.output('DingTalk', 1);
			const details = failed.json.details as IDataObject;
			expect(failed.json.error).toMatch(/monthly API quota/);
			expect(details.errcode).toBe(90020);
			expect(String(details.description)).toContain(
				`Calls 1 to 1 of 2 were already sent (task ids: ${tasks().at(-1)!.task_id})`,
			);
			expect(result.output('DingTalk', 0)).toEqual([]);
		});
	});

	describe('Send: message types', () => {
		const storeMedia = (mediaId: string, type: 'image' | 'voice' | 'file') =>
			env.emulator.dingtalk.messaging.media.set(mediaId, {
				media_id: mediaId,
				type,
				filename: `x.${type === 'image' ? 'png' : type === 'voice' ? 'amr' : 'pdf'}`,
				contentType: 'application/octet-stream',
				data: Buffer.from('x'),
				createdAt: clock,
			});

		it.each<[string, INodeParameters, IDataObject]>([
			[
				'markdown',
				{ messageType: 'markdown', title: '周报', text: '## 本周\n- 完成 **3** 项' },
				{ msgtype: 'markdown', markdown: { title: '周报', text: '## 本周\n- 完成 **3** 项' } },
			],
			[
				'link',
				{
					messageType: 'link',
					title: '报销单',
					text: '点击查看',
					messageUrl: 'https://example.com/r/1',
					picUrl: '@lADimage-link',
				},
				{
					msgtype: 'link',
					link: {
						messageUrl: 'https://example.com/r/1',
						picUrl: '@lADimage-link',
						title: '报销单',
						text: '点击查看',
					},
				},
			],
			[
				'an action card with one button',
				{
					messageType: 'action_card',
					title: '审批提醒',
					text: '### 请审批',
					singleTitle: '去审批',
					singleUrl: 'dingtalk://dingtalkclient/page/link?url=x',
				},
				{
					msgtype: 'action_card',
					action_card: {
						title: '审批提醒',
						markdown: '### 请审批',
						single_title: '去审批',
						single_url: 'dingtalk://dingtalkclient/page/link?url=x',
					},
				},
			],
			[
				'an action card with several buttons side by side',
				{
					messageType: 'action_card',
					title: '投票',
					text: '午饭吃什么',
					buttonMode: 'multiple',
					orientation: 'horizontal',
					buttons: {
						button: [
							{ title: '面', url: 'https://example.com/a' },
							{ title: '饭', url: 'https://example.com/b' },
						],
					},
				},
				{
					msgtype: 'action_card',
					action_card: {
						title: '投票',
						markdown: '午饭吃什么',
						btn_orientation: '1',
						btn_json_list: [
							{ title: '面', action_url: 'https://example.com/a' },
							{ title: '饭', action_url: 'https://example.com/b' },
						],
					},
				},
			],
			[
				'an OA message with head, status bar, form, rich number and author',
				{
					messageType: 'oa',
					oaMessageUrl: 'https://example.com/oa/7',
					oaHeadText: '报销',
					oaHeadColor: '#1e90ff',
					oaForm: {
						row: [
							{ key: '申请人:', value: '李开发' },
							{ key: '事由:', value: '出差' },
						],
					},
					oaFields: {
						bodyTitle: '差旅报销',
						content: '请尽快处理',
						author: '财务部',
						richNum: '1280.50',
						richUnit: '元',
						statusValue: '待审批',
						statusColor: '#F65E5E',
						pcMessageUrl: 'https://example.com/pc/7',
						fileCount: '2',
						image: '@lADimage-oa',
					},
				},
				{
					msgtype: 'oa',
					oa: {
						message_url: 'https://example.com/oa/7',
						pc_message_url: 'https://example.com/pc/7',
						head: { bgcolor: 'FF1E90FF', text: '报销' },
						status_bar: { status_value: '待审批', status_bg: '0xFFF65E5E' },
						body: {
							title: '差旅报销',
							form: [
								{ key: '申请人:', value: '李开发' },
								{ key: '事由:', value: '出差' },
							],
							rich: { num: '1280.50', unit: '元' },
							content: '请尽快处理',
							image: '@lADimage-oa',
							file_count: '2',
							author: '财务部',
						},
					},
				},
			],
			[
				'an image from a media_id',
				{ messageType: 'image', mediaSource: 'mediaId', mediaId: '@lADimage1' },
				{ msgtype: 'image', image: { media_id: '@lADimage1' } },
			],
			[
				'a voice message from a media_id',
				{ messageType: 'voice', mediaSource: 'mediaId', mediaId: '@lADvoice1', duration: 12 },
				{ msgtype: 'voice', voice: { media_id: '@lADvoice1', duration: '12' } },
			],
			[
				'a file from a media_id',
				{ messageType: 'file', mediaSource: 'mediaId', mediaId: '@lADfile1' },
				{ msgtype: 'file', file: { media_id: '@lADfile1' } },
			],
		])('sends %s', async (_, parameters, msg) => {
			storeMedia('@lADimage1', 'image');
			storeMedia('@lADvoice1', 'voice');
			storeMedia('@lADfile1', 'file');
			const result = await env.run(send({ userIds: 'dev001', ...parameters }));
			expect(result.error).toBeUndefined();
			expect(sendBodies()).toEqual([{ agent_id: AGENT_ID, userid_list: 'dev001', msg }]);
			expect(tasks().at(-1)!.msgtype).toBe(msg.msgtype);
			expect(result.items[0].json.msgtype).toBe(msg.msgtype);
		});

		it.each<[string, string, string, INodeParameters]>([
			['image', '截图.png', 'image/png', {}],
			['voice', '留言.amr', 'audio/amr', { duration: 7 }],
			['file', '合同.pdf', 'application/pdf', {}],
		])(
			'uploads a %s from the input binary first, then sends its media_id',
			async (type, name, mime, extra) => {
				const bytes = bytesOf(3000, 9);
				const result = await env.run(
					send({ userIds: 'dev001', messageType: type, binaryPropertyName: 'doc', ...extra }),
					[binaryItem(bytes, name, mime, {}, 'doc')],
				);
				expect(result.error).toBeUndefined();
				const calls = env.emulator.calls.filter((c) => !c.path.includes('accessToken'));
				expect(calls.map((c) => c.path)).toEqual(['/media/upload', SEND_PATH]);
				expect(calls[0].query.type).toBe(type);
				expect(multipartOf(calls[0]).files[0].data.equals(bytes)).toBe(true);
				const mediaId = (calls[0].response as IDataObject).media_id as string;
				const msg = sendBodies()[0].msg as IDataObject;
				expect(msg[type]).toEqual({
					media_id: mediaId,
					...(type === 'voice' ? { duration: '7' } : {}),
				});
				expect(result.items[0].json.media).toEqual({
					media_id: mediaId,
					type,
					created_at: clock,
					fileName: name,
					fileSize: 3000,
				});
			},
		);
	});

	describe('Send: bad input is refused before anything is sent', () => {
		it.each<[string, INodeParameters, RegExp]>([
			['no recipient', { content: 'x' }, /No recipient/],
			[
				'a department ID that is not a number',
				{ departmentIds: '研发', content: 'x' },
				/Departments "研发" is not a department ID/,
			],
			['empty text', { userIds: 'dev001', content: '   ' }, /Content is empty/],
			[
				'a message over 2,048 bytes',
				{ userIds: 'dev001', content: '长'.repeat(700) },
				/\d+ bytes as JSON: DingTalk takes at most 2048 bytes/,
			],
			[
				'an action card with several buttons but none given',
				{
					userIds: 'dev001',
					messageType: 'action_card',
					title: 't',
					text: 't',
					buttonMode: 'multiple',
				},
				/Buttons: add at least one button/,
			],
			[
				'an OA head colour that is not a colour',
				{
					userIds: 'dev001',
					messageType: 'oa',
					oaMessageUrl: 'https://x',
					oaHeadText: 'h',
					oaHeadColor: 'blue',
					oaFields: { content: 'c' },
				},
				/Head Color "blue" is not a colour/,
			],
			[
				'an OA message without a body',
				{ userIds: 'dev001', messageType: 'oa', oaMessageUrl: 'https://x', oaHeadText: 'h' },
				/OA message body is empty/,
			],
			[
				'a voice message of 60 seconds',
				{ userIds: 'dev001', messageType: 'voice', duration: 60 },
				/Duration is 60: .* 1 to 59/,
			],
		])('%s', async (_, parameters, message) => {
			const result = await env.run(send(parameters), [
				binaryItem(bytesOf(100), 'a.amr', 'audio/amr'),
			]);
			expect(errorOf(result).message).toMatch(message);
			expect(env.emulator.calls.filter((c) => !c.path.includes('accessToken'))).toEqual([]);
		});

		it('a voice file over 2 MB is refused before the upload', async () => {
			const result = await env.run(send({ userIds: 'dev001', messageType: 'voice' }), [
				binaryItem(bytesOf(2 * 1024 * 1024 + 1), 'long.mp3', 'audio/mpeg'),
			]);
			expect(errorOf(result).message).toMatch(/at most 2 MB for a voice message/);
			expect(env.emulator.callsTo('/media/upload')).toEqual([]);
		});

		it('names the credential field when Agent ID is empty or not a number', async () => {
			const { id } = env.credential;
			try {
				env.harness.credentials.patch(id, { agentId: '' });
				const empty = await env.run(send({ userIds: 'dev001', content: 'x' }));
				expect(errorOf(empty).message).toMatch(/credential's "Agent ID" is empty/);
				env.harness.credentials.patch(id, { agentId: 'abc' });
				const text = await env.run(send({ userIds: 'dev001', content: 'x' }));
				expect(errorOf(text).message).toMatch(/"Agent ID" is "abc", not a number/);
				expect(sendCalls()).toEqual([]);
			} finally {
				env.harness.credentials.patch(id, { agentId: String(AGENT_ID) });
			}
		});

		it("explains DingTalk's refusal of an Agent ID of another app", async () => {
			const { id } = env.credential;
			try {
				env.harness.credentials.patch(id, { agentId: '123456' });
				const result = await env.run(send({ userIds: 'dev001', content: unique('x') }));
				const error = errorOf(result);
				expect(error.message).toMatch(/Agent ID does not belong to this app/);
				expect(error.description).toMatch(/凭证中的 Agent ID 不属于该应用/);
			} finally {
				env.harness.credentials.patch(id, { agentId: String(AGENT_ID) });
			}
		});

		it('Continue (regular output): a bad item becomes {error} in place, the others are sent', async () => {
			const result = await env.run(
				send({ userIds: '={{ $json.to }}', content: '={{ $json.text }}' }),
				[
					{ json: { to: 'dev001', text: unique('好') } },
					{ json: { to: '', text: 'x' } },
					{ json: { to: 'dev002', text: unique('也好') } },
				],
				{ onError: 'continueRegularOutput' },
			);
			expect(result.error).toBeUndefined();
			expect(
				result.items.map((i) => [Object.keys(i.json).includes('error'), i.pairedItem]),
			).toEqual([
				[false, { item: 0 }],
				[true, { item: 1 }],
				[false, { item: 2 }],
			]);
			expect(result.items[1].json.error).toMatch(/No recipient/);
			expect(sendCalls()).toHaveLength(2);
		});
	});

	describe('Send: recipients picked in the editor', () => {
		const byList = (value: string) => ({ __rl: true, mode: 'list', value });
		const byId = (value: string) => ({ __rl: true, mode: 'id', value });

		it('adds members and departments picked by search to the typed ones, each once', async () => {
			const content = unique('选人发送');
			const result = await env.run(
				send({
					userIds: 'manager001',
					userIdsPicked: {
						member: [
							{ user: byList('dev001') },
							{ user: byId('manager001') },
							{ user: byList('dev002') },
						],
					},
					departmentIdsPicked: {
						department: [{ department: byList('200') }, { department: byId('300') }],
					},
					content,
				}),
			);
			expect(result.error).toBeUndefined();
			expect(sendBodies()).toEqual([
				{
					agent_id: AGENT_ID,
					userid_list: 'manager001,dev001,dev002',
					dept_id_list: '200,300',
					msg: { msgtype: 'text', text: { content } },
				},
			]);
		});

		it('refuses a department ID from an expression that is not one (typed ones n8n checks itself)', async () => {
			const result = await env.run(
				send({
					departmentIdsPicked: { department: [{ department: byId('={{ "研发中心" }}') }] },
					content: unique('x'),
				}),
			);
			expect(errorOf(result).message).toMatch(/Departments "研发中心" is not a department ID/);
			expect(sendCalls()).toHaveLength(0);
		});
	});

	describe('Send: Wait for Send Result', () => {
		const PROGRESS = '/topapi/message/corpconversation/getsendprogress';
		const RESULT = '/topapi/message/corpconversation/getsendresult';

		it('waits until DingTalk has sent it, then reports everyone reached', async () => {
			const result = await env.run(
				send({
					userIds: 'dev001, dev002',
					content: unique('等待结果'),
					options: { waitForResult: true },
				}),
			);
			expect(result.error).toBeUndefined();
			const task = tasks().at(-1)!;
			// The first look finds it still sending; the node asks again a second later.
			expect(
				env.emulator.callsTo(PROGRESS).map((c) => (c.response as IDataObject).progress),
			).toEqual([
				{ progress_in_percent: 50, status: 1 },
				{ progress_in_percent: 100, status: 2 },
			]);
			expect(env.emulator.callsTo(RESULT).map((c) => c.body)).toEqual([
				{ agent_id: AGENT_ID, task_id: task.task_id },
			]);
			expect(result.items[0].json).toMatchObject({
				task_id: task.task_id,
				recipientsChecked: true,
				sendResult: {
					invalid_user_id_list: [],
					forbidden_user_id_list: [],
					failed_user_id_list: [],
					unread_user_id_list: ['dev001', 'dev002'],
				},
			});
		});

		it('sends an item with a userid DingTalk does not know, or a forbidden repeat, to the error output', async () => {
			const content = unique('未知用户');
			const items: INodeExecutionData[] = [
				{ json: { to: 'dev001, nosuchuser' } },
				{ json: { to: 'dev002' } },
				// The same content to dev002 again today: DingTalk forbids it (and still answers with a task id).
				{ json: { to: 'dev002' } },
			];
			const result = await env.run(
				send({ userIds: '={{ $json.to }}', content, options: { waitForResult: true } }),
				items,
				{ onError: 'continueErrorOutput' },
			);
			expect(result.error).toBeUndefined();
			const ok = result.output('DingTalk', 0);
			const failed = result.output('DingTalk', 1);
			expect(ok.map((i) => [i.pairedItem, i.json.recipientsChecked])).toEqual([
				[{ item: 1 }, true],
			]);
			expect(failed.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
			expect(failed[0].json.error).toBe(
				'The work notification did not reach every recipient — unknown userids (not in the organisation): nosuchuser',
			);
			expect(failed[0].json.details).toMatchObject({
				description: expect.stringMatching(/delivered it to the other recipients/),
				task_id: expect.any(Number),
				sendResult: { invalid_user_id_list: ['nosuchuser'], unread_user_id_list: ['dev001'] },
			});
			expect(failed[1].json.error).toMatch(
				/forbidden \(a repeat of the same content today.*\): dev002/,
			);
			expect(failed[1].json.details).toMatchObject({
				sendResult: { forbidden_list: [{ code: FORBIDDEN_REPEAT, userid: 'dev002' }] },
			});
			// Each item was sent once: the error says what DingTalk did, it does not send again.
			expect(sendCalls()).toHaveLength(3);
		});

		it('without an error output the first such item stops the node with the reason', async () => {
			const result = await env.run(
				send({ userIds: 'ghost001', content: unique('停止'), options: { waitForResult: true } }),
			);
			expect(errorOf(result).message).toMatch(
				/unknown userids \(not in the organisation\): ghost001/,
			);
		});
	});

	describe('Get Send Result', () => {
		const getResult = (parameters: INodeParameters = {}): INodeParameters => ({
			resource: 'workNotification',
			operation: 'getSendResult',
			taskIds: '={{ $json.task_ids }}',
			...parameters,
		});

		it('reports read, unread, invalid and forbidden (repeated content) users of a send', async () => {
			const content = unique('同一内容');
			const first = await env.run(
				send({ userIds: 'dev001,dev002,ghost404', departmentIds: '999', content }),
			);
			const repeat = await env.run(send({ userIds: 'dev001', content }));
			expect(first.error ?? repeat.error).toBeUndefined();
			const [firstTask, repeatTask] = tasks().slice(-2);
			firstTask.read.add('dev002');

			const result = await env.run(getResult(), first.items);
			expect(result.error).toBeUndefined();
			expect(result.items[0].json).toMatchObject({
				task_ids: [firstTask.task_id],
				invalid_user_id_list: ['ghost404'],
				invalid_dept_id_list: [999],
				read_user_id_list: ['dev002'],
				unread_user_id_list: ['dev001'],
				forbidden_user_id_list: [],
				failed_user_id_list: [],
				forbidden_list: [],
			});
			expect(result.items[0].pairedItem).toEqual({ item: 0 });

			const dropped = await env.run(getResult(), repeat.items);
			expect(dropped.items[0].json).toMatchObject({
				forbidden_user_id_list: ['dev001'],
				unread_user_id_list: [],
				forbidden_list: [
					{ code: FORBIDDEN_REPEAT, count: 1, userid: 'dev001', task_id: repeatTask.task_id },
				],
			});
			const calls = env.emulator.callsTo('/topapi/message/corpconversation/getsendresult');
			expect(calls.map((c) => c.body)).toEqual([
				{ agent_id: AGENT_ID, task_id: firstTask.task_id },
				{ agent_id: AGENT_ID, task_id: repeatTask.task_id },
			]);
		});

		it('merges the results of every task of a split send, with each task and its progress', async () => {
			const users = ['dev001', ...Array.from({ length: 100 }, (_, i) => `nobody${i}`)];
			const sent = await env.run(send({ userIds: users.join(','), content: unique('拆分') }));
			expect(sent.items[0].json.calls).toBe(2);
			const result = await env.run(getResult({ options: { includeProgress: true } }), sent.items);
			expect(result.error).toBeUndefined();
			const json = result.items[0].json;
			expect(json.task_ids).toEqual(sent.items[0].json.task_ids);
			expect(json.unread_user_id_list).toEqual(['dev001']);
			expect(json.invalid_user_id_list).toHaveLength(100);
			const results = json.results as IDataObject[];
			expect(results.map((r) => r.task_id)).toEqual(json.task_ids);
			// Asked right after the send, DingTalk is still sending (status 1).
			expect(results[0].progress).toEqual({ progress_in_percent: 50, status: 1 });
			expect(env.emulator.callsTo('/topapi/message/corpconversation/getsendprogress')).toHaveLength(
				2,
			);
		});

		it('takes one task ID typed in, and refuses what is not a task ID', async () => {
			const sent = await env.run(send({ userIds: 'dev001', content: unique('单个') }));
			const taskId = sent.items[0].json.task_id as number;
			const typed = await env.run(getResult({ taskIds: String(taskId) }));
			expect(typed.items[0].json.task_ids).toEqual([taskId]);

			env.emulator.calls.length = 0;
			const bad = await env.run(getResult({ taskIds: 'task-1' }));
			expect(errorOf(bad).message).toMatch(/Task IDs: "task-1" is not a task ID/);
			const empty = await env.run(getResult({ taskIds: '={{ $json.none }}' }));
			expect(errorOf(empty).message).toMatch(/Task IDs is empty/);
			expect(env.emulator.calls).toEqual([]);
		});
	});

	describe('Recall', () => {
		const recall = (parameters: INodeParameters = {}): INodeParameters => ({
			resource: 'workNotification',
			operation: 'recall',
			taskIds: '={{ $json.task_ids }}',
			...parameters,
		});

		it('recalls every task of a send within 24 hours', async () => {
			const users = Array.from({ length: 120 }, (_, i) => `r${i}`);
			const sent = await env.run(send({ userIds: users.join(','), content: unique('撤回我') }));
			const taskIds = sent.items[0].json.task_ids as number[];
			clock += 23 * 3600 * 1000;
			try {
				const result = await env.run(recall(), sent.items);
				expect(result.error).toBeUndefined();
				expect(result.items[0].json).toEqual({ recalled: true, task_ids: taskIds });
				// 23 hours later the token has expired too: the first call is refused (42001) and sent again.
				const recalls = env.emulator.callsTo('/topapi/message/corpconversation/recall');
				expect(recalls.map((c) => (c.response as IDataObject).errcode)).toEqual([42001, 0, 0]);
				expect(recalls.slice(1).map((c) => c.body)).toEqual(
					taskIds.map((id) => ({ agent_id: AGENT_ID, msg_task_id: id })),
				);
				expect(
					tasks()
						.slice(-2)
						.every((t) => t.recalled),
				).toBe(true);
			} finally {
				clock -= 23 * 3600 * 1000;
			}
		});

		it("routes a recall after 24 hours to the error output with DingTalk's reason", async () => {
			const sent = await env.run(send({ userIds: 'dev001', content: unique('太晚了') }));
			clock += DAY + 1000;
			try {
				const result = await env.run(recall(), sent.items, { onError: 'continueErrorOutput' });
				expect(result.error).toBeUndefined();
				const [failed] = result.output('DingTalk', 1);
				expect(failed.json.error).toMatch(/last 24 hours/);
				expect(failed.json.details).toMatchObject({ errcode: 40035 });
				expect(tasks().at(-1)!.recalled).toBe(false);
			} finally {
				clock -= DAY + 1000;
			}
		});
	});

	it('keeps the access token and the secret out of errors and items', async () => {
		const ok = await env.run(send({ userIds: 'dev001', content: unique('秘密') }));
		const token = storedToken(env);
		expect(JSON.stringify(ok.items)).not.toContain(token);
		env.emulator.injectFault({
			kind: 'errcode',
			errcode: 40035,
			errmsg: `bad access_token=${token} secret=${DINGTALK_SEED.appSecret}`,
			path: SEND_PATH,
		});
		const failed = await env.run(
			send({ userIds: 'dev001', content: unique('泄露') }),
			[{ json: {} }],
			{
				onError: 'continueErrorOutput',
			},
		);
		const text = JSON.stringify(failed.output('DingTalk', 1));
		expect(text).toContain('***');
		expect(text).not.toContain(token);
		expect(text).not.toContain(DINGTALK_SEED.appSecret);
	});
});
