/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// The emulator's own checks of the AI card endpoints, the robot file download and the offline model stand-in, against
// hand-written requests: the node tests that rely on a refusal are not passing because the emulator accepts anything.
import { ApiEmulator } from '.';
import { addRobotFile, cardsOf, EMULATOR_AI_CARD_TEMPLATE, EMULATOR_ROBOT_GROUP } from './dingtalk';
import { request } from './testClient';

describe('DingTalk AI card, robot file and model stand-in endpoints (emulator)', () => {
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

	const call = async (method: string, path: string, body: unknown) =>
		await request(emulator.baseUrl, method, path, {
			body,
			headers: { 'x-acs-dingtalk-access-token': token, 'content-type': 'application/json' },
		});
	const group = (extra: object = {}) => ({
		cardTemplateId: EMULATOR_AI_CARD_TEMPLATE,
		outTrackId: 'track-1',
		cardData: { cardParamMap: { flowStatus: '1', msgContent: '' } },
		openSpaceId: `dtv1.card//IM_GROUP.${EMULATOR_ROBOT_GROUP}`,
		imGroupOpenDeliverModel: { robotCode: emulator.dingtalk.app.appKey },
		...extra,
	});

	it('createAndDeliver: one card per outTrackId, to a group the robot is in or a 1:1 with an active user', async () => {
		const created = await call('POST', '/v1.0/card/instances/createAndDeliver', group());
		expect(created.status).toBe(200);
		expect(created.json).toMatchObject({
			success: true,
			result: { outTrackId: 'track-1', deliverResults: [{ spaceType: 'IM_GROUP', success: true }] },
		});
		const again = await call('POST', '/v1.0/card/instances/createAndDeliver', group());
		expect(again.status).toBe(400);
		expect(again.json.code).toBe('param.outTrackIdDuplicate');
		const direct = await call('POST', '/v1.0/card/instances/createAndDeliver', {
			...group({ outTrackId: 'track-2', openSpaceId: 'dtv1.card//IM_ROBOT.dev001' }),
			imGroupOpenDeliverModel: undefined,
			imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT' },
		});
		expect(direct.status).toBe(200);
		expect(
			(
				await call(
					'POST',
					'/v1.0/card/instances/createAndDeliver',
					group({ outTrackId: 't3', openSpaceId: 'dtv1.card//IM_GROUP.cidNoSuch==' }),
				)
			).json.code,
		).toBe('chatbotNotInstall');
		expect(
			(
				await call(
					'POST',
					'/v1.0/card/instances/createAndDeliver',
					group({ outTrackId: 't4', cardTemplateId: 'nope.schema' }),
				)
			).json.code,
		).toBe('invalidParameter.cardTemplate.notFound');
		expect(
			(
				await call(
					'POST',
					'/v1.0/card/instances/createAndDeliver',
					group({ outTrackId: 't5', cardData: { cardParamMap: { flowStatus: 1 } } }),
				)
			).json.code,
		).toBe('param.invalid');
	});

	it('updates and streaming: merged into the card, recorded with their time; a card that does not exist is refused', async () => {
		await call('POST', '/v1.0/card/instances/createAndDeliver', group());
		expect(
			(
				await call('PUT', '/v1.0/card/instances', {
					outTrackId: 'track-1',
					cardData: { cardParamMap: { flowStatus: '2' } },
				})
			).json,
		).toEqual({ success: true, result: true });
		const stream = (extra: object) =>
			call('PUT', '/v1.0/card/streaming', {
				outTrackId: 'track-1',
				guid: 'g',
				key: 'msgContent',
				content: '你好',
				isFull: true,
				isFinalize: false,
				isError: false,
				...extra,
			});
		await stream({});
		await stream({ content: '，世界', isFull: false, isFinalize: true });
		const [card] = cardsOf(emulator.dingtalk);
		expect(card.params).toEqual({ flowStatus: '2', msgContent: '你好，世界' });
		expect(card.finalized).toBe(true);
		expect(card.updates.map((u) => u.kind)).toEqual(['create', 'update', 'streaming', 'streaming']);
		expect((await stream({ guid: '' })).json.code).toBe('param.invalid');
		expect(
			(
				await call('PUT', '/v1.0/card/streaming', {
					outTrackId: 'none',
					guid: 'g',
					key: 'k',
					content: '',
				})
			).json.code,
		).toBe('param.cardInstanceNotExist');
	});

	it('robot file download: a downloadCode gives a short-lived URL that serves the bytes without a token', async () => {
		const code = addRobotFile(emulator.dingtalk, {
			fileName: 'a.txt',
			mimeType: 'text/plain',
			data: Buffer.from('hello'),
		});
		const answer = await call('POST', '/v1.0/robot/messageFiles/download', {
			downloadCode: code,
			robotCode: emulator.dingtalk.app.appKey,
		});
		expect(answer.status).toBe(200);
		const file = await request(
			emulator.baseUrl,
			'GET',
			new URL(answer.json.downloadUrl).pathname + new URL(answer.json.downloadUrl).search,
		);
		expect(file).toMatchObject({ status: 200, text: 'hello' });
		expect(file.headers.get('content-type')).toBe('text/plain');
		expect(
			(
				await call('POST', '/v1.0/robot/messageFiles/download', {
					downloadCode: 'x',
					robotCode: emulator.dingtalk.app.appKey,
				})
			).json.code,
		).toBe('invalidParameter.downloadCode.invalid');
		expect(
			(await call('POST', '/v1.0/robot/messageFiles/download', { downloadCode: code })).json.code,
		).toBe('invalidParameter.robotCode.missing');
	});

	it('model stand-in: Chat Completions with server-sent events (a chunk per few characters, usage, [DONE]) or one answer', async () => {
		emulator.dingtalk.modelStandIn.tokenDelayMs = 0;
		emulator.dingtalk.modelStandIn.firstTokenDelayMs = 0;
		const ask = (body: object) =>
			request(emulator.baseUrl, 'POST', '/openai/v1/chat/completions', {
				body,
				headers: { authorization: 'Bearer sk-x', 'content-type': 'application/json' },
			});
		const streamed = await ask({
			model: 'm',
			stream: true,
			stream_options: { include_usage: true },
			messages: [{ role: 'user', content: '你好' }],
		});
		const events = streamed.text.split('\n\n').filter((e) => e.startsWith('data: '));
		expect(events.at(-1)).toBe('data: [DONE]');
		const text = events
			.slice(0, -1)
			.map((e) => JSON.parse(e.slice(6)) as { choices: Array<{ delta: { content?: string } }> })
			.map((e) => e.choices[0]?.delta.content ?? '')
			.join('');
		expect(text).toBe(emulator.dingtalk.modelStandIn.answer('你好'));
		const plain = await ask({ model: 'm', messages: [{ role: 'user', content: '你好' }] });
		expect(plain.json.choices[0].message.content).toBe(text);
		expect((await ask({ model: 'm', messages: [{ role: 'user', content: '#fail' }] })).status).toBe(
			500,
		);
		expect(
			(await request(emulator.baseUrl, 'POST', '/openai/v1/chat/completions', { body: {} })).status,
		).toBe(401);
	});
});
