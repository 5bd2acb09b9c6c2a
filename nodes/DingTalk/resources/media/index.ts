import type { NodeResource } from '../../../shared/operations';
import { uploadMedia } from './upload';

export const mediaResource: NodeResource = {
	value: 'media',
	name: 'Media (媒体文件)',
	description: 'Upload files to get a media_id for messages',
	operations: [uploadMedia],
};
