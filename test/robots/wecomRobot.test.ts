/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code: emulator-only keys, never inside n8n */
// The WeCom Group Robot node through the real engine against the emulator's robot webhook.
import { createHash } from 'node:crypto';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { MultipartBody } from '../emulator';
import { addWeComRobot, weComRobots } from '../emulator/wecom/robot';
import { binaryItem, bytesOf } from '../wecom/messagingSupport';
import { startRobots, WECOM_ROBOT_SEED, type RobotTestEnv, type RunOutcome } from './setup';

const PNG = Buffer.concat([
	Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
	bytesOf(200, 3),
]);
const JPG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), bytesOf(300, 5)]);
const GIF = Buffer.concat([Buffer.from('GIF89a'), bytesOf(100)]);

const errorOf = (result: RunOutcome) => {
	expect(result.error).toBeDefined();
	return result.error as Error & { description?: string; context?: IDataObject };
};

describe('WeCom Group Robot', () => {
	let env: RobotTestEnv;
	let credential: { id: string; name: string };
	let key: string;

	beforeAll(async () => {
		env = await startRobots({ plugins: ['wecom'] });
	});

	afterAll(async () => {
		await env.stop();
	});

	beforeEach(() => {
		env.emulator.calls.length = 0;
		env.emulator.clearFaults();
		env.wecom().posts.length = 0;
		// A robot of its own per test: the node paces each robot to 20 messages a minute across executions.
		({ credential, key } = env.newWeComRobot());
	});

	const send = async (parameters: INodeParameters, items?: Parameters<RobotTestEnv['run']>[3]) =>
		await env.run('weComGroupRobot', credential, parameters, items);
	const sendCalls = () => env.emulator.callsTo('/cgi-bin/webhook/send');
	const lastBody = () => sendCalls().at(-1)?.body as IDataObject;

	describe('message types', () => {
		it('text with @mentions by userid, by mobile and @all', async () => {
			const result = await send({
				messageType: 'text',
				content: '今日值班：张三',
				mentionUserIds: 'zhangsan, lisi|zhangsan',
				mentionMobiles: '13800001111',
				mentionAll: true,
			});

			expect(result.error).toBeUndefined();
			expect(result.items).toEqual([
				{ json: { sent: true, msgtype: 'text' }, pairedItem: { item: 0 } },
			]);
			const [call] = sendCalls();
			expect(call.query).toEqual({ key });
			expect(call.body).toEqual({
				msgtype: 'text',
				text: {
					content: '今日值班：张三',
					mentioned_list: ['zhangsan', 'lisi', '@all'],
					mentioned_mobile_list: ['13800001111'],
				},
			});
			expect(env.wecom().posts).toHaveLength(1);
		});

		it('takes mention lists from expressions (arrays) and sends no empty lists', async () => {
			await send(
				{
					messageType: 'text',
					content: '={{ $json.text }}',
					mentionUserIds: '={{ $json.users }}',
				},
				[{ json: { text: '请查收', users: ['wangwu', 'zhaoliu'] } }],
			);
			expect(lastBody()).toEqual({
				msgtype: 'text',
				text: { content: '请查收', mentioned_list: ['wangwu', 'zhaoliu'] },
			});

			await send({ messageType: 'text', content: '无人提及' });
			expect(lastBody()).toEqual({ msgtype: 'text', text: { content: '无人提及' } });
		});

		it('text: 2,048 bytes are sent, 2,049 are refused before any call, naming the field and the limit', async () => {
			const ok = await send({
				messageType: 'text',
				content: 'a'.repeat(2048),
			});
			expect(ok.error).toBeUndefined();
			const tooLong = await send({ messageType: 'text', content: '字'.repeat(683) });
			expect(errorOf(tooLong).message).toBe(
				'Content is 2049 bytes: WeCom allows at most 2048 bytes (UTF-8, where a Chinese character takes 3 bytes)',
			);
			expect(sendCalls()).toHaveLength(1);
		});

		it('markdown and markdown_v2 take 4,096 bytes under their own keys; 4,097 are refused', async () => {
			const content = `# 日报\n<font color="info">完成</font> <@zhangsan>\n${'x'.repeat(4000)}`;
			expect((await send({ messageType: 'markdown', content })).error).toBeUndefined();
			expect(lastBody()).toEqual({ msgtype: 'markdown', markdown: { content } });

			const table = '| 项目 | 状态 |\n| --- | --- |\n| 发布 | 完成 |';
			expect((await send({ messageType: 'markdown_v2', content: table })).error).toBeUndefined();
			expect(lastBody()).toEqual({ msgtype: 'markdown_v2', markdown_v2: { content: table } });

			const atLimit = 'm'.repeat(4096);
			expect((await send({ messageType: 'markdown_v2', content: atLimit })).error).toBeUndefined();
			const over = await send({ messageType: 'markdown', content: 'm'.repeat(4097) });
			expect(errorOf(over).message).toMatch(
				/^Content is 4097 bytes: WeCom allows at most 4096 bytes/,
			);
			expect(sendCalls()).toHaveLength(3);
		});

		it('image from binary data: base64 of the bytes and the md5 of the raw bytes (JPG and PNG)', async () => {
			for (const [bytes, name, mime] of [
				[PNG, 'chart.png', 'image/png'],
				[JPG, 'photo.jpg', 'image/jpeg'],
			] as const) {
				const result = await send({ messageType: 'image', binaryPropertyName: 'data' }, [
					binaryItem(bytes, name, mime),
				]);
				expect(result.error).toBeUndefined();
				expect(lastBody()).toEqual({
					msgtype: 'image',
					image: {
						base64: bytes.toString('base64'),
						md5: createHash('md5').update(bytes).digest('hex'),
					},
				});
			}
			// The emulator checked base64 and md5 itself and accepted both.
			expect(env.wecom().posts.map((p) => p.msgtype)).toEqual(['image', 'image']);
		});

		it('image: over 2 MB, a GIF (by name or by content) and a missing binary field are refused before any call', async () => {
			const big = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]);
			const cases: Array<[Parameters<typeof binaryItem>, RegExp]> = [
				[
					[big, 'big.png', 'image/png'],
					/is 2097360 bytes \(2\.00 MB\): WeCom allows at most 2 MB for a group robot image/,
				],
				[
					[GIF, 'anim.gif', 'image/gif'],
					/has the extension \.gif: WeCom accepts only jpg\/jpeg\/png/,
				],
				[[GIF, 'renamed.png', 'image/png'], /neither a JPG nor a PNG \(judged by its content\)/],
			];
			for (const [item, message] of cases) {
				const result = await send({ messageType: 'image', binaryPropertyName: 'data' }, [
					binaryItem(...item),
				]);
				expect(errorOf(result).message).toMatch(message);
			}
			const missing = await send({ messageType: 'image', binaryPropertyName: 'chart' }, [
				{ json: {} },
			]);
			expect(errorOf(missing).message).toMatch(/chart/);
			expect(env.emulator.calls).toHaveLength(0);
		});

		it('news: one to eight articles with title and URL; a ninth or a missing URL is refused', async () => {
			const article = (n: number) => ({
				title: `标题${n}`,
				description: `摘要${n}`,
				url: `https://example.com/${n}`,
				picurl: n === 1 ? 'https://example.com/cover.png' : '',
			});
			const ok = await send({
				messageType: 'news',
				articles: { article: [article(1), article(2)] },
			});
			expect(ok.error).toBeUndefined();
			expect(lastBody()).toEqual({
				msgtype: 'news',
				news: {
					articles: [
						{
							title: '标题1',
							description: '摘要1',
							url: 'https://example.com/1',
							picurl: 'https://example.com/cover.png',
						},
						{ title: '标题2', description: '摘要2', url: 'https://example.com/2' },
					],
				},
			});

			const nine = await send({
				messageType: 'news',
				articles: { article: Array.from({ length: 9 }, (_, i) => article(i)) },
			});
			expect(errorOf(nine).message).toBe('Articles: 9 given, WeCom needs 1 to 8');
			const noUrl = await send({
				messageType: 'news',
				articles: { article: [{ ...article(1), url: '' }] },
			});
			expect(errorOf(noUrl).message).toBe('Article 1 URL is empty: WeCom requires it');
			const none = await send({ messageType: 'news', articles: {} });
			expect(errorOf(none).message).toBe('Articles: 0 given, WeCom needs 1 to 8');
			expect(sendCalls()).toHaveLength(1);
		});

		it('file from binary data: uploaded with the robot key (upload_media), then sent by media_id', async () => {
			const bytes = bytesOf(4096);
			const result = await send(
				{
					messageType: 'file',
					mediaSource: 'binary',
					binaryPropertyName: 'report',
					fileOptions: { fileName: '日报.xlsx' },
				},
				[binaryItem(bytes, 'export.xlsx', 'application/vnd.ms-excel', {}, 'report')],
			);

			expect(result.error).toBeUndefined();
			const [upload] = env.emulator.callsTo('/cgi-bin/webhook/upload_media');
			expect(upload.query).toEqual({ key, type: 'file' });
			const part = (upload.body as MultipartBody).files[0];
			expect(part).toMatchObject({ field: 'media', filename: '日报.xlsx' });
			expect(part.data.equals(bytes)).toBe(true);
			const mediaId = (upload.response as { media_id: string }).media_id;
			expect(lastBody()).toEqual({ msgtype: 'file', file: { media_id: mediaId } });
			expect(result.items[0].json).toEqual({
				sent: true,
				msgtype: 'file',
				media: {
					media_id: mediaId,
					type: 'file',
					created_at: expect.any(String),
					fileName: '日报.xlsx',
					fileSize: 4096,
				},
			});
			expect(env.wecom().media.get(mediaId)?.data.equals(bytes)).toBe(true);
		});

		it('voice from binary data (AMR); an MP3 or a 5-byte file is refused before the upload', async () => {
			const amr = Buffer.concat([Buffer.from('#!AMR\n'), bytesOf(500)]);
			const ok = await send(
				{ messageType: 'voice', mediaSource: 'binary', binaryPropertyName: 'data' },
				[binaryItem(amr, 'memo.amr', 'audio/amr')],
			);
			expect(ok.error).toBeUndefined();
			const mediaId = (
				env.emulator.callsTo('/cgi-bin/webhook/upload_media')[0].response as { media_id: string }
			).media_id;
			expect(lastBody()).toEqual({ msgtype: 'voice', voice: { media_id: mediaId } });

			const mp3 = await send(
				{ messageType: 'voice', mediaSource: 'binary', binaryPropertyName: 'data' },
				[binaryItem(bytesOf(500), 'memo.mp3', 'audio/mpeg')],
			);
			expect(errorOf(mp3).message).toMatch(/\.mp3: WeCom accepts only amr for a voice message/);
			const tiny = await send(
				{ messageType: 'file', mediaSource: 'binary', binaryPropertyName: 'data' },
				[binaryItem(bytesOf(5), 'a.txt', 'text/plain')],
			);
			expect(errorOf(tiny).message).toMatch(
				/is 5 bytes: WeCom accepts only files larger than 5 bytes/,
			);
			expect(env.emulator.callsTo('/cgi-bin/webhook/upload_media')).toHaveLength(1);
		});

		it("file by media_id: this robot's own upload works; another robot's is refused (40007) with the reason", async () => {
			const mine = await send(
				{ messageType: 'file', mediaSource: 'binary', binaryPropertyName: 'data' },
				[binaryItem(bytesOf(64), 'a.pdf', 'application/pdf')],
			);
			expect(mine.error).toBeUndefined();
			const mediaId = (mine.items[0].json.media as IDataObject).media_id as string;
			expect(
				(await send({ messageType: 'file', mediaSource: 'mediaId', mediaId })).error,
			).toBeUndefined();
			expect(lastBody()).toEqual({ msgtype: 'file', file: { media_id: mediaId } });

			const other = env.credential('weComGroupRobot', {
				webhook: addWeComRobot(env.emulator.wecom),
			});
			const refused = await env.run('weComGroupRobot', other, {
				messageType: 'file',
				mediaSource: 'mediaId',
				mediaId,
			});
			const error = errorOf(refused);
			expect(error.message).toMatch(/only with the key that uploaded it/);
			expect(error.message).toMatch(/errcode 40007/);
			expect(error.description).toMatch(/同一个机器人 key/);
		});

		it('template card from fields (text_notice) and from JSON (news_notice); an interactive card is refused', async () => {
			const fromFields = await send({
				messageType: 'template_card',
				templateCardMode: 'fields',
				cardType: 'text_notice',
				cardMainTitle: '发布完成',
				cardMainTitleDesc: 'v2.3.0',
				cardAction: { action: { type: 1, url: 'https://example.com/release' } },
				cardFields: {
					subTitleText: '请各位验收',
					horizontalContent: { line: [{ keyname: '负责人', type: 3, userid: 'zhangsan' }] },
				},
			});
			expect(fromFields.error).toBeUndefined();
			expect(lastBody()).toEqual({
				msgtype: 'template_card',
				template_card: {
					card_type: 'text_notice',
					main_title: { title: '发布完成', desc: 'v2.3.0' },
					sub_title_text: '请各位验收',
					horizontal_content_list: [{ keyname: '负责人', type: 3, userid: 'zhangsan' }],
					card_action: { type: 1, url: 'https://example.com/release' },
				},
			});

			const card = {
				card_type: 'news_notice',
				main_title: { title: '本周新闻' },
				card_image: { url: 'https://example.com/cover.png' },
				card_action: { type: 1, url: 'https://example.com/news' },
			};
			const fromJson = await send({
				messageType: 'template_card',
				templateCardMode: 'json',
				templateCardJson: JSON.stringify(card),
			});
			expect(fromJson.error).toBeUndefined();
			expect(lastBody()).toEqual({ msgtype: 'template_card', template_card: card });

			const interactive = await send({
				messageType: 'template_card',
				templateCardMode: 'json',
				templateCardJson: JSON.stringify({
					card_type: 'button_interaction',
					main_title: { title: '审批' },
					task_id: 'task-1',
					button_list: [{ text: '同意', key: 'yes' }],
				}),
			});
			expect(errorOf(interactive).message).toMatch(
				/a group robot sends only text_notice and news_notice cards, not "button_interaction"/,
			);
			const noAction = await send({
				messageType: 'template_card',
				templateCardMode: 'json',
				templateCardJson: JSON.stringify({ card_type: 'text_notice', main_title: { title: 'x' } }),
			});
			expect(errorOf(noAction).message).toMatch(/card_action is required/);
			expect(sendCalls()).toHaveLength(2);
		});

		it('offers only the robot card types and no member picker (a robot has no app)', () => {
			const { properties } = new (jest.requireActual(
				'../../nodes/WeComGroupRobot/WeComGroupRobot.node',
			).WeComGroupRobot)().description as { properties: IDataObject[] };
			const cardType = properties.find((p) => p.name === 'cardType') as { options: IDataObject[] };
			expect(cardType.options.map((o) => o.value)).toEqual(['news_notice', 'text_notice']);
			expect(properties.some((p) => p.name === 'cardButtons' || p.name === 'cardTaskId')).toBe(
				false,
			);
			expect(JSON.stringify(properties)).not.toMatch(/loadOptionsMethod/);
		});
	});

	describe('credential, errors and retries', () => {
		it('takes the whole webhook URL as pasted (spaces around it too)', async () => {
			const pasted = env.credential('weComGroupRobot', {
				webhook: `  https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${WECOM_ROBOT_SEED.key}&debug=1 `,
			});
			const result = await env.run('weComGroupRobot', pasted, {
				messageType: 'text',
				content: 'hi',
			});
			expect(result.error).toBeUndefined();
			expect(sendCalls()[0].query).toEqual({ key: WECOM_ROBOT_SEED.key });
		});

		it('a URL without key= and a key with stray characters are refused before any call', async () => {
			for (const [webhook, message] of [
				['https://qyapi.weixin.qq.com/cgi-bin/webhook/send', /looks like a URL but has no key=/],
				['"693a91f6-7xxx"', /may hold only letters, digits/],
			] as const) {
				const cred = env.credential('weComGroupRobot', { webhook });
				const result = await env.run('weComGroupRobot', cred, {
					messageType: 'text',
					content: 'hi',
				});
				expect(errorOf(result).message).toMatch(message);
				expect(errorOf(result).message).toMatch(/Webhook URL or Key/);
			}
			expect(env.emulator.calls).toHaveLength(0);
		});

		it('an unknown key fails with 93000 and a hint, and the key appears nowhere in the error', async () => {
			const key = 'deadbeef-0000-4000-8000-000000000000';
			const cred = env.credential('weComGroupRobot', {
				webhook: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${key}`,
			});
			const result = await env.run('weComGroupRobot', cred, { messageType: 'text', content: 'hi' });
			const error = errorOf(result);
			expect(error.message).toMatch(/does not know this webhook key/);
			expect(error.message).toMatch(/errcode 93000/);
			expect(error.description).toMatch(/Webhook key 无效/);
			expect(
				JSON.stringify({ m: error.message, d: error.description, c: error.context }),
			).not.toContain(key);
		});

		it('HTTP 503 is retried and the message goes out once; HTTP 500 is not retried (it may have been posted)', async () => {
			env.emulator.injectFault({ kind: 'http', status: 503, path: '/cgi-bin/webhook/send' });
			const retried = await send({ messageType: 'text', content: '重试' });
			expect(retried.error).toBeUndefined();
			expect(sendCalls()).toHaveLength(2);
			expect(env.wecom().posts).toHaveLength(1);

			env.emulator.calls.length = 0;
			env.emulator.injectFault({ kind: 'http', status: 500, path: '/cgi-bin/webhook/send' });
			const failed = await send({ messageType: 'text', content: '不重试' });
			expect(errorOf(failed).message).toBe('WeCom answered HTTP 500 for /cgi-bin/webhook/send');
			expect(sendCalls()).toHaveLength(1);
		});

		it('an unreachable API Base URL is retried (nothing was sent), then named', async () => {
			const closed = env.credential('weComGroupRobot', {
				webhook: WECOM_ROBOT_SEED.key,
				baseUrl: 'http://127.0.0.1:9',
			});
			const result = await env.run('weComGroupRobot', closed, {
				messageType: 'text',
				content: 'hi',
			});
			const error = errorOf(result);
			expect(error.message).toBe(
				"Could not reach WeCom for /cgi-bin/webhook/send after 3 retries: check the credential's API Base URL and the network",
			);
			expect(JSON.stringify({ m: error.message, d: error.description })).not.toContain(
				WECOM_ROBOT_SEED.key,
			);
		});

		it("names WeCom's other refusals with their hint (45002, 40008) or the errcode and a lookup link", async () => {
			const cases: Array<[number, RegExp]> = [
				[45002, /^The message is too long: text takes at most 2,048 bytes/],
				[40008, /^WeCom does not accept this message type from a group robot/],
				[40058, /^A parameter is invalid or missing/],
				[93004, /^WeCom error 93004: /],
			];
			for (const [errcode, message] of cases) {
				env.emulator.injectFault({ kind: 'errcode', errcode, path: '/cgi-bin/webhook/send' });
				const error = errorOf(await send({ messageType: 'text', content: 'hi' }));
				expect(error.message).toMatch(message);
				expect(error.message).not.toMatch(/hint:|from ip/);
			}
		});

		it('an answer that is not JSON (a wrong API Base URL) is named as such', async () => {
			env.emulator.injectFault({
				kind: 'http',
				status: 200,
				body: '<html>proxy login</html>',
				path: '/cgi-bin/webhook/send',
			});
			expect(errorOf(await send({ messageType: 'text', content: 'hi' })).message).toBe(
				"WeCom answered /cgi-bin/webhook/send with something that is not JSON: check that the credential's API Base URL points at WeCom (or your relay)",
			);
		});

		it('On Error (continue): a bad item becomes an error item, the others are sent, pairing kept', async () => {
			const result = await env.run(
				'weComGroupRobot',
				credential,
				{ messageType: 'text', content: '={{ $json.text }}' },
				[{ json: { text: '第一条' } }, { json: { text: '' } }, { json: { text: '第三条' } }],
				{ onError: 'continueRegularOutput' },
			);
			expect(result.error).toBeUndefined();
			expect(result.items.map((i) => i.pairedItem)).toEqual([
				{ item: 0 },
				{ item: 1 },
				{ item: 2 },
			]);
			expect(result.items[1].json).toEqual({ error: 'Content is empty: WeCom requires it' });
			expect(env.wecom().posts.map((p) => (p.payload.text as IDataObject).content)).toEqual([
				'第一条',
				'第三条',
			]);
		});
	});
});

describe('WeCom robot emulator state', () => {
	it('a new robot starts with an empty window and no media', async () => {
		const env = await startRobots({ plugins: ['wecom'] });
		const key = addWeComRobot(env.emulator.wecom);
		expect(weComRobots(env.emulator.wecom).robots.get(key)).toEqual({ key, sends: [] });
		env.emulator.reset();
		expect(weComRobots(env.emulator.wecom).robots.has(key)).toBe(false);
		await env.stop();
	});
});
