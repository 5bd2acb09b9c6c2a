import type { NodeResource } from '../../../shared/operations';
import { getUser } from './get';
import { getUserByCode } from './getByCode';
import { getUserIdByEmail } from './getIdByEmail';
import { getUserIdByMobile } from './getIdByMobile';
import { getManyUsers } from './getMany';

export const userResource: NodeResource = {
	value: 'user',
	name: 'User (成员)',
	description:
		'Look up members of the organisation, find userids by mobile or email, and find out who a login code belongs to',
	operations: [getUser, getUserByCode, getUserIdByEmail, getUserIdByMobile, getManyUsers],
};
