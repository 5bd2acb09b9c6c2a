import { createHash, randomBytes } from 'crypto';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { credentialFingerprint, type TokenOwner } from './accessToken';

// JS-SDK tickets (jsapi_ticket) of both platforms: a page's wx.config / wx.agentConfig / dd.config is signed with one.
// A ticket lives 7200 s and fetching one is tightly rate-limited (WeCom: 400 an hour per company, 100 per app), so a
// ticket is fetched once and shared by every item, execution and workflow of this n8n process that uses the same
// credential values; it is fetched again when it nears its end or when the user forces it (a page reported an
// invalid signature). The cache key is a one-way digest of those values: no secret is kept here.

/** A ticket is reused until this share of its lifetime has passed: a page signed with it still has minutes to load. */
export const TICKET_REUSE_SHARE = 0.9;

/** A forced refresh within this long after the last fetch reuses that fetch: a burst cannot spend the hourly quota. */
export const FORCED_REFRESH_COOLDOWN_MS = 60_000;

/** Tickets kept at most (one per credential and ticket kind). */
const MAX_TICKETS = 500;

export interface FetchedTicket {
	ticket: string;
	/** `expires_in` as the platform gave it. */
	expiresInSeconds: number;
}

export interface CachedTicket {
	ticket: string;
	/** When the platform will stop accepting signatures made with this ticket (ms since the epoch). */
	expiresAt: number;
	fromCache: boolean;
}

interface Entry {
	value: Promise<{ ticket: string; fetchedAt: number; expiresAt: number }>;
	fetchedAt: number;
}

const tickets = new Map<string, Entry>();

/**
 * The cache key of a ticket: the platform, the ticket kind and a digest (keyed by the secret, as the access token's) of
 * the app the token is issued for and every other value that obtains the ticket (agent, the ticket's host).
 */
export function ticketCacheKey(
	platform: string,
	kind: string,
	owner: TokenOwner,
	...otherValues: unknown[]
): string {
	const appId = [owner.appId, ...otherValues].map((v) => String(v ?? '').trim()).join('\n');
	return `${platform}.${kind}.${credentialFingerprint({ ...owner, appId })}`;
}

function usable(expiresAt: number, fetchedAt: number, now: number): boolean {
	return now < fetchedAt + (expiresAt - fetchedAt) * TICKET_REUSE_SHARE;
}

/**
 * The ticket for `key`: the cached one while it is young enough, else a fresh one from `fetch`. Concurrent callers
 * share one fetch; a failed fetch is forgotten. `force` fetches again unless the last fetch is under a minute old.
 */
export async function cachedTicket(
	key: string,
	fetch: () => Promise<FetchedTicket>,
	options: { now?: number; force?: boolean } = {},
): Promise<CachedTicket> {
	const now = options.now ?? Date.now();
	const entry = tickets.get(key);
	if (entry) {
		const cooling = options.force && now - entry.fetchedAt < FORCED_REFRESH_COOLDOWN_MS;
		try {
			const held = await entry.value;
			if ((!options.force || cooling) && usable(held.expiresAt, held.fetchedAt, now)) {
				return { ticket: held.ticket, expiresAt: held.expiresAt, fromCache: true };
			}
		} catch {
			// That fetch failed (and is being forgotten): fetch below.
		}
		// Another caller may have started the next fetch while this one waited.
		const latest = tickets.get(key);
		if (latest && latest !== entry) {
			const held = await latest.value;
			return { ticket: held.ticket, expiresAt: held.expiresAt, fromCache: true };
		}
	}
	const value = fetch().then((fetched) => {
		const ticket = String(fetched.ticket ?? '');
		const seconds = Number(fetched.expiresInSeconds);
		return {
			ticket,
			fetchedAt: now,
			expiresAt: now + (Number.isFinite(seconds) && seconds > 0 ? seconds : 7200) * 1000,
		};
	});
	const fresh: Entry = { value, fetchedAt: now };
	tickets.delete(key);
	tickets.set(key, fresh);
	value.catch(() => {
		if (tickets.get(key) === fresh) tickets.delete(key);
	});
	for (const oldest of tickets.keys()) {
		if (tickets.size <= MAX_TICKETS) break;
		tickets.delete(oldest);
	}
	const held = await value;
	return { ticket: held.ticket, expiresAt: held.expiresAt, fromCache: false };
}

/** Forgets every cached ticket (tests; a process that wants a clean start). */
export function clearTicketCache(): void {
	tickets.clear();
}

/** The ticket and its lifetime from a ticket endpoint's answer; fails when the answer has no ticket. */
export function ticketFromAnswer(answer: IDataObject, path: string): FetchedTicket {
	const ticket = answer.ticket;
	if (typeof ticket !== 'string' || ticket === '') {
		throw new Error(`${path} answered without a ticket`);
	}
	return { ticket, expiresInSeconds: Number(answer.expires_in ?? 7200) };
}

export type SignatureAlgorithm = 'sha1' | 'sha256';

/**
 * The JS-SDK signature both platforms use: the hex digest of `jsapi_ticket=…&noncestr=…&timestamp=…&url=…`, the
 * values raw (no URL encoding), the keys in this order.
 */
export function jsapiSignature(
	ticket: string,
	nonceStr: string,
	timestamp: string | number,
	url: string,
	algorithm: SignatureAlgorithm = 'sha1',
): string {
	return createHash(algorithm)
		.update(`jsapi_ticket=${ticket}&noncestr=${nonceStr}&timestamp=${timestamp}&url=${url}`, 'utf8')
		.digest('hex');
}

/** The page URL as it is signed: without `#` and what follows it. */
export function withoutFragment(url: string): string {
	const hash = url.indexOf('#');
	return hash === -1 ? url : url.slice(0, hash);
}

/** 16 letters and digits, as the platforms' samples use. */
export function newNonce(): string {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	return [...randomBytes(16)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

/** The fields every signature operation shows: the page URL, then the optional ones. */
export function signatureProperties(
	pageDescription: string,
	extraOptions: INodeProperties[] = [],
): INodeProperties[] {
	return [
		{
			displayName: 'Page URL',
			name: 'pageUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://app.example.com/h5/index.html?from=menu',
			description: pageDescription,
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				{
					displayName: 'Force Ticket Refresh',
					name: 'forceRefresh',
					type: 'boolean',
					default: false,
					description:
						'Whether to fetch a new ticket instead of the cached one. Use it only when a page reports an invalid signature although the URL matches (another system may have renewed the ticket); tickets are rate-limited, so a refresh within a minute of the last fetch reuses that fetch.',
				},
				{
					displayName: 'Nonce String',
					name: 'nonceStr',
					type: 'string',
					default: '',
					description: 'The random string to sign with; empty makes a new one for every item',
				},
				{
					displayName: 'Timestamp',
					name: 'timestamp',
					type: 'number',
					default: 0,
					description:
						'The time to sign with, in seconds since 1970; 0 means now. The page must pass the same value.',
				},
				...extraOptions,
			],
		},
	];
}

export interface SignatureInputs {
	url: string;
	nonceStr: string;
	timestamp: number;
	forceRefresh: boolean;
	options: IDataObject;
}

/** Reads and checks the fields of `signatureProperties`. */
export function readSignatureInputs(this: IExecuteFunctions, itemIndex: number): SignatureInputs {
	const raw = String(this.getNodeParameter('pageUrl', itemIndex, '') ?? '').trim();
	const fail = (message: string): never => {
		throw new NodeOperationError(this.getNode(), message, { itemIndex });
	};
	if (raw === '') fail('Page URL is empty: enter the URL of the page that calls the JS-SDK');
	if (!/^https?:\/\/[^\s/?#]+[^\s]*$/i.test(raw)) {
		fail(
			`Page URL "${raw.slice(0, 120)}" is not an http(s) URL: give the full address of the page, e.g. location.href on the page`,
		);
	}
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const nonceStr = String(options.nonceStr ?? '').trim() || newNonce();
	if (!/^[A-Za-z0-9_-]{1,64}$/.test(nonceStr)) {
		fail('Nonce String: use 1 to 64 letters, digits, "-" or "_"');
	}
	const given = Number(options.timestamp ?? 0);
	if (!Number.isInteger(given) || given < 0) {
		fail('Timestamp: give whole seconds since 1970, or 0 for now');
	}
	return {
		url: withoutFragment(raw),
		nonceStr,
		timestamp: given || Math.floor(Date.now() / 1000),
		forceRefresh: options.forceRefresh === true,
		options,
	};
}
