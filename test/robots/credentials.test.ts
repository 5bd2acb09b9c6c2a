/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code: emulator-only keys and secrets, never inside n8n */
// The robot credentials: what each Test button proves, and the format checks their authenticate applies.
import type { IHttpRequestOptions } from 'n8n-workflow';

import { DingTalkRobotApi } from '../../credentials/DingTalkRobotApi.credentials';
import { WeComGroupRobotApi } from '../../credentials/WeComGroupRobotApi.credentials';
import { webhookSecret } from '../../nodes/shared/webhookTarget';
import { testCredential } from './credentialTest';
import { DINGTALK_ROBOT_SEED, startRobots, WECOM_ROBOT_SEED, type RobotTestEnv } from './setup';

const SECRET = 'SEC0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9';

describe('webhook URL or value', () => {
	it.each([
		['693a91f6-7a0c-4bc4-97a0-0ec2f1fa5aaa', '693a91f6-7a0c-4bc4-97a0-0ec2f1fa5aaa'],
		[
			' https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7a0c-4bc4-97a0-0ec2f1fa5aaa ',
			'693a91f6-7a0c-4bc4-97a0-0ec2f1fa5aaa',
		],
		['https://relay.example.com/wecom/cgi-bin/webhook/send?debug=1&key=abc_DEF-123', 'abc_DEF-123'],
		['https://x.example.com/send?key=ab%2Dcd', 'ab-cd'],
	])('reads the key from %j', (raw, key) => {
		expect(webhookSecret(raw, 'key', 'Webhook URL or Key')).toBe(key);
	});

	it.each([
		['', /Webhook URL or Key is empty: paste the robot's webhook URL, or the key in it/],
		['https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=', /looks like a URL but has no key=/],
		['https://oapi.dingtalk.com/robot/send?access_token=abc', /looks like a URL but has no key=/],
		['abc def', /may hold only letters, digits/],
	])('refuses %j with a message that names the field', (raw, message) => {
		expect(() => webhookSecret(raw, 'key', 'Webhook URL or Key')).toThrow(message);
	});
});

describe('robot credentials: authenticate', () => {
	const options: IHttpRequestOptions = { url: 'http://x/robot/send', qs: { keep: 'me' } };

	it('WeCom adds the key to the query and keeps the rest', async () => {
		const out = await new WeComGroupRobotApi().authenticate(
			{ webhook: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${WECOM_ROBOT_SEED.key}` },
			options,
		);
		expect(out.qs).toEqual({ keep: 'me', key: WECOM_ROBOT_SEED.key });
		expect(options.qs).toEqual({ keep: 'me' });
	});

	it('DingTalk adds the token, and with a secret a timestamp and the signature of that timestamp', async () => {
		jest.spyOn(Date, 'now').mockReturnValue(1700000000003);
		try {
			const signed = await new DingTalkRobotApi().authenticate(
				{
					webhook: 'abc123',
					signingSecret: 'SECd2f5e3b1a7c94e6f8b0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c',
				},
				options,
			);
			expect(signed.qs).toEqual({
				keep: 'me',
				access_token: 'abc123',
				timestamp: '1700000000003',
				// The openssl vector (see dingtalkRobot.test.ts), as plain base64: the HTTP client encodes it once.
				sign: 'zPwywK9MszNzks5bwtQ20adt8k+pvvKVkY37VDxl/RA=',
			});
		} finally {
			jest.restoreAllMocks();
		}
		const unsigned = await new DingTalkRobotApi().authenticate(
			{ webhook: 'abc123', signingSecret: '' },
			options,
		);
		expect(unsigned.qs).toEqual({ keep: 'me', access_token: 'abc123' });
		await expect(
			new DingTalkRobotApi().authenticate(
				{ webhook: 'abc123', signingSecret: 'sec-lower' },
				options,
			),
		).rejects.toThrow(/must be the value DingTalk shows .* starts with "SEC"/);
	});
});

describe('robot credentials: the Test button (n8n RoutingNode against the emulator)', () => {
	let env: RobotTestEnv;
	const wecom = new WeComGroupRobotApi();
	const dingtalk = new DingTalkRobotApi();

	beforeAll(async () => {
		env = await startRobots();
	});

	afterAll(async () => {
		await env.stop();
	});

	beforeEach(() => {
		env.emulator.calls.length = 0;
	});

	it('WeCom: a valid key passes by uploading a temporary file; nothing is posted to the group', async () => {
		const credential = env.credential('weComGroupRobot', { webhook: WECOM_ROBOT_SEED.key });
		const before = env.wecom().posts.length;

		expect(await testCredential(env.harness, wecom, credential)).toEqual({
			status: 'OK',
			message: 'Connection successful!',
		});

		const [upload] = env.emulator.calls;
		expect(env.emulator.calls).toHaveLength(1);
		expect(upload.path).toBe('/cgi-bin/webhook/upload_media');
		expect(upload.query).toEqual({ key: WECOM_ROBOT_SEED.key, type: 'file' });
		const media = env.wecom().media.get((upload.response as { media_id: string }).media_id);
		expect(media?.filename).toBe('n8n-credential-test.txt');
		expect(media?.data.toString()).toMatch(/it was not posted to the group/);
		expect(env.wecom().posts).toHaveLength(before);
	});

	it('WeCom: an unknown key fails naming 93000; a base URL that is not WeCom fails too', async () => {
		const unknown = env.credential('weComGroupRobot', {
			webhook: 'deadbeef-0000-4000-8000-000000000000',
		});
		const result = await testCredential(env.harness, wecom, unknown);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/does not know this webhook key \(93000\)/);

		const notWeCom = env.credential('weComGroupRobot', {
			webhook: WECOM_ROBOT_SEED.key,
			baseUrl: `${env.emulator.baseUrl}/some/relay`,
		});
		expect((await testCredential(env.harness, wecom, notWeCom)).status).toBe('Error');
	});

	it('WeCom: a malformed field fails with the format message before any call', async () => {
		const malformed = env.credential('weComGroupRobot', {
			webhook: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send',
		});
		const result = await testCredential(env.harness, wecom, malformed);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/has no key=/);
		expect(env.emulator.calls).toHaveLength(0);
	});

	it('DingTalk: a right token and secret pass with a message DingTalk cannot deliver; nothing is posted', async () => {
		const credential = env.credential('dingTalkGroupRobot', {
			webhook: DINGTALK_ROBOT_SEED.token,
			signingSecret: DINGTALK_ROBOT_SEED.secret,
		});
		const before = env.dingtalk().posts.length;

		expect((await testCredential(env.harness, dingtalk, credential)).status).toBe('OK');

		const [call] = env.emulator.calls;
		expect(call.path).toBe('/robot/send');
		expect(call.body).toEqual({ msgtype: 'n8n_credential_test' });
		expect(Object.keys(call.query).sort()).toEqual(['access_token', 'sign', 'timestamp']);
		// Past the security check, refused as a message: the emulator's order (DingTalk documents none).
		expect((call.response as { errcode: number }).errcode).toBe(400105);
		expect(env.dingtalk().posts).toHaveLength(before);
	});

	it('DingTalk: an unknown token fails naming 300001', async () => {
		const credential = env.credential('dingTalkGroupRobot', { webhook: 'f'.repeat(64) });
		const result = await testCredential(env.harness, dingtalk, credential);
		expect(result).toEqual({
			status: 'Error',
			message: expect.stringMatching(/does not know this access token \(300001\)/),
		});
	});

	it('DingTalk: a wrong Signing Secret (or none for a 加签 robot) fails with the security check explained', async () => {
		const { token } = env.newDingTalkRobot({ secret: SECRET });
		for (const signingSecret of [`SEC${'1'.repeat(64)}`, '']) {
			const credential = env.credential('dingTalkGroupRobot', { webhook: token, signingSecret });
			const result = await testCredential(env.harness, dingtalk, credential);
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(/security check refused the test \(310000\)/);
			expect(result.message).toMatch(/Signing Secret differs/);
		}
	});

	it('DingTalk: a Signing Secret that does not start with SEC fails before any call', async () => {
		const credential = env.credential('dingTalkGroupRobot', {
			webhook: DINGTALK_ROBOT_SEED.token,
			signingSecret: DINGTALK_ROBOT_SEED.secret.slice(3),
		});
		const result = await testCredential(env.harness, dingtalk, credential);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/starts with "SEC"/);
		expect(env.emulator.calls).toHaveLength(0);
	});

	it('both credentials explain in their UI what Test proves', () => {
		const notice = (type: { properties: Array<{ type: string; displayName: string }> }) =>
			type.properties.find((p) => p.type === 'notice')?.displayName;
		expect(notice(wecom)).toMatch(/nothing is posted to the group/);
		expect(notice(dingtalk)).toMatch(/does not prove the Signing Secret/);
	});
});
