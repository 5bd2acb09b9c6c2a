import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { SEND_AND_WAIT_OPERATION } from 'n8n-workflow';

import { built, utf8Bytes } from '../../../shared/messageInput';
import type { NodeOperation } from '../../../shared/operations';
import type { SendAndWaitMessage } from '../../../shared/sendAndWait';
import {
	askMarkdown,
	fitText,
	groupAnswerNotice,
	sendAndWait,
	sendAndWaitProperties,
} from '../../../shared/sendAndWait';
import { readIdList } from '../../../shared/idList';
import { templateCardBody } from '../../../shared/wecom/templateCard';
import { SEND_PATH, weComRobotRequest } from '../../transport';
import type { RobotMessage } from './build';
import { buildRobotMessage, ROBOT_LIMITS } from './build';

const messageStyle: INodeProperties = {
	displayName: 'Message Style',
	name: 'messageStyle',
	type: 'options',
	default: 'templateCard',
	options: [
		{
			name: 'Template Card (模板卡片)',
			value: 'templateCard',
			description:
				'A text notice card with one link per answer under it (Approve, Decline); a tap on the card opens a page with every choice',
		},
		{
			name: 'Markdown',
			value: 'markdown',
			description:
				'The title, the message and one link per answer as markdown text; shows the whole message (up to 4,096 bytes)',
		},
	],
	description: 'How the question looks in the group',
};

const mentionUserIds: INodeProperties = {
	displayName: 'Mention User IDs',
	name: 'mentionUserIds',
	type: 'string',
	default: '',
	placeholder: 'e.g. zhangsan, lisi',
	displayOptions: { show: { messageStyle: ['markdown'] } },
	description:
		'Members (userids) to @ under the question, e.g. the approver; a template card cannot @ anyone',
};

/**
 * Markdown with the links under the message and the @mentions last; the message is shortened to keep the whole
 * within 4,096 bytes.
 */
function markdownMessage(ask: SendAndWaitMessage, mentions: string[]): RobotMessage {
	const tail = mentions.length ? `\n\n${mentions.map((id) => `<@${id}>`).join(' ')}` : '';
	const content = (message: string) => `${askMarkdown(ask, message, { links: true })}${tail}`;
	const message = fitText(
		ask.message,
		(candidate) => utf8Bytes(content(candidate)) <= ROBOT_LIMITS.markdownBytes,
	);
	return { msgtype: 'markdown', content: content(message) };
}

export const sendAndWaitOperation: NodeOperation = {
	value: SEND_AND_WAIT_OPERATION,
	name: 'Send and Wait for Response',
	action: 'Send message to the group and wait for response',
	description:
		"Post a question with Approve/Decline links or a form link to the robot's group, and pause the workflow until someone in the group answers",
	properties: [messageStyle, mentionUserIds, groupAnswerNotice(), ...sendAndWaitProperties()],
	async executeOnce(this: IExecuteFunctions) {
		return await sendAndWait.call(this, async (ask) => {
			const style = this.getNodeParameter('messageStyle', 0, 'templateCard') as string;
			const message: RobotMessage =
				style === 'markdown'
					? markdownMessage(ask, readIdList.call(this, 0, 'mentionUserIds', 'Mention User IDs'))
					: {
							msgtype: 'template_card',
							card: templateCardBody(ask).template_card as IDataObject,
						};
			const body = built(this.getNode(), 0, () => buildRobotMessage(message));
			await weComRobotRequest.call(this, { path: SEND_PATH, body, itemIndex: 0 });
		});
	},
};
