/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
import { createDecipheriv } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { CallbackCrypto } from '../../nodes/shared/callbackCrypto';
import { D1, W2_GET, W2_POST, type CallbackVector } from '../fixtures/vectors';
import {
	ApiEmulator,
	DINGTALK_SEED,
	WECOM_SEED,
	buildDingTalkCallback,
	buildWeComCallback,
	buildWeComUrlVerification,
	sendCallback,
} from '.';

/** The 16-byte random prefix a vector was made with, recovered by decrypting it. */
function randomPrefixOf(v: CallbackVector): Buffer {
	const key = Buffer.from(`${v.encodingAesKey}=`, 'base64');
	const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
	decipher.setAutoPadding(false);
	return decipher.update(Buffer.from(v.encrypt, 'base64')).subarray(0, 16);
}

const wecomCrypto = new CallbackCrypto({
	platform: 'wecom',
	token: WECOM_SEED.callbackToken,
	encodingAesKey: WECOM_SEED.encodingAesKey,
	receiverIds: [WECOM_SEED.corpId],
});

const dingCrypto = new CallbackCrypto({
	platform: 'dingtalk',
	token: DINGTALK_SEED.callbackToken,
	encodingAesKey: DINGTALK_SEED.aesKey,
	receiverIds: [DINGTALK_SEED.appKey],
});

const APPROVAL_XML =
	'<xml><ToUserName><![CDATA[ww7e3a9c1d5b2f8e60]]></ToUserName><MsgType><![CDATA[event]]></MsgType><Content><![CDATA[请补充发票 & 行程单 <附件>]]></Content></xml>';

describe('callback builders', () => {
	it('reproduce the official WeCom POST vector byte for byte', () => {
		const built = buildWeComCallback({
			token: W2_POST.token,
			encodingAesKey: W2_POST.encodingAesKey,
			corpId: W2_POST.receiverId,
			agentId: 1000002,
			payloadXml: W2_POST.plaintext,
			timestamp: W2_POST.timestamp,
			nonce: W2_POST.nonce,
			random: randomPrefixOf(W2_POST),
		});
		expect(built.encrypt).toBe(W2_POST.encrypt);
		expect(built.query).toEqual({
			msg_signature: W2_POST.msgSignature,
			timestamp: W2_POST.timestamp,
			nonce: W2_POST.nonce,
		});
		expect(built.body).toBe(
			`<xml><ToUserName><![CDATA[${W2_POST.receiverId}]]></ToUserName><AgentID><![CDATA[1000002]]></AgentID><Encrypt><![CDATA[${W2_POST.encrypt}]]></Encrypt></xml>`,
		);
		expect(built.contentType).toBe('text/xml');
	});

	it('reproduce the official WeCom URL-verification vector', () => {
		const built = buildWeComUrlVerification({
			token: W2_GET.token,
			encodingAesKey: W2_GET.encodingAesKey,
			corpId: W2_GET.receiverId,
			echo: W2_GET.plaintext,
			timestamp: W2_GET.timestamp,
			nonce: W2_GET.nonce,
			random: randomPrefixOf(W2_GET),
		});
		expect(built.query).toEqual({
			msg_signature: W2_GET.msgSignature,
			timestamp: W2_GET.timestamp,
			nonce: W2_GET.nonce,
			echostr: W2_GET.encrypt,
		});
		expect(built.echo).toBe(W2_GET.plaintext);
	});

	it('reproduce the official DingTalk vector', () => {
		const built = buildDingTalkCallback({
			token: D1.token,
			aesKey: D1.encodingAesKey,
			receiverId: D1.receiverId,
			payload: { EventType: 'check_url' },
			timestamp: D1.timestamp,
			nonce: D1.nonce,
			random: Buffer.from(D1.randomPrefix ?? ''),
		});
		expect(built.query).toEqual({
			msg_signature: D1.msgSignature,
			timestamp: D1.timestamp,
			nonce: D1.nonce,
		});
		expect(JSON.parse(built.body)).toEqual({ encrypt: D1.encrypt });
		expect(built.contentType).toBe('application/json');
	});

	it('build WeCom XML and JSON envelopes that CallbackCrypto verifies and decrypts to the payload', () => {
		for (const format of ['xml', 'json'] as const) {
			const built = buildWeComCallback({
				token: WECOM_SEED.callbackToken,
				encodingAesKey: WECOM_SEED.encodingAesKey,
				corpId: WECOM_SEED.corpId,
				agentId: WECOM_SEED.agentId,
				payloadXml: APPROVAL_XML,
				format,
			});
			const encrypt =
				format === 'json'
					? JSON.parse(built.body).encrypt
					: /<Encrypt><!\[CDATA\[(.*)\]\]><\/Encrypt>/.exec(built.body)?.[1];
			expect(encrypt).toBe(built.encrypt);
			if (format === 'json') {
				expect(JSON.parse(built.body)).toEqual({
					tousername: WECOM_SEED.corpId,
					encrypt,
					agentid: WECOM_SEED.agentId,
				});
			}
			expect(built.query.timestamp).toMatch(/^\d{10}$/);
			expect(built.query.nonce).toMatch(/^\d+$/);
			const decrypted = wecomCrypto.verifyAndDecrypt({
				signature: built.query.msg_signature,
				timestamp: built.query.timestamp,
				nonce: built.query.nonce,
				encrypt,
			});
			expect(decrypted).toEqual({ message: APPROVAL_XML, receiverId: WECOM_SEED.corpId });
		}
	});

	it('build a DingTalk event that decrypts to the event with the AppKey as receiver', () => {
		const event = { EventType: 'user_add_org', UserId: ['zhangsan'], CorpId: DINGTALK_SEED.corpId };
		const built = buildDingTalkCallback({
			token: DINGTALK_SEED.callbackToken,
			aesKey: DINGTALK_SEED.aesKey,
			receiverId: DINGTALK_SEED.appKey,
			payload: event,
		});
		expect(built.query.timestamp).toMatch(/^\d{13}$/);
		const decrypted = dingCrypto.verifyAndDecrypt({
			signature: built.query.msg_signature,
			timestamp: built.query.timestamp,
			nonce: built.query.nonce,
			encrypt: JSON.parse(built.body).encrypt,
		});
		expect(JSON.parse(decrypted.message)).toEqual(event);
	});
});

/** A receiver that does what a correct trigger does: verify, decrypt, answer. */
async function startReceiver(): Promise<{ server: Server; url: string; seen: IncomingMessage[] }> {
	const seen: IncomingMessage[] = [];
	const server = createServer((req, res) => {
		seen.push(req);
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const url = new URL(req.url ?? '/', 'http://127.0.0.1');
			const q = Object.fromEntries(url.searchParams);
			const body = Buffer.concat(chunks).toString('utf8');
			const isDing = url.pathname === '/ding';
			const encrypt =
				req.method === 'GET'
					? q.echostr
					: isDing || req.headers['content-type'] === 'application/json'
						? JSON.parse(body).encrypt
						: /<Encrypt><!\[CDATA\[(.*)\]\]><\/Encrypt>/.exec(body)?.[1];
			try {
				const { message } = (isDing ? dingCrypto : wecomCrypto).verifyAndDecrypt({
					signature: q.msg_signature,
					timestamp: q.timestamp,
					nonce: q.nonce,
					encrypt,
				});
				res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(message);
			} catch (error) {
				res.writeHead(403).end(String((error as { code?: number }).code));
			}
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('sendCallback', () => {
	let receiver: Awaited<ReturnType<typeof startReceiver>>;

	beforeAll(async () => {
		receiver = await startReceiver();
	});

	afterAll(async () => {
		await new Promise((resolve) => receiver.server.close(resolve));
	});

	const built = () =>
		buildWeComCallback({
			token: WECOM_SEED.callbackToken,
			encodingAesKey: WECOM_SEED.encodingAesKey,
			corpId: WECOM_SEED.corpId,
			agentId: WECOM_SEED.agentId,
			payloadXml: APPROVAL_XML,
		});

	it('POSTs the envelope with the signed query and content type', async () => {
		const res = await sendCallback(`${receiver.url}/hook?keep=1`, built());
		expect(res.status).toBe(200);
		expect(res.body).toBe(APPROVAL_XML);
		const req = receiver.seen.at(-1);
		expect(req?.method).toBe('POST');
		expect(req?.headers['content-type']).toBe('text/xml');
		expect(new URL(req?.url ?? '', 'http://x').searchParams.get('keep')).toBe('1');
	});

	it('sends the URL verification as a GET the receiver can answer', async () => {
		const verification = buildWeComUrlVerification({
			token: WECOM_SEED.callbackToken,
			encodingAesKey: WECOM_SEED.encodingAesKey,
			corpId: WECOM_SEED.corpId,
		});
		expect(verification.echo).toMatch(/^\d{19}$/);
		const res = await sendCallback(`${receiver.url}/hook`, verification);
		expect(receiver.seen.at(-1)?.method).toBe('GET');
		expect(res).toMatchObject({ status: 200, body: verification.echo });
	});

	it.each(['signature', 'timestamp', 'nonce', 'body'] as const)(
		'tamper "%s" makes the signature check fail',
		async (tamper) => {
			const message = built();
			expect((await sendCallback(`${receiver.url}/hook`, message)).status).toBe(200);
			const res = await sendCallback(`${receiver.url}/hook`, message, { tamper });
			expect(res).toMatchObject({ status: 403, body: '-40001' });
		},
	);

	it('tamper "body" on a URL verification alters echostr', async () => {
		const verification = buildWeComUrlVerification({
			token: WECOM_SEED.callbackToken,
			encodingAesKey: WECOM_SEED.encodingAesKey,
			corpId: WECOM_SEED.corpId,
		});
		const res = await sendCallback(`${receiver.url}/hook`, verification, { tamper: 'body' });
		expect(res).toMatchObject({ status: 403, body: '-40001' });
	});

	it('tamper "body" on a JSON envelope alters encrypt', async () => {
		const json = buildWeComCallback({
			token: WECOM_SEED.callbackToken,
			encodingAesKey: WECOM_SEED.encodingAesKey,
			corpId: WECOM_SEED.corpId,
			payloadXml: APPROVAL_XML,
			format: 'json',
		});
		expect((await sendCallback(`${receiver.url}/hook`, json)).status).toBe(200);
		expect((await sendCallback(`${receiver.url}/hook`, json, { tamper: 'body' })).status).toBe(403);
	});

	it('refuses any host but 127.0.0.1', async () => {
		await expect(sendCallback('http://localhost:1/hook', built())).rejects.toThrow(
			/127\.0\.0\.1 only/,
		);
		await expect(sendCallback('https://127.0.0.1:1/hook', built())).rejects.toThrow(
			/127\.0\.0\.1 only/,
		);
		await expect(sendCallback('http://example.com/hook', built())).rejects.toThrow(
			/127\.0\.0\.1 only/,
		);
	});

	it('emulator.sendWeComCallback / sendDingTalkCallback use the seeded apps', async () => {
		const emulator = await ApiEmulator.start();
		try {
			const wecomRes = await emulator.sendWeComCallback(`${receiver.url}/hook`, APPROVAL_XML);
			expect(wecomRes).toMatchObject({ status: 200, body: APPROVAL_XML });
			const tampered = await emulator.sendWeComCallback(`${receiver.url}/hook`, APPROVAL_XML, {
				tamper: 'nonce',
			});
			expect(tampered.status).toBe(403);
			const dingRes = await emulator.sendDingTalkCallback(`${receiver.url}/ding`, {
				EventType: 'check_url',
			});
			expect(dingRes).toMatchObject({ status: 200, body: '{"EventType":"check_url"}' });
		} finally {
			await emulator.stop();
		}
	});
});
