/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node, never inside n8n */
// The DingTalk Trigger inside the real n8n: HTTP mode through /webhook/... (the two DingTalk examples: the URL check,
// an approval and a new employee, each answered with DingTalk's encrypted "success" and run once), and Stream mode (a
// published workflow connected to the emulator's Stream server, receiving events through a SYSTEM disconnect and a
// dropped socket, each exactly once).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
	buildDingTalkCallback,
	DINGTALK_SEED,
	sendCallback,
	type ApiEmulator,
	type CallbackResponse,
} from '../emulator';
import { checkDingTalkAnswer, httpEventPayload } from '../emulator/dingtalk/httpEvents';
import { DINGTALK_CREDENTIAL } from './dingtalk';
import { exampleById, triggerUrl } from './instance';
import {
	n8nCli,
	PACKAGE_NAME,
	sleep,
	StepError,
	waitFor,
	withDeadline,
	type Log,
	type N8nConfig,
	type N8nRest,
	type Toolchain,
} from './n8nHost';

/** The suite's Stream workflow: DingTalk Trigger (Stream mode, everything) → NoOp. */
export const STREAM_WORKFLOW = {
	id: 'e2eDingTalkStream',
	name: 'e2e: DingTalk Trigger over Stream',
};

/** A second Stream workflow, imported unpublished: DingTalk Trigger → Wait 20 s (in the execution) → Done. */
export const SLOW_STREAM_WORKFLOW = {
	id: 'e2eDingTalkStreamSlow',
	name: 'e2e: DingTalk Trigger over Stream, a 20 s execution',
	waitSeconds: 20,
};

/**
 * What the emulator's Stream server needs so that a dropped socket's events come again within the suite (DingTalk:
 * about 60 s), and keeps coming while n8n is down and restarting (a budget of 100 deliveries, 5 minutes); pings
 * every 20 s as DingTalk sends them, so that a quiet connection is not taken for a silent one.
 */
export const E2E_STREAM_OPTIONS = {
	redeliveryDelayMs: 3000,
	maxDeliveries: 100,
	pingIntervalMs: 20_000,
};

function streamWorkflow(
	workflow: { id: string; name: string },
	idPrefix: string,
	webhookId: string,
	waitSeconds?: number,
): object {
	const trigger = {
		id: `${idPrefix}-trigger`,
		name: 'DingTalk Trigger',
		type: `${PACKAGE_NAME}.dingTalkTrigger`,
		typeVersion: 1,
		position: [0, 0],
		webhookId,
		parameters: {
			connectionMode: 'stream',
			events: ['*'],
			robotMessages: true,
			options: { binaryData: true },
		},
		credentials: {
			dingTalkApi: { id: DINGTALK_CREDENTIAL.id, name: DINGTALK_CREDENTIAL.name },
		},
	};
	const done = {
		id: `${idPrefix}-done`,
		name: 'Done',
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [440, 0],
		parameters: {},
	};
	// Under 65 s n8n's Wait node waits inside the running execution (longer ones are put to wait in the database).
	const wait = {
		id: `${idPrefix}-wait`,
		name: 'Wait',
		type: 'n8n-nodes-base.wait',
		typeVersion: 1.1,
		position: [220, 0],
		webhookId: `${webhookId.slice(0, -4)}0a1b`,
		parameters: { resume: 'timeInterval', amount: waitSeconds, unit: 'seconds' },
	};
	return {
		id: workflow.id,
		name: workflow.name,
		active: false,
		settings: { executionOrder: 'v1' },
		connections:
			waitSeconds === undefined
				? { 'DingTalk Trigger': { main: [[{ node: 'Done', type: 'main', index: 0 }]] } }
				: {
						'DingTalk Trigger': { main: [[{ node: 'Wait', type: 'main', index: 0 }]] },
						Wait: { main: [[{ node: 'Done', type: 'main', index: 0 }]] },
					},
		nodes: waitSeconds === undefined ? [trigger, done] : [trigger, wait, done],
	};
}

/** Imports and publishes the Stream workflow (n8n not running; after the DingTalk credential). */
export async function importDingTalkStreamWorkflow(
	toolchain: Toolchain,
	config: N8nConfig,
	workDir: string,
	log: Log,
): Promise<void> {
	const workflows = [
		streamWorkflow(STREAM_WORKFLOW, 'e2e-dt-stream', '9e0d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c61'),
		streamWorkflow(
			SLOW_STREAM_WORKFLOW,
			'e2e-dt-stream-slow',
			'5b1e0c2d-7a6f-4b3e-9d8c-2f1e0d9c8b72',
			SLOW_STREAM_WORKFLOW.waitSeconds,
		),
	];
	for (const [index, workflow] of workflows.entries()) {
		const file = join(workDir, `dingtalk-stream-workflow-${index}.json`);
		writeFileSync(file, `${JSON.stringify(workflow, null, 2)}\n`);
		const imported = await n8nCli(toolchain, config, ['import:workflow', `--input=${file}`], log);
		if (!/Successfully imported 1 workflow/.test(imported)) {
			throw new StepError(`n8n import:workflow (DingTalk Stream) failed:\n${imported.slice(-800)}`);
		}
	}
	const published = await n8nCli(
		toolchain,
		config,
		['publish:workflow', `--id=${STREAM_WORKFLOW.id}`],
		log,
	);
	if (!/Publishing workflow with ID/.test(published)) {
		throw new StepError(`n8n publish:workflow (DingTalk Stream) failed:\n${published.slice(-800)}`);
	}
}

export interface DingTalkTriggerWorld {
	emulator: ApiEmulator;
	rest: N8nRest;
	n8nBaseUrl: string;
}

function expect(condition: boolean, message: string): void {
	if (!condition) throw new StepError(message);
}

const KEYS = {
	token: DINGTALK_SEED.callbackToken,
	aesKey: DINGTALK_SEED.aesKey,
	receiverId: DINGTALK_SEED.appKey,
};

/** The DingTalk Trigger checks, in order, for the suite's `check()`. */
export function dingTalkTriggerChecks(
	world: DingTalkTriggerWorld,
): Array<[string, () => Promise<void>]> {
	const { emulator } = world;
	const approvalExample = exampleById('dingtalkApprovalNtf');
	const welcomeExample = exampleById('dingtalkNewEmployee');

	const post = async (url: string, payload: object): Promise<CallbackResponse> => {
		// Published before n8n started: its webhook may be registered a moment after n8n reports ready.
		return await waitFor(
			`the DingTalk Trigger at ${url}`,
			async () => {
				const res = await withDeadline(
					sendCallback(url, buildDingTalkCallback({ ...KEYS, payload })),
					15000,
					`POST to ${url}`,
				);
				return res.status === 404 ? undefined : res;
			},
			{ timeoutMs: 30000, intervalMs: 250 },
		);
	};
	const expectSuccess = (res: CallbackResponse, what: string) => {
		const check = checkDingTalkAnswer(res.body, {
			token: KEYS.token,
			aesKey: KEYS.aesKey,
			receiverIds: [KEYS.receiverId],
		});
		expect(
			res.status === 200 && String(res.headers['content-type']).startsWith('application/json'),
			`${what}: HTTP ${res.status} ${String(res.headers['content-type'])} ${res.body.slice(0, 200)}`,
		);
		expect(check.ok, `${what}: DingTalk would refuse the answer: ${check.problem}`);
	};
	const total = async (workflowId: string) => (await world.rest.executions(workflowId)).total;
	const expectExecutions = async (workflowId: string, count: number) => {
		await waitFor(
			`${count} finished execution(s) of ${workflowId}`,
			async () => {
				const list = await world.rest.executions(workflowId);
				const finished = list.filter((e) => !['new', 'running', 'waiting'].includes(e.status));
				return finished.length >= count ? true : undefined;
			},
			{ timeoutMs: 30000, intervalMs: 250 },
		);
		await sleep(750);
		const n = await total(workflowId);
		expect(n === count, `n8n recorded ${n} executions of ${workflowId}, expected ${count}`);
	};
	const workNotifications = (userId: string) =>
		emulator
			.callsTo('/topapi/message/corpconversation/asyncsend_v2')
			.filter((c) => (c.body as { userid_list?: string }).userid_list === userId);

	return [
		[
			'DingTalk Trigger (HTTP): DingTalk\'s check_url through /webhook/… gets the encrypted "success" and starts nothing',
			async () => {
				const url = triggerUrl(world.n8nBaseUrl, approvalExample);
				const res = await post(url, { EventType: 'check_url' });
				expectSuccess(res, 'check_url');
				await sleep(750);
				const n = await total(approvalExample.id);
				expect(n === 0, `the URL check started ${n} executions`);
			},
		],
		[
			'DingTalk Trigger (HTTP): a finished approval runs the example once (work notification to the originator), its redelivery starts nothing',
			async () => {
				const url = triggerUrl(world.n8nBaseUrl, approvalExample);
				const payload = httpEventPayload('approval', {
					type: 'finish',
					result: 'refuse',
					userId: 'dev001',
					title: '李开发提交的报销申请',
				});
				expectSuccess(await post(url, payload), 'the approval event');
				const sent = await waitFor(
					'the work notification to dev001',
					async () => workNotifications('dev001')[0],
					{ timeoutMs: 30000, intervalMs: 200 },
				);
				const text = (sent.body as { msg?: { text?: { content?: string } } }).msg?.text?.content;
				expect(
					text === '您发起的「李开发提交的报销申请」已审批结束，结果：拒绝。',
					`the notification said ${JSON.stringify(text)}`,
				);
				expectSuccess(await post(url, payload), 'the redelivery');
				// A started approval passes the trigger and stops at the example's Filter: a second execution, no message.
				expectSuccess(
					await post(url, httpEventPayload('approval', { type: 'start', userId: 'dev001' })),
					'a started approval',
				);
				await expectExecutions(approvalExample.id, 2);
				expect(workNotifications('dev001').length === 1, 'more than one notification was sent');
			},
		],
		[
			'DingTalk Trigger (HTTP): a new employee (user_add_org) gets the welcome of the example',
			async () => {
				const url = triggerUrl(world.n8nBaseUrl, welcomeExample);
				expectSuccess(
					await post(url, httpEventPayload('user_add', { userId: 'dev002' })),
					'user_add_org',
				);
				await waitFor('the welcome to dev002', async () => workNotifications('dev002')[0], {
					timeoutMs: 30000,
					intervalMs: 200,
				});
				await expectExecutions(welcomeExample.id, 1);
			},
		],
		[
			'DingTalk Trigger (Stream): a published workflow receives every event exactly once through a SYSTEM disconnect and a dropped socket',
			async () => {
				const stream = emulator.dingtalkStream;
				const open = () => stream.openConnections().filter((c) => c.state === 'open');
				await waitFor('n8n to open a Stream connection', async () => open()[0], {
					timeoutMs: 60000,
					intervalMs: 250,
				});
				const keys: string[] = [];
				for (let i = 0; i < 12; i++) {
					if (i === 4) stream.disconnect(open()[0].id);
					if (i === 8) {
						await waitFor('the connection after the disconnect', async () => open()[0], {
							timeoutMs: 30000,
							intervalMs: 100,
						});
						stream.drop(open()[0].id);
					}
					keys.push(
						stream.publishEvent({
							eventType: i % 2 ? 'user_modify_org' : 'bpms_task_change',
							data: i % 2 ? { UserId: [`e2e-user-${i}`] } : { taskId: i, type: 'start' },
						}),
					);
					await sleep(300);
				}
				await waitFor(
					'every Stream event acknowledged',
					async () => (stream.unacked().length === 0 ? true : undefined),
					{ timeoutMs: 90000, intervalMs: 250 },
				);
				expect(stream.lost().length === 0, `${stream.lost().length} events lost`);
				await expectExecutions(STREAM_WORKFLOW.id, keys.length);
				const seen = new Map<string, number>();
				for (const execution of await world.rest.executions(STREAM_WORKFLOW.id)) {
					const runData = await world.rest.executionRunData(execution.id);
					const item = runData['DingTalk Trigger']?.[0]?.data?.main?.[0]?.[0]?.json as
						| { eventId?: string }
						| undefined;
					const id = String(item?.eventId);
					seen.set(id, (seen.get(id) ?? 0) + 1);
				}
				const lost = keys.filter((k) => !seen.has(k));
				const doubled = [...seen].filter(([, n]) => n > 1);
				expect(
					lost.length === 0 && doubled.length === 0,
					`lost ${JSON.stringify(lost)}, doubled ${JSON.stringify(doubled)}`,
				);
				// The events may all be answered on the disconnected socket while it drains (DingTalk's ~10 s grace):
				// the client's reconnection after the drop is waited for, not raced.
				await waitFor(
					'a connection after the disconnect and one after the drop',
					async () => (stream.connections().length >= 3 && open().length === 1 ? true : undefined),
					{ timeoutMs: 60000, intervalMs: 250 },
				);
			},
		],
	];
}
