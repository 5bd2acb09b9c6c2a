import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

/**
 * One operation = its fields + its execute. The router adds the resource/operation displayOptions to the fields,
 * sets pairedItem and handles continueOnFail, so an operation only turns one input item into its output.
 */
export interface WeComOperation {
	value: string;
	name: string;
	action: string;
	description: string;
	/** Fields shown for this operation only (without resource/operation displayOptions). */
	properties: INodeProperties[];
	/** Output for input item `itemIndex`: one JSON object, several, or full items (e.g. with binary). */
	execute(
		this: IExecuteFunctions,
		itemIndex: number,
	): Promise<IDataObject | IDataObject[] | INodeExecutionData[]>;
}

export interface WeComResource {
	value: string;
	name: string;
	description: string;
	operations: WeComOperation[];
}
