import type { NodeResource } from '../../../shared/operations';
import { uploadOperation } from './upload';
import { uploadImageOperation } from './uploadImage';

export const mediaResource: NodeResource = {
	value: 'media',
	name: 'Media (素材)',
	description: 'Upload files as temporary media or images for a permanent URL',
	operations: [uploadOperation, uploadImageOperation],
};
