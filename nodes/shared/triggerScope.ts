// One trigger node's identity in this process: its workflow and node. The same strings key a node's held callbacks
// (heldCallbacks.ts), its test events (testEvents.ts), its Stream or long connection (the delivery `scope`, from which
// the deduplication keys n8n stores are made) and its per-event deduplication claims. They must never change shape:
// a key n8n has stored under one shape would not match the same event under another.
import type { INode, IWorkflowMetadata } from 'n8n-workflow';

type NodeRef = Pick<INode, 'id' | 'name'>;

/** The key of one trigger node: its workflow and its node (the node id; the name for a node saved without one). */
export function triggerNodeScope(workflowId: string | undefined, node: NodeRef): string {
	return JSON.stringify([workflowId ?? '', node.id ?? node.name]);
}

/** The key of one event at one trigger node, for deduplication claims. */
export function triggerEventKey(
	workflowId: string | undefined,
	node: NodeRef,
	eventKey: string,
): string {
	return JSON.stringify([workflowId ?? '', node.id ?? node.name, eventKey]);
}

/** Where a log line comes from, for n8n's default log format (which prints only the message). */
export function triggerLogPlace(
	workflow: Pick<IWorkflowMetadata, 'id' | 'name'>,
	node: Pick<INode, 'name'>,
): string {
	return `[workflow "${workflow.name ?? workflow.id ?? ''}", node "${node.name}"]`;
}
