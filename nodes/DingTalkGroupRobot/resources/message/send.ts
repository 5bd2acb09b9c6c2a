import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { built } from '../../../shared/messageInput';
import type { NodeOperation } from '../../../shared/operations';
import { readIdList } from '../../../shared/idList';
import { dingTalkRobotSend } from '../../transport';
import type { ActionButton, FeedLink, Mentions, RobotMessage, RobotMessageType } from './build';
import { buildRobotMessage } from './build';
import { robotPacingNotice } from '../../../shared/robotPacing';
import { messageProperties } from './fields';

function readMentions(this: IExecuteFunctions, itemIndex: number): Mentions {
	return {
		mobiles: readIdList.call(this, itemIndex, 'mentionMobiles', 'Mention Mobiles'),
		userIds: readIdList.call(this, itemIndex, 'mentionUserIds', 'Mention User IDs'),
		all: this.getNodeParameter('mentionAll', itemIndex, false) as boolean,
		addToText: this.getNodeParameter('mentionsInText', itemIndex, true) as boolean,
	};
}

/** Reads the item's parameters into a RobotMessage. */
function readMessage(this: IExecuteFunctions, itemIndex: number): RobotMessage {
	const msgtype = this.getNodeParameter('messageType', itemIndex) as RobotMessageType;
	const text = (name: string) => String(this.getNodeParameter(name, itemIndex, '') ?? '');
	const rows = <T>(name: string, key: string) =>
		((this.getNodeParameter(name, itemIndex, {}) as Record<string, IDataObject[] | undefined>)[
			key
		] ?? []) as unknown as T[];
	switch (msgtype) {
		case 'text':
			return { msgtype, content: text('content'), at: readMentions.call(this, itemIndex) };
		case 'markdown':
			return {
				msgtype,
				title: text('title'),
				text: text('text'),
				at: readMentions.call(this, itemIndex),
			};
		case 'link':
			return {
				msgtype,
				title: text('title'),
				text: text('text'),
				messageUrl: text('messageUrl'),
				picUrl: text('picUrl'),
			};
		case 'actionCard':
			return text('buttonLayout') === 'several'
				? {
						msgtype,
						title: text('title'),
						text: text('text'),
						buttons: rows<ActionButton>('buttons', 'button'),
						orientation: text('btnOrientation') === 'horizontal' ? 'horizontal' : 'vertical',
					}
				: {
						msgtype,
						title: text('title'),
						text: text('text'),
						single: { title: text('singleTitle'), url: text('singleUrl') },
					};
		case 'feedCard':
			return { msgtype, links: rows<FeedLink>('links', 'link') };
	}
	throw new NodeOperationError(this.getNode(), `Unknown message type "${String(msgtype)}"`, {
		itemIndex,
	});
}

export const sendOperation: NodeOperation = {
	value: 'send',
	name: 'Send',
	action: 'Send a message to the group',
	description:
		"Post a message to the robot's group; items are paced to DingTalk's 20 messages a minute per robot",
	properties: [robotPacingNotice('DingTalk'), ...messageProperties],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const message = readMessage.call(this, itemIndex);
		const body = built(this.getNode(), itemIndex, () => buildRobotMessage(message));
		await dingTalkRobotSend.call(this, body, itemIndex);
		return { sent: true, msgtype: body.msgtype };
	},
};
