// The decryption of AI bot files against vectors built here with Node's crypto from the algorithm of WeCom's official
// SDK (github WecomTeam/aibot-node-sdk src/crypto.ts decryptFile): AES-256-CBC, key = base64-decode(aeskey), IV = the
// key's first 16 bytes, PKCS#7 padding to a multiple of 32 bytes. Built independently of the emulator's encryptor.
// And the file name of Content-Disposition as the SDK reads it (src/api.ts): filename*=UTF-8'' first.
import { createCipheriv, randomBytes } from 'node:crypto';

import { CallbackCrypto, parseEncodingAesKey } from '../../nodes/shared/callbackCrypto';
import {
	aiBotFileKey,
	contentDispositionFileName,
	decryptAiBotFile,
} from '../../nodes/WeComAiBot/trigger/media';
import { AIBOT_SEED } from '../emulator/wecom/aiBotServer';

/** The sender's side of the SDK's scheme, with the padding bytes chosen by the caller (to build bad ones). */
function encrypt(plain: Buffer, key: Buffer, padding?: Buffer): Buffer {
	const pad = 32 - (plain.length % 32);
	const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
	cipher.setAutoPadding(false);
	return Buffer.concat([
		cipher.update(Buffer.concat([plain, padding ?? Buffer.alloc(pad, pad)])),
		cipher.final(),
	]);
}

describe('WeCom AI bot files: decryption (the SDK scheme)', () => {
	const key = Buffer.from(
		'000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
		'hex',
	);
	const aeskey = key.toString('base64');

	it('decrypts known bytes of every padding length 1..32 (a whole extra block when the length is a multiple of 32)', () => {
		for (let length = 0; length <= 64; length++) {
			const plain = Buffer.from(Array.from({ length }, (_, i) => (i * 7) % 256));
			const sealed = encrypt(plain, key);
			expect(sealed.length % 32).toBe(0);
			expect(decryptAiBotFile(sealed, aeskey)).toEqual(plain);
		}
	});

	it('a fixed vector: "企业微信智能机器人" under the key 00..1f', () => {
		const plain = Buffer.from('企业微信智能机器人', 'utf8');
		const sealed = encrypt(plain, key);
		// 27 bytes + 5 bytes of padding = one 32-byte block, two AES blocks.
		expect(sealed.length).toBe(32);
		const result = decryptAiBotFile(sealed, aeskey) as Buffer;
		expect(result.toString('utf8')).toBe('企业微信智能机器人');
	});

	it('takes the aeskey with or without its trailing "=" and refuses a key that is not 32 bytes of base64', () => {
		expect(aiBotFileKey(aeskey)).toEqual(key);
		expect(aiBotFileKey(aeskey.replace(/=+$/, ''))).toEqual(key);
		expect(aiBotFileKey(randomBytes(16).toString('base64'))).toBeUndefined();
		expect(aiBotFileKey('not base64 at all!')).toBeUndefined();
		expect(aiBotFileKey('')).toBeUndefined();
		expect(decryptAiBotFile(encrypt(Buffer.from('x'), key), 'short')).toBe('bad_key');
	});

	it('refuses bad padding: a pad byte over 32, zero, or pad bytes that differ', () => {
		const plain = Buffer.alloc(28, 0x41);
		expect(decryptAiBotFile(encrypt(plain, key, Buffer.from([1, 2, 3, 4])), aeskey)).toBe(
			'bad_padding',
		);
		expect(decryptAiBotFile(encrypt(plain, key, Buffer.from([4, 4, 4, 0])), aeskey)).toBe(
			'bad_padding',
		);
		// 16-byte PKCS#7 (what Node would add) is not WeCom's: 28 + 4 bytes of 0x04 is fine, 0x21 (33) never is.
		expect(decryptAiBotFile(encrypt(Buffer.alloc(0), key, Buffer.alloc(32, 33)), aeskey)).toBe(
			'bad_padding',
		);
		expect(decryptAiBotFile(encrypt(plain, key, Buffer.alloc(4, 4)), aeskey)).toEqual(plain);
	});

	it("refuses the wrong key (another file's) and bytes that are not whole AES blocks", () => {
		const sealed = encrypt(Buffer.from('只给这个文件的密钥'), key);
		const other = randomBytes(32).toString('base64');
		// With a wrong key the last block decrypts to noise: its padding fails (1 in ~256 runs it could pass by chance
		// for one byte; 20 files make a false pass practically impossible).
		let refused = 0;
		for (let i = 0; i < 20; i++) {
			const result = decryptAiBotFile(encrypt(Buffer.from(`文件 ${i}`), randomBytes(32)), aeskey);
			if (result === 'bad_padding') refused++;
		}
		expect(refused).toBeGreaterThanOrEqual(18);
		expect(decryptAiBotFile(sealed, other)).not.toEqual(Buffer.from('只给这个文件的密钥'));
		expect(decryptAiBotFile(sealed.subarray(0, 20), aeskey)).toBe('not_blocks');
		expect(decryptAiBotFile(Buffer.alloc(0), aeskey)).toBe('not_blocks');
		// An error page where the file should be (an expired link) is not ciphertext either.
		expect(decryptAiBotFile(Buffer.from('{"errcode":40001,"errmsg":"expired"}'), aeskey)).toBe(
			'not_blocks',
		);
	});

	it("callback mode: the EncodingAESKey's key (base64(EncodingAESKey + '=')), same IV and padding, no envelope", () => {
		const crypto = new CallbackCrypto({
			platform: 'wecom',
			token: AIBOT_SEED.callbackToken,
			encodingAesKey: AIBOT_SEED.encodingAesKey,
		});
		const callbackKey = Buffer.from(`${AIBOT_SEED.encodingAesKey}=`, 'base64');
		expect(parseEncodingAesKey(AIBOT_SEED.encodingAesKey)).toEqual(callbackKey);
		const plain = randomBytes(1000);
		expect(crypto.decryptFile(encrypt(plain, callbackKey))).toEqual(plain);
		expect(crypto.decryptFile(encrypt(plain, key))).not.toEqual(plain);
		expect(crypto.decryptFile(Buffer.alloc(33))).toBe('not_blocks');
		// The callbacks themselves still open (the padding helper is shared).
		expect(crypto.decrypt(crypto.encrypt('{"msgtype":"text"}', { receiverId: '' }))).toEqual({
			message: '{"msgtype":"text"}',
			receiverId: '',
		});
	});
});

describe('WeCom AI bot files: the name in Content-Disposition (SDK src/api.ts)', () => {
	it('filename*=UTF-8\'\' first, then filename="…"; only a name, never a path', () => {
		expect(
			contentDispositionFileName(
				`attachment; filename="____.pdf"; filename*=UTF-8''${encodeURIComponent('季度报告.pdf')}`,
			),
		).toBe('季度报告.pdf');
		expect(contentDispositionFileName('attachment; filename="report 2025.xlsx"')).toBe(
			'report 2025.xlsx',
		);
		expect(contentDispositionFileName('attachment; filename=plain.txt')).toBe('plain.txt');
		expect(contentDispositionFileName("attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd")).toBe(
			'passwd',
		);
		expect(contentDispositionFileName('attachment')).toBeNull();
		expect(contentDispositionFileName(undefined)).toBeNull();
		expect(contentDispositionFileName("attachment; filename*=UTF-8''%E4%B8")).toBe('%E4%B8');
	});
});
