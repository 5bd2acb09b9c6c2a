import { randomBytes } from 'node:crypto';

import type { MultipartBody } from '../multipart';
import type { Route } from '../types';
import { oldApiError, oldApiOk } from './errors';
import type { DingTalkMediaType } from './messaging';
import type { DingTalkState } from './state';

const MB = 1024 * 1024;

// Limits of /media/upload from DingTalk's "Upload media files" page. The format is judged by the file name's
// extension; jpeg is taken as jpg. Errcodes: 40004 for a bad type is on that page; 40005 (bad file type) and 40006
// (bad file size) are DingTalk's global codes for these failures, chosen here without a page naming them for this API.
const RULES: Record<DingTalkMediaType, { extensions: string[]; maxBytes: number }> = {
	image: { extensions: ['jpg', 'jpeg', 'gif', 'png', 'bmp'], maxBytes: 20 * MB },
	voice: { extensions: ['amr', 'mp3', 'wav'], maxBytes: 2 * MB },
	video: { extensions: ['mp4'], maxBytes: 20 * MB },
	file: {
		extensions: ['doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'zip', 'pdf', 'rar'],
		maxBytes: 20 * MB,
	},
};

const TYPES = Object.keys(RULES) as DingTalkMediaType[];

function extensionOf(filename: string): string {
	const dot = filename.lastIndexOf('.');
	return dot === -1 ? '' : filename.slice(dot + 1).toLowerCase();
}

export const mediaRoutes: Route<DingTalkState>[] = [
	{
		method: 'POST',
		path: '/media/upload',
		body: 'multipart',
		handle(req, ctx) {
			const form = req.body as MultipartBody;
			// The page lists `type` in the form; it also says to put it in the URL when the form field is not read.
			const type = TYPES.find((t) => t === (req.query.type ?? form.fields.type));
			if (!type)
				throw oldApiError(40004, '不合法的媒体文件类型: type must be image, voice, video or file');
			const file = form.files.find((f) => f.field === 'media');
			if (!file) {
				const other = form.files[0]?.field;
				throw oldApiError(
					40035,
					other ? `缺少参数 media (the file part is named '${other}')` : '缺少参数 media',
				);
			}
			const rule = RULES[type];
			if (!rule.extensions.includes(extensionOf(file.filename))) {
				throw oldApiError(
					40005,
					`不合法的文件类型: ${type} must be ${rule.extensions.join('/')}, got '${file.filename}'`,
				);
			}
			if (file.data.length === 0 || file.data.length > rule.maxBytes) {
				throw oldApiError(
					40006,
					`不合法的文件大小: ${type} is ${file.data.length} bytes, at most ${rule.maxBytes}`,
				);
			}
			const mediaId = `@lAD${randomBytes(18).toString('base64url')}`;
			const createdAt = ctx.now();
			ctx.state.messaging.media.set(mediaId, {
				media_id: mediaId,
				type,
				filename: file.filename,
				contentType: file.contentType,
				data: file.data,
				createdAt,
			});
			return oldApiOk({ type, media_id: mediaId, created_at: createdAt });
		},
	},
];

/** A stored media_id of one type, or undefined (what the message endpoints check references against). */
export function mediaOfType(state: DingTalkState, mediaId: unknown, type: DingTalkMediaType) {
	const media = typeof mediaId === 'string' ? state.messaging.media.get(mediaId) : undefined;
	return media?.type === type ? media : undefined;
}
