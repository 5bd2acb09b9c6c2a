import type { WeComResource } from '../types';
import { uploadOperation } from './upload';
import { uploadImageOperation } from './uploadImage';

export const mediaResource: WeComResource = {
	value: 'media',
	name: 'Media (素材)',
	description: 'Upload files as temporary media or images for a permanent URL',
	operations: [uploadOperation, uploadImageOperation],
};
