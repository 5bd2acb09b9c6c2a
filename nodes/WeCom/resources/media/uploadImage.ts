import type { IExecuteFunctions } from 'n8n-workflow';

import { weComApiRequest } from '../../transport';
import type { WeComOperation } from '../types';
import { binaryPropertyField, checkMediaFile, fileNameOption, readBinaryFile } from './files';

export const uploadImageOperation: WeComOperation = {
	value: 'uploadImage',
	name: 'Upload Image',
	action: 'Upload an image for a permanent URL',
	description:
		'Upload a JPG or PNG image (at most 2 MB) and get a permanent URL, e.g. for images inside news articles',
	properties: [
		binaryPropertyField,
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [fileNameOption],
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const propertyName = this.getNodeParameter('binaryPropertyName', itemIndex) as string;
		const options = this.getNodeParameter('options', itemIndex, {}) as { fileName?: string };
		const file = checkMediaFile.call(
			this,
			itemIndex,
			'uploadimg',
			await readBinaryFile.call(this, itemIndex, propertyName, options.fileName),
		);
		const answer = await weComApiRequest.call(this, {
			method: 'POST',
			path: '/cgi-bin/media/uploadimg',
			file: {
				field: 'media',
				filename: file.fileName,
				contentType: file.mimeType || 'application/octet-stream',
				data: file.data,
			},
			itemIndex,
		});
		return { url: answer.url, fileName: file.fileName, fileSize: file.data.length };
	},
};
