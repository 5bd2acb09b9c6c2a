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
import type { INode, INodeExecutionData, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { triggerNodeScope } from './triggerScope';

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
export const testEventKey = triggerNodeScope;

/** What a trigger says when its test run finds no event. */
export interface MissingTestEvent {
	/** The trigger's name in the UI, e.g. 'WeCom Trigger'. */
	trigger: string;
	/** What its Test URL receives: 'event', 'callback', 'message'. */
	what: string;
	/** How a test event is made, e.g. 'In HTTP mode a test run starts from the event its Test URL received (…)'. */
	howToSend: string;
	/** The same in Chinese. */
	zh: string;
}

function missingTestEventError(node: INode, missing: MissingTestEvent): NodeOperationError {
	return new NodeOperationError(
		node,
		`No test ${missing.what} reached this ${missing.trigger} in this n8n process`,
		{
			description: `${missing.howToSend}. This run has none here: manual executions run on queue-mode workers (OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS), or the run did not come from the Test URL. Pin the trigger's output to test the rest of the workflow, or publish it. ${missing.zh}`,
		},
	);
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
			if (items === undefined) throw missingTestEventError(node, missing);
			context.emit(items);
		},
	};
}

/** One trigger type's test events in this process: where webhook() leaves them, and the trigger() that takes them. */
export interface TestEventChannel {
	/** Shared by every node of the trigger type in this process (keyed apart by workflow and node). */
	events: TestEventHandOver;
	/** trigger() in a manual run: hands the run the event webhook() left. */
	trigger: (this: ITriggerFunctions) => ITriggerResponse;
}

export function testEventChannel(missing: MissingTestEvent): TestEventChannel {
	const events = new TestEventHandOver();
	return {
		events,
		trigger(this: ITriggerFunctions) {
			return handOverTestEvent(this, events, missing);
		},
	};
}
