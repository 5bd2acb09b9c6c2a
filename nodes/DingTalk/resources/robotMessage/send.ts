import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { chunks } from '../../../shared/idList';
import type { NodeOperation } from '../../../shared/operations';
import { dingTalkApiRequest } from '../../transport';
import { checkDingTalkMedia, uploadDingTalkMedia } from '../media/files';
import { sendBatches } from '../shared/batches';
import { InputError, readIds, readRobotCode, textParameter } from '../shared/input';
import { ID_LIST_HINT } from '../shared/messageFields';
import { readRobotMessageInput, robotMessageContentProperties } from './fields';
import { buildRobotMessage, toRobotPayload, withMediaId } from './message';

/** oToMessages/batchSend takes at most 20 userIds per call. */
export const MAX_ROBOT_USERS_PER_CALL = 20;

function asStrings(value: unknown): string[] {
	return Array.isArray(value) ? value.map(String) : [];
}

export const sendRobotMessage: NodeOperation = {
	value: 'send',
	name: 'Send',
	action: 'Send a robot message',
	description:
		"Send a message as the app's own robot (机器人消息) to users one-to-one or to a group chat",
	properties: [
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
		{
			displayName: 'User IDs',
			name: 'userIds',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'manager001,dev001',
			displayOptions: { show: { sendTo: ['users'] } },
			hint: ID_LIST_HINT,
			description: 'The userids (员工 ID) to send to',
		},
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
		...robotMessageContentProperties,
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const sendTo = this.getNodeParameter('sendTo', itemIndex, 'users') as 'users' | 'group';
		const userIds = sendTo === 'users' ? readIds.call(this, itemIndex, 'userIds', 'User IDs') : [];
		const openConversationId =
			sendTo === 'group' ? textParameter.call(this, 'openConversationId', itemIndex) : '';
		if (sendTo === 'users' && userIds.length === 0) {
			throw new InputError('User IDs is empty: give at least one userid to send to');
		}
		if (sendTo === 'group' && !openConversationId) {
			throw new InputError(
				'Open Conversation ID is empty: give the group chat to send to (openConversationId)',
			);
		}
		const robotCode = await readRobotCode.call(this);

		const { input, file } = await readRobotMessageInput.call(this, itemIndex);
		const uploadType = input.type === 'image' ? 'image' : 'file';
		const checked = file ? checkDingTalkMedia.call(this, itemIndex, uploadType, file) : undefined;
		if (checked && input.type === 'file') input.fileName = checked.fileName;
		const built = buildRobotMessage(input);
		let message = built.message;
		let media: IDataObject | undefined;
		if (built.pendingUpload && checked) {
			media = await uploadDingTalkMedia.call(this, itemIndex, built.pendingUpload, checked);
			message = withMediaId(message, String(media.media_id));
		}
		const payload = toRobotPayload(message);
		const extra = media ? { media } : {};

		if (sendTo === 'group') {
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
				...extra,
			};
		}

		const batches = chunks(userIds, MAX_ROBOT_USERS_PER_CALL);
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
			...extra,
		};
	},
};
