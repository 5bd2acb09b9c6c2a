import type { IExecuteFunctions } from 'n8n-workflow';
import { SEND_AND_WAIT_OPERATION } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import type { SendAndWaitMessage } from '../../../shared/sendAndWait';
import {
	askMarkdown,
	groupAnswerNotice,
	MARKDOWN_HARD_BREAK,
	sendAndWait,
	sendAndWaitProperties,
} from '../../../shared/sendAndWait';
import type { RobotMessage } from './message';
import { toRobotPayload } from './message';
import { readRobotRecipients, robotRecipientProperties, sendRobotPayload } from './recipients';

/**
 * An action card: the question as markdown, then one button per answer (sampleActionCard2: Approve, Decline) or,
 * with one answer, one button (sampleActionCard).
 */
function askCard(ask: SendAndWaitMessage): RobotMessage {
	return {
		type: 'actionCard',
		title: ask.title,
		text: askMarkdown(ask, ask.message, { links: false, lineBreak: MARKDOWN_HARD_BREAK }),
		buttons: ask.links.map((link) => ({ title: link.label, url: link.url })),
	};
}

export const sendAndWaitRobotMessage: NodeOperation = {
	value: SEND_AND_WAIT_OPERATION,
	name: 'Send and Wait for Response',
	action: 'Send a robot message and wait for response',
	description:
		"Send an action card with Approve/Decline buttons or a form button as the app's robot, to users or a group chat, and pause the workflow until someone answers",
	properties: [
		...robotRecipientProperties,
		{ ...groupAnswerNotice(), displayOptions: { show: { sendTo: ['group'] } } },
		...sendAndWaitProperties(),
	],
	async executeOnce(this: IExecuteFunctions) {
		return await sendAndWait.call(this, async (ask) => {
			const recipients = readRobotRecipients.call(this, 0);
			await sendRobotPayload.call(this, 0, recipients, toRobotPayload(askCard(ask)));
		});
	},
};
