import type { IExecuteFunctions } from 'n8n-workflow';

import { weComApiRequest } from '../../transport';
import { listOf } from '../shared/orgFields';
import { limitList, returnAllFields } from '../../../shared/listFields';
import type { NodeOperation } from '../../../shared/operations';

export const getManyTags: NodeOperation = {
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
