// "Answer After the Run": a callback trigger's HTTP callbacks held by the trigger's own copy on n8n's main process
// until their runs have finished, and run again when n8n lost a run.
//
// Why: by default a callback is answered once n8n has recorded its execution (n8n's onReceived order), which survives
// any crash of n8n itself. In queue mode the run then goes to a worker, and n8n 2.x fails the runs of a worker that
// dies (kill -9, out of memory) as "job stalled more than maxStalledCount" and replaces their data with that error:
// Bull runs with maxStalledCount 0, fixed in n8n's code, and a webhook node never learns how its execution ended.
// The platform was answered, so it does not send the callback again, and the event is gone.
//
// How: trigger() runs on the leader main process of every published workflow, also for webhook triggers; with the
// option on it registers a holder here, in the memory of that process. webhook() (on the same process: the callback
// URL must be routed to main) builds the item as always but, instead of handing it to n8n's webhook run, gives it to
// the holder, which emits it from the trigger with n8n's deduplication key and waits for the run to finish
// (nodes/shared/triggerDelivery.ts: a run n8n lost is emitted again). The platform is answered only then. So:
// - an answered callback has a finished run (0 lost when a worker dies, while main lives);
// - the same event delivered again while its run is held joins that run (one emission per event and process), and
//   after it finished the trigger's redelivery window or n8n's unique key refuses it: never run twice;
// - a process that holds no copy (a webhook process, a main that is not the leader) answers 503 and starts nothing,
//   so a wrongly routed callback is sent again by the platform instead of running outside the holder;
// - the answer waits for the run: a run longer than the platform's timeout (WeCom 5 s) makes it send the callback
//   again (those repeats start nothing), and after its last retry it counts the delivery as failed.
// Not covered: main itself stopping while it holds a callback whose run n8n had not yet recorded. Such a callback was
// not answered, so the platform sends it again (WeCom for about 15 s).
import type {
	INode,
	INodeExecutionData,
	INodeProperties,
	ITriggerFunctions,
	ITriggerResponse,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { refuse, type Refusal } from './callbackTrigger';
import { isCancellation, TriggerDelivery, type DeliveryOutcome } from './triggerDelivery';
import { triggerLogPlace, triggerNodeScope } from './triggerScope';
import { acknowledge, type CallbackAnswer } from './webhookRequest';

/** The option of both callback triggers (in their Options collection). */
export function answerAfterRunOption(platform: string, timeout: string): INodeProperties {
	return {
		displayName: 'Answer After the Run (Queue Mode)',
		name: 'answerAfterRun',
		type: 'boolean',
		default: false,
		description: `Whether n8n's main process holds each callback until its run has finished, runs it again if a queue-mode worker died with it, and only then answers ${platform}. Route this trigger's Production URL to the main process (docs: Queue mode). A run longer than ${timeout} makes ${platform} send the callback again; the repeats start nothing.`,
	};
}

interface Holder {
	delivery: TriggerDelivery;
	/** Events whose run is held, by event key: a second delivery joins the first's outcome. */
	inFlight: Map<string, Promise<DeliveryOutcome>>;
}

/** Holders of this process, by workflow and node. */
const holders = new Map<string, Holder>();

/** A trigger node's key: its workflow and node (the same in trigger() and in webhook() of that node). */
export const holderKey = triggerNodeScope;

export interface HoldOptions {
	/** Whether n8n gets a deduplication key per event (off when the user turned the redelivery window off). */
	deduplicate: boolean;
	/** Names the trigger in log lines, e.g. 'WeCom Trigger'. */
	label: string;
}

/**
 * trigger() of a published callback trigger whose "Answer After the Run" option is on: this process holds its
 * callbacks from now until n8n closes the trigger (unpublish, an edit, shutdown).
 */
export function holdCallbacks(context: ITriggerFunctions, options: HoldOptions): ITriggerResponse {
	const node = context.getNode();
	const workflow = context.getWorkflow();
	const key = holderKey(workflow.id, node);
	const where = ` ${triggerLogPlace(workflow, node)}`;
	const holder: Holder = {
		delivery: new TriggerDelivery(context, {
			scope: key,
			deduplicate: options.deduplicate,
			onRetry: (attempt, reason) =>
				context.logger.warn(
					`${options.label}: ${reason} of a callback; running it again (attempt ${attempt}), then the callback is answered${where}`,
					{ workflowId: workflow.id, node: node.name, attempt },
				),
		}),
		inFlight: new Map(),
	};
	holders.set(key, holder);
	return {
		closeFunction: async () => {
			holder.delivery.close();
			if (holders.get(key) === holder) holders.delete(key);
		},
	};
}

/** Whether this process holds the callbacks of this trigger node (its trigger() runs here with the option on). */
export function holdsCallbacks(
	workflowId: string | undefined,
	node: Pick<INode, 'id' | 'name'>,
): boolean {
	return holders.has(holderKey(workflowId, node));
}

/**
 * For webhook(): runs `item` through this process's holder and resolves once its run is settled (see
 * DeliveryOutcome); undefined when this process holds no copy of the trigger. `eventKey` identifies the event across
 * deliveries (undefined: it cannot be told apart, and each delivery runs).
 */
export async function deliverHeld(
	workflowId: string | undefined,
	node: Pick<INode, 'id' | 'name'>,
	item: INodeExecutionData,
	eventKey: string | undefined,
): Promise<DeliveryOutcome | undefined> {
	const holder = holders.get(holderKey(workflowId, node));
	if (holder === undefined) return undefined;
	if (eventKey === undefined) return await holder.delivery.deliver(item, undefined);
	const pending = holder.inFlight.get(eventKey);
	if (pending !== undefined) return await pending;
	const outcome = holder.delivery.deliver(item, eventKey).finally(() => {
		if (holder.inFlight.get(eventKey) === outcome) holder.inFlight.delete(eventKey);
	});
	holder.inFlight.set(eventKey, outcome);
	return await outcome;
}

/** One warning per trigger node and process for callbacks that reach a process holding no copy of the trigger. */
const warnedUnheld = new Map<string, number>();
const UNHELD_WARNING_EVERY_MS = 10 * 60_000;

/**
 * webhook() of a trigger with "Answer After the Run" on, for a production callback: hands `item` to the holder and
 * answers `answer` once its run has finished; a refusal (503, the platform sends it again) when this process holds no
 * copy or n8n could not start the run.
 */
export async function answerAfterRun(
	context: IWebhookFunctions,
	node: INode,
	item: INodeExecutionData,
	eventKey: string | undefined,
	answer: CallbackAnswer,
	platform: string,
): Promise<IWebhookResponseData | Refusal> {
	const workflow = context.getWorkflow();
	const workflowId = workflow.id;
	const outcome = await deliverHeld(workflowId, node, item, eventKey);
	const where = triggerLogPlace(workflow, node);
	if (outcome === undefined) {
		const key = holderKey(workflowId, node);
		const now = Date.now();
		if (now - (warnedUnheld.get(key) ?? 0) >= UNHELD_WARNING_EVERY_MS && warnedUnheld.size < 1000) {
			warnedUnheld.set(key, now);
			context.logger.warn(
				`${node.name}: a callback reached an n8n process that does not hold this trigger ("Answer After the Run" is on), so it was answered 503 and ${platform} will send it again; route this trigger's Production URL to the main process (webhook processes and other mains cannot hold it) ${where}`,
				{ workflowId, node: node.name },
			);
		}
		return refuse(
			503,
			`This trigger answers after the run and only the n8n main process holds it; route its URL to the main process. ${platform} will send this callback again`,
		);
	}
	if (outcome.status === 'recorded') return acknowledge(context.getResponseObject(), answer);
	if (outcome.status === 'closed') {
		return refuse(
			503,
			`The workflow was unpublished or changed while this callback waited to run again; ${platform} will send it again`,
		);
	}
	// A cancelled run is on record in n8n (stopped by a user, a timeout or a shutdown): that is the event's run.
	if (isCancellation(outcome.error)) return acknowledge(context.getResponseObject(), answer);
	context.logger.warn(
		`${node.name}: n8n started no execution for a callback (${(outcome.error as Error)?.message ?? 'unknown error'}); answered 503, ${platform} will send it again ${where}`,
		{ workflowId, node: node.name },
	);
	return refuse(503, `n8n could not start the run; ${platform} will send this callback again`);
}
