import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

export interface LocatorOptions {
	name: string;
	displayName: string;
	description: string;
	/** Default true; an optional picker (e.g. a new group owner) may stay empty. */
	required?: boolean;
}

export interface LocatorKind {
	/** The node's listSearch method behind "From List". */
	searchListMethod: string;
	/** What "By ID" accepts (a regex source) and what it says otherwise. */
	pattern: string;
	errorMessage: string;
	placeholder: string;
}

/** A picker for one thing: from a searchable, paged list, or by ID. */
export function locatorField(options: LocatorOptions, kind: LocatorKind): INodeProperties {
	return {
		displayName: options.displayName,
		name: options.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: options.required ?? true,
		description: options.description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				typeOptions: { searchListMethod: kind.searchListMethod, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: kind.placeholder,
				validation: [
					{
						type: 'regex',
						properties: { regex: kind.pattern, errorMessage: kind.errorMessage },
					},
				],
			},
		],
	};
}

/** Reads a locator (or plain) parameter as trimmed text; an expression may have produced a number. */
export function locatorText(context: IExecuteFunctions, name: string, itemIndex: number): string {
	const raw = context.getNodeParameter(name, itemIndex, '', { extractValue: true }) as unknown;
	return raw === undefined || raw === null ? '' : String(raw).trim();
}
