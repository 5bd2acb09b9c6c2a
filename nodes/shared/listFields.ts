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

/** Whether a list operation also fetches each entry's details, one more call per entry. */
export function includeDetailsField(description: string): INodeProperties {
	return {
		displayName: 'Include Details',
		name: 'includeDetails',
		type: 'boolean',
		default: false,
		description,
	};
}

/** The start and end of a time range a list covers (both dateTime, read with parseTime). */
export function timeRangeFields(options: {
	start: string;
	end: string;
	endRequired: boolean;
}): INodeProperties[] {
	return [
		{
			displayName: 'Start Date',
			name: 'startDate',
			type: 'dateTime',
			required: true,
			default: '',
			description: options.start,
		},
		{
			displayName: 'End Date',
			name: 'endDate',
			type: 'dateTime',
			required: options.endRequired,
			default: '',
			description: options.end,
		},
	];
}

/** The optional filters of a list operation. */
export function filtersField(options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options,
	};
}
