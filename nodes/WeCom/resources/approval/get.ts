import type { IExecuteFunctions } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import { fetchApprovalDetail } from './detail';
import { requiredText } from './fields';

export const getOperation: NodeOperation = {
	value: 'get',
	name: 'Get',
	action: 'Get an approval',
	description: 'Get the details of an approval (审批单) by its number, with its status named',
	properties: [
		{
			displayName: 'Approval Number',
			name: 'spNo',
			type: 'string',
			required: true,
			default: '',
			placeholder: '202403010001',
			description:
				'The approval number (审批单号, sp_no), as Submit, Get Many or the approval trigger give it',
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const spNo = requiredText.call(
			this,
			'spNo',
			itemIndex,
			'Approval Number is empty: enter the sp_no of an approval (审批单号), e.g. 202403010001',
		);
		return await fetchApprovalDetail.call(this, spNo, itemIndex);
	},
};
