import type { IDataObject } from 'n8n-workflow';

import { countWithin, MessageInputError, requiredText } from '../../../shared/messageInput';

const PLATFORM = 'DingTalk';

export type RobotMessageType = 'text' | 'markdown' | 'link' | 'actionCard' | 'feedCard';

export interface Mentions {
	mobiles?: string[];
	userIds?: string[];
	all?: boolean;
	/**
	 * DingTalk renders an @ only where the text contains "@<mobile>" / "@<userId>": add the ones the text lacks at
	 * its end. Off, the mention still notifies the member but shows nothing in the text.
	 */
	addToText?: boolean;
}

export interface ActionButton {
	title: string;
	actionURL: string;
}

export interface FeedLink {
	title: string;
	messageURL: string;
	picURL: string;
}

/** One robot message as a user describes it; `buildRobotMessage` turns it into DingTalk's body. */
export type RobotMessage =
	| { msgtype: 'text'; content: string; at?: Mentions }
	| { msgtype: 'markdown'; title: string; text: string; at?: Mentions }
	| { msgtype: 'link'; title: string; text: string; messageUrl: string; picUrl?: string }
	| {
			msgtype: 'actionCard';
			title: string;
			text: string;
			/** One button: the whole card opens one link. */
			single?: { title: string; url: string };
			/** Several buttons, each with its own link. */
			buttons?: ActionButton[];
			orientation?: 'vertical' | 'horizontal';
	  }
	| { msgtype: 'feedCard'; links: FeedLink[] };

function unique(list: string[] | undefined): string[] {
	return [...new Set((list ?? []).map((v) => v.trim()).filter((v) => v !== ''))];
}

/** The `at` object and the text with the @s it must show (or the text unchanged when nobody is mentioned). */
function mention(text: string, at: Mentions | undefined, separator: string) {
	const mobiles = unique(at?.mobiles);
	const userIds = unique(at?.userIds);
	const bad = mobiles.find((m) => !/^\+?[0-9][0-9-]{2,}$/.test(m));
	if (bad !== undefined) {
		throw new MessageInputError(
			`Mention Mobiles: "${bad}" is not a mobile number (digits, optionally with + and -)`,
		);
	}
	if (!mobiles.length && !userIds.length && !at?.all) return { text };
	const missing = [...mobiles, ...userIds]
		.map((id) => `@${id}`)
		.filter((tag) => !text.includes(tag));
	return {
		text:
			at?.addToText !== false && missing.length ? `${text}${separator}${missing.join(' ')}` : text,
		at: { atMobiles: mobiles, atUserIds: userIds, isAtAll: at?.all === true },
	};
}

function required(field: string, value: unknown): string {
	return requiredText(PLATFORM, field, value).trim();
}

/**
 * The body of `POST /robot/send` for one message: pure (no parameters read, no call made), so any operation that
 * posts through a custom robot can reuse it. Throws a MessageInputError for input DingTalk would refuse.
 */
export function buildRobotMessage(message: RobotMessage): IDataObject {
	switch (message.msgtype) {
		case 'text': {
			const { text, at } = mention(
				requiredText(PLATFORM, 'Content', message.content),
				message.at,
				' ',
			);
			return { msgtype: 'text', text: { content: text }, ...(at ? { at } : {}) };
		}
		case 'markdown': {
			const title = required('Title', message.title);
			const body = mention(requiredText(PLATFORM, 'Text', message.text), message.at, '\n\n');
			return {
				msgtype: 'markdown',
				markdown: { title, text: body.text },
				...(body.at ? { at: body.at } : {}),
			};
		}
		case 'link':
			return {
				msgtype: 'link',
				link: {
					title: required('Title', message.title),
					text: required('Text', message.text),
					messageUrl: required('Message URL', message.messageUrl),
					...(message.picUrl?.trim() ? { picUrl: message.picUrl.trim() } : {}),
				},
			};
		case 'actionCard': {
			const card: IDataObject = {
				title: required('Title', message.title),
				text: requiredText(PLATFORM, 'Text', message.text),
			};
			if (message.single) {
				card.singleTitle = required('Button Title', message.single.title);
				card.singleURL = required('Button URL', message.single.url);
			} else {
				const buttons = countWithin(PLATFORM, 'Buttons', message.buttons ?? [], 1);
				card.btnOrientation = message.orientation === 'horizontal' ? '1' : '0';
				card.btns = buttons.map((b, i) => ({
					title: required(`Button ${i + 1} title`, b.title),
					actionURL: required(`Button ${i + 1} URL`, b.actionURL),
				}));
			}
			return { msgtype: 'actionCard', actionCard: card };
		}
		case 'feedCard': {
			const links = countWithin(PLATFORM, 'Links', message.links, 1);
			return {
				msgtype: 'feedCard',
				feedCard: {
					links: links.map((l, i) => ({
						title: required(`Link ${i + 1} title`, l.title),
						messageURL: required(`Link ${i + 1} URL`, l.messageURL),
						picURL: required(`Link ${i + 1} picture URL`, l.picURL),
					})),
				},
			};
		}
	}
	throw new MessageInputError(
		`Unknown message type "${String((message as { msgtype?: unknown }).msgtype)}"`,
	);
}
