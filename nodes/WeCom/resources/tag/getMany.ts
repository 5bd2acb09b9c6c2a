import type { IExecuteFunctions } from 'n8n-workflow';

import { weComApiRequest } from '../../transport';
import { limitList, listOf, returnAllFields } from '../shared/orgFields';
import type { WeComOperation } from '../types';

export const getManyTags: WeComOperation = {
	value: 'getAll',
	name: 'Get Many',
	action: 'Get many tags',
	description: 'List the tags (标签) of the organisation, one item per tag',
	properties: [...returnAllFields],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const answer = await weComApiRequest.call(this, {
			method: 'GET',
			path: '/cgi-bin/tag/list',
			itemIndex,
		});
		return limitList.call(this, listOf(answer, 'taglist'), itemIndex);
	},
};
