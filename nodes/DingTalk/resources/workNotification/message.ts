import type { IDataObject } from 'n8n-workflow';

import type { DingTalkMediaType } from '../media/files';
import { InputError } from '../shared/input';
import type { LinkButton } from '../shared/messageFields';

// Pure: what the user filled in -> the `msg` object of asyncsend_v2. No node context, no I/O, so other operations
// (Send and Wait, replies) can build the same messages.

export type WorkNotificationType =
	| 'text'
	| 'markdown'
	| 'link'
	| 'action_card'
	| 'oa'
	| 'image'
	| 'voice'
	| 'file';

export const WORK_NOTIFICATION_MEDIA_TYPES: readonly WorkNotificationType[] = [
	'image',
	'voice',
	'file',
];

/** asyncsend_v2's documented limit for the whole `msg`, in UTF-8 bytes. */
export const MAX_MSG_BYTES = 2048;

/** A voice message's duration: "a positive integer less than 60" (seconds). */
export const MAX_VOICE_SECONDS = 59;

export interface OaInput {
	messageUrl: string;
	pcMessageUrl?: string;
	headText: string;
	/** A colour: #RRGGBB, #RRGGBBAA, or DingTalk's own AARRGGBB (see toArgb). */
	headColor: string;
	statusValue?: string;
	statusColor?: string;
	bodyTitle?: string;
	form?: Array<{ key: string; value: string }>;
	richNum?: string;
	richUnit?: string;
	content?: string;
	image?: string;
	fileCount?: string;
	author?: string;
}

export interface WorkNotificationInput {
	msgtype: WorkNotificationType;
	/** text */
	content?: string;
	/** markdown, link, action_card */
	title?: string;
	/** markdown, link, action_card (its markdown) */
	text?: string;
	/** link */
	messageUrl?: string;
	picUrl?: string;
	/** action_card: one button for the whole card, or several, each with its own link */
	buttonMode?: 'single' | 'multiple';
	singleTitle?: string;
	singleUrl?: string;
	buttons?: LinkButton[];
	orientation?: 'vertical' | 'horizontal';
	oa?: OaInput;
	/** image, voice, file: absent while the file is still to be uploaded */
	mediaId?: string;
	/** voice, seconds */
	duration?: number;
}

export interface BuiltWorkNotification {
	msg: IDataObject;
	/** The upload still due before sending (its media_id then goes in with attachMediaId). */
	pendingUpload?: DingTalkMediaType;
}

function required(value: string | undefined, label: string, why = ''): string {
	const text = (value ?? '').trim();
	if (text === '') throw new InputError(`${label} is empty: DingTalk requires it${why}`);
	return text;
}

function optional(target: IDataObject, key: string, value: string | undefined): void {
	const text = (value ?? '').trim();
	if (text !== '') target[key] = text;
}

function actionCard(input: WorkNotificationInput): IDataObject {
	const card: IDataObject = {
		title: required(input.title, 'Title'),
		markdown: required(input.text, 'Text'),
	};
	if ((input.buttonMode ?? 'single') === 'single') {
		card.single_title = required(input.singleTitle, 'Button Title');
		card.single_url = required(input.singleUrl, 'Button URL');
		return card;
	}
	const buttons = input.buttons ?? [];
	if (buttons.length === 0) {
		throw new InputError(
			'Buttons: add at least one button (title and URL), or use a single button',
		);
	}
	card.btn_orientation = input.orientation === 'horizontal' ? '1' : '0';
	card.btn_json_list = buttons.map((button, i) => ({
		title: required(button.title, `Button ${i + 1} title`),
		action_url: required(button.url, `Button ${i + 1} URL`),
	}));
	return card;
}

/**
 * DingTalk writes colours as alpha + RGB in 8 hex digits (FFBBBBBB; the status bar's examples add 0x). n8n's colour
 * picker gives #RRGGBB (or #RRGGBBAA): both are turned into AARRGGBB; bare 8 digits are taken as DingTalk's form.
 */
export function toArgb(value: string, label: string): string {
	const raw = value.trim();
	const css = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(raw);
	if (css) return `${css[2] ?? 'FF'}${css[1]}`.toUpperCase();
	const bare = /^(?:0x)?([0-9a-f]{8}|[0-9a-f]{6})$/i.exec(raw);
	if (bare) return (bare[1].length === 6 ? `FF${bare[1]}` : bare[1]).toUpperCase();
	throw new InputError(
		`${label} "${value}" is not a colour: pick one, or give #RRGGBB or DingTalk's alpha + RGB such as FFBBBBBB`,
	);
}

function oaMessage(oa: OaInput | undefined): IDataObject {
	if (!oa) throw new InputError('OA message fields are missing');
	const message: IDataObject = {
		message_url: required(oa.messageUrl, 'Message URL'),
		head: {
			bgcolor: toArgb(required(oa.headColor, 'Head Color'), 'Head Color'),
			text: required(oa.headText, 'Head Text'),
		},
	};
	optional(message, 'pc_message_url', oa.pcMessageUrl);
	if ((oa.statusValue ?? '').trim() !== '') {
		const statusBar: IDataObject = { status_value: (oa.statusValue ?? '').trim() };
		if ((oa.statusColor ?? '').trim() !== '') {
			statusBar.status_bg = `0x${toArgb(oa.statusColor ?? '', 'Status Color')}`;
		}
		message.status_bar = statusBar;
	}
	const body: IDataObject = {};
	optional(body, 'title', oa.bodyTitle);
	const form = (oa.form ?? []).filter((row) => `${row.key}${row.value}`.trim() !== '');
	if (form.length) body.form = form.map((row) => ({ key: row.key, value: row.value }));
	if ((oa.richNum ?? '').trim() !== '') {
		const rich: IDataObject = { num: (oa.richNum ?? '').trim() };
		optional(rich, 'unit', oa.richUnit);
		body.rich = rich;
	}
	optional(body, 'content', oa.content);
	optional(body, 'image', oa.image);
	optional(body, 'file_count', oa.fileCount);
	optional(body, 'author', oa.author);
	if (Object.keys(body).length === 0) {
		throw new InputError(
			'The OA message body is empty: give at least a Body Title, Body Content or Form row',
		);
	}
	message.body = body;
	return message;
}

function mediaContent(input: WorkNotificationInput): IDataObject {
	const content: IDataObject = {};
	if (input.mediaId !== undefined) content.media_id = required(input.mediaId, 'Media ID');
	if (input.msgtype === 'voice') {
		const duration = Number(input.duration);
		if (!Number.isInteger(duration) || duration < 1 || duration > MAX_VOICE_SECONDS) {
			throw new InputError(
				`Duration is ${String(input.duration)}: DingTalk takes the length of the recording in whole seconds, 1 to ${MAX_VOICE_SECONDS}`,
			);
		}
		content.duration = String(duration);
	}
	return content;
}

/** Checks the input the way DingTalk would and builds `msg`; a media message without a media_id awaits its upload. */
export function buildWorkNotification(input: WorkNotificationInput): BuiltWorkNotification {
	const { msgtype } = input;
	let content: IDataObject;
	switch (msgtype) {
		case 'text':
			content = { content: required(input.content, 'Content') };
			break;
		case 'markdown':
			content = { title: required(input.title, 'Title'), text: required(input.text, 'Text') };
			break;
		case 'link':
			content = {
				messageUrl: required(input.messageUrl, 'Message URL'),
				picUrl: required(
					input.picUrl,
					'Picture URL',
					' (an image URL or the media_id of an image)',
				),
				title: required(input.title, 'Title'),
				text: required(input.text, 'Text'),
			};
			break;
		case 'action_card':
			content = actionCard(input);
			break;
		case 'oa':
			content = oaMessage(input.oa);
			break;
		case 'image':
		case 'voice':
		case 'file':
			content = mediaContent(input);
			break;
		default:
			throw new InputError(`Unknown message type "${String(msgtype)}"`);
	}
	const msg: IDataObject = { msgtype, [msgtype]: content };
	if (WORK_NOTIFICATION_MEDIA_TYPES.includes(msgtype) && input.mediaId === undefined) {
		return { msg, pendingUpload: msgtype as DingTalkMediaType };
	}
	checkMsgSize(msg);
	return { msg };
}

/** The message with the uploaded file's media_id in place. */
export function attachMediaId(msg: IDataObject, mediaId: string): IDataObject {
	const msgtype = String(msg.msgtype);
	return { ...msg, [msgtype]: { media_id: mediaId, ...(msg[msgtype] as IDataObject) } };
}

/** asyncsend_v2 takes at most 2,048 bytes of `msg`. */
export function checkMsgSize(msg: IDataObject): void {
	const bytes = Buffer.byteLength(JSON.stringify(msg), 'utf8');
	if (bytes > MAX_MSG_BYTES) {
		throw new InputError(
			`The message is ${bytes} bytes as JSON: DingTalk takes at most ${MAX_MSG_BYTES} bytes for a work notification (UTF-8, where a Chinese character takes 3 bytes); shorten the text or link to the details`,
		);
	}
}
