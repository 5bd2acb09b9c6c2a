/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
import { ExecutionLifecycleHooks, WebhookContext } from 'n8n-core';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
	IDataObject,
	INode,
	INodeExecutionData,
	IWebhookData,
	IWebhookDescription,
	IRunExecutionData,
	IWebhookResponseData,
	IWorkflowBase,
} from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import type { Harness } from './engine';
import { ensureBinaryDataService } from './engine';

export interface WebhookCall {
	/** The answer as the HTTP client saw it. */
	status: number;
	contentType: string | undefined;
	body: string;
	headers: Record<string, string | string[] | undefined>;
	/** The items the trigger handed to the workflow, or undefined when no execution would start. */
	workflowData: INodeExecutionData[][] | undefined;
	/** Milliseconds from sending the request until its answer was complete. */
	answeredAfterMs: number;
}

export interface WebhookRequest {
	method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD' | 'PATCH';
	query?: Record<string, string>;
	headers?: Record<string, string>;
	body?: string | Buffer;
	/** Which of the node's webhooks to call; by default the one for the method. */
	webhookName?: string;
	/** Override the raw query string exactly (e.g. to test URL-encoding). */
	rawQuery?: string;
}

export interface WebhookServerOptions {
	/**
	 * The data of an execution that waits on this node (n8n's waiting webhooks, e.g. Send and Wait's resume links):
	 * the node's parameters then resolve against the items it was waiting with, as in n8n.
	 */
	runExecutionData?: IRunExecutionData;
}

interface Invocation {
	workflowData: INodeExecutionData[][] | undefined;
	started: Date;
}

/**
 * Serves one trigger node of this package over a real HTTP server on 127.0.0.1, the way n8n's webhook server does:
 * express, the raw body kept on `req.rawBody`, JSON bodies parsed into `req.body`, the node's `webhook()` run in
 * n8n-core's real WebhookContext, and n8n's answer rules (a node that answered itself returns `noWebhookResponse`).
 * `afterWorkflowData` lets a test stand in for the rest of the workflow (e.g. a slow downstream).
 */
export class WebhookServer {
	private server: Server | undefined;

	private readonly invocations = new Map<string, Invocation>();

	private counter = 0;

	afterWorkflowData?: (data: INodeExecutionData[][]) => Promise<void>;

	/** How many times the node handed data to a workflow. */
	executionsStarted = 0;

	private constructor(
		private readonly harness: Harness,
		readonly node: INode,
		private readonly options: WebhookServerOptions,
	) {}

	static async start(
		harness: Harness,
		node: INode,
		options: WebhookServerOptions = {},
	): Promise<WebhookServer> {
		await ensureBinaryDataService();
		const server = new WebhookServer(harness, node, options);
		await server.listen();
		return server;
	}

	get baseUrl(): string {
		const address = this.server?.address() as AddressInfo;
		return `http://127.0.0.1:${address.port}`;
	}

	/** The URL this server answers for one of the node's webhooks (n8n's would be /webhook/<id>/<path>). */
	url(webhookName = 'default'): string {
		return `${this.baseUrl}/hook/${encodeURIComponent(webhookName)}`;
	}

	async call(request: WebhookRequest): Promise<WebhookCall> {
		const id = String(++this.counter);
		const webhookName = request.webhookName ?? (request.method === 'GET' ? 'setup' : 'default');
		const query = request.rawQuery ?? new URLSearchParams(request.query ?? {}).toString();
		const url = `${this.url(webhookName)}?${query}`;
		const started = Date.now();
		const response = await fetch(url, {
			method: request.method,
			headers: { 'x-harness-call': id, ...(request.headers ?? {}) },
			body: request.body,
		});
		const body = await response.text();
		const answeredAfterMs = Date.now() - started;
		const invocation = this.invocations.get(id);
		this.invocations.delete(id);
		return {
			status: response.status,
			contentType: response.headers.get('content-type') ?? undefined,
			body,
			headers: Object.fromEntries(response.headers.entries()),
			workflowData: invocation?.workflowData,
			answeredAfterMs,
		};
	}

	async close(): Promise<void> {
		await new Promise<void>((resolve) =>
			this.server ? this.server.close(() => resolve()) : resolve(),
		);
	}

	/** The webhook named `name`; of several with that name (one per HTTP method), the one for `method`. */
	private webhookDescription(name: string, method?: string): IWebhookDescription {
		const nodeType = this.harness.nodeTypes.getByNameAndVersion(
			this.node.type,
			this.node.typeVersion,
		);
		const named = nodeType.description.webhooks?.filter((w) => w.name === name) ?? [];
		const description =
			named.find((w) => String(w.httpMethod).toUpperCase() === method?.toUpperCase()) ?? named[0];
		if (!description) throw new Error(`Node has no webhook named "${name}"`);
		return description;
	}

	private webhookPath(name: string): string {
		const path = this.webhookDescription(name).path;
		return typeof path === 'string' && !path.startsWith('=') ? path : 'webhook';
	}

	private async listen(): Promise<void> {
		const app = express();
		app.disable('x-powered-by');
		app.use(
			express.raw({
				type: () => true,
				limit: '16mb',
				verify: (req, _res, buf) => {
					(req as unknown as { rawBody: Buffer }).rawBody = Buffer.from(buf);
				},
			}),
		);
		app.all('/hook/:name', (req, res) => {
			void this.handle(req, res);
		});
		this.server = await new Promise<Server>((resolve) => {
			const s = app.listen(0, '127.0.0.1', () => resolve(s));
		});
	}

	private async handle(req: express.Request, res: express.Response): Promise<void> {
		const callId = String(req.headers['x-harness-call'] ?? '');
		const raw = req as unknown as { rawBody?: Buffer; body: unknown };
		raw.rawBody ??= Buffer.alloc(0);
		// n8n parses JSON, form-urlencoded and multipart bodies into req.body; other types stay raw for the node.
		raw.body = await parsedBody(String(req.headers['content-type'] ?? ''), raw.rawBody);
		const webhookName = String(req.params.name);
		const description = this.webhookDescription(webhookName, req.method);
		if (String(description.httpMethod).toUpperCase() !== req.method.toUpperCase()) {
			// n8n itself answers a method no webhook is registered for; the node never sees it.
			res
				.status(404)
				.json({ code: 404, message: `This webhook is not registered for ${req.method}` });
			this.invocations.set(callId, { workflowData: undefined, started: new Date() });
			return;
		}
		const workflow = this.harness.workflow([this.node]);
		const workflowData = {
			id: workflow.id,
			name: workflow.name,
			nodes: [this.node],
			connections: {},
		};
		const hooks = new ExecutionLifecycleHooks(
			'webhook',
			callId,
			workflowData as unknown as IWorkflowBase,
		);
		const additionalData = this.harness.additionalData(hooks, {
			httpRequest: req,
			httpResponse: res,
		});
		const webhookData: IWebhookData = {
			httpMethod: description.httpMethod as IWebhookData['httpMethod'],
			node: this.node.name,
			path: this.webhookPath(webhookName),
			webhookDescription: description,
			workflowId: workflow.id,
			workflowExecuteAdditionalData: additionalData,
			webhookId: this.node.webhookId,
		};
		const context = new WebhookContext(
			workflow,
			this.node,
			additionalData,
			'webhook',
			webhookData,
			[],
			this.options.runExecutionData ?? null,
		);
		const nodeType = this.harness.nodeTypes.getByNameAndVersion(
			this.node.type,
			this.node.typeVersion,
		);
		let result: IWebhookResponseData;
		try {
			result = await nodeType.webhook!.call(context);
		} catch (error) {
			// n8n answers 500 with the error message when webhook() throws.
			if (!res.headersSent) res.status(500).json({ code: 0, message: (error as Error).message });
			this.invocations.set(callId, { workflowData: undefined, started: new Date() });
			return;
		}
		const started = result.workflowData !== undefined;
		this.invocations.set(callId, { workflowData: result.workflowData, started: new Date() });
		if (!result.noWebhookResponse && !res.headersSent) {
			if (result.webhookResponse !== undefined) res.status(200).send(result.webhookResponse);
			else res.status(200).json({ message: 'Workflow was started' });
		}
		if (started) {
			this.executionsStarted++;
			if (this.afterWorkflowData) await this.afterWorkflowData(result.workflowData!);
		}
	}
}

/** One value per name, a list for a repeated name (n8n's form parsing collapses single values the same way). */
function collect(entries: Iterable<[string, unknown]>): IDataObject {
	const out: Record<string, string | string[]> = {};
	for (const [key, value] of entries) {
		if (typeof value !== 'string') continue;
		const previous = out[key];
		out[key] =
			previous === undefined
				? value
				: [...(Array.isArray(previous) ? previous : [previous]), value];
	}
	return out;
}

/** req.body as n8n's webhook server makes it: JSON parsed, urlencoded as an object, multipart as {data, files}. */
async function parsedBody(contentType: string, rawBody: Buffer): Promise<unknown> {
	if (rawBody.length === 0) return {};
	const text = rawBody.toString('utf8');
	if (contentType.includes('json')) {
		try {
			return JSON.parse(text) as IDataObject;
		} catch {
			return {};
		}
	}
	if (contentType.startsWith('application/x-www-form-urlencoded')) {
		return collect(new URLSearchParams(text).entries());
	}
	if (contentType.startsWith('multipart/form-data')) {
		const form = await new Request('http://127.0.0.1/', {
			method: 'POST',
			headers: { 'content-type': contentType },
			body: rawBody,
		}).formData();
		return { data: collect(form.entries()), files: {} };
	}
	return {};
}

export { NodeHelpers };
