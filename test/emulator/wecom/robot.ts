/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/require-node-api-error -- test code: emulator-only values, runs under Node and jest, never inside n8n */
// Group robot (群机器人) webhooks: POST /cgi-bin/webhook/send?key= and /cgi-bin/webhook/upload_media?key=&type=.
// No access token: the key in the URL is the robot. Checks follow the reference (doc 91770): 20 messages a minute
// per robot (45009 beyond), text 2,048 bytes, markdown and markdown_v2 4,096 bytes, image base64 + md5 of the raw
// bytes (<= 2 MB, jpg/png), news 1..8 articles, file/voice media_ids from this robot's own upload_media (3 days),
// template cards text_notice / news_notice only.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

import { MultipartError, parseMultipart } from '../multipart';
import type { EmulatorRequest, Route } from '../types';
import { byteLength, isRecord, nonEmptyString } from '../util';
import { WeComErr, wecomError, wecomOk } from './errors';
import { checkedMediaPart } from './media';
import { validateMessageContent } from './messageContent';
import { MEDIA_LIFETIME_MS, type WeComState } from './state';

export const ROBOT_WINDOW_MS = 60_000;
export const ROBOT_MESSAGES_PER_WINDOW = 20;
const MAX_TEXT_BYTES = 2048;
const MAX_MARKDOWN_BYTES = 4096;
const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

export interface WeComRobot {
	key: string;
	/** Times (emulator clock) of the messages accepted in the current window. */
	sends: number[];
}

export interface RobotMedia {
	media_id: string;
	type: 'file' | 'voice';
	/** The key that uploaded it: other robots may not use it. */
	key: string;
	filename: string;
	data: Buffer;
	createdAt: number;
}

export interface WeComRobotPost {
	key: string;
	msgtype: string;
	/** The request body as the node sent it. */
	payload: Record<string, unknown>;
	sentAt: number;
}

export interface WeComRobotState {
	robots: Map<string, WeComRobot>;
	media: Map<string, RobotMedia>;
	/** Accepted messages, oldest first. */
	posts: WeComRobotPost[];
}

/** The seeded robot (an emulator-only key shaped like WeCom's). */
export const WECOM_ROBOT_SEED = { key: '5e0a3c9d-2b1f-4e7a-9c8d-0f1e2d3c4b5a' } as const;

// Robot state lives beside the app's state and goes with it: reset() builds a new WeComState, so a fresh one here.
const robotStates = new WeakMap<WeComState, WeComRobotState>();

export function weComRobots(state: WeComState): WeComRobotState {
	let robots = robotStates.get(state);
	if (!robots) {
		robots = {
			robots: new Map([[WECOM_ROBOT_SEED.key, { key: WECOM_ROBOT_SEED.key, sends: [] }]]),
			media: new Map(),
			posts: [],
		};
		robotStates.set(state, robots);
	}
	return robots;
}

/** Adds a robot (another group) and returns its key. */
export function addWeComRobot(state: WeComState, key: string = randomUUID()): string {
	weComRobots(state).robots.set(key, { key, sends: [] });
	return key;
}

function robotOf(state: WeComState, req: EmulatorRequest): WeComRobot {
	const robot = weComRobots(state).robots.get(req.query.key ?? '');
	if (!robot) {
		throw wecomError(WeComErr.invalidWebhookKey);
	}
	return robot;
}

function bad(detail: string) {
	return wecomError(WeComErr.invalidParameter, detail);
}

function limit(value: string, max: number, what: string): void {
	if (byteLength(value) > max) {
		throw wecomError(
			WeComErr.contentTooLong,
			`${what} is ${byteLength(value)} bytes, at most ${max}`,
		);
	}
}

function requireContent(content: unknown, max: number, what: string): void {
	if (!nonEmptyString(content)) {
		throw wecomError(WeComErr.emptyContent, `${what} is empty`);
	}
	limit(content, max, what);
}

function stringList(value: unknown, what: string): void {
	if (
		value !== undefined &&
		(!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
	) {
		throw bad(`${what} must be an array of strings`);
	}
}

function checkImage(image: Record<string, unknown>): void {
	const { base64, md5 } = image;
	if (!nonEmptyString(base64) || !nonEmptyString(md5)) {
		throw bad('image needs base64 and md5');
	}
	const data = Buffer.from(base64, 'base64');
	if (data.toString('base64') !== base64.replace(/\s/g, '')) {
		throw bad('image.base64 is not valid base64');
	}
	if (data.length > MAX_IMAGE_BYTES) {
		throw wecomError(WeComErr.invalidImageSize, `the image is ${data.length} bytes, at most 2 MB`);
	}
	const jpg = data.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]));
	const png = data.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
	if (!jpg && !png) {
		throw wecomError(WeComErr.invalidMediaFileType, 'the image must be a jpg or png');
	}
	if (createHash('md5').update(data).digest('hex') !== md5.toLowerCase()) {
		throw bad('image.md5 is not the md5 of the decoded image');
	}
}

function checkArticles(news: Record<string, unknown>): void {
	const { articles } = news;
	if (!Array.isArray(articles) || articles.length < 1 || articles.length > 8) {
		throw wecomError(WeComErr.articleCount, 'news.articles must hold 1 to 8 articles');
	}
	articles.forEach((article, i) => {
		const a = isRecord(article) ? article : {};
		if (!nonEmptyString(a.title)) throw wecomError(WeComErr.titleMissing, `articles[${i}].title`);
		if (!nonEmptyString(a.url)) throw wecomError(WeComErr.urlMissing, `articles[${i}].url`);
	});
}

function checkMedia(
	robots: WeComRobotState,
	robot: WeComRobot,
	content: Record<string, unknown>,
	type: 'file' | 'voice',
	now: number,
): void {
	const media = robots.media.get(String(content.media_id ?? ''));
	if (!nonEmptyString(content.media_id)) {
		throw wecomError(WeComErr.mediaIdMissing, `${type}.media_id missing`);
	}
	if (!media || media.key !== robot.key || now - media.createdAt >= MEDIA_LIFETIME_MS) {
		throw wecomError(
			WeComErr.invalidMediaId,
			`${type}.media_id was not uploaded by this robot or has expired`,
		);
	}
	if (media.type !== type) {
		throw wecomError(WeComErr.invalidMediaId, `${type}.media_id is a ${media.type}`);
	}
}

/** Checks one message the way the robot webhook does; throws the errcode answer. */
function checkMessage(
	state: WeComState,
	robot: WeComRobot,
	body: Record<string, unknown>,
	now: number,
): string {
	const { msgtype } = body;
	const content = nonEmptyString(msgtype) ? body[msgtype] : undefined;
	switch (msgtype) {
		case 'text': {
			const text = isRecord(content) ? content : {};
			requireContent(text.content, MAX_TEXT_BYTES, 'text.content');
			stringList(text.mentioned_list, 'text.mentioned_list');
			stringList(text.mentioned_mobile_list, 'text.mentioned_mobile_list');
			break;
		}
		case 'markdown':
		case 'markdown_v2':
			requireContent(
				isRecord(content) ? content.content : undefined,
				MAX_MARKDOWN_BYTES,
				`${msgtype}.content`,
			);
			break;
		case 'image':
			checkImage(isRecord(content) ? content : {});
			break;
		case 'news':
			checkArticles(isRecord(content) ? content : {});
			break;
		case 'file':
		case 'voice':
			checkMedia(weComRobots(state), robot, isRecord(content) ? content : {}, msgtype, now);
			break;
		case 'template_card': {
			const card = isRecord(content) ? content : {};
			if (card.card_type !== 'text_notice' && card.card_type !== 'news_notice') {
				throw bad('a group robot sends only text_notice and news_notice cards');
			}
			validateMessageContent(state, now, body, ['template_card']);
			break;
		}
		default:
			throw wecomError(
				WeComErr.invalidMsgType,
				nonEmptyString(msgtype) ? `msgtype ${msgtype} is not supported` : 'msgtype missing',
			);
	}
	return msgtype;
}

export const robotRoutes: Route<WeComState>[] = [
	{
		method: 'POST',
		path: '/cgi-bin/webhook/send',
		auth: false,
		body: 'none',
		handle(req, ctx) {
			const robot = robotOf(ctx.state, req);
			let body: unknown;
			try {
				body = JSON.parse(req.rawBody.toString('utf8'));
			} catch (error) {
				throw wecomError(WeComErr.dataFormatError, (error as Error).message);
			}
			if (!isRecord(body)) {
				throw wecomError(WeComErr.dataFormatError, 'the body must be a JSON object');
			}
			const now = ctx.now();
			robot.sends = robot.sends.filter((t) => now - t < ROBOT_WINDOW_MS);
			if (robot.sends.length >= ROBOT_MESSAGES_PER_WINDOW) {
				throw wecomError(WeComErr.rateLimited);
			}
			const msgtype = checkMessage(ctx.state, robot, body, now);
			robot.sends.push(now);
			weComRobots(ctx.state).posts.push({ key: robot.key, msgtype, payload: body, sentAt: now });
			return wecomOk();
		},
	},
	{
		method: 'POST',
		path: '/cgi-bin/webhook/upload_media',
		auth: false,
		body: 'none',
		handle(req, ctx) {
			const robot = robotOf(ctx.state, req);
			const type = req.query.type;
			if (type !== 'file' && type !== 'voice') {
				throw wecomError(WeComErr.invalidType, 'type must be file or voice');
			}
			let form: unknown;
			try {
				form = parseMultipart(req.rawBody, req.headers['content-type']);
			} catch (error) {
				if (!(error instanceof MultipartError)) throw error;
				throw wecomError(WeComErr.dataFormatError, `multipart/form-data: ${error.message}`);
			}
			const file = checkedMediaPart(form, type);
			const mediaId = `3robot${randomBytes(24).toString('base64url')}`;
			const createdAt = ctx.now();
			weComRobots(ctx.state).media.set(mediaId, {
				media_id: mediaId,
				type,
				key: robot.key,
				filename: file.filename,
				data: file.data,
				createdAt,
			});
			return wecomOk({ type, media_id: mediaId, created_at: String(Math.floor(createdAt / 1000)) });
		},
	},
];
