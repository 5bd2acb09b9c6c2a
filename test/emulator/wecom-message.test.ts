/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
import { ApiEmulator, encodeMultipart } from '.';
import { WeComClient } from './testClient';

describe('WeCom message/send and message/recall', () => {
	let clock: number;
	let emulator: ApiEmulator;
	let client: WeComClient;

	beforeEach(async () => {
		clock = Date.UTC(2024, 8, 1);
		emulator = await ApiEmulator.start({
			plugins: ['wecom'],
			now: () => clock,
			tokenLifetimeMs: 30 * 86400_000,
		});
		client = new WeComClient(emulator);
	});

	afterEach(async () => {
		await emulator.stop();
	});

	const send = (body: Record<string, unknown>) =>
		client.post('/cgi-bin/message/send', { agentid: 1000002, touser: 'zhangsan', ...body });
	const text = (body: Record<string, unknown> = {}) =>
		send({ msgtype: 'text', text: { content: '你好' }, ...body });
	const uploadMedia = async (type: string, filename: string) =>
		(
			await client.upload(
				'/cgi-bin/media/upload',
				{ type },
				encodeMultipart([{ name: 'media', filename, data: Buffer.alloc(64, 7) }]),
			)
		).media_id as string;

	describe('recipients', () => {
		it('sends, answers a unique msgid and stores the message', async () => {
			const first = await text();
			const second = await text();
			expect(first).toEqual({ errcode: 0, errmsg: 'ok', msgid: expect.any(String) });
			expect(second.msgid).not.toBe(first.msgid);
			expect(emulator.sentMessages()).toHaveLength(2);
			expect(emulator.sentMessages()[0]).toMatchObject({
				msgid: first.msgid,
				channel: 'app',
				msgtype: 'text',
				payload: { text: { content: '你好' } },
				recipients: { users: ['zhangsan'], parties: [], tags: [] },
				recalled: false,
			});
		});

		it('reports unknown members, departments and tags as a partial failure', async () => {
			const res = await text({ touser: 'zhangsan|ghost|heyun', toparty: '2|999', totag: '1|42' });
			expect(res).toMatchObject({
				errcode: 0,
				invaliduser: 'ghost|heyun',
				invalidparty: '999',
				invalidtag: '42',
				msgid: expect.any(String),
			});
			expect(emulator.sentMessages()[0].recipients).toEqual({
				users: ['zhangsan'],
				parties: [2],
				tags: [1],
			});
		});

		it('answers 81013 when every recipient is invalid', async () => {
			const res = await text({ touser: 'ghost|phantom', toparty: '404' });
			expect(res).toMatchObject({
				errcode: 81013,
				invaliduser: 'ghost|phantom',
				invalidparty: '404',
			});
			expect(res.msgid).toBeUndefined();
			expect(emulator.sentMessages()).toEqual([]);
		});

		it('@all reaches every active member', async () => {
			await text({ touser: '@all' });
			const users = emulator.sentMessages()[0].recipients.users;
			expect(users).toContain('zhangsan');
			expect(users).not.toContain('heyun');
			expect(users.length).toBe(
				emulator.wecom.users.filter((u) => u.status === 1 || u.status === 4).length,
			);
		});

		it('limits touser to 1000 and toparty / totag to 100', async () => {
			const many = (n: number) => Array.from({ length: n }, (_, i) => `u${i}`).join('|');
			expect((await text({ touser: many(1001) })).errcode).toBe(40058);
			expect((await text({ touser: `zhangsan|${many(999)}` })).errcode).toBe(0);
			const parties = Array.from({ length: 101 }, (_, i) => i + 1).join('|');
			expect((await text({ toparty: parties })).errcode).toBe(40058);
			expect((await text({ totag: parties })).errcode).toBe(40058);
		});

		it('needs some recipient', async () => {
			expect((await text({ touser: '' })).errcode).toBe(40058);
		});
	});

	describe('agentid and msgtype', () => {
		it('checks agentid', async () => {
			expect((await text({ agentid: 1000003 })).errcode).toBe(40056);
			expect((await text({ agentid: '1000002' })).errcode).toBe(40056);
			expect((await text({ agentid: undefined })).errcode).toBe(41011);
		});

		it('checks msgtype and its body', async () => {
			expect((await send({ text: { content: 'x' } })).errcode).toBe(40008);
			expect((await send({ msgtype: 'sticker', sticker: {} })).errcode).toBe(40008);
			expect((await send({ msgtype: 'text' })).errcode).toBe(44004);
			expect((await send({ msgtype: 'text', text: { content: '' } })).errcode).toBe(44004);
		});
	});

	describe('content limits', () => {
		it('text and markdown content at most 2048 bytes (UTF-8)', async () => {
			expect((await text({ text: { content: '汉'.repeat(682) } })).errcode).toBe(0);
			expect((await text({ text: { content: '汉'.repeat(683) } })).errcode).toBe(45002);
			const md = (content: string) => send({ msgtype: 'markdown', markdown: { content } });
			expect((await md('a'.repeat(2048))).errcode).toBe(0);
			expect((await md('a'.repeat(2049))).errcode).toBe(45002);
		});

		it('textcard: title <= 128 B, description <= 512 B, url required', async () => {
			const card = (textcard: Record<string, unknown>) =>
				send({
					msgtype: 'textcard',
					textcard: {
						title: '审批通知',
						description: '请处理',
						url: 'https://example.com',
						...textcard,
					},
				});
			expect((await card({})).errcode).toBe(0);
			expect((await card({ title: 't'.repeat(129) })).errcode).toBe(45002);
			expect((await card({ description: 'd'.repeat(513) })).errcode).toBe(45002);
			expect((await card({ url: undefined })).errcode).toBe(41010);
			expect((await card({ title: undefined })).errcode).toBe(41016);
			expect((await card({ description: undefined })).errcode).toBe(41033);
			expect((await card({ btntxt: '更多详情信息' })).errcode).toBe(45002);
		});

		it('news: 1 to 8 articles, each with title and url', async () => {
			const article = {
				title: '新闻',
				url: 'https://example.com',
				picurl: 'https://example.com/a.png',
			};
			const news = (articles: unknown[]) => send({ msgtype: 'news', news: { articles } });
			expect((await news([article])).errcode).toBe(0);
			expect((await news(Array(8).fill(article))).errcode).toBe(0);
			expect((await news(Array(9).fill(article))).errcode).toBe(45008);
			expect((await news([])).errcode).toBe(45008);
			expect((await news([{ title: '无链接' }])).errcode).toBe(41010);
			expect(
				(await news([{ title: '小程序', appid: 'wx123', pagepath: 'pages/index' }])).errcode,
			).toBe(0);
		});
	});

	describe('media messages', () => {
		it('need a media_id the emulator issued, of the right type', async () => {
			const image = await uploadMedia('image', 'a.png');
			const voice = await uploadMedia('voice', 'a.amr');
			const video = await uploadMedia('video', 'a.mp4');
			const file = await uploadMedia('file', 'a.pdf');
			expect((await send({ msgtype: 'image', image: { media_id: image } })).errcode).toBe(0);
			expect((await send({ msgtype: 'voice', voice: { media_id: voice } })).errcode).toBe(0);
			expect(
				(await send({ msgtype: 'video', video: { media_id: video, title: '视频' } })).errcode,
			).toBe(0);
			expect((await send({ msgtype: 'file', file: { media_id: file } })).errcode).toBe(0);
			expect((await send({ msgtype: 'file', file: { media_id: image } })).errcode).toBe(0);

			expect((await send({ msgtype: 'image', image: { media_id: 'made-up' } })).errcode).toBe(
				40007,
			);
			expect((await send({ msgtype: 'image', image: { media_id: voice } })).errcode).toBe(40007);
			expect((await send({ msgtype: 'image', image: {} })).errcode).toBe(41006);
		});

		it('mpnews needs an issued image as thumb_media_id', async () => {
			const thumb = await uploadMedia('image', 'thumb.jpg');
			const mpnews = (article: Record<string, unknown>) =>
				send({
					msgtype: 'mpnews',
					mpnews: {
						articles: [
							{ title: '公告', content: '<p>正文</p>', thumb_media_id: thumb, ...article },
						],
					},
				});
			expect((await mpnews({})).errcode).toBe(0);
			expect((await mpnews({ thumb_media_id: 'nope' })).errcode).toBe(40007);
			expect((await mpnews({ content: '' })).errcode).toBe(44004);
		});
	});

	describe('template_card', () => {
		const card = (template_card: Record<string, unknown>) =>
			send({ msgtype: 'template_card', template_card });
		const action = { type: 1, url: 'https://example.com' };

		it('text_notice and news_notice need card_action', async () => {
			expect(
				(
					await card({
						card_type: 'text_notice',
						main_title: { title: '通知' },
						card_action: action,
					})
				).errcode,
			).toBe(0);
			expect(
				(await card({ card_type: 'text_notice', main_title: { title: '通知' } })).errcode,
			).toBe(40058);
			expect((await card({ card_type: 'text_notice', card_action: action })).errcode).toBe(40058);
			expect(
				(await card({ card_type: 'news_notice', main_title: { title: '图文' } })).errcode,
			).toBe(40058);
			expect(
				(
					await card({
						card_type: 'news_notice',
						main_title: { title: '图文' },
						card_action: action,
					})
				).errcode,
			).toBe(0);
			expect(
				(
					await card({
						card_type: 'text_notice',
						main_title: { title: '通知' },
						card_action: { type: 1 },
					})
				).errcode,
			).toBe(41010);
			expect((await card({ card_type: 'poster', main_title: { title: 'x' } })).errcode).toBe(40058);
		});

		it('jump_list: at most 3 links, each with a title and its url (type 1) or appid (type 2)', async () => {
			const notice = (jump_list: unknown) =>
				card({
					card_type: 'text_notice',
					main_title: { title: '通知' },
					card_action: action,
					jump_list,
				});
			const jump = { type: 1, title: '同意', url: 'https://example.com/a' };
			expect((await notice([jump, { type: 2, title: '小程序', appid: 'wx123' }])).errcode).toBe(0);
			expect((await notice([jump, jump, jump, jump])).errcode).toBe(40058);
			expect((await notice([{ type: 1, url: 'https://example.com' }])).errcode).toBe(40058);
			expect((await notice([{ type: 1, title: '同意' }])).errcode).toBe(41010);
			expect((await notice([{ type: 2, title: '小程序' }])).errcode).toBe(40058);
		});

		it('button_interaction needs task_id and button_list; answers response_code', async () => {
			const base = {
				card_type: 'button_interaction',
				main_title: { title: '审批' },
				button_list: [
					{ text: '同意', style: 1, key: 'agree' },
					{ text: '驳回', style: 2, key: 'reject' },
				],
			};
			const ok = await card({ ...base, task_id: 'task_001' });
			expect(ok).toMatchObject({
				errcode: 0,
				msgid: expect.any(String),
				response_code: expect.any(String),
			});
			expect((await card({ ...base, task_id: 'task_001' })).errcode).toBe(40058);
			expect((await card(base)).errcode).toBe(42014);
			expect((await card({ ...base, task_id: 'bad id!' })).errcode).toBe(42014);
			expect((await card({ ...base, task_id: 'task_002', button_list: [] })).errcode).toBe(40058);
			expect(
				(await card({ ...base, task_id: 'task_003', button_list: [{ text: '无key' }] })).errcode,
			).toBe(40058);
		});

		it('vote_interaction and multiple_interaction need their questions and a submit_button', async () => {
			const submit_button = { text: '提交', key: 'submit' };
			const vote = {
				card_type: 'vote_interaction',
				main_title: { title: '投票' },
				checkbox: { question_key: 'q1', option_list: [{ id: 'a', text: '选项A' }], mode: 1 },
				submit_button,
			};
			expect((await card({ ...vote, task_id: 'vote_1' })).errcode).toBe(0);
			expect((await card({ ...vote, task_id: 'vote_2', submit_button: undefined })).errcode).toBe(
				40058,
			);
			expect(
				(
					await card({
						...vote,
						task_id: 'vote_3',
						checkbox: { question_key: 'q1', option_list: [] },
					})
				).errcode,
			).toBe(40058);
			const multiple = {
				card_type: 'multiple_interaction',
				main_title: { title: '多选' },
				select_list: [{ question_key: 'q1', option_list: [{ id: 'x', text: 'X' }] }],
				submit_button,
			};
			expect((await card({ ...multiple, task_id: 'multi_1' })).errcode).toBe(0);
			expect((await card({ ...multiple, task_id: 'multi_2', select_list: [] })).errcode).toBe(
				40058,
			);
		});
	});

	describe('recall', () => {
		it('recalls a message of the last 24 hours once', async () => {
			const { msgid } = await text();
			expect((await client.post('/cgi-bin/message/recall', { msgid })).errcode).toBe(0);
			expect(emulator.sentMessages()[0].recalled).toBe(true);
			expect((await client.post('/cgi-bin/message/recall', { msgid })).errcode).toBe(40058);
		});

		it('refuses unknown and old messages', async () => {
			expect((await client.post('/cgi-bin/message/recall', { msgid: 'nope' })).errcode).toBe(40058);
			expect((await client.post('/cgi-bin/message/recall', {})).errcode).toBe(40058);
			const { msgid } = await text();
			clock += 24 * 3600_000 + 1;
			const late = await client.post('/cgi-bin/message/recall', { msgid });
			expect(late.errcode).toBe(40058);
			expect(late.errmsg).toContain('24 hours');
		});
	});
});
