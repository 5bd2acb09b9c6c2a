/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code: a deliberately wrong secret, never inside n8n */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { parseTokenRecord, tokenRecord } from '../../nodes/shared/accessToken';
import { weComTokenOwner } from '../../nodes/WeCom/accessToken';
import { ApiEmulator, WECOM_SEED } from '../emulator';
import {
	apiCalls,
	binaryItem,
	bytesOf,
	errorOf,
	sendParameters,
	type RunOutcome,
} from './messagingSupport';
import { startWeCom, type WeComTestEnv } from './setup';

const text = (content: string, to: string | string[] = 'zhangsan'): INodeParameters =>
	sendParameters({ toUsers: to, messageType: 'text', content });

/** The raw token inside the credential's stored token record. */
function storedToken(env: WeComTestEnv): string | undefined {
	return parseTokenRecord(env.harness.credentials.stored(env.credential.id).accessToken)?.token;
}

/** Every token the emulator handed out so far (read from its recorded gettoken answers). */
function issuedTokens(env: WeComTestEnv): string[] {
	return env.emulator
		.callsTo('/cgi-bin/gettoken')
		.map((c) => (c.response as { access_token?: string }).access_token)
		.filter((t): t is string => typeof t === 'string');
}

describe('WeCom transport (token cache, refresh, back-off)', () => {
	let env: WeComTestEnv;

	beforeEach(async () => {
		// A fresh emulator and credential per test: token counts start at zero.
		env = await startWeCom();
	});

	afterEach(async () => {
		await env.stop();
	});

	it('fetches the token once for 100 messages across 10 executions', async () => {
		for (let run = 0; run < 10; run++) {
			const items: INodeExecutionData[] = Array.from({ length: 10 }, (_, i) => ({
				json: { n: run * 10 + i },
			}));
			const result = await env.run(text('={{ "第" + $json.n + "条" }}'), items);
			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(10);
		}

		expect(env.emulator.callsTo('/cgi-bin/gettoken')).toHaveLength(1);
		expect(env.emulator.tokenIssueCount('wecom')).toBe(1);
		const sends = env.emulator.callsTo('/cgi-bin/message/send');
		expect(sends).toHaveLength(100);
		const [token] = issuedTokens(env);
		expect(sends.every((c) => c.query.access_token === token)).toBe(true);
		expect(storedToken(env)).toBe(token);
		expect(
			env.emulator.sentMessages().map((m) => (m.payload.text as { content: string }).content),
		).toEqual(Array.from({ length: 100 }, (_, n) => `第${n}条`));
	});

	it('refreshes a token the emulator invalidated early, once, and stores the new one', async () => {
		expect((await env.run(text('warm-up'))).error).toBeUndefined();
		const [oldToken] = issuedTokens(env);
		env.emulator.injectFault({ kind: 'invalidateToken', path: '/cgi-bin/message/send' });

		const result = await env.run(text('after invalidation'));

		expect(result.error).toBeUndefined();
		expect(result.items[0].json.msgid).toEqual(expect.any(String));
		const tokens = issuedTokens(env);
		expect(tokens).toHaveLength(2);
		const newToken = tokens[1];
		expect(newToken).not.toBe(oldToken);
		const sends = env.emulator.callsTo('/cgi-bin/message/send').slice(1);
		expect(sends).toHaveLength(2);
		expect(sends[0].query.access_token).toBe(oldToken);
		expect(sends[0].response).toMatchObject({ errcode: 40014 });
		expect(sends[1].query.access_token).toBe(newToken);
		expect(sends[1].response).toMatchObject({ errcode: 0 });
		expect(storedToken(env)).toBe(newToken);

		// The next execution uses the stored new token without another gettoken.
		expect((await env.run(text('next run'))).error).toBeUndefined();
		expect(issuedTokens(env)).toHaveLength(2);
	});

	it('refreshes an invalidated token for a binary upload and re-sends the same bytes', async () => {
		expect((await env.run(text('warm-up'))).error).toBeUndefined();
		env.emulator.injectFault({ kind: 'invalidateToken', path: '/cgi-bin/media/upload' });
		const bytes = bytesOf(4096);

		const result = await env.run({ resource: 'media', operation: 'upload', mediaType: 'file' }, [
			binaryItem(bytes, '重传.bin', 'application/octet-stream'),
		]);

		expect(result.error).toBeUndefined();
		expect(env.emulator.callsTo('/cgi-bin/media/upload')).toHaveLength(2);
		expect(env.emulator.mediaBytes(result.items[0].json.media_id as string)!.equals(bytes)).toBe(
			true,
		);
	});

	it('retries a throttled call (45009 once) and succeeds', async () => {
		env.emulator.injectFault({
			kind: 'errcode',
			errcode: 45009,
			path: '/cgi-bin/message/send',
			times: 1,
		});

		const result = await env.run(text('throttled once'));

		expect(result.error).toBeUndefined();
		const sends = env.emulator.callsTo('/cgi-bin/message/send');
		expect(sends).toHaveLength(2);
		expect(sends[0].response).toMatchObject({ errcode: 45009 });
		expect(result.items[0].json.msgid).toBe((sends[1].response as { msgid: string }).msgid);
		expect(env.emulator.sentMessages()).toHaveLength(1);
	});

	it('gives up on a call throttled beyond the bound with a clear error', async () => {
		env.emulator.injectFault({
			kind: 'errcode',
			errcode: 45009,
			path: '/cgi-bin/message/send',
			times: 10,
		});

		const result = await env.run(text('throttled for good'));

		const error = errorOf(result);
		expect(error.message).toMatch(/API call frequency limit reached/);
		expect(error.message).toMatch(/45009/);
		expect(error.message).toMatch(/still throttled after 3 retries/);
		expect(error.description).toContain('接口调用超过频率限制');
		expect(env.emulator.callsTo('/cgi-bin/message/send')).toHaveLength(4);
		expect(env.emulator.sentMessages()).toHaveLength(0);
	});

	it('retries an HTTP 503 and succeeds', async () => {
		env.emulator.injectFault({
			kind: 'http',
			status: 503,
			path: '/cgi-bin/message/send',
			times: 2,
		});

		const result = await env.run(text('after 503'));

		expect(result.error).toBeUndefined();
		const sends = env.emulator.callsTo('/cgi-bin/message/send');
		expect(sends.map((c) => c.status)).toEqual([503, 503, 200]);
		expect(env.emulator.sentMessages()).toHaveLength(1);
	});

	it('fails with the HTTP status once 5xx retries run out', async () => {
		env.emulator.injectFault({
			kind: 'http',
			status: 503,
			path: '/cgi-bin/message/send',
			times: 10,
		});

		const result = await env.run(text('503 for good'));

		expect(errorOf(result).message).toMatch(
			/WeCom answered HTTP 503 for \/cgi-bin\/message\/send after 3 retries/,
		);
		expect(env.emulator.callsTo('/cgi-bin/message/send')).toHaveLength(4);
	});

	it('reports a refused token (wrong Secret) at once, with the hint, without retrying gettoken', async () => {
		env.harness.credentials.patch(env.credential.id, { secret: 'not-the-app-secret-42' });

		const result = await env.run(text('never sent'));

		const error = errorOf(result);
		expect(error.message).toMatch(/^WeCom refused to issue an access token: Invalid Secret/);
		expect(error.message).toContain('errcode 40001');
		expect(error.message).not.toMatch(/Could not reach|retries/);
		expect(error.message).not.toContain('not-the-app-secret-42');
		expect(env.emulator.callsTo('/cgi-bin/gettoken')).toHaveLength(1);
		expect(apiCalls(env)).toHaveLength(0);
	});

	it('retries a gettoken answered with HTTP 503 and then sends', async () => {
		env.emulator.injectFault({ kind: 'http', status: 503, path: '/cgi-bin/gettoken', times: 1 });

		const result = await env.run(text('after a flaky gettoken'));

		expect(result.error).toBeUndefined();
		expect(env.emulator.callsTo('/cgi-bin/gettoken').map((c) => c.status)).toEqual([503, 200]);
		expect(env.emulator.sentMessages()).toHaveLength(1);
	});

	it('names a connection failure and retries it a bounded number of times', async () => {
		// A port nothing listens on, with a token stored for exactly these values: the send itself fails to connect.
		const stored = env.harness.credentials.stored(env.credential.id);
		const values = { ...stored, baseUrl: 'http://127.0.0.1:1' };
		env.harness.credentials.patch(env.credential.id, {
			baseUrl: values.baseUrl,
			accessToken: tokenRecord(weComTokenOwner(values), 'planted-token-value', Date.now()),
		});

		const result = await env.run(text('nowhere to go'));

		const error = errorOf(result);
		expect(error.message).toBe(
			'Could not reach WeCom for /cgi-bin/message/send after 3 retries: nothing accepts connections at http://127.0.0.1:1: check the API Base URL (host and port), and that the relay or emulator it names is running',
		);
		expect(error.description).toMatch(/^ECONNREFUSED: /);
		expect(JSON.stringify(error)).not.toContain('planted-token-value');
	});

	it('keeps the secret and every token out of outputs and errors', async () => {
		const outcomes: RunOutcome[] = [];
		outcomes.push(await env.run(text('ok')));
		outcomes.push(await env.run(text('nobody valid', ['ghost'])));
		env.emulator.injectFault({ kind: 'invalidateToken', path: '/cgi-bin/message/send' });
		outcomes.push(await env.run(text('after refresh')));
		env.emulator.injectFault({
			kind: 'errcode',
			errcode: 45009,
			path: '/cgi-bin/message/send',
			times: 10,
		});
		outcomes.push(await env.run(text('throttled')));
		env.emulator.clearFaults();
		env.emulator.injectFault({
			kind: 'http',
			status: 503,
			path: '/cgi-bin/message/send',
			times: 10,
		});
		outcomes.push(await env.run(text('down')));
		env.emulator.clearFaults();
		env.emulator.injectFault({
			kind: 'errcode',
			errcode: 40014,
			path: '/cgi-bin/message/send',
			times: 2,
		});
		outcomes.push(await env.run(text('dead token twice')));
		outcomes.push(
			await env.run(
				text('={{ $json.t }}', '={{ $json.to }}'),
				[{ json: { t: 'x', to: 'ghost' } }],
				{
					continueOnFail: true,
				},
			),
		);
		outcomes.push(
			await env.run({ resource: 'media', operation: 'upload', mediaType: 'image' }, [
				binaryItem(bytesOf(100), 'x.png', 'image/png'),
			]),
		);
		expect(outcomes.map((o) => o.error?.message.match(/errcode \d+|HTTP \d+/)?.[0])).toEqual([
			undefined,
			'errcode 81013',
			undefined,
			'errcode 45009',
			'HTTP 503',
			'errcode 40014',
			undefined,
			undefined,
		]);
		expect((outcomes[6].items[0].json.details as IDataObject).errcode).toBe(81013);

		const seen = new WeakSet<object>();
		const serialize = (value: unknown) =>
			JSON.stringify(value, (_key, v: unknown) => {
				if (v instanceof Error) {
					return {
						...v,
						name: v.name,
						message: v.message,
						stack: v.stack,
						description: (v as { description?: unknown }).description,
					};
				}
				if (typeof v === 'object' && v !== null) {
					if (seen.has(v)) return '[seen]';
					seen.add(v);
				}
				return v;
			});
		const serialized = outcomes
			.map((o) =>
				[
					serialize(o.run),
					serialize(o.items),
					o.error ? `${String(o.error)}\n${o.error.stack}` : '',
				].join('\n'),
			)
			.join('\n');

		const tokens = issuedTokens(env);
		expect(tokens.length).toBeGreaterThanOrEqual(2);
		expect(serialized).toContain('Every recipient was invalid');
		expect(serialized).not.toContain(WECOM_SEED.secret);
		for (const token of tokens) expect(serialized).not.toContain(token);
		expect(serialized).not.toMatch(/access_token=(?!\*)/);
		// apiCalls is only here to prove the emulator did see the token (so the check above is not vacuous).
		expect(apiCalls(env).some((c) => tokens.includes(c.query.access_token))).toBe(true);
	});

	describe('a stored token is used only for the values it was fetched with', () => {
		it('a wrong Secret typed over a stored token fetches (and fails) instead of using the old token', async () => {
			expect((await env.run(text('warm-up'))).error).toBeUndefined();
			const sendsBefore = env.emulator.callsTo('/cgi-bin/message/send').length;
			env.harness.credentials.patch(env.credential.id, { secret: 'not-the-app-secret-42' });

			const result = await env.run(text('must not be sent with the old token'));

			expect(errorOf(result).message).toMatch(
				/^WeCom refused to issue an access token: Invalid Secret/,
			);
			const gettokens = env.emulator.callsTo('/cgi-bin/gettoken');
			expect(gettokens).toHaveLength(2);
			expect(gettokens[1].query.corpsecret).toBe('not-the-app-secret-42');
			expect(env.emulator.callsTo('/cgi-bin/message/send')).toHaveLength(sendsBefore);
		});

		it('a wrong Corp ID typed over a stored token is refused the same way (40013)', async () => {
			expect((await env.run(text('warm-up'))).error).toBeUndefined();
			env.harness.credentials.patch(env.credential.id, { corpId: 'ww0000000000000000' });

			const result = await env.run(text('never sent'));

			expect(errorOf(result).message).toMatch(/Invalid CorpID.*errcode 40013/);
			expect(env.emulator.sentMessages()).toHaveLength(1);
		});

		it('after the API Base URL changes, the token comes from the new URL and the old one never goes there', async () => {
			expect((await env.run(text('warm-up'))).error).toBeUndefined();
			const oldToken = storedToken(env)!;
			const other = await ApiEmulator.start({ plugins: ['wecom'] });
			try {
				// A trailing slash and spaces are the same URL: the token belongs to the URL, not its spelling.
				env.harness.credentials.patch(env.credential.id, { baseUrl: ` ${other.baseUrl}/ ` });

				const result = await env.run(text('to the new URL'));

				expect(result.error).toBeUndefined();
				expect(other.callsTo('/cgi-bin/gettoken')).toHaveLength(1);
				const sent = other.callsTo('/cgi-bin/message/send');
				expect(sent).toHaveLength(1);
				expect(sent[0].query.access_token).not.toBe(oldToken);
				expect(sent[0].response).toMatchObject({ errcode: 0 });
				expect(storedToken(env)).toBe(sent[0].query.access_token);

				env.harness.credentials.patch(env.credential.id, { baseUrl: `${other.baseUrl}/` });
				expect((await env.run(text('same URL, other spelling'))).error).toBeUndefined();
				expect(other.callsTo('/cgi-bin/gettoken')).toHaveLength(1);
			} finally {
				await other.stop();
			}
		});

		it('a token stored before tokens carried their values (a bare token) is replaced, not sent', async () => {
			env.harness.credentials.patch(env.credential.id, { accessToken: 'legacy-bare-token-value' });

			const result = await env.run(text('after the upgrade'));

			expect(result.error).toBeUndefined();
			expect(env.emulator.callsTo('/cgi-bin/gettoken')).toHaveLength(1);
			const sends = env.emulator.callsTo('/cgi-bin/message/send');
			expect(sends.map((c) => c.query.access_token)).not.toContain('legacy-bare-token-value');
			expect(sends).toHaveLength(1);
		});

		it('the stored record holds neither the Secret nor anything but the token and a fingerprint', async () => {
			expect((await env.run(text('warm-up'))).error).toBeUndefined();
			const record = String(env.harness.credentials.stored(env.credential.id).accessToken);

			expect(record).not.toContain(WECOM_SEED.secret);
			expect(record).not.toContain(WECOM_SEED.corpId);
			expect(record).toMatch(/^tok1\.[A-Za-z0-9_-]{32}\.\d{13}\.emu_wecom_/);
		});
	});

	describe('a gettoken that cannot be made names the URL and the fix', () => {
		it('nothing listening at the API Base URL', async () => {
			env.harness.credentials.patch(env.credential.id, { baseUrl: 'http://127.0.0.1:1' });

			const error = errorOf(await env.run(text('nowhere')));

			expect(error.message).toBe(
				'Could not get an access token: nothing accepts connections at http://127.0.0.1:1/cgi-bin/gettoken: check the API Base URL (host and port), and that the relay or emulator it names is running (3 retries)',
			);
			expect(JSON.stringify(error)).not.toContain(WECOM_SEED.secret);
		});

		it('an API Base URL that answers gettoken with HTTP 404 (not WeCom, not a relay)', async () => {
			env.harness.credentials.patch(env.credential.id, {
				baseUrl: `${env.emulator.baseUrl}/nothing`,
			});

			const error = errorOf(await env.run(text('nowhere')));

			expect(error.message).toBe(
				`WeCom's gettoken at ${env.emulator.baseUrl}/nothing/cgi-bin/gettoken answered HTTP 404: check that the API Base URL points at WeCom (or a relay that forwards /cgi-bin/)`,
			);
			expect(env.emulator.callsTo('/nothing/cgi-bin/gettoken')).toHaveLength(1);
		});

		it('an API Base URL without a scheme', async () => {
			env.harness.credentials.patch(env.credential.id, { baseUrl: 'qyapi.weixin.qq.com' });

			const error = errorOf(await env.run(text('nowhere')));

			expect(error.message).toBe(
				'API Base URL "qyapi.weixin.qq.com" is not a URL: it must start with https:// (or http://), e.g. https://qyapi.weixin.qq.com',
			);
			expect(env.emulator.callsTo(/.*/)).toHaveLength(0);
		});
	});
});
