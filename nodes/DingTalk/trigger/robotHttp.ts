// Robot messages in HTTP mode: the app robot's 消息接收模式 "HTTP 模式" posts each message, unencrypted, to its
// 消息接收地址 (message receiving URL) — here the same Webhook URL as the encrypted event callback, told apart by shape
// (trigger/http.ts). What DingTalk sends, from its page 接收消息 (open.dingtalk.com/document/orgapp/receive-message, as
// reproduced in public copies of that page; the stored corpus had no copy of open.dingtalk.com itself):
// - POST, `Content-Type: application/json; charset=utf-8`, headers `timestamp` (ms) and `sign`;
// - the body is the robot message as Stream mode's CALLBACK data carries it (conversationId, conversationType, senderStaffId,
//   senderNick, chatbotUserId, robotCode, msgId, msgtype, text.content, atUsers, isInAtList, createAt, sessionWebhook, …);
// - the receiver must check both: `timestamp` within 1 hour of its clock, and `sign` = Base64(HmacSHA256(key = the
//   robot's appSecret, data = timestamp + "\n" + appSecret)). That an app robot's appSecret is the app's Client Secret
//   (AppSecret) is what integrations report (agentscope's DingTalk channel docs, blog write-ups), not said on that page.
// Not found in DingTalk's docs: what the answer body should be (the old Outgoing robot could reply through it; here the
// reply goes through the AI Reply / sessionWebhook nodes), whether DingTalk retries an unanswered message, and how long it
// waits. The answer is an empty JSON object, sent once n8n has recorded the execution.
import { createHmac, timingSafeEqual } from 'node:crypto';

import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { isRefusal, refuse, staleness, type Refusal } from '../../shared/callbackTrigger';
import { CredentialCache, credentialCacheKey } from '../../shared/credentialCache';
import type { Deliveries } from '../../shared/deliveries';
import { answerAfterRun } from '../../shared/heldCallbacks';
import { parseJsonObject } from '../../shared/json';
import type { WebhookParameters } from '../../shared/nodeParameters';
import { triggerEventKey, triggerLogPlace } from '../../shared/triggerScope';
import { acknowledge, startExecution } from '../../shared/webhookRequest';
import { chatOptionsOf, triggerItemOf } from './chat';
import { eventFromRobotHttp, eventTypeList, passesFilter, robotMessageProblem } from './events';
import type { TriggerOptions } from './options';
import { testEventKey, testEvents } from './testEvents';

/** DingTalk's rule: a timestamp more than an hour away from the receiver's clock is not DingTalk's request. */
export const ROBOT_TIMESTAMP_WINDOW_SECONDS = 3600;

/** What n8n answers a robot message with (unverified: DingTalk documents no answer body for HTTP-mode robots). */
export const ROBOT_ANSWER: IDataObject = {};

type Headers = ReturnType<IWebhookFunctions['getHeaderData']>;

function header(headers: Headers, name: string): string | undefined {
	const value = (headers as Record<string, unknown>)[name];
	const single = Array.isArray(value) ? value[0] : value;
	return typeof single === 'string' && single.trim() !== '' ? single.trim() : undefined;
}

/** DingTalk's robot message signature: Base64(HmacSHA256(key = appSecret, data = timestamp + "\n" + appSecret)). */
export function robotSign(timestamp: string, appSecret: string): string {
	return createHmac('sha256', appSecret)
		.update(`${timestamp}\n${appSecret}`, 'utf8')
		.digest('base64');
}

/** Constant-time comparison of the sign header with the expected one. */
function signMatches(given: string, expected: string): boolean {
	const a = Buffer.from(given, 'utf8');
	const b = Buffer.from(expected, 'utf8');
	return a.length === b.length && timingSafeEqual(a, b);
}

const NO_SECRET =
	"The DingTalk Trigger cannot check robot messages: set Client Secret in the DingTalk credential (the app's 凭证与基础信息 → Client Secret / AppSecret)";

/**
 * The app secret of each trigger node, read from its credential once a minute (see credentialCache.ts): a forged
 * request costs no credential read; a sign that fails with a cached secret reads it once more (a rotated secret).
 */
const secrets = new CredentialCache<string | Refusal>({
	ttlMs: 60_000,
	retryCooldownMs: 10_000,
	maxEntries: 2000,
});

async function loadSecret(context: IWebhookFunctions): Promise<string | Refusal> {
	let credentials: IDataObject;
	try {
		credentials = await context.getCredentials('dingTalkApi');
	} catch {
		return refuse(403, 'The DingTalk Trigger has no DingTalk credential selected');
	}
	const secret = String(credentials.clientSecret ?? '').trim();
	return secret === '' ? refuse(403, NO_SECRET) : secret;
}

/** Checks `timestamp` and `sign` against the credential's Client Secret; a refusal says which failed, never the secret. */
async function verifyRobotSign(
	context: IWebhookFunctions,
	parameters: WebhookParameters,
	timestamp: string,
	sign: string,
): Promise<Refusal | undefined> {
	const key = credentialCacheKey(context, 'dingTalkApi', parameters.node);
	const load = async () => await loadSecret(context);
	// A test request (Test URL) reads the credential afresh: the user may just have changed it.
	const first = await secrets.get(key, load, Date.now(), context.getMode() === 'manual');
	const check = (secret: string | Refusal): Refusal | undefined => {
		if (isRefusal(secret)) return secret;
		if (signMatches(sign, robotSign(timestamp, secret))) return undefined;
		return refuse(
			403,
			"The sign header does not match: not DingTalk's robot message, or the credential's Client Secret is not this robot's app",
		);
	};
	const outcome = check(first.value);
	if (outcome === undefined || !first.fromCache) return outcome;
	const reloaded = await secrets.reload(key, load, Date.now());
	return reloaded === undefined ? outcome : check(reloaded);
}

export interface RobotRequest {
	body: Buffer;
	deliveries: Deliveries;
	deadlineMs: number;
}

/**
 * A POST that is not an encrypted event: a robot message, or refused. An accepted one is filtered, deduplicated on its
 * msgId and made into the same item Stream mode makes (trigger/chat.ts); n8n answers DingTalk once it recorded the run.
 */
export async function receiveRobotMessage(
	context: IWebhookFunctions,
	parameters: WebhookParameters,
	request: RobotRequest,
): Promise<IWebhookResponseData | Refusal> {
	const outcome = await receive(context, parameters, request);
	if (isRefusal(outcome)) {
		// One line per refused request: the reason names what failed, never a secret, a header value or the body.
		const workflow = context.getWorkflow();
		context.logger.warn(
			`DingTalk Trigger refused a robot message request (${outcome.status}): ${outcome.reason} ${triggerLogPlace(workflow, parameters.node)}`,
		);
	}
	return outcome;
}

async function receive(
	context: IWebhookFunctions,
	parameters: WebhookParameters,
	request: RobotRequest,
): Promise<IWebhookResponseData | Refusal> {
	const headers = context.getHeaderData();
	const timestamp = header(headers, 'timestamp');
	const sign = header(headers, 'sign');
	if (timestamp === undefined || sign === undefined) {
		return refuse(
			401,
			'Not a signed DingTalk request: an event callback carries msg_signature, timestamp and nonce and {"encrypt": "..."}; a robot message carries the headers timestamp and sign',
		);
	}
	if (parameters.get<boolean>('robotMessages', false) !== true) {
		return refuse(
			403,
			'A robot message, but this DingTalk Trigger does not take them: turn on Receive Robot Messages',
		);
	}
	const options = parameters.get<TriggerOptions>('options', {});
	// DingTalk's one hour, or the node's tighter Timestamp Freshness Window.
	const configured = Number(options.timestampWindow ?? 0);
	const window =
		configured > 0
			? Math.min(configured, ROBOT_TIMESTAMP_WINDOW_SECONDS)
			: ROBOT_TIMESTAMP_WINDOW_SECONDS;
	const stale = staleness(timestamp, window);
	if (stale) return stale;
	const signRefusal = await verifyRobotSign(context, parameters, timestamp, sign);
	if (signRefusal) return signRefusal;

	const raw = request.body.toString('utf8').replace(/^\uFEFF/, '');
	const fields = parseJsonObject(raw);
	if (fields === undefined) {
		return refuse(400, 'The robot message is not a JSON object');
	}
	const problem = robotMessageProblem(fields);
	if (problem !== undefined) return refuse(400, `DingTalk sent ${problem}`);

	const res = context.getResponseObject();
	const event = eventFromRobotHttp(fields, raw);
	const wanted = passesFilter(event, {
		categories: parameters.get<string[]>('events', []),
		eventTypes: eventTypeList(options.eventTypes),
	});
	if (!wanted) return acknowledge(res, ROBOT_ANSWER);

	const { node } = parameters;
	const windowMs = Math.max(0, Number(options.dedupeWindow ?? 10)) * 60_000;
	if (windowMs > 0) {
		const claim = await request.deliveries.claim(
			triggerEventKey(context.getWorkflow().id, node, `msg:${event.eventId}`),
			windowMs,
			res,
			request.deadlineMs,
		);
		if (claim === 'duplicate') return acknowledge(res, ROBOT_ANSWER);
		if (claim === 'undecided') {
			return refuse(503, 'An earlier delivery of this robot message is still being recorded');
		}
	}
	const chat = chatOptionsOf((name, fallback) => parameters.get(name, fallback), options);
	const item = await triggerItemOf(
		context,
		event,
		{ includeRaw: options.includeRaw === true },
		chat,
	);
	const workflowData = [[item]];
	if (context.getMode() === 'manual') {
		testEvents.put(testEventKey(context.getWorkflow().id, node), workflowData, Date.now());
	} else if (options.answerAfterRun === true) {
		// Held by the trigger on n8n's main process until its run finished (shared/heldCallbacks.ts).
		return await answerAfterRun(
			context,
			node,
			item,
			`msg:${event.eventId}`,
			ROBOT_ANSWER,
			'DingTalk',
		);
	}
	return startExecution(res, workflowData, ROBOT_ANSWER);
}
