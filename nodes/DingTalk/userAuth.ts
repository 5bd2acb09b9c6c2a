import type {
	IDataObject,
	IExecuteFunctions,
	IN8nHttpFullResponse,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { redact } from '../shared/redact';
import { describeDingTalkError } from './errors';

// The door for the two calls of a DingTalk login that do not carry the app's token: exchanging an authCode for the
// user's access token (Client ID and Secret in the body), and reading that user (the user's token in the header, where
// the app's token would otherwise go). Neither is retried: a code is spent by the first call that reaches DingTalk.
// The Client Secret, the code and the user's token never reach an error. The caller reads the credential (host and
// secrets) and passes it in: n8n's authenticated request would add the app's token, which these calls must not carry.

export interface UserAuthRequest {
	method: 'GET' | 'POST';
	path: string;
	body?: IDataObject;
	/** The user's access token, for calls made as the user. */
	userToken?: string;
	/** The credential's API Host (New API). */
	host: string;
	/** Values that must stay out of errors: the Client Secret, the code, tokens. */
	secrets: unknown[];
	/** A hint that replaces DingTalk's own for a refusal (e.g. a spent login code); undefined keeps DingTalk's. */
	explainRefusal?: (code: string) => { en: string; zh: string } | undefined;
	itemIndex: number;
}

export async function dingTalkUserAuthRequest(
	this: IExecuteFunctions,
	request: UserAuthRequest,
): Promise<IDataObject> {
	const secrets = [...request.secrets, request.userToken];
	const { host } = request;
	let response: IN8nHttpFullResponse;
	try {
		response = (await this.helpers.httpRequest({
			method: request.method,
			url: `${host}${request.path}`,
			body: request.body,
			headers: request.userToken ? { 'x-acs-dingtalk-access-token': request.userToken } : {},
			json: true,
			ignoreHttpStatusErrors: true,
			returnFullResponse: true,
		})) as IN8nHttpFullResponse;
	} catch (error) {
		const reason = redact(String((error as Error).message ?? error), secrets);
		throw new NodeApiError(this.getNode(), { message: reason } as JsonObject, {
			message: `Could not reach DingTalk at ${host} for ${request.path}: check the credential's API Host (New API) and the network`,
			description: reason,
			itemIndex: request.itemIndex,
		});
	}
	const answer = (
		response.body !== null && typeof response.body === 'object' ? response.body : {}
	) as IDataObject;
	if (response.statusCode >= 200 && response.statusCode < 300) return answer;
	const code = String(answer.code ?? `HTTP ${response.statusCode}`);
	const rawMessage = redact(String(answer.message ?? ''), secrets);
	const requestId = answer.requestid !== undefined ? String(answer.requestid) : undefined;
	const described = describeDingTalkError(code, rawMessage, answer, requestId);
	const hint = request.explainRefusal?.(code);
	const message = hint ? `${hint.en} (DingTalk ${code})` : described.message;
	const description = hint
		? `${hint.en}\n${hint.zh}\n${described.description}`
		: described.description;
	throw new NodeApiError(
		this.getNode(),
		{ code, message: rawMessage, ...(requestId ? { requestId } : {}) } as JsonObject,
		{
			message,
			description: `${description}\nAPI: ${request.path}`,
			httpCode: String(response.statusCode),
			itemIndex: request.itemIndex,
		},
	);
}
