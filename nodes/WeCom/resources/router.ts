import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { WeComOperation, WeComResource } from './types';

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
export function buildProperties(resources: WeComResource[]): INodeProperties[] {
	const properties: INodeProperties[] = [
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: resources.map(
				(r): INodePropertyOptions => ({ name: r.name, value: r.value, description: r.description }),
			),
			default: 'message',
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

/** Runs the selected operation for every input item. */
export async function route(
	this: IExecuteFunctions,
	resources: WeComResource[],
): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const resourceName = this.getNodeParameter('resource', itemIndex) as string;
			const operationName = this.getNodeParameter('operation', itemIndex) as string;
			const operation: WeComOperation | undefined = resources
				.find((r) => r.value === resourceName)
				?.operations.find((o) => o.value === operationName);
			if (!operation) {
				throw new NodeOperationError(
					this.getNode(),
					`Unknown operation "${resourceName}: ${operationName}"`,
					{
						itemIndex,
					},
				);
			}
			out.push(...toItems(await operation.execute.call(this, itemIndex), itemIndex));
		} catch (error) {
			if (this.continueOnFail()) {
				const description = (error as NodeApiError).description;
				out.push({
					json: {
						error: (error as Error).message,
						...(description ? { errorDescription: description } : {}),
						...(error instanceof NodeApiError && error.errorResponse?.errcode !== undefined
							? { errcode: error.errorResponse.errcode as number }
							: {}),
					},
					pairedItem: { item: itemIndex },
				});
				continue;
			}
			if (error instanceof NodeApiError) {
				error.context.itemIndex ??= itemIndex;
				throw new NodeApiError(this.getNode(), error.errorResponse ?? {}, {
					message: error.message,
					description: error.description ?? undefined,
					httpCode: error.httpCode ?? undefined,
					itemIndex,
				});
			}
			throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
		}
	}
	return [out];
}
