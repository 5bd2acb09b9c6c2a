import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import { dingTalkApiRequest } from '../../transport';
import { instanceIdField, readInstanceId, requiredText, userField } from './fields';

/** DingTalk's limit for the remark. */
const MAX_REMARK_LENGTH = 1024;

export const terminateOperation: NodeOperation = {
	value: 'terminate',
	name: 'Terminate',
	action: 'Terminate an approval instance',
	description: 'Terminate (撤销) a running approval instance, as the system or as its originator',
	properties: [
		instanceIdField,
		{
			displayName: 'Terminate As',
			name: 'terminateAs',
			type: 'options',
			default: 'system',
			options: [
				{
					name: 'System (系统终止)',
					value: 'system',
					description: 'DingTalk ends the approval directly (isSystem = true)',
				},
				{
					name: 'Originator (发起人撤销)',
					value: 'originator',
					description:
						'The originator withdraws it (isSystem = false); the form must allow withdrawing running approvals',
				},
			],
			description: 'Who ends the approval',
		},
		{
			...userField({
				displayName: 'Originator',
				name: 'operatingUserId',
				description:
					'The member who started the approval: DingTalk lets only the originator withdraw it',
			}),
			displayOptions: { show: { terminateAs: ['originator'] } },
		},
		{
			displayName: 'Remark',
			name: 'remark',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
			description: 'Why the approval was ended (终止说明), up to 1024 characters',
		},
		{
			displayName:
				'DingTalk ends only running approvals, not in their first 15 seconds, and only if the form allows it (OA admin console → the form → 高级设置 → 撤销/修改审批单)',
			name: 'terminateNotice',
			type: 'notice',
			default: '',
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const processInstanceId = readInstanceId.call(this, itemIndex, 'the approval to terminate');
		const asOriginator = this.getNodeParameter('terminateAs', itemIndex, 'system') === 'originator';
		const remark = String(this.getNodeParameter('remark', itemIndex, '') ?? '').trim();
		if (remark.length > MAX_REMARK_LENGTH) {
			throw new NodeOperationError(
				this.getNode(),
				`Remark is ${remark.length} characters long; DingTalk takes at most ${MAX_REMARK_LENGTH}: shorten it`,
				{ itemIndex },
			);
		}
		const body: IDataObject = { processInstanceId, isSystem: !asOriginator };
		if (remark) body.remark = remark;
		if (asOriginator) {
			body.operatingUserId = requiredText.call(
				this,
				'operatingUserId',
				itemIndex,
				'Originator is empty: give the userid of the member who started the approval, or terminate as the system',
			);
		}
		const answer = await dingTalkApiRequest.call(this, {
			method: 'POST',
			path: '/v1.0/workflow/processInstances/terminate',
			body,
			itemIndex,
		});
		return { processInstanceId, terminated: answer.result === true || answer.result === 'true' };
	},
};
