/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// The WeCom AI Bot Trigger the way n8n 2.41 runs a trigger: published workflows through n8n-core's
// ActiveWorkflowTriggers (activation, deactivation closing everything), "Listen for test event" through
// TriggersAndPollers in manual mode. Each emit starts a real n8n-core execution of the whole workflow (trigger → the
// reply nodes), and its donePromise settles after the execution's workflowExecuteAfter hooks, as n8n's server does
// (packages/cli TriggerExecutionContextFactory.emit). emitError and saveFailedExecution are recorded.
import {
	ActiveWorkflowTriggers,
	ExecutionLifecycleHooks,
	InstanceSettings,
	TriggerContext,
	TriggersAndPollers,
	WorkflowExecute,
} from 'n8n-core';
import {
	createRunExecutionData,
	Workflow,
	type IConnections,
	type IDataObject,
	type IExecuteResponsePromiseData,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type IRun,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type WorkflowActivateMode,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { WeComAiBotApi } from '../../credentials/WeComAiBotApi.credentials';
import { allHeldConnections } from '../../nodes/WeComAiBot/connection/registry';
import { resetAiBotReplySessions } from '../../nodes/WeComAiBot/reply/session';
import {
	resetAiBotMessageWindow,
	setAiBotTestHooks,
} from '../../nodes/WeComAiBot/trigger/connection';
import { WeComAiBot } from '../../nodes/WeComAiBot/WeComAiBot.node';
import { WeComAiBotStreaming } from '../../nodes/WeComAiBot/WeComAiBotStreaming.node';
import { WeComAiBotTrigger } from '../../nodes/WeComAiBot/WeComAiBotTrigger.node';
import { FakeAgent, FakeChatModel } from '../dingtalk/aiSupport';
import type { ApiEmulator } from '../emulator';
import { AIBOT_SEED, AIBOT_SOCKET_PATH } from '../emulator/wecom/aiBotServer';
import { ensureBinaryDataService, Harness } from '../harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Container } = require(
	require.resolve('@n8n/di', { paths: [require.resolve('n8n-core')] }),
) as { Container: { get<T>(type: abstract new (...args: never[]) => T): T } };

export function aiBotUrl(emulator: ApiEmulator): string {
	return `${emulator.baseUrl.replace(/^http/, 'ws')}${AIBOT_SOCKET_PATH}`;
}

/** Short timings: pings every 2 s, quick back-off (ticks still come once a second). */
export function useAiBotTestTimings(extra: { failedRunGraceMs?: number } = {}): void {
	setAiBotTestHooks({
		...extra,
		timing: {
			pingIntervalMs: 2000,
			backoff: { initialMs: 50, maxMs: 400, jitter: 0.25 },
			stableAfterMs: 0,
			ackTimeoutMs: 3000,
		},
	});
}

export interface AiBotExecution {
	id: string;
	item: IDataObject;
	status: string;
	run?: IRun;
}

export interface AiBotEmitted {
	/**
	 * The run of each emit happens elsewhere (a queue-mode worker): called instead of running it here, with the emit's
	 * responsePromise and donePromise, which n8n's main process settles from the worker's job messages.
	 */
	remote?: (
		item: IDataObject,
		response: IDeferredPromise<IExecuteResponsePromiseData> | undefined,
		done: IDeferredPromise<IRun> | undefined,
	) => void;
	/** Holds an execution's end (its workflowExecuteAfter) until the promise settles. */
	hold?: (item: IDataObject) => Promise<void> | undefined;
	items: IDataObject[];
	/** The binary data of each emitted item (its attachments), in the order of items. */
	binaries: Array<INodeExecutionData['binary']>;
	keys: Array<string | undefined>;
	executions: AiBotExecution[];
	errors: Error[];
	failed: Error[];
}

interface IDeferredPromise<T> {
	promise: Promise<T>;
	resolve: (value: T) => void;
	reject: (error: Error) => void;
}

/** What a trigger has emitted before its first event. */
function noneEmitted(): AiBotEmitted {
	return { items: [], binaries: [], keys: [], executions: [], errors: [], failed: [] };
}

let counter = 0;

export const TRIGGER = 'WeCom AI Bot Trigger';

export class AiBotRig {
	readonly harness = new Harness({
		nodeTypes: [
			new WeComAiBotTrigger(),
			new WeComAiBot(),
			new WeComAiBotStreaming(),
			new FakeChatModel(),
			new FakeAgent(),
		],
		credentialTypes: [new WeComAiBotApi()],
	});

	readonly credential: { id: string; name: string };

	private readonly active = new Set<string>();

	constructor(emulator: ApiEmulator, data: Record<string, string> = {}) {
		this.credential = this.harness.credentials.add('weComAiBotApi', {
			botId: AIBOT_SEED.botId,
			secret: AIBOT_SEED.secret,
			url: aiBotUrl(emulator),
			...data,
		}) as { id: string; name: string };
		Container.get(InstanceSettings).markAsLeader();
	}

	triggerNode(parameters: INodeParameters = {}): INode {
		return {
			id: `aibot-trigger-${++counter}`,
			name: TRIGGER,
			type: this.harness.type('weComAiBotTrigger'),
			typeVersion: 1,
			position: [0, 0],
			parameters,
			credentials: { weComAiBotApi: this.credential },
		};
	}

	/** A WeCom AI Bot (reply) node. */
	replyNode(name: string, parameters: INodeParameters): INode {
		return {
			id: `aibot-reply-${++counter}`,
			name,
			type: this.harness.type('weComAiBot'),
			typeVersion: 1,
			position: [200, 0],
			parameters: { resource: 'aiReply', ...parameters },
			credentials: { weComAiBotApi: this.credential },
		};
	}

	/** Any other node of the harness (the streaming sub-node, the stand-in model and agent). */
	node(
		name: string,
		type: string,
		parameters: INodeParameters = {},
		extra: Partial<INode> = {},
	): INode {
		return {
			id: `aibot-node-${++counter}`,
			name,
			type: this.harness.type(type),
			typeVersion: 1,
			position: [400, 0],
			parameters,
			...extra,
		};
	}

	/**
	 * Trigger → Start → Agent (model through the WeCom AI Bot Streaming sub-node) → Finish, the Agent's error output →
	 * Fail: the shape of examples/wecom-ai-agent-chat.json with stand-ins for n8n's AI nodes.
	 */
	agentWorkflow(agent: INodeParameters, streamOptions: INodeParameters = {}) {
		const nodes = [
			this.triggerNode(),
			this.replyNode('Thinking', { operation: 'start' }),
			this.node('Agent', 'fakeAgent', agent, { onError: 'continueErrorOutput' }),
			this.node('Model', 'fakeChatModel'),
			this.node(
				'Streaming',
				'weComAiBotStreaming',
				{ options: streamOptions },
				{
					credentials: { weComAiBotApi: this.credential },
				},
			),
			this.replyNode('Finish', { operation: 'finish' }),
			this.replyNode('Fail', { operation: 'fail' }),
		];
		const connections: IConnections = {
			[TRIGGER]: { main: [[{ node: 'Thinking', type: 'main', index: 0 }]] },
			Thinking: { main: [[{ node: 'Agent', type: 'main', index: 0 }]] },
			Agent: {
				main: [
					[{ node: 'Finish', type: 'main', index: 0 }],
					[{ node: 'Fail', type: 'main', index: 0 }],
				],
			},
			Model: { ai_languageModel: [[{ node: 'Streaming', type: 'ai_languageModel', index: 0 }]] },
			Streaming: { ai_languageModel: [[{ node: 'Agent', type: 'ai_languageModel', index: 0 }]] },
		};
		return { nodes, connections };
	}

	/** Trigger → each of `after` in a chain. */
	chain(trigger: INode, after: INode[]): { nodes: INode[]; connections: IConnections } {
		const nodes = [trigger, ...after];
		const connections: IConnections = {};
		for (let i = 0; i < nodes.length - 1; i++) {
			connections[nodes[i].name] = {
				main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]],
			};
		}
		return { nodes, connections };
	}

	private workflow(id: string, nodes: INode[], connections: IConnections): Workflow {
		return new Workflow({
			id,
			name: `AI bot workflow ${id}`,
			nodes,
			connections,
			nodeTypes: this.harness.nodeTypes,
			active: true,
			settings: { executionOrder: 'v1' },
		});
	}

	private hooks(workflow: Workflow, mode: WorkflowExecuteMode, executionId: string) {
		return new ExecutionLifecycleHooks(mode, executionId, {
			id: workflow.id,
			name: workflow.name,
			nodes: Object.values(workflow.nodes),
			connections: workflow.connectionsBySourceNode,
		} as unknown as IWorkflowBase);
	}

	private startExecution(
		emitted: AiBotEmitted,
		workflow: Workflow,
		node: INode,
		data: INodeExecutionData[][],
		donePromise?: IDeferredPromise<IRun>,
		response?: IDeferredPromise<IExecuteResponsePromiseData>,
	): void {
		const execution: AiBotExecution = {
			id: `aibot-exec-${++counter}`,
			item: data[0][0].json,
			status: 'running',
		};
		emitted.executions.push(execution);
		const finished = (async () => {
			await ensureBinaryDataService();
			const hooks = this.hooks(workflow, 'trigger', execution.id);
			const hold = emitted.hold?.(data[0][0].json);
			hooks.addHandler('workflowExecuteAfter', async (run) => {
				await hold;
				execution.status = run.status;
				execution.run = run;
			});
			// n8n 2.41 WorkflowRunner.runMainProcess: a node's sendResponse() resolves the emit's responsePromise.
			hooks.addHandler('sendResponse', (answer) => response?.resolve(answer));
			const additional = this.harness.additionalData(hooks, { executionId: execution.id });
			return await new WorkflowExecute(
				additional,
				'trigger',
				createRunExecutionData({
					executionData: { nodeExecutionStack: [{ node, data: { main: data }, source: null }] },
				}),
			).processRunExecutionData(workflow);
		})();
		if (donePromise) void finished.then(donePromise.resolve, donePromise.reject);
	}

	private triggerFunctions(emitted: AiBotEmitted) {
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
					response?: IDeferredPromise<IExecuteResponsePromiseData>,
					donePromise?: IDeferredPromise<IRun>,
					deduplicationKey?: string,
				) => {
					emitted.items.push(data[0][0].json);
					emitted.binaries.push(data[0][0].binary);
					emitted.keys.push(deduplicationKey);
					if (mode !== 'trigger') return;
					if (emitted.remote) emitted.remote(data[0][0].json, response, donePromise);
					else this.startExecution(emitted, workflow, node, data, donePromise, response);
				},
				(error: Error) => emitted.errors.push(error),
				(error: Error) => emitted.failed.push(error),
			);
	}

	/** Publishes a workflow (activation as n8n does it); returns what its emits started. */
	async activate(
		nodes: INode[],
		connections: IConnections = {},
	): Promise<{ workflowId: string; emitted: AiBotEmitted }> {
		const workflowId = `aibot-wf-${++counter}`;
		const workflow = this.workflow(workflowId, nodes, connections);
		const emitted = noneEmitted();
		const hooks = this.hooks(workflow, 'trigger', `activation-${workflowId}`);
		await Container.get(ActiveWorkflowTriggers).addAllTriggers(
			workflowId,
			workflow,
			this.harness.additionalData(hooks),
			'trigger',
			'activate',
			this.triggerFunctions(emitted),
			() => {
				throw new Error('no poll nodes here');
			},
		);
		this.active.add(workflowId);
		return { workflowId, emitted };
	}

	async deactivate(workflowId: string): Promise<void> {
		this.active.delete(workflowId);
		await Container.get(ActiveWorkflowTriggers).remove(workflowId);
	}

	/** "Listen for test event": resolves with the trigger's response; `first` with the first event's items. */
	async listen(nodes: INode[], connections: IConnections = {}) {
		const workflow = this.workflow(`manual-${++counter}`, nodes, connections);
		const node = workflow.getNode(TRIGGER)!;
		const emitted = noneEmitted();
		const hooks = this.hooks(workflow, 'manual', `listen-${counter}`);
		const response = await Container.get(TriggersAndPollers).runTriggerFunction(
			workflow,
			node,
			this.triggerFunctions(emitted),
			this.harness.additionalData(hooks),
			'manual',
			'manual',
		);
		return { response: response!, emitted };
	}

	async stopAll(): Promise<void> {
		for (const id of [...this.active]) await this.deactivate(id);
		for (const client of allHeldConnections()) client.close();
		resetAiBotReplySessions();
		resetAiBotMessageWindow();
	}
}
