// The item a chat platform's trigger gives n8n's AI Agent, the same for DingTalk's robot and (later) WeCom's AI bot.
// It follows n8n's Chat Trigger: `chatInput` is what the Agent answers and what memory stores, `sessionId` is the key
// memory sub-nodes read by default ("Connected Chat Trigger Node"). Everything else says who wrote where, so a
// workflow can branch or address the answer without knowing the platform's field names.
import type { IDataObject } from 'n8n-workflow';

/** Whose conversation a group message continues: the whole group's (one memory), or only its sender's. */
export type ChatSessionScope = 'chat' | 'member';

export type ChatType = 'direct' | 'group';

export type ChatAttachmentKind = 'image' | 'file' | 'audio' | 'video';

/** A file that came with the message; its bytes are on the item under `binaryProperty` once downloaded. */
export interface ChatAttachment extends IDataObject {
	kind: ChatAttachmentKind;
	fileName: string | null;
	mimeType: string | null;
	size: number | null;
	/** Key of the item's binary data holding the file; null when it was not downloaded (see `error`). */
	binaryProperty: string | null;
	/** Why the file is not on the item (too large, the platform refused, downloads switched off). */
	error: string | null;
}

export interface ChatMention extends IDataObject {
	/** The platform's user ID of the member mentioned (DingTalk: staffId), when the platform gives it. */
	userId: string | null;
	/** The platform's other identifier of the member (DingTalk: the encrypted dingtalkId). */
	platformId: string | null;
}

/** The message a reply quotes ("引用"), as much of it as the platform sends. */
export interface ChatQuote extends IDataObject {
	messageId: string | null;
	senderId: string | null;
	senderName: string | null;
	text: string;
}

/** The fields every chat item carries, whatever the platform. */
export interface ChatItemFields extends IDataObject {
	/** The text the Agent answers: the message's text; a file or picture alone gives a short description of it. */
	chatInput: string;
	/** Memory's conversation key: `<platform>:<chat>` or `<platform>:<chat>:<member>` (see ChatSessionScope). */
	sessionId: string;
	platform: string;
	messageId: string;
	/** The platform's message type (DingTalk msgtype: text, richText, picture, file, audio, video). */
	messageType: string;
	chat: { id: string; type: ChatType; title: string | null };
	sender: { id: string; name: string | null } & IDataObject;
	/** Whether the bot itself was @-mentioned (always true in a direct chat). */
	botMentioned: boolean;
	mentions: ChatMention[];
	quote: ChatQuote | null;
	attachments: ChatAttachment[];
	/** When the message was written (ISO). */
	createdAt: string | null;
}

/** The conversation key for memory: stable for the chat (or the member in it), unique across platforms and chats. */
export function chatSessionId(
	platform: string,
	chat: { id: string; type: ChatType },
	senderId: string,
	scope: ChatSessionScope,
): string {
	const base = `${platform}:${chat.id}`;
	return chat.type === 'group' && scope === 'member' ? `${base}:${senderId}` : base;
}

const KIND_WORDS: Record<ChatAttachmentKind, string> = {
	image: 'image',
	file: 'file',
	audio: 'voice message',
	video: 'video',
};

/**
 * What the Agent reads for a message: its text, and a line per attachment so that a picture or a file alone still
 * asks something ("[image: photo.jpg]"). The attachment's bytes stay on the item for tools that read binary data.
 */
export function chatInputOf(text: string, attachments: ChatAttachment[], extraText = ''): string {
	const lines = [text.trim(), extraText.trim()].filter((line) => line !== '');
	for (const attachment of attachments) {
		lines.push(
			`[${KIND_WORDS[attachment.kind]}${attachment.fileName ? `: ${attachment.fileName}` : ''}]`,
		);
	}
	return lines.join('\n');
}

/** The binary key for the n-th attachment (`attachment_0`, ...): stable and free of user-chosen names. */
/** The default of the chat triggers' Max Attachment Size (MB) option. */
export const DEFAULT_MAX_ATTACHMENT_MB = 20;

/** Max Attachment Size (MB) as bytes: the option's value, or the default when it is unusable; never over `capMb`. */
export function maxAttachmentBytes(megabytes: unknown, capMb = Number.POSITIVE_INFINITY): number {
	const value = Number(megabytes ?? DEFAULT_MAX_ATTACHMENT_MB);
	const usable = Number.isFinite(value) && value > 0 ? value : DEFAULT_MAX_ATTACHMENT_MB;
	return Math.min(usable, capMb) * 1024 * 1024;
}

export function attachmentKey(index: number): string {
	return `attachment_${index}`;
}

/** The error an item carries: an error output's `error`, or an Error Trigger's `execution.error` (its message). */
export function errorTextOf(json: IDataObject): string {
	const error = json.error ?? (json.execution as IDataObject | undefined)?.error;
	if (typeof error === 'string') return error;
	if (error && typeof error === 'object') {
		const message = (error as IDataObject).message;
		if (typeof message === 'string') return message;
	}
	return '';
}
