// Callback (URL) mode of the WeCom AI Bot Trigger: WeCom calls the node's URL instead of the long connection.
// Facts from WeCom's docs 智能机器人 (developer.work.weixin.qq.com/document/path/…):
// - 101033 回调和回复的加解密方案: the URL check is a GET with msg_signature, timestamp, nonce, echostr, answered within 1 s
//   with the decrypted plaintext (no quotes, BOM or line break); callbacks are POSTed as JSON {"encrypt": "..."}; the
//   scheme is the app callbacks' one with ReceiveId "" for an in-house AI bot; a passive reply is the encrypted JSON
//   {encrypt, msgsignature, timestamp, nonce} — WeCom's own JSON sample library writes timestamp as a string.
// - 100719 接收消息: the decrypted message carries msgid, aibotid, chatid, chattype single|group, from.userid,
//   response_url, msgtype, quote; a user has at most 3 messages in flight with one bot; after a reply with a stream
//   WeCom keeps POSTing 流式消息刷新 (msgtype "stream", stream.id) until an answer has finish:true, for at most 6 minutes
//   from the user's message.
// - 101031 被动回复消息: a stream reply is {msgtype: "stream", stream: {id, finish, content}}, content the whole text.
// Not confirmed from the docs (no account here): how often WeCom refreshes, what it does with a refresh that fails
// (n8n's 404 after a test run), whether a first callback answered late is redelivered with the same msgid (the
// app-callback rule, 5 s and up to 3 tries, is assumed), and the exact fields of a refresh besides msgtype and stream.id.
//
// The answer to a user's message is written by n8n once it has recorded the execution (answer after record,
// nodes/shared/webhookRequest.ts); refreshes and the URL check start nothing and are answered at once.
import type { IDataObject, INode, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { CallbackCrypto } from '../../shared/callbackCrypto';
import {
	CallbackCryptoSource,
	isRefusal,
	refuse,
	requestRefusal,
	type Refusal,
} from '../../shared/callbackTrigger';
import type { ChatSessionScope } from '../../shared/chat';
import { Deliveries } from '../../shared/deliveries';
import { isRecord, parseJsonObject, scalarText } from '../../shared/json';
import { webhookParameters, type WebhookParameters } from '../../shared/nodeParameters';
import {
	acknowledge,
	readRequestBody,
	refuseRequest,
	startExecution,
} from '../../shared/webhookRequest';
import { testEventChannel, testEventKey } from '../../shared/testEvents';
import { triggerEventKey } from '../../shared/triggerScope';
import { fitContent } from '../connection/frames';
import { openStream, streamById, streamOfMessage, type CallbackStream } from '../callback/streams';
import { messageItem } from './chat';
import { CALLBACK_DOWNLOAD_MS, aiBotMaxAttachmentBytes, withAttachments } from './media';

export type AiBotConnectionMode = 'longConnection' | 'callback';

export const CALLBACK_PATH = 'callback';

/** A message of a few KiB; larger bodies are refused before parsing. */
export const MAX_CALLBACK_BODY_BYTES = 1024 * 1024;

/** WeCom waits about 5 s for an answer; a body still arriving after that is not WeCom's. */
const BODY_DEADLINE_MS = 5000;

/** A redelivered message starts nothing for this long (WeCom stops refreshing after 6 minutes). */
const DEDUPE_WINDOW_MS = 10 * 60_000;

export const DEFAULT_THINKING_TEXT = '思考中…';

/** What the user sees in a test run, whose Test URL n8n closes once the message started the run. */
export const TEST_RUN_NOTE =
	'（n8n 测试运行：测试 URL 只接收这一条消息，回答请在 n8n 编辑器中查看。n8n test run: the answer shows in the n8n editor.）';

/** The answer to a refresh for a stream this n8n process does not have. */
export const UNKNOWN_STREAM_NOTE =
	'（这条回复已无法继续：n8n 中没有它的内容，可能 n8n 已重启、回复超过 6 分钟，或 n8n 以队列模式运行。n8n no longer has this reply.）';

/** One per n8n process: messages answered lately, per trigger node (WeCom sends a message again when unanswered). */
export const recentAiBotCallbacks = new Deliveries(20_000);

/** Test messages waiting for the run n8n starts for them, and the trigger() of that run (nodes/shared/testEvents.ts). */
export const aiBotTestEvents = testEventChannel({
	trigger: 'WeCom AI Bot Trigger',
	what: 'message',
	howToSend:
		'In callback mode a test run starts from the message its Test URL received ("Listen for test event", with the Test URL saved in the bot\'s URL 回调 settings, then write to the bot)',
	zh: 'URL 回调模式下，测试运行从测试 URL 收到的消息开始。',
});

const cryptos = new CallbackCryptoSource({
	credentialType: 'weComAiBotApi',
	noCredential: 'The WeCom AI Bot Trigger has no WeCom AI Bot credential selected',
	build: (credentials) =>
		CallbackCryptoSource.build({
			platform: 'wecom',
			token: credentials.callbackToken,
			aesKey: credentials.encodingAesKey,
			receivers: [],
			// An in-house AI bot's ReceiveId is "" (doc 101033): openSigned checks it.
			callerChecksReceiver: true,
			notSetUp:
				"The WeCom AI Bot Trigger (callback mode) is not set up: set Token and EncodingAESKey in the WeCom AI Bot credential (the bot's API 模式 → URL 回调 settings)",
			noReceiver: '',
			unusableKey: 'The EncodingAESKey in the WeCom AI Bot credential is unusable',
		}),
});

/** For tests: forget the cached crypto of every node. */
export function resetAiBotCallbackCryptos(): void {
	cryptos.clear();
}

interface Opened {
	message: string;
	crypto: CallbackCrypto;
}

const NOT_FOR_A_BOT =
	"receiveid is not empty (WeCom error -40005): this callback was encrypted for a WeCom app (CorpID), not for an AI bot, whose callbacks carry an empty receiveid. Save this URL in the bot's settings (管理后台 → 应用管理 → 智能机器人 → the bot → API 模式), not in an app's 接收消息";

/** Verifies msg_signature over `encrypted`, then decrypts it. */
async function openSigned(
	context: IWebhookFunctions,
	encrypted: string,
	node?: INode,
): Promise<Opened | Refusal> {
	const query = context.getRequestObject().query as IDataObject;
	const fresh = context.getWebhookName() === 'setup' || context.getMode() === 'manual';
	return await cryptos.run<Opened>(
		context,
		fresh,
		(crypto) => {
			crypto.verifySignature(
				query.msg_signature as string,
				query.timestamp as string,
				query.nonce as string,
				encrypted,
			);
			const { message, receiverId } = crypto.decrypt(encrypted);
			// An in-house AI bot's ReceiveId is "" (doc 101033): anything else was encrypted for an app, not a bot.
			// Not a credential problem (the signature held), so no reload: a refusal of its own.
			if (receiverId !== '') return refuse(403, NOT_FOR_A_BOT);
			return { message, crypto };
		},
		node,
	);
}

/** The URL check: the decrypted echostr as the whole text/plain body. */
async function verifyUrl(this: IWebhookFunctions): Promise<IWebhookResponseData | Refusal> {
	const query = this.getRequestObject().query as IDataObject;
	if (typeof query.echostr !== 'string' || query.echostr === '') {
		const unusable = await cryptos.run(this, true, () => undefined);
		if (isRefusal(unusable)) return unusable;
		const shape = Array.isArray(query.echostr) ? 'was sent more than once' : 'is missing';
		return refuse(400, `The URL check parameter echostr ${shape}`);
	}
	// Base64 has no spaces: a space here is a '+' that reached the URL unescaped and was decoded.
	const opened = await openSigned(this, query.echostr.replace(/ /g, '+'));
	if (isRefusal(opened)) return opened;
	this.getResponseObject().status(200).type('text/plain').send(opened.message);
	return { noWebhookResponse: true };
}

/** The encrypt value of `{"encrypt": "..."}`. */
function envelopeEncrypt(body: Buffer): string | Refusal {
	const textBody = body.toString('utf8').replace(/^[\uFEFF\s]+/, '');
	if (textBody === '') {
		return refuse(
			400,
			'The request body is empty: a WeCom AI bot callback carries {"encrypt": "..."}',
		);
	}
	const envelope = parseJsonObject(textBody);
	if (envelope === undefined) {
		return refuse(400, 'The request body is not a JSON object: WeCom sends {"encrypt": "..."}');
	}
	const encrypt = envelope.encrypt;
	if (typeof encrypt !== 'string' || encrypt === '') {
		return refuse(400, 'The request body has no encrypt value');
	}
	return encrypt;
}

/** The plaintext reply a stream shows now. */
export function streamReply(id: string, content: string, finish: boolean): IDataObject {
	return { msgtype: 'stream', stream: { id, finish, content: fitContent(content).content } };
}

/** `reply` encrypted and signed the way WeCom's JSON sample library answers (timestamp as a string). */
function sealed(crypto: CallbackCrypto, reply: IDataObject): IDataObject {
	const json = crypto.wecomReplyJson(JSON.stringify(reply), { receiverId: '' });
	return { ...json, timestamp: String(json.timestamp) };
}

function text(value: unknown): string {
	return (scalarText(value) ?? '').trim();
}

interface CallbackOptions {
	includeRaw?: boolean;
	thinkingText?: string;
	maxAttachmentSize?: number;
}

/** A refresh: the stream's whole text now; finish:true with a note when this process does not have it. */
function answerRefresh(
	res: ReturnType<IWebhookFunctions['getResponseObject']>,
	crypto: CallbackCrypto,
	fields: IDataObject,
): IWebhookResponseData | Refusal {
	const id = text(isRecord(fields.stream) ? fields.stream.id : undefined);
	if (!id) return refuse(400, 'The stream refresh has no stream.id');
	const stream = streamById(id);
	if (!stream) return acknowledge(res, sealed(crypto, streamReply(id, UNKNOWN_STREAM_NOTE, true)));
	stream.refreshes++;
	return acknowledge(res, sealed(crypto, streamReply(id, stream.content, stream.finish)));
}

/** What a stream shows in answer to its message (the first delivery, or a redelivery). */
function firstAnswer(stream: CallbackStream): IDataObject {
	return stream.testRun
		? streamReply(stream.id, `${stream.content}\n\n${TEST_RUN_NOTE}`, true)
		: streamReply(stream.id, stream.content, stream.finish);
}

async function receive(
	this: IWebhookFunctions,
	parameters: WebhookParameters,
): Promise<IWebhookResponseData | Refusal> {
	const req = this.getRequestObject();
	const res = this.getResponseObject();
	const { node } = parameters;
	const body = await readRequestBody(req, {
		maxBytes: MAX_CALLBACK_BODY_BYTES,
		deadlineMs: BODY_DEADLINE_MS,
	});
	const encrypt = envelopeEncrypt(body.bytes);
	if (isRefusal(encrypt)) return encrypt;
	const opened = await openSigned(this, encrypt, node);
	if (isRefusal(opened)) return opened;
	const fields = parseJsonObject(opened.message);
	if (fields === undefined) return refuse(400, 'The decrypted callback is not a JSON object');
	const msgtype = text(fields.msgtype);
	if (msgtype === 'stream') return answerRefresh(res, opened.crypto, fields);
	// Events (entering the chat, card clicks) start nothing here: an empty answer is allowed (doc 101033).
	if (msgtype === 'event') return acknowledge(res);

	const msgid = text(fields.msgid);
	if (!msgid) return refuse(400, 'The AI bot message has no msgid');
	if (!text(isRecord(fields.from) ? fields.from.userid : undefined)) {
		return refuse(400, 'The AI bot message has no sender (from.userid)');
	}
	const workflowId = this.getWorkflow().id ?? '';
	const messageKey = triggerEventKey(workflowId, node, msgid);
	const claim = await recentAiBotCallbacks.claim(
		messageKey,
		DEDUPE_WINDOW_MS,
		res,
		BODY_DEADLINE_MS,
	);
	if (claim === 'undecided') {
		return refuse(
			503,
			'An earlier delivery of this message is still being recorded; WeCom will send it again',
		);
	}
	const known = streamOfMessage(messageKey);
	if (claim === 'duplicate') {
		// Already started: WeCom gets the same stream again, as it stands now.
		return known ? acknowledge(res, sealed(opened.crypto, firstAnswer(known))) : acknowledge(res);
	}
	const options = parameters.get<CallbackOptions>('options', {});
	const manual = this.getMode() === 'manual';
	const stream =
		known ??
		openStream({
			messageKey,
			botId: text(fields.aibotid),
			msgid,
			content: text(options.thinkingText) || DEFAULT_THINKING_TEXT,
			testRun: manual,
		});
	const message = messageItem('', fields, {
		// The message's own bot: in callback mode the reply goes to the stream, not through a bot's connection.
		botId: stream.botId,
		sessionScope: parameters.get<ChatSessionScope>('sessionScope', 'chat'),
		includeRaw: options.includeRaw === true,
		streamId: stream.id,
	});
	if (typeof message === 'string') {
		return refuse(400, `WeCom sent an AI bot message that cannot start the workflow: ${message}`);
	}
	// Before the answer, which WeCom waits about 5 s for: the downloads get at most CALLBACK_DOWNLOAD_MS of it. The files
	// are decrypted with the credential's EncodingAESKey (reference digest only: trigger/media.ts).
	const item = await withAttachments(this, message, {
		download: parameters.get<boolean>('downloadAttachments', true) !== false,
		maxBytes: aiBotMaxAttachmentBytes(options.maxAttachmentSize),
		deadline: Date.now() + CALLBACK_DOWNLOAD_MS,
		key: { mode: 'callback', crypto: opened.crypto },
	});
	const workflowData = [[item]];
	// A test event (the Test URL): the run n8n starts for it gets its items from trigger() (nodes/shared/testEvents.ts).
	if (manual) aiBotTestEvents.events.put(testEventKey(workflowId, node), workflowData, Date.now());
	// n8n answers WeCom (the stream id and the thinking text) once it has recorded this execution.
	return startExecution(res, workflowData, sealed(opened.crypto, firstAnswer(stream)));
}

/** The webhooks of callback mode: GET (URL check) and POST (messages, refreshes, events). */
export async function receiveAiBotCallback(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	let outcome: IWebhookResponseData | Refusal;
	try {
		outcome =
			this.getWebhookName() === 'setup'
				? await verifyUrl.call(this)
				: await receive.call(this, webhookParameters(this));
	} catch (error) {
		const refusal = requestRefusal(error);
		if (refusal === undefined) throw new NodeOperationError(this.getNode(), error as Error);
		outcome = refusal;
	}
	if (!isRefusal(outcome)) return outcome;
	refuseRequest(this.getResponseObject(), outcome.status, outcome.reason, outcome.close);
	return { noWebhookResponse: true };
}
