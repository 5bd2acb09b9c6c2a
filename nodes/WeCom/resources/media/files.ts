import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { BinaryFile, FileRule } from '../../../shared/binaryFile';
import { checkFile } from '../../../shared/binaryFile';
import type { MultipartFile } from '../../../shared/multipart';
import { weComApiRequest } from '../../transport';

export type MediaType = 'image' | 'voice' | 'video' | 'file';

/** The upload endpoints: a temporary media file of one type, or a permanent image (uploadimg). */
export type UploadKind = MediaType | 'uploadimg';

const MB = 1024 * 1024;

/** WeCom rejects files of 5 bytes or less. */
export const MIN_MEDIA_BYTES = 6;

const IMAGE_MIME_TYPES = {
	'image/jpeg': 'jpg',
	'image/jpg': 'jpg',
	'image/pjpeg': 'jpg',
	'image/png': 'png',
};

export const MEDIA_RULES: Record<UploadKind, FileRule> = {
	image: {
		label: 'an image',
		maxBytes: 10 * MB,
		minBytes: MIN_MEDIA_BYTES,
		extensions: ['jpg', 'jpeg', 'png'],
		mimeTypes: IMAGE_MIME_TYPES,
	},
	voice: {
		label: 'a voice message',
		maxBytes: 2 * MB,
		minBytes: MIN_MEDIA_BYTES,
		extensions: ['amr'],
		mimeTypes: { 'audio/amr': 'amr', 'audio/x-amr': 'amr' },
	},
	video: {
		label: 'a video',
		maxBytes: 10 * MB,
		minBytes: MIN_MEDIA_BYTES,
		extensions: ['mp4'],
		mimeTypes: { 'video/mp4': 'mp4' },
	},
	file: {
		label: 'a file',
		maxBytes: 20 * MB,
		minBytes: MIN_MEDIA_BYTES,
		extensions: [],
		mimeTypes: {},
	},
	// WeCom's doc for uploadimg (90256) limits it to 2 MB of jpg/png.
	uploadimg: {
		label: 'a permanent image (uploadimg)',
		maxBytes: 2 * MB,
		minBytes: MIN_MEDIA_BYTES,
		extensions: ['jpg', 'jpeg', 'png'],
		mimeTypes: IMAGE_MIME_TYPES,
	},
};

/** A file read from an input item (see ../../../shared/binaryFile). */
export type MediaFile = BinaryFile;

/** WeCom's limits for this kind of upload, checked before anything is sent. */
export function checkMediaFile(
	this: IExecuteFunctions,
	itemIndex: number,
	kind: UploadKind,
	file: MediaFile,
): MediaFile {
	return checkFile.call(
		this,
		itemIndex,
		'WeCom',
		MEDIA_RULES[kind],
		file,
		kind === 'uploadimg' ? 'image' : kind,
	);
}

/** The multipart part WeCom's upload endpoints expect (field `media`). */
export function mediaPart(file: MediaFile): MultipartFile {
	return {
		field: 'media',
		filename: file.fileName,
		contentType: file.mimeType || 'application/octet-stream',
		data: file.data,
	};
}

/** POST /cgi-bin/media/upload for a checked file: `{type, media_id, created_at}`. */
export async function uploadMediaFile(
	this: IExecuteFunctions,
	itemIndex: number,
	type: MediaType,
	file: MediaFile,
): Promise<IDataObject> {
	const answer = await weComApiRequest.call(this, {
		method: 'POST',
		path: '/cgi-bin/media/upload',
		qs: { type },
		file: mediaPart(file),
		itemIndex,
	});
	return uploadedMedia(answer, type, file);
}

/** What an upload answered, as the output shows it (the media_id for reuse, and the file that went up). */
export function uploadedMedia(answer: IDataObject, type: string, file: MediaFile): IDataObject {
	return {
		media_id: answer.media_id,
		type: answer.type ?? type,
		created_at: answer.created_at,
		fileName: file.fileName,
		fileSize: file.data.length,
	};
}
