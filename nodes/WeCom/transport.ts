import type { IDataObject, IHttpRequestOptions, JsonObject } from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { isTokenRequestFailure, rawToken, type TokenRefusal } from '../shared/accessToken';
import { sendAuthenticated, type ApiContext, type ApiRequest } from '../shared/apiRequest';
import { fileOrJsonBody } from '../shared/multipart';
import { redact } from '../shared/redact';
import {
	explainNetworkFailure,
	httpStatusOf,
	networkCodeOf,
	RETRY_DELAYS_MS,
} from '../shared/retry';
import {
	describeWeComError,
	THROTTLE_ERRCODES,
	TOKEN_ERRCODES,
	weComBaseUrl,
} from '../shared/wecom/errors';

export const CREDENTIAL_TYPE = 'weComApi';

export type WeComContext = ApiContext;

export type WeComRequest = ApiRequest;

/**
 * The one door to the WeCom API. Adds the token (via the credential), turns errcode ≠ 0 into a NodeApiError with a
 * hint, refreshes a dead token once (WeCom reports it as HTTP 200 + errcode, which n8n alone does not react to),
 * retries throttling and 5xx with back-off, and keeps the token and secret out of every error.
 */
export async function weComApiRequest(
	this: WeComContext,
	request: WeComRequest,
): Promise<IDataObject> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const secrets = [
		credentials.secret,
		credentials.accessToken,
		rawToken(credentials.accessToken),
		credentials.encodingAesKey,
		credentials.callbackToken,
	];
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${weComBaseUrl(credentials.baseUrl)}${request.path}`,
		qs: request.qs,
		json: true,
	};
	Object.assign(options, fileOrJsonBody(request.file, request.body));

	// The attempt whose token the platform refused: the next attempt gets a fresh token first.
	let tokenRefusal: TokenRefusal | undefined;
	let refreshed = false;
	let retries = 0;
	for (;;) {
		let answer: IDataObject;
		const startedAt = Date.now();
		try {
			answer = (await sendAuthenticated(
				this,
				CREDENTIAL_TYPE,
				options,
				tokenRefusal,
			)) as IDataObject;
		} catch (error) {
			const status = httpStatusOf(error);
			const networkCode = status === undefined ? networkCodeOf(error) : undefined;
			const transient =
				networkCode !== undefined || (status !== undefined && (status >= 500 || status === 429));
			if (transient && retries < RETRY_DELAYS_MS.length) {
				await sleep(RETRY_DELAYS_MS[retries++]);
				continue;
			}
			const reason = redact(String((error as Error).message ?? error), secrets);
			const after = retries ? ` after ${retries} retries` : '';
			// A failed gettoken, or neither an HTTP answer nor a network failure (the credential's own refusal, e.g.
			// gettoken said 40001): the credential's message already names the URL or the cause, and the fix.
			const message = isTokenRequestFailure(error)
				? `${reason}${retries ? ` (${retries} retries)` : ''}`
				: status
					? `WeCom answered HTTP ${status} for ${request.path}${after}`
					: networkCode
						? `Could not reach WeCom for ${request.path}${after}: ${explainNetworkFailure(networkCode, weComBaseUrl(credentials.baseUrl))}`
						: reason;
			throw new NodeApiError(this.getNode(), { message: reason } as JsonObject, {
				message,
				// The network code stays out of the message: n8n would swap a message naming it for its own generic text.
				description: networkCode ? `${networkCode}: ${reason}` : reason,
				httpCode: status ? String(status) : undefined,
				itemIndex: request.itemIndex,
			});
		} finally {
			tokenRefusal = undefined;
		}
		if (answer === null || typeof answer !== 'object' || Buffer.isBuffer(answer)) {
			throw new NodeApiError(this.getNode(), {} as JsonObject, {
				message: `WeCom answered ${request.path} with something that is not JSON: check the API Base URL points at WeCom (or your relay)`,
				itemIndex: request.itemIndex,
			});
		}
		const errcode = Number(answer.errcode ?? 0);
		if (errcode === 0) return answer;
		if (TOKEN_ERRCODES.has(errcode) && !refreshed) {
			refreshed = true;
			tokenRefusal = { since: startedAt, token: String(credentials.accessToken ?? '') };
			continue;
		}
		if (THROTTLE_ERRCODES.has(errcode) && retries < RETRY_DELAYS_MS.length) {
			await sleep(RETRY_DELAYS_MS[retries++]);
			continue;
		}
		throw weComError(this, errcode, String(answer.errmsg ?? ''), request, retries, secrets);
	}
}

function weComError(
	context: WeComContext,
	errcode: number,
	errmsg: string,
	request: WeComRequest,
	retries: number,
	secrets: unknown[],
): NodeApiError {
	const { message, description } = describeWeComError(errcode, redact(errmsg, secrets));
	const throttled = THROTTLE_ERRCODES.has(errcode) && retries > 0;
	return new NodeApiError(
		context.getNode(),
		{ errcode, errmsg: redact(errmsg, secrets) } as JsonObject,
		{
			message: throttled ? `${message} — still throttled after ${retries} retries` : message,
			description: `${description}\nAPI: ${request.path}`,
			itemIndex: request.itemIndex,
		},
	);
}
