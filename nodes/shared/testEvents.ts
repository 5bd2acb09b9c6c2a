// "Listen for test event" of a callback trigger that has both webhook() and trigger(): the DingTalk Trigger (HTTP
// callbacks; trigger() for Stream mode) and the WeCom Trigger (trigger() holds callbacks on the main process when
// "Answer After the Run" is on, nodes/shared/heldCallbacks.ts). For the run n8n starts from a test webhook's items, n8n-core's WorkflowExecute.runNode asks for
// `nodeType.trigger` BEFORE `nodeType.webhook`: the start node is run through executeTriggerNode, which in manual
// mode calls trigger() and then waits for its first emit() — the items webhook() produced sit in the node's input,
// which a trigger never sees. (Published workflows run in 'webhook' mode, where executeTriggerNode passes the input
// through, so they were never affected.) So in manual mode webhook() leaves its items here, and trigger() takes them
// and emits them: the test run ends with exactly the event the Test URL received.
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

/** One per n8n process, shared by every callback trigger in it (keyed apart by workflow and node). */
export const testEvents = new TestEventHandOver();

/** The hand-over key of one trigger node: the same in webhook() and in trigger() of the run that follows. */
export function testEventKey(
	workflowId: string | undefined,
	node: { id?: string; name: string },
): string {
	return JSON.stringify([workflowId ?? '', node.id ?? node.name]);
}

/** How the error of a test run without its event names the trigger and the sender. */
export interface TestEventSource {
	/** The node as the user knows it, e.g. 'DingTalk Trigger'. */
	trigger: string;
	/** The platform, e.g. 'DingTalk'. */
	platform: string;
	/** The Chinese name of the trigger, for the second half of the message. */
	triggerZh: string;
}

/**
 * trigger() of a callback trigger in a manual run: n8n calls it only for the run a test webhook started (a waiting
 * test listener has no trigger() running; a pinned trigger is not run at all). It hands that run the event webhook()
 * left.
 */
export function testEventTrigger(
	this: ITriggerFunctions,
	source: TestEventSource,
): ITriggerResponse {
	const node = this.getNode();
	const key = testEventKey(this.getWorkflow().id, node);
	return {
		// Called by n8n after it has set up emit(); the run then ends with these items.
		manualTriggerFunction: async () => {
			const items = testEvents.take(key, Date.now());
			if (items === undefined) {
				throw new NodeOperationError(
					node,
					`No test event reached this ${source.trigger} in this n8n process`,
					{
						description: `A test run of a callback starts from the event its Test URL received ("Listen for test event", then let ${source.platform} or \`npm run sandbox:send\` post to the Test URL). This run has none here: manual executions run on queue-mode workers (OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS), or the run did not come from the Test URL. Pin the trigger's output to test the rest of the workflow, or publish it. ${source.triggerZh}的测试运行从测试 URL 收到的事件开始；此运行在本 n8n 进程中没有收到事件。`,
					},
				);
			}
			this.emit(items);
		},
	};
}
