// WeCom's media rules (types, sizes, extensions) and the multipart part of an upload: the app's media upload and the
// group robot's upload_media take the same files.
import type { BinaryFile, FileRule } from '../binaryFile';
import { filePart } from '../binaryFile';
import type { MultipartFile } from '../multipart';

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

/** A file read from an input item (see ../binaryFile). */
export type MediaFile = BinaryFile;

/** The multipart part WeCom's upload endpoints expect (field `media`). */
export function mediaPart(file: MediaFile): MultipartFile {
	return filePart(file);
}
