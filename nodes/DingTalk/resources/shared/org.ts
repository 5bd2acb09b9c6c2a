import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** DingTalk department ids are positive integers (the root is 1). */
export const DEPARTMENT_ID_PATTERN = '^[1-9][0-9]{0,18}$';

interface DepartmentFieldOptions {
	name: string;
	displayName: string;
	description: string;
	/** Start at the root department (1) rather than empty. */
	defaultRoot?: boolean;
}

/** A department picker: from the organisation's tree, or by ID. */
export function departmentField(options: DepartmentFieldOptions): INodeProperties {
	const field: INodeProperties = {
		displayName: options.displayName,
		name: options.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: options.description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: 'searchDepartments', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: '1',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: DEPARTMENT_ID_PATTERN,
							errorMessage: 'A department ID is a positive whole number (the root department is 1)',
						},
					},
				],
			},
		],
	};
	if (options.defaultRoot) field.default = { mode: 'id', value: '1' };
	return field;
}

/** Reads a locator (or plain) parameter as trimmed text; an expression may have produced a number. */
export function locatorText(context: IExecuteFunctions, name: string, itemIndex: number): string {
	const raw = context.getNodeParameter(name, itemIndex, '', { extractValue: true }) as unknown;
	return raw === undefined || raw === null ? '' : String(raw).trim();
}

export function readDepartmentId(
	this: IExecuteFunctions,
	name: string,
	itemIndex: number,
	label: string,
): number {
	const value = locatorText(this, name, itemIndex);
	if (!new RegExp(DEPARTMENT_ID_PATTERN).test(value) || !Number.isSafeInteger(Number(value))) {
		throw new NodeOperationError(
			this.getNode(),
			value === ''
				? `${label} is empty: pick one from the list or enter its ID (the root department is 1)`
				: `${label} "${value}" is not a valid department ID: enter a positive whole number (the root department is 1)`,
			{ itemIndex },
		);
	}
	return Number(value);
}

/** The old family wraps its data in `result`; items should hold only the data. */
export function resultOf(answer: IDataObject): IDataObject {
	const result = answer.result;
	return result !== null && typeof result === 'object' && !Array.isArray(result)
		? (result as IDataObject)
		: {};
}
