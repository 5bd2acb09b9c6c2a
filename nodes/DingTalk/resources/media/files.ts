import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { BinaryFile, FileRule } from '../../../shared/binaryFile';
import { checkFile, filePart, uploadedFile } from '../../../shared/binaryFile';
import { dingTalkApiRequest } from '../../transport';

export type DingTalkMediaType = 'image' | 'voice' | 'video' | 'file';

const MB = 1024 * 1024;

/**
 * DingTalk's limits for `/media/upload` (official "Upload media files" page): image <= 20 MB jpg/gif/png/bmp, voice
 * <= 2 MB amr/mp3/wav, video <= 20 MB mp4, file <= 20 MB doc/docx/xls/xlsx/ppt/pptx/zip/pdf/rar. `jpeg` is accepted as
 * the same format as `jpg` (not named by the page).
 */
export const DINGTALK_MEDIA_RULES: Record<DingTalkMediaType, FileRule> = {
	image: {
		label: 'an image',
		maxBytes: 20 * MB,
		extensions: ['jpg', 'jpeg', 'gif', 'png', 'bmp'],
		mimeTypes: {
			'image/jpeg': 'jpg',
			'image/jpg': 'jpg',
			'image/pjpeg': 'jpg',
			'image/gif': 'gif',
			'image/png': 'png',
			'image/bmp': 'bmp',
			'image/x-ms-bmp': 'bmp',
		},
	},
	voice: {
		label: 'a voice message',
		maxBytes: 2 * MB,
		extensions: ['amr', 'mp3', 'wav'],
		mimeTypes: {
			'audio/amr': 'amr',
			'audio/x-amr': 'amr',
			'audio/mpeg': 'mp3',
			'audio/mp3': 'mp3',
			'audio/wav': 'wav',
			'audio/x-wav': 'wav',
			'audio/wave': 'wav',
			'audio/vnd.wave': 'wav',
		},
	},
	video: {
		label: 'a video',
		maxBytes: 20 * MB,
		extensions: ['mp4'],
		mimeTypes: { 'video/mp4': 'mp4' },
	},
	file: {
		label: 'a file',
		maxBytes: 20 * MB,
		extensions: ['doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'zip', 'pdf', 'rar'],
		mimeTypes: {
			'application/msword': 'doc',
			'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
			'application/vnd.ms-excel': 'xls',
			'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
			'application/vnd.ms-powerpoint': 'ppt',
			'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
			'application/zip': 'zip',
			'application/x-zip-compressed': 'zip',
			'application/pdf': 'pdf',
			'application/vnd.rar': 'rar',
			'application/x-rar-compressed': 'rar',
			'application/x-rar': 'rar',
		},
	},
};

/** DingTalk's limits for this kind of upload, checked before anything is sent. */
export function checkDingTalkMedia(
	this: IExecuteFunctions,
	itemIndex: number,
	type: DingTalkMediaType,
	file: BinaryFile,
): BinaryFile {
	return checkFile.call(this, itemIndex, 'DingTalk', DINGTALK_MEDIA_RULES[type], file, type);
}

/**
 * POST /media/upload (old family) for a checked file: `{media_id, type, created_at, fileName, fileSize}`. The type goes
 * in the query, where DingTalk's page says to put it when the form field is not read.
 */
export async function uploadDingTalkMedia(
	this: IExecuteFunctions,
	itemIndex: number,
	type: DingTalkMediaType,
	file: BinaryFile,
): Promise<IDataObject> {
	const answer = await dingTalkApiRequest.call(this, {
		method: 'POST',
		path: '/media/upload',
		qs: { type },
		file: filePart(file),
		itemIndex,
	});
	return uploadedFile(answer, type, file);
}
