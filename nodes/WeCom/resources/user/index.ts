import type { NodeResource } from '../../../shared/operations';
import { getUser } from './get';
import { getUserIdByEmail } from './getIdByEmail';
import { getUserIdByMobile } from './getIdByMobile';
import { getManyUsers } from './getMany';

export const userResource: NodeResource = {
	value: 'user',
	name: 'User (成员)',
	description: 'Look up members of the organisation and find userids by mobile or email',
	operations: [getUser, getUserIdByEmail, getUserIdByMobile, getManyUsers],
};
