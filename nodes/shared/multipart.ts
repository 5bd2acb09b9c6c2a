import { randomBytes } from 'node:crypto';

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
