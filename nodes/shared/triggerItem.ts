// The chat trigger item a reply node works for, shared by the DingTalk and WeCom AI reply nodes.
import type { IDataObject, IExecuteFunctions, ISupplyDataFunctions } from 'n8n-workflow';

/**
 * The trigger item that led to item `itemIndex`: its own json when `isTriggerItem` says it is one, else the item of a
 * trigger node (its type ends in `triggerTypeSuffix`) before this node, followed through n8n's paired items (an AI
 * Agent keeps them), or that trigger's only item.
 */
export function triggerItemFor(
	context: IExecuteFunctions | ISupplyDataFunctions,
	itemIndex: number,
	triggerTypeSuffix: string,
	isTriggerItem: (json: IDataObject | undefined) => boolean,
): IDataObject | undefined {
	// A sub-node's own input is its AI connection: the item it works for is on the parent's main input.
	const input = context.getInputData(0, 'main')[itemIndex]?.json;
	if (isTriggerItem(input)) return input;
	const triggers = context
		.getParentNodes(context.getNode().name)
		.filter((parent) => parent.type.endsWith(triggerTypeSuffix) && !parent.disabled);
	if (triggers.length === 0) return undefined;
	const proxy = context.getWorkflowDataProxy(itemIndex);
	for (const trigger of triggers) {
		let node: { item?: { json?: IDataObject }; all?: () => Array<{ json?: IDataObject }> };
		try {
			node = proxy.$(trigger.name) as typeof node;
		} catch {
			continue;
		}
		try {
			const paired = node.item?.json;
			if (isTriggerItem(paired)) return paired;
		} catch {
			// No paired item to follow (a node on the way dropped it): the trigger's only item still tells.
		}
		try {
			const all = node.all?.() ?? [];
			if (all.length === 1 && isTriggerItem(all[0].json)) return all[0].json;
		} catch {
			// The trigger has not run in this execution.
		}
	}
	return undefined;
}
