/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- a Node script run by hand, never shipped */
// `npm run bench:n8n`: what a WeCom callback and a DingTalk HTTP event cost inside one real n8n 2.41 with
// its default settings, against the floor (an empty community webhook trigger, test/bench/n8n/floor) and
// n8n's own Webhook node, each → NoOp. The floor, the Webhook node and the WeCom Trigger get the same
// signed, encrypted WeCom body; the DingTalk Trigger gets DingTalk's own {"encrypt"} JSON of a contact event
// (smaller: DingTalk's events are). Prints figures and ratios; asserts nothing.
//
//   CPU per callback   n8n's main process CPU (utime+stime) over interleaved rounds, until it is idle
//                      again (so the execution of the workflow counts too), divided by the callbacks
//   RSS                main-process resident memory after N callbacks, each kind in a fresh n8n
//   isolates           expression isolates n8n built per callback (its debug log: "[IsolatedVmBridge]
//                      Initialized"), in a separate run with N8N_LOG_LEVEL=debug
//
// Options (after `--`): --callbacks N (per kind and round, default 100), --rounds N (5),
// --concurrency N (8), --rss N (3000; 0 skips), --settings (also measure the expression-engine
// settings: legacy engine, pool size 4, lazy acquire).
import { request, Agent } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildDingTalkCallback, buildWeComCallback } from '../../emulator/callbackSender';
import { DINGTALK_SEED } from '../../emulator/dingtalk/seed';
import { WECOM_SEED } from '../../emulator/wecom/seed';
import { importDingTalk } from '../../e2e/dingtalk';
import {
	importRouteWorkflows,
	installFloorPackage,
	processFigures,
	routeWorkflow,
	waitForWebhooks,
	type RouteKind,
	type RouteWorkflow,
} from '../../e2e/callbackWorkflows';
import { importCredential } from '../../e2e/instance';
import {
	buildPackage,
	freePort,
	installPackage,
	N8nServer,
	provision,
	randomPassword,
	sleep,
	type N8nConfig,
	type Toolchain,
} from '../../e2e/n8nHost';

function option(name: string, fallback: number): number {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const CALLBACKS = option('callbacks', 100);
const ROUNDS = option('rounds', 5);
const CONCURRENCY = option('concurrency', 8);
const RSS_CALLBACKS = option('rss', 3000);
const SETTINGS = process.argv.includes('--settings');
const KINDS: RouteKind[] = ['floor', 'webhook', 'wecom', 'dingtalk'];

function zeros(): Record<RouteKind, number> {
	return { floor: 0, webhook: 0, wecom: 0, dingtalk: 0 };
}

const STARTED = Date.now();
function say(line = ''): void {
	process.stdout.write(`${line}\n`);
}
function step(line: string): void {
	say(`- ${line} [${((Date.now() - STARTED) / 1000).toFixed(0)} s]`);
}

// --- load --------------------------------------------------------------------------------------------

let msgId = 7_300_000_000_000_000_000n;
let eventSeq = 100_000_000;
/** A new signed, encrypted DingTalk event (user_modify_org with a fresh eventId), every one the same size. */
function dingTalkEvent(): { query: string; body: string; contentType: string } {
	eventSeq += 1;
	const built = buildDingTalkCallback({
		token: DINGTALK_SEED.callbackToken,
		aesKey: DINGTALK_SEED.aesKey,
		receiverId: DINGTALK_SEED.appKey,
		payload: {
			EventType: 'user_modify_org',
			CorpId: DINGTALK_SEED.corpId,
			TimeStamp: '1700000000000',
			UserId: ['dev001'],
			eventId: `bench-event-${eventSeq}-0123456789abcdef`,
		},
	});
	return {
		query: new URLSearchParams(built.query).toString(),
		body: built.body,
		contentType: built.contentType,
	};
}

/** The request a kind of route gets: DingTalk's event for the DingTalk Trigger, WeCom's callback otherwise. */
function requestFor(kind: RouteKind): { query: string; body: string; contentType: string } {
	return kind === 'dingtalk' ? dingTalkEvent() : { ...callback(), contentType: 'text/xml' };
}

/** A new signed text callback; every one has the same size (a fixed-width MsgId). */
function callback(): { query: string; body: string } {
	msgId += 1n;
	const payloadXml =
		`<xml><ToUserName><![CDATA[${WECOM_SEED.corpId}]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName>` +
		`<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
		`<Content><![CDATA[审批通知 approval notice 0123456789]]></Content><MsgId>${msgId}</MsgId><AgentID>1000002</AgentID></xml>`;
	const built = buildWeComCallback({
		token: WECOM_SEED.callbackToken,
		encodingAesKey: WECOM_SEED.encodingAesKey,
		corpId: WECOM_SEED.corpId,
		agentId: WECOM_SEED.agentId,
		payloadXml,
	});
	return { query: new URLSearchParams(built.query).toString(), body: built.body };
}

interface Load {
	answered: number;
	failed: string[];
	seconds: number;
	bodyBytes: number;
}

/** Sends `count` callbacks of `kind` to its route, `concurrency` at a time; every answer must be a 200. */
async function load(
	kind: RouteKind,
	url: string,
	count: number,
	concurrency: number,
): Promise<Load> {
	const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
	const failed: string[] = [];
	let next = 0;
	let answered = 0;
	let bodyBytes = 0;
	const started = Date.now();
	const one = async (): Promise<void> => {
		const { query, body, contentType } = requestFor(kind);
		bodyBytes = Buffer.byteLength(body);
		await new Promise<void>((resolve) => {
			const req = request(
				`${url}?${query}`,
				{ method: 'POST', agent, headers: { 'content-type': contentType }, timeout: 60000 },
				(res) => {
					res.resume();
					res.on('end', () => {
						if (res.statusCode === 200) answered++;
						else failed.push(`HTTP ${res.statusCode}`);
						resolve();
					});
				},
			);
			req.on('timeout', () => req.destroy(new Error('no answer within 60 s')));
			req.on('error', (error) => {
				failed.push(error.message);
				resolve();
			});
			req.end(body);
		});
	};
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < count) {
				next++;
				await one();
			}
		}),
	);
	agent.destroy();
	return { answered, failed, seconds: (Date.now() - started) / 1000, bodyBytes };
}

/** Waits until n8n's main process has been idle for a moment (executions finished, isolates rebuilt). */
async function quiet(pid: number): Promise<void> {
	let last = processFigures(pid).cpuMs;
	let calm = 0;
	const deadline = Date.now() + 15000;
	while (calm < 3 && Date.now() < deadline) {
		await sleep(100);
		const now = processFigures(pid).cpuMs;
		calm = now - last <= 10 ? calm + 1 : 0;
		last = now;
	}
}

// --- n8n ---------------------------------------------------------------------------------------------

interface Setup {
	toolchain: Toolchain;
	config: N8nConfig;
	routes: Record<RouteKind, RouteWorkflow>;
}

async function start(setup: Setup, env: NodeJS.ProcessEnv = {}, logFile?: string) {
	const config: N8nConfig = {
		...setup.config,
		env: { ...setup.config.env, ...env },
		logFile: logFile ?? setup.config.logFile,
	};
	const n8n = N8nServer.start(setup.toolchain, config);
	await n8n.waitUntilReady(180000);
	await waitForWebhooks(KINDS.map((kind) => setup.routes[kind].url(n8n.baseUrl)));
	// Let start-up work (activation, pruning timers, the isolate pool) finish before measuring.
	await sleep(3000);
	await quiet(n8n.child.pid!);
	return n8n;
}

function ensureAll(kind: RouteKind, result: Load, count: number): void {
	if (result.answered !== count) {
		const sample = [...new Set(result.failed)].slice(0, 3).join('; ');
		throw new Error(`${kind}: ${result.answered}/${count} callbacks answered 200 (${sample})`);
	}
}

interface CpuFigures {
	cpuMsPerCallback: Record<RouteKind, number>;
	perSecond: Record<RouteKind, number>;
}

async function measureCpu(
	setup: Setup,
	env: NodeJS.ProcessEnv,
	rounds: number,
	callbacks: number,
): Promise<CpuFigures> {
	const n8n = await start(setup, env);
	const pid = n8n.child.pid!;
	const cpu = zeros();
	const time = zeros();
	try {
		for (const kind of KINDS) {
			ensureAll(kind, await load(kind, setup.routes[kind].url(n8n.baseUrl), 20, CONCURRENCY), 20);
		}
		await quiet(pid);
		for (let round = 0; round < rounds; round++) {
			// Interleaved, and in a different order each round.
			const order = KINDS.map((_, i) => KINDS[(i + round) % KINDS.length]);
			for (const kind of order) {
				const before = processFigures(pid).cpuMs;
				const result = await load(
					kind,
					setup.routes[kind].url(n8n.baseUrl),
					callbacks,
					CONCURRENCY,
				);
				ensureAll(kind, result, callbacks);
				await quiet(pid);
				cpu[kind] += processFigures(pid).cpuMs - before;
				time[kind] += result.seconds;
			}
		}
	} finally {
		await n8n.stop();
	}
	const total = rounds * callbacks;
	const per = (values: Record<RouteKind, number>, f: (v: number) => number) =>
		Object.fromEntries(KINDS.map((k) => [k, f(values[k])])) as Record<RouteKind, number>;
	return {
		cpuMsPerCallback: per(cpu, (v) => v / total),
		perSecond: per(time, (v) => total / v),
	};
}

async function countIsolates(setup: Setup, callbacks: number): Promise<Record<RouteKind, number>> {
	const logFile = join(setup.config.userFolder, 'n8n-debug.log');
	const n8n = await start(setup, { N8N_LOG_LEVEL: 'debug' }, logFile);
	const pid = n8n.child.pid!;
	const counts = zeros();
	const built = () =>
		(readFileSync(logFile, 'utf8').match(/\[IsolatedVmBridge\] Initialized/g) ?? []).length;
	try {
		for (const kind of KINDS) {
			await quiet(pid);
			await sleep(500);
			const before = built();
			ensureAll(
				kind,
				await load(kind, setup.routes[kind].url(n8n.baseUrl), callbacks, 1),
				callbacks,
			);
			await quiet(pid);
			await sleep(1000);
			counts[kind] = (built() - before) / callbacks;
		}
	} finally {
		await n8n.stop();
		say(`  (debug log: ${logFile}, ${(statSync(logFile).size / 1e6).toFixed(1)} MB)`);
	}
	return counts;
}

async function measureRss(setup: Setup, callbacks: number): Promise<Record<RouteKind, number>> {
	const rss = zeros();
	for (const kind of KINDS) {
		const n8n = await start(setup);
		try {
			const result = await load(kind, setup.routes[kind].url(n8n.baseUrl), callbacks, CONCURRENCY);
			ensureAll(kind, result, callbacks);
			await quiet(n8n.child.pid!);
			rss[kind] = processFigures(n8n.child.pid!).rssBytes;
			say(
				`  ${kind.padEnd(8)} ${callbacks} callbacks in ${result.seconds.toFixed(0)} s, RSS ${mib(rss[kind])}`,
			);
		} finally {
			await n8n.stop();
		}
	}
	return rss;
}

// --- report ------------------------------------------------------------------------------------------

function mib(bytes: number): string {
	return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

const LABEL: Record<RouteKind, string> = {
	floor: 'floor (empty community trigger)',
	webhook: "n8n's Webhook node",
	wecom: 'WeCom Trigger',
	dingtalk: 'DingTalk Trigger (HTTP)',
};

function cpuTable(title: string, figures: CpuFigures): void {
	say(`\n${title}`);
	for (const kind of KINDS) {
		say(
			`  ${LABEL[kind].padEnd(34)} ${figures.cpuMsPerCallback[kind].toFixed(1).padStart(6)} ms CPU/callback   ${figures.perSecond[kind].toFixed(1).padStart(5)} answered/s`,
		);
	}
	const { wecom, dingtalk, floor, webhook } = figures.cpuMsPerCallback;
	say(
		`  WeCom / floor ${(wecom / floor).toFixed(2)}×   WeCom / Webhook node ${(wecom / webhook).toFixed(2)}×`,
	);
	say(
		`  DingTalk / floor ${(dingtalk / floor).toFixed(2)}×   DingTalk / Webhook node ${(dingtalk / webhook).toFixed(2)}×`,
	);
}

async function main(): Promise<void> {
	say(
		`bench:n8n — ${CALLBACKS} callbacks × ${ROUNDS} rounds per kind, concurrency ${CONCURRENCY}; RSS after ${RSS_CALLBACKS}`,
	);
	step('provisioning Node 24 and n8n');
	const toolchain = await provision(() => undefined);
	const folder = mkdtempSync(join(tmpdir(), 'n8n-wecom-bench-'));
	const routes = Object.fromEntries(KINDS.map((k) => [k, routeWorkflow(k)])) as Record<
		RouteKind,
		RouteWorkflow
	>;
	const setup: Setup = {
		toolchain,
		routes,
		config: {
			userFolder: folder,
			port: await freePort(),
			brokerPort: await freePort(),
			encryptionKey: `bench-${Date.now()}`,
			owner: { email: 'bench@example.com', password: randomPassword() },
			logFile: join(folder, 'n8n.log'),
		},
	};
	let kept = false;
	try {
		step(`building the package, importing the workflows into ${folder}`);
		await buildPackage(() => undefined);
		installPackage(folder);
		installFloorPackage(folder);
		await importCredential(toolchain, setup.config, 'http://127.0.0.1:9', folder, () => undefined);
		await importDingTalk(toolchain, setup.config, 'http://127.0.0.1:9', folder, () => undefined, {
			workflow: false,
		});
		await importRouteWorkflows(toolchain, setup.config, Object.values(routes), () => undefined);

		step('CPU, default settings (expression engine vm, pool size 1)');
		const cpu = await measureCpu(setup, {}, ROUNDS, CALLBACKS);
		step('isolates per callback (N8N_LOG_LEVEL=debug)');
		const isolates = await countIsolates(setup, 30);
		let rss: Record<RouteKind, number> | undefined;
		if (RSS_CALLBACKS > 0) {
			step(`RSS after ${RSS_CALLBACKS} callbacks, each kind in a fresh n8n`);
			rss = await measureRss(setup, RSS_CALLBACKS);
		}
		const settings: Array<[string, CpuFigures]> = [];
		if (SETTINGS) {
			for (const [name, env] of [
				['N8N_EXPRESSION_ENGINE=legacy', { N8N_EXPRESSION_ENGINE: 'legacy' }],
				['N8N_EXPRESSION_ENGINE_POOL_SIZE=4', { N8N_EXPRESSION_ENGINE_POOL_SIZE: '4' }],
				['N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true', { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' }],
			] as const) {
				step(`CPU with ${name}`);
				settings.push([name, await measureCpu(setup, env, Math.min(ROUNDS, 3), CALLBACKS)]);
			}
		}

		const body = callback().body;
		say(
			`\nn8n 2.41.0, one instance; body ${Buffer.byteLength(body)} bytes (a signed, encrypted text callback); DingTalk ${Buffer.byteLength(dingTalkEvent().body)} bytes`,
		);
		cpuTable('CPU, default settings', cpu);
		say('\nExpression isolates built per callback (webhook phase, credentials and execution)');
		for (const kind of KINDS) say(`  ${LABEL[kind].padEnd(34)} ${isolates[kind].toFixed(2)}`);
		if (rss) {
			say(`\nRSS of n8n's main process after ${RSS_CALLBACKS} callbacks (fresh n8n each)`);
			for (const kind of KINDS) say(`  ${LABEL[kind].padEnd(34)} ${mib(rss[kind]).padStart(9)}`);
			say(`  WeCom / Webhook node ${(rss.wecom / rss.webhook).toFixed(2)}×`);
			say(`  DingTalk / Webhook node ${(rss.dingtalk / rss.webhook).toFixed(2)}×`);
		}
		for (const [name, figures] of settings) cpuTable(`CPU with ${name}`, figures);
	} catch (error) {
		kept = true;
		say(`bench:n8n failed: ${(error as Error).message}\n  n8n folder kept at ${folder}`);
		process.exitCode = 1;
	} finally {
		if (!kept && process.env.BENCH_KEEP !== '1') rmSync(folder, { recursive: true, force: true });
	}
	step('done');
}

void main();
