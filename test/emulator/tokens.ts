import { randomBytes } from 'node:crypto';

import type { Platform, TokenCheck } from './types';

interface IssuedToken {
	platform: Platform;
	appKey: string;
	expiresAt: number;
	/** Set when the token was killed before its time. */
	revoked?: 'invalid' | 'expired';
}

/**
 * Access tokens as both platforms hand them out: one live token per app, returned again while it
 * is valid, and remembered after it dies so that a late use reads "expired" rather than "invalid".
 */
export class TokenStore {
	private readonly tokens = new Map<string, IssuedToken>();

	private readonly current = new Map<string, string>();

	private readonly issued: Record<Platform, number> = { wecom: 0, dingtalk: 0 };

	constructor(
		private readonly lifetimeMs: number,
		private readonly now: () => number,
	) {}

	obtain(platform: Platform, appKey: string): { token: string; expiresInSeconds: number } {
		const slot = `${platform}\u0000${appKey}`;
		const existing = this.current.get(slot);
		const live = existing === undefined ? undefined : this.tokens.get(existing);
		if (existing !== undefined && live && this.check(platform, existing) === 'ok') {
			return { token: existing, expiresInSeconds: this.secondsLeft(live) };
		}
		const token = `emu_${platform}_${randomBytes(48).toString('base64url')}`;
		const entry: IssuedToken = { platform, appKey, expiresAt: this.now() + this.lifetimeMs };
		this.tokens.set(token, entry);
		this.current.set(slot, token);
		this.issued[platform]++;
		return { token, expiresInSeconds: this.secondsLeft(entry) };
	}

	check(platform: Platform, token: string | undefined): TokenCheck {
		if (token === undefined || token === '') {
			return 'missing';
		}
		const entry = this.tokens.get(token);
		if (!entry || entry.platform !== platform) {
			return 'invalid';
		}
		if (entry.revoked) {
			return entry.revoked;
		}
		return this.now() >= entry.expiresAt ? 'expired' : 'ok';
	}

	/** Kills the live tokens (of one platform, or all); returns how many were live. */
	invalidate(platform?: Platform, as: 'invalid' | 'expired' = 'invalid'): number {
		let killed = 0;
		for (const [token, entry] of this.tokens) {
			if (
				(platform === undefined || entry.platform === platform) &&
				this.check(entry.platform, token) === 'ok'
			) {
				entry.revoked = as;
				killed++;
			}
		}
		return killed;
	}

	issueCount(platform: Platform): number {
		return this.issued[platform];
	}

	clear(): void {
		this.tokens.clear();
		this.current.clear();
		this.issued.wecom = 0;
		this.issued.dingtalk = 0;
	}

	private secondsLeft(entry: IssuedToken): number {
		return Math.max(0, Math.ceil((entry.expiresAt - this.now()) / 1000));
	}
}
