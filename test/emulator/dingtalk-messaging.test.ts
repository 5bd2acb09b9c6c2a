/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n; msgKey values are message types, not secrets */
import { ApiEmulator, DINGTALK_SEED, encodeMultipart } from '.';
import { EMULATOR_ROBOT_GROUP } from './dingtalk/messaging';
import { request } from './testClient';

// The emulator's own checks of DingTalk's messaging endpoints: each refusal the node tests rely on is proven here
// against a hand-written request, so a node test that passes is not passing because the emulator accepts anything.

describe('DingTalk messaging endpoints (emulator)', () => {
	let emulator: ApiEmulator;
	let token: string;

	beforeAll(async () => {
		emulator = await ApiEmulator.start({ plugins: ['dingtalk'] });
	});

	afterAll(async () => {
		await emulator.stop();
	});

	beforeEach(() => {
		emulator.reset();
		token = emulator.accessToken('dingtalk');
	});

	const oldApi = async (path: string, body: unknown) =>
		(await request(emulator.baseUrl, 'POST', path, { query: { access_token: token }, body })).json;
	const newApi = async (path: string, body: unknown) =>
		await request(emulator.baseUrl, 'POST', path, {
			body,
			headers: { 'x-acs-dingtalk-access-token': token, 'content-type': 'application/json' },
		});
	const uploadFile = async (type: string, filename: string, size: number) => {
		const form = encodeMultipart([{ name: 'media', filename, data: Buffer.alloc(size, 1) }]);
		return (
			await request(emulator.baseUrl, 'POST', '/media/upload', {
				query: { access_token: token, type },
				body: form.body,
				headers: { 'content-type': form.contentType },
			})
		).json;
	};

	describe('/media/upload', () => {
		it('stores a file and answers media_id, type and created_at', async () => {
			const answer = await uploadFile('voice', 'a.mp3', 10);
			expect(answer).toMatchObject({
				errcode: 0,
				type: 'voice',
				media_id: expect.stringMatching(/^@lAD/),
			});
			expect(emulator.dingtalk.messaging.media.get(answer.media_id)?.data.length).toBe(10);
		});

		it('reads the type from the form when the query has none', async () => {
			const form = encodeMultipart([
				{ name: 'type', value: 'image' },
				{ name: 'media', filename: 'a.png', data: Buffer.from('png') },
			]);
			const answer = (
				await request(emulator.baseUrl, 'POST', '/media/upload', {
					query: { access_token: token },
					body: form.body,
					headers: { 'content-type': form.contentType },
				})
			).json;
			expect(answer).toMatchObject({ errcode: 0, type: 'image' });
		});

		it.each([
			['audio', 'a.mp3', 10, 40004],
			['image', 'a.webp', 10, 40005],
			['file', 'a.txt', 10, 40005],
			['voice', 'a.amr', 2 * 1024 * 1024 + 1, 40006],
			['file', 'a.pdf', 0, 40006],
		])('refuses type %s "%s" of %d bytes with errcode %d', async (type, name, size, errcode) => {
			expect((await uploadFile(type, name, size)).errcode).toBe(errcode);
		});
	});

	describe('work notifications', () => {
		const SEND = '/topapi/message/corpconversation/asyncsend_v2';
		const text = { msgtype: 'text', text: { content: 'hi' } };
		const base = { agent_id: DINGTALK_SEED.agentId, userid_list: 'dev001', msg: text };

		it('accepts a valid send and answers a task_id', async () => {
			expect(await oldApi(SEND, base)).toMatchObject({ errcode: 0, task_id: expect.any(Number) });
		});

		it.each<[string, Record<string, unknown>, number, RegExp]>([
			['no agent_id', { ...base, agent_id: undefined }, 40035, /agent_id/],
			['another app', { ...base, agent_id: 1 }, 40056, /agentid/],
			['no recipient', { ...base, userid_list: undefined }, 40035, /required/],
			[
				'101 users',
				{ ...base, userid_list: Array.from({ length: 101 }, (_, i) => `u${i}`).join(',') },
				40035,
				/at most 100/,
			],
			[
				'21 departments',
				{ ...base, dept_id_list: Array.from({ length: 21 }, (_, i) => i + 1).join(',') },
				40035,
				/at most 20/,
			],
			['an array of users', { ...base, userid_list: ['dev001'] }, 40035, /comma-separated/],
			['an unknown msgtype', { ...base, msg: { msgtype: 'video', video: {} } }, 40035, /msgtype/],
			['text without content', { ...base, msg: { msgtype: 'text', text: {} } }, 40035, /content/],
			[
				'a link without picUrl',
				{ ...base, msg: { msgtype: 'link', link: { messageUrl: 'u', title: 't', text: 't' } } },
				40035,
				/picUrl/,
			],
			[
				'a card with both button kinds',
				{
					...base,
					msg: {
						msgtype: 'action_card',
						action_card: {
							title: 't',
							markdown: 'm',
							single_title: 's',
							single_url: 'u',
							btn_orientation: '0',
							btn_json_list: [{ title: 'a', action_url: 'b' }],
						},
					},
				},
				40035,
				/single_title/,
			],
			[
				'an OA colour with 0x',
				{
					...base,
					msg: {
						msgtype: 'oa',
						oa: {
							message_url: 'u',
							head: { bgcolor: '0xFFBBBBBB', text: 'h' },
							body: { content: 'c' },
						},
					},
				},
				40035,
				/bgcolor/,
			],
			[
				'an unknown media_id',
				{ ...base, msg: { msgtype: 'image', image: { media_id: '@nope' } } },
				40007,
				/media_id/,
			],
			[
				'a msg over 2048 bytes',
				{ ...base, msg: { msgtype: 'text', text: { content: 'x'.repeat(2100) } } },
				40035,
				/2048/,
			],
		])('refuses %s', async (_, body, errcode, message) => {
			const answer = await oldApi(SEND, body);
			expect(answer.errcode).toBe(errcode);
			expect(answer.errmsg).toMatch(message);
		});

		it('drops a repeat of the same content to a user that day, and reports it in the send result', async () => {
			const first = await oldApi(SEND, base);
			const second = await oldApi(SEND, base);
			const result = await oldApi('/topapi/message/corpconversation/getsendresult', {
				agent_id: DINGTALK_SEED.agentId,
				task_id: second.task_id,
			});
			expect(first.task_id).not.toBe(second.task_id);
			expect(result.send_result).toMatchObject({
				forbidden_user_id_list: ['dev001'],
				unread_user_id_list: [],
				forbidden_list: [{ code: '143106', count: 1, userid: 'dev001' }],
			});
		});
	});

	describe('robot messages', () => {
		const batch = {
			robotCode: DINGTALK_SEED.appKey,
			userIds: ['dev001'],
			msgKey: 'sampleText',
			msgParam: '{"content":"hi"}',
		};

		it('accepts a valid one-to-one and group send', async () => {
			const oto = await newApi('/v1.0/robot/oToMessages/batchSend', batch);
			expect(oto.status).toBe(200);
			expect(oto.json).toEqual({
				processQueryKey: expect.any(String),
				invalidStaffIdList: [],
				flowControlledStaffIdList: [],
			});
			const group = await newApi('/v1.0/robot/groupMessages/send', {
				robotCode: batch.robotCode,
				openConversationId: EMULATOR_ROBOT_GROUP,
				msgKey: batch.msgKey,
				msgParam: batch.msgParam,
			});
			expect(group.json).toEqual({ processQueryKey: expect.any(String) });
		});

		it.each<[string, Record<string, unknown>, string]>([
			['no robotCode', { ...batch, robotCode: '' }, 'invalidParameter.robotCode.missing'],
			[
				'21 users',
				{ ...batch, userIds: Array.from({ length: 21 }, (_, i) => `u${i}`) },
				'invalidParameter.userIds.invalid',
			],
			[
				'msgParam as an object',
				{ ...batch, msgParam: { content: 'hi' } },
				'invalidParameter.msgParam.invalid',
			],
			[
				'an unknown msgKey',
				{ ...batch, msgKey: 'sampleActionCard7' },
				'invalidParameter.msgKey.invalid',
			],
			[
				'sampleActionCard3 with two buttons',
				{
					...batch,
					msgKey: 'sampleActionCard3',
					msgParam: JSON.stringify({
						title: 't',
						text: 't',
						actionTitle1: 'a',
						actionURL1: 'u',
						actionTitle2: 'b',
						actionURL2: 'u',
					}),
				},
				'invalidParameter.msgParam.invalid',
			],
			[
				'sampleFile with an unknown media_id',
				{
					...batch,
					msgKey: 'sampleFile',
					msgParam: JSON.stringify({ mediaId: '@nope', fileName: 'a.pdf', fileType: 'pdf' }),
				},
				'invalidParameter.msgParam.invalid',
			],
		])('refuses %s with HTTP 400 and its code', async (_, body, code) => {
			const answer = await newApi('/v1.0/robot/oToMessages/batchSend', body);
			expect(answer.status).toBe(400);
			expect(answer.json).toMatchObject({ code, requestid: expect.any(String) });
		});

		it('refuses more than 20 keys per recall, and recalls a key once', async () => {
			const tooMany = await newApi('/v1.0/robot/otoMessages/batchRecall', {
				robotCode: DINGTALK_SEED.appKey,
				processQueryKeys: Array.from({ length: 21 }, (_, i) => `k${i}`),
			});
			expect(tooMany.status).toBe(400);
			const { processQueryKey } = (await newApi('/v1.0/robot/oToMessages/batchSend', batch)).json;
			const recall = () =>
				newApi('/v1.0/robot/otoMessages/batchRecall', {
					robotCode: DINGTALK_SEED.appKey,
					processQueryKeys: [processQueryKey],
				});
			expect((await recall()).json).toEqual({ successResult: [processQueryKey], failedResult: {} });
			expect((await recall()).json).toEqual({
				successResult: [],
				failedResult: { [processQueryKey]: 'message already recalled' },
			});
		});
	});
});
