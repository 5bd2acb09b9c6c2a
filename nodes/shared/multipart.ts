import { randomBytes } from 'node:crypto';
import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

export interface MultipartFile {
	field: string;
	filename: string;
	contentType: string;
	data: Buffer;
}

/**
 * Encodes a multipart/form-data body as one Buffer. n8n's request helpers take a Buffer body as is, and unlike a
 * stream it can be sent again when the token is refreshed and the call retried.
 */
export function encodeMultipart(
	files: MultipartFile[],
	fields: Record<string, string> = {},
): { body: Buffer; contentType: string } {
	const boundary = `----n8nWeComDingTalk${randomBytes(12).toString('hex')}`;
	const quote = (value: string) =>
		value.replace(/["\r\n\\]/g, (c) => (c === '"' ? '%22' : c === '\\' ? '\\\\' : ''));
	const chunks: Buffer[] = [];
	for (const [name, value] of Object.entries(fields)) {
		chunks.push(
			Buffer.from(
				`--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`,
				'utf8',
			),
		);
	}
	for (const file of files) {
		chunks.push(
			Buffer.from(
				`--${boundary}\r\nContent-Disposition: form-data; name="${quote(file.field)}"; filename="${quote(file.filename)}"; filelength=${file.data.length}\r\n` +
					`Content-Type: ${file.contentType || 'application/octet-stream'}\r\n\r\n`,
				'utf8',
			),
			file.data,
			Buffer.from('\r\n', 'utf8'),
		);
	}
	chunks.push(Buffer.from(`--${boundary}--\r\n`, 'utf8'));
	return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The body (and content type) of a request that sends either one file as multipart/form-data or a JSON object. */
export function fileOrJsonBody(
	file: MultipartFile | undefined,
	json: IDataObject | undefined,
): Pick<IHttpRequestOptions, 'body' | 'headers'> {
	if (!file) return json === undefined ? {} : { body: json };
	const { body, contentType } = encodeMultipart([file]);
	return { body, headers: { 'content-type': contentType } };
}
