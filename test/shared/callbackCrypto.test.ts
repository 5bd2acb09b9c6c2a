import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';

import {
	CALLBACK_ERROR_CODES,
	CallbackCrypto,
	CallbackCryptoError,
	computeSignature,
	parseEncodingAesKey,
	signaturesEqual,
	type CallbackErrorReason,
	type CallbackPlatform,
} from '../../nodes/shared/callbackCrypto';
import {
	ALL_VECTORS,
	D1,
	D2,
	W1_GET,
	W1_POST,
	W2_GET,
	W2_POST,
	type CallbackVector,
} from '../fixtures/vectors';

const BASE64_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

// A tiny deterministic PRNG (mulberry32) so that property tests are reproducible from the seed.
function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

class Rng {
	private readonly next: () => number;

	constructor(seed: number) {
		this.next = mulberry32(seed);
	}

	int(minInclusive: number, maxInclusive: number): number {
		return minInclusive + Math.floor(this.next() * (maxInclusive - minInclusive + 1));
	}

	pick<T>(items: readonly T[]): T {
		return items[this.int(0, items.length - 1)];
	}

	bytes(length: number): Buffer {
		const out = Buffer.alloc(length);
		for (let i = 0; i < length; i++) out[i] = this.int(0, 255);
		return out;
	}

	chars(alphabet: string, length: number): string {
		let out = '';
		for (let i = 0; i < length; i++) out += alphabet[this.int(0, alphabet.length - 1)];
		return out;
	}

	/** Random well-formed text: ASCII incl. NUL and control characters, Latin-1, CJK, emoji. */
	text(maxCodePoints: number): string {
		const ranges: Array<[number, number]> = [
			[0x00, 0x7f],
			[0x20, 0x7e],
			[0xa0, 0xff],
			[0x4e00, 0x9fff],
			[0x1f300, 0x1faff],
			[0xe000, 0xfffd],
		];
		const count = this.int(0, maxCodePoints);
		let out = '';
		for (let i = 0; i < count; i++) {
			const [lo, hi] = this.pick(ranges);
			out += String.fromCodePoint(this.int(lo, hi));
		}
		return out;
	}
}

function platformOf(v: CallbackVector): CallbackPlatform {
	return v.name.startsWith('D') ? 'dingtalk' : 'wecom';
}

function cryptoFor(v: CallbackVector, receiverIds: readonly string[] = [v.receiverId]) {
	return new CallbackCrypto({
		platform: platformOf(v),
		token: v.token,
		encodingAesKey: v.encodingAesKey,
		receiverIds,
	});
}

function rawKey(encodingAesKey: string): Buffer {
	return Buffer.from(`${encodingAesKey}=`, 'base64');
}

/** AES-256-CBC without any unpadding, as the scheme defines it; used to look inside vectors. */
function rawDecrypt(encodingAesKey: string, encrypt: string): Buffer {
	const key = rawKey(encodingAesKey);
	const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
	d.setAutoPadding(false);
	return Buffer.concat([d.update(Buffer.from(encrypt, 'base64')), d.final()]);
}

/** Encrypts arbitrary (already block-aligned) bytes so tests can craft malformed plaintexts. */
function rawEncrypt(encodingAesKey: string, plain: Buffer): string {
	const key = rawKey(encodingAesKey);
	const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
	c.setAutoPadding(false);
	return Buffer.concat([c.update(plain), c.final()]).toString('base64');
}

/** random16 || uint32BE(declaredLength) || body, without padding. */
function frame(body: Buffer, declaredLength: number, random = Buffer.alloc(16, 7)): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(declaredLength >>> 0, 0);
	return Buffer.concat([random, length, body]);
}

function pkcs7(content: Buffer): Buffer {
	const pad = 32 - (content.length % 32);
	return Buffer.concat([content, Buffer.alloc(pad, pad)]);
}

interface Secrets {
	token?: string;
	key?: string;
	others?: readonly string[];
}

function expectCryptoError(
	fn: () => unknown,
	reason: CallbackErrorReason,
	platform: CallbackPlatform,
	secrets: Secrets = {},
): CallbackCryptoError {
	let caught: unknown;
	try {
		fn();
	} catch (error) {
		caught = error;
	}
	expect(caught).toBeInstanceOf(CallbackCryptoError);
	const err = caught as CallbackCryptoError;
	expect(err.reason).toBe(reason);
	expect(err.platform).toBe(platform);
	expect(err.code).toBe(CALLBACK_ERROR_CODES[reason][platform]);
	expect(err.message.length).toBeGreaterThan(20);
	for (const secret of [secrets.token, secrets.key, ...(secrets.others ?? [])]) {
		if (secret && secret.length >= 4) expect(err.message).not.toContain(secret);
	}
	return err;
}

function secretsOf(v: CallbackVector, ...others: string[]): Secrets {
	return { token: v.token, key: v.encodingAesKey, others: [v.encrypt, v.plaintext, ...others] };
}

describe('error codes', () => {
	it('uses the official codes of each platform', () => {
		expect(CALLBACK_ERROR_CODES).toEqual({
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
		});
		const err = new CallbackCryptoError('receiver_mismatch', 'dingtalk', 'x');
		expect(err).toBeInstanceOf(Error);
		expect(err.name).toBe('CallbackCryptoError');
		expect(err.code).toBe(900010);
	});
});

describe.each(ALL_VECTORS.map((v) => [v.name, v] as const))('official vector %s', (_name, v) => {
	const platform = platformOf(v);

	it('has the published signature', () => {
		expect(computeSignature(v.token, v.timestamp, v.nonce, v.encrypt)).toBe(v.msgSignature);
		expect(cryptoFor(v).sign(v.timestamp, v.nonce, v.encrypt)).toBe(v.msgSignature);
	});

	it('verifies and decrypts to the plaintext and receiver id', () => {
		const result = cryptoFor(v).verifyAndDecrypt({
			signature: v.msgSignature,
			timestamp: v.timestamp,
			nonce: v.nonce,
			encrypt: v.encrypt,
		});
		expect(result).toEqual({ message: v.plaintext, receiverId: v.receiverId });
	});

	it('decrypts without a receiver check when no receiver ids are configured', () => {
		expect(cryptoFor(v, []).decrypt(v.encrypt)).toEqual({
			message: v.plaintext,
			receiverId: v.receiverId,
		});
		const noIds = new CallbackCrypto({
			platform,
			token: v.token,
			encodingAesKey: v.encodingAesKey,
		});
		expect(noIds.decrypt(v.encrypt).message).toBe(v.plaintext);
	});

	it('accepts the receiver id when it is one of several configured', () => {
		const c = cryptoFor(v, ['someone-else', v.receiverId]);
		expect(c.decrypt(v.encrypt).receiverId).toBe(v.receiverId);
	});

	it('re-encrypts byte for byte with the sender random prefix', () => {
		const plain = rawDecrypt(v.encodingAesKey, v.encrypt);
		const recovered = plain.subarray(0, 16);
		if (v.randomPrefix) {
			expect(recovered.toString('latin1')).toBe(v.randomPrefix);
		}
		const random = v.randomPrefix ? Buffer.from(v.randomPrefix, 'latin1') : Buffer.from(recovered);
		const c = cryptoFor(v);
		const encrypt = c.encrypt(v.plaintext, { random });
		expect(encrypt).toBe(v.encrypt);
		expect(c.sign(v.timestamp, v.nonce, encrypt)).toBe(v.msgSignature);
		expect(c.encrypt(v.plaintext, { random, receiverId: v.receiverId })).toBe(v.encrypt);
	});

	it('rejects a tampered signature', () => {
		const c = cryptoFor(v);
		const flipped = (v.msgSignature[0] === 'a' ? 'b' : 'a') + v.msgSignature.slice(1);
		for (const signature of [
			flipped,
			v.msgSignature.toUpperCase(),
			v.msgSignature.slice(1),
			`${v.msgSignature}0`,
		]) {
			expectCryptoError(
				() =>
					c.verifyAndDecrypt({
						signature,
						timestamp: v.timestamp,
						nonce: v.nonce,
						encrypt: v.encrypt,
					}),
				'signature_mismatch',
				platform,
				secretsOf(v),
			);
		}
	});

	it('rejects a tampered timestamp, nonce or encrypt', () => {
		const c = cryptoFor(v);
		const base = {
			signature: v.msgSignature,
			timestamp: v.timestamp,
			nonce: v.nonce,
			encrypt: v.encrypt,
		};
		const swapFirst = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
		const variants = [
			{ ...base, timestamp: String(Number(v.timestamp) + 1) },
			{ ...base, nonce: `${v.nonce}x` },
			{ ...base, nonce: swapFirst(v.nonce) },
			{ ...base, encrypt: swapFirst(v.encrypt) },
		];
		for (const p of variants) {
			expectCryptoError(() => c.verifyAndDecrypt(p), 'signature_mismatch', platform, secretsOf(v));
		}
	});

	it('rejects a token that differs from the sender one', () => {
		const c = new CallbackCrypto({
			platform,
			token: `${v.token}-other`,
			encodingAesKey: v.encodingAesKey,
		});
		const err = expectCryptoError(
			() => c.verifySignature(v.msgSignature, v.timestamp, v.nonce, v.encrypt),
			'signature_mismatch',
			platform,
			{ ...secretsOf(v), others: [v.encrypt, `${v.token}-other`] },
		);
		expect(err.message).toMatch(/Token/);
	});

	it('rejects a receiver id that is not configured', () => {
		const c = cryptoFor(v, ['expected-receiver']);
		const err = expectCryptoError(
			() => c.decrypt(v.encrypt),
			'receiver_mismatch',
			platform,
			secretsOf(v),
		);
		expect(err.message).toContain(`receiveid is '${v.receiverId}'`);
		expect(err.message).toContain("'expected-receiver'");
	});
});

describe('vector specifics', () => {
	it('W1 POST is padded with 30 bytes, which Node built-in unpadding rejects', () => {
		const plain = rawDecrypt(W1_POST.encodingAesKey, W1_POST.encrypt);
		expect(plain[plain.length - 1]).toBe(30);
		const key = rawKey(W1_POST.encodingAesKey);
		const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
		expect(() =>
			Buffer.concat([d.update(Buffer.from(W1_POST.encrypt, 'base64')), d.final()]),
		).toThrow();
	});

	it('names the CorpID on a WeCom receiver mismatch', () => {
		const c = cryptoFor(W1_POST, ['ww0000000000000000']);
		const err = expectCryptoError(() => c.decrypt(W1_POST.encrypt), 'receiver_mismatch', 'wecom');
		expect(err.code).toBe(-40005);
		expect(err.message).toContain(
			"receiveid is 'wx5823bf96d3bd56c7', expected CorpID 'ww0000000000000000'",
		);
	});

	it('lists every accepted id on a DingTalk key mismatch', () => {
		const c = cryptoFor(D1, ['dingA', 'dingB']);
		const err = expectCryptoError(() => c.decrypt(D1.encrypt), 'receiver_mismatch', 'dingtalk');
		expect(err.code).toBe(900010);
		expect(err.message).toContain("'dingA', 'dingB'");
	});

	it('a key for another app fails to decrypt', () => {
		const other = new CallbackCrypto({
			platform: 'wecom',
			token: W1_POST.token,
			encodingAesKey: W2_POST.encodingAesKey,
			receiverIds: [W1_POST.receiverId],
		});
		let caught: unknown;
		try {
			other.decrypt(W1_POST.encrypt);
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(CallbackCryptoError);
		expect(['decrypt_failed', 'illegal_buffer', 'receiver_mismatch']).toContain(
			(caught as CallbackCryptoError).reason,
		);
		for (const secret of [W2_POST.encodingAesKey, W1_POST.token, W1_POST.plaintext]) {
			expect((caught as CallbackCryptoError).message).not.toContain(secret);
		}
	});
});

describe('computeSignature / signaturesEqual', () => {
	it('hashes the lexicographically sorted concatenation', () => {
		const parts = ['token', '1409659589', '263014780', 'zzz'];
		const expected = createHash('sha1')
			.update([...parts].sort().join(''))
			.digest('hex');
		expect(computeSignature('token', '1409659589', '263014780', 'zzz')).toBe(expected);
		expect(computeSignature('zzz', '263014780', '1409659589', 'token')).toBe(expected);
	});

	it('compares in constant time for any lengths and inputs', () => {
		expect(signaturesEqual('abc', 'abc')).toBe(true);
		expect(signaturesEqual('', '')).toBe(true);
		expect(signaturesEqual('abc', 'abd')).toBe(false);
		expect(signaturesEqual('abc', 'abcd')).toBe(false);
		expect(signaturesEqual('', 'a')).toBe(false);
		expect(signaturesEqual('a'.repeat(100000), 'a'.repeat(99999))).toBe(false);
		expect(signaturesEqual('\uD800', '\uDC00')).toBe(false);
		expect(signaturesEqual('abc', undefined as unknown as string)).toBe(false);
		expect(signaturesEqual(null as unknown as string, null as unknown as string)).toBe(false);
		expect(signaturesEqual(['abc'] as unknown as string, 'abc')).toBe(false);
	});
});

describe('parseEncodingAesKey', () => {
	it('decodes 43 characters to 32 bytes, ignoring the unused low bits of the last character', () => {
		for (const v of ALL_VECTORS) {
			const key = parseEncodingAesKey(v.encodingAesKey, platformOf(v));
			expect(key.length).toBe(32);
			expect(key.equals(rawKey(v.encodingAesKey))).toBe(true);
		}
		// 'C' (W1) and '3' (D2) both end on non-zero unused bits.
		expect(parseEncodingAesKey(W1_GET.encodingAesKey).length).toBe(32);
		expect(parseEncodingAesKey(D2.encodingAesKey, 'dingtalk').length).toBe(32);
	});

	const good = W1_GET.encodingAesKey;
	const bad: Array<[string, unknown]> = [
		['42 characters', good.slice(0, 42)],
		['44 characters', `${good}A`],
		['44 characters with padding', `${good}=`],
		['url-safe "-"', `-${good.slice(1)}`],
		['url-safe "_"', `${good.slice(0, 42)}_`],
		['"*"', `${good.slice(0, 20)}*${good.slice(21)}`],
		['"=" inside', `${good.slice(0, 42)}=`],
		['a non-ASCII letter', `${good.slice(0, 42)}é`],
		['a trailing newline', `${good.slice(0, 42)}\n`],
		['a space', ` ${good.slice(1)}`],
		['empty', ''],
		['undefined', undefined],
		['a number', 12345],
	];
	it.each(bad)('rejects a key with %s', (_label, key) => {
		for (const platform of ['wecom', 'dingtalk'] as const) {
			const err = expectCryptoError(
				() => parseEncodingAesKey(key as string, platform),
				'invalid_aes_key',
				platform,
				{ key: typeof key === 'string' ? key : undefined, others: [good] },
			);
			expect(err.message).toContain(platform === 'wecom' ? 'EncodingAESKey' : 'aes_key');
			expectCryptoError(
				() =>
					new CallbackCrypto({ platform, token: 'tok3n-secret', encodingAesKey: key as string }),
				'invalid_aes_key',
				platform,
				{ token: 'tok3n-secret', key: typeof key === 'string' ? key : undefined, others: [good] },
			);
		}
	});

	it('defaults to WeCom wording and codes', () => {
		const err = expectCryptoError(() => parseEncodingAesKey('short'), 'invalid_aes_key', 'wecom');
		expect(err.code).toBe(-40004);
		expect(err.message).toMatch(/43/);
	});
});

describe('constructor', () => {
	it('rejects an unknown platform, an empty token and non-string receiver ids', () => {
		expect(
			() =>
				new CallbackCrypto({
					platform: 'slack' as CallbackPlatform,
					token: 't',
					encodingAesKey: W1_GET.encodingAesKey,
				}),
		).toThrow(CallbackCryptoError);
		expect(() => new CallbackCrypto(undefined as never)).toThrow(CallbackCryptoError);
		expectCryptoError(
			() =>
				new CallbackCrypto({ platform: 'dingtalk', token: '', encodingAesKey: D1.encodingAesKey }),
			'missing_parameter',
			'dingtalk',
			{ key: D1.encodingAesKey },
		);
		expectCryptoError(
			() =>
				new CallbackCrypto({
					platform: 'wecom',
					token: 'tok3n-secret',
					encodingAesKey: W1_GET.encodingAesKey,
					receiverIds: [1 as unknown as string],
				}),
			'missing_parameter',
			'wecom',
			{ token: 'tok3n-secret', key: W1_GET.encodingAesKey },
		);
	});

	it('copies the receiver ids so later changes to the caller array do not apply', () => {
		const ids = [W1_GET.receiverId];
		const c = cryptoFor(W1_GET, ids);
		ids[0] = 'changed';
		expect(c.decrypt(W1_GET.encrypt).receiverId).toBe(W1_GET.receiverId);
	});
});

describe('missing and malformed parameters', () => {
	const c = cryptoFor(W1_POST);
	const base = {
		signature: W1_POST.msgSignature,
		timestamp: W1_POST.timestamp,
		nonce: W1_POST.nonce,
		encrypt: W1_POST.encrypt,
	};
	const junk: unknown[] = ['', undefined, null, 123, ['a', 'b'], { a: 1 }];

	it.each(['signature', 'timestamp', 'nonce', 'encrypt'] as const)('rejects a bad %s', (field) => {
		for (const value of junk) {
			const err = expectCryptoError(
				() => c.verifyAndDecrypt({ ...base, [field]: value as string }),
				'missing_parameter',
				'wecom',
				secretsOf(W1_POST),
			);
			expect(err.message).toContain(field === 'signature' ? 'msg_signature' : field);
		}
	});

	it('says when a parameter was sent twice', () => {
		const err = expectCryptoError(
			() => c.verifyAndDecrypt({ ...base, nonce: ['1', '2'] as unknown as string }),
			'missing_parameter',
			'wecom',
		);
		expect(err.message).toMatch(/more than once/);
	});

	it('rejects missing parameter objects', () => {
		for (const p of [undefined, null, 'x']) {
			expectCryptoError(
				() => c.verifyAndDecrypt(p as never),
				'missing_parameter',
				'wecom',
				secretsOf(W1_POST),
			);
		}
	});

	it('rejects empty and non-string ciphertexts in decrypt', () => {
		for (const value of junk) {
			expectCryptoError(
				() => c.decrypt(value as string),
				'missing_parameter',
				'wecom',
				secretsOf(W1_POST),
			);
		}
		const d = cryptoFor(D1);
		expectCryptoError(() => d.decrypt(''), 'missing_parameter', 'dingtalk', secretsOf(D1));
	});
});

describe('strict base64', () => {
	const v = W2_GET;
	const c = cryptoFor(v);
	const cases: Array<[string, string]> = [
		['a "*"', `*${v.encrypt.slice(1)}`],
		['a space', ` ${v.encrypt.slice(1)}`],
		['a newline in the middle', `${v.encrypt.slice(0, 40)}\n${v.encrypt.slice(41)}`],
		['url-safe "-"', `-${v.encrypt.slice(1)}`],
		['url-safe "_"', `_${v.encrypt.slice(1)}`],
		['a non-ASCII character', `中${v.encrypt.slice(1)}`],
		['a length that is not a multiple of 4', v.encrypt.slice(1)],
		['missing padding', v.encrypt.replace(/=+$/, '')],
		['padding in the middle', `${v.encrypt.slice(0, 20)}==${v.encrypt.slice(22)}`],
		['three padding characters', `${v.encrypt.slice(0, -3)}===`],
		['only padding', '===='],
		['a single character', 'Q'],
		['non-canonical final bits before "=="', 'QR=='],
		['non-canonical final bits before "="', 'QUF='],
	];
	it.each(cases)('rejects %s', (_label, encrypt) => {
		expectCryptoError(() => c.decrypt(encrypt), 'base64_decode_failed', 'wecom', secretsOf(v));
		expect(CALLBACK_ERROR_CODES.base64_decode_failed.wecom).toBe(-40010);
	});

	it('uses the DingTalk decrypt code for base64 failures there', () => {
		expectCryptoError(() => cryptoFor(D1).decrypt('ab$d'), 'base64_decode_failed', 'dingtalk');
	});

	it('accepts canonical padding forms', () => {
		// 'QQ==' and 'QUE=' are canonical but decode to 1 and 2 bytes: not whole AES blocks.
		expectCryptoError(() => c.decrypt('QQ=='), 'decrypt_failed', 'wecom');
		expectCryptoError(() => c.decrypt('QUE='), 'decrypt_failed', 'wecom');
	});
});

describe('ciphertext structure', () => {
	const v = W1_GET;
	const key = v.encodingAesKey;
	const c = cryptoFor(v, []);
	const body = Buffer.from(`hello${v.receiverId}`, 'utf8');
	const content = frame(body, 5);

	it('decrypts a well-formed crafted ciphertext (control for the crafting helpers)', () => {
		expect(c.decrypt(rawEncrypt(key, pkcs7(content)))).toEqual({
			message: 'hello',
			receiverId: v.receiverId,
		});
	});

	it('accepts a full 32-byte padding block when the content is already aligned', () => {
		const aligned = frame(Buffer.from('x'.repeat(12), 'utf8'), 12);
		expect(aligned.length).toBe(32);
		const padded = pkcs7(aligned);
		expect(padded.length).toBe(64);
		expect(padded[63]).toBe(32);
		expect(c.decrypt(rawEncrypt(key, padded))).toEqual({ message: 'x'.repeat(12), receiverId: '' });
	});

	it('rejects ciphertexts that are not a whole number of AES blocks', () => {
		for (const length of [1, 2, 15, 17, 31, 33, 47, 63]) {
			const encrypt = Buffer.alloc(length, 0xab).toString('base64');
			expectCryptoError(() => c.decrypt(encrypt), 'decrypt_failed', 'wecom', secretsOf(v));
		}
		const truncated = Buffer.from(v.encrypt, 'base64').subarray(0, 63).toString('base64');
		expectCryptoError(() => c.decrypt(truncated), 'decrypt_failed', 'wecom', secretsOf(v));
	});

	const invalidPads = [0, ...Array.from({ length: 223 }, (_, i) => 33 + i)];
	it(`rejects every invalid pad byte value (${invalidPads.length} values: 0 and 33..255)`, () => {
		expect(invalidPads[invalidPads.length - 1]).toBe(255);
		for (const padValue of invalidPads) {
			const plain = Buffer.concat([content, Buffer.alloc(64 - content.length, padValue)]);
			expect(plain.length).toBe(64);
			expectCryptoError(() => c.decrypt(rawEncrypt(key, plain)), 'decrypt_failed', 'wecom');
			// Every byte equal to the pad value, so only the 1..32 range check can reject it.
			const uniform = Buffer.alloc(256, padValue);
			expectCryptoError(() => c.decrypt(rawEncrypt(key, uniform)), 'decrypt_failed', 'wecom');
			const d = cryptoFor(D1, []);
			const dPlain = Buffer.concat([content, Buffer.alloc(64 - content.length, padValue)]);
			expectCryptoError(
				() => d.decrypt(rawEncrypt(D1.encodingAesKey, dPlain)),
				'decrypt_failed',
				'dingtalk',
			);
		}
	});

	it('accepts every valid pad length 1..32', () => {
		for (let pad = 1; pad <= 32; pad++) {
			const messageLength = 64 - 20 - pad;
			const plain = Buffer.concat([
				frame(Buffer.from('m'.repeat(messageLength), 'utf8'), messageLength),
				Buffer.alloc(pad, pad),
			]);
			expect(plain.length).toBe(64);
			expect(c.decrypt(rawEncrypt(key, plain)).message).toBe('m'.repeat(messageLength));
		}
	});

	it('rejects inconsistent pad bytes', () => {
		for (const [pad, position, value] of [
			[5, 2, 4],
			[5, 5, 0],
			[2, 2, 1],
			[32, 17, 31],
			[32, 32, 0],
			[30, 30, 29],
		] as const) {
			const messageLength = 64 - 20 - pad;
			const plain = Buffer.concat([
				frame(Buffer.from('m'.repeat(messageLength), 'utf8'), messageLength),
				Buffer.alloc(pad, pad),
			]);
			plain[plain.length - position] = value;
			expectCryptoError(() => c.decrypt(rawEncrypt(key, plain)), 'decrypt_failed', 'wecom');
		}
	});

	it('rejects a pad length longer than the whole plaintext', () => {
		const plain = Buffer.alloc(16, 20);
		expectCryptoError(() => c.decrypt(rawEncrypt(key, plain)), 'decrypt_failed', 'wecom');
	});

	it('rejects a plaintext too short to hold the header', () => {
		expectCryptoError(
			() => c.decrypt(rawEncrypt(key, Buffer.alloc(32, 32))),
			'illegal_buffer',
			'wecom',
		);
		const short = Buffer.concat([Buffer.alloc(19, 1), Buffer.alloc(13, 13)]);
		expectCryptoError(() => c.decrypt(rawEncrypt(key, short)), 'illegal_buffer', 'wecom');
	});

	it('rejects a length field that runs past the buffer', () => {
		for (const declared of [body.length + 1, body.length + 100, 0x7fffffff, 0xffffffff]) {
			const plain = pkcs7(frame(body, declared));
			expectCryptoError(() => c.decrypt(rawEncrypt(key, plain)), 'illegal_buffer', 'wecom');
			expectCryptoError(
				() => cryptoFor(D1, []).decrypt(rawEncrypt(D1.encodingAesKey, plain)),
				'illegal_buffer',
				'dingtalk',
			);
		}
		// The boundary itself is legal: the whole body is the message and the receiver id is empty.
		expect(c.decrypt(rawEncrypt(key, pkcs7(frame(body, body.length))))).toEqual({
			message: body.toString('utf8'),
			receiverId: '',
		});
		expect(c.decrypt(rawEncrypt(key, pkcs7(frame(body, 0))))).toEqual({
			message: '',
			receiverId: body.toString('utf8'),
		});
	});

	it('rejects invalid UTF-8 in the message or the receiver id', () => {
		const badMessage = pkcs7(frame(Buffer.from([0x68, 0xc3, 0x28, 0x61]), 4));
		expectCryptoError(() => c.decrypt(rawEncrypt(key, badMessage)), 'illegal_buffer', 'wecom');
		const badReceiver = pkcs7(frame(Buffer.from([0x68, 0x69, 0xf0, 0x9f]), 2));
		expectCryptoError(() => c.decrypt(rawEncrypt(key, badReceiver)), 'illegal_buffer', 'wecom');
	});

	it('applies the receiver check to crafted payloads too', () => {
		const strict = cryptoFor(v);
		const plain = pkcs7(frame(Buffer.from('helloww-intruder', 'utf8'), 5));
		const err = expectCryptoError(
			() => strict.decrypt(rawEncrypt(key, plain)),
			'receiver_mismatch',
			'wecom',
		);
		expect(err.message).toContain("receiveid is 'ww-intruder'");
		expect(err.message).not.toContain('hello');
	});

	it('keeps an odd receiver id readable and short in messages', () => {
		const strict = cryptoFor(v);
		const weird = `\u0000\n${'x'.repeat(500)}`;
		const plain = pkcs7(frame(Buffer.from(`hi${weird}`, 'utf8'), 2));
		const err = expectCryptoError(
			() => strict.decrypt(rawEncrypt(key, plain)),
			'receiver_mismatch',
			'wecom',
		);
		expect(err.message).not.toContain('\u0000');
		expect(err.message).not.toContain('\n');
		expect(err.message.length).toBeLessThan(400);
	});
});

describe('encrypt', () => {
	const c = cryptoFor(D1);

	it('uses the first receiver id by default and an explicit one when given', () => {
		expect(c.decrypt(c.encrypt('a')).receiverId).toBe(D1.receiverId);
		const open = cryptoFor(D1, []);
		expect(open.decrypt(open.encrypt('a')).receiverId).toBe('');
		expect(open.decrypt(open.encrypt('a', { receiverId: 'suite-1' })).receiverId).toBe('suite-1');
	});

	it('uses a fresh random prefix every time unless one is given', () => {
		const random = Buffer.alloc(16, 9);
		expect(c.encrypt('same', { random })).toBe(c.encrypt('same', { random }));
		expect(c.encrypt('same')).not.toBe(c.encrypt('same'));
		expect(rawDecrypt(D1.encodingAesKey, c.encrypt('same', { random })).subarray(0, 16)).toEqual(
			random,
		);
	});

	it('rejects what cannot be encrypted faithfully', () => {
		const s = secretsOf(D1);
		for (const message of [undefined, null, 42, { a: 1 }] as unknown[]) {
			expectCryptoError(() => c.encrypt(message as string), 'encrypt_failed', 'dingtalk', s);
		}
		for (const random of [Buffer.alloc(15), Buffer.alloc(17), Buffer.alloc(0), 'x'.repeat(16)]) {
			expectCryptoError(
				() => c.encrypt('m', { random: random as Buffer }),
				'encrypt_failed',
				'dingtalk',
				s,
			);
		}
		for (const text of ['\uD800', 'a\uDC00b', 'end\uD83D']) {
			expectCryptoError(() => c.encrypt(text), 'encrypt_failed', 'dingtalk', s);
			expectCryptoError(
				() => c.encrypt('m', { receiverId: text }),
				'encrypt_failed',
				'dingtalk',
				s,
			);
		}
		expectCryptoError(
			() => c.encrypt('m', { receiverId: 5 as unknown as string }),
			'encrypt_failed',
			'dingtalk',
			s,
		);
		expect(CALLBACK_ERROR_CODES.encrypt_failed.dingtalk).toBe(900007);
	});

	it('encrypts the empty message', () => {
		expect(c.decrypt(c.encrypt(''))).toEqual({ message: '', receiverId: D1.receiverId });
	});

	it('round-trips a 5 MB message', () => {
		const rng = new Rng(5);
		let chunk = '';
		while (Buffer.byteLength(chunk) < 64 * 1024) chunk += rng.text(64);
		const message = chunk.repeat(Math.ceil((5 * 1024 * 1024) / Buffer.byteLength(chunk)));
		expect(Buffer.byteLength(message)).toBeGreaterThanOrEqual(5 * 1024 * 1024);
		const w = cryptoFor(W2_POST);
		const encrypt = w.encrypt(message);
		const signature = w.sign('1700000000', 'n0nce', encrypt);
		const out = w.verifyAndDecrypt({ signature, timestamp: '1700000000', nonce: 'n0nce', encrypt });
		expect(out.message === message).toBe(true);
		expect(out.receiverId).toBe(W2_POST.receiverId);
	});

	it('rejects a very large garbage payload with a crypto error', () => {
		const w = cryptoFor(W2_POST);
		expectCryptoError(
			() => w.decrypt('*'.repeat(8 * 1024 * 1024)),
			'base64_decode_failed',
			'wecom',
		);
		const huge = Buffer.alloc(4 * 1024 * 1024 + 16, 0x5a).toString('base64');
		let caught: unknown;
		try {
			w.decrypt(huge);
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(CallbackCryptoError);
		expect((caught as CallbackCryptoError).message.length).toBeLessThan(500);
	});
});

describe('property: random messages, keys and receiver ids round-trip', () => {
	it('holds for 400 seeded cases', () => {
		const rng = new Rng(0x5eed);
		for (let i = 0; i < 400; i++) {
			const platform: CallbackPlatform = i % 2 === 0 ? 'wecom' : 'dingtalk';
			const encodingAesKey = rng.chars(BASE64_CHARS, 43);
			const token = rng.chars(
				'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
				rng.int(3, 32),
			);
			const receiverId = rng.int(0, 5) === 0 ? '' : rng.text(rng.int(1, 40));
			const message = rng.int(0, 20) === 0 ? rng.text(4000) : rng.text(300);
			const timestamp = String(rng.int(1, 2 ** 31));
			const nonce = rng.chars('abcdefghijklmnopqrstuvwxyz0123456789', rng.int(1, 16));
			const c = new CallbackCrypto({ platform, token, encodingAesKey, receiverIds: [receiverId] });

			const random = rng.bytes(16);
			const encrypt = c.encrypt(message, { random });
			expect(Buffer.from(encrypt, 'base64').length % 32).toBe(0);
			expect(c.encrypt(message, { random })).toBe(encrypt);
			const signature = c.sign(timestamp, nonce, encrypt);
			expect(signature).toMatch(/^[0-9a-f]{40}$/);
			expect(computeSignature(token, timestamp, nonce, encrypt)).toBe(signature);
			expect(c.verifyAndDecrypt({ signature, timestamp, nonce, encrypt })).toEqual({
				message,
				receiverId,
			});

			// Another key must never yield a message; whatever happens is a CallbackCryptoError.
			const otherKey = rng.chars(BASE64_CHARS, 43);
			if (otherKey !== encodingAesKey) {
				const other = new CallbackCrypto({
					platform,
					token,
					encodingAesKey: otherKey,
					receiverIds: [receiverId],
				});
				expect(() => other.decrypt(encrypt)).toThrow(CallbackCryptoError);
			}
			// A flipped ciphertext byte is caught by the signature.
			const bytes = Buffer.from(encrypt, 'base64');
			bytes[rng.int(0, bytes.length - 1)] ^= 1 << rng.int(0, 7);
			const flipped = bytes.toString('base64');
			expect(() => c.verifyAndDecrypt({ signature, timestamp, nonce, encrypt: flipped })).toThrow(
				CallbackCryptoError,
			);
		}
	});

	it('never throws anything but a CallbackCryptoError on garbage', () => {
		const rng = new Rng(42);
		const c = cryptoFor(W1_POST);
		const alphabets = [BASE64_CHARS, `${BASE64_CHARS}=`, `${BASE64_CHARS}=-_ \n*中`];
		for (let i = 0; i < 500; i++) {
			const encrypt =
				i % 3 === 0
					? rng.bytes(16 * rng.int(0, 20)).toString('base64')
					: rng.chars(rng.pick(alphabets), rng.int(0, 200));
			let result: unknown;
			try {
				result = c.decrypt(encrypt);
			} catch (error) {
				expect(error).toBeInstanceOf(CallbackCryptoError);
				expect((error as Error).message).not.toContain(W1_POST.token);
				expect((error as Error).message).not.toContain(W1_POST.encodingAesKey);
				continue;
			}
			// Only a payload carrying the configured receiver id may get through; random data never does.
			throw new Error(`garbage decrypted: ${JSON.stringify(result)}`);
		}
	});
});

function parseReplyXml(xml: string) {
	const m = xml.match(
		/^<xml><Encrypt><!\[CDATA\[([A-Za-z0-9+/=]+)\]\]><\/Encrypt><MsgSignature><!\[CDATA\[([0-9a-f]{40})\]\]><\/MsgSignature><TimeStamp>([0-9]+)<\/TimeStamp><Nonce><!\[CDATA\[([^\]]+)\]\]><\/Nonce><\/xml>$/,
	);
	expect(m).not.toBeNull();
	const [, encrypt, signature, timestamp, nonce] = m as RegExpMatchArray;
	return { encrypt, signature, timestamp, nonce };
}

describe('replies', () => {
	const reply =
		'<xml><ToUserName><![CDATA[mycreate]]></ToUserName><FromUserName><![CDATA[wx5823bf96d3bd56c7]]></FromUserName><CreateTime>1409659813</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[收到 ✅]]></Content></xml>';

	it('builds a WeCom passive-reply XML envelope that verifies and decrypts', () => {
		const c = cryptoFor(W1_POST);
		const xml = c.wecomReplyXml(reply, { timestamp: '1409659813', nonce: '1372623149' });
		const p = parseReplyXml(xml);
		expect(p.timestamp).toBe('1409659813');
		expect(p.nonce).toBe('1372623149');
		expect(c.verifyAndDecrypt(p)).toEqual({ message: reply, receiverId: W1_POST.receiverId });
		expect(xml).not.toContain(W1_POST.token);
		expect(xml).not.toContain('收到');
	});

	it('is reproducible with an injected random prefix and matches a hand-built envelope', () => {
		const c = cryptoFor(W1_POST);
		const random = Buffer.alloc(16, 1);
		const xml = c.wecomReplyXml(reply, { timestamp: '1', nonce: 'abc', random });
		const encrypt = c.encrypt(reply, { random });
		const signature = computeSignature(W1_POST.token, '1', 'abc', encrypt);
		expect(xml).toBe(
			`<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt><MsgSignature><![CDATA[${signature}]]></MsgSignature><TimeStamp>1</TimeStamp><Nonce><![CDATA[abc]]></Nonce></xml>`,
		);
	});

	it('defaults the WeCom timestamp to unix seconds and the nonce to 16 random alphanumerics', () => {
		const c = cryptoFor(W2_POST);
		const before = Math.floor(Date.now() / 1000);
		const p = parseReplyXml(c.wecomReplyXml('m'));
		const after = Math.floor(Date.now() / 1000);
		expect(Number(p.timestamp)).toBeGreaterThanOrEqual(before);
		expect(Number(p.timestamp)).toBeLessThanOrEqual(after);
		expect(p.nonce).toMatch(/^[A-Za-z0-9]{16}$/);
		expect(parseReplyXml(c.wecomReplyXml('m')).nonce).not.toBe(p.nonce);
		expect(c.verifyAndDecrypt(p).message).toBe('m');
	});

	it('builds the WeCom JSON reply with a numeric timestamp', () => {
		const c = cryptoFor(W2_POST);
		const json = c.wecomReplyJson('{"msgtype":"text","text":{"content":"hi"}}', {
			timestamp: '1641002400',
			nonce: 'nonce1',
		});
		expect(Object.keys(json).sort()).toEqual(['encrypt', 'msgsignature', 'nonce', 'timestamp']);
		expect(json.timestamp).toBe(1641002400);
		expect(json.nonce).toBe('nonce1');
		const out = c.verifyAndDecrypt({
			signature: json.msgsignature,
			timestamp: String(json.timestamp),
			nonce: json.nonce,
			encrypt: json.encrypt,
		});
		expect(out.message).toBe('{"msgtype":"text","text":{"content":"hi"}}');
	});

	it('reproduces the official DingTalk "success" answer (D2) exactly', () => {
		const c = cryptoFor(D2);
		expect(
			c.dingtalkReply('success', {
				timestamp: D2.timestamp,
				nonce: D2.nonce,
				random: Buffer.from(D2.randomPrefix as string, 'latin1'),
			}),
		).toEqual({
			msg_signature: D2.msgSignature,
			timeStamp: D2.timestamp,
			nonce: D2.nonce,
			encrypt: D2.encrypt,
		});
	});

	it('answers "success" by default and the answer round-trips', () => {
		const c = cryptoFor(D1);
		const before = Date.now();
		const r = c.dingtalkReply();
		expect(Object.keys(r).sort()).toEqual(['encrypt', 'msg_signature', 'nonce', 'timeStamp']);
		expect(Number(r.timeStamp)).toBeGreaterThanOrEqual(before);
		expect(r.nonce).toMatch(/^[A-Za-z0-9]{16}$/);
		expect(
			c.verifyAndDecrypt({
				signature: r.msg_signature,
				timestamp: r.timeStamp,
				nonce: r.nonce,
				encrypt: r.encrypt,
			}),
		).toEqual({ message: 'success', receiverId: D1.receiverId });
		const custom = c.dingtalkReply('{"ok":true}', { timestamp: D1.timestamp, nonce: D1.nonce });
		expect(custom.timeStamp).toBe(D1.timestamp);
		expect(c.decrypt(custom.encrypt).message).toBe('{"ok":true}');
	});

	it('rejects unusable reply timestamps and nonces', () => {
		for (const [platform, c] of [
			['wecom', cryptoFor(W1_POST)],
			['dingtalk', cryptoFor(D1)],
		] as const) {
			const builders = [
				(o: { timestamp?: string; nonce?: string }) => c.wecomReplyXml('m', o),
				(o: { timestamp?: string; nonce?: string }) => c.wecomReplyJson('m', o),
				(o: { timestamp?: string; nonce?: string }) => c.dingtalkReply('m', o),
			];
			for (const build of builders) {
				for (const timestamp of [
					'',
					'abc',
					'012',
					'1.5',
					'-1',
					' 1',
					'1e9',
					'99999999999999999',
					'9999999999999999',
					7 as unknown as string,
				]) {
					expectCryptoError(() => build({ timestamp }), 'invalid_timestamp', platform);
				}
				for (const nonce of [
					'',
					'a b',
					'<x>',
					'a]]>b',
					'a&b',
					'"q"',
					'x'.repeat(129),
					'中文',
					'a\nb',
					7 as unknown as string,
				]) {
					expectCryptoError(() => build({ nonce }), 'invalid_nonce', platform);
				}
			}
		}
		expect(CALLBACK_ERROR_CODES.invalid_timestamp.dingtalk).toBe(900002);
		expect(CALLBACK_ERROR_CODES.invalid_nonce.dingtalk).toBe(900003);
	});
});
