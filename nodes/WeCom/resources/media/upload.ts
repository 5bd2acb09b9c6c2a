import { mediaUploadOperation } from '../../../shared/mediaUpload';
import { MEDIA_RULES, uploadMediaFile, type MediaType } from './files';

export const uploadOperation = mediaUploadOperation<MediaType>({
	platform: 'WeCom',
	description:
		'Upload a binary file as temporary media (临时素材, valid 3 days) and get its media_id',
	types: [
		{ name: 'File (文件)', value: 'file', description: 'Any file, at most 20 MB' },
		{ name: 'Image (图片)', value: 'image', description: 'JPG or PNG, at most 10 MB' },
		{ name: 'Video (视频)', value: 'video', description: 'MP4, at most 10 MB' },
		{ name: 'Voice (语音)', value: 'voice', description: 'AMR, at most 2 MB and 60 seconds' },
	],
	rules: MEDIA_RULES,
	upload: uploadMediaFile,
});
