// One token request per process for concurrent executions (nodes/shared/accessToken.ts fetchTokenOnce): the
// function itself with a fake clock, then WeCom's and DingTalk's credentials through n8n-core's real engine, ten
// executions at once on a credential without a token, as a cold queue-mode worker starts them.
import {
	credentialFingerprint,
	fetchTokenOnce,
	forgetSharedTokens,
	TOKEN_REFUSAL_FIELD,
	tokenRecord,
	type TokenOwner,
} from '../../nodes/shared/accessToken';
import { startDingTalk, type DingTalkTestEnv } from '../dingtalk/setup';
import { sendParameters } from '../wecom/messagingSupport';
import { startWeCom, type WeComTestEnv } from '../wecom/setup';

const owner: TokenOwner = { appId: 'ww-app', secret: 'app-secret', host: 'https://api.example' };

function deferred<T>() {
	let resolve!: (value: T) => void;
	let reject!: (error: Error) => void;
	const promise = new Promise<T>((ok, fail) => {
		resolve = ok;
		reject = fail;
	});
	return { promise, resolve, reject };
}

describe('fetchTokenOnce', () => {
	let clock = 1_000_000;
	const now = () => clock;

	beforeEach(() => {
		forgetSharedTokens();
		clock = 1_000_000;
	});

	it('lets concurrent callers join one fetch, and shares its result for a minute with callers without it', async () => {
		const fetch = jest.fn();
		const gate = deferred<string>();
		fetch.mockReturnValueOnce(gate.promise);
		const callers = Array.from({ length: 10 }, async () =>
			fetchTokenOnce(owner, { accessToken: '' }, fetch, now),
		);
		const record = tokenRecord(owner, 'tok-1', clock);
		gate.resolve(record);
		expect(await Promise.all(callers)).toEqual(Array(10).fill(record));
		expect(fetch).toHaveBeenCalledTimes(1);

		// A late caller that read the credential before the new token was stored.
		clock += 59_000;
		expect(await fetchTokenOnce(owner, { accessToken: '' }, fetch, now)).toBe(record);
		expect(fetch).toHaveBeenCalledTimes(1);

		clock += 2_000;
		fetch.mockResolvedValueOnce(tokenRecord(owner, 'tok-2', clock));
		expect(await fetchTokenOnce(owner, { accessToken: '' }, fetch, now)).toContain('tok-2');
		expect(fetch).toHaveBeenCalledTimes(2);
	});

	it('never hands out again the token the caller found dead (401 retry, forced refresh)', async () => {
		const first = tokenRecord(owner, 'tok-1', clock);
		const fetch = jest.fn().mockResolvedValueOnce(first);
		expect(await fetchTokenOnce(owner, { accessToken: '' }, fetch, now)).toBe(first);

		// n8n's retry after a 401 comes with the token it used (another record of the same token counts the same).
		clock += 1_000;
		const second = tokenRecord(owner, 'tok-2', clock);
		fetch.mockResolvedValueOnce(second);
		const sameToken = tokenRecord(owner, 'tok-1', clock - 500);
		expect(await fetchTokenOnce(owner, { accessToken: sameToken }, fetch, now)).toBe(second);

		// A forced refresh of a call that started with tok-2: it is dead, fetch.
		clock += 1_000;
		const third = tokenRecord(owner, 'tok-3', clock);
		fetch.mockResolvedValueOnce(third);
		const refusedTok2 = { [TOKEN_REFUSAL_FIELD]: { since: clock, token: second } };
		expect(await fetchTokenOnce(owner, { accessToken: '', ...refusedTok2 }, fetch, now)).toBe(
			third,
		);
		expect(fetch).toHaveBeenCalledTimes(3);

		// Calls that started with tok-1 or tok-2 — also after tok-3 was fetched, having read the credential before n8n
		// stored it — get tok-3 without a fetch.
		clock += 10;
		for (const token of [first, second]) {
			const refused = { [TOKEN_REFUSAL_FIELD]: { since: clock, token } };
			expect(await fetchTokenOnce(owner, { accessToken: '', ...refused }, fetch, now)).toBe(third);
		}
		expect(fetch).toHaveBeenCalledTimes(3);

		// A token another process stored (newer than ours, the same value) was refused: ours is dead too.
		const fourth = tokenRecord(owner, 'tok-4', clock);
		fetch.mockResolvedValueOnce(fourth);
		const othersTok3 = tokenRecord(owner, 'tok-3', clock + 5);
		const refusedOthers = { [TOKEN_REFUSAL_FIELD]: { since: clock, token: othersTok3 } };
		expect(await fetchTokenOnce(owner, { accessToken: '', ...refusedOthers }, fetch, now)).toBe(
			fourth,
		);

		// A call that started without a token tells by time: only a token fetched after its attempt began is another.
		clock += 10;
		const fifth = tokenRecord(owner, 'tok-5', clock);
		fetch.mockResolvedValueOnce(fifth);
		const blind = (since: number) => ({ [TOKEN_REFUSAL_FIELD]: { since, token: '' } });
		expect(await fetchTokenOnce(owner, { accessToken: '', ...blind(clock) }, fetch, now)).toBe(
			fifth,
		);
		expect(await fetchTokenOnce(owner, { accessToken: '', ...blind(clock - 1) }, fetch, now)).toBe(
			fifth,
		);
		expect(fetch).toHaveBeenCalledTimes(5);
	});

	it('keeps tokens of other credential values apart, and forgets a failed fetch', async () => {
		const other = { ...owner, secret: 'edited-secret' };
		expect(credentialFingerprint(other)).not.toBe(credentialFingerprint(owner));
		const fetch = jest
			.fn()
			.mockResolvedValueOnce(tokenRecord(owner, 'tok-a', clock))
			.mockRejectedValueOnce(new Error('refused'))
			.mockResolvedValueOnce(tokenRecord(other, 'tok-b', clock));
		await fetchTokenOnce(owner, { accessToken: '' }, fetch, now);
		const refused = [1, 2, 3].map(async () =>
			fetchTokenOnce(other, { accessToken: '' }, fetch, now),
		);
		for (const attempt of refused) await expect(attempt).rejects.toThrow('refused');
		expect(await fetchTokenOnce(other, { accessToken: '' }, fetch, now)).toContain('tok-b');
		expect(fetch).toHaveBeenCalledTimes(3);
	});
});

describe('ten executions at once on a credential without a token (n8n-core engine, emulator)', () => {
	describe('WeCom', () => {
		let env: WeComTestEnv;
		beforeEach(async () => {
			env = await startWeCom();
		});
		afterEach(async () => await env.stop());

		const burst = async (label: string) =>
			await Promise.all(
				Array.from(
					{ length: 10 },
					async (_, i) =>
						await env.run(
							sendParameters({
								toUsers: 'zhangsan',
								messageType: 'text',
								content: `${label} ${i}`,
							}),
						),
				),
			);

		it('one gettoken for the burst; after WeCom kills the token, one more for the next burst', async () => {
			for (const result of await burst('cold')) expect(result.error).toBeUndefined();
			expect(env.emulator.callsTo('/cgi-bin/gettoken')).toHaveLength(1);
			expect(env.harness.credentials.preAuthenticationCount('weComApi')).toBe(10);

			env.emulator.invalidateTokens('wecom');
			for (const result of await burst('after the token died'))
				expect(result.error).toBeUndefined();
			expect(env.emulator.callsTo('/cgi-bin/gettoken')).toHaveLength(2);
			const sent = env.emulator.callsTo('/cgi-bin/message/send').filter((c) => c.status === 200);
			expect(sent.filter((c) => (c.response as { errcode?: number }).errcode === 0)).toHaveLength(
				20,
			);
		});
	});

	describe('DingTalk', () => {
		let env: DingTalkTestEnv;
		beforeEach(async () => {
			env = await startDingTalk();
		});
		afterEach(async () => await env.stop());

		it('one token request for the burst', async () => {
			const results = await Promise.all(
				Array.from(
					{ length: 10 },
					async () =>
						await env.run({
							resource: 'department',
							operation: 'get',
							departmentId: { __rl: true, mode: 'id', value: '1' },
						}),
				),
			);
			for (const result of results) expect(result.error).toBeUndefined();
			expect(env.emulator.callsTo('/v1.0/oauth2/accessToken')).toHaveLength(1);
		});
	});
});
