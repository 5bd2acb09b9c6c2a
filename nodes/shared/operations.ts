import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

interface OperationInfo {
	value: string;
	name: string;
	action: string;
	description: string;
	/** Fields shown for this operation only (without resource/operation displayOptions). */
	properties: INodeProperties[];
}

/**
 * One operation = its fields + its execute. The router adds the resource/operation displayOptions to the fields,
 * sets pairedItem and handles both Continue On Fail modes, so an operation only turns one input item into its output.
 */
export interface ItemOperation extends OperationInfo {
	/** Output for input item `itemIndex`: one JSON object, several, or full items (e.g. with binary). */
	execute(
		this: IExecuteFunctions,
		itemIndex: number,
	): Promise<IDataObject | IDataObject[] | INodeExecutionData[]>;
}

/**
 * An operation that acts once for the whole input, reading its parameters from the first item: Send and Wait sends
 * one message and pauses the execution once, as n8n's own nodes do. The router still handles Continue On Fail.
 */
export interface OnceOperation extends OperationInfo {
	executeOnce(this: IExecuteFunctions): Promise<INodeExecutionData[][]>;
}

export type NodeOperation = ItemOperation | OnceOperation;

export interface NodeResource {
	value: string;
	name: string;
	description: string;
	operations: NodeOperation[];
}

/** The usual "Options" collection of optional fields. */
export function optionsField(options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options,
	};
}

function withDisplay(
	property: INodeProperties,
	resource: string,
	operation: string,
): INodeProperties {
	const show = property.displayOptions?.show ?? {};
	return {
		...property,
		displayOptions: {
			...property.displayOptions,
			show: { ...show, resource: [resource], operation: [operation] },
		},
	};
}

/** The node's properties: resource picker, one operation picker per resource, then every operation's fields. */
export function buildProperties(
	resources: NodeResource[],
	defaultResource = resources[0].value,
): INodeProperties[] {
	const properties: INodeProperties[] = [
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: resources.map(
				(r): INodePropertyOptions => ({ name: r.name, value: r.value, description: r.description }),
			),
			default: defaultResource,
		},
	];
	for (const resource of resources) {
		const defaultOperation = resource.operations[0].value;
		properties.push({
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			displayOptions: { show: { resource: [resource.value] } },
			options: resource.operations.map((o) => ({
				name: o.name,
				value: o.value,
				action: o.action,
				description: o.description,
			})),
			default: defaultOperation,
		});
	}
	for (const resource of resources) {
		for (const operation of resource.operations) {
			properties.push(
				...operation.properties.map((p) => withDisplay(p, resource.value, operation.value)),
			);
		}
	}
	return properties;
}

function isExecutionData(value: unknown): value is INodeExecutionData {
	return (
		typeof value === 'object' &&
		value !== null &&
		'json' in value &&
		typeof (value as { json: unknown }).json === 'object'
	);
}

function toItems(
	result: IDataObject | IDataObject[] | INodeExecutionData[],
	itemIndex: number,
): INodeExecutionData[] {
	const list = Array.isArray(result) ? result : [result];
	return list.map((entry) =>
		isExecutionData(entry)
			? { ...entry, pairedItem: { item: itemIndex } }
			: { json: entry as IDataObject, pairedItem: { item: itemIndex } },
	);
}

/**
 * The item a failed input item becomes under "On Error: Continue": `{error, details}`, where details holds what the
 * platform said (errcode or code, the bilingual hint, HTTP status, request id). The shape is n8n's own contract for
 * routing: the engine sends an item to the error output ("Continue (using error output)") when its json holds only
 * `error`/`message`/`details` — or when `item.error` is set, but then it replaces the json with the bare message and
 * the errcode and hint would be lost. The same item serves "Continue (regular output)".
 */
function failedItem(error: Error, itemIndex: number): INodeExecutionData {
	const details: IDataObject = {};
	if (error instanceof NodeApiError) {
		const response = (error.errorResponse ?? {}) as IDataObject;
		for (const key of ['errcode', 'code', 'requestId'] as const) {
			if (response[key] !== undefined && response[key] !== null) details[key] = response[key];
		}
		// NodeApiError fills httpCode from an errcode when no status was given: keep only a real HTTP status.
		const status = Number(error.httpCode);
		if (status >= 100 && status < 600 && String(response.errcode ?? '') !== error.httpCode) {
			details.httpCode = error.httpCode;
		}
	}
	const description = (error as NodeApiError).description;
	if (description) details.description = description;
	// What an operation knows beside the error (e.g. a send that reached only some recipients).
	const extra = (error as NodeOperationError).context?.details;
	if (error instanceof NodeOperationError && extra && typeof extra === 'object') {
		Object.assign(details, extra);
	}
	return {
		json: { error: error.message, ...(Object.keys(details).length ? { details } : {}) },
		pairedItem: { item: itemIndex },
	};
}

/** The error that stops the node for item `itemIndex`: the platform's NodeApiError kept, anything else wrapped. */
function nodeError(this: IExecuteFunctions, error: unknown, itemIndex: number): Error {
	if (error instanceof NodeApiError) {
		error.context.itemIndex ??= itemIndex;
		return new NodeApiError(this.getNode(), error.errorResponse ?? {}, {
			message: error.message,
			description: error.description ?? undefined,
			httpCode: error.httpCode ?? undefined,
			itemIndex,
		});
	}
	return new NodeOperationError(this.getNode(), error as Error, { itemIndex });
}

function findOperation(
	this: IExecuteFunctions,
	resources: NodeResource[],
	itemIndex: number,
): NodeOperation {
	const resourceName = this.getNodeParameter('resource', itemIndex) as string;
	const operationName = this.getNodeParameter('operation', itemIndex) as string;
	const operation = resources
		.find((r) => r.value === resourceName)
		?.operations.find((o) => o.value === operationName);
	if (!operation) {
		throw new NodeOperationError(
			this.getNode(),
			`Unknown operation "${resourceName}: ${operationName}"`,
			{ itemIndex },
		);
	}
	return operation;
}

/** Runs the selected operation for every input item (or once, for an operation that acts on the whole input). */
export async function route(
	this: IExecuteFunctions,
	resources: NodeResource[],
): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length > 0) {
		let first: NodeOperation | undefined;
		try {
			first = findOperation.call(this, resources, 0);
		} catch {
			// Reported per item below, where Continue On Fail applies.
		}
		if (first && 'executeOnce' in first) {
			try {
				return await first.executeOnce.call(this);
			} catch (error) {
				if (this.continueOnFail()) return [[failedItem(error as Error, 0)]];
				throw nodeError.call(this, error, 0);
			}
		}
	}
	const out: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const operation = findOperation.call(this, resources, itemIndex);
			if (!('execute' in operation)) {
				throw new NodeOperationError(
					this.getNode(),
					`"${operation.name}" acts on the whole input at once and cannot run per item`,
					{ itemIndex },
				);
			}
			out.push(...toItems(await operation.execute.call(this, itemIndex), itemIndex));
		} catch (error) {
			if (this.continueOnFail()) {
				out.push(failedItem(error as Error, itemIndex));
				continue;
			}
			throw nodeError.call(this, error, itemIndex);
		}
	}
	return [out];
}

/** Throws the error the user sees. Declare it as `const fail: Fail = ...` so TypeScript knows it never returns. */
export type Fail = (message: string) => never;

/** `fail(message)` for an operation: throws the NodeOperationError the user sees, tied to the item. */
export function failFor(context: IExecuteFunctions, itemIndex: number): Fail {
	return (message) => {
		throw new NodeOperationError(context.getNode(), message, { itemIndex });
	};
}
