import { ExecutionLifecycleHooks, LoadOptionsContext } from 'n8n-core';
import type { INode, INodeListSearchResult, INodeType, IWorkflowBase } from 'n8n-workflow';

import type { Harness } from './engine';

const PICKER_WORKFLOW = {
	id: 'picker-workflow',
	name: 'Picker workflow',
	active: false,
	nodes: [],
	connections: {},
	settings: {},
} as unknown as IWorkflowBase;

/**
 * What n8n's DynamicNodeParametersService builds when the editor opens a picker: the node as it stands in the editor
 * and a LoadOptionsContext for the parameter at `path` (e.g. `parameters.userId`).
 */
export function pickerContext(harness: Harness, node: INode, path: string) {
	const workflow = harness.workflow([node]);
	const hooks = new ExecutionLifecycleHooks('internal', 'picker', PICKER_WORKFLOW);
	const additionalData = harness.additionalData(hooks, { currentNodeParameters: node.parameters });
	const nodeType = harness.nodeTypes.getByNameAndVersion(node.type, node.typeVersion) as INodeType;
	return { context: new LoadOptionsContext(workflow, node, additionalData, path), nodeType };
}

/** Calls the node's listSearch `method` as the editor does (one page: a filter and the previous page's token). */
export async function runListSearch(
	harness: Harness,
	node: INode,
	path: string,
	method: string,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const { context, nodeType } = pickerContext(harness, node, path);
	const search = nodeType.methods?.listSearch?.[method];
	if (!search) throw new Error(`${node.type} has no listSearch method ${method}`);
	return (await search.call(context, filter, paginationToken)) as INodeListSearchResult;
}
