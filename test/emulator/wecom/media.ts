import { randomBytes } from 'node:crypto';

import type { MultipartBody, MultipartFile } from '../multipart';
import type { Route } from '../types';
import { WeComErr, wecomError, wecomOk } from './errors';
import type { MediaType, WeComState } from './state';

const MB = 1024 * 1024;
const MIN_BYTES = 5;

interface MediaRule {
	extensions: string[];
	maxBytes: number;
	/** errcode for an over-size file */
	sizeErrcode: number;
}

// Limits from the reference; format is judged by the file name's extension.
const RULES: Record<MediaType, MediaRule> = {
	image: {
		extensions: ['jpg', 'jpeg', 'png'],
		maxBytes: 10 * MB,
		sizeErrcode: WeComErr.invalidImageSize,
	},
	voice: { extensions: ['amr'], maxBytes: 2 * MB, sizeErrcode: WeComErr.invalidFileSize },
	video: { extensions: ['mp4'], maxBytes: 10 * MB, sizeErrcode: WeComErr.invalidVideoSize },
	file: { extensions: [], maxBytes: 20 * MB, sizeErrcode: WeComErr.invalidFileSize },
};

const MEDIA_TYPES: readonly MediaType[] = ['image', 'voice', 'video', 'file'];

const UPLOADIMG_RULE: MediaRule = {
	extensions: ['jpg', 'jpeg', 'png'],
	maxBytes: 2 * MB,
	sizeErrcode: WeComErr.invalidImageSize,
};

function extensionOf(filename: string): string {
	const dot = filename.lastIndexOf('.');
	return dot === -1 ? '' : filename.slice(dot + 1).toLowerCase();
}

/** The `media` part, checked against a rule; throws the errcode answer. */
function mediaPart(body: unknown, rule: MediaRule, type: string): MultipartFile {
	const form = body as MultipartBody;
	const file = form.files.find((f) => f.field === 'media');
	if (!file) {
		const other = form.files[0]?.field;
		throw wecomError(
			WeComErr.emptyMedia,
			other ? `the file part is named '${other}', expected 'media'` : "no file part named 'media'",
		);
	}
	if (file.filename === '') {
		throw wecomError(WeComErr.invalidMediaFileType, 'the media part has no filename');
	}
	if (rule.extensions.length > 0 && !rule.extensions.includes(extensionOf(file.filename))) {
		throw wecomError(
			WeComErr.invalidMediaFileType,
			`${type} must be ${rule.extensions.join('/')}, got '${file.filename}'`,
		);
	}
	if (file.data.length <= MIN_BYTES) {
		throw wecomError(WeComErr.invalidFileSize, `files must be larger than ${MIN_BYTES} bytes`);
	}
	if (file.data.length > rule.maxBytes) {
		throw wecomError(
			rule.sizeErrcode,
			`${type} is ${file.data.length} bytes, at most ${rule.maxBytes}`,
		);
	}
	return file;
}

/** The `media` part of an upload of `type` (image, voice, video, file), checked as media/upload does. */
export function checkedMediaPart(body: unknown, type: MediaType): MultipartFile {
	return mediaPart(body, RULES[type], type);
}

export const mediaRoutes: Route<WeComState>[] = [
	{
		method: 'POST',
		path: '/cgi-bin/media/upload',
		body: 'multipart',
		handle(req, ctx) {
			const mediaType = MEDIA_TYPES.find((t) => t === req.query.type);
			if (!mediaType) {
				throw wecomError(WeComErr.invalidType, 'type must be image, voice, video or file');
			}
			const file = mediaPart(req.body, RULES[mediaType], mediaType);
			const mediaId = `3emu${randomBytes(30).toString('base64url')}`;
			const createdAt = ctx.now();
			ctx.state.media.set(mediaId, {
				media_id: mediaId,
				type: mediaType,
				filename: file.filename,
				contentType: file.contentType,
				data: file.data,
				createdAt,
			});
			// WeCom sends created_at as a string of seconds.
			return wecomOk({
				type: mediaType,
				media_id: mediaId,
				created_at: String(Math.floor(createdAt / 1000)),
			});
		},
	},
	{
		method: 'POST',
		path: '/cgi-bin/media/uploadimg',
		body: 'multipart',
		handle(req, ctx) {
			const file = mediaPart(req.body, UPLOADIMG_RULE, 'image');
			const url = `https://wework.qpic.cn/wwpic/emulator_${randomBytes(12).toString('hex')}/0`;
			ctx.state.images.set(url, {
				filename: file.filename,
				contentType: file.contentType,
				data: file.data,
			});
			return wecomOk({ url });
		},
	},
];
