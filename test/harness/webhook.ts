/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error -- test code: runs under Node and jest, never inside n8n */
import { ExecutionLifecycleHooks, WebhookContext } from 'n8n-core';
import express from 'express';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQueryString } from 'node:querystring';
import type { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import getRawBody from 'raw-body';
import {
	jsonParse,
	NodeHelpers,
	resolveWebhookDescriptionField,
	sanitizeXmlName,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type IWebhookData,
	type IWebhookDescription,
	type IRunExecutionData,
	type IWebhookResponseData,
	type IWorkflowBase,
	type Workflow,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import type { Harness } from './engine';
import { ensureBinaryDataService } from './engine';

export interface WebhookServerOptions {
	/**
	 * The data of an execution that waits on this node (n8n's waiting webhooks, e.g. Send and Wait's resume links):
	 * the node's parameters then resolve against the items it was waiting with, as in n8n.
	 */
	runExecutionData?: IRunExecutionData;
}

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
	/** Give up waiting for the answer after this long (the request then rejects). */
	timeoutMs?: number;
}

interface Invocation {
	workflowData: INodeExecutionData[][] | undefined;
	started: Date;
}

// What n8n 2.41 does with a webhook request around the node (read from its dist: middlewares/body-parser.js,
// webhooks/webhook-helpers.js, webhooks/webhook-request-handler.js), reproduced closely enough that a node
// behaves here as it does in n8n — including the shared XML parser that garbage can wedge.

/** n8n's N8N_PAYLOAD_SIZE_MAX default, in MiB. */
const PAYLOAD_SIZE_MAX_MIB = 16;

// xml2js (n8n's own version, 0.6.2, present through n8n-workflow) has no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Parser: XmlParser } = require('xml2js') as {
	Parser: new (options: object) => { parseStringPromise(xml: string): Promise<unknown> };
};

// ONE parser for the whole process, with n8n's options, as in n8n's body-parser.
const xmlParser = new XmlParser({
	async: true,
	normalize: true,
	normalizeTags: true,
	explicitArray: false,
	tagNameProcessors: [sanitizeXmlName],
	attrNameProcessors: [sanitizeXmlName],
});

/** An error n8n answers with its own status (n8n's ResponseError below 500); anything else is a 500. */
class ResponseError extends Error {
	constructor(
		readonly httpStatusCode: number,
		message: string,
	) {
		super(message);
	}
}

interface N8nRequest extends IncomingMessage {
	contentType?: string;
	encoding: BufferEncoding;
	rawBody: Buffer;
	readRawBody(): Promise<void>;
	_body: boolean;
	body: unknown;
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

/** A multipart body as n8n's webhook server makes it: {data, files}. */
async function multipartBody(req: N8nRequest): Promise<IDataObject> {
	await req.readRawBody();
	const form = await new Request('http://127.0.0.1/', {
		method: 'POST',
		headers: { 'content-type': String(req.headers['content-type'] ?? '') },
		body: req.rawBody,
	}).formData();
	return { data: collect(form.entries()), files: {} };
}

/** n8n's rawBodyReader: content type and charset on the request, and a body read only on demand. */
function rawBodyReader(req: N8nRequest): void {
	const header = req.headers['content-type'];
	if (header) {
		const [type, ...parameters] = header.split(';');
		req.contentType = type.toLowerCase();
		const charset = parameters
			.map((p) => p.trim().split('='))
			.find(([key]) => key.toLowerCase() === 'charset')?.[1];
		req.encoding = (charset ?? 'utf-8').toLowerCase() as BufferEncoding;
	}
	req.readRawBody = async () => {
		if (req.rawBody) return;
		let stream: Readable = req;
		let length: string | undefined;
		switch (req.headers['content-encoding']) {
			case 'gzip':
				stream = req.pipe(createGunzip());
				break;
			case 'deflate':
				stream = req.pipe(createInflate());
				break;
			default:
				length = req.headers['content-length'];
		}
		if (req.destroyed || !stream.readable) {
			throw new ResponseError(400, 'Request body stream was aborted or is not readable');
		}
		req.rawBody = await getRawBody(stream, { length, limit: `${PAYLOAD_SIZE_MAX_MIB}mb` });
		req._body = true;
	};
}

/** n8n's parseBody: JSON, XML (the shared parser), form and plain text into req.body. */
async function parseBody(req: N8nRequest): Promise<void> {
	if (req.contentType?.startsWith('multipart/')) return;
	await req.readRawBody();
	const { rawBody, contentType, encoding } = req;
	if (!rawBody?.length) return;
	const text = () => {
		const t = rawBody.toString(encoding);
		return t.charCodeAt(0) === 0xfeff ? t.slice(1) : t;
	};
	try {
		if (contentType === 'application/json') req.body = jsonParse(text());
		else if (contentType?.endsWith('/xml') || contentType?.endsWith('+xml')) {
			req.body = (await xmlParser.parseStringPromise(rawBody.toString(encoding))) as unknown;
		} else if (contentType === 'application/x-www-form-urlencoded') {
			req.body = parseQueryString(text(), undefined, undefined, { maxKeys: 1000 });
		} else if (contentType === 'text/plain') req.body = rawBody.toString(encoding);
	} catch (error) {
		throw new ResponseError(422, `Failed to parse request body: ${(error as Error).message}`);
	}
}

function isParsableContentType(contentType: string | undefined): boolean {
	if (!contentType) return false;
	return (
		contentType.startsWith('application/json') ||
		contentType.startsWith('text/plain') ||
		contentType.startsWith('application/x-www-form-urlencoded') ||
		contentType.endsWith('/xml') ||
		contentType.endsWith('+xml')
	);
}

/**
 * n8n's parseRequestBody: a typeVersion 1 start node whose `options.binaryData` evaluates truthy gets
 * its body untouched (the node reads the stream); otherwise n8n reads and parses it first.
 */
async function parseRequestBody(
	req: N8nRequest,
	node: INode,
	workflow: Workflow,
	mode: 'webhook' | 'manual',
): Promise<void> {
	if (node.typeVersion === 1) {
		const binaryData = workflow.expression.getSimpleParameterValue(
			node,
			'={{$parameter["options"]["binaryData"]}}',
			mode,
			{},
			undefined,
			false,
		);
		if (binaryData) return;
	}
	if (req.contentType === 'multipart/form-data') {
		req.body = await multipartBody(req);
		return;
	}
	if (node.typeVersion > 1 && !isParsableContentType(req.contentType)) return;
	await parseBody(req);
}

/** n8n's answer for an error before or around the node (sendErrorResponse). */
function sendError(res: express.Response, error: unknown): void {
	const status =
		error instanceof ResponseError && error.httpStatusCode < 500 ? error.httpStatusCode : 500;
	const message =
		status < 500 ? (error as Error).message : 'There was a problem executing the workflow';
	res.status(status).json({ code: status, message });
}

/** n8n's answer for data it sends itself: a string as is (text/html unless set), anything else as JSON. */
function sendData(res: express.Response, data: unknown, status: number): void {
	res.status(status);
	if (typeof data === 'string') res.send(data);
	else res.json(data);
}

/**
 * Serves one trigger node of this package over a real HTTP server on 127.0.0.1 the way n8n 2.41's webhook
 * server does: the body left unread until n8n's parseRequestBody (above) or the node reads it, the node's
 * `webhook()` run in n8n-core's real WebhookContext, and n8n's answer rules — a node that answered itself
 * returns `noWebhookResponse`; otherwise for responseMode `onReceived` n8n first records the execution
 * (WorkflowRunner.run) and then answers with the description's `responseData` (default: the literal text
 * `firstEntryJson`) or the node's `webhookResponse`. `afterWorkflowData` stands in for the rest of the
 * workflow (it runs after the answer); `failRecords` makes the next recordings fail, as when n8n's
 * database is unavailable.
 */
export class WebhookServer {
	private server: Server | undefined;

	private readonly invocations = new Map<string, Invocation>();

	private counter = 0;

	afterWorkflowData?: (data: INodeExecutionData[][]) => Promise<void>;

	/** How many times n8n recorded an execution (the node handed data to a workflow and it was stored). */
	executionsStarted = 0;

	/** The next this-many recordings fail: n8n answers 500 and starts nothing. */
	failRecords = 0;

	/** How long storing an execution takes (n8n writes it to its database before answering). */
	recordDelayMs = 0;

	/** n8n's execution mode for the request: 'webhook' (production URL) or 'manual' (test URL). */
	mode: 'webhook' | 'manual' = 'webhook';

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

	/** What n8n's webhookBaseUrl would be if this server were n8n: the node's production URL lands here. */
	webhookBaseUrl(): string {
		return `${this.baseUrl}/webhook`;
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
			signal: request.timeoutMs ? AbortSignal.timeout(request.timeoutMs) : undefined,
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
		// Requests n8n would leave hanging (a wedged parser) must not keep the server open.
		this.server?.closeAllConnections();
		await new Promise<void>((resolve) =>
			this.server ? this.server.close(() => resolve()) : resolve(),
		);
	}

	/**
	 * The HTTP methods n8n registers for a webhook: `httpMethod` evaluated against the node's parameters (an expression
	 * may depend on them), split at commas; an empty value registers nothing (n8n's WebhookService.getNodeWebhooks).
	 */
	private registeredMethods(description: IWebhookDescription): string[] {
		const value = webhookMethod(
			this.harness.workflow([this.node]),
			this.node,
			description,
			this.mode,
		);
		return String(value)
			.split(',')
			.map((m) => m.trim().toUpperCase())
			.filter((m) => m !== '');
	}

	/** The webhook named `name`; of several with that name (one per HTTP method), the one for `method`. */
	private webhookDescription(name: string, method?: string): IWebhookDescription {
		const nodeType = this.harness.nodeTypes.getByNameAndVersion(
			this.node.type,
			this.node.typeVersion,
		);
		const named = nodeType.description.webhooks?.filter((w) => w.name === name) ?? [];
		const description =
			named.find((w) => this.registeredMethods(w).includes(String(method).toUpperCase())) ??
			named[0];
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
		app.all('/hook/:name', (req, res) => {
			void this.handle(req, res, String(req.params.name));
		});
		// The node's production URL as n8n builds it (webhookBaseUrl() + /<webhookId>/<path>): its default webhook.
		app.all('/webhook/*rest', (req, res) => {
			void this.handle(req, res, 'default');
		});
		this.server = await new Promise<Server>((resolve) => {
			const s = app.listen(0, '127.0.0.1', () => resolve(s));
		});
	}

	private async handle(
		req: express.Request,
		res: express.Response,
		webhookName: string,
	): Promise<void> {
		const callId = String(req.headers['x-harness-call'] ?? '');
		const n8nReq = req as unknown as N8nRequest;
		rawBodyReader(n8nReq);
		const description = this.webhookDescription(webhookName, req.method);
		if (!this.registeredMethods(description).includes(req.method.toUpperCase())) {
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
			this.mode,
			callId,
			workflowData as unknown as IWorkflowBase,
		);
		const additionalData = this.harness.additionalData(hooks, {
			httpRequest: req,
			httpResponse: res,
		});
		const webhookData: IWebhookData = {
			httpMethod: req.method.toUpperCase() as IWebhookData['httpMethod'],
			node: this.node.name,
			path: this.webhookPath(webhookName),
			webhookDescription: description,
			workflowId: workflow.id,
			workflowExecuteAdditionalData: additionalData,
			webhookId: this.node.webhookId,
		};
		const nodeType = this.harness.nodeTypes.getByNameAndVersion(
			this.node.type,
			this.node.typeVersion,
		);
		const nothingStarted = () =>
			this.invocations.set(callId, { workflowData: undefined, started: new Date() });
		try {
			await parseRequestBody(n8nReq, workflow.getNode(this.node.name)!, workflow, this.mode);
		} catch (error) {
			sendError(res, error);
			nothingStarted();
			return;
		}
		n8nReq.body ??= {};
		const context = new WebhookContext(
			workflow,
			workflow.getNode(this.node.name)!,
			additionalData,
			this.mode,
			webhookData,
			[],
			this.options.runExecutionData ?? null,
		);
		let result: IWebhookResponseData;
		try {
			result = await nodeType.webhook!.call(context);
		} catch (error) {
			// n8n answers 500 when webhook() throws.
			if (!res.headersSent) res.status(500).json({ code: 0, message: (error as Error).message });
			nothingStarted();
			return;
		}
		const didSendResponse = result.noWebhookResponse === true;
		if (result.workflowData === undefined) {
			if (!didSendResponse) {
				sendData(res, result.webhookResponse ?? { message: 'Webhook call received' }, 200);
			}
			nothingStarted();
			return;
		}
		const responseMode = description.responseMode ?? 'onReceived';
		if (responseMode !== 'onReceived') {
			throw new Error(`The test harness serves responseMode onReceived only, not ${responseMode}`);
		}
		// WorkflowRunner.run: the execution is stored first; if that fails n8n answers 500 and starts nothing.
		if (this.recordDelayMs > 0) await new Promise((done) => setTimeout(done, this.recordDelayMs));
		if (this.failRecords > 0) {
			this.failRecords--;
			if (!didSendResponse) sendError(res, new Error('SQLITE_BUSY: database is locked'));
			nothingStarted();
			return;
		}
		this.executionsStarted++;
		this.invocations.set(callId, { workflowData: result.workflowData, started: new Date() });
		if (!didSendResponse) {
			// shouldDeferOnReceivedResponse: the answer, now that the execution is recorded.
			const responseData =
				description.responseData === undefined ? 'firstEntryJson' : description.responseData;
			const body =
				responseData === 'noData'
					? undefined
					: responseData || (result.webhookResponse ?? { message: 'Workflow was started' });
			sendData(res, body, 200);
		}
		if (this.afterWorkflowData) await this.afterWorkflowData(result.workflowData);
	}
}

export { NodeHelpers };

/**
 * A webhook's httpMethod as n8n 2.41 works it out (WebhookService.evaluateDescriptionProperty): the description's
 * native resolver when it has one and the node's parameters are static, else the expression; 'GET' when unset.
 */
export function webhookMethod(
	workflow: Workflow,
	node: INode,
	description: IWebhookDescription,
	mode: WorkflowExecuteMode,
): unknown {
	// The workflow's own node: its parameters carry the defaults the resolver relies on, as in n8n.
	const own = workflow.getNode(node.name) ?? node;
	const native = resolveWebhookDescriptionField(own, description, 'httpMethod');
	if (native.resolved) return native.value;
	return workflow.expression.getSimpleParameterValue(
		own,
		description.httpMethod,
		mode,
		{},
		undefined,
		'GET',
	);
}
