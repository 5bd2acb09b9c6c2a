/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// The emulator's robot webhooks, poked directly: they must refuse what the platforms refuse, or the node tests that
// run against them would prove nothing.
import { createHash } from 'node:crypto';

import { ApiEmulator, encodeMultipart, emulatorRequest as request } from '.';
import {
	addDingTalkRobot,
	DINGTALK_ROBOT_SEED,
	dingTalkRobots,
	dingTalkSign,
} from './dingtalk/customRobot';
import { addWeComRobot, WECOM_ROBOT_SEED, weComRobots } from './wecom/robot';

const PNG = Buffer.concat([
	Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
	Buffer.alloc(64, 7),
]);

describe('emulator: WeCom group robot webhook', () => {
	let emulator: ApiEmulator;
	let clock = Date.UTC(2026, 2, 2);

	beforeAll(async () => {
		emulator = await ApiEmulator.start({ plugins: ['wecom'], now: () => clock });
	});

	afterAll(async () => {
		await emulator.stop();
	});

	const send = async (body: unknown, key: string = WECOM_ROBOT_SEED.key) =>
		(await request(emulator.baseUrl, 'POST', '/cgi-bin/webhook/send', { query: { key }, body }))
			.json;

	it('takes a text message with the seeded key and records it; refuses an unknown or missing key (93000)', async () => {
		expect(await send({ msgtype: 'text', text: { content: 'hi' } })).toEqual({
			errcode: 0,
			errmsg: 'ok',
		});
		expect(weComRobots(emulator.wecom).posts.at(-1)).toMatchObject({
			key: WECOM_ROBOT_SEED.key,
			msgtype: 'text',
		});
		expect((await send({ msgtype: 'text', text: { content: 'hi' } }, 'nope')).errcode).toBe(93000);
		const noKey = await request(emulator.baseUrl, 'POST', '/cgi-bin/webhook/send', {
			body: { msgtype: 'text', text: { content: 'hi' } },
		});
		expect(noKey.json.errcode).toBe(93000);
		expect(noKey.json.errmsg).toMatch(/^invalid webhook url/);
	});

	it('checks lengths in UTF-8 bytes, msgtypes, mention lists and news articles', async () => {
		expect((await send({ msgtype: 'text', text: { content: '字'.repeat(683) } })).errcode).toBe(
			45002,
		);
		expect((await send({ msgtype: 'text', text: { content: '' } })).errcode).toBe(44004);
		expect(
			(await send({ msgtype: 'markdown_v2', markdown_v2: { content: 'x'.repeat(4097) } })).errcode,
		).toBe(45002);
		expect(
			(await send({ msgtype: 'markdown', markdown: { content: 'x'.repeat(4096) } })).errcode,
		).toBe(0);
		expect((await send({ msgtype: 'textcard', textcard: {} })).errcode).toBe(40008);
		expect(
			(await send({ msgtype: 'text', text: { content: 'x', mentioned_list: 'zhangsan' } })).errcode,
		).toBe(40058);
		expect((await send({ msgtype: 'news', news: { articles: [] } })).errcode).toBe(45008);
		expect((await send({ msgtype: 'news', news: { articles: [{ title: 't' }] } })).errcode).toBe(
			41010,
		);
		expect((await send('not json')).errcode).toBe(47001);
	});

	it('checks an image: base64 that decodes, jpg/png content, the md5 of the raw bytes, 2 MB', async () => {
		const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
		expect(
			(await send({ msgtype: 'image', image: { base64: PNG.toString('base64'), md5: md5(PNG) } }))
				.errcode,
		).toBe(0);
		expect(
			(
				await send({
					msgtype: 'image',
					image: { base64: PNG.toString('base64'), md5: md5(Buffer.from(PNG.toString('base64'))) },
				})
			).errcode,
		).toBe(40058);
		expect(
			(await send({ msgtype: 'image', image: { base64: '%%%', md5: md5(PNG) } })).errcode,
		).toBe(40058);
		const gif = Buffer.from('GIF89a-not-allowed');
		expect(
			(await send({ msgtype: 'image', image: { base64: gif.toString('base64'), md5: md5(gif) } }))
				.errcode,
		).toBe(40004);
		const big = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]);
		expect(
			(await send({ msgtype: 'image', image: { base64: big.toString('base64'), md5: md5(big) } }))
				.errcode,
		).toBe(40009);
	});

	it('uploads media per key: usable by that robot for 3 days, not by another one, and only as its type', async () => {
		const upload = async (type: string, filename: string, key: string = WECOM_ROBOT_SEED.key) => {
			const multipart = encodeMultipart([{ name: 'media', filename, data: Buffer.alloc(100, 1) }]);
			return (
				await request(emulator.baseUrl, 'POST', '/cgi-bin/webhook/upload_media', {
					query: { key, type },
					body: multipart.body,
					headers: { 'content-type': multipart.contentType },
				})
			).json;
		};
		const file = await upload('file', 'a.pdf');
		expect(file).toMatchObject({ errcode: 0, type: 'file', media_id: expect.any(String) });
		expect((await upload('voice', 'a.mp3')).errcode).toBe(40004);
		expect((await upload('image', 'a.png')).errcode).toBe(40005);
		expect((await upload('file', 'a.pdf', 'nope')).errcode).toBe(93000);

		expect((await send({ msgtype: 'file', file: { media_id: file.media_id } })).errcode).toBe(0);
		expect((await send({ msgtype: 'voice', voice: { media_id: file.media_id } })).errcode).toBe(
			40007,
		);
		const other = addWeComRobot(emulator.wecom);
		expect(
			(await send({ msgtype: 'file', file: { media_id: file.media_id } }, other)).errcode,
		).toBe(40007);
		clock += 3 * 86400_000;
		expect((await send({ msgtype: 'file', file: { media_id: file.media_id } })).errcode).toBe(
			40007,
		);
	});

	it('takes 20 messages in any 60 s per robot, refuses the 21st with 45009, and frees up as the window slides', async () => {
		const key = addWeComRobot(emulator.wecom);
		for (let i = 0; i < 20; i++) {
			expect((await send({ msgtype: 'text', text: { content: `${i}` } }, key)).errcode).toBe(0);
			clock += 1_000;
		}
		expect((await send({ msgtype: 'text', text: { content: '21' } }, key)).errcode).toBe(45009);
		// Another robot is not affected.
		expect(
			(await send({ msgtype: 'text', text: { content: 'x' } }, addWeComRobot(emulator.wecom)))
				.errcode,
		).toBe(0);
		clock += 40_001; // the first message is now 60 s + 1 ms old
		expect((await send({ msgtype: 'text', text: { content: '21' } }, key)).errcode).toBe(0);
		expect((await send({ msgtype: 'text', text: { content: '22' } }, key)).errcode).toBe(45009);
	});

	it('sends only text_notice and news_notice cards, checked by the app card rules', async () => {
		const card = {
			card_type: 'text_notice',
			main_title: { title: 't' },
			card_action: { type: 1, url: 'https://e.com' },
		};
		expect((await send({ msgtype: 'template_card', template_card: card })).errcode).toBe(0);
		expect(
			(await send({ msgtype: 'template_card', template_card: { ...card, card_action: undefined } }))
				.errcode,
		).toBe(40058);
		expect(
			(
				await send({
					msgtype: 'template_card',
					template_card: { ...card, card_type: 'button_interaction', task_id: 't1' },
				})
			).errcode,
		).toBe(40058);
	});
});

describe('emulator: DingTalk custom robot webhook', () => {
	let emulator: ApiEmulator;
	let clock = Date.UTC(2026, 2, 2);

	beforeAll(async () => {
		emulator = await ApiEmulator.start({ plugins: ['dingtalk'], now: () => clock });
	});

	afterAll(async () => {
		await emulator.stop();
	});

	const text = { msgtype: 'text', text: { content: 'hi' } };
	/** A signed request; `query` is appended as written, so an encoding slip can be sent on purpose. */
	const post = async (body: unknown, query: string) =>
		(await request(emulator.baseUrl, 'POST', `/robot/send?${query}`, { body })).json;
	const signed = (token: string, secret: string, at = clock) =>
		`access_token=${token}&timestamp=${at}&sign=${encodeURIComponent(dingTalkSign(secret, String(at)))}`;

	it('takes a message signed as DingTalk documents, and refuses an unknown token (300001)', async () => {
		expect(
			await post(text, signed(DINGTALK_ROBOT_SEED.token, DINGTALK_ROBOT_SEED.secret)),
		).toMatchObject({
			errcode: 0,
			errmsg: 'ok',
		});
		expect(dingTalkRobots(emulator.dingtalk).posts.at(-1)).toMatchObject({ msgtype: 'text' });
		expect(await post(text, 'access_token=nope')).toMatchObject({
			errcode: 300001,
			errmsg: 'token is not exist',
		});
	});

	it('refuses a missing, stale or wrongly encoded signature with 310000 and the reason', async () => {
		const { token, secret } = DINGTALK_ROBOT_SEED;
		expect((await post(text, `access_token=${token}`)).errmsg).toBe('invalid timestamp');
		expect((await post(text, signed(token, secret, clock - 3_600_001))).errmsg).toBe(
			'invalid timestamp',
		);
		expect((await post(text, signed(token, secret, clock + 3_600_001))).errmsg).toBe(
			'invalid timestamp',
		);
		expect((await post(text, signed(token, secret, clock - 3_600_000))).errcode).toBe(0);
		expect((await post(text, signed(token, `SEC${'0'.repeat(64)}`))).errmsg).toBe('sign not match');
		// A timestamp whose signature has "+" and "/": raw (decoded as a space) and encoded twice are both wrong.
		let at = clock;
		while (!/[+/]/.test(dingTalkSign(secret, String(at)))) at++;
		const sign = dingTalkSign(secret, String(at));
		expect((await post(text, `access_token=${token}&timestamp=${at}&sign=${sign}`)).errmsg).toBe(
			'sign not match',
		);
		expect(
			(
				await post(
					text,
					`access_token=${token}&timestamp=${at}&sign=${encodeURIComponent(encodeURIComponent(sign))}`,
				)
			).errmsg,
		).toBe('sign not match');
		expect(
			(await post(text, `access_token=${token}&timestamp=${at}&sign=${encodeURIComponent(sign)}`))
				.errcode,
		).toBe(0);
	});

	it('applies keywords and IP lists (310000), and checks the message only after the security settings', async () => {
		const keyword = addDingTalkRobot(emulator.dingtalk, { keywords: ['日报'] });
		expect((await post(text, `access_token=${keyword}`)).errmsg).toBe('keywords not in content');
		expect(
			(
				await post(
					{ msgtype: 'markdown', markdown: { title: '日报', text: 'x' } },
					`access_token=${keyword}`,
				)
			).errcode,
		).toBe(0);
		const ip = addDingTalkRobot(emulator.dingtalk, { allowedIps: ['203.0.113.7'] });
		expect((await post(text, `access_token=${ip}`)).errmsg).toBe('ip 127.0.0.1 not in whitelist');
		const signedRobot = addDingTalkRobot(emulator.dingtalk, { secret: 'SECabc' });
		expect((await post({ msgtype: 'nope' }, `access_token=${signedRobot}`)).errcode).toBe(310000);
		expect((await post({ msgtype: 'nope' }, signed(signedRobot, 'SECabc'))).errcode).toBe(400105);
	});

	it('checks every message type and the at object', async () => {
		const open = addDingTalkRobot(emulator.dingtalk);
		const ok = async (body: unknown) => (await post(body, `access_token=${open}`)).errcode;
		expect(
			await ok({ msgtype: 'link', link: { title: 't', text: 'x', messageUrl: 'https://e.com' } }),
		).toBe(0);
		expect(await ok({ msgtype: 'link', link: { title: 't', text: 'x' } })).toBe(400402);
		expect(await ok({ msgtype: 'markdown', markdown: { text: 'x' } })).toBe(400402);
		expect(
			await ok({
				msgtype: 'actionCard',
				actionCard: { title: 't', text: 'x', singleTitle: 'a', singleURL: 'https://e.com' },
			}),
		).toBe(0);
		expect(
			await ok({ msgtype: 'actionCard', actionCard: { title: 't', text: 'x', btns: [] } }),
		).toBe(400402);
		expect(
			await ok({
				msgtype: 'actionCard',
				actionCard: {
					title: 't',
					text: 'x',
					btnOrientation: '2',
					btns: [{ title: 'a', actionURL: 'u' }],
				},
			}),
		).toBe(400402);
		expect(
			await ok({
				msgtype: 'feedCard',
				feedCard: { links: [{ title: 't', messageURL: 'u', picURL: 'p' }] },
			}),
		).toBe(0);
		expect(
			await ok({ msgtype: 'feedCard', feedCard: { links: [{ title: 't', messageURL: 'u' }] } }),
		).toBe(400402);
		expect(await ok({ ...text, at: { atMobiles: '138' } })).toBe(400402);
		expect(await ok({ ...text, at: { atMobiles: ['138'], isAtAll: 'yes' } })).toBe(400402);
		expect((await post('{', `access_token=${open}`)).errcode).toBe(40035);
	});

	it('after 20 messages in a minute refuses with 130101 for 10 minutes', async () => {
		const token = addDingTalkRobot(emulator.dingtalk);
		for (let i = 0; i < 20; i++)
			expect((await post(text, `access_token=${token}`)).errcode).toBe(0);
		expect(await post(text, `access_token=${token}`)).toMatchObject({
			errcode: 130101,
			errmsg: 'send too fast, exceed 20 times per minute',
		});
		clock += 61_000;
		expect((await post(text, `access_token=${token}`)).errcode).toBe(130101);
		clock += 9 * 60_000;
		expect((await post(text, `access_token=${token}`)).errcode).toBe(0);
	});

	it('forgets added robots and posts on reset()', async () => {
		const token = addDingTalkRobot(emulator.dingtalk);
		emulator.reset();
		expect(dingTalkRobots(emulator.dingtalk).robots.has(token)).toBe(false);
		expect(dingTalkRobots(emulator.dingtalk).robots.has(DINGTALK_ROBOT_SEED.token)).toBe(true);
		expect(dingTalkRobots(emulator.dingtalk).posts).toEqual([]);
	});
});
