// Once-only delivery of callbacks a platform may send again, counting only what the sender was told
// it got. Platform-neutral: the caller computes the key from the decrypted content.
import type { IWebhookFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { RecentKeys } from './recentKeys';

type Response = ReturnType<IWebhookFunctions['getResponseObject']>;

/**
 * `first`: start it (the claim is held until the answer is out); `duplicate`: the sender already got
 * a 200 for it; `undecided`: an earlier delivery is still waiting for its answer after `waitMs`.
 */
export type DeliveryClaim = 'first' | 'duplicate' | 'undecided';

/**
 * A callback counts as delivered once its sender got a 200 for it — with answer-after-record that is
 * once n8n has stored its execution. Until then it is in flight, and a redelivery that arrives
 * meanwhile waits for that answer. Any other answer (n8n could not record it) or a sender that hung
 * up before the answer forgets the claim, so the platform's next try starts it: an execution may run
 * twice in that corner (recorded, then the connection dropped), but a callback is never dropped.
 */
export class Deliveries {
	private readonly delivered: RecentKeys;

	private readonly inFlight = new Map<string, Promise<void>>();

	constructor(maxEntries: number) {
		this.delivered = new RecentKeys(maxEntries);
	}

	get size(): number {
		return this.delivered.size;
	}

	/** Claims `key` for the request answered through `res`; see DeliveryClaim. */
	async claim(
		key: string,
		windowMs: number,
		res: Response,
		waitMs: number,
	): Promise<DeliveryClaim> {
		for (;;) {
			const pending = this.inFlight.get(key);
			if (pending === undefined) break;
			const timedOut = Symbol('timeout');
			if ((await Promise.race([pending, sleep(waitMs).then(() => timedOut)])) === timedOut) {
				return 'undecided';
			}
		}
		if (this.delivered.has(key, Date.now())) return 'duplicate';
		let settle: () => void = () => undefined;
		this.inFlight.set(key, new Promise<void>((resolve) => (settle = resolve)));
		let decided = false;
		const decide = () => {
			if (decided) return;
			decided = true;
			res.off('finish', decide);
			res.off('close', decide);
			this.inFlight.delete(key);
			if (res.headersSent && res.statusCode === 200) {
				this.delivered.record(key, windowMs, Date.now());
			}
			settle();
		};
		res.once('finish', decide);
		res.once('close', decide);
		return 'first';
	}

	clear(): void {
		this.delivered.clear();
	}
}
