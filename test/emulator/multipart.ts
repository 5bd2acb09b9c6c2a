// multipart/form-data (RFC 7578) reader and writer for the media endpoints. Written here rather than
// borrowed so the emulator sees the bytes exactly as a node sent them, and can say what is wrong.
import { randomBytes } from 'node:crypto';

export interface MultipartFile {
	field: string;
	filename: string;
	contentType: string;
	data: Buffer;
}

export interface MultipartBody {
	fields: Record<string, string>;
	files: MultipartFile[];
}

export class MultipartError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'MultipartError';
	}
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_BOUNDARY = 70;

interface HeaderValue {
	value: string;
	params: Record<string, string>;
}

/** Splits `type; a=1; b="x;y"` into the value and its parameters (names lower-cased). */
export function parseHeaderParams(header: string): HeaderValue {
	const semicolon = header.indexOf(';');
	const value = (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
	const params: Record<string, string> = {};
	let rest = semicolon === -1 ? '' : header.slice(semicolon + 1);
	const param = /^\s*([^\s=;]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^;]*)\s*(?:;|$)/;
	while (rest.trim() !== '') {
		const match = param.exec(rest);
		if (!match) {
			// A bare token without "=" carries nothing we use; skip to the next parameter.
			const next = rest.indexOf(';');
			rest = next === -1 ? '' : rest.slice(next + 1);
			continue;
		}
		const name = match[1].toLowerCase();
		// Only \" is unescaped: browsers send backslashes (Windows paths) raw, never doubled.
		params[name] = match[3] !== undefined ? match[3].replace(/\\"/g, '"') : match[2].trim();
		rest = rest.slice(match[0].length);
	}
	return { value, params };
}

export function boundaryOf(contentType: string | undefined): string {
	if (!contentType) {
		throw new MultipartError('no Content-Type header');
	}
	const { value, params } = parseHeaderParams(contentType);
	if (value !== 'multipart/form-data') {
		throw new MultipartError(`Content-Type is ${value}, not multipart/form-data`);
	}
	const boundary = params.boundary;
	if (!boundary || boundary.length > MAX_BOUNDARY) {
		throw new MultipartError('missing or over-long boundary parameter');
	}
	return boundary;
}

// RFC 5987 (filename*=UTF-8''%E4%B8%AD.txt), which some clients send for non-ASCII names.
function decodeExtendedValue(value: string): string | undefined {
	const match = /^([\w!#$%&+^`{}~-]+)'[^']*'(.*)$/.exec(value);
	if (!match || match[1].toLowerCase() !== 'utf-8') {
		return undefined;
	}
	try {
		return decodeURIComponent(match[2]);
	} catch {
		return undefined;
	}
}

// WHATWG FormData (browsers, undici) escapes these three in names and filenames; nothing else.
function unescapeFormName(value: string): string {
	return value.replace(/%22/g, '"').replace(/%0A/gi, '\n').replace(/%0D/gi, '\r');
}

function parsePartHeaders(raw: Buffer): Map<string, string> {
	const headers = new Map<string, string>();
	// Header bytes are read as UTF-8: clients put raw UTF-8 file names (Chinese ones included) there.
	for (const line of raw.toString('utf8').split('\r\n')) {
		if (line === '') {
			continue;
		}
		const colon = line.indexOf(':');
		if (colon <= 0) {
			throw new MultipartError(`malformed part header line: ${JSON.stringify(line.slice(0, 80))}`);
		}
		headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
	}
	return headers;
}

export function parseMultipart(body: Buffer, contentType: string | undefined): MultipartBody {
	const boundary = boundaryOf(contentType);
	const delimiter = Buffer.from(`--${boundary}`);
	const result: MultipartBody = { fields: {}, files: [] };

	// The first delimiter opens the body or follows a preamble line.
	let position: number;
	if (body.subarray(0, delimiter.length).equals(delimiter)) {
		position = delimiter.length;
	} else {
		const first = body.indexOf(Buffer.concat([CRLF, delimiter]));
		if (first === -1) {
			throw new MultipartError('the boundary never occurs in the body');
		}
		position = first + CRLF.length + delimiter.length;
	}
	const nextDelimiter = Buffer.concat([CRLF, delimiter]);

	for (;;) {
		if (body[position] === 0x2d && body[position + 1] === 0x2d) {
			return result;
		}
		// Transport padding (spaces and tabs) may follow a delimiter before its line break.
		while (body[position] === 0x20 || body[position] === 0x09) {
			position++;
		}
		if (!body.subarray(position, position + 2).equals(CRLF)) {
			throw new MultipartError('a boundary is not followed by a line break');
		}
		position += 2;

		let headerEnd: number;
		let headers: Map<string, string>;
		if (body.subarray(position, position + 2).equals(CRLF)) {
			headerEnd = position;
			headers = new Map();
		} else {
			headerEnd = body.indexOf(HEADER_END, position);
			if (headerEnd === -1) {
				throw new MultipartError('a part has no end of headers');
			}
			headers = parsePartHeaders(body.subarray(position, headerEnd));
			headerEnd += 2;
		}
		const dataStart = headerEnd + 2;
		const dataEnd = body.indexOf(nextDelimiter, dataStart);
		if (dataEnd === -1) {
			throw new MultipartError('the body ends without the closing boundary');
		}
		addPart(result, headers, body.subarray(dataStart, dataEnd));
		position = dataEnd + nextDelimiter.length;
	}
}

function addPart(result: MultipartBody, headers: Map<string, string>, data: Buffer): void {
	const disposition = headers.get('content-disposition');
	if (!disposition) {
		throw new MultipartError('a part has no Content-Disposition header');
	}
	const { value, params } = parseHeaderParams(disposition);
	if (value !== 'form-data' || params.name === undefined) {
		throw new MultipartError('a part is not form-data with a name');
	}
	const field = unescapeFormName(params.name);
	const extended =
		params['filename*'] !== undefined ? decodeExtendedValue(params['filename*']) : undefined;
	const filename =
		extended ?? (params.filename !== undefined ? unescapeFormName(params.filename) : undefined);
	if (filename === undefined) {
		result.fields[field] = data.toString('utf8');
		return;
	}
	result.files.push({
		field,
		filename,
		contentType: headers.get('content-type') ?? 'application/octet-stream',
		// A copy: the request buffer is not kept alive by stored media.
		data: Buffer.from(data),
	});
}

export type MultipartPart =
	| { name: string; value: string }
	| { name: string; filename: string; contentType?: string; data: Buffer | string };

// The WHATWG FormData escaping, which the parser above undoes.
function quote(value: string): string {
	return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Builds a multipart/form-data body (raw UTF-8 names, as browsers and form-data libraries send). */
export function encodeMultipart(
	parts: MultipartPart[],
	boundary = `----EmulatorBoundary${randomBytes(12).toString('hex')}`,
): { body: Buffer; contentType: string } {
	const chunks: Buffer[] = [];
	for (const part of parts) {
		let head = `--${boundary}\r\nContent-Disposition: form-data; name="${quote(part.name)}"`;
		if ('filename' in part) {
			head += `; filename="${quote(part.filename)}"\r\nContent-Type: ${part.contentType ?? 'application/octet-stream'}`;
		}
		chunks.push(Buffer.from(`${head}\r\n\r\n`, 'utf8'));
		const data = 'filename' in part ? part.data : part.value;
		chunks.push(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, CRLF);
	}
	chunks.push(Buffer.from(`--${boundary}--\r\n`));
	return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
