import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import { dingTalkApiRequest } from '../../transport';
import { resultOf } from '../shared/org';
import { userProfile } from '../shared/orgApi';

/** contact_type 0: a member of the organisation (员工); 1: an external contact (外部联系人), who has no profile here. */
const MEMBER = 0;

export const getUserByUnionId: NodeOperation = {
	value: 'getByUnionId',
	name: 'Get by UnionId',
	action: 'Get a user by union ID',
	description:
		"Find a member by unionId (the ID of the person across DingTalk organisations and apps) and get the member's profile (/topapi/user/getbyunionid)",
	properties: [
		{
			displayName: 'UnionId',
			name: 'unionId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'iSiPxxxxxxxxxxxxxxxxxxxxiEiE',
			description:
				'The unionId, e.g. from a DingTalk login (OAuth) or an event; the same person has the same unionId in every app of the developer',
		},
		{
			displayName: 'Include Profile',
			name: 'includeProfile',
			type: 'boolean',
			default: true,
			description:
				"Whether to also get the member's profile (/topapi/v2/user/get); off gives only userid and contact_type",
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const unionid = String(this.getNodeParameter('unionId', itemIndex, '') ?? '').trim();
		if (!/^[^\s,]{1,128}$/.test(unionid)) {
			throw new NodeOperationError(
				this.getNode(),
				unionid === ''
					? 'UnionId is empty: enter the unionId of the person'
					: `UnionId "${unionid.slice(0, 80)}" is not a unionId: it has no spaces or commas`,
				{ itemIndex },
			);
		}
		const answer = await dingTalkApiRequest.call(this, {
			method: 'POST',
			path: '/topapi/user/getbyunionid',
			body: { unionid },
			itemIndex,
		});
		const { userid, contact_type: contactType } = resultOf(answer);
		const found = { unionid, userid, contact_type: contactType };
		const includeProfile = this.getNodeParameter('includeProfile', itemIndex, true) as boolean;
		if (!includeProfile || Number(contactType ?? MEMBER) !== MEMBER || typeof userid !== 'string') {
			return found;
		}
		return { ...(await userProfile.call(this, userid, itemIndex)), contact_type: contactType };
	},
};
