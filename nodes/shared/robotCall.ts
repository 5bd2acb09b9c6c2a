import type { IDataObject, IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { SlidingWindows } from './rateWindow';
import { redact } from './redact';
import { notePacingWait } from './robotPacing';
import {
	httpStatusOf,
	RETRY_DELAYS_MS,
	ROBOT_RATE,
	ROBOT_THROTTLE_RETRIES,
	ROBOT_THROTTLE_WAIT_MS,
	unsentNetworkCodeOf,
} from './retry';

/**
 * One window per robot for the whole n8n process: every item, execution and workflow that posts with the same
 * robot shares it. Other processes (queue-mode workers, other systems) are not seen; their sends show up as the
 * platform's refusals, which are waited out below.
 */
const robotWindows = new SlidingWindows(ROBOT_RATE);

/** Waits shorter than this (a send still under way) are not worth a word. */
const PACING_NOTE_MS = 1000;

export interface RobotCall {
	/** As error messages name it: "WeCom", "DingTalk". Also keeps the two platforms' robots apart. */
	platform: string;
	/** The robot, as the platform identifies it (webhook key, access token). Kept hashed, never stored. */
	target: string;
	/** The API path, for error messages. */
	path: string;
	/** Whether the call posts a message to the group (paced to the limit); an upload does not. */
	posts: boolean;
	/** Values that must never appear in an error (the key, the token, the pasted URL, the secret). */
	secrets: unknown[];
	itemIndex: number;
	/** One attempt: the platform's answer (HTTP and network failures throw). */
	send(): Promise<IDataObject>;
	/** Whether an answer refuses the call for going too fast. */
	isThrottled(answer: IDataObject): boolean;
}

export interface RobotAnswer {
	answer: IDataObject;
	/** Refusals for speed that were waited out; `throttled` when the last answer is still one. */
	throttleRetries: number;
	throttled: boolean;
	/** " — still refused after waiting N s" for an error message, or "". */
	waitedNote: string;
}

/**
 * Sends one robot call: paced to the robot's 20-a-minute window, a refusal for speed waited out (a whole window,
 * at most ROBOT_THROTTLE_RETRIES times), and an HTTP 429/503 or a connection that never opened retried with
 * back-off. Anything that may have reached the platform is not sent again, so a message is never posted twice.
 * Returns the platform's JSON answer (its errcode is the caller's to read); fails with a NodeApiError when no
 * JSON answer came, with every secret removed.
 */
export async function robotCall(this: IExecuteFunctions, call: RobotCall): Promise<RobotAnswer> {
	const signal = this.getExecutionCancelSignal();
	const wait = async (ms: number) => await sleep(ms, signal);
	const target = `${call.platform}\n${call.target}`;
	let throttleRetries = 0;
	let retries = 0;
	for (;;) {
		const asked = Date.now();
		const slot = await robotWindows.reserve(target, wait, call.posts);
		const waited = Date.now() - asked;
		if (waited >= PACING_NOTE_MS) notePacingWait(this, call.platform, waited, call.itemIndex);
		let answer: IDataObject;
		try {
			answer = await call.send();
		} catch (error) {
			const status = httpStatusOf(error);
			const retryable =
				status === 429 || status === 503 || (status === undefined && !!unsentNetworkCodeOf(error));
			if (retryable && retries < RETRY_DELAYS_MS.length) {
				await wait(RETRY_DELAYS_MS[retries++]);
				continue;
			}
			throw failure(this, call, error, status, retries);
		} finally {
			slot.complete();
		}
		if (answer === null || typeof answer !== 'object' || Buffer.isBuffer(answer)) {
			throw new NodeApiError(this.getNode(), {} as JsonObject, {
				message: `${call.platform} answered ${call.path} with something that is not JSON: check that the credential's API Base URL points at ${call.platform} (or your relay)`,
				itemIndex: call.itemIndex,
			});
		}
		const throttled = call.isThrottled(answer);
		if (!throttled || throttleRetries >= ROBOT_THROTTLE_RETRIES) {
			const waited = (throttleRetries * ROBOT_THROTTLE_WAIT_MS) / 1000;
			return {
				answer,
				throttleRetries,
				throttled,
				waitedNote: throttled && waited ? ` — still refused after waiting ${waited} s` : '',
			};
		}
		throttleRetries++;
		robotWindows.block(target, ROBOT_THROTTLE_WAIT_MS);
	}
}

function failure(
	context: IExecuteFunctions,
	call: RobotCall,
	error: unknown,
	status: number | undefined,
	retries: number,
): NodeApiError {
	const reason = redact(String((error as Error)?.message ?? error), call.secrets);
	const after = retries ? ` after ${retries} retries` : '';
	return new NodeApiError(context.getNode(), { message: reason } as JsonObject, {
		message: status
			? `${call.platform} answered HTTP ${status} for ${call.path}${after}`
			: `Could not reach ${call.platform} for ${call.path}${after}: check the credential's API Base URL and the network`,
		description: reason,
		httpCode: status ? String(status) : undefined,
		itemIndex: call.itemIndex,
	});
}
