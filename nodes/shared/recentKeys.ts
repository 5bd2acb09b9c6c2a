/** Keys seen recently, each for its own window; bounded so a flood cannot grow it without limit. */
export class RecentKeys {
	private readonly expiries = new Map<string, number>();

	constructor(readonly maxEntries: number) {}

	get size(): number {
		return this.expiries.size;
	}

	/**
	 * True when `key` was recorded less than its window ago; otherwise records it now and returns
	 * false. Check and record are one synchronous step, so concurrent redeliveries cannot both pass.
	 */
	seen(key: string, windowMs: number, now: number): boolean {
		if (this.has(key, now)) return true;
		this.record(key, windowMs, now);
		return false;
	}

	/** True when `key` was recorded less than its window ago. */
	has(key: string, now: number): boolean {
		const expiry = this.expiries.get(key);
		return expiry !== undefined && expiry > now;
	}

	/** Records `key` for `windowMs` from `now`, replacing an earlier record. */
	record(key: string, windowMs: number, now: number): void {
		// Re-inserting moves the key to the end, so the Map stays ordered by recording time.
		this.expiries.delete(key);
		this.expiries.set(key, now + windowMs);
		this.prune(now);
	}

	/** Drops `key`, so its next arrival passes: for an event that was let through but could not be handed on. */
	forget(key: string): void {
		this.expiries.delete(key);
	}

	clear(): void {
		this.expiries.clear();
	}

	private prune(now: number): void {
		for (const [key, expiry] of this.expiries) {
			// Windows differ between workflows, so the oldest entry need not expire first; stopping at
			// the first live one keeps each call cheap, and the size cap bounds what is left behind.
			if (expiry > now && this.expiries.size <= this.maxEntries) break;
			this.expiries.delete(key);
		}
	}
}
