// A webhook's parameters, read once per request from the node n8n hands over, without the expression machinery when
// nothing in them is an expression.
//
// Why: in n8n 2.41 every getNodeParameter of a webhook runs the value through the expression resolver
// (WorkflowExpression.getParameterValue, which copies collections), cleans it and validates it against the node's
// property list (validateValueAgainstSchema walks the properties and their displayOptions) — per call, per request.
// For a parameter that holds no expression all of that returns the stored value. n8n's own webhook path makes the
// same shortcut (n8n-workflow's nodeParametersAreStatic: no value starts with '=' and none is a resource locator).
// Where a value is an expression, every read goes through getNodeParameter as before.
import type { INode, INodeParameters, IWebhookFunctions } from 'n8n-workflow';

function isDynamic(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(isDynamic);
	if (value !== null && typeof value === 'object') {
		// A resource locator ({ __rl: true, ... }) is resolved by n8n even when its value is plain.
		if ((value as { __rl?: unknown }).__rl === true) return true;
		return Object.values(value).some(isDynamic);
	}
	return false;
}

export interface WebhookParameters {
	/** The node (one copy per request: n8n's getNode deep-copies it on every call). */
	node: INode;
	/** A parameter's value; `fallback` when the node has none. */
	get<T>(name: string, fallback: T): T;
}

/**
 * The node and its parameters for one request. n8n gives the webhook the workflow's own node, whose parameters
 * already carry the defaults of every property shown (n8n's Workflow constructor applies them).
 */
export function webhookParameters(context: IWebhookFunctions): WebhookParameters {
	const node = context.getNode();
	const parameters: INodeParameters | undefined = isDynamic(node.parameters)
		? undefined
		: node.parameters;
	return {
		node,
		get<T>(name: string, fallback: T): T {
			if (parameters === undefined) return context.getNodeParameter(name, fallback) as T;
			const value = parameters[name];
			return value === undefined ? fallback : (value as T);
		},
	};
}
