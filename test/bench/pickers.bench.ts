/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node, never inside n8n */
// The user and department pickers of the WeCom node against an emulated corp of 10,000 members (110 more
// departments), through n8n-core's LoadOptionsContext as the editor calls them. Per picker: time to the first page
// (a cold open, then opens within the cache's lifetime), a search, the size of what goes to the browser, and the
// heap the node keeps. Run: npx ts-node --transpile-only --prefer-ts-exts test/bench/pickers.bench.ts [members=10000]
// Prints figures only; nothing here is asserted.
/* eslint-disable no-console, @n8n/community-nodes/no-restricted-globals -- a Node script run by hand, not shipped */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type {
	INode,
	INodeListSearchResult,
	INodePropertyOptions,
	INodeType,
	IWorkflowBase,
} from 'n8n-workflow';

import { WeComApi } from '../../credentials/WeComApi.credentials';
import { WeCom } from '../../nodes/WeCom/WeCom.node';
import { ApiEmulator } from '../emulator';
import { seedLargeOrg } from '../emulator/wecom/largeOrg';
import { WECOM_SEED } from '../emulator/wecom/seed';

const MEMBERS = Number(process.argv[2] ?? 10000);

function gc(): void {
	(globalThis as { gc?: () => void }).gc?.();
}

function heapMiB(): number {
	gc();
	return process.memoryUsage().heapUsed / 1024 / 1024;
}

async function main(): Promise<void> {
	process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-wecom-bench-'));
	const { ExecutionLifecycleHooks, LoadOptionsContext } = await import('n8n-core');
	const { Harness } = await import('../harness');
	const emulator = await ApiEmulator.start({ plugins: ['wecom'] });
	const org = seedLargeOrg(emulator.wecom, { members: MEMBERS });
	const harness = new Harness({ nodeTypes: [new WeCom()], credentialTypes: [new WeComApi()] });
	const credential = harness.credentials.add('weComApi', {
		corpId: WECOM_SEED.corpId,
		agentId: String(WECOM_SEED.agentId),
		secret: WECOM_SEED.secret,
		baseUrl: emulator.baseUrl,
		accessToken: '',
	}) as { id: string; name: string };
	const workflowData = {
		id: 'bench',
		name: 'bench',
		active: false,
		nodes: [],
		connections: {},
		settings: {},
	} as unknown as IWorkflowBase;
	const context = (path: string) => {
		const node: INode = {
			id: 'bench-node',
			name: 'WeCom',
			type: harness.type('weCom'),
			typeVersion: 1,
			position: [0, 0],
			parameters: { resource: 'message', operation: 'send' },
			credentials: { weComApi: credential },
		};
		const workflow = harness.workflow([node]);
		const hooks = new ExecutionLifecycleHooks('internal', 'bench', workflowData);
		const additionalData = harness.additionalData(hooks, {
			currentNodeParameters: node.parameters,
		});
		const nodeType = harness.nodeTypes.getByNameAndVersion(node.type, 1) as INodeType;
		return { ctx: new LoadOptionsContext(workflow, node, additionalData, path), nodeType };
	};
	const users = emulator.wecom.users.filter((u) => u.status !== 5).length;
	console.log(
		`emulated corp: ${users} members, ${emulator.wecom.departments.length} departments (+${org.members} / +${org.departments} seeded on demand)`,
	);

	type Call = () => Promise<unknown>;
	const { ctx, nodeType } = context('parameters.toUsers');
	const methods = nodeType.methods!;
	const listSearch =
		(name: string, filter?: string, token?: string): Call =>
		async () =>
			(await methods.listSearch![name].call(ctx, filter, token)) as INodeListSearchResult;
	const loadOptions =
		(name: string): Call =>
		async () =>
			(await methods.loadOptions![name].call(ctx)) as INodePropertyOptions[];

	const measure = async (label: string, call: Call) => {
		const calls = 0;
		emulator.calls.length = 0;
		const start = process.hrtime.bigint();
		const result = await call();
		const ms = Number(process.hrtime.bigint() - start) / 1e6;
		const entries = Array.isArray(result)
			? result.length
			: ((result as INodeListSearchResult).results?.length ?? 0);
		const bytes = Buffer.byteLength(JSON.stringify(result));
		const apiCalls = emulator.callsTo(/^\/cgi-bin\/(user|department)\//).length - calls;
		// The emulator keeps every answer it gave; forget them so the heap figure is the node's.
		emulator.calls.length = 0;
		console.log(
			`  ${label.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms  ${String(entries).padStart(6)} entries  ${(bytes / 1024).toFixed(1).padStart(8)} KiB to the browser  ${apiCalls} WeCom calls`,
		);
	};

	// The token first, so that no figure below includes gettoken.
	await listSearch('searchTags')();
	const heapBefore = heapMiB();
	console.log('user picker (listSearch searchUsers, From List / search):');
	await measure('first page, cold (first open)', listSearch('searchUsers'));
	await measure('first page, second open', listSearch('searchUsers'));
	await measure('next page', listSearch('searchUsers', undefined, '200'));
	await measure('search "王"', listSearch('searchUsers', '王'));
	await measure('search "u0999" (a userid)', listSearch('searchUsers', 'u0999'));
	console.log('department picker (listSearch searchDepartments):');
	await measure('first page', listSearch('searchDepartments'));
	await measure('search "第3组"', listSearch('searchDepartments', '第3组'));
	console.log('option lists (loadOptions, every entry at once; pickers of other fields):');
	await measure('getUsers', loadOptions('getUsers'));
	await measure('getUsers, again', loadOptions('getUsers'));
	await measure('getDepartments', loadOptions('getDepartments'));
	const heapAfter = heapMiB();
	console.log(
		`heap kept by the node after these opens: ${(heapAfter - heapBefore).toFixed(1)} MiB${
			(globalThis as { gc?: unknown }).gc ? '' : ' (run with --expose-gc for a settled figure)'
		}; RSS ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB`,
	);
	await emulator.stop();
}

main().then(
	() => process.exit(0),
	(error: Error) => {
		console.error(error);
		process.exit(1);
	},
);
