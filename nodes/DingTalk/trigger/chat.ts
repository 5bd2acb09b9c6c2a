// A robot message as n8n's AI Agent wants it (nodes/shared/chat.ts): chatInput, sessionId, sender, chat, mentions, a
// quoted message, attachments as binary data. DingTalk's own fields and the trigger's normalised ones stay on the item
// beside them (the AI Reply operation and the sessionWebhook Reply read them).
//
// Message types (机器人接收消息, open.dingtalk.com/document/orgapp/receive-message, and the official Python SDK's
// ChatbotMessage): text `text.content`; richText `content.richText[]` of `{text}` and `{type:"picture", downloadCode}`;
// picture `content.downloadCode`; file `content.{downloadCode, fileName}`; audio `content.{downloadCode, duration,
// recognition}`; video `content.{downloadCode, duration, videoType}`. A quoted message (引用回复) comes as
// `text.isReplyMsg` + `text.repliedMsg{msgId, senderId, senderNick, msgType, content}`: undocumented, seen in field
// reports of other DingTalk integrations; read when present, never required.
import type {
	IBinaryData,
	IDataObject,
	INodeExecutionData,
	ITriggerFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import {
	attachmentKey,
	chatInputOf,
	chatSessionId,
	maxAttachmentBytes,
	type ChatAttachment,
	type ChatAttachmentKind,
	type ChatItemFields,
	type ChatMention,
	type ChatQuote,
	type ChatSessionScope,
	type ChatType,
} from '../../shared/chat';
import { fieldOf, isRecord, scalarText } from '../../shared/json';
import { dingTalkApiRequest } from '../transport';
import {
	eventToItem,
	isoTime,
	ROBOT_MESSAGE_EVENT,
	type DingTalkEvent,
	type ItemOptions,
} from './events';

export const DINGTALK_CHAT_PLATFORM = 'dingtalk';

/** Where a robot message becomes an item: Stream mode's trigger(), or HTTP mode's webhook(). */
export type ChatContext = ITriggerFunctions | IWebhookFunctions;

/** A node parameter's value, read the way the caller reads them (trigger: getNodeParameter; webhook: once per request). */
export type ParameterReader = (name: string, fallback: unknown) => unknown;

export interface ChatOptions {
	sessionScope: ChatSessionScope;
	downloadAttachments: boolean;
	maxAttachmentBytes: number;
}

/** A file of the message before download: where it is and what it is called. */
interface PendingAttachment {
	kind: ChatAttachmentKind;
	downloadCode: string;
	fileName: string | null;
}

function text(value: unknown): string | undefined {
	const s = scalarText(value)?.trim();
	return s === '' ? undefined : s;
}

function record(value: unknown): IDataObject | undefined {
	if (isRecord(value)) return value as IDataObject;
	// Some payloads carry `content` as a JSON string.
	if (typeof value === 'string' && value.trim().startsWith('{')) {
		try {
			const parsed = JSON.parse(value) as unknown;
			return isRecord(parsed) ? (parsed as IDataObject) : undefined;
		} catch {
			return undefined;
		}
	}
	return undefined;
}

/** The text parts and the pictures of a richText list. */
function richTextParts(list: unknown): { text: string; pictures: string[] } {
	const parts: string[] = [];
	const pictures: string[] = [];
	for (const entry of Array.isArray(list) ? list : []) {
		const part = record(entry);
		if (!part) continue;
		const partText = text(part.text) ?? (part.msgType === 'text' ? text(part.content) : undefined);
		if (partText !== undefined) parts.push(partText);
		const code = text(part.downloadCode) ?? text(part.pictureDownloadCode);
		if (
			code !== undefined &&
			(part.type === 'picture' || part.msgType === 'picture' || !partText)
		) {
			pictures.push(code);
		}
	}
	return { text: parts.join('\n'), pictures };
}

const FILE_KINDS: Record<string, ChatAttachmentKind> = {
	picture: 'image',
	file: 'file',
	audio: 'audio',
	video: 'video',
};

/** What the message says and which files it carries. */
export function messageBody(fields: IDataObject): {
	messageType: string;
	text: string;
	/** Text DingTalk derived from the message (a voice message's recognition). */
	extraText: string;
	files: PendingAttachment[];
} {
	const messageType = text(fields.msgtype) ?? 'text';
	const content = record(fieldOf(fields, 'content'));
	const files: PendingAttachment[] = [];
	if (messageType === 'richText') {
		const rich = richTextParts(content?.richText);
		for (const code of rich.pictures)
			files.push({ kind: 'image', downloadCode: code, fileName: null });
		return { messageType, text: rich.text, extraText: '', files };
	}
	const kind = FILE_KINDS[messageType];
	if (kind) {
		const code = text(content?.downloadCode) ?? text(content?.pictureDownloadCode);
		if (code !== undefined) {
			files.push({ kind, downloadCode: code, fileName: text(content?.fileName) ?? null });
		}
		const recognition = messageType === 'audio' ? (text(content?.recognition) ?? '') : '';
		return { messageType, text: '', extraText: recognition, files };
	}
	return {
		messageType,
		text: text(record(fields.text)?.content) ?? '',
		extraText: '',
		files,
	};
}

/** The quoted message of a reply (引用), from the undocumented `text.repliedMsg`. */
export function quoteOf(fields: IDataObject): ChatQuote | null {
	const textField = record(fields.text);
	const replied = record(textField?.repliedMsg);
	if (!replied) return null;
	const content = replied.content;
	let quoted = text(content) ?? '';
	const contentRecord = record(content);
	if (contentRecord) {
		quoted =
			text(contentRecord.text) ??
			text(contentRecord.content) ??
			(contentRecord.richText !== undefined ? richTextParts(contentRecord.richText).text : '');
	}
	return {
		messageId: text(replied.msgId) ?? null,
		senderId: text(replied.senderId) ?? text(replied.senderStaffId) ?? null,
		senderName: text(replied.senderNick) ?? null,
		text: quoted,
	};
}

function mentionsOf(fields: IDataObject): ChatMention[] {
	const bot = text(fields.chatbotUserId);
	const list = Array.isArray(fields.atUsers) ? fields.atUsers : [];
	const mentions: ChatMention[] = [];
	for (const entry of list) {
		const user = record(entry);
		if (!user) continue;
		const platformId = text(user.dingtalkId) ?? null;
		// The robot is in atUsers of every group @-message: botMentioned says that.
		if (platformId !== null && platformId === bot) continue;
		mentions.push({ userId: text(user.staffId) ?? null, platformId });
	}
	return mentions;
}

/** The chat fields of a robot message, with its files listed but not yet fetched. */
export function chatFieldsOf(
	fields: IDataObject,
	scope: ChatSessionScope,
): { chat: ChatItemFields; files: PendingAttachment[] } {
	const body = messageBody(fields);
	const chatType: ChatType = text(fields.conversationType) === '2' ? 'group' : 'direct';
	const chatId = text(fields.conversationId) ?? '';
	const senderId = text(fields.senderStaffId) ?? text(fields.senderId) ?? '';
	const chat = { id: chatId, type: chatType, title: text(fields.conversationTitle) ?? null };
	const attachments: ChatAttachment[] = body.files.map((file) => ({
		kind: file.kind,
		fileName: file.fileName,
		mimeType: null,
		size: null,
		binaryProperty: null,
		error: 'not downloaded',
	}));
	return {
		chat: {
			chatInput: '',
			sessionId: chatSessionId(DINGTALK_CHAT_PLATFORM, chat, senderId, scope),
			platform: DINGTALK_CHAT_PLATFORM,
			messageId: text(fields.msgId) ?? '',
			messageType: body.messageType,
			chat,
			sender: {
				id: senderId,
				name: text(fields.senderNick) ?? null,
				staffId: text(fields.senderStaffId) ?? null,
				nick: text(fields.senderNick) ?? null,
				dingtalkId: text(fields.senderId) ?? null,
				isAdmin: fields.isAdmin === true,
			},
			botMentioned: chatType === 'direct' || fields.isInAtList === true,
			mentions: mentionsOf(fields),
			quote: quoteOf(fields),
			attachments,
			createdAt: isoTime(fields.createAt),
			// Filled below, once the attachments are known.
			_text: body.text,
			_extraText: body.extraText,
		},
		files: body.files,
	};
}

/** The extension a MIME type usually comes with, for files DingTalk sends without a name (pictures). */
const EXTENSIONS: Record<string, string> = {
	'image/jpeg': 'jpg',
	'image/png': 'png',
	'image/gif': 'gif',
	'image/webp': 'webp',
	'audio/amr': 'amr',
	'audio/mpeg': 'mp3',
	'video/mp4': 'mp4',
};

function headerOf(headers: unknown, name: string): string | undefined {
	if (!isRecord(headers)) return undefined;
	const value = fieldOf(headers as IDataObject, name);
	return Array.isArray(value) ? text(value[0]) : text(value);
}

/**
 * Fetches one file of a robot message: the robot file API (POST /v1.0/robot/messageFiles/download {downloadCode,
 * robotCode} -> {downloadUrl}; open.dingtalk.com/document/orgapp/download-the-file-content-of-the-robot-receiving-message)
 * gives a short-lived URL, which is read without the token.
 */
async function download(
	context: ChatContext,
	file: PendingAttachment,
	robotCode: string,
	maxBytes: number,
	index: number,
): Promise<{ binary?: IBinaryData; attachment: ChatAttachment }> {
	const attachment: ChatAttachment = {
		kind: file.kind,
		fileName: file.fileName,
		mimeType: null,
		size: null,
		binaryProperty: null,
		error: null,
	};
	try {
		const answer = await dingTalkApiRequest.call(context, {
			method: 'POST',
			path: '/v1.0/robot/messageFiles/download',
			body: { downloadCode: file.downloadCode, robotCode },
		});
		const url = text(answer.downloadUrl);
		if (url === undefined) throw new Error('DingTalk gave no downloadUrl');
		const response = (await context.helpers.httpRequest({
			method: 'GET',
			url,
			encoding: 'arraybuffer',
			json: false,
			returnFullResponse: true,
		})) as { body: unknown; headers: unknown };
		const data = Buffer.isBuffer(response.body)
			? response.body
			: Buffer.from(response.body as ArrayBuffer);
		attachment.size = data.length;
		if (data.length > maxBytes) {
			attachment.error = `larger than ${Math.round(maxBytes / 1024 / 1024)} MB: not downloaded (raise Max Attachment Size)`;
			return { attachment };
		}
		const mimeType =
			headerOf(response.headers, 'content-type')?.split(';')[0].trim() ||
			'application/octet-stream';
		const fileName =
			file.fileName ??
			`${file.kind}-${index + 1}${EXTENSIONS[mimeType] ? `.${EXTENSIONS[mimeType]}` : ''}`;
		const binary = await context.helpers.prepareBinaryData(data, fileName, mimeType);
		attachment.fileName = fileName;
		attachment.mimeType = binary.mimeType;
		attachment.binaryProperty = attachmentKey(index);
		return { binary, attachment };
	} catch (error) {
		// The message still starts the workflow: the text is there, the file's failure is said on the item.
		attachment.error = `download failed: ${String((error as Error)?.message ?? error)}`;
		return { attachment };
	}
}

/**
 * The item of a robot message in chat mode: the trigger's item (DingTalk's fields + normalised ones) plus the chat
 * fields, and each attachment as binary data `attachment_<n>`.
 */
export async function chatItemOf(
	context: ChatContext,
	event: DingTalkEvent,
	baseItem: IDataObject,
	options: ChatOptions,
): Promise<INodeExecutionData> {
	const { chat, files } = chatFieldsOf(event.fields, options.sessionScope);
	const messageText = String(chat._text ?? '');
	const extraText = String(chat._extraText ?? '');
	delete chat._text;
	delete chat._extraText;
	const binary: Record<string, IBinaryData> = {};
	const robotCode = text(event.fields.robotCode) ?? '';
	for (const [index, file] of files.entries()) {
		if (!options.downloadAttachments) {
			chat.attachments[index].error = 'not downloaded (Download Attachments is off)';
			continue;
		}
		const fetched = await download(context, file, robotCode, options.maxAttachmentBytes, index);
		chat.attachments[index] = fetched.attachment;
		if (fetched.binary) binary[attachmentKey(index)] = fetched.binary;
	}
	chat.chatInput = chatInputOf(messageText, chat.attachments, extraText);
	const json: IDataObject = { ...baseItem };
	// The chat fields are the point of this mode: they win over a DingTalk field of the same name (there is none today).
	for (const [key, value] of Object.entries(chat)) json[key] = value;
	return Object.keys(binary).length ? { json, binary } : { json };
}

/** The trigger's chat settings, or undefined when robot messages keep DingTalk's fields (the default). */
export function chatOptionsOf(
	parameter: ParameterReader,
	options: { maxAttachmentSize?: number },
): ChatOptions | undefined {
	if (parameter('robotMessages', false) !== true) return undefined;
	if (parameter('robotMessageOutput', 'fields') !== 'chat') return undefined;
	return {
		sessionScope: parameter('sessionScope', 'chat') === 'member' ? 'member' : 'chat',
		downloadAttachments: parameter('downloadAttachments', true) !== false,
		// DingTalk's limits for what a robot receives are not published: the option's value, uncapped.
		maxAttachmentBytes: maxAttachmentBytes(options.maxAttachmentSize),
	};
}

/** The item an event becomes: the chat item for a robot message in chat mode, the trigger's item otherwise. */
export async function triggerItemOf(
	context: ChatContext,
	event: DingTalkEvent,
	itemOptions: ItemOptions,
	chat: ChatOptions | undefined,
): Promise<INodeExecutionData> {
	const json = eventToItem(event, itemOptions);
	if (chat && event.eventType === ROBOT_MESSAGE_EVENT) {
		return await chatItemOf(context, event, json, chat);
	}
	return { json };
}
