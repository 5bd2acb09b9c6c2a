/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// The DingTalk Trigger in Stream mode the way n8n 2.41 runs a trigger: published workflows through n8n-core's
// ActiveWorkflowTriggers (activation, crons in ScheduledTaskManager, deactivation closing everything), test runs
// through TriggersAndPollers in manual mode. Only what n8n's server adds around them (the database, execution
// records) is stood in for: emit, emitError and saveFailedExecution are recorded.
import {
	ActiveWorkflowTriggers,
	ExecutionLifecycleHooks,
	InstanceSettings,
	ScheduledTaskManager,
	TriggerContext,
	TriggersAndPollers,
} from 'n8n-core';
import {
	Workflow,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type ITriggerResponse,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type WorkflowActivateMode,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { DingTalkApi } from '../../credentials/DingTalkApi.credentials';
import { DingTalkTrigger } from '../../nodes/DingTalk/DingTalkTrigger.node';
import { setStreamTestHooks } from '../../nodes/DingTalk/trigger/stream';
import type { ApiEmulator } from '../emulator';
import { dingTalkCredentialData } from '../emulator/dingtalk/credential';
import { Harness } from '../harness';

// n8n-core's own DI container (the one its services are registered in).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Container } = require(
	require.resolve('@n8n/di', { paths: [require.resolve('n8n-core')] }),
) as { Container: { get<T>(type: abstract new (...args: never[]) => T): T } };

/** Short timings for tests; ticks still come from n8n's crons (once a second). */
export function useTestTimings(): void {
	setStreamTestHooks({
		timing: {
			backoff: { initialMs: 50, maxMs: 400, jitter: 0.25 },
			stableAfterMs: 0,
			drainMs: 200,
		},
	});
}

export interface Emitted {
	items: IDataObject[];
	/** The binary data of each emitted item (robot message attachments in chat mode). */
	binaries?: Array<INodeExecutionData['binary']>;
	errors: Error[];
	failed: Error[];
	/** Called at each emit, before it returns (the client acknowledges after). */
	onEmit?: (item: IDataObject) => void;
}

let workflowCounter = 0;

export class StreamTriggerRig {
	readonly harness = new Harness({
		nodeTypes: [new DingTalkTrigger()],
		credentialTypes: [new DingTalkApi()],
	});

	readonly credential: { id: string; name: string };

	private readonly active = new Set<string>();

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
		return new Workflow({
			id,
			name: `Stream workflow ${id}`,
			nodes: [this.node(parameters)],
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
				(data: INodeExecutionData[][]) => {
					const item = data[0][0].json;
					emitted.onEmit?.(item);
					emitted.items.push(item);
					(emitted.binaries ??= []).push(data[0][0].binary);
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
		const workflow = this.workflow(parameters, workflowId);
		const emitted: Emitted = { items: [], errors: [], failed: [] };
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
		const emitted: Emitted = { items: [], errors: [], failed: [] };
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
