// An AI bot message as n8n's AI Agent wants it (nodes/shared/chat.ts): chatInput, sessionId, sender, chat, quote,
// attachments; the req_id the reply needs rides along under `wecomAiBot`.
//
// Message fields (reference digest of WeCom's 智能机器人 docs, paths 100719/101031/101033/101039; the digest lists them
// for callback mode, and the long connection's aibot_msg_callback body is taken to be the same — unverified):
// `msgid, aibotid, chatid (groups), chattype single|group, from.userid, msgtype text|image|mixed|voice|file|video,
// quote`. Per type (WeCom's official long-connection SDK, WecomTeam/aibot-node-sdk src/types/message.ts): text
// `text.content`; mixed `mixed.msg_item[]` of `{msgtype:'text', text.content}` / `{msgtype:'image', image{url, aeskey}}`;
// voice `voice.content` (WeCom's transcript); image `image{url, aeskey}`; file `file{url, aeskey}`; video
// `video{url, aeskey}`.
// Pictures, files and videos come as URLs valid 5 minutes, AES-256-CBC encrypted (WeCom's official long-connection
// SDK, WecomTeam/aibot-node-sdk src/types/message.ts: `image|file|video {url, aeskey}`, "aeskey: 解密密钥，长连接模式下返回，
// 每个下载链接的 aeskey 唯一"; mixed `msg_item[]` of text and image). The trigger downloads and decrypts them
// (trigger/media.ts) and puts them on the item as binary data; their URLs and keys never reach the item.
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import {
	chatInputOf,
	chatSessionId,
	type ChatAttachment,
	type ChatAttachmentKind,
	type ChatItemFields,
	type ChatQuote,
	type ChatSessionScope,
	type ChatType,
} from '../../shared/chat';
import { isRecord, scalarText } from '../../shared/json';

export const WECOM_AIBOT_PLATFORM = 'wecom';

/** What an attachment says until the trigger tried to download it (trigger/media.ts fills in the outcome). */
export const ATTACHMENT_PENDING = 'not downloaded';

const ATTACHMENT_KINDS: Record<string, ChatAttachmentKind> = {
	image: 'image',
	file: 'file',
	video: 'video',
};

function text(value: unknown): string {
	return (scalarText(value) ?? '').trim();
}

function record(value: unknown): IDataObject | undefined {
	return isRecord(value) ? (value as IDataObject) : undefined;
}

/** A file of the message before download: where it is and its key. Kept off the item (both are secrets). */
export interface PendingAiBotFile {
	kind: ChatAttachmentKind;
	url: string;
	/** Long connection: the file's own key (base64). Callback mode has none: the EncodingAESKey's key is used. */
	aesKey: string;
}

function attachment(kind: ChatAttachmentKind, body: IDataObject | undefined): ChatAttachment {
	const fileName = text(body?.filename) || text(body?.file_name) || null;
	return {
		kind,
		fileName,
		mimeType: null,
		size: null,
		binaryProperty: null,
		error: ATTACHMENT_PENDING,
	};
}

function pending(kind: ChatAttachmentKind, body: IDataObject | undefined): PendingAiBotFile {
	return { kind, url: text(body?.url), aesKey: text(body?.aeskey) || text(body?.aes_key) };
}

/** The text, the attachments and (same order) their download addresses of a message body, by its msgtype. */
export function contentOf(body: IDataObject): {
	text: string;
	attachments: ChatAttachment[];
	files: PendingAiBotFile[];
} {
	const msgtype = text(body.msgtype);
	const attachments: ChatAttachment[] = [];
	const files: PendingAiBotFile[] = [];
	const add = (kind: ChatAttachmentKind, part: IDataObject | undefined) => {
		attachments.push(attachment(kind, part));
		files.push(pending(kind, part));
	};
	if (msgtype === 'text') return { text: text(record(body.text)?.content), attachments, files };
	if (msgtype === 'voice') return { text: text(record(body.voice)?.content), attachments, files };
	if (msgtype === 'mixed') {
		const parts: string[] = [];
		const items = record(body.mixed)?.msg_item;
		for (const entry of Array.isArray(items) ? items : []) {
			const part = record(entry);
			if (!part) continue;
			const partType = text(part.msgtype);
			if (partType === 'text') {
				const partText = text(record(part.text)?.content);
				if (partText) parts.push(partText);
			} else if (ATTACHMENT_KINDS[partType]) {
				add(ATTACHMENT_KINDS[partType], record(part[partType]));
			}
		}
		return { text: parts.join('\n'), attachments, files };
	}
	if (ATTACHMENT_KINDS[msgtype]) add(ATTACHMENT_KINDS[msgtype], record(body[msgtype]));
	return { text: '', attachments, files };
}

/**
 * In a group the bot is @-mentioned at the start of the text (a group message reaches the bot only then); the Agent
 * should not read its own name. Only a leading @word is removed (unverified whether WeCom includes it: harmless if not).
 */
export function withoutLeadingMention(value: string, chatType: ChatType): string {
	return chatType === 'group' ? value.replace(/^@\S+\s*/u, '').trim() : value;
}

function quoteOf(body: IDataObject): ChatQuote | null {
	const quote = record(body.quote);
	if (!quote) return null;
	const { text: quoted, attachments } = contentOf(quote);
	return {
		messageId: text(quote.msgid) || null,
		senderId: text(record(quote.from)?.userid) || null,
		senderName: null,
		text: chatInputOf(quoted, attachments),
	};
}

/**
 * Without the fields that hold download URLs and their keys, and callback mode's response_url (a URL that lets whoever
 * holds it answer as the bot): never on an item.
 */
export function safeRaw(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(safeRaw);
	if (!isRecord(value)) return value;
	const out: IDataObject = {};
	for (const [key, entry] of Object.entries(value)) {
		if (/^(aeskey|aes_key|url|response_url)$/i.test(key)) continue;
		out[key] = safeRaw(entry) as IDataObject;
	}
	return out;
}

export interface AiBotItemOptions {
	botId: string;
	sessionScope: ChatSessionScope;
	includeRaw: boolean;
	/** Callback mode: the stream id the trigger answered the message with (then there is no req_id). */
	streamId?: string;
	/** The trigger takes the final answer back from a run on another process (published, long connection). */
	replyViaTrigger?: boolean;
}

/** What the reply needs to find its message: the bot and the message's req_id (or, in callback mode, stream id). */
export interface AiBotReplyFields extends IDataObject {
	/** The credential's Bot ID: the key of the connection that carries the reply. */
	botId: string;
	/** Long connection only. */
	reqId?: string;
	/** Callback mode only: the stream WeCom's refresh callbacks read. */
	streamId?: string;
	msgid: string;
	aibotid: string;
	chatType: 'single' | 'group';
	chatId: string;
	userId: string;
	/**
	 * Long connection, published: the trigger takes the final answer back from a run on another process (a queue-mode
	 * worker) through n8n's run response (reply/relay.ts).
	 */
	replyViaTrigger?: boolean;
}

/** The trigger's item of a message, with what its attachments still need (trigger/media.ts downloads them). */
export interface AiBotMessage {
	item: INodeExecutionData & { json: IDataObject & ChatItemFields };
	/** The message's text as chatInput starts with it (the attachment lines follow once their names are known). */
	text: string;
	/** attachments[i] of the item is files[i]. */
	files: PendingAiBotFile[];
}

/** A message's body and req_id ('' in callback mode, which passes options.streamId) → the trigger's item; a problem (no msgid, no sender) as a string. */
export function messageItem(
	reqId: string,
	body: IDataObject,
	options: AiBotItemOptions,
): AiBotMessage | string {
	const msgid = text(body.msgid);
	const userId = text(record(body.from)?.userid);
	if (!msgid) return 'the message has no msgid';
	if (!userId) return 'the message has no sender (from.userid)';
	const group = text(body.chattype) === 'group';
	const chatType: ChatType = group ? 'group' : 'direct';
	const chatId = text(body.chatid) || userId;
	const chat = { id: chatId, type: chatType, title: null };
	const content = contentOf(body);
	const messageText = withoutLeadingMention(content.text, chatType);
	const fields: ChatItemFields = {
		chatInput: chatInputOf(messageText, content.attachments),
		sessionId: chatSessionId(WECOM_AIBOT_PLATFORM, chat, userId, options.sessionScope),
		platform: WECOM_AIBOT_PLATFORM,
		messageId: msgid,
		messageType: text(body.msgtype),
		chat,
		sender: { id: userId, name: null },
		// A group message reaches the AI bot only when it is @-mentioned; a direct one always is for it.
		botMentioned: true,
		// The digest names no mention list for AI bot messages: none is read (unverified whether WeCom sends one).
		mentions: [],
		quote: quoteOf(body),
		attachments: content.attachments,
		createdAt: null,
	};
	const wecomAiBot: AiBotReplyFields = {
		botId: options.botId,
		...(options.streamId ? { streamId: options.streamId } : { reqId }),
		msgid,
		aibotid: text(body.aibotid),
		chatType: group ? 'group' : 'single',
		chatId,
		userId,
		...(options.replyViaTrigger === true ? { replyViaTrigger: true } : {}),
	};
	return {
		item: {
			json: {
				...fields,
				wecomAiBot,
				...(options.includeRaw ? { raw: safeRaw(body) as IDataObject } : {}),
			},
		},
		text: messageText,
		files: content.files,
	};
}
