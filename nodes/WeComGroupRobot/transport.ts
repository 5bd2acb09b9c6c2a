import type { IDataObject, IExecuteFunctions, IHttpRequestOptions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { MultipartFile } from '../shared/multipart';
import { fileOrJsonBody } from '../shared/multipart';
import { redact } from '../shared/redact';
import { robotCall } from '../shared/robotCall';
import { describeWeComError, weComBaseUrl } from '../shared/wecom/errors';
import { ROBOT_HINTS, ROBOT_THROTTLED } from './errors';
import { ROBOT_CREDENTIAL_TYPE, robotKeyOf } from './robotKey';

export const SEND_PATH = '/cgi-bin/webhook/send';
export const UPLOAD_PATH = '/cgi-bin/webhook/upload_media';

export interface RobotRequest {
	path: typeof SEND_PATH | typeof UPLOAD_PATH;
	qs?: IDataObject;
	body?: IDataObject;
	/** A file upload (multipart/form-data) instead of a JSON body. */
	file?: MultipartFile;
	itemIndex: number;
}

/**
 * The one door to a WeCom group robot. The credential adds the key; messages are paced to the robot's 20 a minute
 * (uploads are not messages); a refusal for speed (45009) is waited out, bounded; errcode ≠ 0 becomes a NodeApiError
 * with a hint; the key never reaches an error.
 */
export async function weComRobotRequest(
	this: IExecuteFunctions,
	request: RobotRequest,
): Promise<IDataObject> {
	const credentials = await this.getCredentials(ROBOT_CREDENTIAL_TYPE);
	let key: string;
	try {
		key = robotKeyOf(credentials.webhook);
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message, {
			itemIndex: request.itemIndex,
		});
	}
	const secrets = [key, credentials.webhook];
	const options: IHttpRequestOptions = {
		method: 'POST',
		url: `${weComBaseUrl(credentials.baseUrl)}${request.path}`,
		qs: request.qs,
		json: true,
	};
	Object.assign(options, fileOrJsonBody(request.file, request.body));

	const result = await robotCall.call(this, {
		platform: 'WeCom',
		target: key,
		path: request.path,
		posts: request.path === SEND_PATH,
		secrets,
		itemIndex: request.itemIndex,
		send: async () =>
			(await this.helpers.httpRequestWithAuthentication.call(this, ROBOT_CREDENTIAL_TYPE, {
				...options,
				qs: { ...(options.qs ?? {}) },
			})) as IDataObject,
		isThrottled: (answer) => Number(answer.errcode) === ROBOT_THROTTLED,
	});
	const errcode = Number(result.answer.errcode ?? 0);
	if (errcode === 0) return result.answer;
	const errmsg = redact(String(result.answer.errmsg ?? ''), secrets);
	const { message, description } = describeWeComError(errcode, errmsg, ROBOT_HINTS);
	throw new NodeApiError(this.getNode(), { errcode, errmsg } as JsonObject, {
		message: `${message}${result.waitedNote}`,
		description: `${description}\nAPI: ${request.path}`,
		itemIndex: request.itemIndex,
	});
}
