import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

export interface ListOrIdLocatorOptions {
	name: string;
	displayName: string;
	description: string;
	/** Default true; an optional picker (e.g. a new group owner) may stay empty. */
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

/** A picker every platform's pickers share: a searchable, paged list, or an ID. */
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

export type LocatorOptions = Omit<ListOrIdLocatorOptions, 'searchListMethod' | 'id'>;

/** One kind of thing a picker picks (users, departments, tags): its list method and what By ID accepts. */
export interface LocatorKind {
	searchListMethod: string;
	pattern: string;
	errorMessage: string;
	placeholder: string;
}

/** A picker for one thing of a known kind. */
export function locatorField(options: LocatorOptions, kind: LocatorKind): INodeProperties {
	return listOrIdLocator({
		...options,
		searchListMethod: kind.searchListMethod,
		id: { placeholder: kind.placeholder, pattern: kind.pattern, errorMessage: kind.errorMessage },
	});
}

/** Reads a locator (or plain) parameter as trimmed text; an expression may have produced a number. */
export function locatorText(context: IExecuteFunctions, name: string, itemIndex: number): string {
	const raw = context.getNodeParameter(name, itemIndex, '', { extractValue: true }) as unknown;
	return raw === undefined || raw === null ? '' : String(raw).trim();
}
