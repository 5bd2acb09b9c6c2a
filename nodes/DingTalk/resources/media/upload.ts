import { mediaUploadOperation } from '../../../shared/mediaUpload';
import { DINGTALK_MEDIA_RULES, uploadDingTalkMedia } from './files';

export const uploadMedia = mediaUploadOperation({
	platform: 'DingTalk',
	description:
		'Upload a binary file (image, voice, video or file) and get its media_id for work notifications and robot messages',
	types: [
		{
			name: 'File (文件)',
			value: 'file',
			description: 'DOC, DOCX, XLS, XLSX, PPT, PPTX, ZIP, PDF or RAR, at most 20 MB',
		},
		{ name: 'Image (图片)', value: 'image', description: 'JPG, GIF, PNG or BMP, at most 20 MB' },
		{ name: 'Video (视频)', value: 'video', description: 'MP4, at most 20 MB' },
		{ name: 'Voice (语音)', value: 'voice', description: 'AMR, MP3 or WAV, at most 2 MB' },
	],
	rules: DINGTALK_MEDIA_RULES,
	upload: uploadDingTalkMedia,
});
