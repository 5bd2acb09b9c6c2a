import type { IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { BinaryFile } from '../../../shared/binaryFile';
import { binaryPropertyField, readBinaryFile } from '../../../shared/binaryFile';
import { contentField, fileSourceField, showWhen } from '../../../shared/messageFields';
import { textParameter } from './input';

/** Shows a field only for some message types. */
export function forTypes(types: string[], property: INodeProperties): INodeProperties {
	return showWhen(property, { messageType: types });
}

/** Where the file of a media message comes from: an input binary (uploaded first) or a media_id. */
export function mediaSourceProperties(types: string[], mediaIdHint: string): INodeProperties[] {
	return [
		forTypes(types, fileSourceField('Upload a file from the input item first (Media → Upload)')),
		forTypes(types, {
			...binaryPropertyField,
			displayOptions: { show: { mediaSource: ['binary'] } },
		}),
		forTypes(types, {
			displayName: 'Media ID',
			name: 'mediaId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '@lADPDgQ9qXXXXXXXX',
			displayOptions: { show: { mediaSource: ['mediaId'] } },
			description: mediaIdHint,
		}),
	];
}

/**
 * The fields both DingTalk message families share: Content (text), Title and Text (markdown, link, action card) and the
 * link's Message URL; `cards` names the action card type of the family.
 */
export function commonMessageProperties(cards: string): INodeProperties[] {
	const titled = ['markdown', 'link', cards];
	return [
		forTypes(['text'], contentField('Text of the message')),
		forTypes(titled, {
			displayName: 'Title',
			name: 'title',
			type: 'string',
			default: '',
			required: true,
			description: 'Title (for markdown and cards it is what the conversation list shows)',
		}),
		forTypes(titled, {
			displayName: 'Text',
			name: 'text',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			required: true,
			description:
				'Body of the message; markdown for Markdown and Action Card, plain text for Link',
		}),
		forTypes(['link'], {
			displayName: 'Message URL',
			name: 'messageUrl',
			type: 'string',
			default: '',
			required: true,
			description: 'Page opened by a click on the message',
		}),
	];
}

export interface CommonMessageInput {
	content?: string;
	title?: string;
	text?: string;
	messageUrl?: string;
	picUrl?: string;
}

/** What commonMessageProperties (and the link's Picture URL) hold for this item and message type. */
export function readCommonMessage(
	this: IExecuteFunctions,
	itemIndex: number,
	type: string,
	cards: string,
): CommonMessageInput {
	// Message text keeps its own line breaks and spacing; names and links are trimmed.
	const raw = (name: string) => String(this.getNodeParameter(name, itemIndex, '') ?? '');
	const text = (name: string) => textParameter.call(this, name, itemIndex);
	if (type === 'text') return { content: raw('content') };
	if (type !== 'markdown' && type !== 'link' && type !== cards) return {};
	const input: CommonMessageInput = { title: text('title'), text: raw('text') };
	if (type === 'link') {
		input.messageUrl = text('messageUrl');
		input.picUrl = text('picUrl');
	}
	return input;
}

/**
 * The message type picker: the types both families offer (`cards` is the value each gives its action card) and the
 * family's own.
 */
export function messageTypeProperty(
	cards: string,
	own: INodePropertyOptions[],
	description: string,
): INodeProperties {
	return {
		displayName: 'Message Type',
		name: 'messageType',
		type: 'options',
		options: [...commonTypeOptions(cards), ...own].sort((a, b) => a.name.localeCompare(b.name)),
		default: 'text',
		description,
	};
}

function commonTypeOptions(cards: string): INodePropertyOptions[] {
	return [
		{
			name: 'Action Card (卡片)',
			value: cards,
			description: 'Markdown with buttons, each opening a link',
		},
		{ name: 'File (文件)', value: 'file', description: 'A file from a binary or a media_id' },
		{ name: 'Link (链接)', value: 'link', description: 'A title, a text and a link' },
		{ name: 'Markdown', value: 'markdown', description: "DingTalk's markdown subset" },
		{ name: 'Text (文本)', value: 'text', description: 'Plain text' },
	];
}

/** The file of a media message: the media_id given, or the input binary (read, not yet checked). */
export async function readMediaSource(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<{ mediaId: string } | { file: BinaryFile }> {
	if (this.getNodeParameter('mediaSource', itemIndex, 'binary') === 'mediaId') {
		return { mediaId: textParameter.call(this, 'mediaId', itemIndex) };
	}
	const property = textParameter.call(this, 'binaryPropertyName', itemIndex) || 'data';
	return { file: await readBinaryFile.call(this, itemIndex, property) };
}

/** A button: its text and the link it opens. */
export interface LinkButton {
	title: string;
	url: string;
}

/** A list of buttons, each a title and the link it opens. */
export function buttonsProperty(description: string): INodeProperties {
	return {
		displayName: 'Buttons',
		name: 'buttons',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Button',
		default: {},
		description,
		options: [
			{
				displayName: 'Button',
				name: 'button',
				values: [
					{
						displayName: 'Title',
						name: 'title',
						type: 'string',
						default: '',
						description: 'Text on the button',
					},
					{
						displayName: 'URL',
						name: 'url',
						type: 'string',
						default: '',
						description: 'Link opened by the button (https://, or a dingtalk:// link)',
					},
				],
			},
		],
	};
}

export function readButtons(this: IExecuteFunctions, itemIndex: number): LinkButton[] {
	const raw = this.getNodeParameter('buttons', itemIndex, {}) as {
		button?: Array<{ title?: unknown; url?: unknown }>;
	};
	return (raw.button ?? []).map((b) => ({
		title: String(b.title ?? '').trim(),
		url: String(b.url ?? '').trim(),
	}));
}
