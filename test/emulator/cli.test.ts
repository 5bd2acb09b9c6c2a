/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { DINGTALK_SEED, WECOM_SEED } from '.';

const ROOT = join(__dirname, '..', '..');

describe('npm run emulator (cli.ts)', () => {
	it('starts, prints its URL and the seeded credentials, answers gettoken and stops on SIGTERM', async () => {
		const child = spawn(
			process.execPath,
			['-r', 'ts-node/register/transpile-only', join(__dirname, 'cli.ts'), '--port', '0'],
			{ cwd: ROOT, env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') } },
		);
		const exited = new Promise<number | null>((resolve) =>
			child.on('exit', (code) => resolve(code)),
		);
		try {
			let output = '';
			const baseUrl = await new Promise<string>((resolve, reject) => {
				child.stdout.on('data', (chunk: Buffer) => {
					output += chunk.toString('utf8');
					const match = /Base URL: (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
					if (match && output.includes('Ctrl+C')) {
						resolve(match[1]);
					}
				});
				child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
				void exited.then(() => reject(new Error(`emulator exited early:\n${output}`)));
			});
			expect(output).toContain(WECOM_SEED.corpId);
			expect(output).toContain(String(WECOM_SEED.agentId));
			expect(output).toContain(WECOM_SEED.secret);
			expect(output).toContain(WECOM_SEED.callbackToken);
			expect(output).toContain(WECOM_SEED.encodingAesKey);

			const url = new URL('/cgi-bin/gettoken', baseUrl);
			url.searchParams.set('corpid', WECOM_SEED.corpId);
			url.searchParams.set('corpsecret', WECOM_SEED.secret);
			const res = await fetch(url, { headers: { connection: 'close' } });
			expect(await res.json()).toMatchObject({ errcode: 0, access_token: expect.any(String) });

			// DingTalk Stream mode is on: tickets are issued and the controls answer.
			expect(output).toContain('DingTalk Stream mode');
			expect(output).toContain(`${baseUrl}/_emulator/stream/events`);
			// The inbox is printed and answers.
			expect(output).toContain(`Inbox:    ${baseUrl}/_emulator/inbox`);
			const inbox = await fetch(new URL('/_emulator/inbox.json', baseUrl), {
				headers: { connection: 'close' },
			});
			expect(await inbox.json()).toMatchObject({ total: 0, messages: [] });
			const open = await fetch(new URL('/v1.0/gateway/connections/open', baseUrl), {
				method: 'POST',
				headers: {
					accept: 'application/json',
					'content-type': 'application/json',
					connection: 'close',
				},
				body: JSON.stringify({
					clientId: DINGTALK_SEED.appKey,
					clientSecret: DINGTALK_SEED.appSecret,
					subscriptions: [{ type: 'EVENT', topic: '*' }],
				}),
			});
			expect(await open.json()).toEqual({
				endpoint: `${baseUrl.replace('http', 'ws')}/connect`,
				ticket: expect.any(String),
			});
			const connections = await fetch(new URL('/_emulator/stream/connections', baseUrl), {
				headers: { connection: 'close' },
			});
			expect(await connections.json()).toEqual({ connections: [] });
		} finally {
			child.kill('SIGTERM');
		}
		expect(await exited).toBe(0);
	});

	it('--org-size adds that many members (on demand only), visible to user/simplelist', async () => {
		const child = spawn(
			process.execPath,
			[
				'-r',
				'ts-node/register/transpile-only',
				join(__dirname, 'cli.ts'),
				'--port',
				'0',
				'--org-size',
				'500',
			],
			{ cwd: ROOT, env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') } },
		);
		const exited = new Promise<number | null>((resolve) =>
			child.on('exit', (code) => resolve(code)),
		);
		try {
			let output = '';
			const baseUrl = await new Promise<string>((resolve, reject) => {
				child.stdout.on('data', (chunk: Buffer) => {
					output += chunk.toString('utf8');
					const match = /Base URL: (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
					if (match && output.includes('Ctrl+C')) resolve(match[1]);
				});
				child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
				void exited.then(() => reject(new Error(`emulator exited early:\n${output}`)));
			});
			expect(output).toContain('Org:            +500 members in 110 more departments');
			const token = new URL('/cgi-bin/gettoken', baseUrl);
			token.searchParams.set('corpid', WECOM_SEED.corpId);
			token.searchParams.set('corpsecret', WECOM_SEED.secret);
			const { access_token } = (await (
				await fetch(token, { headers: { connection: 'close' } })
			).json()) as { access_token: string };
			const list = new URL('/cgi-bin/user/simplelist', baseUrl);
			list.searchParams.set('access_token', access_token);
			list.searchParams.set('department_id', '1');
			list.searchParams.set('fetch_child', '1');
			const { userlist } = (await (
				await fetch(list, { headers: { connection: 'close' } })
			).json()) as { userlist: unknown[] };
			// The 15 seeded members (one has left and is not listed) and the 500 added ones.
			expect(userlist.length).toBeGreaterThanOrEqual(514);
			expect(userlist).toContainEqual(expect.objectContaining({ userid: 'u00500' }));
		} finally {
			child.kill('SIGTERM');
		}
		expect(await exited).toBe(0);
	});
});
