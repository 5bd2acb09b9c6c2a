import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import { dingTalkApiRequest } from '../../transport';
import { checkDingTalkMedia, uploadDingTalkMedia } from '../media/files';
import { sendBatches } from '../shared/batches';
import { readAgentId } from '../shared/input';
import { readWorkNotificationInput, workNotificationContentProperties } from './fields';
import { attachMediaId, buildWorkNotification, checkMsgSize } from './message';
import type { RecipientBatch, WorkRecipients } from './recipients';
import {
	readWorkRecipients,
	recipientBatches,
	recipientFields,
	workNotificationRecipientProperties,
} from './recipients';

/**
 * Sends one work notification `msg` as the app to the recipients: one asyncsend_v2 call per batch the per-call limits
 * allow. Returns the batches and the task id of each.
 */
export async function sendToRecipients(
	this: IExecuteFunctions,
	itemIndex: number,
	agentId: number,
	recipients: WorkRecipients,
	msg: IDataObject,
): Promise<{ batches: RecipientBatch[]; taskIds: number[] }> {
	const batches = recipientBatches(recipients);
	const taskIds = await sendBatches(
		batches,
		async (batch) => {
			const answer = await dingTalkApiRequest.call(this, {
				method: 'POST',
				path: '/topapi/message/corpconversation/asyncsend_v2',
				body: { agent_id: agentId, ...recipientFields(batch), msg },
				itemIndex,
			});
			return answer.task_id as number;
		},
		(done) => `task ids: ${done.join(', ')}`,
	);
	return { batches, taskIds };
}

export const sendWorkNotification: NodeOperation = {
	value: 'send',
	name: 'Send',
	action: 'Send a work notification',
	description:
		'Send a work notification (工作通知) as the app to users, departments or everyone; long recipient lists are split into several calls',
	properties: [
		...workNotificationRecipientProperties,
		...workNotificationContentProperties,
		{
			displayName:
				'DingTalk silently drops a repeat of the same content to the same user on the same day, and delivers at most 500 work notifications per user per day: such sends still report success. Get Send Result shows who was reached.',
			name: 'deliveryNotice',
			type: 'notice',
			default: '',
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const recipients = readWorkRecipients.call(this, itemIndex);
		const agentId = await readAgentId.call(this, itemIndex);
		const { input, file } = await readWorkNotificationInput.call(this, itemIndex);
		const built = buildWorkNotification(input);
		let msg = built.msg;
		let media: IDataObject | undefined;
		if (built.pendingUpload && file) {
			const checked = checkDingTalkMedia.call(this, itemIndex, built.pendingUpload, file);
			media = await uploadDingTalkMedia.call(this, itemIndex, built.pendingUpload, checked);
			msg = attachMediaId(msg, String(media.media_id));
			checkMsgSize(msg);
		}

		const { batches, taskIds } = await sendToRecipients.call(
			this,
			itemIndex,
			agentId,
			recipients,
			msg,
		);
		return {
			msgtype: input.msgtype,
			...(taskIds.length === 1 ? { task_id: taskIds[0] } : {}),
			task_ids: taskIds,
			calls: batches.length,
			batches: batches.map((batch, i) => ({
				task_id: taskIds[i],
				...(batch.toAll
					? { to_all_user: true }
					: { userid_list: batch.users, dept_id_list: batch.departments }),
			})),
			...(media ? { media } : {}),
		};
	},
};
