import type { IDataObject, IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { redact } from '../shared/redact';
import { robotCall } from '../shared/robotCall';
import { baseUrlOf } from '../shared/webhookTarget';
import { describeRobotError, isThrottled } from './errors';
import {
	DINGTALK_DEFAULT_BASE_URL,
	ROBOT_CREDENTIAL_TYPE,
	robotTokenOf,
	signingSecretOf,
} from './robotToken';

export const SEND_PATH = '/robot/send';

/**
 * The one door to a DingTalk custom robot. The credential adds the access token and, with 加签, a fresh timestamp
 * and signature to every attempt; messages are paced to the robot's 20 a minute; a refusal for speed is waited out,
 * bounded; errcode ≠ 0 becomes a NodeApiError whose hint names the cause (310000 by keyword, signature, timestamp
 * or IP); the token and the secret never reach an error.
 */
export async function dingTalkRobotSend(
	this: IExecuteFunctions,
	body: IDataObject,
	itemIndex: number,
): Promise<IDataObject> {
	const credentials = await this.getCredentials(ROBOT_CREDENTIAL_TYPE);
	let token: string;
	try {
		token = robotTokenOf(credentials.webhook);
		signingSecretOf(credentials.signingSecret);
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message, { itemIndex });
	}
	const secrets = [token, credentials.webhook, credentials.signingSecret];
	const url = `${baseUrlOf(credentials.baseUrl, DINGTALK_DEFAULT_BASE_URL)}${SEND_PATH}`;
	const result = await robotCall.call(this, {
		platform: 'DingTalk',
		target: token,
		path: SEND_PATH,
		posts: true,
		secrets,
		itemIndex,
		send: async () =>
			(await this.helpers.httpRequestWithAuthentication.call(this, ROBOT_CREDENTIAL_TYPE, {
				method: 'POST',
				url,
				qs: {},
				body,
				json: true,
			})) as IDataObject,
		isThrottled: (answer) => isThrottled(Number(answer.errcode), String(answer.errmsg ?? '')),
	});
	const errcode = Number(result.answer.errcode ?? 0);
	if (errcode === 0) return result.answer;
	const errmsg = redact(String(result.answer.errmsg ?? ''), secrets);
	const { message, description } = describeRobotError(errcode, errmsg);
	throw new NodeApiError(this.getNode(), { errcode, errmsg } as JsonObject, {
		message: `${message}${result.waitedNote}`,
		description,
		itemIndex,
	});
}
