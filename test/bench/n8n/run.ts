/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- a Node script run by hand, never shipped */
// `npm run bench:n8n`: what a WeCom callback and a DingTalk HTTP event cost inside one real n8n 2.41,
// against two floors (test/bench/n8n/floor) — an empty community webhook trigger, and an empty one that has a
// credential and the raw-body option as the two triggers do (the fair one: n8n checks a node's credential on every
// execution) — and n8n's own Webhook node, each → NoOp. The floors, the Webhook node and the WeCom Trigger get the
// same signed, encrypted WeCom body; the DingTalk Trigger gets DingTalk's own {"encrypt"} JSON of a contact event
// (smaller: DingTalk's events are). Prints figures, their spread over rounds and ratios; asserts nothing.
//
//   CPU per callback   n8n's main process CPU (utime+stime) over interleaved rounds, until it is idle
//                      again (so the execution of the workflow counts too), divided by the callbacks;
//                      each kind's min / median / max over the rounds, and per round the difference to the
//                      floor with a credential (same round, so a busy moment of the machine cancels out)
//   RSS                main-process resident memory after N callbacks, each kind in a fresh n8n
//   isolates           expression isolates n8n built per callback (its debug log: "[IsolatedVmBridge]
//                      Initialized"), in a separate run with N8N_LOG_LEVEL=debug
//
// Options (after `--`): --callbacks N (per kind and round, default 100), --rounds N (5),
// --concurrency N (8), --rss N (3000; 0 skips), --settings (also measure the expression-engine
// settings: legacy engine, pool size 4, lazy acquire), --engine vm|legacy (the expression engine of the main
// CPU measurement; default n8n's, vm), --kinds a,b,... (floor, floorCredential, floorItem, webhook, wecom, dingtalk),
// --cpu-only (no isolate count, no RSS), --profile DIR (n8n's main process writes a --cpu-prof profile of the
// main CPU measurement into DIR), --stream N (also: CPU per event of a published DingTalk Trigger in Stream mode,
// N events a round from the emulator's Stream server, beside the HTTP kinds' figures).
import { request, Agent } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildDingTalkCallback, buildWeComCallback } from '../../emulator/callbackSender';
import { callbackToItem, describeCallback, readCallbackPayload } from '../../../nodes/WeCom/events';
import { ApiEmulator } from '../../emulator';
import type { DingTalkStreamServer } from '../../emulator/dingtalk/streamServer';
import { DINGTALK_SEED } from '../../emulator/dingtalk/seed';
import { WECOM_SEED } from '../../emulator/wecom/seed';
import { DINGTALK_CREDENTIAL, importDingTalk } from '../../e2e/dingtalk';
import {
	importRouteWorkflows,
	installFloorPackage,
	processFigures,
	routeWorkflow,
	waitForWebhooks,
	type RouteKind,
	type RouteWorkflow,
} from '../../e2e/callbackWorkflows';
import { importAndPublishWorkflows, importCredential } from '../../e2e/instance';
import {
	buildPackage,
	freePort,
	PACKAGE_NAME,
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
const CPU_ONLY = process.argv.includes('--cpu-only');
const STREAM_EVENTS = option('stream', 0);
function textOption(name: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 ? process.argv[i + 1] : undefined;
}
const ENGINE = textOption('engine');
const PROFILE_DIR = textOption('profile');
const ALL_KINDS: RouteKind[] = [
	'floor',
	'floorCredential',
	'floorItem',
	'webhook',
	'wecom',
	'dingtalk',
];
const KINDS: RouteKind[] =
	(textOption('kinds')?.split(',') as RouteKind[] | undefined) ?? ALL_KINDS;
for (const kind of KINDS) {
	if (!ALL_KINDS.includes(kind))
		throw new Error(`--kinds: unknown kind ${kind} (${ALL_KINDS.join(', ')})`);
}

/** The HTTP kinds, and 'stream': a published DingTalk Trigger in Stream mode (--stream N). */
type Kind = RouteKind | 'stream';
const MEASURED: Kind[] = STREAM_EVENTS > 0 ? [...KINDS, 'stream'] : KINDS;

function zeros(): Record<Kind, number> {
	return Object.fromEntries(MEASURED.map((k) => [k, 0])) as Record<Kind, number>;
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

/** The item the WeCom Trigger makes of the benchmark's callback (for the floor that emits it: 'floorItem'). */
function weComItemJson(): string {
	const xml =
		`<xml><ToUserName><![CDATA[${WECOM_SEED.corpId}]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName>` +
		`<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
		`<Content><![CDATA[审批通知 approval notice 0123456789]]></Content><MsgId>${msgId}</MsgId><AgentID>1000002</AgentID></xml>`;
	const payload = readCallbackPayload(xml);
	return JSON.stringify(callbackToItem(payload, describeCallback(payload.fields)));
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

/** Whether any thread of the process is running or waiting for a core (state R in /proc/PID/task/TID/stat). */
function runnable(pid: number): boolean {
	try {
		return readdirSync(`/proc/${pid}/task`).some((tid) => {
			const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
			return stat.charAt(stat.lastIndexOf(')') + 2) === 'R';
		});
	} catch {
		return false;
	}
}

/**
 * Waits until n8n's main process has been idle for a moment (executions finished, isolates rebuilt). Idle means no
 * CPU used AND no thread runnable: on a loaded machine a process waiting for a core uses no CPU either, and work
 * still queued would be counted to the next kind.
 */
async function quiet(pid: number): Promise<void> {
	let last = processFigures(pid).cpuMs;
	let calm = 0;
	const deadline = Date.now() + 15000;
	while (calm < 3 && Date.now() < deadline) {
		await sleep(100);
		const now = processFigures(pid).cpuMs;
		calm = now - last <= 10 && !runnable(pid) ? calm + 1 : 0;
		last = now;
	}
}

/** Waits for the Stream workflow's connection to the emulator's Stream server. */
async function streamConnected(stream: DingTalkStreamServer): Promise<void> {
	const deadline = Date.now() + 120_000;
	while (!stream.openConnections().some((c) => c.state === 'open')) {
		if (Date.now() > deadline) throw new Error('the Stream workflow did not connect within 120 s');
		await sleep(100);
	}
}

/**
 * Publishes `count` DingTalk events (user_modify_org, a fresh eventId each) on the emulator's Stream server, at most
 * `concurrency` unacknowledged at a time, and waits for each acknowledgement (sent once n8n recorded the execution).
 */
async function streamLoad(
	stream: DingTalkStreamServer,
	count: number,
	concurrency: number,
): Promise<Load> {
	const started = Date.now();
	const waiting = new Set<string>();
	let scanned = stream.acks.length;
	let published = 0;
	let answered = 0;
	const failed: string[] = [];
	let bodyBytes = 0;
	const deadline = Date.now() + 120_000;
	while (answered + failed.length < count) {
		while (published < count && waiting.size < concurrency) {
			eventSeq += 1;
			const data = {
				eventId: `bench-stream-${eventSeq}`,
				CorpId: DINGTALK_SEED.corpId,
				TimeStamp: '1700000000000',
				UserId: ['dev001'],
			};
			bodyBytes = Buffer.byteLength(JSON.stringify(data));
			waiting.add(
				stream.publishEvent({ eventType: 'user_modify_org', data, eventId: data.eventId }),
			);
			published++;
		}
		await sleep(2);
		for (; scanned < stream.acks.length; scanned++) {
			const ack = stream.acks[scanned];
			if (ack.key === undefined || !waiting.has(ack.key)) continue;
			waiting.delete(ack.key);
			if ((ack.data as { status?: string } | undefined)?.status === 'SUCCESS') answered++;
			else failed.push(`ack ${JSON.stringify(ack.data)}`);
		}
		if (Date.now() > deadline) {
			failed.push(`${waiting.size} events unacknowledged after 120 s`);
			break;
		}
	}
	return { answered, failed, seconds: (Date.now() - started) / 1000, bodyBytes };
}

// --- n8n ---------------------------------------------------------------------------------------------

interface Setup {
	toolchain: Toolchain;
	config: N8nConfig;
	routes: Record<RouteKind, RouteWorkflow>;
	/** The emulator whose Stream server feeds the Stream workflow (--stream). */
	emulator?: ApiEmulator;
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

function ensureAll(kind: Kind, result: Load, count: number): void {
	if (result.answered !== count) {
		const sample = [...new Set(result.failed)].slice(0, 3).join('; ');
		throw new Error(`${kind}: ${result.answered}/${count} callbacks answered 200 (${sample})`);
	}
}

interface CpuFigures {
	/** Over all rounds together. */
	cpuMsPerCallback: Record<Kind, number>;
	perSecond: Record<Kind, number>;
	/** Each round's CPU per callback, per kind (rounds in order). */
	rounds: Array<Record<Kind, number>>;
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
	const perRound: Array<Record<Kind, number>> = [];
	const windows: Array<{ kind: Kind; from: number; to: number; callbacks: number }> = [];
	const send = async (kind: Kind, count: number): Promise<Load> =>
		kind === 'stream'
			? await streamLoad(setup.emulator!.dingtalkStream, count, CONCURRENCY)
			: await load(kind, setup.routes[kind].url(n8n.baseUrl), count, CONCURRENCY);
	try {
		if (MEASURED.includes('stream')) await streamConnected(setup.emulator!.dingtalkStream);
		for (const kind of MEASURED) ensureAll(kind, await send(kind, 20), 20);
		await quiet(pid);
		for (let round = 0; round < rounds; round++) {
			// Interleaved, and in a different order each round.
			const order = MEASURED.map((_, i) => MEASURED[(i + round) % MEASURED.length]);
			const figures = zeros();
			for (const kind of order) {
				const before = processFigures(pid).cpuMs;
				const from = monotonicMicros();
				const result = await send(kind, callbacks);
				ensureAll(kind, result, callbacks);
				await quiet(pid);
				windows.push({ kind, from, to: monotonicMicros(), callbacks });
				const used = processFigures(pid).cpuMs - before;
				cpu[kind] += used;
				time[kind] += result.seconds;
				figures[kind] = used / callbacks;
			}
			perRound.push(figures);
			say(
				`  round ${round + 1}/${rounds}: ${MEASURED.map((k) => `${k} ${figures[k].toFixed(2)}`).join(', ')} ms CPU/callback; load ${loadAverage()}`,
			);
		}
	} finally {
		await n8n.stop();
		if (PROFILE_DIR) {
			// The profile's timestamps are CLOCK_MONOTONIC microseconds, as these: a profile's samples split by kind.
			writeFileSync(join(PROFILE_DIR, 'windows.json'), JSON.stringify(windows, null, 1));
		}
	}
	const total = rounds * callbacks;
	const per = (values: Record<Kind, number>, f: (v: number) => number) =>
		Object.fromEntries(MEASURED.map((k) => [k, f(values[k])])) as Record<Kind, number>;
	return {
		cpuMsPerCallback: per(cpu, (v) => v / total),
		perSecond: per(time, (v) => total / v),
		rounds: perRound,
	};
}

/** CLOCK_MONOTONIC in microseconds (the clock of V8's CPU profiles). */
function monotonicMicros(): number {
	return Number(process.hrtime.bigint() / 1000n);
}

/** The 1-minute load average of the machine (other engineers' runs share its cores). */
function loadAverage(): string {
	return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
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

const LABEL: Record<Kind, string> = {
	stream: 'DingTalk Trigger (Stream)',
	floor: 'floor (empty community trigger)',
	floorCredential: 'floor with a credential',
	floorItem: 'floor with a credential, WeCom item',
	webhook: "n8n's Webhook node",
	wecom: 'WeCom Trigger',
	dingtalk: 'DingTalk Trigger (HTTP)',
};

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** min / median / max of per-round figures. */
function spread(values: number[], digits = 2): string {
	const fixed = (v: number) => v.toFixed(digits);
	return `${fixed(Math.min(...values))} / ${fixed(median(values))} / ${fixed(Math.max(...values))}`;
}

function cpuTable(title: string, figures: CpuFigures): void {
	const rounds = figures.rounds;
	say(`\n${title} (${rounds.length} rounds × ${CALLBACKS} per kind, concurrency ${CONCURRENCY})`);
	say(`  ${''.padEnd(34)} ms CPU/callback, all rounds   per round min / median / max   answered/s`);
	for (const kind of MEASURED) {
		say(
			`  ${LABEL[kind].padEnd(34)} ${figures.cpuMsPerCallback[kind].toFixed(2).padStart(8)}${''.padEnd(20)}${spread(rounds.map((r) => r[kind])).padStart(22)}   ${figures.perSecond[kind].toFixed(1).padStart(6)}`,
		);
	}
	const base: RouteKind | undefined = KINDS.includes('floorCredential')
		? 'floorCredential'
		: KINDS.includes('floor')
			? 'floor'
			: undefined;
	if (base === undefined) return;
	say(`  against ${LABEL[base]}, per round (min / median / max):`);
	for (const kind of MEASURED) {
		if (kind === base) continue;
		const difference = rounds.map((r) => r[kind] - r[base]);
		const ratio = rounds.map((r) => r[kind] / r[base]);
		say(
			`  ${LABEL[kind].padEnd(34)} ${spread(difference).padStart(24)} ms more   ${spread(ratio).padStart(20)} ×   (all rounds: ${(figures.cpuMsPerCallback[kind] - figures.cpuMsPerCallback[base]).toFixed(2)} ms, ${(figures.cpuMsPerCallback[kind] / figures.cpuMsPerCallback[base]).toFixed(2)}×)`,
		);
	}
}

const STREAM_WORKFLOW_ID = 'benchDingTalkStr';

/** DingTalk Trigger (Stream mode) → NoOp, imported and published (n8n not running). */
async function importStreamWorkflow(toolchain: Toolchain, config: N8nConfig): Promise<void> {
	const dir = mkdtempSync(join(config.userFolder, 'stream-workflow-'));
	const workflow = {
		id: STREAM_WORKFLOW_ID,
		name: 'bench: DingTalk Trigger (Stream) → NoOp',
		nodes: [
			{
				id: 'b3a1c2d4-0000-4000-8000-000000000010',
				name: 'Trigger',
				type: `${PACKAGE_NAME}.dingTalkTrigger`,
				typeVersion: 1,
				position: [0, 0],
				webhookId: 'b3a1c2d4-0000-4000-8000-000000000001',
				parameters: { connectionMode: 'stream', events: ['*'], options: { binaryData: true } },
				credentials: {
					dingTalkApi: { id: DINGTALK_CREDENTIAL.id, name: DINGTALK_CREDENTIAL.name },
				},
			},
			{
				id: 'b3a1c2d4-0000-4000-8000-000000000020',
				name: 'NoOp',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [250, 0],
				parameters: {},
			},
		],
		connections: { Trigger: { main: [[{ node: 'NoOp', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		pinData: {},
		active: false,
		tags: [],
	};
	writeFileSync(join(dir, `${STREAM_WORKFLOW_ID}.json`), JSON.stringify(workflow, null, 2));
	await importAndPublishWorkflows(toolchain, config, dir, [STREAM_WORKFLOW_ID], () => undefined);
}

async function main(): Promise<void> {
	say(
		`bench:n8n — ${CALLBACKS} callbacks × ${ROUNDS} rounds per kind (${KINDS.join(', ')}), concurrency ${CONCURRENCY}, expression engine ${ENGINE ?? 'vm (default)'}${CPU_ONLY ? '' : `; RSS after ${RSS_CALLBACKS}`}`,
	);
	say(`${new Date().toISOString()}, ${cpus().length} cores, load average ${loadAverage()}`);
	step('provisioning Node 24 and n8n');
	const toolchain = await provision(() => undefined);
	const folder = mkdtempSync(join(tmpdir(), 'n8n-wecom-bench-'));
	const routes = Object.fromEntries(
		KINDS.map((k) => [k, routeWorkflow(k, k === 'floorItem' ? weComItemJson() : undefined)]),
	) as Record<RouteKind, RouteWorkflow>;
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
		if (STREAM_EVENTS > 0) {
			// Stream mode needs DingTalk: the emulator's Stream server (and its token endpoint) in this process.
			setup.emulator = await ApiEmulator.start({ port: 0, plugins: ['dingtalk'] });
		}
		await importDingTalk(
			toolchain,
			setup.config,
			setup.emulator?.baseUrl ?? 'http://127.0.0.1:9',
			folder,
			() => undefined,
			{ workflow: false },
		);
		await importRouteWorkflows(toolchain, setup.config, Object.values(routes), () => undefined);
		if (setup.emulator) await importStreamWorkflow(toolchain, setup.config);

		const engineEnv: NodeJS.ProcessEnv = ENGINE ? { N8N_EXPRESSION_ENGINE: ENGINE } : {};
		const cpuTitle = ENGINE ? `CPU, N8N_EXPRESSION_ENGINE=${ENGINE}` : 'CPU, default settings';
		step(`${cpuTitle}${ENGINE ? '' : ' (expression engine vm, pool size 1)'}`);
		const profileEnv: NodeJS.ProcessEnv = PROFILE_DIR
			? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${PROFILE_DIR}` }
			: {};
		const cpu = await measureCpu(setup, { ...engineEnv, ...profileEnv }, ROUNDS, CALLBACKS);
		let isolates: Record<RouteKind, number> | undefined;
		if (!CPU_ONLY) {
			step('isolates per callback (N8N_LOG_LEVEL=debug)');
			isolates = await countIsolates(setup, 30);
		}
		let rss: Record<RouteKind, number> | undefined;
		if (RSS_CALLBACKS > 0 && !CPU_ONLY) {
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
		cpuTable(cpuTitle, cpu);
		if (isolates) {
			say('\nExpression isolates built per callback (webhook phase, credentials and execution)');
			for (const kind of KINDS) say(`  ${LABEL[kind].padEnd(34)} ${isolates[kind].toFixed(2)}`);
		}
		if (rss) {
			say(`\nRSS of n8n's main process after ${RSS_CALLBACKS} callbacks (fresh n8n each)`);
			for (const kind of KINDS) say(`  ${LABEL[kind].padEnd(34)} ${mib(rss[kind]).padStart(9)}`);
			if (rss.webhook) {
				say(`  WeCom / Webhook node ${(rss.wecom / rss.webhook).toFixed(2)}×`);
				say(`  DingTalk / Webhook node ${(rss.dingtalk / rss.webhook).toFixed(2)}×`);
			}
		}
		for (const [name, figures] of settings) cpuTable(`CPU with ${name}`, figures);
	} catch (error) {
		kept = true;
		say(`bench:n8n failed: ${(error as Error).message}\n  n8n folder kept at ${folder}`);
		process.exitCode = 1;
	} finally {
		await setup.emulator?.stop();
		if (!kept && process.env.BENCH_KEEP !== '1') rmSync(folder, { recursive: true, force: true });
	}
	say(`load average at the end ${loadAverage()}`);
	step('done');
}

void main();
