import { createHash } from 'node:crypto';

export interface RateRule {
	/** Sends allowed in any window. */
	limit: number;
	windowMs: number;
	/** Added to every wait: the platform's clock and its counting granularity are not ours. */
	marginMs: number;
}

interface Slot {
	/** When the send ended (or began, while it is still under way). */
	at: number;
	done: boolean;
}

interface Window {
	slots: Slot[];
	/** Set when the platform refused a send for going too fast: nothing goes out before this. */
	blockedUntil: number;
}

export interface Reservation {
	/** Records that the send is over; from then on its slot ages out of the window. */
	complete(): void;
}

export type Wait = (ms: number) => Promise<void>;

/** How often a full window of sends that are all still under way is looked at again. */
const BUSY_POLL_MS = 500;

/**
 * Sliding windows of sends per target (one robot), kept in the memory of this process. A send takes a slot before it
 * starts and gives its end time back when done; the next send waits until fewer than `limit` slots lie within the
 * window. Counting from the end of each send keeps the rule on the platform's side too: the platform saw the send
 * somewhere between our start and our end, so `limit` sends can never fall within one of its windows.
 *
 * Targets are kept as hashes: the map never holds a webhook key or token.
 */
export class SlidingWindows {
	private readonly windows = new Map<string, Window>();

	constructor(readonly rule: RateRule) {}

	/**
	 * Waits until a send to `target` fits the window, then takes its slot. With `counted` false the call only waits
	 * out a block (a helper call, such as an upload, that the platform does not count as a message).
	 */
	async reserve(
		target: string,
		wait: Wait,
		counted = true,
		now: () => number = Date.now,
	): Promise<Reservation> {
		const id = hashOf(target);
		for (;;) {
			const t = now();
			const window = this.prune(id, t);
			if (window.blockedUntil > t) {
				await wait(window.blockedUntil - t);
				continue;
			}
			if (!counted) return { complete: () => undefined };
			if (window.slots.length < this.rule.limit) {
				const slot: Slot = { at: t, done: false };
				window.slots.push(slot);
				return {
					complete: () => {
						slot.at = now();
						slot.done = true;
					},
				};
			}
			const ended = window.slots.filter((s) => s.done).map((s) => s.at);
			const frees = ended.length
				? Math.min(...ended) + this.rule.windowMs + this.rule.marginMs
				: t + BUSY_POLL_MS;
			await wait(Math.max(frees - t, 1));
		}
	}

	/** The platform said the target's window is full (sends from elsewhere count too): hold every send for `ms`. */
	block(target: string, ms: number, now: () => number = Date.now): void {
		const id = hashOf(target);
		const window = this.windowOf(id);
		window.blockedUntil = Math.max(window.blockedUntil, now() + ms);
	}

	/** Number of targets with recent sends (the memory this keeps). */
	get size(): number {
		return this.windows.size;
	}

	private windowOf(id: string): Window {
		let window = this.windows.get(id);
		if (!window) {
			window = { slots: [], blockedUntil: 0 };
			this.windows.set(id, window);
		}
		return window;
	}

	private prune(id: string, t: number): Window {
		const horizon = this.rule.windowMs + this.rule.marginMs;
		for (const [key, window] of this.windows) {
			window.slots = window.slots.filter((s) => !s.done || s.at + horizon > t);
			if (key !== id && window.slots.length === 0 && window.blockedUntil <= t) {
				this.windows.delete(key);
			}
		}
		return this.windowOf(id);
	}
}

function hashOf(target: string): string {
	return createHash('sha256').update(target).digest('hex');
}
