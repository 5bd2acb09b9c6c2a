/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// `npm run sandbox:send` (test/e2e/send.ts) as a user meets it: its help, and what it says when n8n is not running.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DingTalkApi } from '../../credentials/DingTalkApi.credentials';
import { DingTalkTrigger } from '../../nodes/DingTalk/DingTalkTrigger.node';
import { ApiEmulator, emulatorRequest } from '../emulator';
import { dingTalkCredentialData } from '../emulator/dingtalk/credential';
import { AIBOT_SEED, AIBOT_SOCKET_PATH } from '../emulator/wecom/aiBotServer';
import { WECOM_ROBOT_SEED } from '../emulator/wecom/robot';
import { waitUntil } from '../dingtalk/stream/support';
import { describeWithWebSocket } from '../support/webSocket';
import { globalWebSocket, type StreamSocket } from '../../nodes/shared/longConnection/socket';
import { Harness, WebhookServer } from '../harness';

const ROOT = join(__dirname, '..', '..');

async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

function sandboxSend(args: string[], sandboxDir: string) {
	const child = spawn(
		process.execPath,
		['-r', 'ts-node/register/transpile-only', join(ROOT, 'test', 'e2e', 'send.ts'), ...args],
		{
			cwd: ROOT,
			env: {
				...process.env,
				SANDBOX_DIR: sandboxDir,
				TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
			},
		},
	);
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
	child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
	return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
		child.on('exit', (code) => resolve({ code, stdout, stderr })),
	);
}

jest.setTimeout(90000);

describe('npm run sandbox:send (test/e2e/send.ts)', () => {
	let dir: string;

	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'sandbox-send-'));
	});

	afterEach(() => {
		rmSync(dir, { recursive: true, force: true });
	});

	it('--help prints the usage, with --url <test URL> for the Test URL, and exits 0', async () => {
		const { code, stdout, stderr } = await sandboxSend(['--help'], dir);

		expect(stderr).toBe('');
		expect(code).toBe(0);
		expect(stdout).toMatch(/^usage: npm run sandbox:send -- <kind> \[options\]/);
		expect(stdout).toContain('--url <test URL>');
		expect(stdout).toContain('/webhook-test/<id>/callback');
		expect(stdout).toContain('Listen for test event');
	});

	it('against a sandbox whose n8n is stopped it says how to start it, not ECONNREFUSED', async () => {
		const port = await closedPort();
		writeFileSync(
			join(dir, 'sandbox.json'),
			JSON.stringify({
				encryptionKey: 'k',
				owner: { email: 'a@b.c', password: 'p' },
				emulatorPort: 1,
				n8nPort: port,
			}),
		);

		const { code, stderr } = await sandboxSend(['text', '你好'], dir);

		expect(code).toBe(1);
		expect(stderr.trim()).toBe(
			`the sandbox's n8n is not running (nothing answers at http://127.0.0.1:${port}): start it with \`npm start\` in another terminal, wait for its banner, then run this again`,
		);
		expect(stderr).not.toMatch(/ECONNREFUSED/);
	});

	it('with --url to a stopped n8n it names the URL and how to listen for a test event', async () => {
		const port = await closedPort();
		const url = `http://127.0.0.1:${port}/webhook-test/abc/callback`;

		const { code, stderr } = await sandboxSend(['verify', '--url', url], dir);

		expect(code).toBe(1);
		expect(stderr).toContain(`nothing answers at http://127.0.0.1:${port} (${url})`);
		expect(stderr).toContain('npm start');
		expect(stderr).not.toMatch(/ECONNREFUSED/);
	});

	it('without any sandbox state it says to start the sandbox first', async () => {
		const { code, stderr } = await sandboxSend(['approval'], dir);

		expect(code).toBe(1);
		expect(stderr).toMatch(
			/^no sandbox state in .*sandbox\.json: start the sandbox first with `npm start`/,
		);
	});

	it('dingtalk <event> --url: a signed, encrypted DingTalk event to a DingTalk Trigger, whose answer DingTalk would take', async () => {
		const harness = new Harness({
			nodeTypes: [new DingTalkTrigger()],
			credentialTypes: [new DingTalkApi()],
		});
		const credential = harness.credentials.add('dingTalkApi', {
			...dingTalkCredentialData('http://127.0.0.1:9'),
			accessToken: '',
		}) as { id: string; name: string };
		const server = await WebhookServer.start(harness, {
			id: 'send-test-trigger',
			name: 'DingTalk Trigger',
			type: harness.type('dingTalkTrigger'),
			typeVersion: 1,
			position: [0, 0],
			parameters: { connectionMode: 'http', events: ['*'], options: { binaryData: true } },
			credentials: { dingTalkApi: credential },
			webhookId: 'send-test',
		});
		try {
			const approval = await sandboxSend(['dingtalk', 'approval', '--url', server.url()], dir);
			expect(approval.stderr).toBe('');
			expect(approval.code).toBe(0);
			expect(approval.stdout).toMatch(/"EventType":"bpms_instance_change"/);
			expect(approval.stdout).toContain('✓ the encrypted "success" DingTalk expects');
			const check = await sandboxSend(['dingtalk', 'check_url', '--url', server.url()], dir);
			expect(check.stdout).toContain('(the URL check starts no execution)');
			expect(server.executionsStarted).toBe(1);
			const unknown = await sandboxSend(['dingtalk', 'nonsense', '--url', server.url()], dir);
			expect(unknown.code).toBe(1);
			expect(unknown.stderr).toMatch(/^unknown DingTalk event "nonsense"/);
		} finally {
			await server.close();
		}
	});

	it("inbox prints the address of the emulator's inbox and how many messages it holds", async () => {
		const emulator = await ApiEmulator.start();
		try {
			const state = {
				encryptionKey: 'k',
				owner: { email: 'a@b.c', password: 'p' },
				emulatorPort: Number(new URL(emulator.baseUrl).port),
				n8nPort: 1,
			};
			writeFileSync(join(dir, 'sandbox.json'), JSON.stringify(state));
			await emulatorRequest(emulator.baseUrl, 'POST', '/cgi-bin/webhook/send', {
				query: { key: WECOM_ROBOT_SEED.key },
				body: { msgtype: 'text', text: { content: 'hi' } },
			});

			const { code, stdout, stderr } = await sandboxSend(['inbox'], dir);

			expect(stderr).toBe('');
			expect(code).toBe(0);
			expect(stdout.split('\n')[0]).toBe(`${emulator.baseUrl}/_emulator/inbox`);
			expect(stdout).toContain('1 message so far');
			await emulator.stop();
			const stopped = await sandboxSend(['inbox'], dir);
			expect(stopped.stdout).toContain(`${emulator.baseUrl}/_emulator/inbox`);
			expect(stopped.stdout).toContain('The sandbox is not running: start it with `npm start`');
		} finally {
			await emulator.stop();
		}
	});
});

describeWithWebSocket('npm run sandbox:send -- wecom-aibot (test/e2e/send.ts)', () => {
	it('writes to the AI bot through the emulator and prints the stream reply frame by frame until finish; without a subscribed bot it says to publish the example', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'sandbox-send-'));
		const emulator = await ApiEmulator.start({ plugins: ['wecom'], aiBot: { ackDelayMs: 5 } });
		let ws: StreamSocket | undefined;
		try {
			writeFileSync(
				join(dir, 'sandbox.json'),
				JSON.stringify({
					encryptionKey: 'k',
					owner: { email: 'a@b.c', password: 'p' },
					emulatorPort: Number(new URL(emulator.baseUrl).port),
					n8nPort: 1,
				}),
			);
			const unsubscribed = await sandboxSend(['wecom-aibot', '你好'], dir);
			expect(unsubscribed.code).toBe(1);
			expect(unsubscribed.stdout).toMatch(/publish the WeCom AI example/);

			// The published example's part, played by a raw client: subscribe, then answer each message with a thinking
			// frame and, once WeCom acknowledged it, the finished answer.
			const Socket = globalWebSocket()!;
			ws = new Socket(`${emulator.baseUrl.replace(/^http/, 'ws')}${AIBOT_SOCKET_PATH}`);
			const socket = ws;
			await new Promise<void>((resolve, reject) => {
				socket.addEventListener('open', () => resolve());
				socket.addEventListener('error', () => reject(new Error('the emulator refused the WebSocket')));
			});
			const sent = new Map<string, () => void>();
			socket.addEventListener('message', (event) => {
				const frame = JSON.parse(String(event.data)) as {
					cmd?: string;
					headers: { req_id: string };
					body?: { text?: { content?: string } };
				};
				if (frame.cmd === 'aibot_msg_callback') {
					const reqId = frame.headers.req_id;
					const respond = (content: string, finish: boolean) =>
						socket.send(
							JSON.stringify({
								cmd: 'aibot_respond_msg',
								headers: { req_id: reqId },
								body: { msgtype: 'stream', stream: { id: 's1', finish, content } },
							}),
						);
					sent.set(reqId, () => respond(`答：${frame.body?.text?.content}\n第二行`, true));
					respond('思考中…', false);
				} else if (!frame.cmd) {
					const next = sent.get(frame.headers.req_id);
					sent.delete(frame.headers.req_id);
					next?.();
				}
			});
			socket.send(
				JSON.stringify({
					cmd: 'aibot_subscribe',
					headers: { req_id: 'sub-1' },
					body: { bot_id: AIBOT_SEED.botId, secret: AIBOT_SEED.secret },
				}),
			);
			await waitUntil(() => emulator.wecomAiBot.subscribed() !== undefined, 'the bot subscribed');

			const { code, stdout, stderr } = await sandboxSend(['wecom-aibot', '你好', '--from', 'lisi'], dir);

			expect(stderr).toBe('');
			expect(code).toBe(0);
			expect(stdout).toMatch(/^→ the emulator's AI bot server: "你好" from lisi \(req_id \S+\)$/m);
			expect(stdout).toMatch(/^← +\d+ ms {2}stream {2}思考中…$/m);
			expect(stdout).toMatch(/^← +\d+ ms {2}finish {2}答：你好 ⏎ 第二行$/m);
			expect(emulator.wecomAiBot.messages.at(-1)).toMatchObject({ text: '你好' });
		} finally {
			ws?.close();
			await emulator.stop();
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
