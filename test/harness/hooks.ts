// A trigger's webhookMethods the way n8n 2.41 runs them (WebhookService.createWebhookIfNotExists / deleteWebhook):
// n8n-core's real HookContext, checkExists then create on activation, delete on deactivation — for each webhook
// whose httpMethod resolves to something (an empty method registers nothing, so its methods never run), worked out as
// n8n does: the description's native resolver first, the expression otherwise.
import { ExecutionLifecycleHooks, HookContext } from 'n8n-core';
import {
	Workflow,
	type INode,
	type IWebhookData,
	type IWorkflowBase,
	type WorkflowActivateMode,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import type { Harness } from './engine';
import { webhookMethod } from './webhook';

export interface HookRunOptions {
	/** n8n's webhook base URL, e.g. a WebhookServer's webhookBaseUrl(); the node's production URL is built on it. */
	webhookBaseUrl: string;
	workflowId?: string;
	/** 'webhook' for a published workflow, 'manual' for 'Listen for test event'. */
	mode?: WorkflowExecuteMode;
	activation?: WorkflowActivateMode;
}

export interface HookRun {
	/** What checkExists answered, per webhook name (activation only). */
	existed: Record<string, boolean>;
	/** The webhooks whose create (activation) or delete (deactivation) ran. */
	ran: string[];
}

type Method = 'checkExists' | 'create' | 'delete';

function contexts(harness: Harness, node: INode, options: HookRunOptions, deactivation = false) {
	const test = options.mode === 'manual';
	// n8n deletes webhooks (published or test) in mode 'internal', activation 'update'.
	const mode: WorkflowExecuteMode = deactivation ? 'internal' : (options.mode ?? 'webhook');
	const workflow = new Workflow({
		id: options.workflowId ?? 'harness-workflow',
		name: 'Harness workflow',
		nodes: [node],
		connections: {},
		nodeTypes: harness.nodeTypes,
		active: !test,
		settings: { executionOrder: 'v1' },
	});
	const hooks = new ExecutionLifecycleHooks(mode, 'hooks', {
		id: workflow.id,
		name: workflow.name,
		nodes: [node],
		connections: {},
	} as unknown as IWorkflowBase);
	const additionalData = harness.additionalData(hooks, {
		webhookBaseUrl: options.webhookBaseUrl,
		webhookTestBaseUrl: options.webhookBaseUrl.replace(/\/webhook$/, '/webhook-test'),
	});
	const nodeType = harness.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
	const described = (nodeType.description.webhooks ?? []).filter((description) => {
		const method = webhookMethod(workflow, node, description, mode);
		return typeof method === 'string' && method !== '';
	});
	return described.map((description) => {
		const webhookData = {
			httpMethod: 'POST',
			node: node.name,
			path: String(description.path),
			webhookDescription: description,
			workflowId: workflow.id,
			workflowExecuteAdditionalData: additionalData,
			isTest: test,
		} as unknown as IWebhookData;
		const context = new HookContext(
			workflow,
			node,
			additionalData,
			mode,
			deactivation ? 'update' : (options.activation ?? (test ? 'manual' : 'activate')),
			webhookData,
		);
		const run = async (method: Method): Promise<boolean | undefined> => {
			const fn = nodeType.webhookMethods?.[description.name]?.[method];
			return fn ? await fn.call(context) : undefined;
		};
		return { name: description.name, run };
	});
}

/** Activation: checkExists, and create when it said no (as n8n does). */
export async function activateWebhooks(
	harness: Harness,
	node: INode,
	options: HookRunOptions,
): Promise<HookRun> {
	const result: HookRun = { existed: {}, ran: [] };
	for (const { name, run } of contexts(harness, node, options)) {
		const exists = (await run('checkExists')) === true;
		result.existed[name] = exists;
		if (!exists) {
			await run('create');
			result.ran.push(name);
		}
	}
	return result;
}

/** Deactivation (of a published workflow, or of a test listener with mode 'manual'): delete for each webhook. */
export async function deactivateWebhooks(
	harness: Harness,
	node: INode,
	options: HookRunOptions,
): Promise<HookRun> {
	const result: HookRun = { existed: {}, ran: [] };
	for (const { name, run } of contexts(harness, node, options, true)) {
		await run('delete');
		result.ran.push(name);
	}
	return result;
}
