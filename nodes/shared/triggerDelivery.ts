// How a long-lived trigger (trigger(), e.g. DingTalk's Stream mode) hands an event to n8n so that it runs once, across
// n8n processes and restarts, and is not lost when n8n loses the run.
//
// - Once: the emit carries a deduplication key made of the workflow, the node and the event's own id. n8n 2.x keeps it
//   in a unique column of its executions table, so a second execution with the key is refused by the database itself —
//   also when the event comes again to another main process, or to this one after a restart, where the in-memory
//   redelivery check (RecentKeys) has forgotten it. The key lasts as long as n8n keeps the execution (its pruning).
//   n8n versions without the column ignore the key.
// - Recorded: deliver() resolves once n8n has finished and saved the event's execution (emit's donePromise), so the
//   caller can answer the platform only then (DingTalk Stream acknowledges there).
// - Not lost: in queue mode a worker that dies (kill -9, out of memory) takes the runs it held with it; n8n 2.x then
//   records them as failed ("job stalled") with nothing of their data and never runs them again. The emit asks n8n to
//   tell when the run has ended; a run that ended without a single node having run (an error, no run data) was lost by
//   n8n, not failed by the workflow, and is emitted again — at most MAX_ATTEMPTS times, with its own key each time,
//   before deliver() resolves. This makes delivery at-least-once for that case: a run that had already done something
//   before its worker died does it again.
//   Not covered: the trigger's own process stopping while it waits to emit again. The platform then delivers the event
//   once more, its first key is already taken by the lost run, and n8n refuses it (logged by the caller as refused).
import { createHash } from 'crypto';
import type {
	IExecuteResponsePromiseData,
	INodeExecutionData,
	IRun,
	ITriggerFunctions,
} from 'n8n-workflow';
import { ExecutionCancelledError, sleep } from 'n8n-workflow';

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
 * Whether n8n lost this run rather than the workflow failing in it: it ended in error (or crashed), not one node has
 * run data, and no node is named as the last one executed — n8n replaces a run whose queue job stalled with exactly
 * that. A workflow that fails in a node has the trigger's own run data before it in one process; in queue mode the
 * main process gets only the worker's summary of a finished job (no run data, n8n 2.41 WorkflowRunner.enqueueExecution
 * with the job result), which names the node that failed (lastNodeExecuted).
 */
export function runWasLost(run: IRun | undefined): boolean {
	if (run === undefined) return false;
	if (run.status !== 'error' && run.status !== 'crashed') return false;
	const resultData = run.data?.resultData;
	if (resultData?.lastNodeExecuted !== undefined) return false;
	return Object.keys(resultData?.runData ?? {}).length === 0;
}

export interface TriggerDeliveryOptions {
	/** The trigger node's scope: its workflow and node (events of other nodes never share a key). */
	scope: string;
	/** Whether to pass n8n a deduplication key (off when the user turned the redelivery check off). */
	deduplicate: boolean;
	/** Called when an event is emitted again; no secrets, only the attempt and why. */
	onRetry?: (attempt: number, reason: string) => void;
}

/**
 * What a run sends back to the trigger that emitted it while it runs: a node's `sendResponse()` (the Respond to Webhook
 * mechanism). n8n resolves the emit's responsePromise with it in the process that holds the trigger — in queue mode
 * the worker relays it to main as a 'respond-to-webhook' job message (n8n 2.41 JobProcessor, ScalingService
 * registerMainOrWebhookListeners). n8n also resolves it when a run ends without one (an empty or "execution failed"
 * body), and rejects it when the run is cancelled; the handler is called for resolutions only, at most once per emit.
 */
export type RunResponseHandler = (response: IExecuteResponsePromiseData) => void;

/** The execution exists and was stopped (by a user, a timeout or a shutdown): n8n has it on record. */
export function isCancellation(error: unknown): boolean {
	if (error instanceof ExecutionCancelledError) return true;
	// Another copy of n8n-workflow than n8n's own: recognise it by its shape.
	const { reason, message } = (error ?? {}) as { reason?: unknown; message?: unknown };
	return (
		typeof reason === 'string' &&
		['manual', 'timeout', 'shutdown'].includes(reason) &&
		/cancelled/i.test(String(message))
	);
}

/** n8n's Engine 2.0 (a workflow setting) refuses emits that wait for the execution to finish. */
export function isWaitRefused(error: unknown): boolean {
	return /cannot run a trigger that waits for its execution/i.test(
		String((error as Error)?.message ?? ''),
	);
}

/**
 * What became of an event handed to n8n:
 * - recorded: n8n finished and saved its execution (`run`; failed in a node too), or refused the key because the event
 *   ran already (`run` undefined);
 * - refused: n8n's promise was rejected (`error`): the execution was cancelled (see isCancellation), or none could be
 *   started (n8n's Engine 2.0 refusing a waiting emit, see isWaitRefused; the database unavailable);
 * - closed: the trigger closed while the event waited to be emitted again after n8n lost its run.
 */
export type DeliveryOutcome =
	| { status: 'recorded'; run: IRun | undefined }
	| { status: 'refused'; error: unknown }
	| { status: 'closed' };

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

	/**
	 * Emits `item` for the event `eventKey` (undefined: an event without an id, emitted without a key) and resolves once
	 * n8n has settled it (see DeliveryOutcome). A run n8n lost is emitted again first, up to MAX_ATTEMPTS times; the
	 * outcome is the last attempt's.
	 */
	async deliver(
		item: INodeExecutionData,
		eventKey: string | undefined,
		onResponse?: RunResponseHandler,
	): Promise<DeliveryOutcome> {
		for (let attempt = 1; ; attempt++) {
			let reason: string;
			try {
				const run = await this.emitOnce(item, eventKey, attempt, true, onResponse);
				if (!runWasLost(run) || attempt >= MAX_ATTEMPTS) return { status: 'recorded', run };
				reason = 'n8n lost the run';
			} catch (error) {
				// The first emit: nothing of it is kept, the caller leaves it to the platform's redelivery. A later one
				// must be retried here, since a redelivery would carry the first key, which the lost run holds.
				if (attempt === 1 || attempt >= MAX_ATTEMPTS || isCancellation(error)) {
					return { status: 'refused', error };
				}
				reason = 'n8n could not start the run';
			}
			if (this.closed) return { status: 'closed' };
			await sleep(RETRY_DELAYS_MS[Math.min(attempt - 1, RETRY_DELAYS_MS.length - 1)]);
			if (this.closed) return { status: 'closed' };
			this.options.onRetry?.(attempt + 1, reason);
		}
	}

	/** Emits `item` with its key without waiting for the run (n8n's Engine 2.0 refuses waiting emits). */
	handOver(item: INodeExecutionData, eventKey: string | undefined): void {
		void this.emitOnce(item, eventKey, 1, false);
	}

	private async emitOnce(
		item: INodeExecutionData,
		eventKey: string | undefined,
		attempt: number,
		wait: boolean,
		onResponse?: RunResponseHandler,
	): Promise<IRun | undefined> {
		const key =
			this.options.deduplicate && eventKey !== undefined
				? deduplicationKey(this.options.scope, eventKey, attempt)
				: undefined;
		if (!wait) {
			this.context.emit([[item]], undefined, undefined, key);
			return undefined;
		}
		const done = this.context.helpers.createDeferredPromise<IRun>();
		let response;
		if (onResponse !== undefined) {
			response = this.context.helpers.createDeferredPromise<IExecuteResponsePromiseData>();
			// A cancelled run rejects it (the donePromise tells the caller about that); the handler never throws.
			response.promise.then(onResponse).catch(() => undefined);
		}
		this.context.emit([[item]], response, done, key);
		return await done.promise;
	}
}
