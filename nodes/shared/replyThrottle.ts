// Updates of a reply that is being written (a DingTalk AI card, a WeCom stream reply): at most one request in flight
// and one every `intervalMs`; a newer text replaces one not yet sent (latest wins: every update carries the whole
// text so far); a refusal for going too fast backs off (doubling up to `maxBackoffMs`) and the latest text goes out
// afterwards. Nothing here knows the platform: `send` does the request, `isThrottled` reads its refusal.
import { sleep } from 'n8n-workflow';

export interface ReplyThrottleOptions<T> {
	send(update: T): Promise<void>;
	/** True for a refusal that means "slower" (HTTP 429, QPS limits): wait and try the latest again. */
	isThrottled(error: unknown): boolean;
	/** Least time between two requests' starts; DingTalk peers use ~300 ms (practice, not a published limit). */
	intervalMs?: number;
	/** First back-off after a throttling refusal; it doubles on each further one. */
	backoffMs?: number;
	maxBackoffMs?: number;
	/** Other failures are reported here and dropped: a lost intermediate update is repaired by the next one. */
	onError?(error: unknown): void;
	now?: () => number;
	wait?: (ms: number) => Promise<void>;
}

export interface ReplyThrottleStats {
	/** update() calls. */
	offered: number;
	/** Requests that succeeded. */
	sent: number;
	/** Texts replaced by a newer one before they went out. */
	superseded: number;
	/** Throttling refusals (each followed by a back-off). */
	throttled: number;
	/** Other failures. */
	failed: number;
}

export class ReplyThrottle<T> {
	readonly stats: ReplyThrottleStats = {
		offered: 0,
		sent: 0,
		superseded: 0,
		throttled: 0,
		failed: 0,
	};

	private pending: { update: T } | undefined;

	private running: Promise<void> | undefined;

	private lastStart = Number.NEGATIVE_INFINITY;

	private backoff = 0;

	private closed = false;

	private readonly intervalMs: number;

	private readonly backoffMs: number;

	private readonly maxBackoffMs: number;

	private readonly now: () => number;

	private readonly wait: (ms: number) => Promise<void>;

	constructor(private readonly options: ReplyThrottleOptions<T>) {
		this.intervalMs = Math.max(0, options.intervalMs ?? 300);
		this.backoffMs = Math.max(1, options.backoffMs ?? 1000);
		this.maxBackoffMs = Math.max(this.backoffMs, options.maxBackoffMs ?? 8000);
		this.now = options.now ?? Date.now;
		this.wait = options.wait ?? (async (ms) => await sleep(ms));
	}

	/** Offers the newest state; returns at once. Ignored once closed. */
	update(update: T): void {
		if (this.closed) return;
		this.stats.offered++;
		if (this.pending) this.stats.superseded++;
		this.pending = { update };
		this.running ??= this.loop().finally(() => {
			this.running = undefined;
		});
	}

	/** Resolves once what was offered so far has gone out (or failed for good). */
	async flush(): Promise<void> {
		while (this.running) await this.running;
	}

	/** Drops what has not gone out and waits for a request in flight: after this, nothing more is sent. */
	async close(): Promise<void> {
		this.closed = true;
		if (this.pending) this.stats.superseded++;
		this.pending = undefined;
		await this.flush();
	}

	get isClosed(): boolean {
		return this.closed;
	}

	private async loop(): Promise<void> {
		while (this.pending && !this.closed) {
			const due = this.lastStart + Math.max(this.intervalMs, this.backoff);
			const delay = due - this.now();
			if (delay > 0) {
				await this.wait(delay);
				continue;
			}
			const { update } = this.pending;
			this.pending = undefined;
			this.lastStart = this.now();
			try {
				await this.options.send(update);
				this.stats.sent++;
				this.backoff = 0;
			} catch (error) {
				if (this.options.isThrottled(error)) {
					this.stats.throttled++;
					this.backoff = this.backoff
						? Math.min(this.backoff * 2, this.maxBackoffMs)
						: this.backoffMs;
					// The refused text is still the newest unless a newer one came meanwhile.
					this.pending ??= { update };
				} else {
					this.stats.failed++;
					this.options.onError?.(error);
				}
			}
		}
	}
}
