import { readPositiveId } from '../../../shared/orgFields';
import type { IExecuteFunctions } from 'n8n-workflow';

import { weComApiRequest } from '../../transport';
import { NUMERIC_ID, tagLocator } from '../shared/orgFields';
import type { NodeOperation } from '../../../shared/operations';

export const getTagMembers: NodeOperation = {
	value: 'getMembers',
	name: 'Get Members',
	action: 'Get the members of a tag',
	description: 'Get the members and departments that carry a tag (tag/get)',
	properties: [
		tagLocator({
			name: 'tagId',
			displayName: 'Tag',
			description: 'The tag whose members to get',
		}),
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const tagid = readPositiveId.call(this, 'tagId', itemIndex, 'Tag', NUMERIC_ID);
		const answer = await weComApiRequest.call(this, {
			method: 'GET',
			path: '/cgi-bin/tag/get',
			qs: { tagid },
			itemIndex,
		});
		return {
			tagid,
			tagname: answer.tagname,
			userlist: Array.isArray(answer.userlist) ? answer.userlist : [],
			partylist: Array.isArray(answer.partylist) ? answer.partylist : [],
		};
	},
};
