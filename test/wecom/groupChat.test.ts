import type { INodeParameters, INodeProperties } from 'n8n-workflow';

import { WeCom } from '../../nodes/WeCom/WeCom.node';

import {
	apiCalls,
	binaryItem,
	byId,
	byList,
	bytesOf,
	errorOf,
	multipartOf,
	recipientList,
} from './messagingSupport';
import { startWeCom, type WeComTestEnv } from './setup';

type Ids = string | string[] | undefined;

/** Members lists as the editor saves them (one picked entry per ID, or one By ID entry holding an expression). */
const users = (ids: Ids) => (ids === undefined ? undefined : recipientList('user', ids));

const chat = (operation: string, parameters: INodeParameters): INodeParameters => {
	const { members, updateFields, ...rest } = parameters;
	const fields = updateFields as INodeParameters | undefined;
	return {
		resource: 'groupChat',
		operation,
		...rest,
		...(members !== undefined ? { members: users(members as Ids) } : {}),
		...(fields !== undefined
			? {
					updateFields: {
						...fields,
						...(fields.addMembers !== undefined
							? { addMembers: users(fields.addMembers as Ids) }
							: {}),
						...(fields.removeMembers !== undefined
							? { removeMembers: users(fields.removeMembers as Ids) }
							: {}),
					},
				}
			: {}),
	} as INodeParameters;
};

describe('WeCom Group Chat (appchat)', () => {
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
		env.emulator.wecom.chats.clear();
		env.emulator.wecom.chats.set('projectX', {
			chatid: 'projectX',
			name: '项目X',
			owner: 'zhangsan',
			userlist: ['zhangsan', 'lisi', 'wangwu'],
			chat_type: 0,
		});
	});

	describe('Create', () => {
		it('Members (and Add / Remove Members) are lists of searchable, paged member pickers', () => {
			const all = new WeCom().description.properties.filter((p) =>
				p.displayOptions?.show?.resource?.includes('groupChat'),
			);
			const members = all.find((p) => p.name === 'members')!;
			const update = all.find((p) => p.name === 'updateFields')!;
			const lists = [
				members,
				...(update.options as INodeProperties[]).filter((o) => /Members$/.test(o.name)),
			];
			expect(lists.map((p) => [p.name, p.type, p.typeOptions?.multipleValues])).toEqual([
				['members', 'fixedCollection', true],
				['addMembers', 'fixedCollection', true],
				['removeMembers', 'fixedCollection', true],
			]);
			for (const list of lists) {
				const [field] = (list.options as Array<{ values: INodeProperties[] }>)[0].values;
				expect(field.type).toBe('resourceLocator');
				expect(field.modes?.[0].typeOptions?.searchListMethod).toBe('searchUsers');
			}
		});

		it('creates a chat with name, owner, members and a chosen chatid', async () => {
			const result = await env.run(
				chat('create', {
					name: '季度复盘群',
					members: ['zhangsan', 'lisi', 'wangwu'],
					owner: byList('lisi'),
					additionalFields: { chatId: 'review2024Q3' },
				}),
			);

			expect(result.error).toBeUndefined();
			const calls = apiCalls(env);
			expect(calls).toHaveLength(1);
			expect(calls[0].method).toBe('POST');
			expect(calls[0].path).toBe('/cgi-bin/appchat/create');
			expect(calls[0].body).toEqual({
				name: '季度复盘群',
				owner: 'lisi',
				userlist: ['zhangsan', 'lisi', 'wangwu'],
				chatid: 'review2024Q3',
			});
			expect(result.items[0].json).toEqual({
				chatid: 'review2024Q3',
				name: '季度复盘群',
				owner: 'lisi',
				userlist: ['zhangsan', 'lisi', 'wangwu'],
			});
			expect(env.emulator.wecom.chats.get('review2024Q3')).toMatchObject({
				owner: 'lisi',
				name: '季度复盘群',
			});
		});

		it('lets WeCom choose the chatid and the owner, with members from a per-item expression', async () => {
			const result = await env.run(
				chat('create', {
					name: '={{ $json.title }}',
					members: '={{ $json.people }}',
					owner: byList(''),
				}),
				[{ json: { title: '午餐群', people: 'sunqi|zhouba,wujiu' } }],
			);

			expect(result.error).toBeUndefined();
			expect(apiCalls(env)[0].body).toEqual({
				name: '午餐群',
				userlist: ['sunqi', 'zhouba', 'wujiu'],
			});
			const chatid = result.items[0].json.chatid as string;
			expect(chatid).toMatch(/^wremu/);
			expect(env.emulator.wecom.chats.get(chatid)!.userlist).toEqual(['sunqi', 'zhouba', 'wujiu']);
		});

		const invalid: Array<[string, INodeParameters, RegExp]> = [
			[
				'one member',
				{ members: ['zhangsan'] },
				/Members: 1 given, a group chat needs 2 to 2000 members/,
			],
			[
				'an owner who is not a member',
				{ members: ['zhangsan', 'lisi'], owner: byId('wangwu') },
				/Owner "wangwu" is not among the members/,
			],
			[
				'a chatid with symbols',
				{ members: ['zhangsan', 'lisi'], additionalFields: { chatId: 'chat-01' } },
				/Chat ID "chat-01" is not valid: WeCom chat IDs are 1 to 32 letters and digits/,
			],
			[
				'a name over 50 characters',
				{ name: '群'.repeat(51), members: ['zhangsan', 'lisi'] },
				/Name is 51 characters: WeCom allows at most 50/,
			],
		];

		it.each(invalid)('rejects %s before any call', async (_name, parameters, message) => {
			const result = await env.run(chat('create', parameters));

			expect(errorOf(result).message).toMatch(message);
			expect(apiCalls(env)).toHaveLength(0);
		});

		it('surfaces WeCom refusing an unknown member', async () => {
			const result = await env.run(chat('create', { members: ['zhangsan', 'ghost'] }));

			expect(errorOf(result).message).toContain('86216');
		});
	});

	describe('Get', () => {
		it('gets a chat by chatid', async () => {
			const result = await env.run(chat('get', { chatId: 'projectX' }));

			expect(result.error).toBeUndefined();
			const calls = apiCalls(env);
			expect(calls).toHaveLength(1);
			expect(calls[0].method).toBe('GET');
			expect(calls[0].path).toBe('/cgi-bin/appchat/get');
			const { access_token: token, ...query } = calls[0].query;
			expect(token).toBeTruthy();
			expect(query).toEqual({ chatid: 'projectX' });
			expect(result.items[0].json).toEqual({
				chatid: 'projectX',
				name: '项目X',
				owner: 'zhangsan',
				userlist: ['zhangsan', 'lisi', 'wangwu'],
				chat_type: 0,
			});
		});

		it('with continueOnFail, outputs an error item for an unknown chat and goes on', async () => {
			const result = await env.run(
				chat('get', { chatId: '={{ $json.id }}' }),
				[{ json: { id: 'nope' } }, { json: { id: 'projectX' } }],
				{ continueOnFail: true },
			);

			expect(result.error).toBeUndefined();
			expect(result.items[0].json).toMatchObject({ details: { errcode: 86003 } });
			expect(result.items[0].pairedItem).toEqual({ item: 0 });
			expect(result.items[1].json.chatid).toBe('projectX');
			expect(result.items[1].pairedItem).toEqual({ item: 1 });
		});

		it('rejects an empty chat ID before any call', async () => {
			const result = await env.run(chat('get', { chatId: '={{ $json.id }}' }), [{ json: {} }]);

			expect(errorOf(result).message).toMatch(/Chat ID is empty/);
			expect(apiCalls(env)).toHaveLength(0);
		});
	});

	describe('Update', () => {
		it('renames, changes the owner, adds and removes members', async () => {
			const result = await env.run(
				chat('update', {
					chatId: 'projectX',
					updateFields: {
						name: '项目X（二期）',
						owner: byList('lisi'),
						addMembers: ['zhaoliu', 'sunqi'],
						removeMembers: 'wangwu',
					},
				}),
			);

			expect(result.error).toBeUndefined();
			const calls = apiCalls(env);
			expect(calls).toHaveLength(1);
			expect(calls[0].path).toBe('/cgi-bin/appchat/update');
			expect(calls[0].body).toEqual({
				chatid: 'projectX',
				name: '项目X（二期）',
				owner: 'lisi',
				add_user_list: ['zhaoliu', 'sunqi'],
				del_user_list: ['wangwu'],
			});
			expect(result.items[0].json).toEqual({
				chatid: 'projectX',
				name: '项目X（二期）',
				owner: 'lisi',
				add_user_list: ['zhaoliu', 'sunqi'],
				del_user_list: ['wangwu'],
				updated: true,
			});
			expect(env.emulator.wecom.chats.get('projectX')).toMatchObject({
				name: '项目X（二期）',
				owner: 'lisi',
				userlist: ['zhangsan', 'lisi', 'zhaoliu', 'sunqi'],
			});
		});

		it('sends only what changes', async () => {
			const result = await env.run(
				chat('update', { chatId: 'projectX', updateFields: { addMembers: ['qianyi'] } }),
			);

			expect(result.error).toBeUndefined();
			expect(apiCalls(env)[0].body).toEqual({ chatid: 'projectX', add_user_list: ['qianyi'] });
		});

		it('rejects an update without changes and a member both added and removed', async () => {
			const nothing = await env.run(chat('update', { chatId: 'projectX', updateFields: {} }));
			expect(errorOf(nothing).message).toMatch(/Nothing to update/);

			const both = await env.run(
				chat('update', {
					chatId: 'projectX',
					updateFields: { addMembers: ['sunqi'], removeMembers: ['sunqi'] },
				}),
			);
			expect(errorOf(both).message).toMatch(/sunqi is both added and removed/);
			expect(apiCalls(env)).toHaveLength(0);
		});

		it('surfaces WeCom refusing to drop below two members', async () => {
			const result = await env.run(
				chat('update', { chatId: 'projectX', updateFields: { removeMembers: ['lisi', 'wangwu'] } }),
			);

			expect(errorOf(result).message).toContain('86006');
		});
	});

	describe('Send', () => {
		const sendBodies = () => env.emulator.callsTo('/cgi-bin/appchat/send').map((c) => c.body);

		it.each([
			['text', { content: '今晚上线，请留意' }, { content: '今晚上线，请留意' }],
			['markdown', { content: '**上线** 完成' }, { content: '**上线** 完成' }],
			[
				'textcard',
				{
					cardTitle: '上线通知',
					cardDescription: '版本 1.2.0',
					cardUrl: 'https://example.com/r',
					buttonText: '查看',
				},
				{
					title: '上线通知',
					description: '版本 1.2.0',
					url: 'https://example.com/r',
					btntxt: '查看',
				},
			],
			[
				'news',
				{
					articles: {
						article: [{ title: '发布说明', url: 'https://example.com/n', description: '摘要' }],
					},
				},
				{ articles: [{ title: '发布说明', description: '摘要', url: 'https://example.com/n' }] },
			],
		])('sends %s', async (type, fields, content) => {
			const result = await env.run(
				chat('send', { chatId: 'projectX', messageType: type, ...fields, options: { safe: true } }),
			);

			expect(result.error).toBeUndefined();
			expect(sendBodies()).toEqual([
				{ chatid: 'projectX', msgtype: type, [type]: content, safe: 1 },
			]);
			expect(result.items[0].json).toEqual({ chatid: 'projectX', msgtype: type, sent: true });
			expect(env.emulator.sentMessages().at(-1)).toMatchObject({
				channel: 'appchat',
				chatid: 'projectX',
				msgtype: type,
			});
		});

		it.each([
			['image', '截图.png', 'image/png'],
			['voice', '语音.amr', 'audio/amr'],
			['video', '演示.mp4', 'video/mp4'],
			['file', '需求文档.pdf', 'application/pdf'],
		])(
			'uploads %s from a binary property and sends it to the chat',
			async (type, fileName, mimeType) => {
				const bytes = bytesOf(1234, type.length);
				const result = await env.run(chat('send', { chatId: 'projectX', messageType: type }), [
					binaryItem(bytes, fileName, mimeType),
				]);

				expect(result.error).toBeUndefined();
				const [upload, send] = apiCalls(env);
				expect(upload.path).toBe('/cgi-bin/media/upload');
				expect(upload.query.type).toBe(type);
				const file = multipartOf(upload).files[0];
				expect(file.filename).toBe(fileName);
				expect(file.data.equals(bytes)).toBe(true);
				const mediaId = (upload.response as { media_id: string }).media_id;
				expect(env.emulator.mediaBytes(mediaId)!.equals(bytes)).toBe(true);
				expect(send.path).toBe('/cgi-bin/appchat/send');
				expect(send.body).toEqual({
					chatid: 'projectX',
					msgtype: type,
					[type]: { media_id: mediaId },
				});
				expect(result.items[0].json).toMatchObject({
					chatid: 'projectX',
					msgtype: type,
					sent: true,
					media: { media_id: mediaId },
				});
			},
		);

		it('sends mpnews with a thumb uploaded before', async () => {
			const thumb = await env.run({ resource: 'media', operation: 'upload', mediaType: 'image' }, [
				binaryItem(bytesOf(500), 'cover.jpg', 'image/jpeg'),
			]);
			const thumbId = thumb.items[0].json.media_id as string;
			env.emulator.calls.length = 0;

			const result = await env.run(
				chat('send', {
					chatId: 'projectX',
					messageType: 'mpnews',
					mpnewsArticles: {
						article: [
							{
								title: '发布公告',
								thumb_media_id: thumbId,
								author: '研发中心',
								content_source_url: 'https://example.com/src',
								content: '<p>新版本已发布</p>',
								digest: '新版本',
							},
						],
					},
				}),
			);

			expect(result.error).toBeUndefined();
			expect(sendBodies()).toEqual([
				{
					chatid: 'projectX',
					msgtype: 'mpnews',
					mpnews: {
						articles: [
							{
								title: '发布公告',
								thumb_media_id: thumbId,
								author: '研发中心',
								content_source_url: 'https://example.com/src',
								content: '<p>新版本已发布</p>',
								digest: '新版本',
							},
						],
					},
				},
			]);
		});

		it('sends an existing media_id to the chat without uploading', async () => {
			const uploaded = await env.run(
				{ resource: 'media', operation: 'upload', mediaType: 'video' },
				[binaryItem(bytesOf(900), 'v.mp4', 'video/mp4')],
			);
			const mediaId = uploaded.items[0].json.media_id as string;
			env.emulator.calls.length = 0;

			const result = await env.run(
				chat('send', {
					chatId: 'projectX',
					messageType: 'video',
					mediaSource: 'mediaId',
					mediaId,
					videoTitle: '演示',
				}),
			);

			expect(result.error).toBeUndefined();
			expect(apiCalls(env).map((c) => c.path)).toEqual(['/cgi-bin/appchat/send']);
			expect(sendBodies()[0]).toEqual({
				chatid: 'projectX',
				msgtype: 'video',
				video: { media_id: mediaId, title: '演示' },
			});
		});

		it('sends per item to the chat an expression names; a bad item becomes an error item', async () => {
			env.emulator.wecom.chats.set('ops', {
				chatid: 'ops',
				name: '运维',
				owner: 'zhaoliu',
				userlist: ['zhaoliu', 'sunqi'],
				chat_type: 0,
			});
			const result = await env.run(
				chat('send', {
					chatId: '={{ $json.chat }}',
					messageType: 'text',
					content: '={{ $json.text }}',
				}),
				[
					{ json: { chat: 'projectX', text: '一' } },
					{ json: { chat: 'ops', text: '字'.repeat(700) } },
					{ json: { chat: 'ops', text: '三' } },
				],
				{ continueOnFail: true },
			);

			expect(result.error).toBeUndefined();
			expect(result.items[1].json.error).toMatch(
				/Content is 2100 bytes: WeCom allows at most 2048 bytes/,
			);
			expect(sendBodies()).toEqual([
				{ chatid: 'projectX', msgtype: 'text', text: { content: '一' } },
				{ chatid: 'ops', msgtype: 'text', text: { content: '三' } },
			]);
			expect(result.items.map((i) => i.pairedItem)).toEqual([
				{ item: 0 },
				{ item: 1 },
				{ item: 2 },
			]);
		});

		it('rejects a template card (appchat does not take them) and an oversize file before any call', async () => {
			const card = await env.run(
				chat('send', { chatId: 'projectX', messageType: 'template_card' }),
			);
			expect(errorOf(card).message).toMatch(/Message type "template_card" cannot be sent here/);

			const big = await env.run(chat('send', { chatId: 'projectX', messageType: 'voice' }), [
				binaryItem(Buffer.alloc(2 * 1024 * 1024 + 1), 'long.amr', 'audio/amr'),
			]);
			expect(errorOf(big).message).toMatch(/at most 2 MB for a voice message/);
			expect(apiCalls(env)).toHaveLength(0);
		});

		it('surfaces an unknown chat as WeCom answers it', async () => {
			const result = await env.run(
				chat('send', { chatId: 'nochat', messageType: 'text', content: 'x' }),
			);

			expect(errorOf(result).message).toContain('86003');
		});
	});
});
