/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// DingTalk pickers (searchUsers, searchDepartments) against an emulated organisation of N members: time to the first
// page, calls, results, token size and heap (peak while a page is built, and what stays after), through n8n-core's
// LoadOptionsContext as the editor's picker calls them.
// Run: npm run bench -- pickers   or   npx ts-node --transpile-only --prefer-ts-exts test/bench/pickers.bench.ts [N=10000]
// The emulator runs in a worker thread: its heap (and its record of every call) is not the picker's.
// Prints figures only; nothing here is asserted.
/* eslint-disable no-console, @n8n/community-nodes/no-restricted-globals -- a Node script run by hand, not shipped */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';

import type { INode, INodeListSearchResult } from 'n8n-workflow';

import { DingTalkApi } from '../../credentials/DingTalkApi.credentials';
import { DingTalk } from '../../nodes/DingTalk/DingTalk.node';
import { dingTalkCredentialData } from '../emulator/dingtalk/credential';
import type { Fault } from '../emulator/types';

const N = Number(process.argv[2] ?? 10000);

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

/** The emulator with a large organisation, in a worker; answers {calls} (API calls since the last ask) and faults. */
function startEmulator(members: number) {
	const root = join(__dirname, '..', '..');
	const worker = new Worker(
		`
		const { parentPort, workerData } = require('node:worker_threads');
		require('ts-node').register({ transpileOnly: true, preferTsExts: true, project: workerData.project });
		const { ApiEmulator } = require(workerData.emulator);
		const { seedLargeOrg } = require(workerData.largeOrg);
		ApiEmulator.start({ plugins: ['dingtalk'] }).then((emulator) => {
			seedLargeOrg(emulator.dingtalk, workerData.members);
			parentPort.on('message', (message) => {
				if (message.fault) emulator.injectFault(message.fault);
				if (message.clearFaults) emulator.clearFaults();
				const calls = emulator.calls.filter((c) => !/accessToken|gettoken/.test(c.path)).length;
				emulator.calls.length = 0;
				if (message.stop) emulator.stop().then(() => parentPort.postMessage({ calls, stopped: true }));
				else parentPort.postMessage({ calls });
			});
			parentPort.postMessage({ baseUrl: emulator.baseUrl });
		});
		`,
		{
			eval: true,
			workerData: {
				members,
				project: join(root, 'tsconfig.json'),
				emulator: join(root, 'test', 'emulator', 'index.ts'),
				largeOrg: join(root, 'test', 'emulator', 'dingtalk', 'largeOrg.ts'),
			},
		},
	);
	const ask = async (message: object) =>
		await new Promise<{ calls: number; baseUrl?: string }>((resolve) => {
			worker.once('message', resolve);
			worker.postMessage(message);
		});
	const ready = new Promise<string>((resolve, reject) => {
		worker.once('message', (m: { baseUrl: string }) => resolve(m.baseUrl));
		worker.once('error', reject);
	});
	return { ready, ask, worker };
}

interface Figures {
	ms: number;
	calls: number;
	results: number;
	tokenBytes: number;
	peakHeapMiB: number;
	retainedMiB: number;
}

const MiB = 1024 * 1024;

async function measure(
	emulator: ReturnType<typeof startEmulator>,
	page: () => Promise<INodeListSearchResult>,
): Promise<Figures & { result: INodeListSearchResult }> {
	await emulator.ask({});
	gc();
	const base = process.memoryUsage().heapUsed;
	let peak = base;
	const sampler = setInterval(() => {
		peak = Math.max(peak, process.memoryUsage().heapUsed);
	}, 2);
	const started = process.hrtime.bigint();
	const result = await page();
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	clearInterval(sampler);
	peak = Math.max(peak, process.memoryUsage().heapUsed);
	const { calls } = await emulator.ask({});
	gc();
	const retained = process.memoryUsage().heapUsed - base;
	return {
		result,
		ms,
		calls,
		results: result.results.length,
		tokenBytes: result.paginationToken?.length ?? 0,
		peakHeapMiB: (peak - base) / MiB,
		retainedMiB: Math.max(0, retained) / MiB,
	};
}

function line(name: string, f: Figures, extra = ''): void {
	console.log(
		`  ${name.padEnd(58)} ${f.ms.toFixed(0).padStart(6)} ms ${String(f.calls).padStart(5)} calls ${String(f.results).padStart(6)} results  token ${String(f.tokenBytes).padStart(6)} B  heap peak +${f.peakHeapMiB.toFixed(1)} MiB, kept +${f.retainedMiB.toFixed(1)} MiB${extra}`,
	);
}

async function main(): Promise<void> {
	process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-dingtalk-bench-'));
	const { Harness, runListSearch } = await import('../harness');

	const emulator = startEmulator(N);
	const baseUrl = await emulator.ready;
	const harness = new Harness({
		nodeTypes: [new DingTalk()],
		credentialTypes: [new DingTalkApi()],
	});
	const credential = harness.credentials.add('dingTalkApi', {
		...dingTalkCredentialData(baseUrl),
		accessToken: '',
	}) as { id: string; name: string };

	const node: INode = {
		id: 'bench-node',
		name: 'DingTalk',
		type: harness.type('dingTalk'),
		typeVersion: 1,
		position: [0, 0],
		parameters: {
			resource: 'user',
			operation: 'get',
			userId: { __rl: true, mode: 'list', value: '' },
		},
		credentials: { dingTalkApi: credential },
	};
	const search = (method: string, filter?: string, token?: string) => async () =>
		await runListSearch(harness, node, 'parameters.userId', method, filter, token);

	/** Every page of a search; figures of the whole and of the slowest page. */
	const allPages = async (name: string, method: string, filter?: string) => {
		let token: string | undefined;
		const total = { ms: 0, calls: 0, results: 0, tokenBytes: 0, peakHeapMiB: 0, retainedMiB: 0 };
		let pages = 0;
		let slowest = 0;
		do {
			const f = await measure(emulator, search(method, filter, token));
			pages++;
			total.ms += f.ms;
			total.calls += f.calls;
			total.results += f.results;
			total.tokenBytes = Math.max(total.tokenBytes, f.tokenBytes);
			total.peakHeapMiB = Math.max(total.peakHeapMiB, f.peakHeapMiB);
			total.retainedMiB = Math.max(total.retainedMiB, f.retainedMiB);
			slowest = Math.max(slowest, f.ms);
			token = f.result.paginationToken;
		} while (token);
		line(name, total, `   (${pages} pages, slowest ${slowest.toFixed(0)} ms, token = largest)`);
	};

	// Warm-up: the first token, JIT.
	await measure(emulator, search('searchDepartments'));

	console.log(
		`DingTalk pickers against an emulated organisation of ${N} members (+7 seed), one call at a time`,
	);
	console.log('searchUsers');
	const first = await measure(emulator, search('searchUsers'));
	line('browse: first page', first);
	line(
		'browse: second page',
		await measure(emulator, search('searchUsers', undefined, first.result.paginationToken)),
	);
	await allPages('browse: every page (the whole organisation)', 'searchUsers');
	line(
		'filter "欧阳深藏" (DingTalk search, member in the last team)',
		await measure(emulator, search('searchUsers', '欧阳深藏')),
	);
	line(
		'filter "王" (DingTalk search): first page',
		await measure(emulator, search('searchUsers', '王')),
	);
	line(
		'filter "13800004321" (mobile: getbymobile)',
		await measure(emulator, search('searchUsers', '13800004321')),
	);
	line(
		'filter "staff04321" (userid: user/get)',
		await measure(emulator, search('searchUsers', 'staff04321')),
	);
	const deny: Fault = {
		kind: 'http',
		status: 403,
		path: '/v1.0/contact/users/search',
		times: 100000,
		body: JSON.stringify({
			code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied',
			message: 'denied',
		}),
	};
	await emulator.ask({ fault: deny });
	line(
		'search refused, filter "欧阳深藏": first page (walk)',
		await measure(emulator, search('searchUsers', '欧阳深藏')),
	);
	await allPages(
		'search refused, filter "欧阳深藏": until found (walk)',
		'searchUsers',
		'欧阳深藏',
	);
	await emulator.ask({ clearFaults: true });

	console.log('searchDepartments');
	line('browse: first page', await measure(emulator, search('searchDepartments')));
	await allPages('browse: every page', 'searchDepartments');
	line(
		'filter "组" (DingTalk search): first page',
		await measure(emulator, search('searchDepartments', '组')),
	);
	line(
		'filter "12010" (department ID)',
		await measure(emulator, search('searchDepartments', '12010')),
	);

	await emulator.ask({ stop: true });
	await emulator.worker.terminate();
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
