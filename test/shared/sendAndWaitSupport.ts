// Helpers for the Send and Wait tests of every channel: the signed links in a message, the run that must not show
// them, and the node's webhook served in the context of the execution that waits on it.
import type { IDataObject, INode, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { WAIT_INDEFINITELY } from 'n8n-workflow';

import type { Harness, RunResult, WebhookCall } from '../harness';
import { WebhookServer } from '../harness';

export const NODE_ID = 'node-under-test';
export const EXECUTION_PATH = new RegExp(`^/webhook-waiting/\\d+/${NODE_ID}$`);

export const double = {
	values: { approvalType: 'double', approveLabel: '同意', disapproveLabel: '拒绝' },
};
export const twoHours = {
	limitWaitTime: {
		values: { limitType: 'afterTimeInterval', resumeAmount: 2, resumeUnit: 'hours' },
	},
};
export const DEADLINE = /^截止 Due \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(UTC[+-]\d+(:\d+)?\)$/;

export interface Link {
	url: string;
	path: string;
	params: Record<string, string>;
}

export function link(url: string): Link {
	const parsed = new URL(url);
	return { url, path: parsed.pathname, params: Object.fromEntries(parsed.searchParams.entries()) };
}

/**
 * Checks links of one message: n8n's signed resume URLs of this node, each with its own signature, `approved` as
 * given per link (undefined: none), and the deadline when the run waits until one.
 */
export function expectSignedLinks(
	result: RunResult,
	links: Array<[string, 'true' | 'false' | undefined]>,
): Link[] {
	const waitTill = result.run.waitTill?.getTime();
	const limited = waitTill !== undefined && waitTill !== WAIT_INDEFINITELY.getTime();
	const parsed = links.map(([url, approved]) => {
		const l = link(url);
		expect(url.startsWith('http://127.0.0.1:5678/webhook-waiting/')).toBe(true);
		expect(l.path).toMatch(EXECUTION_PATH);
		expect(l.params).toEqual({
			...(approved ? { approved } : {}),
			...(limited ? { until: String(waitTill) } : {}),
			signature: expect.stringMatching(/^[0-9a-f]{64}$/),
		});
		return l;
	});
	return parsed;
}

/** Every resume-link signature in what a platform received. */
export function signaturesIn(received: unknown): string[] {
	return (JSON.stringify(received).match(/signature=([0-9a-f]{64})/g) ?? []).map((match) =>
		match.slice('signature='.length),
	);
}

/** The run shows none of the links the platform received: not in its items, its error, its run data. */
export function expectNoLinks(result: RunResult & { items: unknown }, received: unknown): void {
	const signatures = signaturesIn(received);
	expect(signatures.length).toBeGreaterThan(0);
	const seen = JSON.stringify({
		items: result.items,
		error: result.error && {
			message: result.error.message,
			description: (result.error as { description?: string }).description,
			stack: result.error.stack,
		},
		run: result.run,
	});
	for (const signature of signatures) expect(seen).not.toContain(signature);
	expect(seen).not.toContain('webhook-waiting');
}

/** The node's webhook, served in the context of the execution that waits on it (as n8n does for its links). */
export async function waitingWebhook(
	harness: Harness,
	node: Omit<INode, 'id' | 'position' | 'typeVersion'> & { parameters: INodeParameters },
	result: RunResult,
): Promise<WebhookServer> {
	expect(result.run.status).toBe('waiting');
	return await WebhookServer.start(
		harness,
		{ id: NODE_ID, typeVersion: 1, position: [0, 0], ...node },
		{ runExecutionData: result.run.data },
	);
}

/** Opens (GET) or answers (POST, a multipart form as the page sends it) a link. */
export async function openLink(
	server: WebhookServer,
	method: 'GET' | 'POST',
	target: Link,
	form?: Record<string, string>,
): Promise<WebhookCall> {
	if (!form) return await server.call({ method, webhookName: 'default', query: target.params });
	const body = new FormData();
	for (const [key, value] of Object.entries(form)) body.append(key, value);
	const encoded = new Request('http://127.0.0.1/', { method: 'POST', body });
	return await server.call({
		method,
		webhookName: 'default',
		query: target.params,
		headers: { 'content-type': encoded.headers.get('content-type')! },
		body: Buffer.from(await encoded.arrayBuffer()),
	});
}

/** The answer a POST resumed the execution with (`data` of the one item). */
export function answerOf(call: WebhookCall): IDataObject {
	expect(call.status).toBe(200);
	expect(call.workflowData).toHaveLength(1);
	expect(call.workflowData![0]).toHaveLength(1);
	return call.workflowData![0][0].json.data as IDataObject;
}

/** A GET answered with the page and resumed nothing. */
export function expectPageOnly(call: WebhookCall, title: string): void {
	expect(call.status).toBe(200);
	expect(call.contentType).toMatch(/^text\/html/);
	expect(call.body).toContain(`<h1>${title}</h1>`);
	expect(call.workflowData).toBeUndefined();
}

/** The run waits and outputs its input meanwhile, as n8n's own Send and Wait does. */
export function expectWaitingWith(
	result: RunResult & { items: INodeExecutionData[] },
	input: IDataObject[],
): void {
	expect(result.error).toBeUndefined();
	expect(result.run.status).toBe('waiting');
	expect(result.items.map((item) => item.json)).toEqual(input);
}
