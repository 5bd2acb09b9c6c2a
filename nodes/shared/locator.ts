import type { INodeProperties } from 'n8n-workflow';

export interface ListOrIdLocatorOptions {
	name: string;
	displayName: string;
	description: string;
	/** Default true. */
	required?: boolean;
	/** The node's listSearch method behind From List. */
	searchListMethod: string;
	/** The second mode, where the ID is typed or comes from an expression. */
	id: {
		displayName?: string;
		placeholder: string;
		hint?: string;
		/** A regular expression the typed ID must match, and what to say when it does not. */
		pattern?: string;
		errorMessage?: string;
	};
}

/** A picker every platform's pickers share: a searchable list, or an ID. */
export function listOrIdLocator(options: ListOrIdLocatorOptions): INodeProperties {
	const { id } = options;
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
				typeOptions: { searchListMethod: options.searchListMethod, searchable: true },
			},
			{
				displayName: id.displayName ?? 'By ID',
				name: 'id',
				type: 'string',
				placeholder: id.placeholder,
				...(id.hint ? { hint: id.hint } : {}),
				...(id.pattern
					? {
							validation: [
								{
									type: 'regex' as const,
									properties: {
										regex: id.pattern,
										errorMessage: id.errorMessage ?? 'Not a valid ID',
									},
								},
							],
						}
					: {}),
			},
		],
	};
}
