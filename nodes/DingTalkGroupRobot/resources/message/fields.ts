import type { INodeProperties } from 'n8n-workflow';

import { shownWhen } from '../../../shared/displayOptions';
import type { RobotMessageType } from './build';

function shownFor(types: RobotMessageType[], property: INodeProperties): INodeProperties {
	return shownWhen({ messageType: types }, property);
}

const url = (displayName: string, name: string, description: string): INodeProperties => ({
	displayName,
	name,
	type: 'string',
	default: '',
	description,
});

export const messageProperties: INodeProperties[] = [
	{
		displayName: 'Message Type',
		name: 'messageType',
		type: 'options',
		options: [
			{
				name: 'Action Card (卡片)',
				value: 'actionCard',
				description: 'A markdown card with one link button or several buttons',
			},
			{
				name: 'Feed Card (多图文)',
				value: 'feedCard',
				description: 'Several linked entries, each with a picture',
			},
			{ name: 'Link (链接)', value: 'link', description: 'A title, a text, a picture and a link' },
			{
				name: 'Markdown',
				value: 'markdown',
				description: 'DingTalk markdown with a title; can @mention members',
			},
			{ name: 'Text (文本)', value: 'text', description: 'Plain text; can @mention members' },
		],
		default: 'text',
		description: 'Kind of message (msgtype)',
	},
	shownFor(['text'], {
		displayName: 'Content',
		name: 'content',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		description:
			'Text of the message. With a keyword-secured robot it must contain one of the keywords.',
	}),
	shownFor(['markdown', 'link', 'actionCard'], {
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		required: true,
		description: 'Shown in the chat list and the notification',
	}),
	shownFor(['markdown', 'actionCard'], {
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 6 },
		default: '',
		required: true,
		description:
			'Markdown: headings, bold, italics, links, images, lists and quotes (DingTalk markdown subset)',
	}),
	shownFor(['link'], {
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		description: 'Text under the title (long text is cut short in the chat)',
	}),
	shownFor(['link'], {
		...url('Message URL', 'messageUrl', 'Page opened by a click on the message'),
		required: true,
	}),
	shownFor(['link'], url('Picture URL', 'picUrl', 'Picture shown beside the text')),
	shownFor(['actionCard'], {
		displayName: 'Buttons',
		name: 'buttonLayout',
		type: 'options',
		options: [
			{
				name: 'One Button',
				value: 'single',
				description: 'One button; the whole card opens its link',
			},
			{
				name: 'Several Buttons',
				value: 'several',
				description: 'Each button opens its own link',
			},
		],
		default: 'single',
		description: 'Whether the card has one button or several',
	}),
	shownFor(['actionCard'], {
		displayName: 'Button Title',
		name: 'singleTitle',
		type: 'string',
		default: '阅读全文',
		required: true,
		displayOptions: { show: { buttonLayout: ['single'] } },
		description: 'Label of the button (singleTitle)',
	}),
	shownFor(['actionCard'], {
		...url('Button URL', 'singleUrl', 'Page the button opens (singleURL)'),
		required: true,
		displayOptions: { show: { buttonLayout: ['single'] } },
	}),
	shownFor(['actionCard'], {
		displayName: 'Buttons',
		name: 'buttons',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Button',
		default: {},
		displayOptions: { show: { buttonLayout: ['several'] } },
		description: 'The buttons, each with its own link (btns)',
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
						description: 'Label of the button',
					},
					url('URL', 'actionURL', 'Page the button opens'),
				],
			},
		],
	}),
	shownFor(['actionCard'], {
		displayName: 'Button Orientation',
		name: 'btnOrientation',
		type: 'options',
		options: [
			{ name: 'Vertical', value: 'vertical' },
			{ name: 'Horizontal', value: 'horizontal' },
		],
		default: 'vertical',
		displayOptions: { show: { buttonLayout: ['several'] } },
		description: 'Whether the buttons are stacked or side by side (btnOrientation)',
	}),
	shownFor(['feedCard'], {
		displayName: 'Links',
		name: 'links',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Link',
		default: {},
		description: 'The entries of the card, each with a title, a link and a picture',
		options: [
			{
				displayName: 'Link',
				name: 'link',
				values: [
					{
						displayName: 'Title',
						name: 'title',
						type: 'string',
						default: '',
						description: 'Text of the entry',
					},
					url('URL', 'messageURL', 'Page opened by a click on the entry'),
					url('Picture URL', 'picURL', 'Picture of the entry'),
				],
			},
		],
	}),
	shownFor(['text', 'markdown'], {
		displayName: 'Mention Everyone (@所有人)',
		name: 'mentionAll',
		type: 'boolean',
		default: false,
		description: 'Whether to @mention every member of the group (isAtAll)',
	}),
	shownFor(['text', 'markdown'], {
		displayName: 'Mention Mobiles',
		name: 'mentionMobiles',
		type: 'string',
		default: '',
		placeholder: '13800001111, 13900002222',
		hint: 'An expression may give an array of numbers or one string separated by , or |',
		description: 'Mobile numbers of members to @mention (atMobiles)',
	}),
	shownFor(['text', 'markdown'], {
		displayName: 'Mention User IDs',
		name: 'mentionUserIds',
		type: 'string',
		default: '',
		placeholder: 'manager4220, 0925',
		hint: 'An expression may give an array of userIds or one string separated by , or |',
		description: 'DingTalk userIds of members to @mention (atUserIds)',
	}),
	shownFor(['text', 'markdown'], {
		displayName: 'Add Mentions to Text',
		name: 'mentionsInText',
		type: 'boolean',
		default: true,
		description:
			'Whether to append "@mobile" / "@userId" for each mention the text lacks: DingTalk shows an @ only where the text has it',
	}),
];
