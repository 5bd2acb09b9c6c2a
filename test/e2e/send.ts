/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs under Node and jest, never inside n8n */
// `npm run sandbox:send -- <text "message" | approval | new-employee | verify> [--from userid] [--url <test URL>]`:
// signs and encrypts a sample callback the way WeCom does (with the emulator app's Token and
// EncodingAESKey, which the sandbox credential holds) and delivers it to the sandbox's WeCom Trigger.
// `npm run sandbox:send -- dingtalk <kind> [--url <test URL>]` does the same for DingTalk's HTTP push, and
// `npm run sandbox:send -- dingtalk-stream <kind>` has the emulator's Stream server push the event instead, and
// `npm run sandbox:send -- dingtalk-robot-http "text" --url <URL>` posts a robot message as the robot's HTTP mode does.
// `npm run sandbox:send -- inbox` prints the address of the emulator's inbox (every message the workflows sent).
import {
	buildDingTalkCallback,
	buildWeComCallback,
	buildWeComUrlVerification,
	sendCallback,
	DINGTALK_SEED,
	WECOM_SEED,
} from '../emulator';
import {
	checkDingTalkAnswer,
	HTTP_EVENT_KINDS,
	httpEventPayload,
	type HttpEventKind,
} from '../emulator/dingtalk/httpEvents';
import {
	approvalEventXml,
	exampleById,
	newEmployeeXml,
	textMessageXml,
	triggerUrl,
	type Example,
} from './instance';
import { inboxUrl, readState, STATE_FILE } from './sandbox';

const USAGE = `usage: npm run sandbox:send -- <kind> [options]
  text "内容"        a text message from a member (default: 你好)   → the text-reply workflow
  approval           an approval rejected (审批 sys_approval_change) → the approval workflow
  new-employee       a member created (change_contact create_user)   → the welcome workflow
  verify             WeCom's URL verification GET                     → the text-reply workflow's URL
  dingtalk <event>   a DingTalk event over HTTP push (事件订阅), signed and encrypted like DingTalk, to a
                     DingTalk Trigger in HTTP mode; approval → the approval example, user_add → the welcome one.
                     Events: ${HTTP_EVENT_KINDS.join(', ')}
  dingtalk-stream <event>
                     the same event pushed by the emulator's Stream server to a DingTalk Trigger in Stream mode
                     (the sandbox must be running: the Stream server is part of its emulator)
  dingtalk-robot "内容"
                     a message to the app's robot (1:1), pushed by the emulator's Stream server → the robot-reply
                     example once you have published it (Stream workflows are not published for you)
  dingtalk-robot-http "内容" --url <URL>
                     a message to the app's robot (1:1) as its HTTP mode posts it (消息接收地址: JSON, headers
                     timestamp and sign from the sandbox app's Client Secret) → a DingTalk Trigger in HTTP mode with
                     Receive Robot Messages on, at its Test or Production URL
  wecom-aibot "内容"  a message to the WeCom AI bot (1:1; --from sets the sender), pushed by the emulator's long-connection
                     server → the WeCom AI example once you have published it; prints the stream reply's frames as
                     they arrive (思考中…, the answer growing, finish)
  inbox              the address of the emulator's inbox: every message the workflows sent (WeCom and
                     DingTalk), newest first, links clickable (Send and Wait's 同意 / 拒绝 work from there)
options:
  --from USERID      sender of a text message (default zhangsan; the emulator knows linfeng, zhangsan, lisi, wangwu, …)
  --url <test URL>   send to this WeCom Trigger URL instead of the published example's. For a workflow you are
                     building: open its WeCom Trigger, copy the Test URL (…/webhook-test/<id>/callback), click
                     "Listen for test event", then run e.g.
                       npm run sandbox:send -- text "你好" --url http://127.0.0.1:5678/webhook-test/<id>/callback
                     The callback is signed with the emulator app's Token and EncodingAESKey: the trigger's
                     credential must hold those (the sandbox credential does).
  -h, --help         this text`;

class UsageRequested extends Error {}

const TARGETS: Record<string, string> = {
	text: 'wecomTextReply01',
	verify: 'wecomTextReply01',
	approval: 'wecomApprovalNtf',
	'new-employee': 'wecomNewEmployee',
	dingtalk: '',
	'dingtalk-stream': '',
	'dingtalk-robot': '',
	'dingtalk-robot-http': '',
	'wecom-aibot': '',
	inbox: '',
};

/** The DingTalk example each HTTP event kind is sent to when no --url is given. */
const DINGTALK_TARGETS: Partial<Record<HttpEventKind, string>> = {
	check_url: 'dingtalkApprovalNtf',
	approval: 'dingtalkApprovalNtf',
	approval_task: 'dingtalkApprovalNtf',
	user_add: 'dingtalkNewEmployee',
};

function parse(argv: string[]): { kind: string; text: string; from: string; url?: string } {
	const positional: string[] = [];
	let from = 'zhangsan';
	let url: string | undefined;
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--from') from = argv[++i] ?? from;
		else if (argv[i] === '--url') url = argv[++i];
		else if (argv[i] === '--help' || argv[i] === '-h') throw new UsageRequested(USAGE);
		else positional.push(argv[i]);
	}
	const kind = positional[0] ?? 'text';
	if (!(kind in TARGETS)) throw new Error(`unknown kind "${kind}"\n${USAGE}`);
	return { kind, text: positional.slice(1).join(' ') || '你好', from, url };
}

async function deliver(
	url: string,
	built: Parameters<typeof sendCallback>[1],
	explicitUrl: boolean,
): ReturnType<typeof sendCallback> {
	try {
		return await sendCallback(url, built);
	} catch (error) {
		const explained = explainDelivery(error as Error, url, explicitUrl);
		throw explained ? new Error(explained) : error;
	}
}

function dingTalkEvent(args: ReturnType<typeof parse>): HttpEventKind {
	const event = (args.text === '你好' ? 'approval' : args.text) as HttpEventKind;
	if (!HTTP_EVENT_KINDS.includes(event)) {
		throw new Error(`unknown DingTalk event "${event}"\n${USAGE}`);
	}
	return event;
}

/** `dingtalk <event>`: DingTalk's HTTP push, and DingTalk's own check of the answer. */
async function sendDingTalk(args: ReturnType<typeof parse>): Promise<void> {
	const event = dingTalkEvent(args);
	let url = args.url;
	if (!url) {
		const target = DINGTALK_TARGETS[event];
		if (!target) {
			throw new Error(
				`no example workflow listens for "${event}": give the DingTalk Trigger's URL with --url <test URL>`,
			);
		}
		url = triggerUrl(`http://127.0.0.1:${sandboxState().n8nPort}`, exampleById(target));
	}
	const payload = httpEventPayload(event);
	const keys = {
		token: DINGTALK_SEED.callbackToken,
		aesKey: DINGTALK_SEED.aesKey,
		receiverId: DINGTALK_SEED.appKey,
	};
	process.stdout.write(
		`→ ${url}\n  decrypted event (signed and encrypted on the way):\n  ${JSON.stringify(payload)}\n`,
	);
	const res = await deliver(url, buildDingTalkCallback({ ...keys, payload }), Boolean(args.url));
	process.stdout.write(`← HTTP ${res.status} ${res.body.slice(0, 300)}\n`);
	const check = checkDingTalkAnswer(res.body, {
		token: keys.token,
		aesKey: keys.aesKey,
		receiverIds: [keys.receiverId],
	});
	process.stdout.write(
		res.status === 200 && check.ok
			? `  ✓ the encrypted "success" DingTalk expects${event === 'check_url' ? ' (the URL check starts no execution)' : ''}\n`
			: `  ✗ DingTalk would not accept this answer (返回字符串不匹配): ${check.problem ?? `HTTP ${res.status}`}\n`,
	);
	if (event !== 'check_url' && res.status === 200) process.stdout.write(inboxLine());
	if (res.status >= 400 || !check.ok) process.exitCode = 1;
}

/** `dingtalk-stream <event>`: the emulator's Stream server pushes the event to the connected Stream triggers. */
async function sendDingTalkStream(args: ReturnType<typeof parse>): Promise<void> {
	const event = dingTalkEvent(args);
	if (event === 'check_url') throw new Error('Stream mode has no URL check');
	const { EventType, ...data } = httpEventPayload(event);
	const base = `http://127.0.0.1:${sandboxState().emulatorPort}`;
	const connections = (await (await fetch(`${base}/_emulator/stream/connections`)).json()) as {
		connections: Array<{ state: string }>;
	};
	const open = connections.connections.filter((c) => c.state !== 'closed').length;
	const res = await fetch(`${base}/_emulator/stream/events`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ eventType: EventType, data }),
	});
	process.stdout.write(
		`→ the emulator's Stream server (${open} open connection${open === 1 ? '' : 's'})\n  ${EventType} ${JSON.stringify(data)}\n← ${res.status} ${await res.text()}\n`,
	);
	if (open === 0) {
		process.stdout.write(
			'  No Stream connection is open: publish a workflow whose DingTalk Trigger uses Stream mode (or click "Listen for test event" on one); the event waits for it and is delivered then.\n',
		);
	}
}

/** `dingtalk-robot "text"`: a robot message (CALLBACK topic) from the emulator's Stream server. */
async function sendDingTalkRobot(args: ReturnType<typeof parse>): Promise<void> {
	const base = `http://127.0.0.1:${sandboxState().emulatorPort}`;
	const res = await fetch(`${base}/_emulator/stream/robot-messages`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ text: args.text }),
	});
	process.stdout.write(
		`→ the emulator's Stream server: a robot message "${args.text}"\n← ${res.status} ${await res.text()}\n` +
			"  The reply shows in the emulator's log (/robot/sendBySession) and in the inbox. No reply? Publish the robot-reply example first.\n" +
			inboxLine(),
	);
}

/** The reply frames the emulator's AI bot server received for a message, as its control API lists them. */
interface AiBotFrame {
	reqId: string;
	content: string;
	finish: boolean;
	errcode: number;
	at: number;
}

/**
 * `wecom-aibot "text"`: the emulator's long-connection server pushes the message to the bot's subscribed connection
 * (the published WeCom AI example); the stream reply's frames are printed as they arrive, until finish or 90 s.
 */
async function sendWeComAiBot(args: ReturnType<typeof parse>): Promise<void> {
	const base = `http://127.0.0.1:${sandboxState().emulatorPort}/_emulator/wecom-aibot`;
	const sentAt = Date.now();
	const res = await fetch(`${base}/messages`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ text: args.text, userid: args.from }),
	});
	const answer = (await res.json()) as { reqId?: string; error?: string };
	if (!res.ok || !answer.reqId) {
		process.stdout.write(
			`→ the emulator's AI bot server: "${args.text}" from ${args.from}\n← ${res.status} ${answer.error ?? ''}\n` +
				'  No connection to push it to: publish the WeCom AI example ("WeCom: an AI Agent answers the company\'s AI bot") first.\n',
		);
		process.exitCode = 1;
		return;
	}
	process.stdout.write(
		`→ the emulator's AI bot server: "${args.text}" from ${args.from} (req_id ${answer.reqId})\n`,
	);
	let shown = 0;
	while (Date.now() - sentAt < 90_000) {
		const { replies } = (await (await fetch(`${base}/replies`)).json()) as { replies: AiBotFrame[] };
		const frames = replies.filter((r) => r.reqId === answer.reqId);
		for (const frame of frames.slice(shown)) {
			process.stdout.write(
				`← ${String(frame.at - sentAt).padStart(5)} ms  ${frame.finish ? 'finish' : 'stream'}${frame.errcode ? ` (errcode ${frame.errcode})` : ''}  ${frame.content.replace(/\n/g, ' ⏎ ')}\n`,
			);
		}
		shown = frames.length;
		if (frames.some((f) => f.finish)) return;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	process.stdout.write(
		'  No finished reply within 90 s: is the WeCom AI example published, and does its execution show an error in n8n?\n',
	);
	process.exitCode = 1;
}

/** `dingtalk-robot-http "text" --url <URL>`: the emulator builds the signed message (its sessionWebhook is the emulator's). */
async function sendDingTalkRobotHttp(args: ReturnType<typeof parse>): Promise<void> {
	if (!args.url) {
		throw new Error(
			`give the DingTalk Trigger's URL: dingtalk-robot-http "${args.text}" --url <Test or Production URL>\n${USAGE}`,
		);
	}
	const base = `http://127.0.0.1:${sandboxState().emulatorPort}`;
	const built = (await (
		await fetch(`${base}/_emulator/stream/robot-messages-http`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ text: args.text }),
		})
	).json()) as { headers: Record<string, string>; body: string };
	process.stdout.write(
		`→ ${args.url}\n  robot message (signed, not encrypted):\n  ${built.body}\n`,
	);
	const res = await deliver(
		args.url,
		{
			method: 'POST',
			query: {},
			body: built.body,
			contentType: 'application/json; charset=utf-8',
			headers: built.headers,
		},
		true,
	);
	process.stdout.write(`← HTTP ${res.status} ${res.body.slice(0, 300)}\n`);
	if (res.status === 200) process.stdout.write(inboxLine());
	else process.exitCode = 1;
}

function sandboxState(): { n8nPort?: number; emulatorPort: number } {
	const state = readState();
	if (!state?.n8nPort) {
		throw new Error(
			`no sandbox state in ${STATE_FILE}: start the sandbox first with \`npm start\` (in another terminal), wait for its banner, then run this again`,
		);
	}
	return state;
}

/** `inbox`: where the emulator's inbox is, and how many messages it holds. */
async function printInbox(): Promise<void> {
	const state = readState();
	if (!state) {
		throw new Error(
			`no sandbox state in ${STATE_FILE}: start the sandbox first with \`npm start\` (in another terminal), wait for its banner, then run this again`,
		);
	}
	const url = inboxUrl(state.emulatorPort);
	process.stdout.write(`${url}\n`);
	try {
		const res = await fetch(`${url}.json?limit=0`, { signal: AbortSignal.timeout(5000) });
		const inbox = (await res.json()) as { total: number };
		process.stdout.write(
			`  ${inbox.total} message${inbox.total === 1 ? '' : 's'} so far; open it in a browser (it refreshes itself). JSON: ${url}.json\n`,
		);
	} catch {
		process.stdout.write(
			'  The sandbox is not running: start it with `npm start`, then open the address.\n',
		);
	}
}

/** Where the messages a workflow sends can be read. */
function inboxLine(): string {
	const state = readState();
	return state
		? `  What the workflow sends back shows in the inbox (links clickable): ${inboxUrl(state.emulatorPort)}\n`
		: '';
}

async function main(): Promise<void> {
	const args = parse(process.argv.slice(2));
	if (args.kind === 'inbox') return await printInbox();
	if (args.kind === 'dingtalk') return await sendDingTalk(args);
	if (args.kind === 'dingtalk-stream') return await sendDingTalkStream(args);
	if (args.kind === 'dingtalk-robot') return await sendDingTalkRobot(args);
	if (args.kind === 'dingtalk-robot-http') return await sendDingTalkRobotHttp(args);
	if (args.kind === 'wecom-aibot') return await sendWeComAiBot(args);
	let url = args.url;
	let example: Example | undefined;
	if (!url) {
		const state = readState();
		if (!state?.n8nPort) {
			throw new Error(
				`no sandbox state in ${STATE_FILE}: start the sandbox first with \`npm start\` (in another terminal), wait for its banner, then run this again`,
			);
		}
		example = exampleById(TARGETS[args.kind]);
		url = triggerUrl(`http://127.0.0.1:${state.n8nPort}`, example);
	}
	const keys = {
		token: WECOM_SEED.callbackToken,
		encodingAesKey: WECOM_SEED.encodingAesKey,
		corpId: WECOM_SEED.corpId,
	};
	process.stdout.write(`→ ${url}${example ? `\n  (${example.name})` : ''}\n`);

	if (args.kind === 'verify') {
		const built = buildWeComUrlVerification(keys);
		const res = await deliver(url, built, Boolean(args.url));
		process.stdout.write(
			`  GET ?msg_signature=…&echostr=<encrypted ${built.echo}>\n← HTTP ${res.status} ${res.headers['content-type'] ?? ''}\n  ${JSON.stringify(res.body)}\n`,
		);
		process.stdout.write(
			res.status === 200 && res.body === built.echo
				? '  ✓ the plaintext echo, as WeCom expects\n'
				: '  ✗ not the plaintext echo\n',
		);
		return;
	}

	const now = Math.floor(Date.now() / 1000);
	const payloadXml =
		args.kind === 'text'
			? textMessageXml({ from: args.from, content: args.text })
			: args.kind === 'approval'
				? approvalEventXml({ createTime: now })
				: newEmployeeXml({ createTime: now });
	const built = buildWeComCallback({ ...keys, agentId: WECOM_SEED.agentId, payloadXml });
	const shown = payloadXml.length > 400 ? `${payloadXml.slice(0, 400)}…` : payloadXml;
	process.stdout.write(`  decrypted payload (signed and encrypted on the way):\n  ${shown}\n`);
	const res = await deliver(url, built, Boolean(args.url));
	process.stdout.write(
		`← HTTP ${res.status}${res.body ? ` ${JSON.stringify(res.body)}` : ' (empty: received)'}\n`,
	);
	if (res.status === 200) {
		process.stdout.write(
			'  The workflow runs now: its WeCom call shows in the sandbox terminal ([emulator] …) and under Executions in n8n.\n' +
				inboxLine(),
		);
	} else if (res.status === 403) {
		process.stdout.write(
			"  Refused: this command signs with the emulator's Token/EncodingAESKey; a credential edited to real values rejects it (as it should).\n",
		);
	}
	if (res.status >= 400) process.exitCode = 1;
}

/** A refused or failed connection, said as what to do rather than as the socket's error code. */
function explainDelivery(error: Error, url: string, explicitUrl: boolean): string | undefined {
	const code =
		(error as { code?: string; cause?: { code?: string } }).cause?.code ??
		(error as { code?: string }).code;
	if (code !== 'ECONNREFUSED' && code !== 'ECONNRESET' && code !== 'EHOSTUNREACH') return undefined;
	const where = new URL(url).origin;
	return explicitUrl
		? `nothing answers at ${where} (${url}): is n8n running there? Start the sandbox with \`npm start\` (or your own n8n), open the workflow's WeCom Trigger, click "Listen for test event", then run this again`
		: `the sandbox's n8n is not running (nothing answers at ${where}): start it with \`npm start\` in another terminal, wait for its banner, then run this again`;
}

main().catch((error: Error) => {
	if (error instanceof UsageRequested) {
		process.stdout.write(`${USAGE}\n`);
		return;
	}
	process.stderr.write(`${error.message}\n`);
	process.exit(1);
});
