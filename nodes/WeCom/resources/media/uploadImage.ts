import type { IExecuteFunctions } from 'n8n-workflow';

import { weComApiRequest } from '../../transport';
import type { NodeOperation } from '../../../shared/operations';
import { binaryInputProperties, readInputFile } from '../../../shared/binaryFile';
import { mediaPart } from '../../../shared/wecom/media';
import { checkMediaFile } from './files';

export const uploadImageOperation: NodeOperation = {
	value: 'uploadImage',
	name: 'Upload Image',
	action: 'Upload an image for a permanent URL',
	description:
		'Upload a JPG or PNG image (at most 2 MB) and get a permanent URL, e.g. for images inside news articles',
	properties: [...binaryInputProperties],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const file = checkMediaFile.call(
			this,
			itemIndex,
			'uploadimg',
			await readInputFile.call(this, itemIndex),
		);
		const answer = await weComApiRequest.call(this, {
			method: 'POST',
			path: '/cgi-bin/media/uploadimg',
			file: mediaPart(file),
			itemIndex,
		});
		return { url: answer.url, fileName: file.fileName, fileSize: file.data.length };
	},
};
