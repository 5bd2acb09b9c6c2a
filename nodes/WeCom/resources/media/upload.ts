import type { IExecuteFunctions } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import type { MediaType } from './files';
import { binaryInputProperties, readInputFile } from '../../../shared/binaryFile';
import { checkMediaFile, uploadMediaFile } from './files';

export const uploadOperation: NodeOperation = {
	value: 'upload',
	name: 'Upload',
	action: 'Upload a media file',
	description:
		'Upload a binary file as temporary media (临时素材, valid 3 days) and get its media_id',
	properties: [
		{
			displayName: 'Media Type',
			name: 'mediaType',
			type: 'options',
			options: [
				{ name: 'File (文件)', value: 'file', description: 'Any file, at most 20 MB' },
				{ name: 'Image (图片)', value: 'image', description: 'JPG or PNG, at most 10 MB' },
				{ name: 'Video (视频)', value: 'video', description: 'MP4, at most 10 MB' },
				{ name: 'Voice (语音)', value: 'voice', description: 'AMR, at most 2 MB and 60 seconds' },
			],
			default: 'file',
			description:
				'What kind of media WeCom should store the file as; each kind has its own limits',
		},
		...binaryInputProperties,
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const type = this.getNodeParameter('mediaType', itemIndex) as MediaType;
		const file = await readInputFile.call(this, itemIndex);
		return await uploadMediaFile.call(
			this,
			itemIndex,
			type,
			checkMediaFile.call(this, itemIndex, type, file),
		);
	},
};
