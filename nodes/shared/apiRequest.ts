import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHookFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	ISupplyDataFunctions,
	ITriggerFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import { TOKEN_REFUSAL_FIELD, type TokenRefusal } from './accessToken';
import type { MultipartFile } from './multipart';

/** Where a platform's transport may be called from: an operation, a picker / options loader, a trigger's
 * webhookMethods (registering its URL on activation), a trigger itself or its webhook (a robot message's files), or an AI sub-node. */
export type ApiContext =
	| IExecuteFunctions
	| ILoadOptionsFunctions
	| IHookFunctions
	| ITriggerFunctions
	| IWebhookFunctions
	| ISupplyDataFunctions;

/** One call through a platform's transport. */
export interface ApiRequest {
	method: IHttpRequestMethods;
	/** API path on the platform's host, e.g. `/cgi-bin/message/send` or `/v1.0/robot/groupMessages/send`. */
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
	/** A file upload (multipart/form-data) instead of a JSON body. */
	file?: MultipartFile;
	itemIndex?: number;
	/**
	 * false: a "too many calls" answer fails at once (NodeApiError whose errorResponse has `throttled: true`) instead of
	 * being waited out, for a caller that paces itself (the AI card's updates: latest wins, see replyThrottle.ts).
	 */
	waitWhenThrottled?: boolean;
}

/**
 * The node's stored credential with its access token blanked, as `additionalCredentialOptions` for
 * `httpRequestWithAuthentication`: n8n then runs the credential's preAuthentication, stores the new token and sends
 * the request with it — the way to refresh a token the platform reported dead inside an HTTP 200.
 */
export async function freshCredentials(
	context: ApiContext,
	credentialType: string,
	refusal: TokenRefusal,
) {
	const details = context.getNode().credentials?.[credentialType];
	const data = await context.getCredentials(credentialType);
	return {
		credentialsDecrypted: {
			id: details?.id ?? '',
			name: details?.name ?? '',
			type: credentialType,
			// What was refused rides along (never stored): a token this process shares is handed out only if it is
			// another one (fetchTokenOnce).
			data: {
				...data,
				accessToken: '',
				[TOKEN_REFUSAL_FIELD]: { since: refusal.since, token: refusal.token },
			},
		},
	};
}

/**
 * One attempt of a transport: the request through the credential (token added by its authenticate), with a fresh
 * token first when `refusal` is set: the platform refused the token of the attempt it describes. The query is copied,
 * so an attempt never sees the token of an earlier one.
 */
export async function sendAuthenticated(
	context: ApiContext,
	credentialType: string,
	options: IHttpRequestOptions,
	refusal: TokenRefusal | undefined,
): Promise<unknown> {
	return await context.helpers.httpRequestWithAuthentication.call(
		context,
		credentialType,
		{ ...options, qs: { ...(options.qs ?? {}) } },
		refusal === undefined ? undefined : await freshCredentials(context, credentialType, refusal),
	);
}
