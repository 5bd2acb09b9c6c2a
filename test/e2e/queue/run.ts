/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any -- test code: runs under Node, never inside n8n */
// The queue-mode suite (part of `npm run test:e2e`): the built package in n8n 2.x queue mode — main, one `n8n webhook`,
// two `n8n worker`, Debian's Redis and PostgreSQL — all started here on free ports on 127.0.0.1 with folders under one
// temp folder, and all stopped at the end, a failed check or a signal included; the folder is removed (after a failed
// check all but the logs of every process). Prints one line per check, the measured figures, and
// `queue e2e: N passed, M failed`; exits non-zero on a failure. E2E_KEEP=1 keeps the whole folder; E2E_VERBOSE=1
// echoes the set-up.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
	ApiEmulator,
	buildDingTalkCallback,
	buildWeComUrlVerification,
	DINGTALK_SEED,
	sendCallback,
	WECOM_SEED,
	type CallbackResponse,
	type RecordedCall,
} from '../../emulator';
import { EMULATOR_AI_CARD_TEMPLATE } from '../../emulator/dingtalk';
import { checkDingTalkAnswer, httpEventPayload } from '../../emulator/dingtalk/httpEvents';
import { dingTalkCredentialData } from '../../emulator/dingtalk/credential';
import { DINGTALK_CREDENTIAL } from '../dingtalk';
import {
	exampleById,
	importAndPublishWorkflows,
	newMsgId,
	sandboxCredentials,
	textMessageXml,
	triggerUrl,
} from '../instance';
import {
	buildPackage,
	installPackage,
	N8nRest,
	provision,
	randomPassword,
	StepError,
	waitFor,
	withDeadline,
	type Owner,
} from '../n8nHost';
import { stopAll } from './processes';
import { ensureServices, startPostgres, startRedis } from './services';
import { WORKER_CONCURRENCY, WORKERS } from './settings';
import { QueueDeployment, startedOn, type N8nProcess } from './topology';
import { aiChannelChecks } from './aiChannels';
import {
	AI_EXAMPLES,
	AI_POSTGRES_MEMORY,
	EXAMPLES,
	HELD_TEXT,
	SLOW_TEXT,
	STREAM,
	writeWorkflows,
} from './workflows';

const STARTED = Date.now();
const SECONDS = () => `${((Date.now() - STARTED) / 1000).toFixed(0)}s`;
const VERBOSE = process.env.E2E_VERBOSE === '1';

function say(line: string): void {
	process.stdout.write(`${line}\n`);
}
const quiet = (prefix: string) => (line: string) => {
	if (VERBOSE) say(`  [${prefix}] ${line}`);
};

const outcome = { passed: 0, failed: 0 };
const figures: string[] = [];

function figure(line: string): void {
	figures.push(line);
	say(`      · ${line}`);
}

async function check(name: string, body: () => Promise<void>): Promise<void> {
	const start = Date.now();
	try {
		await body();
		outcome.passed += 1;
		say(`  ✓ ${name} (${((Date.now() - start) / 1000).toFixed(1)} s)`);
	} catch (error) {
		outcome.failed += 1;
		say(
			`  ✗ ${name}\n      ${String((error as Error).message ?? error)
				.split('\n')
				.join('\n      ')}`,
		);
	}
}

function expect(condition: unknown, message: string): asserts condition {
	if (!condition) throw new StepError(message);
}

/** Generous bounds: the checks wait for conditions, never for a time; these only end a wait that cannot end. */
const WAIT_MS = 120_000;
const HTTP_DEADLINE_MS = 30_000;

// --- the world ---------------------------------------------------------------------------------------------------

interface World {
	emulator: ApiEmulator;
	deployment: QueueDeployment;
	owner: Owner;
	rest: N8nRest;
}

function weComUrl(world: World, process: N8nProcess, exampleOrPath: string): string {
	const path =
		exampleOrPath === SLOW_TEXT.id
			? `${SLOW_TEXT.webhookId}/callback`
			: exampleOrPath === HELD_TEXT.id
				? `${HELD_TEXT.webhookId}/callback`
				: exampleById(exampleOrPath).path!;
	return `${process.baseUrl}/webhook/${path}`;
}

function postWeCom(world: World, url: string, payloadXml: string): Promise<CallbackResponse> {
	return withDeadline(
		world.emulator.sendWeComCallback(url, payloadXml, { agentId: WECOM_SEED.agentId }),
		HTTP_DEADLINE_MS,
		`POST ${new URL(url).pathname}`,
	);
}

const DINGTALK_KEYS = {
	token: DINGTALK_SEED.callbackToken,
	aesKey: DINGTALK_SEED.aesKey,
	receiverId: DINGTALK_SEED.appKey,
};

function postDingTalk(url: string, payload: object): Promise<CallbackResponse> {
	return withDeadline(
		sendCallback(url, buildDingTalkCallback({ ...DINGTALK_KEYS, payload })),
		HTTP_DEADLINE_MS,
		`POST ${new URL(url).pathname}`,
	);
}

function dingTalkSuccess(res: CallbackResponse): boolean {
	return (
		res.status === 200 &&
		checkDingTalkAnswer(res.body, {
			token: DINGTALK_KEYS.token,
			aesKey: DINGTALK_KEYS.aesKey,
			receiverIds: [DINGTALK_KEYS.receiverId],
		}).ok
	);
}

/** WeCom message/send calls that succeeded, by text. */
function weComTexts(world: World): Map<string, RecordedCall[]> {
	const byText = new Map<string, RecordedCall[]>();
	for (const call of world.emulator.callsTo('/cgi-bin/message/send')) {
		if (call.status !== 200 || (call.response as { errcode?: number })?.errcode !== 0) continue;
		const text = (call.body as { text?: { content?: string } })?.text?.content;
		if (typeof text !== 'string') continue;
		byText.set(text, [...(byText.get(text) ?? []), call]);
	}
	return byText;
}

function workNotificationsTo(world: World, userId: string): RecordedCall[] {
	return world.emulator
		.callsTo('/topapi/message/corpconversation/asyncsend_v2')
		.filter(
			(c) =>
				c.status === 200 &&
				(c.body as { userid_list?: string }).userid_list === userId &&
				(c.response as { errcode?: number }).errcode === 0,
		);
}

function gettokens(world: World): number {
	return world.emulator.callsTo('/cgi-bin/gettoken').filter((c) => c.status === 200).length;
}

/** n8n's count of a workflow's executions, optionally in these statuses. */
async function executionCount(
	world: World,
	workflowId: string,
	status?: string[],
): Promise<number> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId, ...(status ? { status } : {}) }));
	const page = await world.rest.get<{ count: number }>(`/executions?filter=${filter}&limit=1`);
	return page.count;
}

/** Runs `tasks` with at most `limit` in flight. */
async function inPool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
	const results: T[] = new Array(tasks.length);
	let next = 0;
	const lanes = Array.from({ length: Math.min(limit, tasks.length) }, async () => {
		while (next < tasks.length) {
			const i = next++;
			results[i] = await tasks[i]();
		}
	});
	await Promise.all(lanes);
	return results;
}

/** One HTTP request on a connection of its own (a Send and Wait link, n8n's webhook of the expense example). */
function http(
	url: string,
	method: 'GET' | 'POST',
	json?: unknown,
): Promise<{ status: number; body: string }> {
	const payload = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
	const exchange = new Promise<{ status: number; body: string }>((done, fail) => {
		const req = httpRequest(
			url,
			{
				method,
				agent: false,
				headers: payload
					? { 'content-type': 'application/json', 'content-length': String(payload.length) }
					: {},
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('end', () =>
					done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
				);
				res.on('error', fail);
			},
		);
		req.on('error', fail);
		req.end(payload);
	});
	return withDeadline(exchange, HTTP_DEADLINE_MS, `${method} ${new URL(url).pathname}`);
}

async function login(world: World): Promise<void> {
	const rest = new N8nRest(world.deployment.main.baseUrl, world.deployment.toolchain);
	await rest.login(world.owner);
	world.rest = rest;
}

/** A WeCom text through the webhook process whose reply proves that everything sent before it has been handled. */
async function barrier(world: World, label: string): Promise<void> {
	const content = `barrier ${label} ${newMsgId()}`;
	const res = await postWeCom(
		world,
		weComUrl(world, world.deployment.webhook, EXAMPLES.text),
		textMessageXml({ from: 'wangwu', content }),
	);
	expect(res.status === 200, `the barrier was answered HTTP ${res.status}`);
	await waitFor(
		`the reply to ${label}'s barrier`,
		() => weComTexts(world).get(`收到：${content}`),
		{
			timeoutMs: WAIT_MS,
		},
	);
}

// --- the checks --------------------------------------------------------------------------------------------------

async function checks(world: World): Promise<void> {
	const { deployment, emulator } = world;
	const [worker1, worker2] = deployment.workers;
	const webhookText = weComUrl(world, deployment.webhook, EXAMPLES.text);

	await check(
		'tokens: a cold worker starting a burst of 20 executions (10 at once) asks WeCom for one token',
		async () => {
			const before = gettokens(world);
			const contents = Array.from({ length: 20 }, (_, i) => `冷启动 ${i} ${newMsgId()}`);
			const answers = await Promise.all(
				contents.map(async (content) =>
					postWeCom(world, webhookText, textMessageXml({ from: 'lisi', content })),
				),
			);
			expect(
				answers.every((a) => a.status === 200),
				`answers: ${answers.map((a) => a.status).join(',')}`,
			);
			await waitFor(
				'a reply to each of the 20 messages',
				() => (contents.every((c) => weComTexts(world).has(`收到：${c}`)) ? true : undefined),
				{ timeoutMs: WAIT_MS },
			);
			const fetched = gettokens(world) - before;
			figure(`cold burst of 20 on one worker (concurrency 10): ${fetched} gettoken`);
			expect(fetched === 1, `${fetched} gettoken calls, expected 1`);
			expect(startedOn(worker1).size >= 20, 'the executions did not run on the worker');
		},
	);

	await check('a second worker joins (health and readiness on its own port)', async () => {
		await deployment.start(worker2);
	});

	await check(
		'tokens across workers: after WeCom killed the token, a burst on both workers asks at most once per worker',
		async () => {
			emulator.invalidateTokens('wecom');
			const before = gettokens(world);
			const startedBefore = deployment.workers.map((w) => startedOn(w).size);
			const contents = Array.from({ length: 30 }, (_, i) => `换令牌 ${i} ${newMsgId()}`);
			const answers = await Promise.all(
				contents.map(async (content) =>
					postWeCom(world, webhookText, textMessageXml({ from: 'zhaoliu', content })),
				),
			);
			expect(
				answers.every((a) => a.status === 200),
				'a callback was not answered 200',
			);
			await waitFor(
				'a reply to each of the 30 messages',
				() => (contents.every((c) => weComTexts(world).has(`收到：${c}`)) ? true : undefined),
				{ timeoutMs: WAIT_MS },
			);
			const ran = deployment.workers.map((w, i) => startedOn(w).size - startedBefore[i]);
			const busy = ran.filter((n) => n > 0).length;
			const fetched = gettokens(world) - before;
			figure(
				`burst of 30 after the token died: executions per worker ${ran.join(' + ')}, ${fetched} gettoken`,
			);
			expect(fetched >= 1 && fetched <= busy, `${fetched} gettoken calls for ${busy} busy workers`);
		},
	);

	await check(
		"both triggers' HTTP callbacks through the webhook process: URL checks answered, events run on workers",
		async () => {
			const verification = buildWeComUrlVerification({
				token: WECOM_SEED.callbackToken,
				encodingAesKey: WECOM_SEED.encodingAesKey,
				corpId: WECOM_SEED.corpId,
			});
			const verified = await withDeadline(
				sendCallback(webhookText, verification),
				HTTP_DEADLINE_MS,
				'URL check',
			);
			expect(
				verified.status === 200 && verified.body === verification.echo,
				`WeCom's URL check: HTTP ${verified.status}`,
			);
			const welcomeUrl = triggerUrl(deployment.webhook.baseUrl, exampleById(EXAMPLES.welcome));
			const checkUrl = await postDingTalk(welcomeUrl, httpEventPayload('check_url'));
			expect(dingTalkSuccess(checkUrl), `DingTalk's check_url: HTTP ${checkUrl.status}`);
			const before = await executionCount(world, EXAMPLES.welcome);
			const added = await postDingTalk(
				welcomeUrl,
				httpEventPayload('user_add', { userId: 'dev002' }),
			);
			expect(dingTalkSuccess(added), `user_add_org: HTTP ${added.status}`);
			await waitFor('the welcome to dev002', () => workNotificationsTo(world, 'dev002')[0], {
				timeoutMs: WAIT_MS,
			});
			const executions = (await world.rest.executions(EXAMPLES.welcome)).slice(0, 1);
			expect(
				(await executionCount(world, EXAMPLES.welcome)) === before + 1,
				'check_url or user_add_org started a wrong number of executions',
			);
			const onWorkers = new Set(deployment.workers.flatMap((w) => [...startedOn(w)]));
			expect(
				executions.every((e) => onWorkers.has(e.id) && e.mode === 'webhook'),
				`execution ${executions[0]?.id} did not run on a worker`,
			);
		},
	);

	await check(
		'retries crossing processes: main refuses production callbacks, so first-to-main-then-webhook and webhook-then-main-then-webhook run once each',
		async () => {
			const mainText = weComUrl(world, deployment.main, EXAMPLES.text);
			const n = 15;
			const before = await executionCount(world, EXAMPLES.text);
			const mainStatuses = new Set<number>();
			const tasks: Array<() => Promise<string>> = [];
			for (let i = 0; i < n; i++) {
				tasks.push(async () => {
					const content = `先主后 webhook ${i} ${newMsgId()}`;
					const payload = textMessageXml({ from: 'sunqi', content, msgId: newMsgId() });
					const first = await postWeCom(world, mainText, payload);
					mainStatuses.add(first.status);
					const retry = await postWeCom(world, webhookText, payload);
					expect(retry.status === 200, `the retry to the webhook process: HTTP ${retry.status}`);
					return content;
				});
				tasks.push(async () => {
					const content = `先 webhook 后主 ${i} ${newMsgId()}`;
					const payload = textMessageXml({ from: 'sunqi', content, msgId: newMsgId() });
					expect((await postWeCom(world, webhookText, payload)).status === 200, 'first delivery');
					mainStatuses.add((await postWeCom(world, mainText, payload)).status);
					expect((await postWeCom(world, webhookText, payload)).status === 200, 'second retry');
					return content;
				});
			}
			const contents = await inPool(tasks, 10);
			// DingTalk's events the same way, by eventId.
			const welcomeMain = triggerUrl(deployment.main.baseUrl, exampleById(EXAMPLES.welcome));
			const welcomeWebhook = triggerUrl(deployment.webhook.baseUrl, exampleById(EXAMPLES.welcome));
			const dingUsers = ['cross-a', 'cross-b', 'cross-c', 'cross-d'];
			for (const [i, userId] of dingUsers.entries()) {
				const payload = httpEventPayload('user_add', { userId });
				const order =
					i % 2 === 0
						? [welcomeMain, welcomeWebhook]
						: [welcomeWebhook, welcomeMain, welcomeWebhook];
				for (const url of order) {
					const res = await postDingTalk(url, payload);
					if (url === welcomeMain) mainStatuses.add(res.status);
					else
						expect(
							dingTalkSuccess(res),
							`DingTalk delivery to the webhook process: HTTP ${res.status}`,
						);
				}
			}
			await barrier(world, 'crossing retries');
			await waitFor(
				'the DingTalk welcomes',
				() => (dingUsers.every((u) => workNotificationsTo(world, u).length > 0) ? true : undefined),
				{ timeoutMs: WAIT_MS },
			);
			const texts = weComTexts(world);
			const doubled = contents.filter((c) => (texts.get(`收到：${c}`)?.length ?? 0) > 1);
			const lost = contents.filter((c) => !texts.has(`收到：${c}`));
			const dingDoubled = dingUsers.filter((u) => workNotificationsTo(world, u).length > 1);
			const executions = (await executionCount(world, EXAMPLES.text)) - before;
			figure(
				`crossing retries: ${contents.length} WeCom messages (${n} first to main, ${n} main as the 2nd of 3 deliveries) → ${doubled.length} doubled, ${lost.length} lost, ${executions - 1} executions (+1 barrier); DingTalk ${dingUsers.length} events → ${dingDoubled.length} doubled; main answered HTTP ${[...mainStatuses].join('/')}`,
			);
			expect(
				[...mainStatuses].every((s) => s >= 400 && s < 500),
				`main answered ${[...mainStatuses].join(', ')} to production callbacks, expected 4xx`,
			);
			expect(
				doubled.length === 0 && dingDoubled.length === 0,
				`doubled: ${doubled.length + dingDoubled.length}`,
			);
			expect(lost.length === 0, `lost: ${lost.length}`);
			expect(
				executions === contents.length + 1,
				`${executions} executions for ${contents.length} messages + 1 barrier`,
			);
		},
	);

	await check(
		'Send and Wait: the card links point at the webhook process; POST there resumes, the run ends on a worker',
		async () => {
			const example = exampleById(EXAMPLES.ask);
			const tag = `queue-ask-${process.pid}-${Date.now()}`;
			const url = triggerUrl(deployment.webhook.baseUrl, example);
			const res = await http(url, 'POST', {
				employee: 'zhangsan',
				manager: 'lisi',
				amount: 6800,
				reason: tag,
			});
			expect(res.status === 200, `the expense webhook answered HTTP ${res.status}`);
			const card = await waitFor(
				'the WeCom card',
				() =>
					emulator
						.callsTo('/cgi-bin/message/send')
						.find((c) => c.status === 200 && JSON.stringify(c.body).includes(tag)),
				{ timeoutMs: WAIT_MS },
			);
			const links: Array<{ url: string }> = (card.body as any).template_card?.jump_list ?? [];
			expect(links.length === 2, `the card has ${links.length} links`);
			const approve = new URL(links[0].url);
			expect(
				approve.origin === deployment.webhook.baseUrl &&
					approve.pathname.startsWith('/webhook-waiting/'),
				`the Approve link goes to ${approve.origin}${approve.pathname.split('/').slice(0, 2).join('/')}/…, not the webhook process`,
			);
			const executionId = approve.pathname.split('/')[2];
			await waitFor(
				`execution ${executionId} waiting`,
				async () =>
					(await world.rest.get<{ status: string }>(`/executions/${executionId}`)).status ===
					'waiting'
						? true
						: undefined,
				{ timeoutMs: WAIT_MS },
			);
			const page = await http(links[0].url, 'GET');
			expect(page.status === 200, `GET of the link: HTTP ${page.status}`);
			const answer = await http(links[0].url, 'POST');
			expect(answer.status === 200, `POST of the link: HTTP ${answer.status}`);
			const status = await waitFor(
				`execution ${executionId} to finish`,
				async () => {
					const now = (await world.rest.get<{ status: string }>(`/executions/${executionId}`))
						.status;
					return ['new', 'running', 'waiting'].includes(now) ? undefined : now;
				},
				{ timeoutMs: WAIT_MS },
			);
			expect(status === 'success', `the resumed execution ended ${status}`);
			const runData = await world.rest.executionRunData(executionId);
			const asked = runData['Ask the manager'];
			const output = asked?.[asked.length - 1]?.data?.main?.[0]?.[0]?.json as any;
			expect(output?.data?.approved === true, 'the resumed run did not get approved: true');
			const resumedOn = deployment.workers.filter((w) =>
				w.log().includes(`Worker started execution ${executionId} `),
			);
			expect(resumedOn.length >= 1, `execution ${executionId} never ran on a worker`);
		},
	);

	// Both AI chat channels, published and unpublished over REST on the running deployment (no restart).
	for (const [name, body] of aiChannelChecks({
		emulator,
		deployment,
		rest: () => world.rest,
		figure,
	})) {
		await check(name, body);
	}

	await check(
		'a manual execution of the Stream workflow runs on a worker (OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS, n8n 3.x behaviour) and gets its event',
		async () => {
			const stream = emulator.dingtalkStream;
			const open = () => stream.openConnections().filter((c) => c.state === 'open');
			await waitFor('the published Stream connection', () => open()[0], { timeoutMs: WAIT_MS });
			const started = await world.rest.post<{ executionId?: string }>(
				`/workflows/${STREAM.id}/run`,
				{ triggerToStartFrom: { name: 'DingTalk Trigger' } },
			);
			const executionId = started.executionId;
			expect(
				typeof executionId === 'string',
				`n8n started no manual run: ${JSON.stringify(started)}`,
			);
			await waitFor(
				'the manual run to open its own Stream connection',
				() => (open().length >= 2 ? true : undefined),
				{
					timeoutMs: WAIT_MS,
				},
			);
			// DingTalk shares an app's events among its connections: publish until the manual run has taken one.
			const status = await waitFor(
				`manual execution ${executionId} to finish`,
				async () => {
					const now = (await world.rest.get<{ status: string }>(`/executions/${executionId}`))
						.status;
					if (['new', 'running', 'waiting'].includes(now)) {
						stream.publishEvent({ eventType: 'user_modify_org', data: { UserId: ['manual-run'] } });
						return undefined;
					}
					return now;
				},
				{ timeoutMs: WAIT_MS, intervalMs: 1500 },
			);
			expect(status === 'success', `the manual run ended ${status}`);
			expect(
				deployment.workers.some((w) =>
					w.log().includes(`Worker started execution ${executionId} `),
				),
				`manual execution ${executionId} did not run on a worker`,
			);
			await waitFor(
				'the manual run to close its connection',
				() => (open().length === 1 ? true : undefined),
				{
					timeoutMs: WAIT_MS,
				},
			);
		},
	);

	await check(
		'DingTalk Stream across a restart of main: one socket, every event once (also those DingTalk sends again after it)',
		async () => {
			const stream = emulator.dingtalkStream;
			const open = () => stream.openConnections().filter((c) => c.state === 'open');
			await waitFor('the Stream connection', () => open()[0], { timeoutMs: WAIT_MS });
			const replied = () => weComTexts(world);
			const publish = (i: number) =>
				stream.publishEvent({ eventType: 'user_modify_org', data: { UserId: [`restart-${i}`] } });
			const before = Array.from({ length: 10 }, (_, i) => publish(i));
			await waitFor(
				'the first 10 events run',
				() => (before.every((k) => replied().has(STREAM.reply(k))) ? true : undefined),
				{ timeoutMs: WAIT_MS },
			);
			const executionsBefore = await executionCount(world, STREAM.id);
			await deployment.stop(deployment.main);
			const during = Array.from({ length: 5 }, (_, i) => publish(10 + i));
			// From here on main takes production callbacks too, as the "Answer After the Run" deployment has it
			// (docs/queue-mode.md): the held WeCom trigger's callbacks go to main. The checks before needed main to refuse
			// them (N8N_DISABLE_PRODUCTION_MAIN_PROCESS) and are done.
			deployment.main.overrides = { N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'false' };
			await deployment.start(deployment.main);
			await login(world);
			await waitFor('the new Stream connection', () => open()[0], { timeoutMs: WAIT_MS });
			// DingTalk sends acknowledged events again now and then; a new main process has no memory of them.
			for (const key of before) stream.duplicate(key);
			const all = [...before, ...during];
			await waitFor(
				'every event acknowledged',
				() => (stream.unacked().length === 0 ? true : undefined),
				{ timeoutMs: WAIT_MS },
			);
			await waitFor(
				'the events sent while main was down run',
				() => (during.every((k) => replied().has(STREAM.reply(k))) ? true : undefined),
				{ timeoutMs: WAIT_MS },
			);
			// Barrier: one more event, published after the duplicates were acknowledged.
			const last = publish(99);
			await waitFor('the barrier event', () => replied().get(STREAM.reply(last)), {
				timeoutMs: WAIT_MS,
			});
			const doubled = all.filter((k) => (replied().get(STREAM.reply(k))?.length ?? 0) > 1);
			const executions = (await executionCount(world, STREAM.id)) - executionsBefore;
			figure(
				`Stream across a main restart: 10 events before, 5 while main was down, the 10 sent again after → ${doubled.length} doubled, ${executions - 1} executions after the restart (+1 barrier); connections opened: ${stream.connections().length}, open now: ${open().length}`,
			);
			expect(stream.lost().length === 0, `${stream.lost().length} events lost by the emulator`);
			expect(doubled.length === 0, `${doubled.length} events ran twice`);
			expect(
				executions === during.length + 1,
				`${executions} executions after the restart, expected ${during.length + 1}`,
			);
			expect(open().length === 1, `${open().length} Stream connections open`);
		},
	);

	await check(
		'kill -9 of a worker mid-burst: every answered callback is accounted for; every Stream event runs (again) on the other worker',
		async () => {
			const stream = emulator.dingtalkStream;
			const slowUrl = weComUrl(world, deployment.webhook, SLOW_TEXT.id);
			const heldUrl = weComUrl(world, deployment.main, HELD_TEXT.id);
			const httpCount = 150;
			const streamCount = 30;
			const heldCount = 60;
			const errorsBefore = {
				http: await executionCount(world, SLOW_TEXT.id, ['error', 'crashed']),
				stream: await executionCount(world, STREAM.id, ['error', 'crashed']),
				held: await executionCount(world, HELD_TEXT.id, ['error', 'crashed']),
			};
			const contents: string[] = [];
			const streamKeys: string[] = [];
			const statuses: number[] = [];
			const heldContents: string[] = [];
			const heldStatuses: number[] = [];
			const tasks: Array<() => Promise<void>> = [];
			for (let i = 0; i < httpCount; i++) {
				tasks.push(async () => {
					const content = `突发 ${i} ${newMsgId()}`;
					contents.push(content);
					statuses.push(
						(await postWeCom(world, slowUrl, textMessageXml({ from: 'zhouba', content }))).status,
					);
					if (i % (httpCount / heldCount) < 1) {
						// "Answer After the Run": answered once the run has finished, which for a run the dead worker
						// took is minutes later (n8n notices it, the trigger runs it again): no 30 s deadline here.
						const held = `稳 ${i} ${newMsgId()}`;
						heldContents.push(held);
						void withDeadline(
							world.emulator.sendWeComCallback(
								heldUrl,
								textMessageXml({ from: 'zhouba', content: held }),
								{ agentId: WECOM_SEED.agentId },
							),
							10 * 60_000,
							`POST ${new URL(heldUrl).pathname}`,
						).then(
							(res) => heldStatuses.push(res.status),
							() => heldStatuses.push(0),
						);
					}
					if (i % (httpCount / streamCount) === 0) {
						streamKeys.push(
							stream.publishEvent({
								eventType: 'user_modify_org',
								data: { UserId: [`burst-${i}`] },
							}),
						);
					}
				});
			}
			// The kill comes when worker-1 is in the middle of both kinds of run (each holds its run for a second).
			let killedAt = 0;
			const killer = (async () => {
				await waitFor(
					'worker-1 running a WeCom callback and a Stream event',
					async () => {
						const filter = encodeURIComponent(JSON.stringify({ status: ['running'] }));
						const page = await world.rest.get<{
							results: Array<{ id: string; workflowId: string }>;
						}>(`/executions?filter=${filter}&limit=100`);
						const mine = startedOn(worker1);
						const running = new Set(
							page.results.filter((e) => mine.has(e.id)).map((e) => e.workflowId),
						);
						if ([SLOW_TEXT.id, STREAM.id, HELD_TEXT.id].every((id) => running.has(id))) {
							return true;
						}
						if (!running.has(STREAM.id)) {
							streamKeys.push(
								stream.publishEvent({
									eventType: 'user_modify_org',
									data: { UserId: ['burst-extra'] },
								}),
							);
						}
						return undefined;
					},
					{ timeoutMs: WAIT_MS * 2, intervalMs: 100 },
				);
				killedAt = Date.now();
				await deployment.kill9(worker1);
			})();
			await inPool(tasks, 12);
			await killer;
			const answered = statuses.filter((s) => s === 200).length;
			// n8n notices a dead worker's runs once their lock expires (QUEUE_WORKER_LOCK_DURATION, 60 s), at the next
			// stalled check (30 s), after a grace of 30 s: wait on the outcome, with room for a slow machine.
			await waitFor(
				'every Stream event to have run',
				() => (streamKeys.every((k) => weComTexts(world).has(STREAM.reply(k))) ? true : undefined),
				{ timeoutMs: 8 * 60_000, intervalMs: 500 },
			);
			const accounted = await waitFor(
				'every answered callback to have run or failed',
				async () => {
					const texts = weComTexts(world);
					const ran = contents.filter((c) => texts.has(SLOW_TEXT.reply(c))).length;
					const failed =
						(await executionCount(world, SLOW_TEXT.id, ['error', 'crashed'])) - errorsBefore.http;
					return ran + failed >= answered ? { ran, failed } : undefined;
				},
				{ timeoutMs: 8 * 60_000, intervalMs: 1000 },
			);
			const texts = weComTexts(world);
			const httpDoubled = contents.filter(
				(c) => (texts.get(SLOW_TEXT.reply(c))?.length ?? 0) > 1,
			).length;
			const streamDoubled = streamKeys.filter(
				(k) => (texts.get(STREAM.reply(k))?.length ?? 0) > 1,
			).length;
			const streamLostRuns =
				(await executionCount(world, STREAM.id, ['error', 'crashed'])) - errorsBefore.stream;
			const lostHttp = answered - accounted.ran;
			await waitFor(
				'every held callback answered',
				() => (heldStatuses.length === heldContents.length ? true : undefined),
				{ timeoutMs: 8 * 60_000, intervalMs: 500 },
			);
			const heldAnswered = heldStatuses.filter((s) => s === 200).length;
			const heldTexts = weComTexts(world);
			const heldRan = heldContents.filter((c) => heldTexts.has(HELD_TEXT.reply(c))).length;
			const heldDoubled = heldContents.filter(
				(c) => (heldTexts.get(HELD_TEXT.reply(c))?.length ?? 0) > 1,
			).length;
			const heldLostRuns =
				(await executionCount(world, HELD_TEXT.id, ['error', 'crashed'])) - errorsBefore.held;
			figure(
				`kill -9 of worker-1 mid-burst, WeCom with "Answer After the Run" (callbacks to main): ${heldAnswered}/${heldContents.length} answered 200, ${heldRan} ran with their item, ${heldAnswered - heldRan} answered but lost, ${heldDoubled} doubled; ${heldLostRuns} runs lost by n8n and run again by the trigger`,
			);
			expect(
				heldAnswered === heldContents.length,
				`${heldContents.length - heldAnswered} held callbacks not answered 200: ${[...new Set(heldStatuses)].join(',')}`,
			);
			expect(
				heldRan === heldAnswered,
				`${heldAnswered - heldRan} answered held callbacks never ran`,
			);
			expect(heldDoubled === 0, `${heldDoubled} held callbacks ran twice`);
			expect(heldLostRuns > 0, 'the kill took no held run with it: the check proved nothing');
			figure(
				`kill -9 of worker-1 mid-burst (${httpCount} HTTP callbacks, ${streamKeys.length} Stream events, each run held 1 s, concurrency ${WORKER_CONCURRENCY}/worker): HTTP ${answered}/${httpCount} answered, ${accounted.ran} ran with their item, ${lostHttp} lost (n8n recorded ${accounted.failed} runs "job stalled", data gone), ${httpDoubled} doubled; Stream ${streamKeys.length} events → 0 lost, ${streamLostRuns} runs lost by n8n and emitted again, ${streamDoubled} ran twice; all accounted for ${((Date.now() - killedAt) / 1000).toFixed(0)} s after the kill`,
			);
			expect(
				answered === httpCount,
				`${httpCount - answered} callbacks not answered 200: ${[...new Set(statuses)].join(',')}`,
			);
			expect(httpDoubled === 0, `${httpDoubled} HTTP callbacks ran twice`);
			expect(
				accounted.ran + accounted.failed >= answered && lostHttp <= accounted.failed,
				`${lostHttp} answered callbacks neither ran nor left a failed execution`,
			);
			expect(streamLostRuns > 0, 'the kill took no Stream run with it: the check proved nothing');
		},
	);

	await check(
		'a held callback whose run fails in a node on a worker runs once: the trigger tells a failure from a lost run',
		async () => {
			// In queue mode main learns of a finished job only from the worker's summary (no run data); a run that failed
			// in its Reply node must not look lost, or the trigger would run it again (up to 4 times) before answering.
			const heldUrl = weComUrl(world, deployment.main, HELD_TEXT.id);
			const before = await executionCount(world, HELD_TEXT.id);
			const failedBefore = await executionCount(world, HELD_TEXT.id, ['error']);
			const statuses = await Promise.all(
				[1, 2, 3].map(async (i) => {
					const res = await withDeadline(
						world.emulator.sendWeComCallback(
							heldUrl,
							// Nobody in the organisation: WeCom answers 81013, and the Reply node fails.
							textMessageXml({ from: 'ghost-user', content: `无人 ${i} ${newMsgId()}` }),
							{ agentId: WECOM_SEED.agentId },
						),
						5 * 60_000,
						`POST ${new URL(heldUrl).pathname}`,
					);
					return res.status;
				}),
			);
			// Answered only after the trigger decided: any run again would have happened before these answers.
			const runs = (await executionCount(world, HELD_TEXT.id)) - before;
			const failed = (await executionCount(world, HELD_TEXT.id, ['error'])) - failedBefore;
			figure(
				`held callbacks whose run fails in a node (3): answered ${statuses.join(',')}, ${runs} executions, ${failed} failed`,
			);
			expect(
				statuses.every((s) => s === 200),
				`answered ${statuses.join(',')}`,
			);
			expect(
				failed === 3,
				`${failed} failed executions, expected 3 (the check proved nothing otherwise)`,
			);
			expect(runs === 3, `${runs} executions for 3 callbacks: a failed run was run again`);
		},
	);
}

// --- set-up and tear-down ----------------------------------------------------------------------------------------

/** Removes everything under `folder` but the *.log files (at its top and one level down). */
function keepOnlyLogs(folder: string, depth = 0): void {
	for (const entry of readdirSync(folder, { withFileTypes: true })) {
		const path = join(folder, entry.name);
		if (entry.isFile() && entry.name.endsWith('.log')) continue;
		if (entry.isDirectory() && depth === 0 && ['postgres', 'redis'].includes(entry.name)) {
			keepOnlyLogs(path, depth + 1);
			continue;
		}
		rmSync(path, { recursive: true, force: true });
	}
}

async function main(): Promise<number> {
	say(
		'queue e2e: n8n queue mode (main + webhook + 2 workers, Redis, PostgreSQL) with the built package, 127.0.0.1 only',
	);
	let emulator: ApiEmulator | undefined;
	let folder: string | undefined;
	let deployment: QueueDeployment | undefined;
	let tornDown = false;
	const teardown = async () => {
		if (tornDown) return;
		tornDown = true;
		await stopAll();
		await emulator?.stop().catch(() => undefined);
	};
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		process.once(signal, () => {
			say(`queue e2e: ${signal}, stopping every process`);
			void teardown().finally(() => {
				if (folder && process.env.E2E_KEEP !== '1')
					rmSync(folder, { recursive: true, force: true });
				say(`queue e2e: ${outcome.passed} passed, ${outcome.failed + 1} failed`);
				process.exit(130);
			});
		});
	}
	try {
		say(
			`- Redis and PostgreSQL from Debian (install-services.sh), Node 24 + n8n (provision.sh) [${SECONDS()}]`,
		);
		await ensureServices(quiet('apt'));
		const toolchain = await provision(quiet('provision'));
		folder = mkdtempSync(join(tmpdir(), 'n8n-queue-e2e-'));
		const [postgres, redis] = await Promise.all([
			startPostgres(join(folder, 'postgres'), quiet('postgres')),
			startRedis(join(folder, 'redis')),
		]);
		say(`- PostgreSQL on ${postgres.port}, Redis on ${redis.port} [${SECONDS()}]`);
		emulator = await ApiEmulator.start({
			port: 0,
			plugins: ['wecom', 'dingtalk'],
			// A main restart takes a while: events published meanwhile must still be there when it is back.
			stream: { redeliveryDelayMs: 3000, maxDeliveries: 200 },
		});
		const owner: Owner = { email: 'queue-e2e@example.com', password: randomPassword() };
		const userFolder = join(folder, 'n8n');
		deployment = await QueueDeployment.create({
			toolchain,
			folder,
			userFolder,
			owner,
			postgres,
			redis,
			workers: WORKERS,
		});
		const ids = writeWorkflows(join(folder, 'workflows'));
		const credentialFile = join(folder, 'credentials.json');
		writeFileSync(
			credentialFile,
			`${JSON.stringify(
				[
					...sandboxCredentials(emulator.baseUrl),
					{
						...AI_POSTGRES_MEMORY.credential,
						type: 'postgres',
						data: {
							host: '127.0.0.1',
							port: postgres.port,
							database: postgres.database,
							user: postgres.user,
							password: postgres.password,
							ssl: 'disable',
						},
					},
					{
						...DINGTALK_CREDENTIAL,
						data: {
							...dingTalkCredentialData(emulator.baseUrl),
							aiCardTemplateId: EMULATOR_AI_CARD_TEMPLATE,
						},
					},
				],
				null,
				2,
			)}\n`,
		);
		say(
			`- building the package; importing credentials and ${ids.length + AI_EXAMPLES.length + 1} workflows (${ids.length} published) into PostgreSQL [${SECONDS()}]`,
		);
		const cliLog = quiet('n8n cli');
		await Promise.all([
			buildPackage(quiet('build')),
			(async () => {
				await deployment!.cli(['import:credentials', `--input=${credentialFile}`], cliLog);
				await importAndPublishWorkflows(
					toolchain,
					deployment!.config(),
					join(folder!, 'workflows'),
					ids,
					cliLog,
				);
			})(),
		]);
		installPackage(userFolder);
		say(`- starting main, then the webhook process and worker-1 [${SECONDS()}]`);
		await deployment.start(deployment.main);
		await Promise.all([
			deployment.start(deployment.webhook),
			deployment.start(deployment.workers[0]),
		]);
		const world: World = { emulator, deployment, owner, rest: undefined as unknown as N8nRest };
		await login(world);
		await waitFor(
			'the published triggers registered with the webhook process',
			async () => {
				for (const url of [
					weComUrl(world, deployment!.webhook, EXAMPLES.text),
					weComUrl(world, deployment!.webhook, SLOW_TEXT.id),
				]) {
					const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
					if (res.status === 404) return undefined;
				}
				return true;
			},
			{ timeoutMs: WAIT_MS, intervalMs: 500 },
		);
		say(`- deployment up; checks [${SECONDS()}]`);
		await checks(world);
	} catch (error) {
		outcome.failed += 1;
		say(`  ✗ set-up: ${(error as Error).message}`);
	} finally {
		await teardown();
	}
	if (folder) {
		if (process.env.E2E_KEEP === '1') {
			say(`queue e2e: everything kept in ${folder} (E2E_KEEP=1)`);
		} else if (outcome.failed === 0) {
			rmSync(folder, { recursive: true, force: true });
		} else {
			// The databases, the n8n folder and the imports go; the logs of every process stay for the failure.
			keepOnlyLogs(folder);
			say(`queue e2e: the logs of every process kept in ${folder}`);
		}
	}
	if (figures.length) say(`queue e2e: figures\n${figures.map((f) => `  - ${f}`).join('\n')}`);
	say(`queue e2e: finished in ${SECONDS()}`);
	say(`queue e2e: ${outcome.passed} passed, ${outcome.failed} failed`);
	return outcome.failed === 0 ? 0 : 1;
}

main().then(
	(code) => process.exit(code),
	(error: Error) => {
		say(`queue e2e: ${error.stack ?? error.message}`);
		process.exit(1);
	},
);
