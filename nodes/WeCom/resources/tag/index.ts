import type { NodeResource } from '../../../shared/operations';
import { getManyTags } from './getMany';
import { getTagMembers } from './getMembers';

export const tagResource: NodeResource = {
	value: 'tag',
	name: 'Tag (标签)',
	description: 'Look up tags and the members that carry them',
	operations: [getManyTags, getTagMembers],
};
