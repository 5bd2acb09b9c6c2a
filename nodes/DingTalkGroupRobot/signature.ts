import { createHmac } from 'node:crypto';

/** DingTalk accepts a signed request within one hour of its timestamp (either way). */
export const SIGNATURE_WINDOW_MS = 60 * 60 * 1000;

/**
 * 加签: base64(HMAC-SHA256(key = secret, data = `${timestamp}\n${secret}`)), timestamp in milliseconds. Returned as
 * plain base64: it goes into the query string, which the HTTP client URL-encodes once (as DingTalk expects); encoding
 * it here as well would send `%252B` for `+` and fail with "sign not match".
 */
export function robotSignature(secret: string, timestamp: number): string {
	return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

/** The Signing Secret as DingTalk shows it (`SEC` + 64 hex digits), or an Error naming the problem. */
export function checkSigningSecret(raw: unknown): string {
	const secret = typeof raw === 'string' ? raw.trim() : '';
	if (!/^SEC[0-9A-Za-z]+$/.test(secret)) {
		throw new Error(
			'Signing Secret (加签) must be the value DingTalk shows under the robot\'s security settings: it starts with "SEC" and has no spaces',
		);
	}
	return secret;
}

/** The query parameters of a signed request. */
export function signedQuery(secret: string, now: number): { timestamp: string; sign: string } {
	return { timestamp: String(now), sign: robotSignature(secret, now) };
}
