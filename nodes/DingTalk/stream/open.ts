import type { IHttpRequestOptions } from 'n8n-workflow';

import { isRecord, parseJsonObject } from '../../shared/json';
import { redact } from '../../shared/redact';
import { httpStatusOf, networkCodeOf } from '../../shared/retry';
import type { StreamSubscription } from './frames';

export const OPEN_CONNECTION_PATH = '/v1.0/gateway/connections/open';

/** Sent as `ua`: DingTalk shows it among the app's Stream connections. */
export const STREAM_USER_AGENT = 'n8n-nodes-wecom-dingtalk';

export interface StreamCredentials {
	/** The new API's host, e.g. https://api.dingtalk.com. */
	apiBaseUrl: string;
	clientId: string;
	clientSecret: string;
}

/** Where to connect: `endpoint?ticket=...`, good for one connection within 90 s. */
export interface StreamTicket {
	endpoint: string;
	ticket: string;
}

/** Asks DingTalk for a fresh endpoint and ticket; the client calls it once per connection. */
export type OpenConnection = (subscriptions: StreamSubscription[]) => Promise<StreamTicket>;

/** Sends one request the way n8n's `this.helpers.httpRequest` does. */
export type SendRequest = (request: IHttpRequestOptions) => Promise<unknown>;

/** A failed open call. `permanent`: DingTalk refused the app itself (wrong Client ID or Secret, Stream not allowed). */
export class StreamOpenError extends Error {
	constructor(
		message: string,
		readonly permanent: boolean,
		readonly status?: number,
		readonly code?: string,
	) {
		super(message);
		this.name = 'StreamOpenError';
	}
}

export function openConnectionRequest(
	credentials: StreamCredentials,
	subscriptions: StreamSubscription[],
	userAgent = STREAM_USER_AGENT,
): IHttpRequestOptions {
	return {
		method: 'POST',
		url: `${credentials.apiBaseUrl.replace(/\/+$/, '')}${OPEN_CONNECTION_PATH}`,
		// Without Accept the gateway may answer XML.
		headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
		body: {
			clientId: credentials.clientId,
			clientSecret: credentials.clientSecret,
			subscriptions,
			ua: userAgent,
		},
		json: true,
		timeout: 15_000,
	};
}

/** The endpoint and ticket of an open answer; a StreamOpenError when the answer has neither. */
export function readTicket(answer: unknown): StreamTicket {
	const body = typeof answer === 'string' ? parseJsonObject(answer) : answer;
	if (!isRecord(body) || typeof body.endpoint !== 'string' || typeof body.ticket !== 'string') {
		return notATicket();
	}
	let endpoint: URL;
	try {
		endpoint = new URL(body.endpoint);
	} catch {
		return notATicket();
	}
	if (!['ws:', 'wss:'].includes(endpoint.protocol) || body.ticket === '') return notATicket();
	return { endpoint: body.endpoint, ticket: body.ticket };
}

function notATicket(): never {
	throw new StreamOpenError(
		'DingTalk answered the Stream connection request without an endpoint and ticket: check that the API host in the credential points at DingTalk (https://api.dingtalk.com)',
		false,
	);
}

/** DingTalk's `{code, message}` from a refused request, wherever n8n's HTTP client put the body. */
function refusalOf(error: unknown): { code?: string; message?: string } {
	const e = error as {
		response?: { data?: unknown; body?: unknown };
		cause?: { response?: { data?: unknown } };
		description?: unknown;
	};
	const raw = e?.response?.data ?? e?.response?.body ?? e?.cause?.response?.data;
	const body = typeof raw === 'string' ? parseJsonObject(raw) : raw;
	if (!isRecord(body)) return {};
	return {
		code: typeof body.code === 'string' ? body.code : undefined,
		message: typeof body.message === 'string' ? body.message : undefined,
	};
}

/** Turns whatever the HTTP client threw into a StreamOpenError that names the cause and the fix, secret-free. */
export function openFailure(error: unknown, credentials: StreamCredentials): StreamOpenError {
	const secrets = [credentials.clientSecret];
	const status = httpStatusOf(error);
	if (status !== undefined) {
		const { code, message } = refusalOf(error);
		const detail = [code, message].filter(Boolean).join(': ');
		// 408 and 429 pass with time; other 4xx are the app's own (credential, Stream mode): retrying will not help.
		const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
		const fix = permanent
			? ' Check Client ID and Client Secret in the DingTalk credential, and that the app is published with Stream mode (Stream 模式) chosen for its events or robot.'
			: ' DingTalk may be busy or down; the trigger keeps retrying.';
		return new StreamOpenError(
			redact(
				`DingTalk refused to open a Stream connection (HTTP ${status}${detail ? `, ${detail}` : ''}).${fix}`,
				secrets,
			),
			permanent,
			status,
			code,
		);
	}
	const network = networkCodeOf(error);
	const reason = redact(String((error as Error)?.message ?? error), secrets);
	return new StreamOpenError(
		network
			? `Could not reach DingTalk to open a Stream connection (${network}): check the API host in the credential and the network; the trigger keeps retrying.`
			: `Opening a DingTalk Stream connection failed: ${reason}`,
		false,
	);
}

/** The OpenConnection of a credential, sending through `send` (the node passes `this.helpers.httpRequest`). */
export function streamOpener(
	send: SendRequest,
	credentials: StreamCredentials,
	userAgent?: string,
): OpenConnection {
	return async (subscriptions) => {
		let answer: unknown;
		let failed = false;
		let failure: unknown;
		try {
			answer = await send(openConnectionRequest(credentials, subscriptions, userAgent));
		} catch (error) {
			failed = true;
			failure = error;
		}
		if (failed) throw openFailure(failure, credentials);
		return readTicket(answer);
	};
}
