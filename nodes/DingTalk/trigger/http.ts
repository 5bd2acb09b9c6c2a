// HTTP mode (事件订阅 → HTTP 推送): POST ?msg_signature=&timestamp=&nonce= with {"encrypt": "..."}, verified and
// decrypted, answered with DingTalk's signed, encrypted "success" — by n8n, once it has recorded the execution.
// The request path is the WeCom Trigger's (nodes/shared/webhookRequest.ts says why): typeVersion 1 with the hidden
// raw-body option, the body read here, the crypto kept per node (nodes/shared/callbackTrigger.ts).
import { createHash } from 'node:crypto';

import type { IDataObject, INode, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { CallbackCrypto } from '../../shared/callbackCrypto';
import {
	CallbackCryptoSource,
	isRefusal,
	refuse,
	requestRefusal,
	staleness,
	type Refusal,
} from '../../shared/callbackTrigger';
import { Deliveries } from '../../shared/deliveries';
import { parseJsonObject } from '../../shared/json';
import { webhookParameters, type WebhookParameters } from '../../shared/nodeParameters';
import { triggerEventKey } from '../../shared/triggerScope';
import {
	acknowledge,
	readRequestBody,
	refuseRequest,
	startExecution,
} from '../../shared/webhookRequest';
import {
	CHECK_URL_EVENT,
	eventFromHttp,
	eventToItem,
	eventTypeList,
	passesFilter,
	type DingTalkEvent,
} from './events';
import type { TriggerOptions } from './options';
import { answerAfterRun } from '../../shared/heldCallbacks';
import { receiveRobotMessage } from './robotHttp';
import { testEventKey, testEvents } from './testEvents';

/** Larger bodies are refused before any parsing: DingTalk sends one encrypted event of a few KiB. */
export const MAX_CALLBACK_BODY_BYTES = 1024 * 1024;

/** DingTalk wants the answer within 1.5 s (URL check) to 3 s; a body still arriving after 5 s is not DingTalk's. */
const BODY_DEADLINE_MS = 5000;

/** The crypto of a DingTalk credential: the trailing key must be the Client ID, or the Corp ID when one is set. */
function cryptoFromCredential(credentials: IDataObject): CallbackCrypto | Refusal {
	return CallbackCryptoSource.build({
		platform: 'dingtalk',
		token: credentials.callbackToken,
		aesKey: credentials.aesKey,
		receivers: [credentials.clientId, credentials.corpId],
		notSetUp:
			'The DingTalk Trigger (HTTP mode) is not set up: set Callback Token and Callback AES Key in the DingTalk credential (事件订阅 → 加密 token, 数据加密密钥)',
		noReceiver: 'The DingTalk Trigger is not set up: set Client ID in the DingTalk credential',
		unusableKey: 'The Callback AES Key in the DingTalk credential is unusable',
	});
}

const cryptos = new CallbackCryptoSource({
	credentialType: 'dingTalkApi',
	noCredential: 'The DingTalk Trigger has no DingTalk credential selected',
	build: cryptoFromCredential,
});

/** One per n8n process: every DingTalk Trigger (HTTP mode) in it shares this, keyed apart. */
export const recentHttpEvents = new Deliveries(20000);

/**
 * Whether a request is meant as a robot message (trigger/robotHttp.ts) rather than an encrypted event: no event
 * signature in the query and no `encrypt` in the body. Everything else keeps the event path and its refusals.
 */
function isRobotRequest(query: IDataObject, body: Buffer): boolean {
	if (query.msg_signature !== undefined || query.signature !== undefined) return false;
	const envelope = parseJsonObject(body.toString('utf8').replace(/^[\uFEFF\s]+/, ''));
	return envelope === undefined || (envelope.encrypt ?? envelope.Encrypt) === undefined;
}

/** The Encrypt value of the POST body `{"encrypt": "..."}`. */
function envelopeEncrypt(body: Buffer): string | Refusal {
	const textBody = body.toString('utf8').replace(/^[\uFEFF\s]+/, '');
	if (textBody === '') {
		return refuse(400, 'The request body is empty: a DingTalk event carries {"encrypt": "..."}');
	}
	const envelope = parseJsonObject(textBody);
	if (envelope === undefined) {
		return refuse(400, 'The request body is not a JSON object: DingTalk sends {"encrypt": "..."}');
	}
	const encrypt = envelope.encrypt ?? envelope.Encrypt;
	if (typeof encrypt !== 'string' || encrypt === '') {
		return refuse(400, 'The request body has no encrypt value');
	}
	return encrypt;
}

interface Opened {
	message: string;
	receiverId: string;
	crypto: CallbackCrypto;
}

/** Verifies the signature (msg_signature, or the older signature) and the freshness window, then decrypts. */
async function openSigned(
	context: IWebhookFunctions,
	node: INode,
	encrypt: string,
	timestampWindow: number,
): Promise<Opened | Refusal> {
	const query = context.getRequestObject().query as IDataObject;
	// Express hands over whatever the query held; CallbackCrypto names the shape when it is not a single string.
	const signature = (query.msg_signature ?? query.signature) as string;
	const timestamp = query.timestamp as string;
	const nonce = query.nonce as string;
	return await cryptos.run<Opened>(
		context,
		context.getMode() === 'manual',
		(crypto) => {
			crypto.verifySignature(signature, timestamp, nonce, encrypt);
			const stale = staleness(timestamp, timestampWindow);
			if (stale) return stale;
			return { ...crypto.decrypt(encrypt), crypto };
		},
		node,
	);
}

/** What stays the same when DingTalk sends an event again: its eventId, or else the whole decrypted text. */
function dedupeKey(event: DingTalkEvent): string {
	if (event.eventId) return `event:${event.eventId}`;
	return `text:${createHash('sha256').update(event.raw, 'utf8').digest('base64')}`;
}

async function receive(
	this: IWebhookFunctions,
	parameters: WebhookParameters,
): Promise<IWebhookResponseData | Refusal> {
	const req = this.getRequestObject();
	const res = this.getResponseObject();
	const { node } = parameters;
	const options = parameters.get<TriggerOptions>('options', {});
	const body = await readRequestBody(req, {
		maxBytes: MAX_CALLBACK_BODY_BYTES,
		deadlineMs: BODY_DEADLINE_MS,
	});
	if (isRobotRequest(req.query as IDataObject, body.bytes)) {
		return await receiveRobotMessage(this, parameters, {
			body: body.bytes,
			deliveries: recentHttpEvents,
			deadlineMs: BODY_DEADLINE_MS,
		});
	}
	const encrypt = envelopeEncrypt(body.bytes);
	if (isRefusal(encrypt)) return encrypt;
	const opened = await openSigned(this, node, encrypt, Number(options.timestampWindow ?? 0));
	if (isRefusal(opened)) return opened;
	const fields = parseJsonObject(opened.message);
	if (fields === undefined) {
		return refuse(400, 'The decrypted event is not a JSON object');
	}
	// Every accepted request gets the same answer, the URL check included: "success", encrypted and signed.
	const answer = opened.crypto.dingtalkReply('success', {
		receiverId: opened.receiverId,
	}) as unknown as IDataObject;
	const event = eventFromHttp(fields, opened.message);
	// The URL check starts no execution: nothing to record, so it is answered at once.
	if (event.eventType.toLowerCase() === CHECK_URL_EVENT) return acknowledge(res, answer);

	const wanted = passesFilter(event, {
		categories: parameters.get<string[]>('events', []),
		eventTypes: eventTypeList(options.eventTypes),
	});
	if (!wanted) return acknowledge(res, answer);

	const windowMs = Math.max(0, Number(options.dedupeWindow ?? 10)) * 60_000;
	if (windowMs > 0) {
		const claim = await recentHttpEvents.claim(
			triggerEventKey(this.getWorkflow().id, node, dedupeKey(event)),
			windowMs,
			res,
			BODY_DEADLINE_MS,
		);
		if (claim === 'duplicate') return acknowledge(res, answer);
		if (claim === 'undecided') {
			return refuse(
				503,
				'An earlier delivery of this event is still being recorded; DingTalk will send it again',
			);
		}
	}
	const item = eventToItem(event, { includeRaw: options.includeRaw === true });
	const workflowData = [[{ json: item }]];
	// A test event (the Test URL): the run n8n starts for it gets its items from trigger() (shared/testEvents.ts).
	if (this.getMode() === 'manual') {
		testEvents.put(testEventKey(this.getWorkflow().id, node), workflowData, Date.now());
	} else if (options.answerAfterRun === true) {
		// Held by the trigger on n8n's main process until its run finished, run again if n8n lost it, then answered
		// (shared/heldCallbacks.ts).
		return await answerAfterRun(this, node, { json: item }, dedupeKey(event), answer, 'DingTalk');
	}
	// n8n sends the answer once it has recorded this execution, before the workflow runs: a slow workflow never makes
	// DingTalk resend, and nothing DingTalk was told about can be lost in a crash.
	return startExecution(res, workflowData, answer);
}

/** The webhook of HTTP mode: an accepted request starts (at most) one execution, a refused one a 4xx and nothing. */
export async function receiveHttpEvent(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	let outcome: IWebhookResponseData | Refusal;
	try {
		// The node and its parameters, read once for the whole request (nodes/shared/nodeParameters.ts).
		outcome = await receive.call(this, webhookParameters(this));
	} catch (error) {
		const refusal = requestRefusal(error);
		if (refusal === undefined) throw new NodeOperationError(this.getNode(), error as Error);
		outcome = refusal;
	}
	if (!isRefusal(outcome)) return outcome;
	refuseRequest(this.getResponseObject(), outcome.status, outcome.reason, outcome.close);
	return { noWebhookResponse: true };
}
