/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code: emulator-only tokens and secrets, never inside n8n */
// The DingTalk Group Robot node through the real engine against the emulator's custom robot webhook.
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { robotSignature } from '../../nodes/DingTalkGroupRobot/signature';
import { dingTalkRobots } from '../emulator/dingtalk/customRobot';
import { startRobots, DINGTALK_ROBOT_SEED, type RobotTestEnv, type RunOutcome } from './setup';

const SECRET = 'SECd2f5e3b1a7c94e6f8b0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c';

/**
 * 加签 vectors for SECRET, computed outside this code base with
 * `printf '%s\n%s' "$T" "$SECRET" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64`
 * (DingTalk publishes no fixed vector). The second one holds "+", "/" and "=", which the query must carry
 * URL-encoded exactly once.
 */
const SIGN_VECTORS: Array<[number, string]> = [
	[1700000000000, 'HS3o7tBdCNgq5QEaPfHUHdWcFCQExmsZee4OIAOQA9w='],
	[1700000000003, 'zPwywK9MszNzks5bwtQ20adt8k+pvvKVkY37VDxl/RA='],
	[1700000000008, 'KKrlLa+nQyIGplJMvnITlDiBPvIZxnUrRe/LgoEXvQg='],
];

const errorOf = (result: RunOutcome) => {
	expect(result.error).toBeDefined();
	return result.error as Error & { description?: string; context?: IDataObject };
};

/** Everything a user can see of an error, for "no secret in it" checks. */
const visible = (result: RunOutcome) => {
	const error = errorOf(result);
	return JSON.stringify({ m: error.message, d: error.description, c: error.context });
};

describe('DingTalk robot signing (加签)', () => {
	it.each(SIGN_VECTORS)('timestamp %d signs to the openssl vector', (timestamp, sign) => {
		expect(robotSignature(SECRET, timestamp)).toBe(sign);
	});
});

describe('DingTalk Group Robot', () => {
	let env: RobotTestEnv;

	beforeAll(async () => {
		env = await startRobots({ plugins: ['dingtalk'] });
	});

	afterAll(async () => {
		await env.stop();
	});

	beforeEach(() => {
		env.emulator.calls.length = 0;
		env.emulator.clearFaults();
		env.dingtalk().posts.length = 0;
	});

	afterEach(() => {
		jest.restoreAllMocks();
	});

	/** A robot of its own per test (the node paces each robot to 20 messages a minute). */
	const robot = (settings?: Parameters<RobotTestEnv['newDingTalkRobot']>[0]) =>
		env.newDingTalkRobot(settings);
	const send = async (
		credential: { id: string; name: string },
		parameters: INodeParameters,
		items?: Parameters<RobotTestEnv['run']>[3],
	) => await env.run('dingTalkGroupRobot', credential, parameters, items);
	const calls = () => env.emulator.callsTo('/robot/send');
	const lastBody = () => calls().at(-1)?.body as IDataObject;

	describe('message types', () => {
		it('text with @mobiles and @userIds: the at object, and the @s the text lacks appended to it', async () => {
			const { credential } = robot();
			const result = await send(credential, {
				messageType: 'text',
				content: '请 @13800001111 确认今日发布',
				mentionMobiles: '13800001111, 13900002222',
				mentionUserIds: 'manager4220',
			});

			expect(result.error).toBeUndefined();
			expect(result.items).toEqual([
				{ json: { sent: true, msgtype: 'text' }, pairedItem: { item: 0 } },
			]);
			expect(lastBody()).toEqual({
				msgtype: 'text',
				text: { content: '请 @13800001111 确认今日发布 @13900002222 @manager4220' },
				at: {
					atMobiles: ['13800001111', '13900002222'],
					atUserIds: ['manager4220'],
					isAtAll: false,
				},
			});
		});

		it('@all alone, mentions without touching the text when asked, and no at object without mentions', async () => {
			const { credential } = robot();
			await send(credential, { messageType: 'text', content: '全员注意', mentionAll: true });
			expect(lastBody()).toEqual({
				msgtype: 'text',
				text: { content: '全员注意' },
				at: { atMobiles: [], atUserIds: [], isAtAll: true },
			});
			await send(credential, {
				messageType: 'text',
				content: '静默提及',
				mentionMobiles: '={{ ["13800001111"] }}',
				mentionsInText: false,
			});
			expect(lastBody()).toEqual({
				msgtype: 'text',
				text: { content: '静默提及' },
				at: { atMobiles: ['13800001111'], atUserIds: [], isAtAll: false },
			});
			await send(credential, { messageType: 'text', content: '普通消息' });
			expect(lastBody()).toEqual({ msgtype: 'text', text: { content: '普通消息' } });
		});

		it('markdown with a title; mentions go on a line of their own', async () => {
			const { credential } = robot();
			const text = '#### 日报\n- 完成: 3\n- 进行中: 2';
			const result = await send(credential, {
				messageType: 'markdown',
				title: '今日日报',
				text,
				mentionMobiles: '13800001111',
			});
			expect(result.error).toBeUndefined();
			expect(lastBody()).toEqual({
				msgtype: 'markdown',
				markdown: { title: '今日日报', text: `${text}\n\n@13800001111` },
				at: { atMobiles: ['13800001111'], atUserIds: [], isAtAll: false },
			});
		});

		it('link, action card with one button, action card with several buttons, feed card', async () => {
			const { credential } = robot();
			const cases: Array<[INodeParameters, IDataObject]> = [
				[
					{
						messageType: 'link',
						title: '发布说明',
						text: 'v2.3.0 已发布',
						messageUrl: 'https://example.com/release',
						picUrl: 'https://example.com/p.png',
					},
					{
						msgtype: 'link',
						link: {
							title: '发布说明',
							text: 'v2.3.0 已发布',
							messageUrl: 'https://example.com/release',
							picUrl: 'https://example.com/p.png',
						},
					},
				],
				[
					{
						messageType: 'actionCard',
						title: '周报',
						text: '### 本周完成\n- 上线新版本',
						buttonLayout: 'single',
						singleTitle: '阅读全文',
						singleUrl: 'https://example.com/weekly',
					},
					{
						msgtype: 'actionCard',
						actionCard: {
							title: '周报',
							text: '### 本周完成\n- 上线新版本',
							singleTitle: '阅读全文',
							singleURL: 'https://example.com/weekly',
						},
					},
				],
				[
					{
						messageType: 'actionCard',
						title: '审批',
						text: '请处理报销单',
						buttonLayout: 'several',
						btnOrientation: 'horizontal',
						buttons: {
							button: [
								{ title: '同意', actionURL: 'https://example.com/yes' },
								{ title: '拒绝', actionURL: 'https://example.com/no' },
							],
						},
					},
					{
						msgtype: 'actionCard',
						actionCard: {
							title: '审批',
							text: '请处理报销单',
							btnOrientation: '1',
							btns: [
								{ title: '同意', actionURL: 'https://example.com/yes' },
								{ title: '拒绝', actionURL: 'https://example.com/no' },
							],
						},
					},
				],
				[
					{
						messageType: 'feedCard',
						links: {
							link: [
								{
									title: '新闻一',
									messageURL: 'https://example.com/1',
									picURL: 'https://example.com/1.png',
								},
								{
									title: '新闻二',
									messageURL: 'https://example.com/2',
									picURL: 'https://example.com/2.png',
								},
							],
						},
					},
					{
						msgtype: 'feedCard',
						feedCard: {
							links: [
								{
									title: '新闻一',
									messageURL: 'https://example.com/1',
									picURL: 'https://example.com/1.png',
								},
								{
									title: '新闻二',
									messageURL: 'https://example.com/2',
									picURL: 'https://example.com/2.png',
								},
							],
						},
					},
				],
			];
			for (const [parameters, body] of cases) {
				const result = await send(credential, parameters);
				expect(result.error).toBeUndefined();
				expect(lastBody()).toEqual(body);
			}
			// The emulator checked each body the way DingTalk does and accepted all four.
			expect(env.dingtalk().posts.map((p) => p.msgtype)).toEqual([
				'link',
				'actionCard',
				'actionCard',
				'feedCard',
			]);
		});

		it('refuses incomplete messages before any call, naming the field', async () => {
			const { credential } = robot();
			const cases: Array<[INodeParameters, string]> = [
				[{ messageType: 'text', content: '  ' }, 'Content is empty: DingTalk requires it'],
				// Empty from the data (an empty literal is stopped by n8n itself as a missing required parameter).
				[
					{ messageType: 'markdown', title: '={{ "" }}', text: 'x' },
					'Title is empty: DingTalk requires it',
				],
				[
					{ messageType: 'link', title: 't', text: 'x', messageUrl: '={{ $json.missing }}' },
					'Message URL is empty: DingTalk requires it',
				],
				[
					{
						messageType: 'actionCard',
						title: 't',
						text: 'x',
						buttonLayout: 'several',
						buttons: {},
					},
					'Buttons: 0 given, DingTalk needs at least 1',
				],
				[
					{
						messageType: 'feedCard',
						links: { link: [{ title: 'a', messageURL: 'https://example.com', picURL: '' }] },
					},
					'Link 1 picture URL is empty: DingTalk requires it',
				],
				[
					{ messageType: 'text', content: 'x', mentionMobiles: 'zhangsan' },
					'Mention Mobiles: "zhangsan" is not a mobile number (digits, optionally with + and -)',
				],
			];
			for (const [parameters, message] of cases) {
				expect(errorOf(await send(credential, parameters)).message).toBe(message);
			}
			expect(env.emulator.calls).toHaveLength(0);
		});
	});

	describe('signing (加签) and security settings', () => {
		it('signs each request with the millisecond timestamp, URL-encoded once (a sign with + / =)', async () => {
			const { credential } = robot({ secret: SECRET });
			const [timestamp, sign] = SIGN_VECTORS[1];
			jest.spyOn(Date, 'now').mockReturnValue(timestamp);

			const result = await send(credential, { messageType: 'text', content: '签名测试' });

			expect(result.error).toBeUndefined();
			const [call] = calls();
			// The emulator decoded the query once: any other encoding would not give back the vector.
			expect(call.query.timestamp).toBe(String(timestamp));
			expect(call.query.sign).toBe(sign);
			expect((call.response as { errcode: number }).errcode).toBe(0);
		});

		it('without a Signing Secret sends neither timestamp nor sign', async () => {
			const { credential, token } = robot();
			expect(
				(await send(credential, { messageType: 'text', content: 'hi' })).error,
			).toBeUndefined();
			expect(calls()[0].query).toEqual({ access_token: token });
		});

		it('the seeded robot: the whole webhook URL pasted, signed with its secret', async () => {
			const credential = env.credential('dingTalkGroupRobot', {
				webhook: `https://oapi.dingtalk.com/robot/send?access_token=${DINGTALK_ROBOT_SEED.token}`,
				signingSecret: ` ${DINGTALK_ROBOT_SEED.secret} `,
			});
			expect(
				(await send(credential, { messageType: 'text', content: 'hi' })).error,
			).toBeUndefined();
			expect(calls()[0].query.access_token).toBe(DINGTALK_ROBOT_SEED.token);
		});

		it('a wrong Signing Secret: 310000 explained as the signature, in English and Chinese; no secret or token shown', async () => {
			const { token } = robot({ secret: SECRET });
			const wrong = `SEC${'0'.repeat(64)}`;
			const credential = env.credential('dingTalkGroupRobot', {
				webhook: token,
				signingSecret: wrong,
			});

			const result = await send(credential, { messageType: 'text', content: 'hi' });

			const error = errorOf(result);
			expect(error.message).toMatch(/^The signature does not match \(加签\)/);
			expect(error.message).toMatch(/\(errcode 310000: sign not match\)$/);
			expect(error.description).toMatch(/签名不匹配（加签）/);
			for (const secret of [token, wrong, SECRET]) expect(visible(result)).not.toContain(secret);
		});

		it('a robot with 加签 but no secret in the credential is refused (310000, signature or timestamp named)', async () => {
			const { token } = robot({ secret: SECRET });
			const credential = env.credential('dingTalkGroupRobot', { webhook: token });
			const error = errorOf(await send(credential, { messageType: 'text', content: 'hi' }));
			expect(error.message).toMatch(/errcode 310000: invalid timestamp/);
			expect(error.message).toMatch(/clock/);
		});

		it("n8n's clock more than an hour off: 310000 explained as the timestamp", async () => {
			const { credential } = robot({ secret: SECRET });
			jest.spyOn(Date, 'now').mockReturnValue(Date.UTC(2026, 0, 1) - 61 * 60_000);
			// The emulator's clock: at the real hour; the node signs 61 minutes earlier.
			const emulatorNow = Date.UTC(2026, 0, 1);
			const offClock = await startRobots({ plugins: ['dingtalk'], now: () => emulatorNow });
			try {
				const { credential: offCredential } = offClock.newDingTalkRobot({ secret: SECRET });
				const error = errorOf(
					await offClock.run('dingTalkGroupRobot', offCredential, {
						messageType: 'text',
						content: 'hi',
					}),
				);
				expect(error.message).toMatch(
					/^DingTalk refused the signature's timestamp: n8n's clock is more than an hour away/,
				);
				expect(error.description).toMatch(/NTP/);
			} finally {
				await offClock.stop();
			}
			expect(credential).toBeDefined();
		});

		it('a keyword robot: a message without a keyword is explained; with a keyword in the title it goes out', async () => {
			const { credential } = robot({ keywords: ['日报', '告警'] });
			const missing = errorOf(await send(credential, { messageType: 'text', content: 'hello' }));
			expect(missing.message).toMatch(
				/^The message contains none of the robot's custom keywords \(自定义关键词\)/,
			);
			expect(missing.message).toMatch(/errcode 310000: keywords not in content/);
			expect(missing.description).toMatch(/自定义关键词/);

			const ok = await send(credential, {
				messageType: 'markdown',
				title: '【日报】',
				text: 'all green',
			});
			expect(ok.error).toBeUndefined();
		});

		it('a robot limited to other IP addresses: explained as the IP list', async () => {
			const { credential } = robot({ allowedIps: ['203.0.113.7'] });
			const error = errorOf(await send(credential, { messageType: 'text', content: 'hi' }));
			expect(error.message).toMatch(
				/^n8n's public IP is not in the robot's IP address range \(IP地址段\)/,
			);
			expect(error.message).toMatch(/ip 127\.0\.0\.1 not in whitelist/);
		});

		it("310000 in DingTalk's newer Chinese wording is still told apart; an unknown wording lists every cause", async () => {
			const { credential } = robot();
			env.emulator.injectFault({
				kind: 'errcode',
				errcode: 310000,
				path: '/robot/send',
				errmsg:
					'description:机器人发送签名不匹配;solution:请确认签名和生成签名的时间戳必须都放在调用的网址中，请确认机器人的密钥加密和填写正确;',
			});
			expect(
				errorOf(await send(credential, { messageType: 'text', content: 'hi' })).message,
			).toMatch(/^The signature does not match/);
			env.emulator.injectFault({
				kind: 'errcode',
				errcode: 310000,
				path: '/robot/send',
				errmsg: '安全校验失败',
			});
			const unknown = errorOf(await send(credential, { messageType: 'text', content: 'hi' }));
			expect(unknown.message).toMatch(/^DingTalk's security check refused the message/);
			for (const cause of [/keywords/, /signature/, /timestamp/, /IP address range/]) {
				expect(unknown.message).toMatch(cause);
			}
			expect(unknown.description).toMatch(/安全校验拒绝/);
		});

		it('an unknown access token: 300001 with a hint, the token shown nowhere', async () => {
			const token = 'f'.repeat(64);
			const credential = env.credential('dingTalkGroupRobot', { webhook: token });
			const result = await send(credential, { messageType: 'text', content: 'hi' });
			const error = errorOf(result);
			expect(error.message).toMatch(/^DingTalk does not know this access token/);
			expect(error.message).toMatch(/errcode 300001: token is not exist/);
			expect(error.description).toMatch(/access_token 不存在/);
			expect(visible(result)).not.toContain(token);
		});

		it('a Signing Secret that is not SEC… or a URL without access_token is refused before any call', async () => {
			const { token } = robot({ secret: SECRET });
			for (const [data, message] of [
				[
					{ webhook: token, signingSecret: 'abc123' },
					/Signing Secret \(加签\) must be .* starts with "SEC"/,
				],
				[
					{ webhook: 'https://oapi.dingtalk.com/robot/send' },
					/Webhook URL or Access Token looks like a URL but has no access_token=/,
				],
			] as const) {
				const credential = env.credential('dingTalkGroupRobot', data);
				expect(
					errorOf(await send(credential, { messageType: 'text', content: 'hi' })).message,
				).toMatch(message);
			}
			expect(env.emulator.calls).toHaveLength(0);
		});

		it('other errcodes come with what DingTalk said; HTTP 503 is retried and the message goes out once', async () => {
			const { credential } = robot();
			env.emulator.injectFault({
				kind: 'errcode',
				errcode: 430101,
				errmsg: '含有不安全的外链',
				path: '/robot/send',
			});
			expect(errorOf(await send(credential, { messageType: 'text', content: 'hi' })).message).toBe(
				'DingTalk robot error 430101: 含有不安全的外链',
			);
			env.emulator.injectFault({ kind: 'http', status: 503, path: '/robot/send' });
			const before = env.dingtalk().posts.length;
			expect(
				(await send(credential, { messageType: 'text', content: 'retry' })).error,
			).toBeUndefined();
			expect(env.dingtalk().posts.length - before).toBe(1);
		});

		it('many items are each signed and sent; their order and pairing are kept', async () => {
			const { credential, token } = robot({ secret: SECRET });
			const result = await send(
				credential,
				{ messageType: 'text', content: '={{ "第" + $json.n + "条" }}' },
				[0, 1, 2, 3, 4].map((n) => ({ json: { n } })),
			);
			expect(result.error).toBeUndefined();
			expect(result.items.map((i) => i.pairedItem)).toEqual(
				[0, 1, 2, 3, 4].map((item) => ({ item })),
			);
			expect(
				dingTalkRobots(env.emulator.dingtalk)
					.posts.filter((p) => p.token === token)
					.map((p) => (p.payload.text as IDataObject).content),
			).toEqual(['第0条', '第1条', '第2条', '第3条', '第4条']);
		});
	});
});
