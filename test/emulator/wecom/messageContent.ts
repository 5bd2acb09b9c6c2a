// Per-msgtype checks shared by message/send and appchat/send.
import { byteLength, isRecord, nonEmptyString } from '../util';
import { WeComErr, wecomError } from './errors';
import { liveMedia, type MediaType, type WeComState } from './state';

export const APP_MESSAGE_TYPES = [
	'text',
	'image',
	'voice',
	'video',
	'file',
	'textcard',
	'news',
	'mpnews',
	'markdown',
	'miniprogram_notice',
	'template_card',
] as const;

export const APPCHAT_MESSAGE_TYPES = [
	'text',
	'image',
	'voice',
	'video',
	'file',
	'textcard',
	'news',
	'mpnews',
	'markdown',
] as const;

export const CARD_TYPES = [
	'text_notice',
	'news_notice',
	'button_interaction',
	'vote_interaction',
	'multiple_interaction',
] as const;

export const INTERACTION_CARD_TYPES: readonly string[] = [
	'button_interaction',
	'vote_interaction',
	'multiple_interaction',
];

const MAX_CONTENT_BYTES = 2048;
const MAX_TITLE_BYTES = 128;
const MAX_DESCRIPTION_BYTES = 512;
const TASK_ID = /^[0-9a-zA-Z_\-@]{1,128}$/;

function bad(detail: string) {
	return wecomError(WeComErr.invalidParameter, detail);
}

function limitBytes(value: unknown, max: number, what: string): void {
	if (typeof value === 'string' && byteLength(value) > max) {
		throw wecomError(
			WeComErr.contentTooLong,
			`${what} is ${byteLength(value)} bytes, at most ${max}`,
		);
	}
}

function requireText(value: unknown, what: string): void {
	if (!nonEmptyString(value)) {
		throw wecomError(WeComErr.emptyContent, `${what} is empty`);
	}
	limitBytes(value, MAX_CONTENT_BYTES, what);
}

function requireMedia(
	state: WeComState,
	now: number,
	mediaId: unknown,
	what: string,
	type?: MediaType,
): void {
	if (!nonEmptyString(mediaId)) {
		throw wecomError(WeComErr.mediaIdMissing, `${what} missing`);
	}
	const media = liveMedia(state, mediaId, now);
	if (!media) {
		throw wecomError(
			WeComErr.invalidMediaId,
			`${what} was not issued by media/upload or has expired`,
		);
	}
	if (type && media.type !== type) {
		throw wecomError(WeComErr.invalidMediaId, `${what} is a ${media.type}, not a ${type}`);
	}
}

function requireTitle(value: unknown, what: string): void {
	if (!nonEmptyString(value)) {
		throw wecomError(WeComErr.titleMissing, `${what} missing`);
	}
	limitBytes(value, MAX_TITLE_BYTES, what);
}

function list(
	value: unknown,
	what: string,
	min: number,
	max: number,
	code: number = WeComErr.invalidParameter,
) {
	if (!Array.isArray(value) || value.length < min || value.length > max) {
		throw wecomError(code, `${what} must hold ${min} to ${max} items`);
	}
	return value as unknown[];
}

function articles(
	state: WeComState,
	now: number,
	content: Record<string, unknown>,
	mp: boolean,
): void {
	const items = list(content.articles, 'articles', 1, 8, WeComErr.articleCount);
	items.forEach((item, i) => {
		const a = isRecord(item) ? item : {};
		requireTitle(a.title, `articles[${i}].title`);
		if (mp) {
			requireMedia(state, now, a.thumb_media_id, `articles[${i}].thumb_media_id`, 'image');
			if (!nonEmptyString(a.content)) {
				throw wecomError(WeComErr.emptyContent, `articles[${i}].content is empty`);
			}
			limitBytes(a.digest, MAX_DESCRIPTION_BYTES, `articles[${i}].digest`);
		} else {
			limitBytes(a.description, MAX_DESCRIPTION_BYTES, `articles[${i}].description`);
			if (!nonEmptyString(a.url) && !(nonEmptyString(a.appid) && nonEmptyString(a.pagepath))) {
				throw wecomError(WeComErr.urlMissing, `articles[${i}] needs url (or appid and pagepath)`);
			}
		}
	});
}

function cardAction(value: unknown, required: boolean): void {
	if (value === undefined && !required) {
		return;
	}
	if (!isRecord(value)) {
		throw bad('template_card.card_action is required for this card_type');
	}
	if (value.type === 1 && !nonEmptyString(value.url)) {
		throw wecomError(WeComErr.urlMissing, 'template_card.card_action.url missing (type 1)');
	}
	if (value.type === 2 && !nonEmptyString(value.appid)) {
		throw bad('template_card.card_action.appid missing (type 2)');
	}
	if (value.type !== 1 && value.type !== 2 && !(value.type === 0 && !required)) {
		throw bad('template_card.card_action.type must be 1 (url) or 2 (mini program)');
	}
}

function keyedItems(value: unknown, what: string, min: number, max: number, keys: string[]): void {
	list(value, what, min, max).forEach((item, i) => {
		for (const key of keys) {
			if (!isRecord(item) || !nonEmptyString(item[key])) {
				throw bad(`${what}[${i}].${key} missing`);
			}
		}
	});
}

function submitButton(card: Record<string, unknown>): void {
	const button = card.submit_button;
	if (!isRecord(button) || !nonEmptyString(button.text) || !nonEmptyString(button.key)) {
		throw bad('template_card.submit_button needs text and key');
	}
}

function mainTitle(card: Record<string, unknown>): string | undefined {
	return isRecord(card.main_title) && nonEmptyString(card.main_title.title)
		? card.main_title.title
		: undefined;
}

function templateCard(state: WeComState, card: Record<string, unknown>): void {
	const type = card.card_type;
	if (!CARD_TYPES.includes(type as (typeof CARD_TYPES)[number])) {
		throw bad(`template_card.card_type must be one of ${CARD_TYPES.join(', ')}`);
	}
	if (card.horizontal_content_list !== undefined) {
		list(card.horizontal_content_list, 'template_card.horizontal_content_list', 0, 6);
	}
	if (card.jump_list !== undefined) {
		list(card.jump_list, 'template_card.jump_list', 0, 3).forEach((item, i) => {
			const jump = isRecord(item) ? item : {};
			if (!nonEmptyString(jump.title)) {
				throw bad(`template_card.jump_list[${i}].title missing`);
			}
			if (jump.type === 1 && !nonEmptyString(jump.url)) {
				throw wecomError(WeComErr.urlMissing, `template_card.jump_list[${i}].url missing (type 1)`);
			}
			if (jump.type === 2 && !nonEmptyString(jump.appid)) {
				throw bad(`template_card.jump_list[${i}].appid missing (type 2)`);
			}
		});
	}
	if (type === 'text_notice') {
		if (!mainTitle(card) && !nonEmptyString(card.sub_title_text)) {
			throw bad('text_notice needs main_title.title or sub_title_text');
		}
		cardAction(card.card_action, true);
		return;
	}
	if (type === 'news_notice') {
		if (!mainTitle(card)) {
			throw bad('news_notice needs main_title.title');
		}
		cardAction(card.card_action, true);
		return;
	}
	const taskId = card.task_id;
	if (typeof taskId !== 'string' || !TASK_ID.test(taskId)) {
		throw wecomError(WeComErr.invalidTaskId, 'task_id is required: 1 to 128 of [0-9a-zA-Z_-@]');
	}
	if (state.taskIds.has(taskId)) {
		throw bad(`task_id ${taskId} was already used by this app`);
	}
	cardAction(card.card_action, false);
	if (type === 'button_interaction') {
		if (!mainTitle(card)) {
			throw bad('button_interaction needs main_title.title');
		}
		keyedItems(card.button_list, 'template_card.button_list', 1, 6, ['text', 'key']);
	} else if (type === 'vote_interaction') {
		const box = isRecord(card.checkbox) ? card.checkbox : {};
		if (!nonEmptyString(box.question_key)) {
			throw bad('template_card.checkbox.question_key missing');
		}
		keyedItems(box.option_list, 'template_card.checkbox.option_list', 1, 20, ['id', 'text']);
		submitButton(card);
	} else {
		const selects = list(card.select_list, 'template_card.select_list', 1, 3);
		selects.forEach((select, i) => {
			const s = isRecord(select) ? select : {};
			if (!nonEmptyString(s.question_key)) {
				throw bad(`template_card.select_list[${i}].question_key missing`);
			}
			keyedItems(s.option_list, `template_card.select_list[${i}].option_list`, 1, 10, [
				'id',
				'text',
			]);
		});
		submitButton(card);
	}
}

/**
 * Checks `body[msgtype]` the way WeCom does; throws the errcode answer. Returns the msgtype.
 * Side-effect free: callers record the task_id only once the message is really sent.
 */
export function validateMessageContent(
	state: WeComState,
	now: number,
	body: Record<string, unknown>,
	allowed: readonly string[],
): string {
	const msgtype = body.msgtype;
	if (!nonEmptyString(msgtype) || !allowed.includes(msgtype)) {
		throw wecomError(
			WeComErr.invalidMsgType,
			nonEmptyString(msgtype) ? `msgtype ${msgtype} is not allowed here` : 'msgtype missing',
		);
	}
	const content = body[msgtype];
	if (!isRecord(content)) {
		throw wecomError(
			msgtype === 'text' || msgtype === 'markdown'
				? WeComErr.emptyContent
				: WeComErr.invalidParameter,
			`the ${msgtype} object is missing`,
		);
	}
	switch (msgtype) {
		case 'text':
		case 'markdown':
			requireText(content.content, `${msgtype}.content`);
			break;
		case 'image':
		case 'voice':
			requireMedia(state, now, content.media_id, `${msgtype}.media_id`, msgtype);
			break;
		case 'file':
			requireMedia(state, now, content.media_id, 'file.media_id');
			break;
		case 'video':
			requireMedia(state, now, content.media_id, 'video.media_id', 'video');
			limitBytes(content.title, MAX_TITLE_BYTES, 'video.title');
			limitBytes(content.description, MAX_DESCRIPTION_BYTES, 'video.description');
			break;
		case 'textcard':
			requireTitle(content.title, 'textcard.title');
			if (!nonEmptyString(content.description)) {
				throw wecomError(WeComErr.descriptionMissing, 'textcard.description missing');
			}
			limitBytes(content.description, MAX_DESCRIPTION_BYTES, 'textcard.description');
			if (!nonEmptyString(content.url)) {
				throw wecomError(WeComErr.urlMissing, 'textcard.url missing');
			}
			if (typeof content.btntxt === 'string' && [...content.btntxt].length > 4) {
				throw wecomError(WeComErr.contentTooLong, 'textcard.btntxt is over 4 characters');
			}
			break;
		case 'news':
			articles(state, now, content, false);
			break;
		case 'mpnews':
			articles(state, now, content, true);
			break;
		case 'miniprogram_notice':
			if (!nonEmptyString(content.appid)) {
				throw bad('miniprogram_notice.appid missing');
			}
			requireTitle(content.title, 'miniprogram_notice.title');
			if (content.content_item !== undefined) {
				list(content.content_item, 'miniprogram_notice.content_item', 0, 10);
			}
			break;
		case 'template_card':
			templateCard(state, content);
			break;
	}
	if (
		body.safe !== undefined &&
		body.safe !== 0 &&
		body.safe !== 1 &&
		!(body.safe === 2 && msgtype === 'mpnews')
	) {
		throw bad('safe must be 0 or 1 (2 only for mpnews)');
	}
	return msgtype;
}
