import { createHash, createHmac } from 'crypto';
import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

/**
 * How a credential stores a platform's access token: `tok1.<fingerprint>.<issued at, ms>.<token>`. The fingerprint
 * ties the token to the app id, secret and token host it was fetched with, so a token fetched for other values (an
 * edited secret, a new host, another company) is never sent with these: it counts as no token at all. Both platforms
 * store their tokens this way.
 */
const RECORD_VERSION = 'tok1';

/** What a token is issued for: the app's id (WeCom Corp ID, DingTalk Client ID), its secret and the token host. */
export interface TokenOwner {
	appId: unknown;
	secret: unknown;
	/** The normalised base URL the token was fetched from. */
	host: string;
}

export interface TokenRecord {
	fingerprint: string;
	issuedAt: number;
	token: string;
}

/** Marks an error of the token request itself, whose message already names the URL and the fix. */
export const TOKEN_REQUEST_FAILED = 'tokenRequestFailed';

/** Whether an error (or one of its causes) is a failed token request. */
export function isTokenRequestFailure(error: unknown, depth = 0): boolean {
	const e = error as Record<string, unknown> | null;
	if (!e || typeof e !== 'object') return false;
	if (e[TOKEN_REQUEST_FAILED] === true) return true;
	return depth < 4 && e.cause !== undefined && isTokenRequestFailure(e.cause, depth + 1);
}

function text(value: unknown): string {
	return typeof value === 'string' ? value.trim() : value === undefined ? '' : String(value).trim();
}

/**
 * An HMAC-SHA256 keyed by the secret over app id and host: equal only for equal values, and it cannot be turned back
 * into the secret (nor checked against a guess without the secret).
 */
export function credentialFingerprint(owner: TokenOwner): string {
	const secret = text(owner.secret);
	// An empty secret cannot key an HMAC that means anything; it still must never match a stored token.
	const key = secret || createHash('sha256').update('no secret').digest('hex');
	return createHmac('sha256', key)
		.update(`${text(owner.appId)}\n${owner.host}`)
		.digest('base64url')
		.slice(0, 32);
}

export function tokenRecord(owner: TokenOwner, token: string, issuedAt: number): string {
	return `${RECORD_VERSION}.${credentialFingerprint(owner)}.${issuedAt}.${token}`;
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
	owner: TokenOwner,
	stored: unknown,
	now: number,
	maxAgeMs?: number,
): string | undefined {
	const record = parseTokenRecord(stored);
	if (!record || record.fingerprint !== credentialFingerprint(owner)) return undefined;
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

/** Marks the credential test's request: `authenticate` then insists on a token fetched for this very test. */
export const CREDENTIAL_TEST_HEADER = 'x-n8n-credential-test';

/** How old a token the credential test accepts: the one fetched a moment ago, never a stored one. */
const FRESH_TOKEN_MS = 60_000;

/**
 * For a credential's `authenticate`: the token to send and the request without the test marker — but only a token
 * fetched for exactly these values (and, for the credential test, one fetched just now). Any other counts as no token:
 * the request fails as "token expired" (HTTP 401) before it is sent, which makes n8n run preAuthentication with the
 * values at hand, store the new token and send the request again. n8n's credential test would otherwise reuse a stored
 * token (it runs preAuthentication only when the token is empty).
 */
export function tokenForRequest(
	owner: TokenOwner,
	stored: unknown,
	requestOptions: IHttpRequestOptions,
): { token: string; headers: IDataObject } {
	const headers = { ...(requestOptions.headers ?? {}) } as IDataObject;
	const testing = Object.keys(headers).some((name) => {
		if (name.toLowerCase() !== CREDENTIAL_TEST_HEADER) return false;
		delete headers[name];
		return true;
	});
	const token = usableToken(owner, stored, Date.now(), testing ? FRESH_TOKEN_MS : undefined);
	if (token === undefined) {
		throw Object.assign(
			new Error(
				'The stored access token was not fetched for these credential values: fetching a new one',
			),
			{ response: { status: 401 } },
		);
	}
	return { token, headers };
}

/**
 * What a forced refresh (the platform reported the token dead inside an HTTP 200) adds to the credential data it hands
 * to n8n next to the blanked token (`TokenRefusal`). n8n stores only what preAuthentication returns, so it is never
 * saved.
 */
export const TOKEN_REFUSAL_FIELD = 'tokenRefusal';

/** The refused attempt: when it began (ms), and the stored token record the call started with ('' when none). */
export interface TokenRefusal {
	since: number;
	token: string;
}

/** How long a token this process fetched serves callers that come without it (see fetchTokenOnce). */
const SHARED_TOKEN_MS = 60_000;

/** Fingerprints kept at most: one per credential values in use, so a handful. */
const MAX_SHARED = 64;

interface SharedToken {
	/** The fetch under way, joined by every caller for the same values. */
	pending?: Promise<string>;
	/** The last record fetched for these values, and when. */
	record?: string;
	fetchedAt: number;
}

const sharedTokens = new Map<string, SharedToken>();

/**
 * A token record for these credential values, fetched at most once per process for concurrent callers.
 *
 * Why: n8n runs preAuthentication for every execution whose credential holds no valid token, and a worker that starts
 * ten executions at once reads the empty token ten times before the first new one is stored — ten token requests
 * (WeCom and DingTalk rate-limit gettoken). Here the first caller fetches; callers arriving meanwhile wait for that
 * fetch; callers arriving up to a minute later (they read the credential before the new token was stored) get the
 * same record — unless it is the token they found dead (n8n's retry after a 401, or a forced refresh: see
 * isAnotherToken): then one new fetch replaces it.
 */
export async function fetchTokenOnce(
	owner: TokenOwner,
	credentials: IDataObject,
	fetch: () => Promise<string>,
	now: () => number = Date.now,
): Promise<string> {
	const fingerprint = credentialFingerprint(owner);
	const entry = sharedTokens.get(fingerprint);
	if (entry?.pending) return await entry.pending;
	if (
		entry?.record !== undefined &&
		now() - entry.fetchedAt >= 0 &&
		now() - entry.fetchedAt <= SHARED_TOKEN_MS &&
		isAnotherToken(entry, credentials, fingerprint)
	) {
		return entry.record;
	}
	const pending = fetch();
	const current: SharedToken = { ...entry, pending, fetchedAt: entry?.fetchedAt ?? 0 };
	sharedTokens.delete(fingerprint);
	sharedTokens.set(fingerprint, current);
	for (const oldest of sharedTokens.keys()) {
		if (sharedTokens.size <= MAX_SHARED) break;
		sharedTokens.delete(oldest);
	}
	let record: string | undefined;
	try {
		record = await pending;
		return record;
	} finally {
		// Kept for the callers that follow; a refusal is not kept: the next caller asks again (the secret may have been
		// fixed meanwhile).
		if (sharedTokens.get(fingerprint) === current) {
			if (record === undefined) sharedTokens.delete(fingerprint);
			else sharedTokens.set(fingerprint, { record, fetchedAt: now() });
		}
	}
}

/** Whether the shared token is not the one the caller found dead. */
function isAnotherToken(
	entry: SharedToken,
	credentials: IDataObject,
	fingerprint: string,
): boolean {
	const shared = parseTokenRecord(entry.record);
	if (!shared) return false;
	// n8n's own retry after a 401 comes with the token it just used.
	if (shared.token === rawToken(credentials.accessToken)) return false;
	const refusal = credentials[TOKEN_REFUSAL_FIELD] as Partial<TokenRefusal> | undefined;
	if (refusal === undefined) return true;
	// A forced refresh: the shared token is another one when it differs from, and is not older than, the token the
	// refused call started with — even if that call read the credential after the shared token was fetched but before
	// n8n stored it. A call that started without a token of these values (n8n fetched one for it) tells by time
	// instead: only a token fetched after the refused attempt began is another one.
	const refused = parseTokenRecord(refusal.token);
	if (refused?.fingerprint === fingerprint) {
		return shared.token !== refused.token && shared.issuedAt >= refused.issuedAt;
	}
	return entry.fetchedAt > Number(refusal.since);
}

/** Forgets what fetchTokenOnce shares: for tests, whose emulators reuse ports and secrets. */
export function forgetSharedTokens(): void {
	sharedTokens.clear();
}
