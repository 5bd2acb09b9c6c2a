import type { NodeResource } from '../../../shared/operations';
import { countUsers } from './count';
import { getUser } from './get';
import { getUserByCode } from './getByCode';
import { getUserByUnionId } from './getByUnionId';
import { getUserIdByMobile } from './getIdByMobile';
import { getManyUsers } from './getMany';

export const userResource: NodeResource = {
	value: 'user',
	name: 'User (成员)',
	description:
		'Look up members, list them by department or for the whole organisation, count them, and find out who a login code belongs to',
	operations: [
		getUser,
		getManyUsers,
		getUserIdByMobile,
		getUserByUnionId,
		getUserByCode,
		countUsers,
	],
};
