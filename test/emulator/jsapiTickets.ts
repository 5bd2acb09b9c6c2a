// JS-SDK tickets and login codes as both platforms hand them out, kept beside a plugin's state (a WeakMap, so reset()
// starts clean). Written independently of the nodes: the verifier below is what a page's wx.config / dd.config does.
import { createHash, randomBytes } from 'node:crypto';

export interface TicketBookOptions {
	/** Seconds a ticket lives (expires_in); default 7200. */
	lifetimeSeconds: number;
	/** Tickets one app may fetch per hour before the platform refuses; default 100 (WeCom's per-app limit). */
	perHour: number;
	/** Whether a fetch within a ticket's life renews its expiry (DingTalk) or leaves it (WeCom). */
	renewOnFetch: boolean;
}

interface Ticket {
	ticket: string;
	expiresAt: number;
}

export class TicketBook {
	private readonly current = new Map<string, Ticket>();
	/** Every fetch (kind, time), for rate limits and for tests to count. */
	readonly fetches: Array<{ kind: string; at: number }> = [];
	options: TicketBookOptions;

	constructor(options: Partial<TicketBookOptions> = {}) {
		this.options = { lifetimeSeconds: 7200, perHour: 100, renewOnFetch: false, ...options };
	}

	/** A fetch: the living ticket of this kind, or a new one; 'throttled' past the hourly limit. */
	fetch(kind: string, now: number): { ticket: string; expiresIn: number } | 'throttled' {
		const recent = this.fetches.filter((f) => f.kind === kind && now - f.at < 3_600_000);
		if (recent.length >= this.options.perHour) return 'throttled';
		this.fetches.push({ kind, at: now });
		const lifetimeMs = this.options.lifetimeSeconds * 1000;
		let ticket = this.current.get(kind);
		if (!ticket || ticket.expiresAt <= now) {
			ticket = { ticket: randomBytes(40).toString('base64url'), expiresAt: now + lifetimeMs };
			this.current.set(kind, ticket);
		} else if (this.options.renewOnFetch) {
			ticket.expiresAt = now + lifetimeMs;
		}
		return { ticket: ticket.ticket, expiresIn: Math.round((ticket.expiresAt - now) / 1000) };
	}

	/** Kills the living ticket of a kind at once (the platform renewed it for another caller). */
	invalidate(kind: string): void {
		this.current.delete(kind);
	}

	count(kind: string): number {
		return this.fetches.filter((f) => f.kind === kind).length;
	}

	/**
	 * What the page's JS-SDK checks: the signature was made with the ticket of this kind that is alive now, over
	 * these values. `url` is the page's location without its fragment (and, for DingTalk, with its query decoded).
	 */
	verify(
		kind: string,
		page: { url: string; nonceStr: string; timestamp: string | number; signature: string },
		now: number,
	): boolean {
		const ticket = this.current.get(kind);
		if (!ticket || ticket.expiresAt <= now) return false;
		const plain = `jsapi_ticket=${ticket.ticket}&noncestr=${page.nonceStr}&timestamp=${page.timestamp}&url=${page.url}`;
		const algorithm = page.signature.length === 64 ? 'sha256' : 'sha1';
		return createHash(algorithm).update(plain).digest('hex') === page.signature;
	}
}

export type Redeemed<T> =
	| { ok: true; subject: T }
	| { ok: false; reason: 'unknown' | 'used' | 'expired' };

/** One-use login codes that expire, as both platforms issue them after a login or inside an app page. */
export class CodeBook<T> {
	private readonly codes = new Map<string, { subject: T; expiresAt: number; used: boolean }>();

	issue(subject: T, now: number, lifetimeMs: number): string {
		const code = randomBytes(16).toString('hex');
		this.codes.set(code, { subject, expiresAt: now + lifetimeMs, used: false });
		return code;
	}

	redeem(code: string, now: number): Redeemed<T> {
		const entry = this.codes.get(code);
		if (!entry) return { ok: false, reason: 'unknown' };
		if (entry.used) return { ok: false, reason: 'used' };
		if (now >= entry.expiresAt) return { ok: false, reason: 'expired' };
		entry.used = true;
		return { ok: true, subject: entry.subject };
	}
}

/** A value kept per plugin state, made on first use. */
export function perState<S extends object, V>(make: () => V): (state: S) => V {
	const values = new WeakMap<S, V>();
	return (state) => {
		let value = values.get(state);
		if (value === undefined) {
			value = make();
			values.set(state, value);
		}
		return value;
	};
}
