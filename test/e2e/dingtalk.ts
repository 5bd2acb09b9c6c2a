/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node, never inside n8n */
// The DingTalk part of the real-n8n suite and of the sandbox: a credential pointing at the emulator, a workflow
// (Webhook → DingTalk: Department Get Many) that answers with the DingTalk node's output, and the checks.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { DINGTALK_SEED, type ApiEmulator } from '../emulator';
import { EMULATOR_AI_CARD_TEMPLATE } from '../emulator/dingtalk/cards';
import { dingTalkCredentialData } from '../emulator/dingtalk/credential';
import { dingTalkTickets } from '../emulator/dingtalk/jsapi';
import {
	n8nCli,
	PACKAGE_NAME,
	StepError,
	waitFor,
	type Log,
	type N8nConfig,
	type N8nRest,
	type Toolchain,
} from './n8nHost';

/** The DingTalk credential of the sandbox and the suite (by id; the name is what the editor shows). */
export const DINGTALK_CREDENTIAL = {
	id: 'dingtalkSandboxCred',
	name: 'DingTalk (sandbox emulator)',
	type: 'dingTalkApi',
};

/** The suite's DingTalk workflow: GET /webhook/<path> answers the departments the DingTalk node listed. */
export const DINGTALK_WORKFLOW = {
	id: 'e2eDingTalkDepts',
	name: 'e2e: DingTalk departments over a webhook',
	path: 'e2e-dingtalk-departments',
};

/** n8n's placeholder for a secret the editor did not change: n8n puts the stored value back before a test. */
const UNCHANGED = '__n8n_BLANK_VALUE_e5362baf-c777-4d57-a609-6eaf1f9e87f6';

function departmentsWorkflow(): object {
	return {
		id: DINGTALK_WORKFLOW.id,
		name: DINGTALK_WORKFLOW.name,
		active: false,
		settings: { executionOrder: 'v1' },
		connections: { Webhook: { main: [[{ node: 'DingTalk', type: 'main', index: 0 }]] } },
		nodes: [
			{
				id: 'e2e-dt-webhook',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: 'b8f3f0de-5d7c-4a59-9d61-2f6c0d7a1e01',
				parameters: {
					httpMethod: 'GET',
					path: DINGTALK_WORKFLOW.path,
					responseMode: 'lastNode',
					responseData: 'allEntries',
					options: {},
				},
			},
			{
				id: 'e2e-dt-departments',
				name: 'DingTalk',
				type: `${PACKAGE_NAME}.dingTalk`,
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					resource: 'department',
					operation: 'getAll',
					parentId: { __rl: true, mode: 'id', value: '1' },
					recursive: true,
					returnAll: true,
				},
				credentials: {
					dingTalkApi: { id: DINGTALK_CREDENTIAL.id, name: DINGTALK_CREDENTIAL.name },
				},
			},
		],
	};
}

/**
 * "On Error: Continue (using error output)" in the real n8n: GET /webhook/<path>?id=<department> runs DingTalk
 * Department: Get, whose success output feeds "Found" and whose error output feeds "Failed".
 */
export const ERROR_OUTPUT_WORKFLOW = {
	id: 'e2eDingTalkErrOut',
	name: 'e2e: DingTalk error output',
	path: 'e2e-dingtalk-error-output',
};

function errorOutputWorkflow(): object {
	return {
		id: ERROR_OUTPUT_WORKFLOW.id,
		name: ERROR_OUTPUT_WORKFLOW.name,
		active: false,
		settings: { executionOrder: 'v1' },
		connections: {
			Webhook: { main: [[{ node: 'DingTalk', type: 'main', index: 0 }]] },
			DingTalk: {
				main: [
					[{ node: 'Found', type: 'main', index: 0 }],
					[{ node: 'Failed', type: 'main', index: 0 }],
				],
			},
		},
		nodes: [
			{
				id: 'e2e-eo-webhook',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: '5d0c1e2f-8a7b-4c3d-9e6f-1a2b3c4d5e6f',
				parameters: {
					httpMethod: 'GET',
					path: ERROR_OUTPUT_WORKFLOW.path,
					responseMode: 'onReceived',
					options: {},
				},
			},
			{
				id: 'e2e-eo-dingtalk',
				name: 'DingTalk',
				type: `${PACKAGE_NAME}.dingTalk`,
				typeVersion: 1,
				position: [220, 0],
				onError: 'continueErrorOutput',
				parameters: {
					resource: 'department',
					operation: 'get',
					departmentId: { __rl: true, mode: 'id', value: '={{ $json.query.id }}' },
				},
				credentials: {
					dingTalkApi: { id: DINGTALK_CREDENTIAL.id, name: DINGTALK_CREDENTIAL.name },
				},
			},
			{
				id: 'e2e-eo-found',
				name: 'Found',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [440, -100],
				parameters: {},
			},
			{
				id: 'e2e-eo-failed',
				name: 'Failed',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [440, 100],
				parameters: {},
			},
		],
	};
}

/** GET /webhook/<path>?url=<page> answers the DingTalk node's JSAPI signature for that page. */
export const JSAPI_WORKFLOW = {
	id: 'e2eDingTalkJsapi',
	name: 'e2e: DingTalk JSAPI signature over a webhook',
	path: 'e2e-dingtalk-jsapi',
};

function jsapiWorkflow(): object {
	return {
		id: JSAPI_WORKFLOW.id,
		name: JSAPI_WORKFLOW.name,
		active: false,
		settings: { executionOrder: 'v1' },
		connections: { Webhook: { main: [[{ node: 'DingTalk', type: 'main', index: 0 }]] } },
		nodes: [
			{
				id: 'e2e-js-webhook',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: '7c2d9e41-3b6a-4f0e-8d15-9a4b2c6e1f03',
				parameters: {
					httpMethod: 'GET',
					path: JSAPI_WORKFLOW.path,
					responseMode: 'lastNode',
					responseData: 'firstEntryJson',
					options: {},
				},
			},
			{
				id: 'e2e-js-dingtalk',
				name: 'DingTalk',
				type: `${PACKAGE_NAME}.dingTalk`,
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					resource: 'jsapi',
					operation: 'getSignature',
					pageUrl: '={{ $json.query.url }}',
				},
				credentials: {
					dingTalkApi: { id: DINGTALK_CREDENTIAL.id, name: DINGTALK_CREDENTIAL.name },
				},
			},
		],
	};
}

/** Imports the DingTalk credential (n8n must not be running), and with `workflow` the suite's workflow, published. */
export async function importDingTalk(
	toolchain: Toolchain,
	config: N8nConfig,
	emulatorBaseUrl: string,
	workDir: string,
	log: Log,
	options: { workflow: boolean },
): Promise<void> {
	const credentialFile = join(workDir, 'dingtalk-credentials.json');
	writeFileSync(
		credentialFile,
		`${JSON.stringify([{ ...DINGTALK_CREDENTIAL, data: { ...dingTalkCredentialData(emulatorBaseUrl), aiCardTemplateId: EMULATOR_AI_CARD_TEMPLATE } }], null, 2)}\n`,
	);
	const imported = await n8nCli(
		toolchain,
		config,
		['import:credentials', `--input=${credentialFile}`],
		log,
	);
	if (!/Successfully imported 1 credential/.test(imported)) {
		throw new StepError(
			`n8n import:credentials (DingTalk) did not report success:\n${imported.slice(-800)}`,
		);
	}
	if (!options.workflow) return;
	for (const [name, workflow, id] of [
		['dingtalk-workflow.json', departmentsWorkflow(), DINGTALK_WORKFLOW.id],
		['dingtalk-error-output.json', errorOutputWorkflow(), ERROR_OUTPUT_WORKFLOW.id],
		['dingtalk-jsapi.json', jsapiWorkflow(), JSAPI_WORKFLOW.id],
	] as const) {
		const workflowFile = join(workDir, name);
		writeFileSync(workflowFile, `${JSON.stringify(workflow, null, 2)}\n`);
		const workflows = await n8nCli(
			toolchain,
			config,
			['import:workflow', `--input=${workflowFile}`],
			log,
		);
		if (!/Successfully imported 1 workflow/.test(workflows)) {
			throw new StepError(
				`n8n import:workflow (DingTalk, ${name}) did not report success:\n${workflows.slice(-800)}`,
			);
		}
		const published = await n8nCli(toolchain, config, ['publish:workflow', `--id=${id}`], log);
		if (!/Publishing workflow with ID/.test(published)) {
			throw new StepError(
				`n8n publish:workflow (DingTalk, ${name}) did not report success:\n${published.slice(-800)}`,
			);
		}
	}
}

export interface DingTalkWorld {
	emulator: ApiEmulator;
	rest: N8nRest;
	n8nBaseUrl: string;
	say(line: string): void;
}

function expect(condition: boolean, message: string): void {
	if (!condition) throw new StepError(message);
}

/** The DingTalk checks, in order, for the suite's `check()`. */
export function dingTalkChecks(world: DingTalkWorld): Array<[string, () => Promise<void>]> {
	const { emulator, rest } = world;
	const tokenCalls = () => emulator.callsTo('/v1.0/oauth2/accessToken');
	const test = async (data: Record<string, string>) =>
		await rest.post<{ status: string; message: string }>('/credentials/test', {
			credentials: {
				...DINGTALK_CREDENTIAL,
				data: { ...dingTalkCredentialData(emulator.baseUrl), ...data },
			},
		});
	const departments = async () => {
		const url = `${world.n8nBaseUrl}/webhook/${DINGTALK_WORKFLOW.path}`;
		// Published before n8n started; its webhook may be registered a moment after n8n reports ready.
		const res = await waitFor(
			`the DingTalk workflow's webhook ${url}`,
			async () => {
				const answer = await fetch(url, { signal: AbortSignal.timeout(30000) });
				return answer.status === 404 ? undefined : answer;
			},
			{ timeoutMs: 30000, intervalMs: 250 },
		);
		const text = await res.text();
		expect(
			res.status === 200,
			`GET /webhook/${DINGTALK_WORKFLOW.path}: HTTP ${res.status} ${text.slice(0, 300)}`,
		);
		return JSON.parse(text) as Array<{ dept_id: number; name: string; parent_id: number }>;
	};

	/** A picker page as the editor asks n8n for it (n8n's DynamicNodeParametersService runs the node's listSearch). */
	const picker = async (methodName: string, filter: string) =>
		await rest.post<{ results: Array<{ name: string; value: string }>; paginationToken?: string }>(
			'/dynamic-node-parameters/resource-locator-results',
			{
				nodeTypeAndVersion: { name: `${PACKAGE_NAME}.dingTalk`, version: 1 },
				path: 'parameters.userId',
				methodName,
				currentNodeParameters: {
					resource: 'user',
					operation: 'get',
					userId: { __rl: true, mode: 'list', value: '' },
				},
				credentials: {
					dingTalkApi: { id: DINGTALK_CREDENTIAL.id, name: DINGTALK_CREDENTIAL.name },
				},
				...(filter ? { filter } : {}),
			},
		);

	/** Runs the error-output workflow for one department id; the run data of its execution. */
	const runErrorOutput = async (id: string) => {
		const url = `${world.n8nBaseUrl}/webhook/${ERROR_OUTPUT_WORKFLOW.path}?id=${encodeURIComponent(id)}`;
		const before = (await rest.executions(ERROR_OUTPUT_WORKFLOW.id)).length;
		await waitFor(
			`the error-output workflow's webhook ${url}`,
			async () => {
				const answer = await fetch(url, { signal: AbortSignal.timeout(30000) });
				return answer.status === 200 ? answer : undefined;
			},
			{ timeoutMs: 30000, intervalMs: 250 },
		);
		const execution = await waitFor(
			'the error-output execution to finish',
			async () => {
				const all = await rest.executions(ERROR_OUTPUT_WORKFLOW.id);
				return all.length > before && all[0].status !== 'running' && all[0].status !== 'new'
					? all[0]
					: undefined;
			},
			{ timeoutMs: 30000, intervalMs: 300 },
		);
		expect(execution.status === 'success', `the execution ended "${execution.status}"`);
		const runData = await rest.executionRunData(execution.id);
		const items = (node: string) =>
			(runData[node]?.[0]?.data?.main?.[0] ?? []).map((i) => i.json as Record<string, unknown>);
		return { found: items('Found'), failed: items('Failed') };
	};

	return [
		[
			'DingTalk: "Continue (using error output)" routes a refused item to the error branch (errcode and hint readable) and a found one to the success branch',
			async () => {
				const missing = await runErrorOutput('999');
				expect(missing.found.length === 0, `"Found" got ${JSON.stringify(missing.found)}`);
				expect(missing.failed.length === 1, `"Failed" got ${missing.failed.length} items`);
				const [failed] = missing.failed;
				const details = failed.details as Record<string, unknown> | undefined;
				expect(
					/department was not found/i.test(String(failed.error)) &&
						details?.errcode === 60003 &&
						/部门不存在/.test(String(details?.description)),
					`the error branch's item: ${JSON.stringify(failed).slice(0, 400)}`,
				);
				const present = await runErrorOutput('100');
				expect(present.failed.length === 0, `"Failed" got ${JSON.stringify(present.failed)}`);
				expect(
					present.found.length === 1 && present.found[0].name === '研发中心',
					`"Found" got ${JSON.stringify(present.found).slice(0, 300)}`,
				);
			},
		],
		[
			"DingTalk: the member and department pickers answer through n8n's editor API (browse, search by name)",
			async () => {
				const browse = await picker('searchUsers', '');
				expect(
					browse.results.length === 7 && browse.results[0].name === '王经理 (manager001)',
					`browsing members answered ${JSON.stringify(browse).slice(0, 300)}`,
				);
				const found = await picker('searchUsers', '组长');
				expect(
					JSON.stringify(found.results) ===
						JSON.stringify([{ name: '陈组长 (lead001)', value: 'lead001' }]),
					`searching 组长 answered ${JSON.stringify(found).slice(0, 300)}`,
				);
				const departments = await picker('searchDepartments', '前端');
				expect(
					departments.results.some((d) => d.value === '102'),
					`searching departments for 前端 answered ${JSON.stringify(departments).slice(0, 300)}`,
				);
			},
		],
		[
			'DingTalk: Department Get Many runs in a workflow (Webhook → DingTalk) and walks the tree with one token',
			async () => {
				const before = emulator.tokenIssueCount('dingtalk');
				const listsubBefore = emulator.callsTo('/topapi/v2/department/listsub').length;
				const first = await departments();
				expect(
					JSON.stringify(first.map((d) => [d.dept_id, d.name])) ===
						JSON.stringify([
							[100, '研发中心'],
							[200, '市场部'],
							[300, '财务部'],
							[101, '后端组'],
							[102, '前端组'],
						]),
					`the workflow answered ${JSON.stringify(first).slice(0, 400)}`,
				);
				const second = await departments();
				expect(second.length === 5, `the second run answered ${second.length} departments`);
				const listsub = emulator.callsTo('/topapi/v2/department/listsub').slice(listsubBefore);
				expect(listsub.length === 12, `${listsub.length} listsub calls for two runs, expected 12`);
				expect(
					new Set(listsub.map((c) => c.query.access_token)).size === 1 &&
						!!listsub[0].query.access_token,
					'the runs did not share one access token in ?access_token=',
				);
				const issued = emulator.tokenIssueCount('dingtalk') - before;
				expect(issued <= 1, `the emulator issued ${issued} tokens for two runs`);
			},
		],
		[
			"DingTalk: the credential Test (n8n's /rest/credentials/test) is OK with the emulator app, red for a wrong secret",
			async () => {
				const good = await test({});
				expect(
					good.status === 'OK',
					`a correct credential tested "${good.status}: ${good.message}"`,
				);
				const wrong = 'not-the-client-secret-0123456789';
				const bad = await test({ clientSecret: wrong });
				expect(
					bad.status === 'Error' &&
						/Client Secret/.test(bad.message) &&
						/凭证与基础信息/.test(bad.message),
					`a wrong Client Secret tested "${bad.status}: ${bad.message}"`,
				);
				expect(
					!bad.message.includes(wrong) && !bad.message.includes(DINGTALK_SEED.appSecret),
					'the credential test message shows a secret',
				);
				const badClient = await test({ clientId: 'dingwrongclient0000' });
				expect(badClient.status === 'Error', `a wrong Client ID tested "${badClient.status}"`);
				// The Agent ID is proven too: one of another app is red with the fix, an empty one (optional) is fine.
				const otherAgent = await test({ agentId: '999999001' });
				expect(
					otherAgent.status === 'Error' &&
						/Agent ID does not belong to this app/.test(otherAgent.message) &&
						/40056/.test(otherAgent.message),
					`an Agent ID of another app tested "${otherAgent.status}: ${otherAgent.message}"`,
				);
				const notANumber = await test({ agentId: 'agent-one' });
				expect(
					notANumber.status === 'Error' && /Agent ID/.test(notANumber.message),
					`a non-numeric Agent ID tested "${notANumber.status}: ${notANumber.message}"`,
				);
				const noAgent = await test({ agentId: '' });
				expect(
					noAgent.status === 'OK',
					`an empty (optional) Agent ID tested "${noAgent.status}: ${noAgent.message}"`,
				);
				const wrongOldHost = await test({ oapiBaseUrl: `${emulator.baseUrl}/not-dingtalk` });
				expect(
					wrongOldHost.status === 'Error' && /API Host \(Old API\)/.test(wrongOldHost.message),
					`a wrong API Host (Old API) tested "${wrongOldHost.status}: ${wrongOldHost.message}"`,
				);
			},
		],
		[
			'DingTalk: with a token stored, the Test still proves the typed secret (the editor sends the stored token back unchanged)',
			async () => {
				// The workflow above stored a token in the credential; the editor sends hidden secrets as "unchanged".
				const calls = tokenCalls().length;
				const bad = await test({
					clientSecret: 'edited-but-wrong-secret-0000',
					accessToken: UNCHANGED,
				});
				const asked = tokenCalls().slice(calls);
				expect(
					bad.status === 'Error',
					`a wrong secret with a stored token tested "${bad.status}: ${bad.message}"`,
				);
				expect(
					asked.length >= 1 &&
						asked.every(
							(c) =>
								(c.body as { appSecret?: string }).appSecret === 'edited-but-wrong-secret-0000',
						),
					`the Test asked for tokens with ${JSON.stringify(asked.map((c) => ((c.body as { appSecret?: string }).appSecret === DINGTALK_SEED.appSecret ? 'the stored secret' : 'the typed secret')))}`,
				);
				const good = await test({ accessToken: UNCHANGED });
				expect(
					good.status === 'OK',
					`the correct credential with its stored token tested "${good.status}: ${good.message}"`,
				);
				// What n8n itself does in a Test, for the record: does it run preAuthentication while a token is stored?
				world.say(
					`      (stored-token Test: n8n asked the token endpoint ${asked.length} time(s): ${asked.length > 1 ? 'preAuthentication ran too' : 'only the Test request; preAuthentication did not run with a token stored'})`,
				);
			},
		],
		[
			'DingTalk: JSAPI Get Signature in three executions fetches the jsapi_ticket once, and dd.config (emulated) accepts each signature',
			async () => {
				const fetched = () =>
					emulator
						.callsTo('/get_jsapi_ticket')
						.filter((c) => (c.response as { errcode?: number }).errcode === 0).length;
				const before = fetched();
				const pages = [1, 2, 3].map((n) => `https://emulator.example/h5/page${n}.html?n=${n}#/x`);
				for (const page of pages) {
					const url = `${world.n8nBaseUrl}/webhook/${JSAPI_WORKFLOW.path}?url=${encodeURIComponent(page)}`;
					const res = await waitFor(
						`the JSAPI workflow's webhook ${url}`,
						async () => {
							const answer = await fetch(url, { signal: AbortSignal.timeout(30000) });
							return answer.status === 404 ? undefined : answer;
						},
						{ timeoutMs: 30000, intervalMs: 250 },
					);
					const text = await res.text();
					expect(
						res.status === 200,
						`GET ${JSAPI_WORKFLOW.path}: HTTP ${res.status} ${text.slice(0, 300)}`,
					);
					const json = JSON.parse(text) as Record<string, unknown>;
					const signed = page.replace(/#.*$/, '');
					expect(json.url === signed, `signed URL ${String(json.url)}, expected ${signed}`);
					expect(
						dingTalkTickets(emulator.dingtalk).verify(
							'jsapi',
							{
								url: signed,
								nonceStr: String(json.nonceStr),
								timestamp: Number(json.timeStamp),
								signature: String(json.signature),
							},
							Date.now(),
						),
						`the signature for ${page} does not verify against the living ticket`,
					);
				}
				const count = fetched() - before;
				expect(
					count <= 1,
					`three executions fetched the ticket ${count} times, expected at most once`,
				);
			},
		],
	];
}
