import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { chunks } from '../../../shared/idList';
import { dingTalkApiRequest } from '../../transport';
import { sendBatches } from '../shared/batches';
import { InputError, readRobotCode, textParameter } from '../shared/input';
import { readUserIds, usersField } from '../shared/org';

/** oToMessages/batchSend takes at most 20 userIds per call. */
export const MAX_ROBOT_USERS_PER_CALL = 20;

/** Who gets a robot message: users one-to-one, or a group chat the robot is in. */
export const robotRecipientProperties: INodeProperties[] = [
	{
		displayName: 'Send To',
		name: 'sendTo',
		type: 'options',
		options: [
			{
				name: 'Users (单聊)',
				value: 'users',
				description: `One-to-one chats with the robot; more than ${MAX_ROBOT_USERS_PER_CALL} users are sent in several calls`,
			},
			{
				name: 'Group Chat (群聊)',
				value: 'group',
				description: 'A group chat the robot has been added to',
			},
		],
		default: 'users',
		description: 'Who receives the message',
	},
	...usersField({
		displayName: 'Users',
		name: 'userIds',
		displayOptions: { show: { sendTo: ['users'] } },
		description: `Members (员工) to send to, one-to-one; more than ${MAX_ROBOT_USERS_PER_CALL} are sent in several calls.`,
	}),
	{
		displayName: 'Open Conversation ID',
		name: 'openConversationId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'cidXXXXXXXX==',
		displayOptions: { show: { sendTo: ['group'] } },
		description:
			'The group chat (openConversationId), e.g. from a DingTalk Trigger robot message (conversationId)',
	},
];

export type RobotRecipients =
	| { sendTo: 'users'; userIds: string[] }
	| { sendTo: 'group'; openConversationId: string };

export function readRobotRecipients(this: IExecuteFunctions, itemIndex: number): RobotRecipients {
	if (this.getNodeParameter('sendTo', itemIndex, 'users') === 'group') {
		const openConversationId = textParameter.call(this, 'openConversationId', itemIndex);
		if (!openConversationId) {
			throw new InputError(
				'Open Conversation ID is empty: give the group chat to send to (openConversationId)',
			);
		}
		return { sendTo: 'group', openConversationId };
	}
	const userIds = readUserIds.call(this, 'userIds', itemIndex, 'Users');
	if (userIds.length === 0) {
		throw new InputError('Users is empty: pick at least one member, or give their userids');
	}
	return { sendTo: 'users', userIds };
}

function asStrings(value: unknown): string[] {
	return Array.isArray(value) ? value.map(String) : [];
}

/**
 * Sends one robot message (msgKey + msgParam) as the app's robot: to the group in one call, to users in calls of
 * at most 20. Returns what DingTalk answered, merged over the calls.
 */
export async function sendRobotPayload(
	this: IExecuteFunctions,
	itemIndex: number,
	recipients: RobotRecipients,
	payload: { msgKey: string; msgParam: string },
): Promise<IDataObject> {
	const robotCode = await readRobotCode.call(this);
	if (recipients.sendTo === 'group') {
		const { openConversationId } = recipients;
		const answer = await dingTalkApiRequest.call(this, {
			method: 'POST',
			path: '/v1.0/robot/groupMessages/send',
			body: { robotCode, openConversationId, ...payload },
			itemIndex,
		});
		return {
			msgKey: payload.msgKey,
			openConversationId,
			processQueryKey: answer.processQueryKey,
		};
	}

	const batches = chunks(recipients.userIds, MAX_ROBOT_USERS_PER_CALL);
	const answers = await sendBatches(
		batches,
		async (batch) =>
			await dingTalkApiRequest.call(this, {
				method: 'POST',
				path: '/v1.0/robot/oToMessages/batchSend',
				body: { robotCode, userIds: batch, ...payload },
				itemIndex,
			}),
		(done) => `processQueryKeys: ${done.map((a) => String(a.processQueryKey)).join(', ')}`,
	);
	const keys = answers.map((a) => String(a.processQueryKey));
	const merged = (name: string) => [...new Set(answers.flatMap((a) => asStrings(a[name])))];
	return {
		msgKey: payload.msgKey,
		...(keys.length === 1 ? { processQueryKey: keys[0] } : {}),
		processQueryKeys: keys,
		invalidStaffIdList: merged('invalidStaffIdList'),
		flowControlledStaffIdList: merged('flowControlledStaffIdList'),
		calls: batches.length,
		batches: batches.map((batch, i) => ({
			processQueryKey: keys[i],
			userIds: batch,
			invalidStaffIdList: asStrings(answers[i].invalidStaffIdList),
			flowControlledStaffIdList: asStrings(answers[i].flowControlledStaffIdList),
		})),
	};
}
