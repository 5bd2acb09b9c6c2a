import { createHash, createHmac } from 'crypto';

import { weComBaseUrl } from './errors';

/**
 * How the credential stores WeCom's access token: `wct1.<fingerprint>.<issued at, ms>.<token>`. The fingerprint ties
 * the token to the Corp ID, Secret and API Base URL it was fetched with, so a token fetched for other values (an
 * edited Secret, a new Base URL, another company) is never sent with these: it counts as no token at all.
 */
const RECORD_VERSION = 'wct1';

/** Marks an error of the gettoken call itself, whose message already names the URL and the fix. */
export const TOKEN_REQUEST_FAILED = 'weComTokenRequestFailed';

/** Whether an error (or one of its causes) is a failed gettoken. */
export function isTokenRequestFailure(error: unknown, depth = 0): boolean {
	const e = error as Record<string, unknown> | null;
	if (!e || typeof e !== 'object') return false;
	if (e[TOKEN_REQUEST_FAILED] === true) return true;
	return depth < 4 && e.cause !== undefined && isTokenRequestFailure(e.cause, depth + 1);
}

export interface TokenRecord {
	fingerprint: string;
	issuedAt: number;
	token: string;
}

interface TokenInputs {
	corpId?: unknown;
	secret?: unknown;
	baseUrl?: unknown;
}

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : value === undefined ? '' : String(value).trim();
}

/**
 * An HMAC-SHA256 keyed by the Secret over Corp ID and Base URL: equal only for equal values, and it cannot be turned
 * back into the Secret (nor checked against a guess without the Secret).
 */
export function credentialFingerprint(credentials: TokenInputs): string {
	const secret = text(credentials.secret);
	// An empty Secret cannot key an HMAC that means anything; it still must never match a stored token.
	const key = secret || createHash('sha256').update('no secret').digest('hex');
	return createHmac('sha256', key)
		.update(`${text(credentials.corpId)}\n${weComBaseUrl(credentials.baseUrl)}`)
		.digest('base64url')
		.slice(0, 32);
}

export function tokenRecord(credentials: TokenInputs, token: string, issuedAt: number): string {
	return `${RECORD_VERSION}.${credentialFingerprint(credentials)}.${issuedAt}.${token}`;
}

export function parseTokenRecord(value: unknown): TokenRecord | undefined {
	if (typeof value !== 'string') return undefined;
	const parts = value.split('.');
	if (parts.length < 4 || parts[0] !== RECORD_VERSION) return undefined;
	const issuedAt = Number(parts[2]);
	const token = parts.slice(3).join('.');
	if (!Number.isFinite(issuedAt) || token === '') return undefined;
	return { fingerprint: parts[1], issuedAt, token };
}

/**
 * The stored token if it was fetched for exactly these credential values (and, with `maxAgeMs`, recently enough);
 * otherwise undefined: the caller must fetch a new one.
 */
export function usableToken(
	credentials: TokenInputs & { accessToken?: unknown },
	now: number,
	maxAgeMs?: number,
): string | undefined {
	const record = parseTokenRecord(credentials.accessToken);
	if (!record || record.fingerprint !== credentialFingerprint(credentials)) return undefined;
	if (
		maxAgeMs !== undefined &&
		!(now - record.issuedAt >= 0 && now - record.issuedAt <= maxAgeMs)
	) {
		return undefined;
	}
	return record.token;
}

/** The raw token inside a stored record (for redaction), or the value itself when it is not a record. */
export function rawToken(value: unknown): string | undefined {
	return parseTokenRecord(value)?.token ?? (typeof value === 'string' ? value : undefined);
}
