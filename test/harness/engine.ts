/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
import { BinaryDataService, ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	IBinaryData,
	IConnections,
	ICredentialType,
	IDataObject,
	INode,
	INodeCredentials,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IRun,
	IRunExecutionData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { createRunExecutionData, NodeHelpers, Workflow } from 'n8n-workflow';

import { TestCredentialsHelper } from './credentialsHelper';

/** The prefix n8n gives a community package's node types (`<package>.<nodeName>`). */
export const PACKAGE = 'n8n-nodes-wecom-dingtalk';

export class TestNodeTypes implements INodeTypes {
	private readonly types = new Map<string, INodeType | IVersionedNodeType>();

	register(nodeType: INodeType | IVersionedNodeType): string {
		const name = `${PACKAGE}.${nodeType.description.name}`;
		this.types.set(name, nodeType);
		return name;
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types.get(nodeType);
		if (!type) throw new Error(`Unknown node type "${nodeType}"`);
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes() {
		return {};
	}
}

export interface RunResult {
	run: IRun;
	/** The items a node emitted on one output in its last run (default: first output). */
	output(nodeName: string, outputIndex?: number): INodeExecutionData[];
	json(nodeName: string, outputIndex?: number): IDataObject[];
	/** The error that stopped the execution, if any. */
	error: IRun['data']['resultData']['error'];
}

// n8n-core brings its own @n8n/di; other dev tools hoist an older copy, so take the container n8n-core uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Container } = require(
	require.resolve('@n8n/di', { paths: [require.resolve('n8n-core')] }),
) as {
	Container: { get<T>(type: new (...args: never[]) => T): T };
};

let binaryDataReady: Promise<void> | undefined;

/** n8n-core's binary data service with n8n's default settings, as in a real instance. */
export async function ensureBinaryDataService(): Promise<void> {
	binaryDataReady ??= Container.get(BinaryDataService).init();
	await binaryDataReady;
}

/**
 * The bytes of an item's binary, wherever n8n keeps them: in the item (base64) before the service is set up, on disk
 * (`filesystem-v2`, n8n 2.x's default mode) after.
 */
export async function binaryBytes(binary: IBinaryData): Promise<Buffer> {
	await ensureBinaryDataService();
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}

export interface HarnessOptions {
	nodeTypes: Array<INodeType | IVersionedNodeType>;
	credentialTypes: ICredentialType[];
}

let executionCounter = 0;

/**
 * Runs workflows of this package's nodes through n8n-core's real engine (WorkflowExecute), with a credentials helper
 * that behaves like n8n's. One harness = one n8n instance: credentials persist across its executions.
 */
export class Harness {
	readonly nodeTypes = new TestNodeTypes();

	readonly credentials: TestCredentialsHelper;

	readonly typeNames: Record<string, string> = {};

	constructor(options: HarnessOptions) {
		for (const nodeType of options.nodeTypes) {
			this.typeNames[nodeType.description.name] = this.nodeTypes.register(nodeType);
		}
		this.credentials = new TestCredentialsHelper(
			new Map(options.credentialTypes.map((type) => [type.name, type])),
		);
	}

	/** Full type name of one of the registered nodes, by its short name (e.g. `weCom`). */
	type(shortName: string): string {
		const name = this.typeNames[shortName];
		if (!name) throw new Error(`Node "${shortName}" is not registered in this harness`);
		return name;
	}

	workflow(nodes: INode[], connections: IConnections = {}): Workflow {
		return new Workflow({
			id: 'harness-workflow',
			name: 'Harness workflow',
			nodes,
			connections,
			nodeTypes: this.nodeTypes,
			active: false,
			settings: { executionOrder: 'v1' },
		});
	}

	additionalData(
		hooks: ExecutionLifecycleHooks,
		extra: Partial<IWorkflowExecuteAdditionalData> = {},
	): IWorkflowExecuteAdditionalData {
		const unsupported = async () => {
			throw new Error('not available in the test harness');
		};
		return {
			credentialsHelper: this.credentials,
			hooks,
			executeWorkflow: unsupported,
			getRunExecutionData: async () => undefined,
			getRuntimeCredential: async () => undefined,
			executionId: String(++executionCounter),
			currentNodeExecutionIndex: 0,
			restApiUrl: 'http://127.0.0.1:5678/rest',
			instanceBaseUrl: 'http://127.0.0.1:5678/',
			formBaseUrl: 'http://127.0.0.1:5678/form',
			formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
			formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
			webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
			webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
			webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
			mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
			mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
			variables: {},
			userId: 'harness-user',
			...extra,
		} as IWorkflowExecuteAdditionalData;
	}

	/**
	 * Executes a workflow, starting at `startNode` with `input` as its incoming items
	 * (n8n does the same for a manual run from a trigger's pinned output).
	 */
	async run(
		nodes: INode[],
		connections: IConnections,
		startNode: string,
		input: INodeExecutionData[] = [{ json: {} }],
		mode: WorkflowExecuteMode = 'manual',
		/** Adds handlers to the run's lifecycle hooks (e.g. 'sendResponse', what n8n relays to the trigger's process). */
		configureHooks?: (hooks: ExecutionLifecycleHooks) => void,
	): Promise<RunResult> {
		await ensureBinaryDataService();
		const workflow = this.workflow(nodes, connections);
		const start = workflow.getNode(startNode);
		if (!start) throw new Error(`No node named "${startNode}"`);
		const workflowData: IWorkflowBase = {
			id: workflow.id,
			name: workflow.name ?? 'Harness workflow',
			active: false,
			activeVersionId: null,
			isArchived: false,
			createdAt: new Date(),
			updatedAt: new Date(),
			nodes,
			connections,
			settings: {},
		} as IWorkflowBase;
		const hooks = new ExecutionLifecycleHooks(mode, String(executionCounter + 1), workflowData);
		let finished: IRun | undefined;
		hooks.addHandler('workflowExecuteAfter', (run) => {
			finished = run;
		});
		configureHooks?.(hooks);
		const runExecutionData: IRunExecutionData = createRunExecutionData({
			executionData: {
				nodeExecutionStack: [{ node: start, data: { main: [input] }, source: null }],
			},
		});
		const execute = new WorkflowExecute(this.additionalData(hooks), mode, runExecutionData);
		const returned = await execute.processRunExecutionData(workflow);
		const run = finished ?? returned;
		const output = (nodeName: string, outputIndex = 0) => {
			const runs = run.data.resultData.runData[nodeName];
			if (!runs?.length) return [];
			return runs[runs.length - 1].data?.main?.[outputIndex] ?? [];
		};
		return {
			run,
			output,
			json: (nodeName, outputIndex) =>
				output(nodeName, outputIndex).map((item: INodeExecutionData) => item.json),
			error: run.data.resultData.error,
		};
	}

	/** Runs one node of this package on the given items. */
	async runNode(
		node: Omit<INode, 'id' | 'position' | 'typeVersion'> & { typeVersion?: number },
		input: INodeExecutionData[] = [{ json: {} }],
	): Promise<RunResult & { items: INodeExecutionData[] }> {
		const full: INode = { id: 'node-under-test', position: [0, 0], typeVersion: 1, ...node };
		const result = await this.run([full], {}, full.name, input);
		return { ...result, items: result.output(full.name) };
	}

	/** `credentials` entry for a node, for a credential stored in this harness. */
	static nodeCredentials(
		type: string,
		details: { id: string | null; name: string },
	): INodeCredentials {
		return { [type]: details };
	}
}
