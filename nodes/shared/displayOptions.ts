import type { INodeProperties } from 'n8n-workflow';

/** The property, shown only where `show` also holds (added to the conditions it already has). */
export function shownWhen(
	show: NonNullable<NonNullable<INodeProperties['displayOptions']>['show']>,
	property: INodeProperties,
): INodeProperties {
	return {
		...property,
		displayOptions: {
			...property.displayOptions,
			show: { ...(property.displayOptions?.show ?? {}), ...show },
		},
	};
}
