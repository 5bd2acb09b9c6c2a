// The "WXBizMsgCrypt" callback scheme. WeCom and DingTalk share it byte for byte; only the names in
// the admin consoles and the numeric error codes differ, so both are carried by the platform tag.
import {
	createCipheriv,
	createDecipheriv,
	createHash,
	createSecretKey,
	randomBytes,
	timingSafeEqual,
	type KeyObject,
} from 'node:crypto';

export type CallbackPlatform = 'wecom' | 'dingtalk';

export type CallbackErrorReason =
	| 'invalid_aes_key'
	| 'signature_mismatch'
	| 'missing_parameter'
	| 'base64_decode_failed'
	| 'decrypt_failed'
	| 'illegal_buffer'
	| 'receiver_mismatch'
	| 'encrypt_failed'
	| 'invalid_timestamp'
	| 'invalid_nonce';

// Codes follow the official sample libraries so that they can be looked up in the platforms' docs.
// Where a platform has no dedicated code the nearest one is used: a missing signed parameter can
// never validate (signature error), an unusable timestamp or nonce makes signing impossible (WeCom
// -40003), and DingTalk's library folds base64 failures into its decrypt error.
export const CALLBACK_ERROR_CODES: Readonly<
	Record<CallbackErrorReason, Readonly<Record<CallbackPlatform, number>>>
> = {
	invalid_aes_key: { wecom: -40004, dingtalk: 900004 },
	signature_mismatch: { wecom: -40001, dingtalk: 900005 },
	missing_parameter: { wecom: -40001, dingtalk: 900005 },
	base64_decode_failed: { wecom: -40010, dingtalk: 900008 },
	decrypt_failed: { wecom: -40007, dingtalk: 900008 },
	illegal_buffer: { wecom: -40008, dingtalk: 900009 },
	receiver_mismatch: { wecom: -40005, dingtalk: 900010 },
	encrypt_failed: { wecom: -40006, dingtalk: 900007 },
	invalid_timestamp: { wecom: -40003, dingtalk: 900002 },
	invalid_nonce: { wecom: -40003, dingtalk: 900003 },
};

export class CallbackCryptoError extends Error {
	readonly code: number;

	readonly reason: CallbackErrorReason;

	readonly platform: CallbackPlatform;

	constructor(reason: CallbackErrorReason, platform: CallbackPlatform, message: string) {
		super(message);
		this.name = 'CallbackCryptoError';
		this.reason = reason;
		this.platform = platform;
		this.code = CALLBACK_ERROR_CODES[reason][platform];
	}
}

interface PlatformWording {
	product: string;
	console: string;
	aesKey: string;
	receiver: string;
}

const WORDING: Readonly<Record<CallbackPlatform, PlatformWording>> = {
	wecom: {
		product: 'WeCom',
		console: 'WeCom admin console',
		aesKey: 'EncodingAESKey',
		receiver: 'CorpID',
	},
	dingtalk: {
		product: 'DingTalk',
		console: 'DingTalk developer console',
		aesKey: 'aes_key',
		receiver: 'AppKey / CorpId',
	},
};

const AES_KEY_CHARS = 43;
const RANDOM_PREFIX_BYTES = 16;
const LENGTH_FIELD_BYTES = 4;
const HEADER_BYTES = RANDOM_PREFIX_BYTES + LENGTH_FIELD_BYTES;
const PKCS7_BLOCK = 32;
const AES_BLOCK = 16;
const MAX_SHOWN_RECEIVER_CHARS = 64;

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_BODY = /^[A-Za-z0-9+/]*={0,2}$/;
const AES_KEY_PATTERN = /^[A-Za-z0-9+/]{43}$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Digits only and no leading zero: the JSON reply carries the timestamp as a number, and the
// receiver signs whatever digits it sees, so "0123" and 123 must not both be possible.
const TIMESTAMP_PATTERN = /^(?:0|[1-9][0-9]{0,15})$/;
// The nonce lands inside a CDATA section and a query string on the other side, so markup and
// quoting characters are kept out.
const NONCE_PATTERN = /^[\x21-\x7e]{1,128}$/;
const NONCE_FORBIDDEN = /[<>&\]"']/;
const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const GENERATED_NONCE_CHARS = 16;

function describeLength(value: string): string {
	return `${value.length} character${value.length === 1 ? '' : 's'}`;
}

/**
 * Decodes an EncodingAESKey (WeCom) / aes_key (DingTalk) into the 32-byte AES key.
 * The 43 characters are not always a canonical encoding (the unused low bits of the last
 * character are often set), so only the alphabet and length are enforced, not canonical form.
 */
export function parseEncodingAesKey(
	encodingAesKey: string,
	platform: CallbackPlatform = 'wecom',
): Buffer {
	const words = WORDING[platform];
	const fail = (detail: string): never => {
		throw new CallbackCryptoError(
			'invalid_aes_key',
			platform,
			`The ${words.aesKey} is invalid: ${detail}. Copy the 43-character ${words.aesKey} from the ${words.console} into the n8n credential again.`,
		);
	};
	if (typeof encodingAesKey !== 'string' || encodingAesKey.length === 0) {
		return fail('it is empty');
	}
	if (/\s/.test(encodingAesKey)) {
		return fail('it contains spaces or line breaks (probably copied along with it)');
	}
	if (encodingAesKey.length !== AES_KEY_CHARS) {
		return fail(`it must be exactly 43 characters long, got ${describeLength(encodingAesKey)}`);
	}
	if (!AES_KEY_PATTERN.test(encodingAesKey)) {
		return fail('it contains characters outside the base64 alphabet (A-Z, a-z, 0-9, +, /)');
	}
	const key = Buffer.from(`${encodingAesKey}=`, 'base64');
	if (key.length !== 32) {
		return fail(`it decodes to ${key.length} bytes instead of 32`);
	}
	return key;
}

/** hex(sha1(concat(sort([token, timestamp, nonce, encrypt])))) as both platforms compute it. */
export function computeSignature(
	token: string,
	timestamp: string,
	nonce: string,
	encrypt: string,
): string {
	const parts = [String(token), String(timestamp), String(nonce), String(encrypt)].sort();
	const hash = createHash('sha1');
	for (const part of parts) {
		hash.update(part, 'utf8');
	}
	return hash.digest('hex');
}

/**
 * Constant-time string comparison for any inputs. Both sides are hashed first so that
 * timingSafeEqual always sees equal lengths; UTF-16 code units are hashed (not UTF-8) because
 * UTF-8 maps every lone surrogate to the same replacement bytes, which would make distinct strings
 * compare equal.
 */
export function signaturesEqual(expected: string, actual: string): boolean {
	if (typeof expected !== 'string' || typeof actual !== 'string') {
		return false;
	}
	const digest = (value: string) => createHash('sha256').update(value, 'utf16le').digest();
	return timingSafeEqual(digest(expected), digest(actual));
}

function strictBase64Decode(value: string, platform: CallbackPlatform): Buffer {
	const fail = (detail: string): never => {
		throw new CallbackCryptoError(
			'base64_decode_failed',
			platform,
			`The encrypted payload is not valid base64: ${detail}. Pass the encrypt value exactly as ${WORDING[platform].product} sent it (URL-decoded once, '+' kept as '+').`,
		);
	};
	if (value.length % 4 !== 0) {
		return fail(`its length (${value.length}) is not a multiple of 4`);
	}
	if (!BASE64_BODY.test(value)) {
		return fail('it contains characters outside the base64 alphabet or misplaced padding');
	}
	const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
	if (padding > 0) {
		// Non-canonical encodings (unused low bits set) decode ambiguously; no real encoder makes them.
		const last = BASE64_ALPHABET.indexOf(value[value.length - padding - 1]);
		const unusedBits = padding === 2 ? 0b1111 : 0b11;
		if ((last & unusedBits) !== 0) {
			return fail('its final character has non-zero padding bits');
		}
	}
	return Buffer.from(value, 'base64');
}

/**
 * `plain` without its PKCS#7 padding to a multiple of 32 bytes (not AES's 16: both callback schemes pad this way, and so
 * do WeCom's AI bot files); undefined when the padding is not valid (1..32 bytes, all equal to their count).
 */
export function withoutPkcs7Padding(plain: Buffer): Buffer | undefined {
	const pad = plain[plain.length - 1];
	let padOk = plain.length > 0 && pad >= 1 && pad <= PKCS7_BLOCK && pad <= plain.length;
	for (let i = 1; padOk && i <= pad; i++) {
		padOk = plain[plain.length - i] === pad;
	}
	return padOk ? plain.subarray(0, plain.length - pad) : undefined;
}

/** Why padded AES-256-CBC ciphertext could not be opened. */
export type PaddedDecryptProblem = 'not_blocks' | 'bad_padding';

/**
 * AES-256-CBC with Node's own unpadding off, IV the key's first 16 bytes, then the 32-byte PKCS#7 padding removed: the
 * callbacks' cipher, and the one WeCom's AI bot files use (WecomTeam/aibot-node-sdk src/crypto.ts decryptFile).
 */
export function decryptPadded(
	ciphertext: Buffer,
	key: KeyObject | Buffer,
): Buffer | PaddedDecryptProblem {
	if (ciphertext.length === 0 || ciphertext.length % AES_BLOCK !== 0) return 'not_blocks';
	const secret = Buffer.isBuffer(key) ? createSecretKey(key) : key;
	const raw = Buffer.isBuffer(key) ? key : key.export();
	const decipher = createDecipheriv('aes-256-cbc', secret, raw.subarray(0, AES_BLOCK));
	decipher.setAutoPadding(false);
	const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
	return withoutPkcs7Padding(plain) ?? 'bad_padding';
}

function decodeUtf8Strict(bytes: Buffer): string | undefined {
	const text = bytes.toString('utf8');
	// Invalid sequences turn into U+FFFD and no longer re-encode to the same bytes.
	return Buffer.from(text, 'utf8').equals(bytes) ? text : undefined;
}

function showReceiver(value: string): string {
	const printable = value.replace(/[^\x20-\x7e]/g, '?');
	return printable.length > MAX_SHOWN_RECEIVER_CHARS
		? `${printable.slice(0, MAX_SHOWN_RECEIVER_CHARS)}...`
		: printable;
}

function generateNonce(): string {
	let nonce = '';
	while (nonce.length < GENERATED_NONCE_CHARS) {
		for (const byte of randomBytes(GENERATED_NONCE_CHARS * 2)) {
			// 248 = 4 * 62: rejecting the rest keeps every character equally likely.
			if (byte < 248 && nonce.length < GENERATED_NONCE_CHARS) {
				nonce += NONCE_ALPHABET[byte % NONCE_ALPHABET.length];
			}
		}
	}
	return nonce;
}

export interface CallbackCryptoOptions {
	platform: CallbackPlatform;
	token: string;
	encodingAesKey: string;
	/**
	 * Accepted receiver ids (WeCom: CorpID or suite id; DingTalk: AppKey, CorpId or suiteKey).
	 * Empty or absent disables the check.
	 */
	receiverIds?: readonly string[];
}

export interface DecryptedCallback {
	message: string;
	receiverId: string;
}

export interface SignedCallbackParameters {
	signature: string;
	timestamp: string;
	nonce: string;
	encrypt: string;
}

export interface EncryptOptions {
	receiverId?: string;
	/** The 16-byte random prefix; injectable so that tests can reproduce official vectors. */
	random?: Buffer;
}

export interface ReplyOptions extends EncryptOptions {
	timestamp?: string;
	nonce?: string;
}

export interface WeComJsonReply {
	encrypt: string;
	msgsignature: string;
	timestamp: number | string;
	nonce: string;
}

export interface DingTalkReply {
	msg_signature: string;
	timeStamp: string;
	nonce: string;
	encrypt: string;
}

interface SignedEnvelope {
	encrypt: string;
	signature: string;
	timestamp: string;
	nonce: string;
}

export class CallbackCrypto {
	readonly platform: CallbackPlatform;

	readonly receiverIds: readonly string[];

	private readonly token: string;

	/** The AES key as a KeyObject, made once: a Buffer key is turned into one by every createCipheriv/createDecipheriv. */
	private readonly secretKey: KeyObject;

	private readonly iv: Buffer;

	constructor(options: CallbackCryptoOptions) {
		const platform: CallbackPlatform = options?.platform === 'dingtalk' ? 'dingtalk' : 'wecom';
		if (options?.platform !== 'wecom' && options?.platform !== 'dingtalk') {
			throw new CallbackCryptoError(
				'missing_parameter',
				platform,
				"The callback platform must be 'wecom' or 'dingtalk'.",
			);
		}
		this.platform = platform;
		if (typeof options.token !== 'string' || options.token.length === 0) {
			throw this.error(
				'missing_parameter',
				`The callback Token is empty: copy the Token from the ${this.words.console} into the n8n credential.`,
			);
		}
		this.token = options.token;
		const key = parseEncodingAesKey(options.encodingAesKey, platform);
		this.secretKey = createSecretKey(key);
		this.iv = key.subarray(0, AES_BLOCK);
		const receiverIds = options.receiverIds ?? [];
		if (!Array.isArray(receiverIds) || receiverIds.some((id) => typeof id !== 'string')) {
			throw this.error('missing_parameter', 'The accepted receiver ids must be a list of strings.');
		}
		this.receiverIds = Object.freeze([...receiverIds]);
	}

	private get words(): PlatformWording {
		return WORDING[this.platform];
	}

	private error(reason: CallbackErrorReason, message: string): CallbackCryptoError {
		return new CallbackCryptoError(reason, this.platform, message);
	}

	sign(timestamp: string, nonce: string, encrypt: string): string {
		return computeSignature(this.token, timestamp, nonce, encrypt);
	}

	verifySignature(signature: string, timestamp: string, nonce: string, encrypt: string): void {
		const given: Array<[string, unknown]> = [
			['msg_signature', signature],
			['timestamp', timestamp],
			['nonce', nonce],
			['encrypt', encrypt],
		];
		for (const [name, value] of given) {
			if (typeof value !== 'string' || value.length === 0) {
				const shape = Array.isArray(value)
					? 'was sent more than once'
					: value === undefined || value === null || value === ''
						? 'is missing'
						: 'is not a string';
				throw this.error(
					'missing_parameter',
					`The callback parameter ${name} ${shape}: the request did not come from ${this.words.product} as expected, or a proxy altered it.`,
				);
			}
		}
		if (!signaturesEqual(this.sign(timestamp, nonce, encrypt), signature)) {
			throw this.error(
				'signature_mismatch',
				`msg_signature does not match: check that the Token in the n8n credential equals the Token in the ${this.words.console}, and that the request was not altered on the way.`,
			);
		}
	}

	decrypt(encrypt: string): DecryptedCallback {
		if (typeof encrypt !== 'string' || encrypt.length === 0) {
			throw this.error(
				'missing_parameter',
				`The encrypted payload is missing: ${this.words.product} sends it as echostr (URL check) or Encrypt / encrypt (events).`,
			);
		}
		const ciphertext = strictBase64Decode(encrypt, this.platform);
		if (ciphertext.length === 0 || ciphertext.length % AES_BLOCK !== 0) {
			throw this.error(
				'decrypt_failed',
				`The encrypted payload cannot be decrypted: its ${ciphertext.length} bytes are not a whole number of AES blocks, so it was truncated or is not a ${this.words.product} callback.`,
			);
		}
		const plain = this.aesDecrypt(ciphertext);

		const wrongKey = `check that the ${this.words.aesKey} in the n8n credential equals the one in the ${this.words.console}`;
		const content = withoutPkcs7Padding(plain);
		if (content === undefined) {
			throw this.error('decrypt_failed', `Decryption produced invalid padding: ${wrongKey}.`);
		}
		if (content.length < HEADER_BYTES) {
			throw this.error(
				'illegal_buffer',
				`The decrypted payload is too short to hold a message: ${wrongKey}.`,
			);
		}
		const messageLength = content.readUInt32BE(RANDOM_PREFIX_BYTES);
		if (messageLength > content.length - HEADER_BYTES) {
			throw this.error(
				'illegal_buffer',
				`The decrypted message length runs past the end of the payload: ${wrongKey}.`,
			);
		}
		const messageEnd = HEADER_BYTES + messageLength;
		const message = decodeUtf8Strict(content.subarray(HEADER_BYTES, messageEnd));
		const receiverId = decodeUtf8Strict(content.subarray(messageEnd));
		if (message === undefined || receiverId === undefined) {
			throw this.error('illegal_buffer', `The decrypted payload is not valid UTF-8: ${wrongKey}.`);
		}
		if (this.receiverIds.length > 0 && !this.receiverIds.includes(receiverId)) {
			const expected =
				this.receiverIds.length === 1
					? `'${showReceiver(this.receiverIds[0])}'`
					: `one of ${this.receiverIds.map((id) => `'${showReceiver(id)}'`).join(', ')}`;
			throw this.error(
				'receiver_mismatch',
				`receiveid is '${showReceiver(receiverId)}', expected ${this.words.receiver} ${expected}: the callback was meant for another ${this.platform === 'wecom' ? 'corporation or app' : 'app or organisation'}; set the ${this.words.receiver} in the n8n credential to the one this callback belongs to.`,
			);
		}
		return { message, receiverId };
	}

	verifyAndDecrypt(p: SignedCallbackParameters): DecryptedCallback {
		if (p === null || typeof p !== 'object') {
			throw this.error('missing_parameter', 'The callback parameters are missing.');
		}
		this.verifySignature(p.signature, p.timestamp, p.nonce, p.encrypt);
		return this.decrypt(p.encrypt);
	}

	encrypt(message: string, options: EncryptOptions = {}): string {
		const opts = options ?? {};
		const fail = (detail: string): never => {
			throw this.error('encrypt_failed', `Cannot encrypt the reply: ${detail}.`);
		};
		if (typeof message !== 'string') {
			return fail('the message must be a string');
		}
		const receiverId = opts.receiverId ?? this.receiverIds[0] ?? '';
		if (typeof receiverId !== 'string') {
			return fail('the receiver id must be a string');
		}
		// Lone surrogates would silently become U+FFFD and the other side would read another text.
		if (LONE_SURROGATE.test(message) || LONE_SURROGATE.test(receiverId)) {
			return fail('the text contains an unpaired UTF-16 surrogate, which has no UTF-8 form');
		}
		const random = opts.random ?? randomBytes(RANDOM_PREFIX_BYTES);
		if (!Buffer.isBuffer(random) || random.length !== RANDOM_PREFIX_BYTES) {
			return fail('the random prefix must be exactly 16 bytes');
		}
		const messageBytes = Buffer.from(message, 'utf8');
		const receiverBytes = Buffer.from(receiverId, 'utf8');
		if (messageBytes.length > 0xffffffff) {
			return fail('the message is longer than the 4-byte length field allows');
		}
		const unpadded = HEADER_BYTES + messageBytes.length + receiverBytes.length;
		const pad = PKCS7_BLOCK - (unpadded % PKCS7_BLOCK);
		const plain = Buffer.alloc(unpadded + pad, pad);
		random.copy(plain, 0);
		plain.writeUInt32BE(messageBytes.length, RANDOM_PREFIX_BYTES);
		messageBytes.copy(plain, HEADER_BYTES);
		receiverBytes.copy(plain, HEADER_BYTES + messageBytes.length);
		try {
			const cipher = createCipheriv('aes-256-cbc', this.secretKey, this.iv);
			cipher.setAutoPadding(false);
			return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
		} catch {
			return fail('the AES cipher rejected the input');
		}
	}

	/**
	 * A file encrypted with this key and no envelope (no random prefix, length or receiver): what WeCom's reference digest
	 * says of an AI bot's pictures and files in callback mode ("the same key"); see nodes/WeComAiBot/trigger/media.ts.
	 */
	decryptFile(ciphertext: Buffer): Buffer | PaddedDecryptProblem {
		return decryptPadded(ciphertext, this.secretKey);
	}

	wecomReplyXml(message: string, options: ReplyOptions = {}): string {
		const e = this.envelope(message, options, () => String(Math.floor(Date.now() / 1000)));
		// Every value is base64, hex, digits or a checked nonce, so none can close a CDATA section.
		return (
			`<xml><Encrypt><![CDATA[${e.encrypt}]]></Encrypt>` +
			`<MsgSignature><![CDATA[${e.signature}]]></MsgSignature>` +
			`<TimeStamp>${e.timestamp}</TimeStamp>` +
			`<Nonce><![CDATA[${e.nonce}]]></Nonce></xml>`
		);
	}

	wecomReplyJson(message: string, options: ReplyOptions = {}): WeComJsonReply {
		const e = this.envelope(message, options, () => String(Math.floor(Date.now() / 1000)));
		return {
			encrypt: e.encrypt,
			msgsignature: e.signature,
			timestamp: Number(e.timestamp),
			nonce: e.nonce,
		};
	}

	/** The answer DingTalk expects to every HTTP callback, the URL check included. */
	dingtalkReply(message = 'success', options: ReplyOptions = {}): DingTalkReply {
		// DingTalk's own library stamps answers in milliseconds; it accepts seconds as well.
		const e = this.envelope(message, options, () => String(Date.now()));
		return {
			msg_signature: e.signature,
			timeStamp: e.timestamp,
			nonce: e.nonce,
			encrypt: e.encrypt,
		};
	}

	private envelope(
		message: string,
		options: ReplyOptions,
		defaultTimestamp: () => string,
	): SignedEnvelope {
		const opts = options ?? {};
		const timestamp = opts.timestamp ?? defaultTimestamp();
		if (
			typeof timestamp !== 'string' ||
			!TIMESTAMP_PATTERN.test(timestamp) ||
			!Number.isSafeInteger(Number(timestamp))
		) {
			throw this.error(
				'invalid_timestamp',
				'The reply timestamp must be a whole number of seconds or milliseconds written in digits, without a leading zero.',
			);
		}
		const nonce = opts.nonce ?? generateNonce();
		if (typeof nonce !== 'string' || !NONCE_PATTERN.test(nonce) || NONCE_FORBIDDEN.test(nonce)) {
			throw this.error(
				'invalid_nonce',
				`The reply nonce must be 1 to 128 printable ASCII characters without spaces, quotes, '<', '>', '&' or ']'.`,
			);
		}
		const encrypt = this.encrypt(message, { receiverId: opts.receiverId, random: opts.random });
		return { encrypt, signature: this.sign(timestamp, nonce, encrypt), timestamp, nonce };
	}

	private aesDecrypt(ciphertext: Buffer): Buffer {
		try {
			const decipher = createDecipheriv('aes-256-cbc', this.secretKey, this.iv);
			decipher.setAutoPadding(false);
			return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
		} catch {
			throw this.error(
				'decrypt_failed',
				`The encrypted payload cannot be decrypted: check the ${this.words.aesKey} in the n8n credential.`,
			);
		}
	}
}
