/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- test code: runs under Node, never inside n8n */
// "Listen for test event" on the DingTalk Trigger in HTTP mode (issue 18), inside the real n8n: the editor's manual
// run waits on the Test URL (/webhook-test/...), a signed, encrypted DingTalk callback arrives there, and the run must
// finish with the event's one item (it stayed `running` until Stop before: n8n-core ran the trigger's trigger() for a
// test run and waited for an emit that HTTP mode never made). Once over n8n's REST API, as the editor calls it, and
// once in Chromium through the editor's own button.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
	buildDingTalkCallback,
	DINGTALK_SEED,
	sendCallback,
	type CallbackResponse,
} from '../emulator';
import { checkDingTalkAnswer, httpEventPayload } from '../emulator/dingtalk/httpEvents';
import { DINGTALK_CREDENTIAL } from './dingtalk';
import {
	n8nCli,
	PACKAGE_NAME,
	StepError,
	waitFor,
	withDeadline,
	type ExecutionSummary,
	type Log,
	type N8nConfig,
	type N8nRest,
	type Owner,
	type Toolchain,
} from './n8nHost';
import { CHROMIUM } from './sendAndWait';

/** The suite's test-listening workflow: DingTalk Trigger (HTTP mode) → NoOp, never published. */
export const LISTEN_WORKFLOW = {
	id: 'e2eDingTalkListen',
	name: 'e2e: DingTalk Trigger, Listen for test event',
	webhookId: '4b7a3c2d-6e5f-4a1b-9c8d-7e6f5a4b3c2d',
	trigger: 'DingTalk Trigger',
	next: 'Done',
};

/** How long the manual run may take from the callback to its end: generous for a 2-core machine under load. */
const FINISH_BOUND_MS = 15000;

function listenWorkflow(): object {
	return {
		id: LISTEN_WORKFLOW.id,
		name: LISTEN_WORKFLOW.name,
		active: false,
		settings: { executionOrder: 'v1' },
		connections: {
			[LISTEN_WORKFLOW.trigger]: {
				main: [[{ node: LISTEN_WORKFLOW.next, type: 'main', index: 0 }]],
			},
		},
		nodes: [
			{
				id: 'e2e-dt-listen-trigger',
				name: LISTEN_WORKFLOW.trigger,
				type: `${PACKAGE_NAME}.dingTalkTrigger`,
				typeVersion: 1,
				position: [0, 0],
				webhookId: LISTEN_WORKFLOW.webhookId,
				// As the editor saves a new node: HTTP mode, every event, the hidden raw-body option.
				parameters: { connectionMode: 'http', events: ['*'], options: { binaryData: true } },
				credentials: {
					dingTalkApi: { id: DINGTALK_CREDENTIAL.id, name: DINGTALK_CREDENTIAL.name },
				},
			},
			{
				id: 'e2e-dt-listen-done',
				name: LISTEN_WORKFLOW.next,
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [260, 0],
				parameters: {},
			},
		],
	};
}

/** Imports the test-listening workflow, unpublished (n8n not running; after the DingTalk credential). */
export async function importDingTalkListenWorkflow(
	toolchain: Toolchain,
	config: N8nConfig,
	workDir: string,
	log: Log,
): Promise<void> {
	const file = join(workDir, 'dingtalk-listen-workflow.json');
	writeFileSync(file, `${JSON.stringify(listenWorkflow(), null, 2)}\n`);
	const imported = await n8nCli(toolchain, config, ['import:workflow', `--input=${file}`], log);
	if (!/Successfully imported 1 workflow/.test(imported)) {
		throw new StepError(`n8n import:workflow (DingTalk listen) failed:\n${imported.slice(-800)}`);
	}
}

export interface TestListeningWorld {
	rest: N8nRest;
	n8nBaseUrl: string;
	owner: Owner;
	/** Where the browser check saves its screenshots. */
	artifactsDir: string;
	say: (line: string) => void;
}

function expect(condition: boolean, message: string): void {
	if (!condition) throw new StepError(message);
}

const KEYS = {
	token: DINGTALK_SEED.callbackToken,
	aesKey: DINGTALK_SEED.aesKey,
	receiverId: DINGTALK_SEED.appKey,
};

function testUrl(baseUrl: string): string {
	return `${baseUrl}/webhook-test/${LISTEN_WORKFLOW.webhookId}/callback`;
}

async function deliver(baseUrl: string, payload: object): Promise<CallbackResponse> {
	return await withDeadline(
		sendCallback(testUrl(baseUrl), buildDingTalkCallback({ ...KEYS, payload })),
		15000,
		`POST to the Test URL`,
	);
}

function expectSuccess(res: CallbackResponse, what: string): void {
	expect(
		res.status === 200 && String(res.headers['content-type']).startsWith('application/json'),
		`${what}: HTTP ${res.status} ${String(res.headers['content-type'])} ${res.body.slice(0, 200)}`,
	);
	const check = checkDingTalkAnswer(res.body, {
		token: KEYS.token,
		aesKey: KEYS.aesKey,
		receiverIds: [KEYS.receiverId],
	});
	expect(check.ok, `${what}: DingTalk would refuse the answer: ${check.problem}`);
}

const unfinished = (e: ExecutionSummary) => ['new', 'running', 'waiting'].includes(e.status);

/** Stops executions of the workflow that are still running (what the editor's Stop does), so none outlives a check. */
async function stopUnfinished(rest: N8nRest, known: Set<string>): Promise<string[]> {
	const stopped: string[] = [];
	for (const e of await rest.executions(LISTEN_WORKFLOW.id)) {
		if (known.has(e.id) || !unfinished(e)) continue;
		await rest.post(`/executions/${encodeURIComponent(e.id)}/stop`, {}).catch(() => undefined);
		stopped.push(`#${e.id}`);
	}
	return stopped;
}

/** The test webhook is gone once its one event was taken: n8n answers the Test URL 404 again. */
async function expectReleased(baseUrl: string): Promise<void> {
	const again = await deliver(baseUrl, httpEventPayload('user_add', { userId: 'e2e-after' }));
	expect(
		again.status === 404,
		`the Test URL still answers after its event (HTTP ${again.status}): the test webhook was not released`,
	);
}

interface ListenRound {
	executionId: string;
	/** From sending the callback until n8n listed the execution as finished. */
	finishedAfterMs: number;
	/** From sending the callback until its answer (DingTalk's "success") was complete. */
	answeredAfterMs: number;
	/** The execution's own duration as n8n recorded it (startedAt → stoppedAt). */
	durationMs: number;
	runData: Awaited<ReturnType<N8nRest['executionRunData']>>;
}

/**
 * One test listen over REST: the editor's POST /rest/workflows/:id/run (n8n answers waitingForWebhook), the callback
 * to the Test URL, then the manual execution n8n started for it, which must finish within FINISH_BOUND_MS.
 */
async function listenOnce(
	world: TestListeningWorld,
	runBody: object,
	payload: object,
): Promise<ListenRound> {
	const { rest } = world;
	const known = new Set((await rest.executions(LISTEN_WORKFLOW.id)).map((e) => e.id));
	try {
		const started = await rest.post<{ waitingForWebhook?: boolean; executionId?: string }>(
			`/workflows/${encodeURIComponent(LISTEN_WORKFLOW.id)}/run`,
			runBody,
		);
		expect(
			started.waitingForWebhook === true,
			`n8n did not wait on the test webhook: ${JSON.stringify(started)}`,
		);
		const sentAt = Date.now();
		expectSuccess(await deliver(world.n8nBaseUrl, payload), 'the test event');
		const answeredAfterMs = Date.now() - sentAt;
		let last: ExecutionSummary[] = [];
		const execution = await waitFor(
			`the manual execution to finish within ${FINISH_BOUND_MS} ms of the callback`,
			async () => {
				last = (await rest.executions(LISTEN_WORKFLOW.id)).filter((e) => !known.has(e.id));
				return last.length === 1 && !unfinished(last[0]) ? last[0] : undefined;
			},
			{ timeoutMs: FINISH_BOUND_MS, intervalMs: 50 },
		).catch((error: Error) => {
			throw new StepError(
				`${error.message}; n8n lists ${JSON.stringify(last.map((e) => ({ id: e.id, mode: e.mode, status: e.status })))}`,
			);
		});
		const finishedAfterMs = Date.now() - sentAt;
		expect(
			execution.mode === 'manual' && execution.status === 'success',
			`execution #${execution.id} is ${execution.mode}/${execution.status}, expected manual/success`,
		);
		await expectReleased(world.n8nBaseUrl);
		const fresh = (await rest.executions(LISTEN_WORKFLOW.id)).filter((e) => !known.has(e.id));
		expect(fresh.length === 1, `${fresh.length} executions were started, expected 1`);
		const recorded = await rest.get<{ startedAt: string; stoppedAt: string }>(
			`/executions/${encodeURIComponent(execution.id)}`,
		);
		return {
			executionId: execution.id,
			finishedAfterMs,
			answeredAfterMs,
			durationMs: Date.parse(recorded.stoppedAt) - Date.parse(recorded.startedAt),
			runData: await rest.executionRunData(execution.id),
		};
	} finally {
		const stopped = await stopUnfinished(rest, known);
		if (stopped.length) world.say(`      (stopped the still running ${stopped.join(', ')})`);
	}
}

type JsonItem = Record<string, unknown>;

/**
 * The body of the editor's POST /rest/workflows/:id/run for "Execute step" / "Listen for test event" on the trigger
 * (n8n 2.41's useRunWorkflow); the Chromium check below asserts the editor still sends exactly this.
 */
const STEP_RUN_BODY = {
	workflowId: LISTEN_WORKFLOW.id,
	startNodes: [{ name: LISTEN_WORKFLOW.trigger, sourceData: null }],
	destinationNode: { nodeName: LISTEN_WORKFLOW.trigger, mode: 'inclusive' },
};

function items(round: ListenRound, node: string): JsonItem[] {
	return (round.runData[node]?.[0]?.data?.main?.[0] ?? []).map((i) => i.json as JsonItem);
}

/** The checks, in order, for the suite's `check()`; `measured` collects the figures the suite prints. */
export function testListeningChecks(
	world: TestListeningWorld,
	measured: string[],
): Array<[string, () => Promise<void>]> {
	return [
		[
			'DingTalk Trigger (HTTP): Listen for test event — the step run waits on the Test URL, a signed callback gets "success" and ends it with the one normalised item; the test webhook is released',
			async () => {
				const payload = httpEventPayload('approval', {
					type: 'finish',
					result: 'agree',
					userId: 'dev003',
					title: '测试监听：王五提交的出差申请',
				});
				// The editor's "Listen for test event" / "Execute step" on the trigger (useRunWorkflow in 2.41).
				const round = await listenOnce(world, STEP_RUN_BODY, payload);
				const out = items(round, LISTEN_WORKFLOW.trigger);
				expect(out.length === 1, `the trigger put out ${out.length} items, expected 1`);
				const item = out[0];
				expect(
					item.eventType === 'bpms_instance_change' &&
						item.category === 'approval' &&
						item.eventId === (payload as JsonItem).eventId &&
						item.processInstanceId === (payload as JsonItem).processInstanceId &&
						item.connection === 'http' &&
						(item.approval as JsonItem | undefined)?.result === 'agree',
					`the item is ${JSON.stringify(item).slice(0, 400)}`,
				);
				expect(
					round.runData[LISTEN_WORKFLOW.next] === undefined,
					'the step run went past the trigger',
				);
				measured.push(
					`DingTalk Trigger test listen (REST, step): callback answered in ${round.answeredAfterMs} ms, execution listed as finished after ${round.finishedAfterMs} ms (n8n's own duration ${round.durationMs} ms)`,
				);
			},
		],
		[
			'DingTalk Trigger (HTTP): Listen for test event — a whole-workflow test run from the trigger ends too, its item reaching the next node',
			async () => {
				const payload = httpEventPayload('user_add', { userId: 'dev004' });
				// The canvas's "Execute workflow" from this trigger.
				const round = await listenOnce(
					world,
					{
						workflowId: LISTEN_WORKFLOW.id,
						startNodes: [],
						triggerToStartFrom: { name: LISTEN_WORKFLOW.trigger },
					},
					payload,
				);
				const [trigger, next] = [
					items(round, LISTEN_WORKFLOW.trigger),
					items(round, LISTEN_WORKFLOW.next),
				];
				expect(
					trigger.length === 1 && next.length === 1,
					`the trigger put out ${trigger.length} items and the next node ${next.length}, expected 1 and 1`,
				);
				expect(
					next[0].eventType === 'user_add_org' &&
						JSON.stringify(next[0].userIds) === '["dev004"]' &&
						next[0].eventId === (payload as JsonItem).eventId,
					`the next node got ${JSON.stringify(next[0]).slice(0, 300)}`,
				);
				measured.push(
					`DingTalk Trigger test listen (REST, workflow): callback answered in ${round.answeredAfterMs} ms, execution listed as finished after ${round.finishedAfterMs} ms (n8n's own duration ${round.durationMs} ms)`,
				);
			},
		],
		[
			`DingTalk Trigger (HTTP): in the editor (Chromium), "Listen for test event" then a callback shows the item in the output panel`,
			async () => await editorCheck(world, measured),
		],
	];
}

// --- the editor in Chromium ---------------------------------------------------------------------

async function editorCheck(world: TestListeningWorld, measured: string[]): Promise<void> {
	if (!existsSync(CHROMIUM)) {
		throw new StepError(
			`Chromium is missing at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH`,
		);
	}
	const { chromium } = await import('playwright-core');
	mkdirSync(world.artifactsDir, { recursive: true });
	const browser = await chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
	});
	const known = new Set((await world.rest.executions(LISTEN_WORKFLOW.id)).map((e) => e.id));
	const shot = (name: string) => join(world.artifactsDir, name);
	try {
		const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
		// Signed in the way the sign-in page does it: the session cookie lands in the browser context.
		const login = await context.request.post(`${world.n8nBaseUrl}/rest/login`, {
			data: { emailOrLdapLoginId: world.owner.email, password: world.owner.password },
		});
		expect(login.ok(), `signing in from the browser: HTTP ${login.status()}`);
		const page = await context.newPage();
		// The editor's run call and n8n's answer to it (waitingForWebhook: the Test URL is registered).
		const runCalls: string[] = [];
		const runAnswers: string[] = [];
		page.on('response', (r) => {
			const request = r.request();
			if (request.method() === 'POST' && /\/rest\/workflows\/[^/]+\/run$/.test(r.url())) {
				runCalls.push(request.postData() ?? '');
				void r.text().then(
					(body) => runAnswers.push(body),
					(error: Error) => runAnswers.push(`(unreadable: ${error.message})`),
				);
			}
		});
		await page.goto(`${world.n8nBaseUrl}/workflow/${LISTEN_WORKFLOW.id}`);
		const triggerNode = page.locator(
			`[data-test-id="canvas-node"][data-node-name="${LISTEN_WORKFLOW.trigger}"]`,
		);
		await triggerNode.waitFor({ timeout: 60000 });
		await triggerNode.dblclick();
		// The trigger panel's button in the node's view (2.41 labels it "Execute step"; older editors "Listen for test
		// event"); it calls n8n's manual run with the trigger as destination.
		const ndv = page.locator('[data-test-id="ndv"]');
		const listen = ndv.locator('[data-test-id="trigger-execute-button"]').first();
		await listen.waitFor({ timeout: 30000 });
		const label = (await listen.innerText()).trim();
		await listen.click();
		// The editor asked n8n for a manual run and n8n now waits on the Test URL.
		const runAnswer = await waitFor(
			"n8n to answer the editor's run call",
			async () => runAnswers[0],
			{
				timeoutMs: 15000,
				intervalMs: 50,
			},
		);
		expect(
			/"waitingForWebhook":\s*true/.test(runAnswer),
			`n8n answered the editor's run call with ${runAnswer.slice(0, 300)}`,
		);
		await ndv.locator('[data-test-id="trigger-listening"]').first().waitFor({ timeout: 15000 });
		await page.screenshot({ path: shot('dingtalk-listen-waiting.png') });
		const title = `编辑器测试：赵六提交的采购申请 ${Date.now()}`;
		const payload = httpEventPayload('approval', { type: 'start', userId: 'dev005', title });
		const sentAt = Date.now();
		const res = await deliver(world.n8nBaseUrl, payload);
		expectSuccess(res, 'the test event from the editor');
		const processInstanceId = String((payload as JsonItem).processInstanceId);
		// The output panel (its table view) shows the item: read the view's text as a person reads the screen.
		const text = await waitFor(
			'the output panel to show the event',
			async () => {
				const shown = await ndv.innerText();
				return shown.includes(processInstanceId) ? shown : undefined;
			},
			{ timeoutMs: FINISH_BOUND_MS, intervalMs: 50 },
		);
		const shownAfterMs = Date.now() - sentAt;
		await page.screenshot({ path: shot('dingtalk-listen-item.png') });
		expect(
			text.includes('bpms_instance_change') && /\b1 item\b/.test(text),
			`the node's view shows ${JSON.stringify(text.slice(0, 600))}`,
		);
		// The run is over in the editor too: no "executing" view, the listener gone.
		await waitFor(
			'the editor to show the run as ended',
			async () =>
				(await ndv
					.locator('[data-test-id="ndv-executing"], [data-test-id="trigger-listening"]')
					.count()) === 0
					? true
					: undefined,
			{ timeoutMs: 5000, intervalMs: 100 },
		);
		const fresh = (await world.rest.executions(LISTEN_WORKFLOW.id)).filter((e) => !known.has(e.id));
		expect(
			fresh.length === 1 && fresh[0].status === 'success',
			`n8n lists ${JSON.stringify(fresh.map((e) => `${e.id}/${e.status}`))} for the editor's run`,
		);
		expect(
			JSON.stringify(JSON.parse(runCalls[0])) === JSON.stringify(STEP_RUN_BODY),
			`the editor's run call was ${runCalls[0].slice(0, 300)}, not the REST check's ${JSON.stringify(STEP_RUN_BODY)}`,
		);
		measured.push(
			`DingTalk Trigger test listen (editor, "${label}"): callback → item shown in ${shownAfterMs} ms (screenshot ${shot('dingtalk-listen-item.png')})`,
		);
	} catch (error) {
		// What the page showed when it went wrong.
		for (const context of browser.contexts()) {
			for (const [i, page] of context.pages().entries()) {
				await page
					.screenshot({ path: shot(`dingtalk-listen-failed-${i}.png`) })
					.catch(() => undefined);
			}
		}
		throw error;
	} finally {
		await stopUnfinished(world.rest, known);
		await browser.close();
	}
}
