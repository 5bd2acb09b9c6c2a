import type { INodeProperties, NodeParameterValue } from 'n8n-workflow';

// Fields that messages of both platforms have, and the helper that shows a field for some message types only.

/** The field, shown only when the given parameters have one of the given values (on top of its own conditions). */
export function showWhen(
	property: INodeProperties,
	show: Record<string, NodeParameterValue[]>,
): INodeProperties {
	return {
		...property,
		displayOptions: {
			...property.displayOptions,
			show: { ...(property.displayOptions?.show ?? {}), ...show },
		},
	};
}

/** The text of a text or markdown message. */
export function contentField(description: string): INodeProperties {
	return {
		displayName: 'Content',
		name: 'content',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		description,
	};
}

/** Where the file of a media message comes from: an input binary (uploaded first) or an uploaded media_id. */
export function fileSourceField(uploadDescription: string): INodeProperties {
	return {
		displayName: 'File Source',
		name: 'mediaSource',
		type: 'options',
		options: [
			{ name: 'Binary File', value: 'binary', description: uploadDescription },
			{ name: 'Media ID', value: 'mediaId', description: 'Send an already uploaded file' },
		],
		default: 'binary',
		description: 'Where the file comes from',
	};
}
