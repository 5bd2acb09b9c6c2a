/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// The DingTalk Trigger in Stream mode the way n8n 2.41 runs a trigger: published workflows through n8n-core's
// ActiveWorkflowTriggers (activation, deactivation closing everything), test runs through TriggersAndPollers in manual
// mode. What n8n's server adds around a published trigger's emit is played as n8n 2.41 does it
// (packages/cli TriggerExecutionContextFactory.emit + settleDonePromise): each emit starts a real n8n-core execution
// (WorkflowExecute, mode 'trigger', with ExecutionLifecycleHooks); the donePromise is resolved with its IRun once the
// execution has finished — after its workflowExecuteAfter hooks, where n8n saves it — and rejected when no execution
// could be started. emitError and saveFailedExecution are recorded.
import {
	ActiveWorkflowTriggers,
	ExecutionLifecycleHooks,
	InstanceSettings,
	ScheduledTaskManager,
	TriggerContext,
	TriggersAndPollers,
	WorkflowExecute,
} from 'n8n-core';
import {
	createRunExecutionData,
	Workflow,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type IRun,
	type ITriggerResponse,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type WorkflowActivateMode,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { DingTalkApi } from '../../credentials/DingTalkApi.credentials';
import { WeComApi } from '../../credentials/WeComApi.credentials';
import { DingTalkTrigger } from '../../nodes/DingTalk/DingTalkTrigger.node';
import { WeComTrigger } from '../../nodes/WeCom/WeComTrigger.node';
import { setStreamTestHooks } from '../../nodes/DingTalk/trigger/stream';
import type { ApiEmulator } from '../emulator';
import { dingTalkCredentialData } from '../emulator/dingtalk/credential';
import { ensureBinaryDataService, Harness } from '../harness';

// n8n-core's own DI container (the one its services are registered in).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Container } = require(
	require.resolve('@n8n/di', { paths: [require.resolve('n8n-core')] }),
) as { Container: { get<T>(type: abstract new (...args: never[]) => T): T } };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Logger } = require(
	require.resolve('@n8n/backend-common', { paths: [require.resolve('n8n-core')] }),
) as { Logger: abstract new (...args: never[]) => Record<string, (...args: unknown[]) => void> };

/** What the trigger writes to n8n's logger (the one `this.logger` is) until `restore()`, by level. */
export function captureLogs(): {
	lines: Array<{ level: string; message: string }>;
	restore(): void;
} {
	const logger = Container.get(Logger);
	const lines: Array<{ level: string; message: string }> = [];
	const originals: Array<[string, (...args: unknown[]) => void]> = [];
	for (const level of ['debug', 'info', 'warn', 'error']) {
		const original = logger[level];
		originals.push([level, original]);
		logger[level] = (message: unknown) => {
			lines.push({ level, message: String(message) });
		};
	}
	return {
		lines,
		restore: () => {
			for (const [level, original] of originals) logger[level] = original;
		},
	};
}

/** Short timings for tests; the client's ticks still come once a second. */
export function useTestTimings(): void {
	setStreamTestHooks({
		timing: {
			backoff: { initialMs: 50, maxMs: 400, jitter: 0.25 },
			stableAfterMs: 0,
			drainMs: 200,
		},
	});
}

/** One execution a published trigger's emit started. */
export interface RigExecution {
	id: string;
	item: IDataObject;
	/** running until its workflowExecuteAfter hooks are done, then the run's status. */
	status: string;
	/** When the donePromise was settled (ms since the epoch). */
	settledAt?: number;
}

export interface Emitted {
	/** Every emitted item, in order (published and test runs). */
	items: IDataObject[];
	/** The deduplication key of each emit (n8n stores it with the execution). */
	keys: Array<string | undefined>;
	/** The binary data of each emitted item (robot message attachments in chat mode). */
	binaries: Array<INodeExecutionData['binary']>;
	/** The executions the emits started (published workflows only). */
	executions: RigExecution[];
	errors: Error[];
	failed: Error[];
	/** Called at each emit, before it returns. */
	onEmit?: (item: IDataObject) => void;
	/** The execution of this item finishes only when the promise does: awaited in its workflowExecuteAfter hook. */
	hold?: (item: IDataObject) => Promise<void> | undefined;
	/** n8n cannot start an execution for this item (runWorkflow throws this): the donePromise is rejected. */
	refuse?: (item: IDataObject) => Error | undefined;
	/**
	 * n8n loses this emit's run, as when the queue-mode worker holding it dies: no execution, and the donePromise is
	 * resolved with what n8n 2.x records for a stalled job (status error, no run data at all).
	 */
	lose?: (item: IDataObject, emitIndex: number) => boolean;
	/** Whether each emit came with a donePromise. */
	withDone: boolean[];
}

const newEmitted = (): Emitted => ({
	items: [],
	keys: [],
	binaries: [],
	executions: [],
	errors: [],
	failed: [],
	withDone: [],
});

/** n8n-workflow's IDeferredPromise (from @n8n/utils, which it does not re-export). */
interface IDeferredPromise<T> {
	promise: Promise<T>;
	resolve: (value: T) => void;
	reject: (error: Error) => void;
}

let workflowCounter = 0;

let executionCounter = 0;

export class StreamTriggerRig {
	readonly harness = new Harness({
		nodeTypes: [new DingTalkTrigger(), new WeComTrigger()],
		credentialTypes: [new DingTalkApi(), new WeComApi()],
	});

	readonly credential: { id: string; name: string };

	private readonly active = new Set<string>();

	/**
	 * The deduplication keys n8n's executions table holds (a unique column): an emit with one of them starts no execution
	 * and its donePromise resolves with undefined, as n8n 2.41 does on its DuplicateExecutionError. Tests may add keys
	 * of executions "an earlier process" recorded.
	 */
	readonly keysTaken = new Set<string>();

	constructor(emulator: ApiEmulator, credential: Record<string, string> = {}) {
		this.credential = this.harness.credentials.add('dingTalkApi', {
			...dingTalkCredentialData(emulator.baseUrl),
			accessToken: '',
			...credential,
		}) as { id: string; name: string };
		// A single n8n main is its own leader: only a leader registers crons.
		Container.get(InstanceSettings).markAsLeader();
	}

	node(parameters: INodeParameters): INode {
		return {
			id: `stream-node-${workflowCounter}`,
			name: 'DingTalk Trigger',
			type: this.harness.type('dingTalkTrigger'),
			typeVersion: 1,
			position: [0, 0],
			parameters: { connectionMode: 'stream', events: ['*'], ...parameters },
			credentials: { dingTalkApi: this.credential },
		};
	}

	private workflow(parameters: INodeParameters, id: string): Workflow {
		return this.workflowOf(this.node(parameters), id);
	}

	private workflowOf(node: INode, id: string): Workflow {
		return new Workflow({
			id,
			name: `Stream workflow ${id}`,
			nodes: [node],
			connections: {},
			nodeTypes: this.harness.nodeTypes,
			active: true,
			settings: { executionOrder: 'v1' },
		});
	}

	private additionalData(workflow: Workflow, mode: WorkflowExecuteMode) {
		const hooks = new ExecutionLifecycleHooks(mode, `exec-${workflow.id}`, {
			id: workflow.id,
			name: workflow.name,
			nodes: Object.values(workflow.nodes),
			connections: {},
		} as unknown as IWorkflowBase);
		return this.harness.additionalData(hooks);
	}

	/**
	 * n8n's runWorkflow and settleDonePromise for one emit: the execution is registered (or refused) a moment after the
	 * emit, runs in n8n-core's engine, and the donePromise settles after its workflowExecuteAfter hooks.
	 */
	private startExecution(
		emitted: Emitted,
		workflow: Workflow,
		node: INode,
		data: INodeExecutionData[][],
		donePromise?: IDeferredPromise<IRun>,
		deduplicationKey?: string,
	): void {
		const item = data[0][0].json;
		if (emitted.lose?.(item, emitted.items.length - 1)) {
			donePromise?.resolve({
				status: 'error',
				mode: 'trigger',
				startedAt: new Date(),
				storedAt: 'db',
				data: createRunExecutionData({ resultData: { runData: {} } }),
			} as IRun);
			return;
		}
		const executePromise = (async () => {
			await ensureBinaryDataService();
			const refusal = emitted.refuse?.(item);
			if (refusal) throw refusal;
			// n8n keeps the key with the execution it created (a refused run created none).
			if (deduplicationKey !== undefined) this.keysTaken.add(deduplicationKey);
			const execution: RigExecution = {
				id: `exec-${++executionCounter}`,
				item,
				status: 'running',
			};
			emitted.executions.push(execution);
			const hooks = new ExecutionLifecycleHooks('trigger', execution.id, {
				id: workflow.id,
				name: workflow.name,
				nodes: Object.values(workflow.nodes),
				connections: {},
			} as unknown as IWorkflowBase);
			const hold = emitted.hold?.(item);
			hooks.addHandler('workflowExecuteAfter', async (run) => {
				await hold;
				execution.status = run.status;
			});
			const runExecutionData = createRunExecutionData({
				executionData: { nodeExecutionStack: [{ node, data: { main: data }, source: null }] },
			});
			return {
				execution,
				finished: new WorkflowExecute(
					this.harness.additionalData(hooks),
					'trigger',
					runExecutionData,
				).processRunExecutionData(workflow),
			};
		})();
		if (!donePromise) return;
		void executePromise
			.then(async ({ execution, finished }) => {
				const run = await finished;
				execution.settledAt = Date.now();
				return run;
			})
			.then(donePromise.resolve, (error: Error) => donePromise.reject(error));
	}

	private getTriggerFunctions(emitted: Emitted) {
		return (
			workflow: Workflow,
			node: INode,
			additionalData: IWorkflowExecuteAdditionalData,
			mode: WorkflowExecuteMode,
			activation: WorkflowActivateMode,
		) =>
			new TriggerContext(
				workflow,
				node,
				additionalData,
				mode,
				activation,
				(
					data: INodeExecutionData[][],
					_responsePromise?: unknown,
					donePromise?: IDeferredPromise<IRun>,
					deduplicationKey?: string,
				) => {
					const item = data[0][0].json;
					emitted.onEmit?.(item);
					emitted.items.push(item);
					emitted.keys.push(deduplicationKey);
					emitted.binaries.push(data[0][0].binary);
					emitted.withDone.push(donePromise !== undefined);
					if (deduplicationKey !== undefined && this.keysTaken.has(deduplicationKey)) {
						donePromise?.resolve(undefined as unknown as IRun);
						return;
					}
					this.startExecution(emitted, workflow, node, data, donePromise, deduplicationKey);
				},
				(error: Error) => emitted.errors.push(error),
				(error: Error) => emitted.failed.push(error),
			);
	}

	/** Publishes a workflow with the trigger, as n8n does on activation; returns its id and what it emits. */
	async activate(
		parameters: INodeParameters = {},
		workflowId = `stream-wf-${++workflowCounter}`,
	): Promise<{ workflowId: string; emitted: Emitted }> {
		return await this.activateNode(this.node(parameters), workflowId);
	}

	/**
	 * Publishes a workflow with `node` (any trigger this rig's harness has, e.g. a WeCom Trigger): n8n calls its
	 * trigger() on activation as on the main process.
	 */
	async activateNode(
		node: INode,
		workflowId = `stream-wf-${++workflowCounter}`,
	): Promise<{ workflowId: string; emitted: Emitted }> {
		const workflow = this.workflowOf(node, workflowId);
		const emitted = newEmitted();
		await Container.get(ActiveWorkflowTriggers).addAllTriggers(
			workflowId,
			workflow,
			this.additionalData(workflow, 'trigger'),
			'trigger',
			'activate',
			this.getTriggerFunctions(emitted),
			() => {
				throw new Error('no poll nodes here');
			},
		);
		this.active.add(workflowId);
		return { workflowId, emitted };
	}

	/** Unpublishes it: n8n closes its triggers and deregisters its crons. */
	async deactivate(workflowId: string): Promise<void> {
		this.active.delete(workflowId);
		await Container.get(ActiveWorkflowTriggers).remove(workflowId);
	}

	hasCrons(workflowId: string): boolean {
		return Container.get(ScheduledTaskManager).hasGroup({ type: 'workflow', id: workflowId });
	}

	/** "Listen for test event": the first event's items, then n8n closes the trigger. */
	async listenForTestEvent(parameters: INodeParameters = {}): Promise<{
		response: ITriggerResponse;
		first: Promise<INodeExecutionData[][]>;
	}> {
		const workflow = this.workflow(parameters, `manual-${++workflowCounter}`);
		const node = Object.values(workflow.nodes)[0];
		const emitted = newEmitted();
		const response = await Container.get(TriggersAndPollers).runTriggerFunction(
			workflow,
			node,
			this.getTriggerFunctions(emitted),
			this.additionalData(workflow, 'manual'),
			'manual',
			'manual',
		);
		await response!.manualTriggerFunction!();
		return { response: response!, first: response!.manualTriggerResponse! };
	}

	async stopAll(): Promise<void> {
		for (const id of [...this.active]) await this.deactivate(id);
	}
}
