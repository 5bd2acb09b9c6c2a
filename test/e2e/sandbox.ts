/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// `npm start`: a local n8n with this package installed, a WeCom + DingTalk emulator, ready credentials pointing
// at it and the example workflows published. State lives in .n8n-sandbox/ (git-ignored) and is reused
// by the next start. Ctrl-C stops n8n and the emulator.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { ApiEmulator, DINGTALK_SEED, INBOX_PATH, WECOM_SEED } from '../emulator';
import { FILLER_FORMS, PROCESS_CODES, seedForms } from '../emulator/dingtalk/approvalForms';
import { EMULATOR_ROBOT_GROUP } from '../emulator/dingtalk/messaging';
import { seedTemplates } from '../emulator/wecom/seed';
import type { RecordedCall } from '../emulator';
import { importAiChat } from './aiChat';
import { DINGTALK_CREDENTIAL, importDingTalk } from './dingtalk';
import {
	CREDENTIAL,
	importAndPublish,
	loadExamples,
	ROBOT_CREDENTIALS,
	triggerUrl,
} from './instance';
import {
	bcryptHash,
	buildPackage,
	freePort,
	installPackage,
	N8nRest,
	N8nServer,
	portIsFree,
	provision,
	randomPassword,
	REPO_ROOT,
	StepError,
	waitFor,
	type N8nConfig,
} from './n8nHost';

export const SANDBOX_DIR = process.env.SANDBOX_DIR ?? join(REPO_ROOT, '.n8n-sandbox');
export const STATE_FILE = join(SANDBOX_DIR, 'sandbox.json');
const DEFAULT_N8N_PORT = 5678;
const DEFAULT_EMULATOR_PORT = 8787;
/**
 * n8n's time zone (GENERIC_TIMEZONE) unless the environment sets one: Send and Wait's deadlines, the pages its links
 * open and Schedule Triggers follow it; n8n's own default is America/New_York.
 */
export const SANDBOX_TIME_ZONE = 'Asia/Shanghai';

export interface SandboxState {
	encryptionKey: string;
	owner: { email: string; password: string };
	/** The emulator's port, fixed at the first start: the imported credential's API Base URL names it. */
	emulatorPort: number;
	/** Set once the credential and the examples are imported and published. */
	importedAt?: string;
	/** Set once the DingTalk credential is imported (sandboxes made before it get it on their next start). */
	dingTalkImportedAt?: string;
	/** Set once the AI chat example, its OpenAI stand-in credential and the card template are in. */
	aiChatImportedAt?: string;
	/** The port n8n listens on in the current (or last) run; sandbox:send reads it. */
	n8nPort?: number;
}

export function readState(): SandboxState | undefined {
	return existsSync(STATE_FILE)
		? (JSON.parse(readFileSync(STATE_FILE, 'utf8')) as SandboxState)
		: undefined;
}

function writeState(state: SandboxState): void {
	writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

function portFromEnv(name: string): number | undefined {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return undefined;
	const port = Number(raw);
	if (!Number.isInteger(port) || port < 1 || port > 65535) {
		throw new StepError(`${name}=${raw} is not a port number`);
	}
	return port;
}

function say(line = ''): void {
	process.stdout.write(`${line}\n`);
}

function progress(prefix: string) {
	return (line: string) => {
		if (process.env.SANDBOX_VERBOSE === '1') say(`  [${prefix}] ${line}`);
	};
}

/** The inbox page of the emulator on a port: every message it received, links clickable. */
export function inboxUrl(emulatorPort: number): string {
	return `http://127.0.0.1:${emulatorPort}${INBOX_PATH}`;
}

/** The paths whose accepted calls put a message in the inbox. */
const MESSAGE_PATHS = new Set([
	'/cgi-bin/message/send',
	'/cgi-bin/appchat/send',
	'/cgi-bin/webhook/send',
	'/topapi/message/corpconversation/asyncsend_v2',
	'/v1.0/robot/oToMessages/batchSend',
	'/v1.0/robot/groupMessages/send',
	'/robot/send',
	'/robot/sendBySession',
]);

/** One line per emulator call, so the effect of a callback shows in this terminal. */
function describeCall(call: RecordedCall): string {
	const body = (call.body ?? {}) as Record<string, unknown>;
	const answer = (call.response ?? {}) as { errcode?: number; errmsg?: string };
	const result = `HTTP ${call.status}${answer.errcode !== undefined ? `, errcode ${answer.errcode}` : ''}`;
	let detail = '';
	if (call.path === '/cgi-bin/message/send') {
		const type = String(body.msgtype ?? '');
		const content = (body[type] as { content?: string } | undefined)?.content;
		detail = ` to ${String(body.touser ?? body.toparty ?? body.totag ?? '?')} (${type})${
			content !== undefined ? `: ${JSON.stringify(content)}` : ''
		}`;
	} else if (call.path === '/cgi-bin/webhook/send' || call.path === '/robot/send') {
		const type = String(body.msgtype ?? '');
		const content = body[type] as { content?: string; title?: string } | undefined;
		const shown = content?.title ?? content?.content;
		detail = ` (group robot, ${type})${shown !== undefined ? `: ${JSON.stringify(shown.slice(0, 80))}` : ''}`;
	} else if (call.path === '/v1.0/card/streaming') {
		detail = ` (AI card, streamed${body.isFinalize ? ', final' : ''}${body.isError ? ', error' : ''}): ${JSON.stringify(String(body.content ?? '').slice(-60))}`;
	} else if (call.path.startsWith('/v1.0/card/instances')) {
		const params = ((body.cardData as { cardParamMap?: Record<string, string> } | undefined)
			?.cardParamMap ?? {}) as Record<string, string>;
		const status = { '1': 'processing', '2': 'inputting', '3': 'finished', '5': 'failed' }[
			params.flowStatus ?? ''
		];
		detail = ` (AI card${status ? `, ${status}` : ''})${params.msgContent ? `: ${JSON.stringify(params.msgContent.slice(0, 60))}` : ''}`;
	} else if (call.path.startsWith('/openai/')) {
		detail = ' (offline model stand-in)';
	}
	const errmsg = answer.errcode ? ` ${answer.errmsg ?? ''}` : '';
	return `[emulator] ${call.method} ${call.path}${detail} → ${result}${errmsg}`;
}

async function main(): Promise<void> {
	mkdirSync(SANDBOX_DIR, { recursive: true });
	const userFolder = join(SANDBOX_DIR, 'n8n');
	mkdirSync(userFolder, { recursive: true });
	const fresh = readState();
	const requestedEmulatorPort = portFromEnv('SANDBOX_EMULATOR_PORT');
	const state: SandboxState = fresh ?? {
		encryptionKey: `sandbox-${randomPassword()}`,
		owner: { email: 'sandbox@example.com', password: randomPassword() },
		emulatorPort: requestedEmulatorPort ?? DEFAULT_EMULATOR_PORT,
	};
	if (
		fresh &&
		requestedEmulatorPort !== undefined &&
		requestedEmulatorPort !== fresh.emulatorPort
	) {
		say(
			`note: SANDBOX_EMULATOR_PORT=${requestedEmulatorPort} ignored: the sandbox credential points at port ${fresh.emulatorPort} (delete ${relative(REPO_ROOT, SANDBOX_DIR)}/ to start over)`,
		);
	}
	const n8nPort = portFromEnv('N8N_PORT') ?? DEFAULT_N8N_PORT;
	for (const [port, what, variable] of [
		[n8nPort, 'n8n', 'N8N_PORT'],
		[state.emulatorPort, 'the emulator', 'SANDBOX_EMULATOR_PORT (first start only)'],
	] as const) {
		if (!(await portIsFree(port))) {
			throw new StepError(
				`port ${port} on 127.0.0.1 is in use; ${what} needs it (choose another with ${variable})`,
			);
		}
	}

	say(
		'sandbox: building the package and provisioning Node 24 + n8n (the first time takes several minutes)…',
	);
	const [toolchain] = await Promise.all([
		provision(progress('provision')),
		buildPackage(progress('build')),
	]);

	const timeZone = process.env.GENERIC_TIMEZONE || SANDBOX_TIME_ZONE;
	const emulator = await ApiEmulator.start({
		port: state.emulatorPort,
		plugins: ['wecom', 'dingtalk'],
		inboxTimeZone: timeZone,
	});
	const config: N8nConfig = {
		userFolder,
		port: n8nPort,
		brokerPort: portFromEnv('N8N_RUNNERS_BROKER_PORT') ?? (await freePort()),
		encryptionKey: state.encryptionKey,
		owner: { ...state.owner, passwordHash: bcryptHash(toolchain, state.owner.password) },
		logFile: join(SANDBOX_DIR, 'n8n.log'),
		// Whoever takes the sandbox live sets these; the defaults keep it on 127.0.0.1.
		env: {
			...Object.fromEntries(
				['WEBHOOK_URL', 'N8N_LISTEN_ADDRESS', 'N8N_HOST', 'N8N_PROTOCOL', 'N8N_EDITOR_BASE_URL']
					.filter((k) => process.env[k])
					.map((k) => [k, process.env[k]]),
			),
			GENERIC_TIMEZONE: timeZone,
		},
	};

	let n8n: N8nServer | undefined;
	let stopping = false;
	const stop = async (code: number) => {
		if (stopping) return;
		stopping = true;
		say('\nsandbox: stopping n8n and the emulator…');
		await n8n?.stop().catch(() => undefined);
		await emulator.stop().catch(() => undefined);
		process.exit(code);
	};
	process.once('SIGINT', () => void stop(0));
	process.once('SIGTERM', () => void stop(0));

	try {
		const freshImport = !state.importedAt;
		if (!state.importedAt) {
			say('sandbox: first start: importing the emulator credential and the example workflows…');
			await importAndPublish(toolchain, config, emulator.baseUrl, SANDBOX_DIR, progress('n8n cli'));
			state.importedAt = new Date().toISOString();
		}
		if (!state.dingTalkImportedAt) {
			say('sandbox: importing the DingTalk credential (both API hosts → the emulator)…');
			await importDingTalk(toolchain, config, emulator.baseUrl, SANDBOX_DIR, progress('n8n cli'), {
				workflow: false,
			});
			state.dingTalkImportedAt = new Date().toISOString();
		}
		if (!state.aiChatImportedAt) {
			// A sandbox from before the AI chat example: its credential, the card template and the workflow.
			if (!freshImport) {
				say(
					'sandbox: importing the AI chat example (OpenAI stand-in credential, AI card template)…',
				);
				await importAiChat(toolchain, config, emulator.baseUrl, SANDBOX_DIR, progress('n8n cli'));
			}
			state.aiChatImportedAt = new Date().toISOString();
		}
		state.n8nPort = n8nPort;
		writeState(state);
		installPackage(userFolder);
		say(`sandbox: starting n8n (log: ${relative(process.cwd(), config.logFile)})…`);
		n8n = N8nServer.start(toolchain, config);
		await n8n.waitUntilReady(180000);
		const rest = new N8nRest(n8n.baseUrl, toolchain);
		await rest.login(state.owner);
		const all = loadExamples();
		// Probed and listed with their callback URL: the WeCom Trigger examples; the others are listed below.
		const examples = all.filter((example) => example.trigger === 'weComTrigger');
		const posted = all.filter((example) => example.trigger === 'webhook');
		const base = n8n.baseUrl;
		await waitFor(
			'the WeCom Trigger webhooks',
			async () => {
				for (const example of examples) {
					const res = await fetch(triggerUrl(base, example), { signal: AbortSignal.timeout(5000) });
					if (res.status === 404) return undefined;
				}
				return true;
			},
			{ timeoutMs: 60000, intervalMs: 500 },
		);
		const webhookBase = (config.env?.WEBHOOK_URL ?? `${base}/`).replace(/\/$/, '');
		const send = 'npm run sandbox:send --';
		say('');
		say('──────────────────────────────────────────────────────────────────────────────');
		say(` n8n editor     ${base}`);
		say(`   login        ${state.owner.email} / ${state.owner.password}`);
		say(`   time zone    ${timeZone} (GENERIC_TIMEZONE: deadlines, answer pages, schedules)`);
		say(` Inbox          ${emulator.inboxUrl}`);
		say(
			'                every message the workflows sent (WeCom and DingTalk), newest first; open its links',
		);
		say(
			"                there, e.g. Send and Wait's 同意 / 拒绝 (also: npm run sandbox:send -- inbox)",
		);
		say(
			` WeCom emulator ${emulator.baseUrl}  (corp ${WECOM_SEED.corpId}, agent ${WECOM_SEED.agentId})`,
		);
		say(` credential     "${CREDENTIAL.name}" → the emulator`);
		say(
			` robots         "${ROBOT_CREDENTIALS.wecom.name}", "${ROBOT_CREDENTIALS.dingtalk.name}" → the emulator`,
		);
		say(
			` DingTalk       credential "${DINGTALK_CREDENTIAL.name}" → the emulator (Client ID ${DINGTALK_SEED.appKey}, agent ${DINGTALK_SEED.agentId})`,
		);
		say(
			'                add a DingTalk node, pick that credential, try Department or User operations',
		);
		say('');
		say(' Published workflows and their WeCom Trigger URLs:');
		for (const example of examples) {
			say(`   ${example.name}`);
			say(`     ${triggerUrl(webhookBase, example)}`);
		}
		const dingTalk = all.filter(
			(example) => example.trigger === 'dingTalkTrigger' && !example.stream,
		);
		if (dingTalk.length) say(' Published workflows and their DingTalk Trigger URLs (HTTP 推送):');
		for (const example of dingTalk) {
			say(`   ${example.name}`);
			say(`     ${triggerUrl(webhookBase, example)}`);
		}
		if (posted.length) {
			say(
				" Published workflows with n8n's Webhook trigger (Send and Wait: answer from the inbox):",
			);
		}
		for (const example of posted) {
			say(`   ${example.name}`);
			say(`     POST JSON to ${triggerUrl(webhookBase, example)}`);
			if (example.id === 'wecomExpenseAsk') {
				say(
					`     e.g. curl -X POST ${triggerUrl(webhookBase, example)} -H 'content-type: application/json' -d '{"employee":"zhangsan","manager":"lisi","amount":6800,"reason":"上海出差"}'`,
				);
				say('     then open the inbox and tap 同意 or 拒绝 on the card sent to lisi');
			}
		}
		const aiBot = all.filter((e) => e.trigger === 'weComAiBot');
		if (aiBot.length) {
			say(
				' Imported, not published (WeCom AI bot: one long connection per bot): publish it, then write to the bot',
			);
			say(`   ${send} wecom-aibot "你好"`);
			say(
				'   (prints the stream reply as it arrives: 思考中…, the answer growing, finish; "#fail" makes the model fail)',
			);
			for (const example of aiBot) say(`   ${example.name}`);
		}
		const byHand = all.filter((e) => e.trigger === 'manual');
		if (byHand.length) {
			say(' Imported, not published (Schedule Trigger): open one and click Execute workflow:');
			for (const example of byHand) say(`   ${example.name}`);
		}
		const streamed = all.filter((e) => e.stream);
		if (streamed.length) {
			say(
				' Imported, not published (DingTalk Stream mode: one Stream workflow per app): publish it, then',
			);
			say(`   ${send} dingtalk-robot "你好"`);
			say(
				'   (the AI Agent example answers in an AI card: its create/update/streaming calls show below; the model is',
			);
			say('    the emulator\'s offline OpenAI stand-in, "#fail" in a message makes it fail)');
			for (const example of streamed) say(`   ${example.name}`);
		}
		say('');
		say(' Send a signed, encrypted callback (the replies show below):');
		say(`   ${send} text "你好"          → "reply to incoming text messages"`);
		say(`   ${send} approval            → "tell the applicant the approval result"`);
		say(`   ${send} new-employee        → "welcome new employees"`);
		say(`   ${send} verify              → WeCom's URL check (answers the plaintext echo)`);
		say(`   ${send} dingtalk approval   → DingTalk: "tell the originator the approval result"`);
		say(`   ${send} dingtalk user_add   → DingTalk: "welcome new employees"`);
		say(
			`   ${send} dingtalk-stream approval → the same over Stream (to a Stream-mode DingTalk Trigger)`,
		);
		say(
			`   ${send} --help              → more, e.g. --url <test URL> for a workflow you are building`,
		);
		say('');
		say(' Approval templates of the emulator (Approval: Get Template / Submit → Template ID):');
		for (const template of seedTemplates()) {
			const name = template.template_names.map((n) => n.text).join(' / ');
			say(`   ${name.padEnd(6, '\u3000')} ${template.template_id}`);
		}
		say(
			' DingTalk approval forms (Approval: Start / Get Form Schema → Approval Form → By Process Code):',
		);
		const mainCodes: string[] = Object.values(PROCESS_CODES);
		for (const form of seedForms().filter((f) => mainCodes.includes(f.processCode))) {
			const note =
				form.processCode === PROCESS_CODES.purchase
					? '  (a self-select approver node)'
					: form.processCode === PROCESS_CODES.leave
						? '  (a leave kit: Start refuses it)'
						: '';
			say(`   ${form.name.padEnd(6, '\u3000')} ${form.processCode}${note}`);
		}
		say(
			`   ${'日常申请'.padEnd(6, '\u3000')} PROC-EMU-DAILY-001 … ${String(FILLER_FORMS).padStart(3, '0')}  (plain forms for the picker)`,
		);
		say(" DingTalk robot (Robot Message → the credential's Robot Code; empty = the Client ID):");
		say(`   Robot Code            ${DINGTALK_SEED.appKey}`);
		say(`   Open Conversation ID  ${EMULATOR_ROBOT_GROUP}  (研发群, the robot is in it)`);
		say('');
		say(
			" Go live: in n8n open Credentials → the credential above, enter your app's Corp ID, Agent ID,",
		);
		say(
			' Secret, Callback Token and EncodingAESKey, and set API Base URL to https://qyapi.weixin.qq.com.',
		);
		say(' That is all the workflows need; WeCom must also reach the trigger URL (start with');
		say(' WEBHOOK_URL=https://your.public.host/ and paste the URL into 接收消息 → 设置API接收).');
		say('');
		say(' Ctrl-C stops n8n and the emulator; `npm start` again resumes with the same data.');
		say('──────────────────────────────────────────────────────────────────────────────');

		let shown = 0;
		let inboxHinted = false;
		for (;;) {
			if (!n8n.running) {
				say(
					`sandbox: n8n stopped unexpectedly; last lines of ${config.logFile}:\n${n8n.logTail(30)}`,
				);
				await stop(1);
				return;
			}
			while (shown < emulator.calls.length && emulator.calls[shown].status !== 0) {
				const call = emulator.calls[shown];
				say(describeCall(call));
				if (!inboxHinted && MESSAGE_PATHS.has(call.path) && call.status === 200) {
					say(`  (the message, its links clickable, is in the inbox: ${emulator.inboxUrl})`);
					inboxHinted = true;
				}
				shown += 1;
			}
			await new Promise((done) => setTimeout(done, 300));
		}
	} catch (error) {
		say(`sandbox: ${(error as Error).message}`);
		if (n8n) say(`--- ${config.logFile} (last lines) ---\n${n8n.logTail(30)}`);
		await stop(1);
	}
}

if (require.main === module) {
	main().catch((error: Error) => {
		say(`sandbox: ${error.message}`);
		process.exit(1);
	});
}
