import { createHash } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

import {
	countWithin,
	limitBytes,
	MessageInputError,
	requiredText,
} from '../../../shared/messageInput';

const PLATFORM = 'WeCom';
const MB = 1024 * 1024;

/** A group robot's limits (developer.work.weixin.qq.com, doc 91770). */
export const ROBOT_LIMITS = {
	textBytes: 2048,
	markdownBytes: 4096,
	imageBytes: 2 * MB,
	articles: 8,
} as const;

export const ROBOT_CARD_TYPES: readonly string[] = ['text_notice', 'news_notice'];

export type RobotMessageType =
	| 'text'
	| 'markdown'
	| 'markdown_v2'
	| 'image'
	| 'news'
	| 'file'
	| 'voice'
	| 'template_card';

export interface RobotArticle {
	title: string;
	description?: string;
	url: string;
	picurl?: string;
}

/** One robot message as a user describes it; `buildRobotMessage` turns it into WeCom's body. */
export type RobotMessage =
	| {
			msgtype: 'text';
			content: string;
			/** userids to @; "@all" for everyone. */
			mentionedUserIds?: string[];
			mentionedMobiles?: string[];
			mentionAll?: boolean;
	  }
	| { msgtype: 'markdown' | 'markdown_v2'; content: string }
	| { msgtype: 'image'; image: Buffer }
	| { msgtype: 'news'; articles: RobotArticle[] }
	| { msgtype: 'file' | 'voice'; mediaId: string }
	| { msgtype: 'template_card'; card: IDataObject };

const JPEG = Buffer.from([0xff, 0xd8, 0xff]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function unique(list: string[] | undefined): string[] {
	return [...new Set((list ?? []).map((v) => v.trim()).filter((v) => v !== ''))];
}

function imageBody(image: Buffer): IDataObject {
	if (image.length === 0) throw new MessageInputError('The image is empty');
	if (image.length > ROBOT_LIMITS.imageBytes) {
		throw new MessageInputError(
			`The image is ${image.length} bytes: a WeCom group robot takes images of at most 2 MB`,
		);
	}
	if (!image.subarray(0, 3).equals(JPEG) && !image.subarray(0, 8).equals(PNG)) {
		throw new MessageInputError(
			'The image is neither a JPG nor a PNG (judged by its content): a WeCom group robot takes only those two',
		);
	}
	return {
		base64: image.toString('base64'),
		// The md5 of the raw bytes, not of the base64 text.
		md5: createHash('md5').update(image).digest('hex'),
	};
}

function articleBody(article: RobotArticle, index: number): IDataObject {
	const label = `Article ${index + 1}`;
	const out: IDataObject = {
		title: requiredText(PLATFORM, `${label} title`, article.title).trim(),
		url: requiredText(PLATFORM, `${label} URL`, article.url).trim(),
	};
	if (article.description?.trim()) out.description = article.description.trim();
	if (article.picurl?.trim()) out.picurl = article.picurl.trim();
	return out;
}

/**
 * The body of `POST /cgi-bin/webhook/send` for one message: pure (no parameters read, no call made), so any
 * operation that posts through a robot can reuse it. Throws a MessageInputError for input WeCom would refuse.
 */
export function buildRobotMessage(message: RobotMessage): IDataObject {
	switch (message.msgtype) {
		case 'text': {
			const content = requiredText(PLATFORM, 'Content', message.content);
			limitBytes(PLATFORM, 'Content', content, ROBOT_LIMITS.textBytes);
			const userIds = unique([
				...(message.mentionedUserIds ?? []),
				...(message.mentionAll ? ['@all'] : []),
			]);
			const mobiles = unique(message.mentionedMobiles);
			const bad = mobiles.find((m) => m !== '@all' && !/^\+?[0-9][0-9 -]{2,}$/.test(m));
			if (bad !== undefined) {
				throw new MessageInputError(
					`Mention Mobiles: "${bad}" is not a mobile number (digits, optionally with + and -)`,
				);
			}
			return {
				msgtype: 'text',
				text: {
					content,
					...(userIds.length ? { mentioned_list: userIds } : {}),
					...(mobiles.length ? { mentioned_mobile_list: mobiles } : {}),
				},
			};
		}
		case 'markdown':
		case 'markdown_v2': {
			const content = requiredText(PLATFORM, 'Content', message.content);
			limitBytes(PLATFORM, 'Content', content, ROBOT_LIMITS.markdownBytes);
			return { msgtype: message.msgtype, [message.msgtype]: { content } };
		}
		case 'image':
			return { msgtype: 'image', image: imageBody(message.image) };
		case 'news': {
			const articles = countWithin(
				PLATFORM,
				'Articles',
				message.articles,
				1,
				ROBOT_LIMITS.articles,
			);
			return { msgtype: 'news', news: { articles: articles.map(articleBody) } };
		}
		case 'file':
		case 'voice': {
			const mediaId = requiredText(PLATFORM, 'Media ID', message.mediaId).trim();
			return { msgtype: message.msgtype, [message.msgtype]: { media_id: mediaId } };
		}
		case 'template_card': {
			const type = String(message.card.card_type ?? '');
			if (!ROBOT_CARD_TYPES.includes(type)) {
				throw new MessageInputError(
					`Template card: a group robot sends only ${ROBOT_CARD_TYPES.join(' and ')} cards, not "${type || 'no card_type'}" (interactive cards need an app)`,
				);
			}
			return { msgtype: 'template_card', template_card: message.card };
		}
	}
	throw new MessageInputError(
		`Unknown message type "${String((message as { msgtype?: unknown }).msgtype)}"`,
	);
}
