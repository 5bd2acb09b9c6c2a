// How a long-lived trigger (trigger(), e.g. DingTalk's Stream mode) hands an event to n8n so that it runs once, across
// n8n processes and restarts, and is not lost when n8n loses the run.
//
// - Once: the emit carries a deduplication key made of the workflow, the node and the event's own id. n8n 2.x keeps it
//   in a unique column of its executions table, so a second execution with the key is refused by the database itself —
//   also when the event comes again to another main process, or to this one after a restart, where the in-memory
//   redelivery check (RecentKeys) has forgotten it. The key lasts as long as n8n keeps the execution (its pruning).
//   n8n versions without the column ignore the key.
// - Not lost: in queue mode a worker that dies (kill -9, out of memory) takes the runs it held with it; n8n 2.x then
//   records them as failed ("job stalled") with nothing of their data and never runs them again. The emit asks n8n to
//   tell when the run has ended; a run that ended without a single node having run (an error, no run data) was lost by
//   n8n, not failed by the workflow, and is emitted again — at most MAX_ATTEMPTS times, with its own key each time.
//   This makes delivery at-least-once for that case: a run that had already done something before its worker died
//   does it again.
import { createHash } from 'crypto';
import type { INodeExecutionData, IRun, ITriggerFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

/** Emits of one event at most: the first, and runs again after n8n lost it. */
export const MAX_ATTEMPTS = 4;

/** Waits before an event is emitted again, by attempt (2nd, 3rd, ...). */
const RETRY_DELAYS_MS = [1_000, 10_000, 60_000];

/** Deduplication keys of this package start so (n8n's column holds 255 characters). */
const KEY_PREFIX = 'n8n-nodes-wecom-dingtalk:v1:';

/** The key of one event of one trigger node, for attempt `attempt` (1 = the first emit). */
export function deduplicationKey(scope: string, eventKey: string, attempt = 1): string {
	const digest = createHash('sha256')
		.update(`${scope}\u0000${eventKey}`, 'utf8')
		.digest('base64url');
	return attempt === 1 ? `${KEY_PREFIX}${digest}` : `${KEY_PREFIX}${digest}:${attempt}`;
}

/**
 * Whether n8n lost this run rather than the workflow failing in it: it ended in error (or crashed) and not one node
 * has run data — n8n replaces a run whose queue job stalled with exactly that. A workflow that fails in a node always
 * has the trigger's own run data before it.
 */
export function runWasLost(run: IRun | undefined): boolean {
	if (run === undefined) return false;
	if (run.status !== 'error' && run.status !== 'crashed') return false;
	const runData = run.data?.resultData?.runData ?? {};
	return Object.keys(runData).length === 0;
}

export interface TriggerDeliveryOptions {
	/** The trigger node's scope: its workflow and node (events of other nodes never share a key). */
	scope: string;
	/** Whether to pass n8n a deduplication key (off when the user turned the redelivery check off). */
	deduplicate: boolean;
	/** Called when an event is emitted again; no secrets, only the attempt and why. */
	onRetry?: (attempt: number, reason: string) => void;
}

/** Emits events of one activated trigger node; close() when the trigger closes (nothing is emitted again after). */
export class TriggerDelivery {
	private closed = false;

	constructor(
		private readonly context: ITriggerFunctions,
		private readonly options: TriggerDeliveryOptions,
	) {}

	close(): void {
		this.closed = true;
	}

	/** Emits `item` for the event `eventKey` (undefined: an event without an id, emitted without a key). */
	emit(item: INodeExecutionData, eventKey: string | undefined): void {
		this.attempt(item, eventKey, 1);
	}

	private attempt(item: INodeExecutionData, eventKey: string | undefined, attempt: number): void {
		if (this.closed) return;
		const done = this.context.helpers.createDeferredPromise<IRun>();
		const key =
			this.options.deduplicate && eventKey !== undefined
				? deduplicationKey(this.options.scope, eventKey, attempt)
				: undefined;
		this.context.emit([[item]], undefined, done, key);
		void done.promise.then(
			// undefined: n8n refused the key (the event ran already) or started nothing.
			async (run) => {
				if (runWasLost(run)) await this.again(item, eventKey, attempt, 'n8n lost the run');
			},
			// n8n could not record the execution at all (e.g. its database was unavailable).
			async () => await this.again(item, eventKey, attempt, 'n8n could not start the run'),
		);
	}

	private async again(
		item: INodeExecutionData,
		eventKey: string | undefined,
		attempt: number,
		reason: string,
	): Promise<void> {
		if (this.closed || attempt >= MAX_ATTEMPTS) return;
		await sleep(RETRY_DELAYS_MS[Math.min(attempt - 1, RETRY_DELAYS_MS.length - 1)]);
		if (this.closed) return;
		this.options.onRetry?.(attempt + 1, reason);
		this.attempt(item, eventKey, attempt + 1);
	}
}
