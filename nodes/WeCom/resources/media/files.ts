import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { MultipartFile } from '../../../shared/multipart';
import { weComApiRequest } from '../../transport';

export type MediaType = 'image' | 'voice' | 'video' | 'file';

/** The upload endpoints: a temporary media file of one type, or a permanent image (uploadimg). */
export type UploadKind = MediaType | 'uploadimg';

interface MediaRule {
	/** How the error message names the upload. */
	label: string;
	maxBytes: number;
	/** Allowed extensions (lower case); empty = any file. */
	extensions: string[];
	/** MIME types WeCom's formats come as, and the extension each stands for. */
	mimeTypes: Record<string, string>;
}

const MB = 1024 * 1024;

/** WeCom rejects files of 5 bytes or less. */
export const MIN_MEDIA_BYTES = 6;

const IMAGE_MIME_TYPES = {
	'image/jpeg': 'jpg',
	'image/jpg': 'jpg',
	'image/pjpeg': 'jpg',
	'image/png': 'png',
};

export const MEDIA_RULES: Record<UploadKind, MediaRule> = {
	image: {
		label: 'an image',
		maxBytes: 10 * MB,
		extensions: ['jpg', 'jpeg', 'png'],
		mimeTypes: IMAGE_MIME_TYPES,
	},
	voice: {
		label: 'a voice message',
		maxBytes: 2 * MB,
		extensions: ['amr'],
		mimeTypes: { 'audio/amr': 'amr', 'audio/x-amr': 'amr' },
	},
	video: {
		label: 'a video',
		maxBytes: 10 * MB,
		extensions: ['mp4'],
		mimeTypes: { 'video/mp4': 'mp4' },
	},
	file: { label: 'a file', maxBytes: 20 * MB, extensions: [], mimeTypes: {} },
	// WeCom's doc for uploadimg (90256) limits it to 2 MB of jpg/png.
	uploadimg: {
		label: 'a permanent image (uploadimg)',
		maxBytes: 2 * MB,
		extensions: ['jpg', 'jpeg', 'png'],
		mimeTypes: IMAGE_MIME_TYPES,
	},
};

/** MIME types that say nothing about the format. */
const VAGUE_MIME_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

export interface MediaFile {
	data: Buffer;
	/** The name sent to WeCom (recipients of a file message see it). */
	fileName: string;
	mimeType: string;
}

export const binaryPropertyField: INodeProperties = {
	displayName: 'Input Binary Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	required: true,
	hint: 'The name of the input binary field containing the file to upload',
	description: 'Name of the binary property of the input item that holds the file',
};

export const fileNameOption: INodeProperties = {
	displayName: 'File Name',
	name: 'fileName',
	type: 'string',
	default: '',
	placeholder: '报告.pdf',
	description:
		"Name to upload the file under instead of the binary data's own; its extension must fit the media type",
};

function extensionOf(fileName: string): string {
	const dot = fileName.lastIndexOf('.');
	return dot <= 0 || dot === fileName.length - 1 ? '' : fileName.slice(dot + 1).toLowerCase();
}

function formatSize(bytes: number): string {
	return bytes < 1024 * 10 ? `${bytes} bytes` : `${bytes} bytes (${(bytes / MB).toFixed(2)} MB)`;
}

/** Reads a binary property of an input item (n8n's own error names the property if it is missing). */
/** The fields that pick the input file: the binary property, and an optional file-name override. */
export const binaryInputProperties: INodeProperties[] = [
	binaryPropertyField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [fileNameOption],
	},
];

/** Reads the file that `binaryInputProperties` point at. */
export async function readInputFile(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<MediaFile> {
	const propertyName = this.getNodeParameter('binaryPropertyName', itemIndex) as string;
	const options = this.getNodeParameter('options', itemIndex, {}) as { fileName?: string };
	return await readBinaryFile.call(this, itemIndex, propertyName, options.fileName);
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

export async function readBinaryFile(
	this: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
	fileNameOverride = '',
): Promise<MediaFile> {
	const binary = this.helpers.assertBinaryData(itemIndex, propertyName);
	const data = await this.helpers.getBinaryDataBuffer(itemIndex, propertyName);
	const fileName =
		fileNameOverride.trim() ||
		binary.fileName ||
		(binary.fileExtension ? `file.${binary.fileExtension}` : '');
	return { data, fileName, mimeType: (binary.mimeType ?? '').toLowerCase().split(';')[0].trim() };
}

/**
 * Applies WeCom's limits for this kind of upload before anything is sent, so a file WeCom would refuse fails with an
 * error that says why. Returns the file with a name WeCom accepts (an extension added from the MIME type if missing).
 */
export function checkMediaFile(
	this: IExecuteFunctions,
	itemIndex: number,
	kind: UploadKind,
	file: MediaFile,
): MediaFile {
	const rule = MEDIA_RULES[kind];
	const fail = (message: string): never => {
		throw new NodeOperationError(this.getNode(), message, { itemIndex });
	};
	const shown = file.fileName ? `"${file.fileName}"` : 'The file';
	const size = file.data.length;
	if (size < MIN_MEDIA_BYTES) {
		fail(`${shown} is ${formatSize(size)}: WeCom accepts only files larger than 5 bytes`);
	}
	if (size > rule.maxBytes) {
		fail(
			`${shown} is ${formatSize(size)}: WeCom allows at most ${rule.maxBytes / MB} MB for ${rule.label}` +
				(rule.extensions.length ? ` (${rule.extensions.join('/')})` : ''),
		);
	}
	let fileName = file.fileName;
	if (rule.extensions.length > 0) {
		const allowed = rule.extensions.join('/');
		const extension = extensionOf(fileName);
		const mime = VAGUE_MIME_TYPES.has(file.mimeType) ? '' : file.mimeType;
		if (extension && !rule.extensions.includes(extension)) {
			fail(
				`${shown} has the extension .${extension}: WeCom accepts only ${allowed} for ${rule.label}`,
			);
		}
		if (mime && rule.mimeTypes[mime] === undefined) {
			fail(`${shown} is of type ${mime}: WeCom accepts only ${allowed} for ${rule.label}`);
		}
		if (!extension) {
			if (!mime) {
				fail(
					`${shown} has neither a file extension nor a MIME type: WeCom accepts only ${allowed} for ${rule.label}; set a file name ending in .${rule.extensions[0]}`,
				);
			}
			// WeCom judges the format by the file name, so give it the extension the MIME type stands for.
			fileName = `${fileName || (kind === 'uploadimg' ? 'image' : kind)}.${rule.mimeTypes[mime]}`;
		}
	}
	return { ...file, fileName: fileName || kind };
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
	return {
		media_id: answer.media_id,
		type: answer.type ?? type,
		created_at: answer.created_at,
		fileName: file.fileName,
		fileSize: file.data.length,
	};
}
