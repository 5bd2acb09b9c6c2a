import type { IExecuteFunctions } from 'n8n-workflow';
import { SEND_AND_WAIT_OPERATION } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import type { SendAndWaitMessage } from '../../../shared/sendAndWait';
import {
	askMarkdown,
	fitText,
	MARKDOWN_HARD_BREAK,
	sendAndWait,
	sendAndWaitProperties,
} from '../../../shared/sendAndWait';
import { readAgentId } from '../shared/input';
import type { WorkNotificationInput } from './message';
import { buildWorkNotification } from './message';
import { readWorkRecipients, workNotificationRecipientProperties } from './recipients';
import { sendToRecipients } from './send';

/**
 * An action card: the question as markdown, then one button per answer side by side (btn_json_list: Approve,
 * Decline) or, with one answer, one button (single_title/single_url).
 */
function askCard(ask: SendAndWaitMessage, message: string): WorkNotificationInput {
	const card: WorkNotificationInput = {
		msgtype: 'action_card',
		title: ask.title,
		text: askMarkdown(ask, message, { links: false, lineBreak: MARKDOWN_HARD_BREAK }),
	};
	if (ask.links.length === 1) {
		return {
			...card,
			buttonMode: 'single',
			singleTitle: ask.links[0].label,
			singleUrl: ask.links[0].url,
		};
	}
	return {
		...card,
		buttonMode: 'multiple',
		buttons: ask.links.map((link) => ({ title: link.label, url: link.url })),
		orientation: 'horizontal',
	};
}

function fits(ask: SendAndWaitMessage, message: string): boolean {
	try {
		buildWorkNotification(askCard(ask, message));
		return true;
	} catch {
		return false;
	}
}

export const sendAndWaitWorkNotification: NodeOperation = {
	value: SEND_AND_WAIT_OPERATION,
	name: 'Send and Wait for Response',
	action: 'Send a work notification and wait for response',
	description:
		'Send a work notification (工作通知) with Approve/Decline buttons or a form button, and pause the workflow until someone answers',
	properties: [...workNotificationRecipientProperties, ...sendAndWaitProperties()],
	async executeOnce(this: IExecuteFunctions) {
		return await sendAndWait.call(this, async (ask) => {
			const recipients = readWorkRecipients.call(this, 0);
			const agentId = await readAgentId.call(this, 0);
			// A work notification takes 2,048 bytes in all, the signed links included: the message gives way.
			const message = fitText(ask.message, (candidate) => fits(ask, candidate));
			const { msg } = buildWorkNotification(askCard(ask, message));
			await sendToRecipients.call(this, 0, agentId, recipients, msg);
		});
	},
};
