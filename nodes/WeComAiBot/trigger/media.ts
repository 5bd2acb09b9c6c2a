// The pictures, files and videos of an AI bot message, downloaded, decrypted and put on the item as binary data
// `attachment_0`, `attachment_1`, … (the DingTalk trigger's shape, nodes/DingTalk/trigger/chat.ts download()).
// How, from WeCom's official long-connection SDK (github WecomTeam/aibot-node-sdk):
// - src/types/message.ts: `image|file|video {url, aeskey}` and mixed `msg_item[]` `{msgtype:'image', image{url,
//   aeskey}}`; the URL works 5 minutes ("五分钟内有效，已加密"); "aeskey: 解密密钥，长连接模式下返回，每个下载链接的 aeskey 唯一".
// - src/api.ts downloadFileRaw: a plain GET of the URL; the file name from Content-Disposition, `filename*=UTF-8''…`
//   first, then `filename="…"`.
// - src/crypto.ts decryptFile: AES-256-CBC, key = base64-decode(aeskey), IV = the key's first 16 bytes, autopadding off,
//   then PKCS#7 padding to a multiple of 32 bytes removed (1..32, all equal, else refused).
// Callback (URL) mode sends no aeskey. WeCom's reference digest (not the SDK; not confirmed here) says the files are
// encrypted "with the same key": the EncodingAESKey's AES key (base64-decode(EncodingAESKey + "=")), same IV rule and
// padding, no envelope (CallbackCrypto.decryptFile).
// Files are up to 100 MB (digest); the trigger reads at most Max Attachment Size and stops reading past it. The URL,
// the aeskey and the EncodingAESKey never reach the item, an error text or a log line.
import type {
	IBinaryData,
	IDataObject,
	INodeExecutionData,
	ITriggerFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import {
	decryptPadded,
	type CallbackCrypto,
	type PaddedDecryptProblem,
} from '../../shared/callbackCrypto';
import {
	attachmentKey,
	chatInputOf,
	maxAttachmentBytes,
	type ChatAttachment,
} from '../../shared/chat';
import { fieldOf, isRecord, scalarText } from '../../shared/json';
import type { AiBotMessage, PendingAiBotFile } from './chat';

/** WeCom's limit for a file a user sends an AI bot (reference digest): the option goes no higher. */
export const MAX_ATTACHMENT_MB = 100;

/** A long-connection download may take this long; the URL works 5 minutes anyway. */
export const LONG_CONNECTION_DOWNLOAD_MS = 120_000;

/** Callback mode: WeCom waits about 5 s for the answer, so every download of a message fits in this. */
export const CALLBACK_DOWNLOAD_MS = 3_000;

export type AiBotFileKey =
	| { mode: 'longConnection' }
	| { mode: 'callback'; crypto: CallbackCrypto };

export interface AiBotDownloadOptions {
	download: boolean;
	maxBytes: number;
	/** No download goes on after this time (ms since the epoch). */
	deadline: number;
	key: AiBotFileKey;
}

type AiBotContext = ITriggerFunctions | IWebhookFunctions;

/** Max Attachment Size (MB) as bytes, never over WeCom's 100 MB. */
export function aiBotMaxAttachmentBytes(megabytes: unknown): number {
	return maxAttachmentBytes(megabytes, MAX_ATTACHMENT_MB);
}

/** The 32-byte AES key of a file's aeskey (base64, with or without its trailing '='), or undefined. */
export function aiBotFileKey(aesKey: string): Buffer | undefined {
	if (!/^[A-Za-z0-9+/]{42,43}={0,2}$/.test(aesKey)) return undefined;
	const key = Buffer.from(aesKey, 'base64');
	return key.length === 32 ? key : undefined;
}

/** A long-connection file's bytes decrypted with its aeskey (the SDK's decryptFile scheme). */
export function decryptAiBotFile(
	data: Buffer,
	aesKey: string,
): Buffer | PaddedDecryptProblem | 'bad_key' {
	const key = aiBotFileKey(aesKey);
	return key ? decryptPadded(data, key) : 'bad_key';
}

/** The file name of a Content-Disposition header: `filename*=UTF-8''…` first, then `filename="…"` (SDK src/api.ts). */
export function contentDispositionFileName(header: string | undefined): string | null {
	if (!header) return null;
	const decode = (value: string) => {
		try {
			return decodeURIComponent(value);
		} catch {
			return value;
		}
	};
	const extended = /filename\*\s*=\s*UTF-8''([^;\s]+)/i.exec(header);
	const plain = /filename\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(header);
	const raw = extended ? decode(extended[1]) : plain ? decode(plain[1] ?? plain[2] ?? '') : '';
	// Only a name: no folders, no control characters.
	const name = [...raw]
		.filter((char) => char.charCodeAt(0) > 0x1f && char !== '\u007f')
		.join('')
		.split(/[\\/]/)
		.pop()
		?.trim();
	return name ? name : null;
}

function headerOf(headers: unknown, name: string): string | undefined {
	if (!isRecord(headers)) return undefined;
	const value = fieldOf(headers as IDataObject, name);
	const first = Array.isArray(value) ? value[0] : value;
	const textValue = scalarText(first)?.trim();
	return textValue ? textValue : undefined;
}

function megabytes(bytes: number): string {
	return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

/** The extension of a file WeCom sends without a name (pictures may come so; unverified). */
const EXTENSIONS: Record<string, string> = {
	'image/jpeg': 'jpg',
	'image/png': 'png',
	'image/gif': 'gif',
	'image/webp': 'webp',
	'image/bmp': 'bmp',
	'video/mp4': 'mp4',
	'video/quicktime': 'mov',
};

/** The type of a nameless file from its first bytes: the pictures and videos a chat carries; else octet-stream. */
function sniffedType(data: Buffer): string {
	const at = (offset: number, hex: string) =>
		data.length >= offset + hex.length / 2 &&
		data.subarray(offset, offset + hex.length / 2).equals(Buffer.from(hex, 'hex'));
	if (at(0, 'ffd8ff')) return 'image/jpeg';
	if (at(0, '89504e470d0a1a0a')) return 'image/png';
	if (at(0, '474946383761') || at(0, '474946383961')) return 'image/gif';
	if (at(0, '52494646') && at(8, '57454250')) return 'image/webp';
	if (at(0, '424d')) return 'image/bmp';
	if (at(4, '66747970')) return at(8, '71742020') ? 'video/quicktime' : 'video/mp4';
	return 'application/octet-stream';
}

interface Read {
	data?: Buffer;
	/** Bytes seen when the read stopped early (over the limit). */
	seen: number;
	problem?: 'too_large' | 'late';
}

/** Reads a response body to its end, but no more than maxBytes and not past the deadline. */
async function readAtMost(body: unknown, maxBytes: number, deadline: number): Promise<Read> {
	if (Buffer.isBuffer(body) || body instanceof ArrayBuffer) {
		const data = Buffer.isBuffer(body) ? body : Buffer.from(body);
		return data.length > maxBytes
			? { seen: data.length, problem: 'too_large' }
			: { data, seen: data.length };
	}
	const chunks: Buffer[] = [];
	let seen = 0;
	// Leaving the loop early ends the iteration, which destroys the stream: nothing more is read.
	for await (const chunk of body as AsyncIterable<Buffer | string>) {
		const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
		seen += bytes.length;
		if (seen > maxBytes) return { seen, problem: 'too_large' };
		if (Date.now() > deadline) return { seen, problem: 'late' };
		chunks.push(bytes);
	}
	return { data: Buffer.concat(chunks), seen };
}

function destroy(body: unknown): void {
	if (isRecord(body) && typeof (body as { destroy?: unknown }).destroy === 'function') {
		(body as { destroy: () => void }).destroy();
	}
}

const EXPIRED_HINT =
	"WeCom's download links work for 5 minutes after the message: ask the sender to send it again";

function lateText(key: AiBotFileKey): string {
	return key.mode === 'callback'
		? 'not downloaded: no time left (in callback mode WeCom waits about 5 s for the answer, and the downloads must fit in it; the Long Connection mode has no such limit)'
		: `download failed: it took longer than ${LONG_CONNECTION_DOWNLOAD_MS / 1000} s (${EXPIRED_HINT})`;
}

function undecryptable(key: AiBotFileKey, problem: PaddedDecryptProblem | 'bad_key'): string {
	if (problem === 'bad_key') {
		return 'not downloaded: the decryption key WeCom sent with it (aeskey) is not a 32-byte base64 key';
	}
	const what = problem === 'not_blocks' ? 'is not whole AES blocks' : 'has invalid padding';
	return key.mode === 'callback'
		? `downloaded, but it cannot be decrypted (the result ${what}): check that the EncodingAESKey of the WeCom AI Bot credential is the bot's (API 模式 → URL 回调). That callback-mode files use this key comes from WeCom's docs only and is not confirmed; the Long Connection mode sends each file's own key`
		: `downloaded, but it cannot be decrypted with the key WeCom sent with it (the result ${what}): the link may have expired and served an error page instead of the file; ${EXPIRED_HINT}`;
}

/** Fetches and decrypts one file; every failure is said in the attachment's error, never thrown. */
async function downloadOne(
	context: AiBotContext,
	file: PendingAiBotFile,
	attachment: ChatAttachment,
	index: number,
	options: AiBotDownloadOptions,
): Promise<IBinaryData | undefined> {
	const fail = (error: string) => {
		attachment.error = error;
		return undefined;
	};
	if (!file.url) return fail('not downloaded: WeCom sent no download URL for it');
	if (options.key.mode === 'longConnection' && !file.aesKey) {
		return fail('not downloaded: WeCom sent no decryption key (aeskey) with it');
	}
	const left = options.deadline - Date.now();
	if (left <= 0) return fail(lateText(options.key));
	let response: { body: unknown; headers: unknown; statusCode: number };
	try {
		response = (await context.helpers.httpRequest({
			method: 'GET',
			url: file.url,
			// Read as a stream, so that a file over the limit is not held whole (n8n's helper sets no size limit).
			encoding: 'stream',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			abortSignal: AbortSignal.timeout(left),
		})) as { body: unknown; headers: unknown; statusCode: number };
	} catch (error) {
		// Only the error's code: its message may name the URL.
		const code = scalarText((error as { code?: unknown })?.code);
		if (code === 'ABORT_ERR' || code === 'ERR_CANCELED' || Date.now() >= options.deadline) {
			return fail(lateText(options.key));
		}
		return fail(
			`download failed${code ? ` (${code})` : ''}: WeCom's file server could not be reached`,
		);
	}
	const { body, headers, statusCode } = response;
	if (statusCode < 200 || statusCode >= 300) {
		destroy(body);
		return fail(`download failed: WeCom answered HTTP ${statusCode}; ${EXPIRED_HINT}`);
	}
	const declared = Number(headerOf(headers, 'content-length'));
	if (Number.isFinite(declared) && declared > options.maxBytes) {
		destroy(body);
		attachment.size = declared;
		return fail(
			`larger than ${megabytes(options.maxBytes)}: not downloaded (raise Max Attachment Size (MB), up to ${MAX_ATTACHMENT_MB})`,
		);
	}
	let read: Read;
	try {
		// Decryption removes at most 32 bytes of padding: the encrypted file may be that much over the limit.
		read = await readAtMost(body, options.maxBytes + 32, options.deadline);
	} catch (error) {
		destroy(body);
		const code = scalarText((error as { code?: unknown })?.code);
		if (Date.now() >= options.deadline) return fail(lateText(options.key));
		return fail(`download failed${code ? ` (${code})` : ''}: the connection broke off`);
	}
	if (read.problem === 'late') return fail(lateText(options.key));
	if (read.problem === 'too_large' || !read.data) {
		return fail(
			`larger than ${megabytes(options.maxBytes)}: not downloaded (raise Max Attachment Size (MB), up to ${MAX_ATTACHMENT_MB})`,
		);
	}
	const plain =
		options.key.mode === 'callback'
			? options.key.crypto.decryptFile(read.data)
			: decryptAiBotFile(read.data, file.aesKey);
	if (!Buffer.isBuffer(plain)) return fail(undecryptable(options.key, plain));
	if (plain.length > options.maxBytes) {
		attachment.size = plain.length;
		return fail(
			`larger than ${megabytes(options.maxBytes)}: not downloaded (raise Max Attachment Size (MB), up to ${MAX_ATTACHMENT_MB})`,
		);
	}
	const named = contentDispositionFileName(headerOf(headers, 'content-disposition'));
	const declaredType = headerOf(headers, 'content-type')?.split(';')[0].trim().toLowerCase();
	// An encrypted file is likely served as octet-stream: then the type comes from the name (n8n), or the bytes.
	const mimeType =
		declaredType && declaredType !== 'application/octet-stream'
			? declaredType
			: named
				? undefined
				: sniffedType(plain);
	const fileName =
		named ??
		`${file.kind}-${index + 1}${mimeType && EXTENSIONS[mimeType] ? `.${EXTENSIONS[mimeType]}` : ''}`;
	let binary: IBinaryData;
	try {
		binary = await context.helpers.prepareBinaryData(plain, fileName, mimeType);
	} catch {
		// n8n could not tell the type (or store the bytes under it): keep them as plain bytes.
		binary = await context.helpers.prepareBinaryData(plain, fileName, 'application/octet-stream');
	}
	attachment.fileName = binary.fileName ?? named;
	attachment.mimeType = binary.mimeType;
	attachment.size = plain.length;
	attachment.binaryProperty = attachmentKey(index);
	attachment.error = null;
	return binary;
}

/**
 * The message's attachments downloaded onto its item (binary `attachment_<n>`), each attachment saying what became of
 * it; chatInput then names the files by the names WeCom gave them. A file that fails leaves the message as it is.
 */
export async function withAttachments(
	context: AiBotContext,
	message: AiBotMessage,
	options: AiBotDownloadOptions,
): Promise<INodeExecutionData> {
	const { item, files } = message;
	const attachments = item.json.attachments;
	if (attachments.length === 0) return item;
	const binary: Record<string, IBinaryData> = {};
	for (const [index, file] of files.entries()) {
		const attachment = attachments[index];
		if (!options.download) {
			attachment.error = 'not downloaded (Download Attachments is off)';
			continue;
		}
		let fetched: IBinaryData | undefined;
		try {
			fetched = await downloadOne(context, file, attachment, index, options);
		} catch {
			// Not expected (downloadOne says its failures); the message goes on all the same. No error text: it could hold the URL.
			attachment.binaryProperty = null;
			attachment.error = 'download failed: the file could not be stored in n8n';
		}
		if (fetched) binary[attachmentKey(index)] = fetched;
	}
	item.json.chatInput = chatInputOf(message.text, attachments);
	return Object.keys(binary).length > 0 ? { ...item, binary } : item;
}
