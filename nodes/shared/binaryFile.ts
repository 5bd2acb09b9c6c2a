import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { MultipartFile } from './multipart';

const MB = 1024 * 1024;

/** A file read from an input item's binary data, ready to upload. */
export interface BinaryFile {
	data: Buffer;
	/** The name sent to the platform (recipients of a file message see it). */
	fileName: string;
	mimeType: string;
}

/** What a platform accepts for one kind of upload. */
export interface FileRule {
	/** How the error message names the upload ("an image"). */
	label: string;
	maxBytes: number;
	/** Files smaller than this are refused (WeCom: 6 bytes). */
	minBytes?: number;
	/** Allowed extensions (lower case); empty = any file. */
	extensions: string[];
	/** MIME types the allowed formats come as, and the extension each stands for. */
	mimeTypes: Record<string, string>;
}

/** MIME types that say nothing about the format. */
const VAGUE_MIME_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

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

export function extensionOf(fileName: string): string {
	const dot = fileName.lastIndexOf('.');
	return dot <= 0 || dot === fileName.length - 1 ? '' : fileName.slice(dot + 1).toLowerCase();
}

export function formatSize(bytes: number): string {
	return bytes < 1024 * 10 ? `${bytes} bytes` : `${bytes} bytes (${(bytes / MB).toFixed(2)} MB)`;
}

/** Reads a binary property of an input item (n8n's own error names the property if it is missing). */
export async function readBinaryFile(
	this: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
	fileNameOverride = '',
): Promise<BinaryFile> {
	const binary = this.helpers.assertBinaryData(itemIndex, propertyName);
	const data = await this.helpers.getBinaryDataBuffer(itemIndex, propertyName);
	const fileName =
		fileNameOverride.trim() ||
		binary.fileName ||
		(binary.fileExtension ? `file.${binary.fileExtension}` : '');
	return { data, fileName, mimeType: (binary.mimeType ?? '').toLowerCase().split(';')[0].trim() };
}

/** Reads the file that `binaryInputProperties` point at. */
export async function readInputFile(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<BinaryFile> {
	const propertyName = this.getNodeParameter('binaryPropertyName', itemIndex) as string;
	const options = this.getNodeParameter('options', itemIndex, {}) as { fileName?: string };
	return await readBinaryFile.call(this, itemIndex, propertyName, options.fileName);
}

/**
 * Applies a platform's limits for one kind of upload before anything is sent, so a file the platform would refuse
 * fails with an error that says why. Returns the file with a name the platform accepts (an extension added from the
 * MIME type if missing; platforms judge the format by the file name). `defaultName` names a file that has none.
 */
export function checkFile(
	this: IExecuteFunctions,
	itemIndex: number,
	platform: string,
	rule: FileRule,
	file: BinaryFile,
	defaultName: string,
): BinaryFile {
	const fail = (message: string): never => {
		throw new NodeOperationError(this.getNode(), message, { itemIndex });
	};
	const shown = file.fileName ? `"${file.fileName}"` : 'The file';
	const size = file.data.length;
	const minBytes = rule.minBytes ?? 1;
	if (size < minBytes) {
		fail(
			minBytes > 1
				? `${shown} is ${formatSize(size)}: ${platform} accepts only files larger than ${minBytes - 1} bytes`
				: `${shown} is empty: ${platform} does not accept empty files`,
		);
	}
	if (size > rule.maxBytes) {
		fail(
			`${shown} is ${formatSize(size)}: ${platform} allows at most ${rule.maxBytes / MB} MB for ${rule.label}` +
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
				`${shown} has the extension .${extension}: ${platform} accepts only ${allowed} for ${rule.label}`,
			);
		}
		if (mime && rule.mimeTypes[mime] === undefined) {
			fail(`${shown} is of type ${mime}: ${platform} accepts only ${allowed} for ${rule.label}`);
		}
		if (!extension) {
			if (!mime) {
				fail(
					`${shown} has neither a file extension nor a MIME type: ${platform} accepts only ${allowed} for ${rule.label}; set a file name ending in .${rule.extensions[0]}`,
				);
			}
			fileName = `${fileName || defaultName}.${rule.mimeTypes[mime]}`;
		}
	}
	return { ...file, fileName: fileName || defaultName };
}

/** The multipart part that uploads a file; both platforms' media endpoints name the field `media`. */
export function filePart(file: BinaryFile, field = 'media'): MultipartFile {
	return {
		field,
		filename: file.fileName,
		contentType: file.mimeType || 'application/octet-stream',
		data: file.data,
	};
}

/** What a media upload outputs: the platform's answer (media_id, type, created_at) and the file that went up. */
export function uploadedFile(answer: IDataObject, type: string, file: BinaryFile): IDataObject {
	return {
		media_id: answer.media_id,
		type: answer.type ?? type,
		created_at: answer.created_at,
		fileName: file.fileName,
		fileSize: file.data.length,
	};
}
