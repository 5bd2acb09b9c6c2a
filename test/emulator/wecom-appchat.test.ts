/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
import { ApiEmulator } from '.';
import { WeComClient } from './testClient';

describe('WeCom appchat', () => {
	let emulator: ApiEmulator;
	let client: WeComClient;

	beforeEach(async () => {
		emulator = await ApiEmulator.start({ plugins: ['wecom'] });
		client = new WeComClient(emulator);
	});

	afterEach(async () => {
		await emulator.stop();
	});

	const create = (body: Record<string, unknown>) =>
		client.post('/cgi-bin/appchat/create', {
			name: '项目群',
			userlist: ['zhangsan', 'lisi'],
			...body,
		});

	it('creates a chat that appchat/get then shows', async () => {
		const res = await create({ owner: 'lisi', chatid: 'Project2024' });
		expect(res).toEqual({ errcode: 0, errmsg: 'ok', chatid: 'Project2024' });
		const got = await client.get('/cgi-bin/appchat/get', { chatid: 'Project2024' });
		expect(got.chat_info).toEqual({
			chatid: 'Project2024',
			name: '项目群',
			owner: 'lisi',
			userlist: ['zhangsan', 'lisi'],
			chat_type: 0,
		});
	});

	it('generates a valid chatid when none is given', async () => {
		const { chatid } = await create({});
		expect(chatid).toMatch(/^[0-9a-zA-Z]{1,32}$/);
		expect((await client.get('/cgi-bin/appchat/get', { chatid })).chat_info.owner).toBe('zhangsan');
	});

	it.each([
		['one member', { userlist: ['zhangsan'] }, 86006],
		['one member named twice', { userlist: ['zhangsan', 'zhangsan'] }, 86006],
		['2001 members', { userlist: Array.from({ length: 2001 }, (_, i) => `user${i}`) }, 86006],
		['unknown members', { userlist: ['zhangsan', 'ghost'] }, 86216],
		['a disabled member', { userlist: ['zhangsan', 'heyun'] }, 86216],
		['an owner outside userlist', { owner: 'wangwu' }, 86005],
		['a chatid with symbols', { chatid: 'bad-id' }, 86001],
		['a chatid over 32 characters', { chatid: 'a'.repeat(33) }, 86001],
		['a name over 50 characters', { name: '群'.repeat(51) }, 86004],
	])('rejects %s', async (_what, body, errcode) => {
		expect((await create(body)).errcode).toBe(errcode);
	});

	it('rejects a duplicate chatid', async () => {
		expect((await create({ chatid: 'dup1' })).errcode).toBe(0);
		expect((await create({ chatid: 'dup1' })).errcode).toBe(86215);
	});

	it('appchat/get of an unknown chat is 86003', async () => {
		expect((await client.get('/cgi-bin/appchat/get', { chatid: 'nochat' })).errcode).toBe(86003);
	});

	it('updates name, owner and members', async () => {
		await create({ chatid: 'team' });
		const ok = await client.post('/cgi-bin/appchat/update', {
			chatid: 'team',
			name: '新群名',
			owner: 'wangwu',
			add_user_list: ['wangwu', 'zhaoliu'],
			del_user_list: ['lisi'],
		});
		expect(ok.errcode).toBe(0);
		expect((await client.get('/cgi-bin/appchat/get', { chatid: 'team' })).chat_info).toMatchObject({
			name: '新群名',
			owner: 'wangwu',
			userlist: ['zhangsan', 'wangwu', 'zhaoliu'],
		});
		const update = (body: Record<string, unknown>) =>
			client.post('/cgi-bin/appchat/update', { chatid: 'team', ...body });
		expect((await update({ add_user_list: ['ghost'] })).errcode).toBe(86216);
		expect((await update({ del_user_list: ['zhangsan', 'zhaoliu'] })).errcode).toBe(86006);
		expect((await update({ del_user_list: ['wangwu'] })).errcode).toBe(86005);
		expect((await client.post('/cgi-bin/appchat/update', { chatid: 'gone' })).errcode).toBe(86003);
	});

	it('sends the message types appchat allows and stores them', async () => {
		await create({ chatid: 'talk' });
		const send = (body: Record<string, unknown>) =>
			client.post('/cgi-bin/appchat/send', { chatid: 'talk', ...body });
		expect(await send({ msgtype: 'text', text: { content: '大家好' } })).toEqual({
			errcode: 0,
			errmsg: 'ok',
		});
		expect((await send({ msgtype: 'markdown', markdown: { content: '**注意**' } })).errcode).toBe(
			0,
		);
		expect(
			(
				await send({
					msgtype: 'textcard',
					textcard: { title: 't', description: 'd', url: 'https://e.com' },
				})
			).errcode,
		).toBe(0);
		expect(emulator.sentMessages().map((m) => [m.channel, m.chatid, m.msgtype])).toEqual([
			['appchat', 'talk', 'text'],
			['appchat', 'talk', 'markdown'],
			['appchat', 'talk', 'textcard'],
		]);

		const card = {
			card_type: 'text_notice',
			main_title: { title: 'x' },
			card_action: { type: 1, url: 'https://e.com' },
		};
		expect((await send({ msgtype: 'template_card', template_card: card })).errcode).toBe(40008);
		expect((await send({ msgtype: 'text', text: { content: '' } })).errcode).toBe(44004);
		expect((await send({ msgtype: 'image', image: { media_id: 'nope' } })).errcode).toBe(40007);
		expect(
			(
				await client.post('/cgi-bin/appchat/send', {
					chatid: 'none',
					msgtype: 'text',
					text: { content: 'x' },
				})
			).errcode,
		).toBe(86003);
	});
});
