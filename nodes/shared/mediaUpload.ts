import type { IDataObject, IExecuteFunctions, INodePropertyOptions } from 'n8n-workflow';

import { binaryInputProperties, checkFile, readInputFile } from './binaryFile';
import type { BinaryFile, FileRule } from './binaryFile';
import type { ItemOperation } from './operations';

export interface MediaUploadSpec<T extends string> {
	/** The platform as errors name it ("WeCom", "DingTalk"). */
	platform: string;
	/** The operation's description in the UI. */
	description: string;
	/** The media types offered, each with its formats and size limit. */
	types: Array<INodePropertyOptions & { value: T }>;
	/** The platform's limits per type, checked before anything is sent. */
	rules: Record<T, FileRule>;
	/** Sends a checked file and returns the item (`media_id`, type, name, size). */
	upload(
		this: IExecuteFunctions,
		itemIndex: number,
		type: T,
		file: BinaryFile,
	): Promise<IDataObject>;
}

/** Media → Upload: a binary property of the item, checked against the platform's limits, uploaded for a media_id. */
export function mediaUploadOperation<T extends string>(spec: MediaUploadSpec<T>): ItemOperation {
	return {
		value: 'upload',
		name: 'Upload',
		action: 'Upload a media file',
		description: spec.description,
		properties: [
			{
				displayName: 'Media Type',
				name: 'mediaType',
				type: 'options',
				options: spec.types,
				default: 'file',
				description: `What kind of media ${spec.platform} should store the file as; each kind has its own formats and size limit`,
			},
			...binaryInputProperties,
		],
		async execute(this: IExecuteFunctions, itemIndex: number) {
			const type = this.getNodeParameter('mediaType', itemIndex) as T;
			const file = await readInputFile.call(this, itemIndex);
			const checked = checkFile.call(this, itemIndex, spec.platform, spec.rules[type], file, type);
			return await spec.upload.call(this, itemIndex, type, checked);
		},
	};
}
