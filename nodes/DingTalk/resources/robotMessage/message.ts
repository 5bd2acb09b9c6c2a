import { extensionOf } from '../../../shared/binaryFile';
import { InputError } from '../shared/input';
import type { LinkButton } from '../shared/messageFields';

// Pure: what the user filled in -> a robot message, and a robot message -> the robot API's msgKey/msgParam. The
// message model is independent of how it is sent, so Send and Wait or a reply over a sessionWebhook can render the
// same message their own way.

export type RobotMessageType = 'text' | 'markdown' | 'image' | 'link' | 'actionCard' | 'file';

/** sampleActionCard takes one button; sampleActionCard2..5 take 2 to 5. */
export const MAX_ROBOT_BUTTONS = 5;

export type RobotMessage =
	| { type: 'text'; content: string }
	| { type: 'markdown'; title: string; text: string }
	/** photoURL: an image URL, or the media_id of an uploaded image */
	| { type: 'image'; photoURL: string }
	| { type: 'link'; title: string; text: string; messageUrl: string; picUrl?: string }
	| { type: 'actionCard'; title: string; text: string; buttons: LinkButton[] }
	| { type: 'file'; mediaId: string; fileName: string; fileType: string };

export interface RobotMessageInput {
	type: RobotMessageType;
	content?: string;
	title?: string;
	text?: string;
	/** image: URL or media_id; absent while the image is still to be uploaded */
	photoURL?: string;
	messageUrl?: string;
	picUrl?: string;
	buttons?: LinkButton[];
	/** file: absent while the file is still to be uploaded */
	mediaId?: string;
	fileName?: string;
	/** The file's extension, e.g. xlsx; taken from File Name when empty. */
	fileType?: string;
}

export interface BuiltRobotMessage {
	message: RobotMessage;
	/** The upload still due before sending (then withMediaId puts its media_id in). */
	pendingUpload?: 'image' | 'file';
}

function required(value: string | undefined, label: string): string {
	const text = (value ?? '').trim();
	if (text === '') throw new InputError(`${label} is empty: DingTalk requires it`);
	return text;
}

function actionCard(input: RobotMessageInput): RobotMessage {
	const buttons = input.buttons ?? [];
	if (buttons.length < 1 || buttons.length > MAX_ROBOT_BUTTONS) {
		throw new InputError(
			`Buttons: ${buttons.length} given, a robot action card takes 1 to ${MAX_ROBOT_BUTTONS} buttons`,
		);
	}
	return {
		type: 'actionCard',
		title: required(input.title, 'Title'),
		text: required(input.text, 'Text'),
		buttons: buttons.map((button, i) => ({
			title: required(button.title, `Button ${i + 1} title`),
			url: required(button.url, `Button ${i + 1} URL`),
		})),
	};
}

function file(input: RobotMessageInput, pending: boolean): RobotMessage {
	const fileName = required(input.fileName, 'File Name');
	const fileType = (input.fileType ?? '').trim().replace(/^\./, '') || extensionOf(fileName);
	if (!fileType) {
		throw new InputError(
			`File Type is empty and File Name "${fileName}" has no extension: give the file's type, e.g. pdf or xlsx`,
		);
	}
	return {
		type: 'file',
		mediaId: pending ? '' : required(input.mediaId, 'Media ID'),
		fileName,
		fileType: fileType.toLowerCase(),
	};
}

/** Checks the input and builds the message; an image or file without its media awaits the upload. */
export function buildRobotMessage(input: RobotMessageInput): BuiltRobotMessage {
	switch (input.type) {
		case 'text':
			return { message: { type: 'text', content: required(input.content, 'Content') } };
		case 'markdown':
			return {
				message: {
					type: 'markdown',
					title: required(input.title, 'Title'),
					text: required(input.text, 'Text'),
				},
			};
		case 'image':
			if (input.photoURL === undefined) {
				return { message: { type: 'image', photoURL: '' }, pendingUpload: 'image' };
			}
			return {
				message: { type: 'image', photoURL: required(input.photoURL, 'Image URL or Media ID') },
			};
		case 'link': {
			const picUrl = (input.picUrl ?? '').trim();
			return {
				message: {
					type: 'link',
					title: required(input.title, 'Title'),
					text: required(input.text, 'Text'),
					messageUrl: required(input.messageUrl, 'Message URL'),
					...(picUrl ? { picUrl } : {}),
				},
			};
		}
		case 'actionCard':
			return { message: actionCard(input) };
		case 'file': {
			const pending = input.mediaId === undefined;
			return { message: file(input, pending), ...(pending ? { pendingUpload: 'file' } : {}) };
		}
		default:
			throw new InputError(`Unknown message type "${String(input.type)}"`);
	}
}

/** The message with the uploaded image's or file's media_id in place. */
export function withMediaId(message: RobotMessage, mediaId: string): RobotMessage {
	if (message.type === 'image') return { ...message, photoURL: mediaId };
	if (message.type === 'file') return { ...message, mediaId };
	return message;
}

/** The robot API's msgKey and msgParam (a JSON string) for a message. */
export function toRobotPayload(message: RobotMessage): { msgKey: string; msgParam: string } {
	let msgKey: string;
	let param: Record<string, string>;
	switch (message.type) {
		case 'text':
			msgKey = 'sampleText';
			param = { content: message.content };
			break;
		case 'markdown':
			msgKey = 'sampleMarkdown';
			param = { title: message.title, text: message.text };
			break;
		case 'image':
			msgKey = 'sampleImageMsg';
			param = { photoURL: message.photoURL };
			break;
		case 'link':
			msgKey = 'sampleLink';
			param = {
				title: message.title,
				text: message.text,
				messageUrl: message.messageUrl,
				...(message.picUrl ? { picUrl: message.picUrl } : {}),
			};
			break;
		case 'actionCard': {
			const { buttons } = message;
			param = { title: message.title, text: message.text };
			if (buttons.length === 1) {
				msgKey = 'sampleActionCard';
				param.singleTitle = buttons[0].title;
				param.singleURL = buttons[0].url;
			} else {
				msgKey = `sampleActionCard${buttons.length}`;
				buttons.forEach((button, i) => {
					param[`actionTitle${i + 1}`] = button.title;
					param[`actionURL${i + 1}`] = button.url;
				});
			}
			break;
		}
		case 'file':
			msgKey = 'sampleFile';
			param = { mediaId: message.mediaId, fileName: message.fileName, fileType: message.fileType };
			break;
	}
	return { msgKey, msgParam: JSON.stringify(param) };
}
