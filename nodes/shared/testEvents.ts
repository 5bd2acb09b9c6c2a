// "Listen for test event" for a trigger that has both webhook() and trigger() (the DingTalk Trigger in HTTP mode, the
// WeCom AI Bot Trigger in callback mode). For the run n8n starts from a test webhook's items, n8n-core's
// WorkflowExecute.runNode asks for `nodeType.trigger` BEFORE `nodeType.webhook`: the start node is run through
// executeTriggerNode, which in manual mode calls trigger() and then waits for its first emit() — the items webhook()
// produced sit in the node's input, which a trigger never sees. (Published workflows run in 'webhook' mode, where
// executeTriggerNode passes the input through, so they were never affected.) So in manual mode webhook() leaves its
// items here, and trigger() takes them and emits them: the test run ends with exactly the event the Test URL received.
//
// The hand-over lives in the n8n process that served the test webhook; n8n 2.x runs a manual execution in that same
// process unless queue mode offloads manual executions to workers (OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS). There
// trigger() finds nothing and ends the run with an error that says so, instead of waiting for ever.
import type { INodeExecutionData, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

interface Waiting {
	items: INodeExecutionData[][];
	at: number;
}

/** Items of accepted test events, per trigger node, until the test run n8n starts for each takes them. */
export class TestEventHandOver {
	private readonly waiting = new Map<string, Waiting[]>();

	constructor(
		/** An event not taken within this long belongs to no run (its run used pinned data, or failed to start). */
		readonly ttlMs = 120_000,
		/** Bounds for a flood of test events: per node, and nodes in all. */
		readonly maxPerKey = 10,
		readonly maxKeys = 1000,
	) {}

	/** The number of events waiting, in all. */
	get size(): number {
		let n = 0;
		for (const list of this.waiting.values()) n += list.length;
		return n;
	}

	put(key: string, items: INodeExecutionData[][], now: number): void {
		this.prune(now);
		const list = this.waiting.get(key) ?? [];
		list.push({ items, at: now });
		if (list.length > this.maxPerKey) list.splice(0, list.length - this.maxPerKey);
		// Re-inserting keeps the Map ordered by last use, so the cap drops the longest-idle node first.
		this.waiting.delete(key);
		this.waiting.set(key, list);
		while (this.waiting.size > this.maxKeys) {
			const oldest = this.waiting.keys().next().value as string;
			this.waiting.delete(oldest);
		}
	}

	/**
	 * The newest event waiting for `key`, removed. Newest: an older leftover (a run that used pinned data instead)
	 * must never be shown for the event just sent; two events sent at once each still reach one run.
	 */
	take(key: string, now: number): INodeExecutionData[][] | undefined {
		this.prune(now);
		const list = this.waiting.get(key);
		const newest = list?.pop();
		if (list?.length === 0) this.waiting.delete(key);
		return newest?.items;
	}

	clear(): void {
		this.waiting.clear();
	}

	private prune(now: number): void {
		for (const [key, list] of this.waiting) {
			const live = list.filter((w) => now - w.at < this.ttlMs);
			if (live.length === 0) this.waiting.delete(key);
			else if (live.length !== list.length) this.waiting.set(key, live);
		}
	}
}

/** The hand-over key of one trigger node: the same in webhook() and in trigger() of the run that follows. */
export function testEventKey(
	workflowId: string | undefined,
	node: { id?: string; name: string },
): string {
	return JSON.stringify([workflowId ?? '', node.id ?? node.name]);
}

/** What a trigger says when its test run finds no event (the node's name, and the product's words for the fix). */
export interface MissingTestEvent {
	message: string;
	description: string;
}

/**
 * trigger() of a webhook mode in a manual run: n8n calls it only for the run a test webhook started (a waiting test
 * listener has no trigger() running; a pinned trigger is not run at all). It hands that run the event webhook() left.
 */
export function handOverTestEvent(
	context: ITriggerFunctions,
	handOver: TestEventHandOver,
	missing: MissingTestEvent,
): ITriggerResponse {
	const node = context.getNode();
	const key = testEventKey(context.getWorkflow().id, node);
	return {
		// Called by n8n after it has set up emit(); the run then ends with these items.
		manualTriggerFunction: async () => {
			const items = handOver.take(key, Date.now());
			if (items === undefined) {
				throw new NodeOperationError(node, missing.message, { description: missing.description });
			}
			context.emit(items);
		},
	};
}
