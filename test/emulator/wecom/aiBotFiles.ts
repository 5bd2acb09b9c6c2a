// The files of AI bot (智能机器人) messages as WeCom serves them: a message carries `image|file|video {url, aeskey}`
// (mixed: `msg_item[]` of text and image parts); the URL is a plain GET for 5 minutes, the bytes AES-256-CBC encrypted.
// Sources: WeCom's official long-connection SDK (github WecomTeam/aibot-node-sdk) src/types/message.ts (the fields,
// "五分钟内有效，已加密", "aeskey: 解密密钥，长连接模式下返回，每个下载链接的 aeskey 唯一"), src/api.ts (the file name read from
// Content-Disposition, `filename*=UTF-8''…` first) and src/crypto.ts (key = base64-decode(aeskey), IV = its first 16
// bytes, PKCS#7 padding to a multiple of 32 bytes). Callback (URL) mode sends no aeskey: per WeCom's reference digest
// only (unconfirmed), the files are encrypted with the callback's key (the EncodingAESKey's), which is what the
// emulator does when given that key.
// Emulator choices (WeCom's docs say nothing): an expired or unknown URL is answered HTTP 403 with a JSON errcode; the
// answer is application/octet-stream; Content-Length is sent unless a file asks for a chunked answer.
import { createCipheriv, randomBytes } from 'node:crypto';

import type { Reply } from '../types';

export const AIBOT_FILES_PATH = '/wecom-aibot-files';

/** "五分钟内有效" (SDK src/types/message.ts). */
export const AIBOT_FILE_URL_LIFETIME_MS = 5 * 60_000;

export type AiBotFileKind = 'image' | 'file' | 'video';

export interface AiBotFileInput {
	kind: AiBotFileKind;
	data: Buffer;
	/** Sent in Content-Disposition (UTF-8, RFC 5987); none when absent. */
	fileName?: string;
	/** Answer without Content-Length (chunked), so that the reader cannot tell the size up front. */
	chunked?: boolean;
}

export interface AiBotStoredFile extends AiBotFileInput {
	id: string;
	encrypted: Buffer;
	expiresAt: number;
}

/** Encrypts the way the SDK's decryptFile reads (src/crypto.ts): AES-256-CBC, IV = key[0..16), PKCS#7 to 32 bytes. */
export function encryptAiBotFile(plain: Buffer, key: Buffer): Buffer {
	const pad = 32 - (plain.length % 32);
	const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
	cipher.setAutoPadding(false);
	return Buffer.concat([
		cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])),
		cipher.final(),
	]);
}

function contentDisposition(fileName: string): string {
	// A header value is Latin-1: the plain filename gets an ASCII stand-in, filename* the real UTF-8 name.
	const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
	return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export class AiBotFileStore {
	readonly files = new Map<string, AiBotStoredFile>();

	/** Every GET, in order: the file id and the status answered. */
	readonly downloads: Array<{ id: string; status: number }> = [];

	/** How long a new URL works; a test sets 0 to get URLs already expired (reset() restores 5 minutes). */
	lifetimeMs = AIBOT_FILE_URL_LIFETIME_MS;

	constructor(
		private readonly now: () => number,
		private readonly baseUrl: () => string,
	) {}

	/**
	 * Stores a file encrypted with `key` (callback mode: the EncodingAESKey's) or, without one, with a random key of its
	 * own (long connection): its URL, and the aeskey a long-connection message carries.
	 */
	add(
		input: AiBotFileInput,
		key?: Buffer,
	): { url: string; aeskey?: string; file: AiBotStoredFile } {
		const own = key ?? randomBytes(32);
		const id = randomBytes(12).toString('hex');
		const file: AiBotStoredFile = {
			...input,
			id,
			encrypted: encryptAiBotFile(input.data, own),
			expiresAt: this.now() + this.lifetimeMs,
		};
		this.files.set(id, file);
		// A token in the query, as a signed storage URL has: the product must never show it.
		const url = `${this.baseUrl()}${AIBOT_FILES_PATH}/${id}?sign=${randomBytes(8).toString('hex')}`;
		return { url, ...(key ? {} : { aeskey: own.toString('base64') }), file };
	}

	/** The 5 minutes have passed for every URL given so far. */
	expireAll(): void {
		for (const file of this.files.values()) file.expiresAt = this.now() - 1;
	}

	/** GET /wecom-aibot-files/<id>: the encrypted bytes, or 403 once the URL expired. */
	serve(method: string, path: string): Reply | undefined {
		if (!path.startsWith(`${AIBOT_FILES_PATH}/`)) return undefined;
		const id = path.slice(AIBOT_FILES_PATH.length + 1);
		const file = this.files.get(id);
		if (method !== 'GET' || !file || file.expiresAt <= this.now()) {
			const status = method !== 'GET' ? 405 : 403;
			this.downloads.push({ id, status });
			return { status, json: { errcode: 40001, errmsg: 'download url expired or invalid' } };
		}
		this.downloads.push({ id, status: 200 });
		return {
			bytes: file.encrypted,
			headers: {
				'content-type': 'application/octet-stream',
				...(file.fileName ? { 'content-disposition': contentDisposition(file.fileName) } : {}),
				...(file.chunked ? {} : { 'content-length': String(file.encrypted.length) }),
			},
		};
	}

	/**
	 * A message body with these files (and the text): one file alone is an image/file/video message, anything else a
	 * mixed message of text and images (mixed carries no other kinds, SDK src/types/message.ts MixedMsgItem). `key`:
	 * callback mode's (no aeskey in the body); without it each file gets its own aeskey.
	 */
	messageParts(
		files: AiBotFileInput[],
		text: string | undefined,
		key?: Buffer,
	): Record<string, unknown> {
		const part = (input: AiBotFileInput) => {
			const { url, aeskey } = this.add(input, key);
			return { url, ...(aeskey ? { aeskey } : {}) };
		};
		if (files.length === 1 && text === undefined) {
			return { msgtype: files[0].kind, [files[0].kind]: part(files[0]) };
		}
		const items: Array<Record<string, unknown>> = [];
		if (text !== undefined) items.push({ msgtype: 'text', text: { content: text } });
		for (const file of files) {
			if (file.kind !== 'image')
				throw new Error('emulator: a mixed message carries text and images only');
			items.push({ msgtype: 'image', image: part(file) });
		}
		return { msgtype: 'mixed', mixed: { msg_item: items } };
	}

	reset(): void {
		this.files.clear();
		this.downloads.length = 0;
		this.lifetimeMs = AIBOT_FILE_URL_LIFETIME_MS;
	}
}
