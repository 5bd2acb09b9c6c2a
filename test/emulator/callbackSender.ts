/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// Builds callbacks the way WeCom and DingTalk send them (encrypted, signed) and delivers them to
// the code under test over real HTTP, optionally tampered with to prove the receiver checks.
import { randomInt } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';

import { CallbackCrypto } from '../../nodes/shared/callbackCrypto';

export interface BuiltCallback {
	method?: 'GET' | 'POST';
	query: Record<string, string>;
	body?: string;
	contentType?: string;
	/** Headers the platform signs with (DingTalk's robot messages in HTTP mode: timestamp and sign). */
	headers?: Record<string, string>;
}

export type Tamper = 'signature' | 'timestamp' | 'nonce' | 'body';

export interface SendCallbackOptions {
	/** Default: POST when there is a body, GET otherwise. */
	method?: string;
	/** Alters one signed part after signing, so that a correct receiver must reject the request. */
	tamper?: Tamper;
	headers?: Record<string, string>;
}

export interface CallbackResponse {
	status: number;
	headers: IncomingHttpHeaders;
	body: string;
}

interface Stamp {
	timestamp?: string;
	nonce?: string;
	/** The 16-byte random prefix, for byte-exact reproductions. */
	random?: Buffer;
}

export interface WeComUrlVerificationOptions extends Stamp {
	token: string;
	encodingAesKey: string;
	corpId: string;
	/** The plaintext the receiver must answer with; default a random 19-digit number, as WeCom sends. */
	echo?: string;
}

export interface WeComCallbackOptions extends Stamp {
	token: string;
	encodingAesKey: string;
	corpId: string;
	agentId?: number | string;
	payloadXml: string;
	format?: 'xml' | 'json';
}

export interface DingTalkCallbackOptions extends Stamp {
	token: string;
	aesKey: string;
	/** The trailing key: the AppKey (console-configured events), CorpId or suiteKey. */
	receiverId: string;
	/** An event object (serialised as JSON) or the plaintext as is. */
	payload: string | object;
}

function digits(count: number): string {
	let out = String(randomInt(1, 10));
	while (out.length < count) {
		out += String(randomInt(0, 10));
	}
	return out;
}

function alphanumeric(count: number): string {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	return Array.from({ length: count }, () => alphabet[randomInt(alphabet.length)]).join('');
}

function sealed(
	platform: 'wecom' | 'dingtalk',
	token: string,
	key: string,
	receiverId: string,
	plaintext: string,
	stamp: Required<Pick<Stamp, 'timestamp' | 'nonce'>> & Stamp,
) {
	const crypto = new CallbackCrypto({
		platform,
		token,
		encodingAesKey: key,
		receiverIds: [receiverId],
	});
	const encrypt = crypto.encrypt(plaintext, { receiverId, random: stamp.random });
	const signature = crypto.sign(stamp.timestamp, stamp.nonce, encrypt);
	return { encrypt, signature };
}

function wecomStamp(stamp: Stamp) {
	return {
		...stamp,
		timestamp: stamp.timestamp ?? String(Math.floor(Date.now() / 1000)),
		nonce: stamp.nonce ?? digits(10),
	};
}

/** The GET WeCom sends when the callback URL is saved: `{ query, echo }`, echo being the expected answer. */
export function buildWeComUrlVerification(
	opts: WeComUrlVerificationOptions,
): BuiltCallback & { method: 'GET'; echo: string } {
	const stamp = wecomStamp(opts);
	const echo = opts.echo ?? digits(19);
	const { encrypt, signature } = sealed(
		'wecom',
		opts.token,
		opts.encodingAesKey,
		opts.corpId,
		echo,
		stamp,
	);
	return {
		method: 'GET',
		query: {
			msg_signature: signature,
			timestamp: stamp.timestamp,
			nonce: stamp.nonce,
			echostr: encrypt,
		},
		echo,
	};
}

function cdata(value: string): string {
	// A CDATA section cannot hold "]]>": split it across two sections.
	return `<![CDATA[${value.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

export function buildWeComCallback(
	opts: WeComCallbackOptions,
): BuiltCallback & { method: 'POST'; body: string; contentType: string; encrypt: string } {
	const stamp = wecomStamp(opts);
	const { encrypt, signature } = sealed(
		'wecom',
		opts.token,
		opts.encodingAesKey,
		opts.corpId,
		opts.payloadXml,
		stamp,
	);
	const query = { msg_signature: signature, timestamp: stamp.timestamp, nonce: stamp.nonce };
	const agentId = opts.agentId === undefined ? undefined : String(opts.agentId);
	if (opts.format === 'json') {
		const agentid = agentId !== undefined && /^\d+$/.test(agentId) ? Number(agentId) : agentId;
		return {
			method: 'POST',
			query,
			body: JSON.stringify({ tousername: opts.corpId, encrypt, agentid }),
			contentType: 'application/json',
			encrypt,
		};
	}
	const agentXml = agentId === undefined ? '' : `<AgentID>${cdata(agentId)}</AgentID>`;
	return {
		method: 'POST',
		query,
		body: `<xml><ToUserName>${cdata(opts.corpId)}</ToUserName>${agentXml}<Encrypt>${cdata(encrypt)}</Encrypt></xml>`,
		contentType: 'text/xml',
		encrypt,
	};
}

/** DingTalk's HTTP event push: timestamp in milliseconds, body `{"encrypt": ...}`. */
export function buildDingTalkCallback(
	opts: DingTalkCallbackOptions,
): BuiltCallback & { method: 'POST'; body: string; contentType: string; encrypt: string } {
	const stamp = {
		...opts,
		timestamp: opts.timestamp ?? String(Date.now()),
		nonce: opts.nonce ?? alphanumeric(8),
	};
	const plaintext = typeof opts.payload === 'string' ? opts.payload : JSON.stringify(opts.payload);
	const { encrypt, signature } = sealed(
		'dingtalk',
		opts.token,
		opts.aesKey,
		opts.receiverId,
		plaintext,
		stamp,
	);
	return {
		method: 'POST',
		query: { msg_signature: signature, timestamp: stamp.timestamp, nonce: stamp.nonce },
		body: JSON.stringify({ encrypt }),
		contentType: 'application/json',
		encrypt,
	};
}

/** Swaps one base64 character for another: still decodable, no longer what was signed. */
function alterBase64(value: string): string {
	const i = Math.floor(value.length / 2);
	return `${value.slice(0, i)}${value[i] === 'A' ? 'B' : 'A'}${value.slice(i + 1)}`;
}

function tamperBody(built: BuiltCallback, query: Record<string, string>): string | undefined {
	if (built.body === undefined) {
		if (query.echostr === undefined) {
			throw new Error('tamper "body": nothing encrypted to alter');
		}
		query.echostr = alterBase64(query.echostr);
		return undefined;
	}
	try {
		const json = JSON.parse(built.body) as Record<string, unknown>;
		if (typeof json.encrypt === 'string') {
			return JSON.stringify({ ...json, encrypt: alterBase64(json.encrypt) });
		}
	} catch {
		// Not JSON: the XML envelope below.
	}
	const xml = /(<Encrypt><!\[CDATA\[)([^\]]*)(\]\]><\/Encrypt>)/.exec(built.body);
	if (!xml) {
		throw new Error('tamper "body": no encrypt field in the body');
	}
	return built.body.replace(xml[0], `${xml[1]}${alterBase64(xml[2])}${xml[3]}`);
}

function applyTamper(built: BuiltCallback, tamper: Tamper | undefined) {
	const query = { ...built.query };
	let body = built.body;
	switch (tamper) {
		case 'signature': {
			const sig = query.msg_signature ?? '';
			const last = sig.slice(-1);
			query.msg_signature = `${sig.slice(0, -1)}${last === '0' ? '1' : '0'}`;
			break;
		}
		case 'timestamp':
			query.timestamp = String(Number(query.timestamp) + 1);
			break;
		case 'nonce':
			query.nonce = `${query.nonce ?? ''}0`;
			break;
		case 'body':
			body = tamperBody(built, query);
			break;
	}
	return { query, body };
}

/** Sends a built callback to a URL on 127.0.0.1 (nothing else is allowed) and returns the answer. */
export function sendCallback(
	url: string,
	built: BuiltCallback,
	options: SendCallbackOptions = {},
): Promise<CallbackResponse> {
	const target = new URL(url);
	if (target.protocol !== 'http:' || target.hostname !== '127.0.0.1') {
		return Promise.reject(
			new Error(
				`callbacks go to http://127.0.0.1 only, not ${target.protocol}//${target.hostname}`,
			),
		);
	}
	const { query, body } = applyTamper(built, options.tamper);
	for (const [key, value] of Object.entries(query)) {
		target.searchParams.set(key, value);
	}
	const method = options.method ?? built.method ?? (body === undefined ? 'GET' : 'POST');
	const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
	const headers: Record<string, string> = {};
	if (payload) {
		headers['content-type'] = built.contentType ?? 'text/plain';
		headers['content-length'] = String(payload.length);
	}
	Object.assign(headers, built.headers, options.headers);
	return new Promise((resolve, reject) => {
		const req = request(target, { method, headers }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () =>
				resolve({
					status: res.statusCode ?? 0,
					headers: res.headers,
					body: Buffer.concat(chunks).toString('utf8'),
				}),
			);
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(payload);
	});
}
