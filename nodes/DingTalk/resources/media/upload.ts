import type { IExecuteFunctions } from 'n8n-workflow';

import { binaryInputProperties, readInputFile } from '../../../shared/binaryFile';
import type { NodeOperation } from '../../../shared/operations';
import type { DingTalkMediaType } from './files';
import { checkDingTalkMedia, uploadDingTalkMedia } from './files';

export const uploadMedia: NodeOperation = {
	value: 'upload',
	name: 'Upload',
	action: 'Upload a media file',
	description:
		'Upload a binary file (image, voice, video or file) and get its media_id for work notifications and robot messages',
	properties: [
		{
			displayName: 'Media Type',
			name: 'mediaType',
			type: 'options',
			options: [
				{
					name: 'File (文件)',
					value: 'file',
					description: 'DOC, DOCX, XLS, XLSX, PPT, PPTX, ZIP, PDF or RAR, at most 20 MB',
				},
				{
					name: 'Image (图片)',
					value: 'image',
					description: 'JPG, GIF, PNG or BMP, at most 20 MB',
				},
				{ name: 'Video (视频)', value: 'video', description: 'MP4, at most 20 MB' },
				{ name: 'Voice (语音)', value: 'voice', description: 'AMR, MP3 or WAV, at most 2 MB' },
			],
			default: 'file',
			description:
				'What kind of media DingTalk should store the file as; each kind has its own formats and size limit',
		},
		...binaryInputProperties,
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const type = this.getNodeParameter('mediaType', itemIndex) as DingTalkMediaType;
		const file = await readInputFile.call(this, itemIndex);
		return await uploadDingTalkMedia.call(
			this,
			itemIndex,
			type,
			checkDingTalkMedia.call(this, itemIndex, type, file),
		);
	},
};
