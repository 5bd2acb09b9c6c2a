import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import { optionsField } from '../../../shared/operations';
import { dingTalkApiRequest } from '../../transport';
import { checkDingTalkMedia, uploadDingTalkMedia } from '../media/files';
import { sendBatches } from '../shared/batches';
import { readAgentId } from '../shared/input';
import { readWorkNotificationInput, workNotificationContentProperties } from './fields';
import { attachMediaId, buildWorkNotification, checkMsgSize } from './message';
import type { SendResultLists } from './sendResult';
import { collectSendResults, waitUntilSent } from './sendResult';
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

const NOT_CHECKED =
	'DingTalk sends asynchronously: the task ID says it was accepted, not who it reached (unknown userids and forbidden recipients are not reported). Turn on Options → Wait for Send Result to check, or use Get Send Result.';

/** Who the notification did not reach, said per kind; undefined when it reached everyone it was sent to. */
function undelivered(lists: SendResultLists): { message: string; description: string } | undefined {
	const parts: string[] = [];
	const say = (list: unknown[], what: string) => {
		if (list.length) parts.push(`${what}: ${list.map(String).join(', ')}`);
	};
	say(lists.invalid_user_id_list, 'unknown userids (not in the organisation)');
	say(lists.forbidden_user_id_list, 'forbidden (a repeat of the same content today, or over the daily limit)');
	say(lists.failed_user_id_list, 'failed');
	say(lists.invalid_dept_id_list, 'unknown departments');
	if (!parts.length) return undefined;
	return {
		message: `The work notification did not reach every recipient — ${parts.join('; ')}`,
		description:
			'DingTalk accepted the send and delivered it to the other recipients; these it did not reach (getsendresult). Check the userids (the staff ID, not the name) and department IDs; forbidden ones are DingTalk\'s limits: the same content to one user once a day, at most 500 a day.',
	};
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
				'DingTalk sends work notifications asynchronously: a userid it does not know, a repeat of the same content to the same user on the same day, or more than 500 a day to one user still report success with a task ID. Turn on Options → Wait for Send Result to have such recipients reported per item (error output), or use Get Send Result later.',
			name: 'deliveryNotice',
			type: 'notice',
			default: '',
		},
		optionsField([
			{
				displayName: 'Wait for Send Result',
				name: 'waitForResult',
				type: 'boolean',
				default: false,
				description:
					'Whether to wait until DingTalk has sent the notification and check who it reached (getsendresult): unknown, forbidden or failed recipients then fail the item (its error output, or Continue On Fail). Without it the item says it was not checked.',
			},
			{
				displayName: 'Max Wait (Seconds)',
				name: 'maxWaitSeconds',
				type: 'number',
				default: 30,
				typeOptions: { minValue: 1, maxValue: 300 },
				description:
					'How long to wait for DingTalk to finish sending before giving the item as not checked',
			},
		]),
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
		const sent: IDataObject = {
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
		const options = this.getNodeParameter('options', itemIndex, {}) as {
			waitForResult?: boolean;
			maxWaitSeconds?: number;
		};
		if (!options.waitForResult) return { ...sent, recipientsChecked: false, note: NOT_CHECKED };
		const maxWait = Math.min(Math.max(Number(options.maxWaitSeconds) || 30, 1), 300);
		if (!(await waitUntilSent.call(this, agentId, taskIds, maxWait * 1000, itemIndex))) {
			return {
				...sent,
				recipientsChecked: false,
				note: `DingTalk had not finished sending after ${maxWait} s: the recipients were not checked. Get Send Result with the task ID tells later who was reached.`,
			};
		}
		const { lists } = await collectSendResults.call(this, agentId, taskIds, itemIndex);
		const problem = undelivered(lists);
		if (problem) {
			const error = new NodeOperationError(this.getNode(), problem.message, {
				itemIndex,
				description: problem.description,
			});
			// What was sent and what DingTalk reported, beside the error in the item's error output.
			error.context.details = { ...sent, sendResult: lists };
			throw error;
		}
		return { ...sent, recipientsChecked: true, sendResult: lists };
	},
};
