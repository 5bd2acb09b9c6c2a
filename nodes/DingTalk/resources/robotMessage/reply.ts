import type { IDataObject, IExecuteFunctions, INodeProperties, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { isThrottled } from '../../../DingTalkGroupRobot/errors';
import {
	buildRobotMessage as buildWebhookBody,
	type RobotMessage as WebhookMessage,
} from '../../../DingTalkGroupRobot/resources/message/build';
import type { NodeOperation } from '../../../shared/operations';
import { redact } from '../../../shared/redact';
import { robotCall } from '../../../shared/robotCall';
import { baseUrlOf, DINGTALK_OAPI_BASE_URL } from '../../hosts';
import { CREDENTIAL_TYPE } from '../../transport';
import { readIds } from '../shared/input';
import { readRobotMessageInput, robotMessageContentProperties } from './fields';
import { buildRobotMessage, type RobotMessage } from './message';

/** What a sessionWebhook takes: the custom robot's message types, without the app robot's image and file. */
const REPLY_TYPES = ['text', 'markdown', 'link', 'actionCard'];

const SESSION_PATH = '/robot/sendBySession';

/** errcode of a sessionWebhook that expired or never existed ("session 不存在", field reports). */
const SESSION_GONE = 300001;

const EXPIRED = {
	en: 'The sessionWebhook of this robot message is no longer valid: DingTalk accepts replies only for a while after the message (see sessionWebhookExpiredTime). Reply sooner, or send with Robot Message → Send to the conversation (openConversationId) or the sender (staff ID) instead.',
	zh: '该机器人消息的 sessionWebhook 已失效：钉钉只在消息到达后的一段时间内（见 sessionWebhookExpiredTime）接受回复。请更早回复，或改用"机器人消息 → 发送"发往该会话（openConversationId）或发送者（员工 ID）。',
};

function replyProperties(): INodeProperties[] {
	return robotMessageContentProperties.map((property) =>
		property.name === 'messageType'
			? {
					...property,
					options: (property.options ?? []).filter((option) =>
						REPLY_TYPES.includes(String((option as { value?: unknown }).value)),
					),
					description: 'Kind of reply (msgtype)',
				}
			: property,
	);
}

/** The time a sessionWebhook dies, from ms or s since 1970 or a date text; undefined when not given or unreadable. */
function expiryOf(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const number = Number(value);
	if (Number.isFinite(number) && number > 0) return number < 1e12 ? number * 1000 : number;
	const parsed = Date.parse(String(value));
	return Number.isFinite(parsed) ? parsed : undefined;
}

/** The app robot's message as a sessionWebhook body (the custom robot's format). */
function webhookMessage(message: RobotMessage, atUserIds: string[]): WebhookMessage {
	const at = atUserIds.length ? { userIds: atUserIds } : undefined;
	switch (message.type) {
		case 'text':
			return { msgtype: 'text', content: message.content, at };
		case 'markdown':
			return { msgtype: 'markdown', title: message.title, text: message.text, at };
		case 'link':
			return {
				msgtype: 'link',
				title: message.title,
				text: message.text,
				messageUrl: message.messageUrl,
				picUrl: message.picUrl,
			};
		case 'actionCard':
			return message.buttons.length === 1
				? {
						msgtype: 'actionCard',
						title: message.title,
						text: message.text,
						single: { title: message.buttons[0].title, url: message.buttons[0].url },
					}
				: {
						msgtype: 'actionCard',
						title: message.title,
						text: message.text,
						buttons: message.buttons.map((b) => ({ title: b.title, actionURL: b.url })),
					};
		default:
			throw new Error(
				`A reply cannot be of type "${message.type}": use text, markdown, link or action card`,
			);
	}
}

export const replyRobotMessage: NodeOperation = {
	value: 'reply',
	name: 'Reply',
	action: 'Reply to a robot message',
	description:
		'Answer a message sent to the robot, in the same chat, through the sessionWebhook the DingTalk Trigger gives with each robot message (no access token needed; it expires)',
	properties: [
		{
			displayName: 'Session Webhook',
			name: 'sessionWebhook',
			type: 'string',
			typeOptions: { password: true },
			default: '={{ $json.sessionWebhook }}',
			required: true,
			description:
				'The sessionWebhook of the robot message to answer, as the DingTalk Trigger gives it. It is a credential of the chat: it never appears in an error.',
		},
		{
			displayName: 'Session Webhook Expires At',
			name: 'sessionWebhookExpiredTime',
			type: 'string',
			default: '={{ $json.sessionWebhookExpiredTime }}',
			description:
				'When the sessionWebhook dies (ms since 1970 or a date), as the trigger gives it; a reply after that fails at once with a clear message. Empty skips the check.',
		},
		...replyProperties(),
		{
			displayName: 'Mention User IDs',
			name: 'atUserIds',
			type: 'string',
			default: '',
			placeholder: '={{ $json.senderStaffId }}',
			displayOptions: { show: { messageType: ['text', 'markdown'] } },
			description:
				'Staff IDs to @mention in a group chat (at.atUserIds), separated by commas; e.g. the sender',
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const fail = (message: string): never => {
			throw new NodeOperationError(this.getNode(), message, { itemIndex });
		};
		const raw = String(this.getNodeParameter('sessionWebhook', itemIndex, '') ?? '').trim();
		const credentials = await this.getCredentials(CREDENTIAL_TYPE);
		let url: URL | undefined;
		try {
			url = new URL(raw);
		} catch {
			url = undefined;
		}
		const allowedHosts = new Set([
			new URL(DINGTALK_OAPI_BASE_URL).host,
			new URL(baseUrlOf(credentials.oapiBaseUrl, DINGTALK_OAPI_BASE_URL)).host,
		]);
		if (raw === '') {
			fail(
				'Session Webhook is empty: map the sessionWebhook of a robot message from the DingTalk Trigger ({{ $json.sessionWebhook }})',
			);
		}
		if (
			!url ||
			!/^https?:$/.test(url.protocol) ||
			url.pathname !== SESSION_PATH ||
			!url.searchParams.get('session') ||
			!allowedHosts.has(url.host)
		) {
			fail(
				`Session Webhook is not a DingTalk sessionWebhook: it must be ${DINGTALK_OAPI_BASE_URL}${SESSION_PATH}?session=… (or on the credential's API Host (Old API)), as a robot message gives it`,
			);
		}
		const webhook = url as URL;
		const expiresAt = expiryOf(this.getNodeParameter('sessionWebhookExpiredTime', itemIndex, ''));
		if (expiresAt !== undefined && expiresAt <= Date.now()) {
			fail(`${EXPIRED.en} It expired at ${new Date(expiresAt).toISOString()}. ${EXPIRED.zh}`);
		}
		const { input } = await readRobotMessageInput.call(this, itemIndex);
		if (!REPLY_TYPES.includes(input.type)) {
			fail(
				`Message Type "${input.type}" cannot be a reply: use text, markdown, link or action card`,
			);
		}
		const atUserIds =
			input.type === 'text' || input.type === 'markdown'
				? readIds.call(this, itemIndex, 'atUserIds', 'Mention User IDs')
				: [];
		const body = buildWebhookBody(webhookMessage(buildRobotMessage(input).message, atUserIds));
		const secrets = [raw, webhook.searchParams.get('session'), webhook.search];
		const result = await robotCall.call(this, {
			platform: 'DingTalk',
			target: `session:${webhook.searchParams.get('session')}`,
			path: SESSION_PATH,
			posts: true,
			secrets,
			itemIndex,
			send: async () =>
				(await this.helpers.httpRequest({
					method: 'POST',
					url: raw,
					body,
					json: true,
				})) as IDataObject,
			isThrottled: (answer) => isThrottled(Number(answer.errcode), String(answer.errmsg ?? '')),
		});
		const errcode = Number(result.answer.errcode ?? 0);
		if (errcode === 0) return { sent: true, msgtype: body.msgtype };
		const errmsg = redact(String(result.answer.errmsg ?? ''), secrets);
		const gone = errcode === SESSION_GONE;
		throw new NodeApiError(this.getNode(), { errcode, errmsg } as JsonObject, {
			message: gone
				? `${EXPIRED.en} (DingTalk ${errcode}: ${errmsg})`
				: `DingTalk refused the reply (errcode ${errcode}: ${errmsg || 'no message'})${result.waitedNote}`,
			description: gone
				? `${EXPIRED.en}\n${EXPIRED.zh}\nDingTalk errcode ${errcode}, errmsg: ${errmsg}`
				: `DingTalk errcode ${errcode}, errmsg: ${errmsg || 'no message'}\nAPI: ${SESSION_PATH}`,
			itemIndex,
		});
	},
};
