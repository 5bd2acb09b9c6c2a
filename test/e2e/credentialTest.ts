/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets -- test code: deliberately wrong secrets, never inside n8n */
// Issue 8, item 3: n8n's Test button on the WeCom credential validates exactly what is typed. Driven the way the
// editor does it: the credential is read back redacted (secrets and the stored token as n8n's blank placeholder),
// fields are edited, and the whole form goes to POST /rest/credentials/test, where n8n restores the placeholders
// from the database — so the stored access token is present, as it is for a user.
import { ApiEmulator, WECOM_SEED } from '../emulator';
import { CREDENTIAL } from './instance';
import { StepError, type N8nRest } from './n8nHost';

type Check = (name: string, body: () => Promise<void>) => Promise<void>;

interface TestResult {
	status: string;
	message: string;
}

function expect(condition: boolean, message: string): void {
	if (!condition) throw new StepError(message);
}

export async function credentialTestChecks(
	check: Check,
	rest: N8nRest,
	emulator: ApiEmulator,
): Promise<void> {
	/** The form as the editor holds it (GET with includeData: secrets redacted), with some fields retyped. */
	const form = async (edits: Record<string, string>) => {
		const stored = await rest.get<{ data: Record<string, unknown> }>(
			`/credentials/${CREDENTIAL.id}?includeData=true`,
		);
		return { ...stored.data, ...edits };
	};
	const test = async (edits: Record<string, string>): Promise<TestResult> =>
		await rest.post<TestResult>('/credentials/test', {
			credentials: { ...CREDENTIAL, data: await form(edits) },
		});
	const describe = (r: TestResult) => `"${r.status}: ${r.message}"`;
	const redacted = async () => {
		const data = (await form({})) as Record<string, unknown>;
		expect(
			data.baseUrl === emulator.baseUrl,
			`the stored API Base URL is ${String(data.baseUrl)}, expected the emulator's`,
		);
		expect(
			typeof data.accessToken === 'string' && data.accessToken.startsWith('__n8n_BLANK_VALUE'),
			`the stored credential holds no access token (the editor would send ${JSON.stringify(data.accessToken)})`,
		);
	};

	await check(
		'credential Test with a stored token and a wrong Secret is red (40001), never green on the old token',
		async () => {
			// A correct Test first: it stores a token for exactly these values.
			const good = await test({});
			expect(good.status === 'OK', `a correct credential tested ${describe(good)}`);
			await redacted();
			const gettokens = emulator.callsTo('/cgi-bin/gettoken').length;
			const wrong = await test({ secret: 'not-the-secret-0123456789' });
			expect(
				wrong.status === 'Error' && /40001/.test(wrong.message) && /Secret/.test(wrong.message),
				`a wrong Secret over a stored token tested ${describe(wrong)}`,
			);
			expect(
				emulator.callsTo('/cgi-bin/gettoken').length === gettokens + 1,
				'the Test did not ask gettoken with the typed Secret',
			);
			expect(
				!wrong.message.includes('not-the-secret-0123456789') &&
					!wrong.message.includes(WECOM_SEED.secret),
				'the Test message shows a secret',
			);
			const wrongCorp = await test({ corpId: 'ww0000000000000000' });
			expect(
				wrongCorp.status === 'Error' && /40013/.test(wrongCorp.message),
				`a wrong Corp ID over a stored token tested ${describe(wrongCorp)}`,
			);
			// The stored token is still the good one: a failed Test stores nothing.
			expect((await test({})).status === 'OK', 'the credential no longer tests OK');
		},
	);

	await check(
		'credential Test after the API Base URL changed is green at once (no node run), with a token from the new URL',
		async () => {
			const other = await ApiEmulator.start({ port: 0, plugins: ['wecom'] });
			try {
				const moved = await test({ baseUrl: `${other.baseUrl}/` });
				expect(moved.status === 'OK', `the Test at the new API Base URL was ${describe(moved)}`);
				const agentGets = other.callsTo('/cgi-bin/agent/get');
				expect(
					other.callsTo('/cgi-bin/gettoken').length === 1 && agentGets.length === 1,
					`the new URL saw ${other.callsTo('/cgi-bin/gettoken').length} gettoken and ${agentGets.length} agent/get calls, expected 1 and 1`,
				);
				expect(
					(agentGets[0].response as { errcode?: number }).errcode === 0,
					`agent/get at the new URL answered ${JSON.stringify(agentGets[0].response)}`,
				);
				// Back to the emulator the workflows use (an emulator restart is the same case: every token dies).
				const back = await test({});
				expect(back.status === 'OK', `the Test back at the first URL was ${describe(back)}`);
			} finally {
				await other.stop();
			}
		},
	);

	await check('credential Test with an empty Agent ID is red and says so (41011)', async () => {
		const empty = await test({ agentId: '' });
		expect(
			empty.status === 'Error' && /41011/.test(empty.message) && /Agent ID/.test(empty.message),
			`an empty Agent ID tested ${describe(empty)}`,
		);
		const unknown = await test({ agentId: '999999' });
		expect(
			unknown.status === 'Error' && /40056/.test(unknown.message),
			`an unknown Agent ID tested ${describe(unknown)}`,
		);
	});

	await check(
		'credential Test names the URL and the fix when it cannot connect, not a bare error code',
		async () => {
			const refused = await test({ baseUrl: 'http://127.0.0.1:1' });
			expect(
				refused.status === 'Error' &&
					refused.message.includes('http://127.0.0.1:1/cgi-bin/gettoken') &&
					/API Base URL/.test(refused.message),
				`an API Base URL where nothing listens tested ${describe(refused)}`,
			);
			const notWeCom = await test({ baseUrl: `${emulator.baseUrl}/nothing` });
			expect(
				notWeCom.status === 'Error' &&
					notWeCom.message.includes(
						`${emulator.baseUrl}/nothing/cgi-bin/gettoken answered HTTP 404`,
					),
				`an API Base URL that is not WeCom tested ${describe(notWeCom)}`,
			);
			const notUrl = await test({ baseUrl: 'qyapi.weixin.qq.com' });
			expect(
				notUrl.status === 'Error' &&
					/"qyapi\.weixin\.qq\.com" is not a URL/.test(notUrl.message) &&
					/https:\/\//.test(notUrl.message),
				`an API Base URL without a scheme tested ${describe(notUrl)}`,
			);
			expect((await test({})).status === 'OK', 'the credential no longer tests OK');
		},
	);
}
