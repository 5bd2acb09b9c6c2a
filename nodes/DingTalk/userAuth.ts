import type {
	IDataObject,
	IExecuteFunctions,
	IN8nHttpFullResponse,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { redact } from '../shared/redact';
import { describeDingTalkError } from './errors';
import { baseUrlOf, DINGTALK_API_BASE_URL } from './hosts';
import { CREDENTIAL_TYPE } from './transport';

// The door for the two calls of a DingTalk login that do not carry the app's token: exchanging an authCode for the
// user's access token (Client ID and Secret in the body), and reading that user (the user's token in the header, where
// the app's token would otherwise go). Neither is retried: a code is spent by the first call that reaches DingTalk.
// The Client Secret, the code and the user's token never reach an error.

export interface UserAuthRequest {
	method: 'GET' | 'POST';
	path: string;
	body?: IDataObject;
	/** The user's access token, for calls made as the user. */
	userToken?: string;
	/** Values beyond the credential's that must stay out of errors (the code). */
	secrets?: string[];
	itemIndex: number;
}

export class UserAuthRefused extends NodeApiError {}

export async function dingTalkUserAuthRequest(
	this: IExecuteFunctions,
	request: UserAuthRequest,
): Promise<IDataObject> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const secrets = [
		credentials.clientSecret,
		credentials.accessToken,
		request.userToken,
		...(request.secrets ?? []),
	];
	const host = baseUrlOf(credentials.apiBaseUrl, DINGTALK_API_BASE_URL);
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
	const { message, description } = describeDingTalkError(code, rawMessage, answer, requestId);
	throw new UserAuthRefused(
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
