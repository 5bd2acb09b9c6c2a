import type { IExecuteFunctions } from 'n8n-workflow';
import { SEND_AND_WAIT_OPERATION } from 'n8n-workflow';

import { built } from '../../../shared/messageInput';
import type { NodeOperation } from '../../../shared/operations';
import type { SendAndWaitMessage } from '../../../shared/sendAndWait';
import {
	askMarkdown,
	groupAnswerNotice,
	MARKDOWN_HARD_BREAK,
	sendAndWait,
	sendAndWaitProperties,
} from '../../../shared/sendAndWait';
import { dingTalkRobotSend } from '../../transport';
import type { RobotMessage } from './build';
import { buildRobotMessage } from './build';

/**
 * An action card: the question as markdown, then one button per answer side by side (Approve, Decline) or, with
 * one answer, one button under it (singleTitle/singleURL).
 */
function askCard(ask: SendAndWaitMessage): RobotMessage {
	const card = {
		msgtype: 'actionCard' as const,
		title: ask.title,
		text: askMarkdown(ask, ask.message, { links: false, lineBreak: MARKDOWN_HARD_BREAK }),
	};
	if (ask.links.length === 1) {
		return { ...card, single: { title: ask.links[0].label, url: ask.links[0].url } };
	}
	return {
		...card,
		buttons: ask.links.map((link) => ({ title: link.label, actionURL: link.url })),
		orientation: 'horizontal',
	};
}

export const sendAndWaitOperation: NodeOperation = {
	value: SEND_AND_WAIT_OPERATION,
	name: 'Send and Wait for Response',
	action: 'Send message to the group and wait for response',
	description:
		"Post an action card with Approve/Decline buttons or a form button to the robot's group, and pause the workflow until someone in the group answers",
	properties: [
		groupAnswerNotice(
			'A robot with keyword security (自定义关键词) needs the keyword in the Title or Message.',
		),
		...sendAndWaitProperties(),
	],
	async executeOnce(this: IExecuteFunctions) {
		return await sendAndWait.call(this, async (ask) => {
			const body = built(this.getNode(), 0, () => buildRobotMessage(askCard(ask)));
			await dingTalkRobotSend.call(this, body, 0);
		});
	},
};
