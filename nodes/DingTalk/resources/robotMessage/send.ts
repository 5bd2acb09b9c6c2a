import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import { checkDingTalkMedia, uploadDingTalkMedia } from '../media/files';
import { readRobotMessageInput, robotMessageContentProperties } from './fields';
import { buildRobotMessage, toRobotPayload, withMediaId } from './message';
import { readRobotRecipients, robotRecipientProperties, sendRobotPayload } from './recipients';

export const sendRobotMessage: NodeOperation = {
	value: 'send',
	name: 'Send',
	action: 'Send a robot message',
	description:
		"Send a message as the app's own robot (机器人消息) to users one-to-one or to a group chat",
	properties: [...robotRecipientProperties, ...robotMessageContentProperties],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const recipients = readRobotRecipients.call(this, itemIndex);

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
		const answer = await sendRobotPayload.call(
			this,
			itemIndex,
			recipients,
			toRobotPayload(message),
		);
		return { ...answer, ...(media ? { media } : {}) };
	},
};
