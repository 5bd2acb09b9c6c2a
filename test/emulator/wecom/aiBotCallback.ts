/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs under Node and jest, never inside n8n */
// WeCom's side of an AI bot (智能机器人) in callback (URL) mode: it calls the bot's URL the way WeCom does and records
// what the user would see. Sources, WeCom's docs 企业内部开发 / 服务端API / 消息接收与发送 / 智能机器人:
// - 101033 回调和回复的加解密方案: URL check = GET ?msg_signature&timestamp&nonce&echostr, answered with the plaintext
//   within 1 s; callbacks = POST {"encrypt"} with the signature in the query; ReceiveId "" for an in-house bot; a reply
//   is the encrypted JSON {encrypt, msgsignature, timestamp, nonce}.
// - 100719 接收消息: the message's fields (msgid, aibotid, chatid, chattype, from.userid, response_url, msgtype, text,
//   quote); at most 3 messages of a user in flight with one bot; after a stream reply WeCom POSTs 流式消息刷新
//   (msgtype "stream", stream.id) until an answer has finish:true, for at most 6 minutes from the user's message.
// - 101031 被动回复消息: a stream reply {msgtype: "stream", stream: {id, finish, content}}, content the whole text
//   (≤ 20,480 bytes).
// Not in the docs as digested (assumed here, configurable): how often WeCom refreshes (default every 300 ms here, to
// keep tests short), that a refresh carries a msgid of its own plus the message's aibotid/chatid/chattype/from, that
// an unanswered first callback is sent again after 5 s (the app-callback rule), and what WeCom does with an answer it
// cannot read (recorded here as a violation, and the refreshing goes on).
import { randomBytes } from 'node:crypto';

import { CallbackCrypto, parseEncodingAesKey } from '../../../nodes/shared/callbackCrypto';
import { sendCallback, type BuiltCallback, type Tamper } from '../callbackSender';
import type { AiBotFileInput, AiBotFileStore } from './aiBotFiles';

/** WeCom stops refreshing 6 minutes after the user's message (doc 100719). */
export const REFRESH_WINDOW_MS = 6 * 60_000;

/** A stream reply's content, at most (doc 101031). */
export const MAX_CONTENT_BYTES = 20_480;

/** A user's messages in flight with one bot, at most (doc 100719). */
export const MAX_IN_FLIGHT_PER_USER = 3;

export interface AiBotCallbackSenderOptions {
	/** The node's URL (http://127.0.0.1 only). */
	url: string;
	token: string;
	encodingAesKey: string;
	botId: string;
	refreshIntervalMs?: number;
	windowMs?: number;
	/** WeCom waits this long for an answer (5 s for callbacks). */
	answerTimeoutMs?: number;
	/** Where the messages' files are served (an emulator's AI bot file store), for messages with attachments. */
	files?: AiBotFileStore;
}

export interface AiBotMessageInput {
	text?: string;
	userid?: string;
	chattype?: 'single' | 'group';
	chatid?: string;
	msgid?: string;
	/** A whole plaintext body instead of the text message built from the fields above. */
	body?: Record<string, unknown>;
	/**
	 * Pictures, files, videos the user sends: one alone (and no text) is an image/file/video message, else a mixed
	 * message of the text and pictures. Served by options.files, encrypted with the EncodingAESKey's key and with no
	 * aeskey in the message (callback mode per WeCom's reference digest; unconfirmed).
	 */
	attachments?: AiBotFileInput[];
}

/** One answer WeCom read from n8n. */
export interface AiBotCallbackAnswer {
	at: number;
	kind: 'first' | 'refresh' | 'redelivery';
	status: number;
	streamId?: string;
	content?: string;
	finish?: boolean;
	/** What was wrong with it, if anything (not 200, bad signature, not a stream reply, too long). */
	problem?: string;
	body: string;
}

export interface AiBotConversation {
	msgid: string;
	userid: string;
	sentAt: number;
	answers: AiBotCallbackAnswer[];
	/** The texts the user saw, in order (a new entry each time the text changed). */
	shown: string[];
	finished: boolean;
	/** The refreshing stopped because 6 minutes passed without finish:true. */
	expired: boolean;
	/** Settles when the reply finished, expired, or the first answer was unusable. */
	done: Promise<void>;
	/** The stream id of the first answer. */
	streamId?: string;
}

function random(count: number): string {
	return randomBytes(count).toString('hex');
}

function digits(count: number): string {
	let out = '';
	while (out.length < count) out += String(randomBytes(1)[0] % 10);
	return out.replace(/^0/, '1');
}

export class AiBotCallbackSender {
	readonly conversations: AiBotConversation[] = [];

	/** Rules a real WeCom would enforce that the code under test (or the test) broke. */
	readonly violations: string[] = [];

	private readonly crypto: CallbackCrypto;

	private readonly refreshIntervalMs: number;

	private readonly windowMs: number;

	private readonly answerTimeoutMs: number;

	private stopped = false;

	constructor(private readonly options: AiBotCallbackSenderOptions) {
		this.crypto = new CallbackCrypto({
			platform: 'wecom',
			token: options.token,
			encodingAesKey: options.encodingAesKey,
			receiverIds: [''],
		});
		this.refreshIntervalMs = options.refreshIntervalMs ?? 300;
		this.windowMs = options.windowMs ?? REFRESH_WINDOW_MS;
		this.answerTimeoutMs = options.answerTimeoutMs ?? 5000;
	}

	/** Stops every refresh loop (end of a test). */
	stop(): void {
		this.stopped = true;
	}

	/** A callback as WeCom signs it: `plaintext` encrypted for receiveid "" (doc 101033). */
	build(plaintext: string, receiverId = ''): BuiltCallback {
		const timestamp = String(Math.floor(Date.now() / 1000));
		const nonce = digits(10);
		const encrypt = this.crypto.encrypt(plaintext, { receiverId });
		return {
			method: 'POST',
			query: { msg_signature: this.crypto.sign(timestamp, nonce, encrypt), timestamp, nonce },
			body: JSON.stringify({ encrypt }),
			contentType: 'application/json',
		};
	}

	/** The URL check WeCom makes when the URL is saved: passes when the answer is exactly the plaintext, within 1 s. */
	async verifyUrl(
		tamper?: Tamper,
	): Promise<{ passed: boolean; status: number; body: string; ms: number }> {
		const echo = digits(19);
		const timestamp = String(Math.floor(Date.now() / 1000));
		const nonce = digits(10);
		const echostr = this.crypto.encrypt(echo, { receiverId: '' });
		const started = Date.now();
		const res = await sendCallback(
			this.options.url,
			{
				method: 'GET',
				query: {
					msg_signature: this.crypto.sign(timestamp, nonce, echostr),
					timestamp,
					nonce,
					echostr,
				},
			},
			{ tamper },
		);
		const ms = Date.now() - started;
		return {
			passed: res.status === 200 && res.body === echo && ms < 1000,
			status: res.status,
			body: res.body,
			ms,
		};
	}

	/** The plaintext of a user's text message (doc 100719, 文本消息). */
	messageBody(input: AiBotMessageInput): Record<string, unknown> {
		if (input.body) return input.body;
		const userid = input.userid ?? 'zhangsan';
		const group = input.chattype === 'group';
		return {
			msgid: input.msgid ?? `aibot-msg-${random(8)}`,
			aibotid: this.options.botId,
			...(group ? { chatid: input.chatid ?? 'wrkGroupChat1' } : {}),
			chattype: group ? 'group' : 'single',
			from: { userid },
			// A URL WeCom gives for one later reply; the bot never needs it here (never called by these tests).
			response_url: `http://127.0.0.1:9/aibot/response/${random(8)}`,
			...(input.attachments?.length
				? this.fileParts(input.attachments, input.text)
				: { msgtype: 'text', text: { content: input.text ?? '你好' } }),
		};
	}

	private fileParts(attachments: AiBotFileInput[], text: string | undefined) {
		if (!this.options.files) throw new Error('emulator: attachments need the files option');
		const key = parseEncodingAesKey(this.options.encodingAesKey);
		return this.options.files.messageParts(attachments, text, key);
	}

	/** Reads an answer as WeCom would: signed, encrypted JSON holding a stream reply. */
	private read(
		kind: AiBotCallbackAnswer['kind'],
		status: number,
		body: string,
	): AiBotCallbackAnswer {
		const answer: AiBotCallbackAnswer = { at: Date.now(), kind, status, body };
		if (status !== 200) {
			answer.problem = `answered ${status}`;
			return answer;
		}
		if (body === '') return answer;
		try {
			const envelope = JSON.parse(body) as Record<string, unknown>;
			const encrypt = String(envelope.encrypt ?? '');
			const signature = this.crypto.sign(
				String(envelope.timestamp ?? ''),
				String(envelope.nonce ?? ''),
				encrypt,
			);
			if (signature !== envelope.msgsignature) {
				answer.problem = 'msgsignature does not match';
				return answer;
			}
			const reply = JSON.parse(this.crypto.decrypt(encrypt).message) as {
				msgtype?: string;
				stream?: { id?: string; finish?: boolean; content?: string };
			};
			if (reply.msgtype !== 'stream' || !reply.stream?.id) {
				answer.problem = `not a stream reply: ${reply.msgtype}`;
				return answer;
			}
			answer.streamId = reply.stream.id;
			answer.content = String(reply.stream.content ?? '');
			answer.finish = reply.stream.finish === true;
			if (Buffer.byteLength(answer.content, 'utf8') > MAX_CONTENT_BYTES) {
				answer.problem = `content is ${Buffer.byteLength(answer.content, 'utf8')} bytes, over ${MAX_CONTENT_BYTES}`;
			}
		} catch (error) {
			answer.problem = `unreadable answer: ${(error as Error).message}`;
		}
		return answer;
	}

	private async post(plaintext: Record<string, unknown>, kind: AiBotCallbackAnswer['kind']) {
		const res = await Promise.race([
			sendCallback(this.options.url, this.build(JSON.stringify(plaintext))),
			new Promise<never>((_, reject) =>
				setTimeout(
					() => reject(new Error(`no answer within ${this.answerTimeoutMs} ms`)),
					this.answerTimeoutMs,
				).unref(),
			),
		]);
		const answer = this.read(kind, res.status, res.body);
		if (answer.problem) this.violations.push(`${kind}: ${answer.problem}`);
		return answer;
	}

	private note(conversation: AiBotConversation, answer: AiBotCallbackAnswer): void {
		conversation.answers.push(answer);
		if (answer.content === undefined) return;
		if (conversation.streamId && answer.streamId !== conversation.streamId) {
			this.violations.push(`stream id changed from ${conversation.streamId} to ${answer.streamId}`);
		}
		conversation.streamId ??= answer.streamId;
		if (conversation.shown.at(-1) !== answer.content) conversation.shown.push(answer.content);
		if (answer.finish) conversation.finished = true;
	}

	private inFlight(userid: string): number {
		return this.conversations.filter((c) => c.userid === userid && !c.finished && !c.expired)
			.length;
	}

	/**
	 * A user writes to the bot: the first callback, then refreshes until finish:true or the window passed. Resolves
	 * with the conversation once the first answer was read (its `done` settles when the reply ended).
	 */
	async send(input: AiBotMessageInput = {}): Promise<AiBotConversation> {
		const body = this.messageBody(input);
		const userid = String((body.from as { userid?: string } | undefined)?.userid ?? '');
		if (this.inFlight(userid) >= MAX_IN_FLIGHT_PER_USER) {
			// WeCom lets a user have at most 3 messages in flight with one bot (doc 100719).
			this.violations.push(`a 4th message of ${userid} was sent while 3 were in flight`);
		}
		let settle: () => void = () => undefined;
		const conversation: AiBotConversation = {
			msgid: String(body.msgid),
			userid,
			sentAt: Date.now(),
			answers: [],
			shown: [],
			finished: false,
			expired: false,
			done: new Promise<void>((resolve) => (settle = resolve)),
		};
		this.conversations.push(conversation);
		const first = await this.post(body, 'first');
		this.note(conversation, first);
		if (!conversation.streamId || conversation.finished) {
			settle();
			return conversation;
		}
		void this.refreshLoop(conversation, body).finally(settle);
		return conversation;
	}

	/** WeCom sends the message again (an answer came too late, or got lost): same msgid. */
	async redeliver(conversation: AiBotConversation): Promise<AiBotCallbackAnswer> {
		const original = this.messageBody({ msgid: conversation.msgid, userid: conversation.userid });
		const answer = await this.post(original, 'redelivery');
		conversation.answers.push(answer);
		return answer;
	}

	/** One refresh callback for `streamId`, as WeCom sends it (the fields besides msgtype and stream are assumed). */
	async refresh(
		streamId: string,
		about: Record<string, unknown> = {},
	): Promise<AiBotCallbackAnswer> {
		return await this.post(
			{
				msgid: `aibot-refresh-${random(8)}`,
				aibotid: this.options.botId,
				chattype: about.chattype ?? 'single',
				...(about.chatid ? { chatid: about.chatid } : {}),
				from: about.from ?? { userid: 'zhangsan' },
				msgtype: 'stream',
				stream: { id: streamId },
			},
			'refresh',
		);
	}

	private async refreshLoop(
		conversation: AiBotConversation,
		body: Record<string, unknown>,
	): Promise<void> {
		while (!this.stopped && !conversation.finished) {
			if (Date.now() - conversation.sentAt >= this.windowMs) {
				conversation.expired = true;
				return;
			}
			await new Promise((resolve) => setTimeout(resolve, this.refreshIntervalMs));
			try {
				this.note(conversation, await this.refresh(conversation.streamId!, body));
			} catch (error) {
				this.violations.push(`refresh: ${(error as Error).message}`);
			}
		}
	}
}
