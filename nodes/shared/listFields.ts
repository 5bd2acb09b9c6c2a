import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

/** The Return All / Limit pair every list operation shows. */
export const returnAllFields: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

/** Applies Return All / Limit to a list the API returned in one piece. */
export function limitList(
	this: IExecuteFunctions,
	list: IDataObject[],
	itemIndex: number,
): IDataObject[] {
	if (this.getNodeParameter('returnAll', itemIndex, false) as boolean) return list;
	return list.slice(0, this.getNodeParameter('limit', itemIndex, 50) as number);
}
