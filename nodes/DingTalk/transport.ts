import type {
	IDataObject,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { isTokenRequestFailure, rawToken } from '../shared/accessToken';
import { sendAuthenticated, type ApiContext, type ApiRequest } from '../shared/apiRequest';
import { encodeMultipart } from '../shared/multipart';
import { redact } from '../shared/redact';
import { networkCodeOf, RETRY_DELAYS_MS } from '../shared/retry';
import {
	describeDingTalkError,
	newFamilyThrottled,
	newFamilyTokenDead,
	oldFamilyThrottled,
	oldFamilyTokenDead,
} from './errors';
import { baseUrlOf, DINGTALK_API_BASE_URL, DINGTALK_OAPI_BASE_URL, isNewApiPath } from './hosts';

export const CREDENTIAL_TYPE = 'dingTalkApi';

export type DingTalkContext = ApiContext;

export type DingTalkRequest = ApiRequest;

/** Waits after DingTalk said "too many calls" (90018 / QpsLimit: "wait 1 s"); bounded so a workflow never hangs. */
export const THROTTLE_DELAYS_MS = [1000, 2000, 4000];

/** The longest wait a flood-protection answer (`{"status":1111,"wait":N}`) may ask for before we give up. */
const MAX_FLOOD_WAIT_MS = 10_000;

/** What one HTTP exchange came to, whatever the family. */
type Outcome =
	| { kind: 'ok'; data: IDataObject }
	| { kind: 'tokenDead' }
	| { kind: 'throttled'; waitMs?: number; code: string; message: string }
	| { kind: 'transient'; status: number }
	| {
			kind: 'refused';
			status: number;
			code: string;
			message: string;
			requestId?: string;
			answer: IDataObject;
	  };

function asObject(body: unknown): IDataObject | undefined {
	if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body))
		return body as IDataObject;
	if (typeof body === 'string' || Buffer.isBuffer(body)) {
		try {
			const parsed = JSON.parse(body.toString()) as unknown;
			return parsed !== null && typeof parsed === 'object' ? (parsed as IDataObject) : undefined;
		} catch {
			return undefined;
		}
	}
	return undefined;
}

/** DingTalk's per-IP flood protection answers an HTML page or `{"status":1111,"wait":5}` instead of an envelope. */
function floodWaitMs(
	status: number,
	body: unknown,
	answer: IDataObject | undefined,
): number | undefined {
	if (answer && Number(answer.status) === 1111) {
		const seconds = Number(answer.wait);
		return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 5000;
	}
	const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString() : '';
	if (!answer && /<html|<!doctype/i.test(text.slice(0, 200)) && status < 500) return 5000;
	return undefined;
}

function classify(path: string, status: number, body: unknown): Outcome {
	const answer = asObject(body);
	const flood = floodWaitMs(status, body, answer);
	if (flood !== undefined) {
		return {
			kind: 'throttled',
			waitMs: flood,
			code: '1111',
			message: 'flood protection (too many requests from this IP)',
		};
	}
	if (isNewApiPath(path)) {
		if (status >= 200 && status < 300) return { kind: 'ok', data: answer ?? {} };
		const code = String(answer?.code ?? '');
		if (newFamilyTokenDead(status, code)) return { kind: 'tokenDead' };
		if (newFamilyThrottled(status, code)) {
			return {
				kind: 'throttled',
				code: code || String(status),
				message: String(answer?.message ?? ''),
			};
		}
		if (status >= 500 && !code) return { kind: 'transient', status };
		return {
			kind: 'refused',
			status,
			code: code || `HTTP ${status}`,
			message: String(answer?.message ?? ''),
			requestId: answer?.requestid !== undefined ? String(answer.requestid) : undefined,
			answer: answer ?? {},
		};
	}
	if (status >= 500 || status === 429) return { kind: 'transient', status };
	if (!answer) {
		return {
			kind: 'refused',
			status,
			code: `HTTP ${status}`,
			message:
				'the answer is not JSON: check API Host (Old API) points at DingTalk (or your relay)',
			answer: {},
		};
	}
	const errcode = Number(answer.errcode ?? 0);
	if (status >= 200 && status < 300 && errcode === 0) return { kind: 'ok', data: answer };
	if (oldFamilyTokenDead(answer)) return { kind: 'tokenDead' };
	if (oldFamilyThrottled(errcode)) {
		return { kind: 'throttled', code: String(errcode), message: String(answer.errmsg ?? '') };
	}
	return {
		kind: 'refused',
		status,
		code: answer.errcode !== undefined ? String(answer.errcode) : `HTTP ${status}`,
		message: [answer.errmsg, answer.sub_msg].filter((m) => m).join(': '),
		requestId: answer.request_id !== undefined ? String(answer.request_id) : undefined,
		answer,
	};
}

/**
 * The one door to both DingTalk API families. Puts the token where each family wants it (the credential's
 * authenticate), reads both error envelopes (new: HTTP 4xx + {code, message, requestid}; old: HTTP 200 + errcode),
 * refreshes a dead token once (either family's way of saying so) and never uses a token issued for other credential
 * values, waits out throttling and flood protection a bounded number of times, retries 5xx and dropped connections,
 * and keeps the token and secrets out of every error.
 */
export async function dingTalkApiRequest(
	this: DingTalkContext,
	request: DingTalkRequest,
): Promise<IDataObject> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const secrets = [
		credentials.clientSecret,
		credentials.accessToken,
		rawToken(credentials.accessToken),
		credentials.aesKey,
		credentials.callbackToken,
	];
	const newFamily = isNewApiPath(request.path);
	const host = newFamily
		? baseUrlOf(credentials.apiBaseUrl, DINGTALK_API_BASE_URL)
		: baseUrlOf(credentials.oapiBaseUrl, DINGTALK_OAPI_BASE_URL);
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${host}${request.path}`,
		qs: request.qs,
		json: true,
		ignoreHttpStatusErrors: true,
		returnFullResponse: true,
	};
	if (request.file) {
		const { body, contentType } = encodeMultipart([request.file]);
		options.body = body;
		options.headers = { 'content-type': contentType };
	} else if (request.body !== undefined) {
		options.body = request.body;
	}

	// A token fetched for other values (the user changed the secret or the host since) is never used: the credential's
	// authenticate refuses it and n8n fetches a new one.
	let forceRefresh = false;
	let refreshed = false;
	let throttleRetries = 0;
	let transientRetries = 0;
	for (;;) {
		let response: IN8nHttpFullResponse;
		try {
			response = (await sendAuthenticated(
				this,
				CREDENTIAL_TYPE,
				options,
				forceRefresh,
			)) as IN8nHttpFullResponse;
		} catch (error) {
			const networkCode = networkCodeOf(error);
			if (networkCode !== undefined && transientRetries < RETRY_DELAYS_MS.length) {
				await sleep(RETRY_DELAYS_MS[transientRetries++]);
				continue;
			}
			throw connectionError(this, error, request, host, networkCode, transientRetries, secrets);
		} finally {
			forceRefresh = false;
		}
		const outcome = classify(request.path, response.statusCode, response.body);
		switch (outcome.kind) {
			case 'ok':
				return outcome.data;
			case 'tokenDead':
				if (!refreshed) {
					refreshed = forceRefresh = true;
					continue;
				}
				throw refusal(this, request, secrets, {
					code: newFamily ? 'InvalidAuthentication' : '40014',
					message: 'the access token was rejected after a refresh',
					answer: {},
				});
			case 'throttled': {
				if (request.waitWhenThrottled === false) {
					throw refusal(this, request, secrets, {
						code: outcome.code,
						message: outcome.message || 'throttled',
						answer: { throttled: true },
						throttled: true,
					});
				}
				if (throttleRetries < THROTTLE_DELAYS_MS.length) {
					const wait = outcome.waitMs ?? THROTTLE_DELAYS_MS[throttleRetries];
					throttleRetries++;
					if (wait <= MAX_FLOOD_WAIT_MS) {
						await sleep(wait);
						continue;
					}
				}
				throw refusal(this, request, secrets, {
					code: outcome.code,
					message: `${outcome.message || 'throttled'} — still throttled after ${throttleRetries} retries`,
					answer: {},
				});
			}
			case 'transient':
				if (transientRetries < RETRY_DELAYS_MS.length) {
					await sleep(RETRY_DELAYS_MS[transientRetries++]);
					continue;
				}
				throw new NodeApiError(this.getNode(), { httpCode: outcome.status } as JsonObject, {
					message: `DingTalk answered HTTP ${outcome.status} for ${request.path} after ${transientRetries} retries: try again later`,
					httpCode: String(outcome.status),
					itemIndex: request.itemIndex,
				});
			case 'refused':
				throw refusal(this, request, secrets, outcome);
		}
	}
}

function refusal(
	context: DingTalkContext,
	request: DingTalkRequest,
	secrets: unknown[],
	failure: {
		code: string;
		message: string;
		requestId?: string;
		answer: IDataObject;
		status?: number;
		throttled?: boolean;
	},
): NodeApiError {
	const rawMessage = redact(failure.message, secrets);
	const { message, description } = describeDingTalkError(
		failure.code,
		rawMessage,
		failure.answer,
		failure.requestId,
	);
	const errorResponse: IDataObject = { code: failure.code, message: rawMessage };
	if (/^-?\d+$/.test(failure.code)) errorResponse.errcode = Number(failure.code);
	if (failure.requestId) errorResponse.requestId = failure.requestId;
	if (failure.throttled) errorResponse.throttled = true;
	return new NodeApiError(context.getNode(), errorResponse as JsonObject, {
		message,
		description: `${description}\nAPI: ${request.path}`,
		httpCode: failure.status && failure.status !== 200 ? String(failure.status) : undefined,
		itemIndex: request.itemIndex,
	});
}

function connectionError(
	context: DingTalkContext,
	error: unknown,
	request: DingTalkRequest,
	host: string,
	networkCode: string | undefined,
	retries: number,
	secrets: unknown[],
): NodeApiError {
	const reason = redact(String((error as Error).message ?? error), secrets);
	const after = retries ? ` after ${retries} retries` : '';
	const field = isNewApiPath(request.path) ? 'API Host (New API)' : 'API Host (Old API)';
	// The token request's own failure (preAuthentication) already names its host, cause and fix.
	const message = isTokenRequestFailure(error)
		? `${reason}${retries ? ` (${retries} retries)` : ''}`
		: networkCode
			? `Could not reach DingTalk at ${host} for ${request.path}${after}: check the credential's ${field} and the network`
			: reason;
	return new NodeApiError(context.getNode(), { message: reason } as JsonObject, {
		message,
		// The network code stays out of the message: n8n would swap a message naming it for its own generic text.
		description: networkCode ? `${networkCode}: ${reason}` : reason,
		itemIndex: request.itemIndex,
	});
}

/** A refusal for going too fast, raised (not waited out) for a request with `waitWhenThrottled: false`. */
export function isThrottledRefusal(error: unknown): boolean {
	return (
		error instanceof NodeApiError &&
		(error.errorResponse as IDataObject | undefined)?.throttled === true
	);
}
