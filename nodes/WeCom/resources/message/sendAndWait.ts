import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { SEND_AND_WAIT_OPERATION } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import type { SendAndWaitMessage } from '../../../shared/sendAndWait';
import {
	cutBytes,
	deadlineLine,
	sendAndWait,
	sendAndWaitProperties,
} from '../../../shared/sendAndWait';
import { templateCardBody } from '../../../shared/wecom/templateCard';
import { CREDENTIAL_TYPE } from '../../transport';
import { byteLength, checkBytes, inputError, LIMITS } from '../../../shared/wecom/limits';
import { readRecipients, recipientProperties } from './recipients';
import { sendBatches } from './send';

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
				'A text notice card with one link per answer under it (Approve, Decline); a tap on the card opens a page with every choice. WeCom app only.',
		},
		{
			name: 'Text Card (文本卡片)',
			value: 'textCard',
			description:
				'A card with one button that opens a page with every choice. Also shown in WeChat (微信插件).',
		},
	],
	description: 'How the question looks in WeCom',
};

/** A text card carries one link: the page with every choice; its button names the only choice when there is one. */
function textCardBody(ask: SendAndWaitMessage): IDataObject {
	const due = deadlineLine(ask);
	const tail = due ? `\n<div class="gray">${due}</div>` : '';
	const description = `${cutBytes(ask.message, LIMITS.descriptionBytes - byteLength(tail))}${tail}`;
	const button = [...ask.mainLabel].length <= LIMITS.buttonTextChars ? ask.mainLabel : '';
	return {
		msgtype: 'textcard',
		textcard: {
			title: ask.title,
			description,
			url: ask.mainUrl,
			...(button ? { btntxt: button } : {}),
		},
	};
}

async function appAgentId(this: IExecuteFunctions): Promise<number> {
	const { agentId } = await this.getCredentials(CREDENTIAL_TYPE);
	const agentid = Number(agentId);
	if (!Number.isInteger(agentid) || agentid <= 0) {
		throw inputError.call(
			this,
			0,
			"The credential's Agent ID is not a number: copy the AgentId of the app (应用管理 → the app → AgentId)",
		);
	}
	return agentid;
}

export const sendAndWaitOperation: NodeOperation = {
	value: SEND_AND_WAIT_OPERATION,
	name: 'Send and Wait for Response',
	action: 'Send message and wait for response',
	description:
		'Send an app message with Approve/Decline links or a form link, and pause the workflow until someone answers',
	properties: [...recipientProperties, messageStyle, ...sendAndWaitProperties()],
	async executeOnce(this: IExecuteFunctions) {
		return await sendAndWait.call(this, async (ask) => {
			const recipients = readRecipients.call(this, 0);
			checkBytes.call(this, 0, 'Title', ask.title, LIMITS.titleBytes);
			const style = this.getNodeParameter('messageStyle', 0, 'templateCard') as string;
			const body = style === 'textCard' ? textCardBody(ask) : templateCardBody(ask);
			const agentid = await appAgentId.call(this);
			await sendBatches.call(this, 0, recipients, { ...body, agentid });
		});
	},
};
