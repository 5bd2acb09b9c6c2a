/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// Workflows the real-n8n checks of the callback path use besides the examples (the e2e suite and
// `npm run bench:n8n`): the WeCom Trigger → NoOp, the DingTalk Trigger (HTTP mode) → NoOp, n8n's own
// Webhook node → NoOp, and the floors — an empty community webhook trigger (a fixture package under
// test/bench/n8n/floor) → NoOp, and an empty one that has a credential (the WeCom credential, never read) and the
// raw-body option, as the two triggers have → NoOp.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { DINGTALK_CREDENTIAL } from './dingtalk';
import { CREDENTIAL, importAndPublishWorkflows, TRIGGER_PATH } from './instance';
import { REPO_ROOT, waitFor, type Log, type N8nConfig, type Toolchain } from './n8nHost';

export const FLOOR_PACKAGE_DIR = join(REPO_ROOT, 'test', 'bench', 'n8n', 'floor');
const FLOOR_PACKAGE = 'n8n-nodes-bench-floor';

export type RouteKind =
	| 'wecom'
	| 'dingtalk'
	| 'webhook'
	| 'floor'
	| 'floorCredential'
	| 'floorItem';

export interface RouteWorkflow {
	kind: RouteKind;
	id: string;
	name: string;
	/** The production URL of its trigger. */
	url(n8nBaseUrl: string): string;
	json: object;
}

const ROUTES: Record<
	RouteKind,
	{ id: string; name: string; webhookId: string; trigger: object; path: (w: string) => string }
> = {
	wecom: {
		id: 'routeWeComNoOp01',
		name: 'route: WeCom Trigger → NoOp',
		webhookId: 'c0f5e1d2-5a43-4d0e-9d4b-0c2a1e7b9a01',
		trigger: {
			type: 'n8n-nodes-wecom-dingtalk.weComTrigger',
			typeVersion: 1,
			// As the editor saves a new node: the Options collection's default with the raw-body flag.
			parameters: { events: ['*'], options: { binaryData: true } },
			credentials: { weComApi: { id: CREDENTIAL.id, name: CREDENTIAL.name } },
		},
		path: (webhookId) => `${webhookId}/${TRIGGER_PATH}`,
	},
	dingtalk: {
		id: 'routeDingTalkNoOp',
		name: 'route: DingTalk Trigger (HTTP) → NoOp',
		webhookId: 'c0f5e1d2-5a43-4d0e-9d4b-0c2a1e7b9a04',
		trigger: {
			type: 'n8n-nodes-wecom-dingtalk.dingTalkTrigger',
			typeVersion: 1,
			parameters: { connectionMode: 'http', events: ['*'], options: { binaryData: true } },
			credentials: { dingTalkApi: { id: DINGTALK_CREDENTIAL.id, name: DINGTALK_CREDENTIAL.name } },
		},
		path: (webhookId) => `${webhookId}/${TRIGGER_PATH}`,
	},
	webhook: {
		id: 'routeWebhookNoOp',
		name: "route: n8n's Webhook node → NoOp",
		webhookId: 'c0f5e1d2-5a43-4d0e-9d4b-0c2a1e7b9a02',
		trigger: {
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2.1,
			parameters: { httpMethod: 'POST', path: 'route-webhook', options: {} },
		},
		path: () => 'route-webhook',
	},
	floor: {
		id: 'routeFloorNoOp01',
		name: 'route: empty community trigger → NoOp',
		webhookId: 'c0f5e1d2-5a43-4d0e-9d4b-0c2a1e7b9a03',
		trigger: {
			type: `${FLOOR_PACKAGE}.benchFloorTrigger`,
			typeVersion: 1,
			parameters: {},
		},
		path: (webhookId) => `${webhookId}/floor`,
	},
	floorCredential: {
		id: 'routeFloorCred01',
		name: 'route: empty community trigger with a credential → NoOp',
		webhookId: 'c0f5e1d2-5a43-4d0e-9d4b-0c2a1e7b9a05',
		trigger: {
			type: `${FLOOR_PACKAGE}.benchFloorCredentialTrigger`,
			typeVersion: 1,
			parameters: { options: { binaryData: true } },
			credentials: { weComApi: { id: CREDENTIAL.id, name: CREDENTIAL.name } },
		},
		path: (webhookId) => `${webhookId}/floor-credential`,
	},
	// The floor with a credential emitting the item the WeCom Trigger makes of the benchmark's callback (set by
	// routeWorkflow's caller through FLOOR_ITEM_JSON): what storing a real item costs n8n.
	floorItem: {
		id: 'routeFloorItem01',
		name: 'route: empty trigger with a credential and a WeCom item → NoOp',
		webhookId: 'c0f5e1d2-5a43-4d0e-9d4b-0c2a1e7b9a06',
		trigger: {
			type: `${FLOOR_PACKAGE}.benchFloorCredentialTrigger`,
			typeVersion: 1,
			parameters: { options: { binaryData: true } },
			credentials: { weComApi: { id: CREDENTIAL.id, name: CREDENTIAL.name } },
		},
		path: (webhookId) => `${webhookId}/floor-credential`,
	},
};

export function routeWorkflow(kind: RouteKind, itemJson?: string): RouteWorkflow {
	const declared = ROUTES[kind];
	const route =
		itemJson === undefined
			? declared
			: {
					...declared,
					trigger: {
						...declared.trigger,
						parameters: {
							...(declared.trigger as { parameters: object }).parameters,
							itemJson,
						},
					},
				};
	const json = {
		id: route.id,
		name: route.name,
		nodes: [
			{
				id: `${route.webhookId.slice(0, -2)}10`,
				name: 'Trigger',
				position: [0, 0],
				webhookId: route.webhookId,
				...route.trigger,
			},
			{
				id: `${route.webhookId.slice(0, -2)}20`,
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
	return {
		kind,
		id: route.id,
		name: route.name,
		url: (base) => `${base}/webhook/${route.path(route.webhookId)}`,
		json,
	};
}

/** The floor trigger's package, where n8n looks for community packages. */
export function installFloorPackage(userFolder: string): void {
	const target = join(userFolder, '.n8n', 'nodes', 'node_modules', FLOOR_PACKAGE);
	rmSync(target, { recursive: true, force: true });
	mkdirSync(target, { recursive: true });
	cpSync(FLOOR_PACKAGE_DIR, target, { recursive: true });
}

/** Imports and publishes these workflows (n8n not running). */
export async function importRouteWorkflows(
	toolchain: Toolchain,
	config: N8nConfig,
	workflows: RouteWorkflow[],
	log: Log,
): Promise<void> {
	const dir = mkdtempSync(join(config.userFolder, 'route-workflows-'));
	for (const workflow of workflows) {
		writeFileSync(join(dir, `${workflow.id}.json`), JSON.stringify(workflow.json, null, 2));
	}
	await importAndPublishWorkflows(
		toolchain,
		config,
		dir,
		workflows.map((w) => w.id),
		log,
	);
}

/**
 * Waits until n8n serves these trigger URLs: readiness comes before the published workflows' webhooks
 * are registered, and a GET to one that is not registered yet is a 404 naming no method.
 */
export async function waitForWebhooks(urls: string[]): Promise<void> {
	await waitFor(
		'the trigger webhooks to be registered',
		async () => {
			for (const url of urls) {
				const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
				const text = await res.text();
				if (res.status === 404 && !/not registered for GET/.test(text)) return undefined;
			}
			return true;
		},
		{ timeoutMs: 90000, intervalMs: 250 },
	);
}

/** The process's resident memory and CPU time so far (Linux /proc), for n8n's main process. */
export function processFigures(pid: number): { rssBytes: number; cpuMs: number } {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
	// Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	const ticks = Number(fields[11]) + Number(fields[12]);
	return { rssBytes: rssKb * 1024, cpuMs: (ticks * 1000) / CLOCK_TICKS };
}

/** USER_HZ: 100 on every Linux this runs on (the kernel's ABI value, independent of CONFIG_HZ). */
const CLOCK_TICKS = 100;
