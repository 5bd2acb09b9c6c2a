// What a webhook trigger derives from its credential (e.g. a callback crypto), kept between requests.
//
// Why: in n8n 2.x every `getCredentials` of a webhook acquires an expression isolate of its own
// (CredentialsHelper.applyDefaultsAndOverwrites), which under the default `vm` engine is a fresh
// isolate: as much again as everything else n8n spends on a callback. A trigger that reads its
// credential on every request therefore costs about twice an empty trigger, and garbage from the
// internet can make n8n build isolates at will. Kept here, the credential is read once per `ttlMs`;
// a value that fails in a way a changed credential explains (a new Token) is reloaded at once, but at
// most once per `retryCooldownMs`, so a flood of forged requests cannot turn into a flood of reads.
import type { INode, IWebhookFunctions } from 'n8n-workflow';

export interface CredentialCacheOptions {
	/** How long a value is used before the credential is read again (a rotation takes effect within it). */
	ttlMs: number;
	/** The shortest time between two reloads forced by failures. */
	retryCooldownMs: number;
	/** Entries kept at most (one per workflow, node and credential). */
	maxEntries: number;
}

export interface CachedValue<T> {
	value: T;
	/** True when the value came from an earlier read (it may be stale). */
	fromCache: boolean;
}

interface Entry<T> {
	value: Promise<T>;
	loadedAt: number;
	lastRetryAt: number;
}

export class CredentialCache<T> {
	private readonly entries = new Map<string, Entry<T>>();

	constructor(private readonly options: CredentialCacheOptions) {}

	get size(): number {
		return this.entries.size;
	}

	/**
	 * The value for `key`, loaded when absent or older than the TTL. `fresh` always loads (and keeps the
	 * result for the requests that follow). Concurrent requests share one load.
	 */
	async get(
		key: string,
		load: () => Promise<T>,
		now: number,
		fresh = false,
	): Promise<CachedValue<T>> {
		const entry = this.entries.get(key);
		if (!fresh && entry !== undefined && now - entry.loadedAt < this.options.ttlMs) {
			return { value: await entry.value, fromCache: true };
		}
		const value = this.load(key, load, now, entry?.lastRetryAt ?? Number.NEGATIVE_INFINITY);
		return { value: await value, fromCache: false };
	}

	/**
	 * A fresh value after a cached one failed; undefined while the cooldown since the previous forced
	 * reload of this key runs.
	 */
	async reload(key: string, load: () => Promise<T>, now: number): Promise<T | undefined> {
		const entry = this.entries.get(key);
		if (entry !== undefined && now - entry.lastRetryAt < this.options.retryCooldownMs) {
			return undefined;
		}
		return await this.load(key, load, now, now);
	}

	clear(): void {
		this.entries.clear();
	}

	private load(key: string, load: () => Promise<T>, now: number, lastRetryAt: number): Promise<T> {
		const value = load();
		this.entries.delete(key);
		this.entries.set(key, { value, loadedAt: now, lastRetryAt });
		// A read that failed is not kept: the next request tries again.
		value.catch(() => {
			if (this.entries.get(key)?.value === value) this.entries.delete(key);
		});
		for (const oldest of this.entries.keys()) {
			if (this.entries.size <= this.options.maxEntries) break;
			this.entries.delete(oldest);
		}
		return value;
	}
}

/**
 * The cache key of a trigger node's credential: per workflow and node, so that n8n's own checks on
 * who may use a credential ran for every place that uses the cached value.
 */
export function credentialCacheKey(
	context: IWebhookFunctions,
	credentialType: string,
	node: INode = context.getNode(),
): string {
	const reference = node.credentials?.[credentialType];
	return JSON.stringify([
		context.getWorkflow().id ?? '',
		node.id ?? node.name,
		credentialType,
		reference?.id ?? reference?.name ?? '',
	]);
}
