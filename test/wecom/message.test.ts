import type { INodeParameters, INodeProperties } from 'n8n-workflow';

import type { User } from '../emulator/wecom/seed';
import { WeCom } from '../../nodes/WeCom/WeCom.node';
import {
	apiCalls,
	binaryItem,
	bytesOf,
	errorOf,
	multipartOf,
	sendParameters,
} from './messagingSupport';
import { startWeCom, type WeComTestEnv } from './setup';

const AGENT_ID = 1000002;

const send = (parameters: INodeParameters): INodeParameters => sendParameters(parameters);

describe('WeCom Message', () => {
	let env: WeComTestEnv;

	beforeAll(async () => {
		env = await startWeCom();
	});

	afterAll(async () => {
		await env.stop();
	});

	beforeEach(() => {
		env.emulator.calls.length = 0;
		env.emulator.clearFaults();
	});

	/** The bodies of the message/send calls since the test began. */
	const sendBodies = () => env.emulator.callsTo('/cgi-bin/message/send').map((c) => c.body);

	describe('Send: recipients', () => {
		it('sends text to users, departments and tags with one call and outputs msgid and empty invalid lists', async () => {
			const result = await env.run(
				send({
					toUsers: ['zhangsan', 'lisi'],
					toDepartments: ['2', '4'],
					toTags: ['1'],
					messageType: 'text',
					content: '明天上午十点开会',
				}),
			);

			expect(result.error).toBeUndefined();
			expect(apiCalls(env)).toHaveLength(1);
			expect(sendBodies()).toEqual([
				{
					touser: 'zhangsan|lisi',
					toparty: '2|4',
					totag: '1',
					msgtype: 'text',
					agentid: AGENT_ID,
					text: { content: '明天上午十点开会' },
				},
			]);
			const sent = env.emulator.sentMessages().at(-1)!;
			expect(result.items).toHaveLength(1);
			expect(result.items[0].json).toEqual({
				msgtype: 'text',
				msgid: sent.msgid,
				invaliduser: [],
				invalidparty: [],
				invalidtag: [],
				unlicenseduser: [],
			});
			expect(result.items[0].pairedItem).toEqual({ item: 0 });
		});

		it('sends to everyone with touser @all and ignores the pickers', async () => {
			const result = await env.run(
				send({ toAll: true, toUsers: ['zhangsan'], messageType: 'text', content: '全员通知' }),
			);

			expect(result.error).toBeUndefined();
			expect(sendBodies()).toEqual([
				{ touser: '@all', msgtype: 'text', agentid: AGENT_ID, text: { content: '全员通知' } },
			]);
			expect(env.emulator.sentMessages().at(-1)!.recipients.users).toContain('linfeng');
		});

		it('outputs partially invalid recipients as arrays', async () => {
			const result = await env.run(
				send({
					toUsers: ['zhangsan', 'ghost1', 'ghost2'],
					toDepartments: ['2', '999'],
					toTags: ['77'],
					messageType: 'text',
					content: 'hi',
				}),
			);

			expect(result.error).toBeUndefined();
			expect(result.items[0].json).toMatchObject({
				invaliduser: ['ghost1', 'ghost2'],
				invalidparty: ['999'],
				invalidtag: ['77'],
			});
		});

		it('Users and Departments are lists of searchable, paged pickers (resource locators), not option lists', () => {
			const properties = new WeCom().description.properties.filter(
				(p) =>
					(p.name === 'toUsers' || p.name === 'toDepartments') &&
					p.displayOptions?.show?.resource?.includes('message') &&
					p.displayOptions?.show?.operation?.includes('send'),
			);
			expect(properties.map((p) => [p.name, p.type, p.typeOptions?.multipleValues])).toEqual([
				['toUsers', 'fixedCollection', true],
				['toDepartments', 'fixedCollection', true],
			]);
			const locators = properties.map((p) => {
				const [field] = (p.options as Array<{ values: INodeProperties[] }>)[0].values;
				return [field.type, field.modes?.map((m) => m.typeOptions?.searchListMethod ?? m.name)];
			});
			expect(locators).toEqual([
				['resourceLocator', ['searchUsers', 'id']],
				['resourceLocator', ['searchDepartments', 'id']],
			]);
		});

		it('sends to every entry: picked members, an entry By ID with several userids, an expression giving an array', async () => {
			const result = await env.run(
				{
					resource: 'message',
					operation: 'send',
					toUsers: {
						user: [
							{ id: { __rl: true, mode: 'list', value: 'zhangsan' } },
							{ id: { __rl: true, mode: 'id', value: 'lisi | wangwu' } },
							{ id: { __rl: true, mode: 'id', value: '={{ $json.more }}' } },
							{ id: { __rl: true, mode: 'list', value: 'zhangsan' } },
						],
					},
					toDepartments: {
						department: [
							{ id: { __rl: true, mode: 'list', value: '6' } },
							{ id: { __rl: true, mode: 'id', value: '={{ $json.depts }}' } },
						],
					},
					messageType: 'text',
					content: '多人',
				},
				[{ json: { more: ['zhaoliu', 'sunqi'], depts: [7] } }],
			);

			expect(result.error).toBeUndefined();
			expect(sendBodies()).toEqual([
				{
					touser: 'zhangsan|lisi|wangwu|zhaoliu|sunqi',
					toparty: '6|7',
					msgtype: 'text',
					agentid: AGENT_ID,
					text: { content: '多人' },
				},
			]);
		});

		it('reads recipients per item from expressions: arrays, "|" and "," strings, objects with userid', async () => {
			const items = [
				{ json: { to: ['zhangsan', 'lisi'], text: '第一条' } },
				{ json: { to: 'wangwu|zhaoliu', depts: '6,7', text: '第二条' } },
				{ json: { to: [{ userid: 'sunqi' }, 'zhouba , wujiu'], text: '第三条' } },
			];
			const result = await env.run(
				send({
					toUsers: '={{ $json.to }}',
					toDepartments: '={{ $json.depts }}',
					messageType: 'text',
					content: '={{ $json.text }}',
				}),
				items,
			);

			expect(result.error).toBeUndefined();
			expect(sendBodies()).toEqual([
				{
					touser: 'zhangsan|lisi',
					msgtype: 'text',
					agentid: AGENT_ID,
					text: { content: '第一条' },
				},
				{
					touser: 'wangwu|zhaoliu',
					toparty: '6|7',
					msgtype: 'text',
					agentid: AGENT_ID,
					text: { content: '第二条' },
				},
				{
					touser: 'sunqi|zhouba|wujiu',
					msgtype: 'text',
					agentid: AGENT_ID,
					text: { content: '第三条' },
				},
			]);
			expect(result.items.map((i) => i.pairedItem)).toEqual([
				{ item: 0 },
				{ item: 1 },
				{ item: 2 },
			]);
		});

		it('splits 2,500 users into 3 calls and merges msgids and invaliduser', async () => {
			const template = env.emulator.wecom.users[0];
			const extra: User[] = Array.from({ length: 2497 }, (_, i) => ({
				...template,
				userid: `bulk${String(i).padStart(4, '0')}`,
			}));
			const originalUsers = [...env.emulator.wecom.users];
			env.emulator.wecom.users.push(...extra);
			try {
				const ids = extra.map((u) => u.userid);
				ids.splice(10, 0, 'ghost-a');
				ids.splice(1500, 0, 'ghost-b');
				ids.push('ghost-c');
				expect(ids).toHaveLength(2500);

				const result = await env.run(
					send({ toUsers: '={{ $json.ids }}', messageType: 'text', content: '批量通知' }),
					[{ json: { ids } }],
				);

				expect(result.error).toBeUndefined();
				const bodies = sendBodies() as Array<{ touser: string; text: unknown; agentid: number }>;
				expect(bodies).toHaveLength(3);
				expect(bodies.map((b) => b.touser.split('|').length)).toEqual([1000, 1000, 500]);
				expect(bodies.flatMap((b) => b.touser.split('|'))).toEqual(ids);
				expect(bodies.every((b) => b.agentid === AGENT_ID)).toBe(true);
				expect(bodies.every((b) => JSON.stringify(b.text) === '{"content":"批量通知"}')).toBe(true);

				const json = result.items[0].json;
				const msgids = env.emulator
					.sentMessages()
					.slice(-3)
					.map((m) => m.msgid);
				expect(json.msgids).toEqual(msgids);
				expect(new Set(json.msgids as string[]).size).toBe(3);
				expect(json.msgid).toBeUndefined();
				expect(json.calls).toBe(3);
				expect(json.invaliduser).toEqual(['ghost-a', 'ghost-b', 'ghost-c']);
			} finally {
				env.emulator.wecom.users.splice(0, env.emulator.wecom.users.length, ...originalUsers);
			}
		});

		it('splits 150 departments into 2 calls; a slice that reaches no one (81013) is merged as invalid', async () => {
			const departments = Array.from({ length: 150 }, (_, i) => String(i + 1));
			const result = await env.run(
				send({
					toUsers: ['zhangsan'],
					toDepartments: departments,
					messageType: 'text',
					content: 'x',
				}),
			);

			expect(result.error).toBeUndefined();
			const bodies = sendBodies() as Array<Record<string, string>>;
			expect(bodies).toHaveLength(2);
			expect(bodies[0].touser).toBe('zhangsan');
			expect(bodies[0].toparty.split('|')).toEqual(departments.slice(0, 100));
			expect(bodies[1].touser).toBeUndefined();
			expect(bodies[1].toparty.split('|')).toEqual(departments.slice(100));
			expect(env.emulator.callsTo('/cgi-bin/message/send')[1].response).toMatchObject({
				errcode: 81013,
			});

			const json = result.items[0].json;
			expect(json.msgids).toHaveLength(1);
			expect(json.invalidparty).toEqual(departments.slice(10));
		});

		it('when a later slice of a split send fails, the error says which msgids were already sent', async () => {
			// Faults are taken in order: the first call only gets a 1 ms delay, the second the error.
			env.emulator.injectFault({ kind: 'latency', ms: 1, path: '/cgi-bin/message/send' });
			env.emulator.injectFault({ kind: 'errcode', errcode: 60011, path: '/cgi-bin/message/send' });
			const departments = Array.from({ length: 150 }, (_, i) => String(i + 1));

			const result = await env.run(
				send({
					toUsers: ['zhangsan'],
					toDepartments: departments,
					messageType: 'text',
					content: 'x',
				}),
			);

			const error = errorOf(result);
			expect(error.message).toContain('60011');
			const sent = env.emulator.sentMessages().at(-1)!.msgid!;
			expect(error.message).toContain(
				`— of 2 calls: call 1 (users zhangsan, departments 1–100) sent (msgid ${sent}); call 2 (departments 101–150) failed.`,
			);
			expect(error.description).toContain(`Already sent: msgids ${sent}; only the rest failed.`);
			expect(sendBodies()).toHaveLength(2);
		});

		it('when every call of a split send reaches no one (81013), the error says nothing was sent, call by call', async () => {
			const departments = Array.from({ length: 150 }, (_, i) => String(5000 + i));
			const sentBefore = env.emulator.sentMessages().length;

			const error = errorOf(
				await env.run(send({ toDepartments: departments, messageType: 'text', content: 'x' })),
			);

			expect(error.message).toMatch(/^Every recipient was invalid .*81013/);
			expect(error.message).toContain(
				'— nothing was sent, of 2 calls: call 1 (departments 1–100) reached no one (81013); call 2 (departments 101–150) reached no one (81013)',
			);
			expect(env.emulator.sentMessages()).toHaveLength(sentBefore);
		});

		it('when the third of three calls fails, calls 1 and 2 are named as sent and their recipients by position', async () => {
			env.emulator.injectFault({ kind: 'latency', ms: 1, path: '/cgi-bin/message/send' });
			env.emulator.injectFault({ kind: 'latency', ms: 1, path: '/cgi-bin/message/send' });
			env.emulator.injectFault({ kind: 'http', status: 400, path: '/cgi-bin/message/send' });
			const template = env.emulator.wecom.users.find((u) => u.userid === 'zhangsan')!;
			const extra = Array.from({ length: 2100 }, (_, i) => ({
				...structuredClone(template),
				userid: `many${String(i).padStart(4, '0')}`,
			}));
			const original = [...env.emulator.wecom.users];
			env.emulator.wecom.users.push(...extra);
			try {
				const error = errorOf(
					await env.run(
						send({ toUsers: '={{ $json.ids }}', messageType: 'text', content: '三批' }),
						[{ json: { ids: extra.map((u) => u.userid) } }],
					),
				);

				const [first, second] = env.emulator
					.sentMessages()
					.slice(-2)
					.map((m) => m.msgid);
				expect(error.message).toContain(
					`of 3 calls: call 1 (users 1–1000) sent (msgid ${first}); call 2 (users 1001–2000) sent (msgid ${second}); call 3 (users 2001–2100) failed.`,
				);
			} finally {
				env.emulator.wecom.users.splice(0, env.emulator.wecom.users.length, ...original);
			}
		});

		it('surfaces 81013 (every recipient invalid) with the hint', async () => {
			const result = await env.run(
				send({ toUsers: ['ghost1', 'ghost2'], messageType: 'text', content: 'hi' }),
			);

			const error = errorOf(result);
			expect(error.message).toContain('Every recipient was invalid');
			expect(error.message).toContain('81013');
			expect(error.message).toContain(
				"— nothing was sent: users ghost1, ghost2 — none is a valid recipient in the app's visibility scope",
			);
			expect(error.description).toContain('所有接收人都无效');
			expect(apiCalls(env)).toHaveLength(1);
		});
	});

	describe('Send: message types', () => {
		it('sends markdown', async () => {
			const content = '## 周报\n> 完成 **3** 项\n[详情](https://example.com)';
			const result = await env.run(send({ toUsers: ['lisi'], messageType: 'markdown', content }));

			expect(result.error).toBeUndefined();
			expect(sendBodies()).toEqual([
				{ touser: 'lisi', msgtype: 'markdown', agentid: AGENT_ID, markdown: { content } },
			]);
		});

		it('sends a text card', async () => {
			const result = await env.run(
				send({
					toUsers: ['lisi'],
					messageType: 'textcard',
					cardTitle: '领奖通知',
					cardDescription:
						'<div class="gray">2016年9月26日</div><div class="highlight">请于10月10日前联系行政同事领取</div>',
					cardUrl: 'https://example.com/award',
					buttonText: '更多',
				}),
			);

			expect(result.error).toBeUndefined();
			expect(sendBodies()).toEqual([
				{
					touser: 'lisi',
					msgtype: 'textcard',
					agentid: AGENT_ID,
					textcard: {
						title: '领奖通知',
						description:
							'<div class="gray">2016年9月26日</div><div class="highlight">请于10月10日前联系行政同事领取</div>',
						url: 'https://example.com/award',
						btntxt: '更多',
					},
				},
			]);
		});

		it('sends news with two articles (empty fields left out)', async () => {
			const result = await env.run(
				send({
					toUsers: ['lisi'],
					messageType: 'news',
					articles: {
						article: [
							{
								title: '中秋节礼品领取',
								description: '今年中秋节公司有豪礼相送',
								url: 'https://example.com/gift',
								picurl: 'https://example.com/gift.png',
							},
							{ title: '小程序文章', appid: 'wx123456', pagepath: 'pages/index' },
						],
					},
				}),
			);

			expect(result.error).toBeUndefined();
			expect(sendBodies()).toEqual([
				{
					touser: 'lisi',
					msgtype: 'news',
					agentid: AGENT_ID,
					news: {
						articles: [
							{
								title: '中秋节礼品领取',
								description: '今年中秋节公司有豪礼相送',
								url: 'https://example.com/gift',
								picurl: 'https://example.com/gift.png',
							},
							{ title: '小程序文章', appid: 'wx123456', pagepath: 'pages/index' },
						],
					},
				},
			]);
		});

		it('uploads an image from a binary property (Chinese file name) and sends its media_id', async () => {
			const bytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), bytesOf(3000)]);
			const result = await env.run(
				send({
					toUsers: ['zhangsan'],
					messageType: 'image',
					mediaSource: 'binary',
					binaryPropertyName: 'photo',
				}),
				[binaryItem(bytes, '报销单截图.png', 'image/png', {}, 'photo')],
			);

			expect(result.error).toBeUndefined();
			const calls = apiCalls(env);
			expect(calls.map((c) => c.path)).toEqual(['/cgi-bin/media/upload', '/cgi-bin/message/send']);
			expect(calls[0].query.type).toBe('image');
			const part = multipartOf(calls[0]).files[0];
			expect(part.field).toBe('media');
			expect(part.filename).toBe('报销单截图.png');
			expect(part.contentType).toBe('image/png');
			expect(part.data.equals(bytes)).toBe(true);

			const mediaId = (calls[0].response as { media_id: string }).media_id;
			expect(env.emulator.mediaBytes(mediaId)!.equals(bytes)).toBe(true);
			expect(calls[1].body).toEqual({
				touser: 'zhangsan',
				msgtype: 'image',
				agentid: AGENT_ID,
				image: { media_id: mediaId },
			});
			expect(result.items[0].json.media).toMatchObject({
				media_id: mediaId,
				type: 'image',
				fileName: '报销单截图.png',
				fileSize: bytes.length,
			});
		});

		it.each([
			['voice', '会议录音.amr', 'audio/amr'],
			['video', '培训视频.mp4', 'video/mp4'],
			['file', '季度报告 Q3.pdf', 'application/pdf'],
		])('uploads %s from a binary property and sends it', async (type, fileName, mimeType) => {
			const bytes = bytesOf(5000, type.length);
			const extra =
				type === 'video' ? { videoTitle: '新员工培训', videoDescription: '第一课' } : {};
			const result = await env.run(
				send({ toUsers: ['zhangsan'], messageType: type, mediaSource: 'binary', ...extra }),
				[binaryItem(bytes, fileName, mimeType)],
			);

			expect(result.error).toBeUndefined();
			const [upload, message] = apiCalls(env);
			expect(upload.query.type).toBe(type);
			expect(multipartOf(upload).files[0].filename).toBe(fileName);
			const mediaId = (upload.response as { media_id: string }).media_id;
			expect(env.emulator.mediaBytes(mediaId)!.equals(bytes)).toBe(true);
			expect(message.body).toEqual({
				touser: 'zhangsan',
				msgtype: type,
				agentid: AGENT_ID,
				[type]:
					type === 'video'
						? { media_id: mediaId, title: '新员工培训', description: '第一课' }
						: { media_id: mediaId },
			});
		});

		it('sends an existing media_id without uploading', async () => {
			const upload = await env.run({ resource: 'media', operation: 'upload', mediaType: 'file' }, [
				binaryItem(bytesOf(100), 'a.txt', 'text/plain'),
			]);
			const mediaId = upload.items[0].json.media_id as string;
			env.emulator.calls.length = 0;

			const result = await env.run(
				send({ toUsers: ['zhangsan'], messageType: 'file', mediaSource: 'mediaId', mediaId }),
			);

			expect(result.error).toBeUndefined();
			expect(apiCalls(env).map((c) => c.path)).toEqual(['/cgi-bin/message/send']);
			expect(sendBodies()[0]).toEqual({
				touser: 'zhangsan',
				msgtype: 'file',
				agentid: AGENT_ID,
				file: { media_id: mediaId },
			});
			expect(result.items[0].json.media).toBeUndefined();
		});

		it('rejects an oversize or wrong-type image before any upload', async () => {
			const tooBig = await env.run(send({ toUsers: ['zhangsan'], messageType: 'image' }), [
				binaryItem(Buffer.alloc(10 * 1024 * 1024 + 1, 1), 'big.png', 'image/png'),
			]);
			expect(errorOf(tooBig).message).toMatch(/10485761 bytes .*at most 10 MB for an image/);

			const gif = await env.run(send({ toUsers: ['zhangsan'], messageType: 'image' }), [
				binaryItem(bytesOf(100), 'anim.gif', 'image/gif'),
			]);
			expect(errorOf(gif).message).toMatch(/extension \.gif: WeCom accepts only jpg\/jpeg\/png/);
			expect(apiCalls(env)).toHaveLength(0);
		});

		it('sends a text notice template card built from the fields', async () => {
			const result = await env.run(
				send({
					toUsers: ['zhangsan'],
					messageType: 'template_card',
					templateCardMode: 'fields',
					cardType: 'text_notice',
					cardMainTitle: '报销已通过',
					cardMainTitleDesc: '2024-05-01',
					cardAction: { action: { type: 1, url: 'https://example.com/a' } },
					cardFields: {
						sourceIconUrl: 'https://example.com/i.png',
						sourceDesc: '审批助手',
						sourceDescColor: 3,
						emphasisTitle: '¥1,280',
						emphasisDesc: '报销金额',
						subTitleText: '请在 3 天内领取',
						horizontalContent: {
							line: [
								{ keyname: '申请人', value: '张三', type: 3, userid: 'zhangsan' },
								{ keyname: '单号', value: '202405010001' },
								{ keyname: '详情', value: '打开', type: 1, url: 'https://example.com/d' },
							],
						},
						jumpList: {
							link: [
								{ title: '查看', type: 1, url: 'https://example.com/j' },
								{ title: '小程序', type: 2, appid: 'wx123', pagepath: 'pages/index' },
							],
						},
					},
				}),
			);

			expect(result.error).toBeUndefined();
			expect(sendBodies()).toEqual([
				{
					touser: 'zhangsan',
					msgtype: 'template_card',
					agentid: AGENT_ID,
					template_card: {
						card_type: 'text_notice',
						source: { icon_url: 'https://example.com/i.png', desc: '审批助手', desc_color: 3 },
						main_title: { title: '报销已通过', desc: '2024-05-01' },
						emphasis_content: { title: '¥1,280', desc: '报销金额' },
						sub_title_text: '请在 3 天内领取',
						horizontal_content_list: [
							{ keyname: '申请人', value: '张三', type: 3, userid: 'zhangsan' },
							{ keyname: '单号', value: '202405010001' },
							{ keyname: '详情', value: '打开', type: 1, url: 'https://example.com/d' },
						],
						jump_list: [
							{ type: 1, url: 'https://example.com/j', title: '查看' },
							{ type: 2, appid: 'wx123', pagepath: 'pages/index', title: '小程序' },
						],
						card_action: { type: 1, url: 'https://example.com/a' },
					},
				},
			]);
		});

		it('sends a news notice template card with its image', async () => {
			const result = await env.run(
				send({
					toUsers: ['zhangsan'],
					messageType: 'template_card',
					cardType: 'news_notice',
					cardMainTitle: '新品发布',
					cardImageUrl: 'https://example.com/big.png',
					cardAction: { action: { type: 2, appid: 'wx123', pagepath: 'pages/p' } },
				}),
			);

			expect(result.error).toBeUndefined();
			expect((sendBodies()[0] as { template_card: unknown }).template_card).toEqual({
				card_type: 'news_notice',
				main_title: { title: '新品发布' },
				card_image: { url: 'https://example.com/big.png' },
				card_action: { type: 2, appid: 'wx123', pagepath: 'pages/p' },
			});
		});

		it('sends a button interaction card and outputs its response_code', async () => {
			const result = await env.run(
				send({
					toUsers: ['zhangsan'],
					messageType: 'template_card',
					cardType: 'button_interaction',
					cardMainTitle: '是否同意采购',
					cardTaskId: 'task_purchase_001',
					cardButtons: {
						button: [
							{ text: '同意', key: 'agree', style: 1 },
							{ text: '驳回', key: 'reject', style: 3 },
						],
					},
				}),
			);

			expect(result.error).toBeUndefined();
			expect((sendBodies()[0] as { template_card: unknown }).template_card).toEqual({
				card_type: 'button_interaction',
				main_title: { title: '是否同意采购' },
				task_id: 'task_purchase_001',
				button_list: [
					{ text: '同意', style: 1, key: 'agree' },
					{ text: '驳回', style: 3, key: 'reject' },
				],
			});
			const answer = env.emulator.callsTo('/cgi-bin/message/send')[0].response as {
				response_code: string;
			};
			expect(result.items[0].json.response_code).toBe(answer.response_code);
		});

		it('sends a full card given as JSON (vote interaction) unchanged', async () => {
			const card = {
				card_type: 'vote_interaction',
				main_title: { title: '午餐投票' },
				task_id: 'vote_lunch_001',
				checkbox: {
					question_key: 'lunch',
					mode: 1,
					option_list: [
						{ id: 'a', text: '面条' },
						{ id: 'b', text: '米饭', is_checked: true },
					],
				},
				submit_button: { text: '提交', key: 'submit' },
			};
			const result = await env.run(
				send({
					toUsers: ['zhangsan'],
					messageType: 'template_card',
					templateCardMode: 'json',
					templateCardJson: JSON.stringify(card),
				}),
			);

			expect(result.error).toBeUndefined();
			expect((sendBodies()[0] as { template_card: unknown }).template_card).toEqual(card);
		});

		it('sends safe, enable_id_trans and the duplicate check options', async () => {
			const result = await env.run(
				send({
					toUsers: ['zhangsan'],
					messageType: 'text',
					content: '$userName=zhangsan$ 你好',
					options: {
						safe: true,
						enableIdTrans: true,
						enableDuplicateCheck: true,
						duplicateCheckInterval: 600,
					},
				}),
			);

			expect(result.error).toBeUndefined();
			expect(sendBodies()).toEqual([
				{
					touser: 'zhangsan',
					msgtype: 'text',
					agentid: AGENT_ID,
					text: { content: '$userName=zhangsan$ 你好' },
					safe: 1,
					enable_id_trans: 1,
					enable_duplicate_check: 1,
					duplicate_check_interval: 600,
				},
			]);
		});

		it('accepts text of exactly 2,048 bytes (682 Chinese characters + 2 ASCII)', async () => {
			const content = '字'.repeat(682) + 'ab';
			expect(Buffer.byteLength(content)).toBe(2048);
			const result = await env.run(send({ toUsers: ['zhangsan'], messageType: 'text', content }));

			expect(result.error).toBeUndefined();
			expect((sendBodies()[0] as { text: unknown }).text).toEqual({ content });
		});
	});

	describe('Send: validation before any call', () => {
		const cases: Array<[string, INodeParameters, RegExp]> = [
			[
				'no recipient',
				{ toUsers: '={{ [] }}', messageType: 'text', content: 'x' },
				/No recipient: choose at least one user, department or tag/,
			],
			[
				'text over 2,048 bytes (counted in UTF-8)',
				{ toUsers: ['zhangsan'], messageType: 'text', content: '字'.repeat(682) + 'abc' },
				/Content is 2049 bytes: WeCom allows at most 2048 bytes/,
			],
			[
				'markdown over 2,048 bytes',
				{ toUsers: ['zhangsan'], messageType: 'markdown', content: 'a'.repeat(2049) },
				/Content is 2049 bytes: WeCom allows at most 2048 bytes/,
			],
			[
				'empty text from an expression',
				{ toUsers: ['zhangsan'], messageType: 'text', content: '={{ $json.missing }}' },
				/Content is empty/,
			],
			[
				'text card title over 128 bytes',
				{
					toUsers: ['zhangsan'],
					messageType: 'textcard',
					cardTitle: '标'.repeat(43),
					cardDescription: 'd',
					cardUrl: 'https://example.com',
				},
				/Title is 129 bytes: WeCom allows at most 128 bytes/,
			],
			[
				'text card description over 512 bytes',
				{
					toUsers: ['zhangsan'],
					messageType: 'textcard',
					cardTitle: 't',
					cardDescription: '述'.repeat(171),
					cardUrl: 'https://example.com',
				},
				/Description is 513 bytes: WeCom allows at most 512 bytes/,
			],
			[
				'text card button text over 4 characters',
				{
					toUsers: ['zhangsan'],
					messageType: 'textcard',
					cardTitle: 't',
					cardDescription: 'd',
					cardUrl: 'https://example.com',
					buttonText: '查看详情页',
				},
				/Button Text "查看详情页" is 5 characters: WeCom allows at most 4/,
			],
			[
				'news without articles',
				{ toUsers: ['zhangsan'], messageType: 'news', articles: {} },
				/Articles: 0 given, WeCom needs 1 to 8 articles/,
			],
			[
				'news with nine articles',
				{
					toUsers: ['zhangsan'],
					messageType: 'news',
					articles: {
						article: Array.from({ length: 9 }, (_, i) => ({
							title: `t${i}`,
							url: 'https://e.com',
						})),
					},
				},
				/Articles: 9 given, WeCom needs 1 to 8 articles/,
			],
			[
				'news article without a link',
				{ toUsers: ['zhangsan'], messageType: 'news', articles: { article: [{ title: 't' }] } },
				/Article 1 has no link/,
			],
			[
				'text notice without card action',
				{
					toUsers: ['zhangsan'],
					messageType: 'template_card',
					cardType: 'text_notice',
					cardMainTitle: 't',
				},
				/^Template card: Card Action is required for this card type \(what a click on the card opens\)/,
			],
			[
				'text notice without any title',
				{
					toUsers: ['zhangsan'],
					messageType: 'template_card',
					cardType: 'text_notice',
					cardAction: { action: { type: 1, url: 'https://e.com' } },
				},
				/^Template card: Fill Main Title, or add Sub-Title Text under Additional Card Fields$/,
			],
			[
				'button card without task_id',
				{
					toUsers: ['zhangsan'],
					messageType: 'template_card',
					cardType: 'button_interaction',
					cardMainTitle: 't',
					cardButtons: { button: [{ text: 'ok', key: 'ok', style: 1 }] },
				},
				/^Template card: Task ID is required: 1 to 128 characters/,
			],
			[
				'button card without buttons',
				{
					toUsers: ['zhangsan'],
					messageType: 'template_card',
					cardType: 'button_interaction',
					cardMainTitle: 't',
					cardTaskId: 'task1',
				},
				/^Template card: Buttons must hold 1 to 6 buttons, it has 0$/,
			],
			[
				'news notice without image',
				{
					toUsers: ['zhangsan'],
					messageType: 'template_card',
					cardType: 'news_notice',
					cardMainTitle: 't',
					cardAction: { action: { type: 1, url: 'https://e.com' } },
				},
				/^Template card: Card Image URL is required for a News Notice card$/,
			],
			[
				'a horizontal content line without a key name',
				{
					toUsers: ['zhangsan'],
					messageType: 'template_card',
					cardType: 'text_notice',
					cardMainTitle: 't',
					cardAction: { action: { type: 1, url: 'https://e.com' } },
					cardFields: { horizontalContent: { line: [{ value: 'v' }] } },
				},
				/^Template card: Horizontal Content \(under Additional Card Fields\) → entry 1: Key Name is required$/,
			],
			[
				'a card action of type URL without the URL',
				{
					toUsers: ['zhangsan'],
					messageType: 'template_card',
					cardType: 'text_notice',
					cardMainTitle: 't',
					cardAction: { action: { type: 1 } },
				},
				/^Template card: Card Action → URL is required when Card Action → Type is URL$/,
			],
			[
				'card JSON of a text notice without any title (named by its JSON path)',
				{
					toUsers: ['zhangsan'],
					messageType: 'template_card',
					templateCardMode: 'json',
					templateCardJson:
						'{"card_type": "text_notice", "card_action": {"type": 1, "url": "https://e.com"}}',
				},
				/^Template card \(text_notice\): main_title.title or sub_title_text is required$/,
			],
			[
				'card JSON that does not parse',
				{
					toUsers: ['zhangsan'],
					messageType: 'template_card',
					templateCardMode: 'json',
					templateCardJson: '{"card_type": "text_notice",',
				},
				/Template Card JSON is not valid JSON/,
			],
			[
				'card JSON of an unknown card type',
				{
					toUsers: ['zhangsan'],
					messageType: 'template_card',
					templateCardMode: 'json',
					templateCardJson: '{"card_type": "fancy"}',
				},
				/card_type must be one of text_notice, news_notice, button_interaction/,
			],
			[
				'a department that is not a number',
				{ toDepartments: ['研发'], messageType: 'text', content: 'x' },
				/Departments: "研发" is not a numeric ID/,
			],
			[
				'a duplicate check interval over 4 hours',
				{
					toUsers: ['zhangsan'],
					messageType: 'text',
					content: 'x',
					options: { enableDuplicateCheck: true, duplicateCheckInterval: 20000 },
				},
				/Duplicate Check Interval is 20000: WeCom takes 1 to 14400 seconds/,
			],
		];

		it.each(cases)('rejects %s', async (_name, parameters, message) => {
			const result = await env.run(send(parameters));

			expect(errorOf(result).message).toMatch(message);
			expect(apiCalls(env)).toHaveLength(0);
		});

		it.each(cases.filter(([, p]) => p.templateCardMode === undefined))(
			'names UI labels, not API paths, when it rejects %s',
			async (_name, parameters) => {
				const { message } = errorOf(await env.run(send(parameters)));

				// snake_case keys (main_title, card_action, …) and dotted paths are the API's words, not the form's.
				expect(message).not.toMatch(/\b[a-z]+_[a-z_]+\b|\b[a-z_]+\.[a-z_]+\b|\[\d+\]/);
			},
		);
	});

	describe('continueOnFail', () => {
		it('turns a bad item into an error item and sends the others', async () => {
			const items = [
				{ json: { to: 'zhangsan', text: '一' } },
				{ json: { to: 'lisi', text: 'x'.repeat(3000) } },
				{ json: { to: 'ghost', text: '三' } },
				{ json: { to: 'wangwu', text: '四' } },
			];
			const result = await env.run(
				send({ toUsers: '={{ $json.to }}', messageType: 'text', content: '={{ $json.text }}' }),
				items,
				{ continueOnFail: true },
			);

			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(4);
			expect(result.items.map((i) => i.pairedItem)).toEqual([
				{ item: 0 },
				{ item: 1 },
				{ item: 2 },
				{ item: 3 },
			]);
			expect(result.items[0].json.msgid).toEqual(expect.any(String));
			expect(result.items[1].json.error).toMatch(/Content is 3000 bytes/);
			expect(result.items[2].json).toMatchObject({ details: { errcode: 81013 } });
			expect(result.items[2].json.error).toMatch(/Every recipient was invalid/);
			expect(result.items[3].json.msgid).toEqual(expect.any(String));
			expect((sendBodies() as Array<{ touser: string }>).map((b) => b.touser)).toEqual([
				'zhangsan',
				'ghost',
				'wangwu',
			]);
		});
	});

	describe('Recall', () => {
		it('recalls a sent message by msgid', async () => {
			const sent = await env.run(
				send({ toUsers: ['zhangsan'], messageType: 'text', content: '发错了' }),
			);
			const msgid = sent.items[0].json.msgid as string;
			env.emulator.calls.length = 0;

			const result = await env.run(
				{ resource: 'message', operation: 'recall', msgid: '={{ $json.msgid }}' },
				[{ json: { msgid } }],
			);

			expect(result.error).toBeUndefined();
			const calls = apiCalls(env);
			expect(calls).toHaveLength(1);
			expect(calls[0].path).toBe('/cgi-bin/message/recall');
			expect(calls[0].body).toEqual({ msgid });
			expect(result.items[0].json).toEqual({ msgid, recalled: true });
			expect(env.emulator.sentMessages().find((m) => m.msgid === msgid)!.recalled).toBe(true);
		});

		it('reports an unknown msgid as WeCom answers it', async () => {
			const result = await env.run({ resource: 'message', operation: 'recall', msgid: 'nope' });

			const error = errorOf(result);
			expect(error.message).toContain('40058');
			expect(error.message).toMatch(/invalid msgid/);
		});

		it('rejects an empty msgid before any call', async () => {
			const result = await env.run(
				{ resource: 'message', operation: 'recall', msgid: '={{ $json.none }}' },
				[{ json: {} }],
			);

			expect(errorOf(result).message).toMatch(/Message ID is empty/);
			expect(apiCalls(env)).toHaveLength(0);
		});
	});
});
