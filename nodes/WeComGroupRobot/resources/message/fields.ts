import type { INodeProperties } from 'n8n-workflow';

import { shownWhen } from '../../../shared/displayOptions';
import { binaryPropertyField, fileNameOption } from '../../../shared/binaryFile';
import { templateCardProperties } from '../../../shared/wecom/templateCard';
import type { RobotMessageType } from './build';
import { ROBOT_CARD_TYPES } from './build';

function shownFor(types: RobotMessageType[], property: INodeProperties): INodeProperties {
	return shownWhen({ messageType: types }, property);
}

/** The app's template card fields, cut down to what a robot sends: no button cards, no member picker (no app). */
function robotCardProperty(property: INodeProperties): INodeProperties[] {
	switch (property.name) {
		case 'cardTaskId':
		case 'cardButtons':
			return [];
		case 'cardType':
			return [
				{
					...property,
					options: (property.options ?? []).filter((o) =>
						ROBOT_CARD_TYPES.includes(String((o as { value: unknown }).value)),
					),
				},
			];
		case 'templateCardMode':
			return [
				{
					...property,
					options: [
						{
							name: 'Fields',
							value: 'fields',
							description: 'Build a text notice or news notice from the fields below',
						},
						{
							name: 'JSON',
							value: 'json',
							description: 'Give the whole template_card object (text_notice or news_notice)',
						},
					],
				},
			];
		case 'templateCardJson':
			return [
				{
					...property,
					description:
						'The template_card object as WeCom documents it for group robots, with card_type text_notice or news_notice',
				},
			];
		case 'cardFields':
			return [{ ...property, options: (property.options ?? []).map(withoutUserPicker) }];
		default:
			return [property];
	}
}

/** The horizontal-content member field lists the app's users; a robot has no app, so it takes a typed userid. */
function withoutUserPicker<T>(option: T): T {
	const collection = option as unknown as INodeProperties;
	if (collection.name !== 'horizontalContent') return option;
	return {
		...collection,
		options: (collection.options ?? []).map((group) => {
			const values = (group as { values?: INodeProperties[] }).values;
			return {
				...group,
				values: values?.map((value) =>
					value.name === 'userid'
						? {
								displayName: 'User ID',
								name: 'userid',
								type: 'string',
								default: '',
								description: 'The userid of the member to show (type Member)',
							}
						: value,
				),
			};
		}),
	} as unknown as T;
}

const articleValues: INodeProperties[] = [
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		description: 'Title of the article (WeCom cuts it at 128 bytes)',
	},
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		default: '',
		description: 'Summary under the title (WeCom cuts it at 512 bytes)',
	},
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		default: '',
		description: 'Page opened by a click, with http:// or https://',
	},
	{
		displayName: 'Picture URL',
		name: 'picurl',
		type: 'string',
		default: '',
		description: 'Cover image, JPG or PNG (1068×455 for the first article, 150×150 for the others)',
	},
];

export const messageTypeField: INodeProperties = {
	displayName: 'Message Type',
	name: 'messageType',
	type: 'options',
	options: [
		{
			name: 'File (文件)',
			value: 'file',
			description: 'A file of at most 20 MB, uploaded with the robot key',
		},
		{
			name: 'Image (图片)',
			value: 'image',
			description: 'A JPG or PNG of at most 2 MB from binary data',
		},
		{
			name: 'Markdown',
			value: 'markdown',
			description: 'WeCom markdown with font colours and &lt;@userid&gt; mentions',
		},
		{
			name: 'Markdown V2',
			value: 'markdown_v2',
			description: 'Tables, lists, images and code blocks; no font colours, no mentions',
		},
		{ name: 'News (图文)', value: 'news', description: 'One to eight linked articles' },
		{
			name: 'Template Card (模板卡片)',
			value: 'template_card',
			description: 'A text notice or news notice card',
		},
		{ name: 'Text (文本)', value: 'text', description: 'Plain text that can @mention members' },
		{
			name: 'Voice (语音)',
			value: 'voice',
			description: 'An AMR recording of at most 2 MB and 60 seconds',
		},
	],
	default: 'text',
	description: 'Kind of message (msgtype)',
};

export const messageProperties: INodeProperties[] = [
	messageTypeField,
	shownFor(['text'], {
		displayName: 'Content',
		name: 'content',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		description:
			'Text of the message, at most 2,048 bytes (UTF-8: a Chinese character takes 3 bytes)',
	}),
	shownFor(['markdown', 'markdown_v2'], {
		displayName: 'Content',
		name: 'content',
		type: 'string',
		typeOptions: { rows: 6 },
		default: '',
		required: true,
		description: 'Markdown text, at most 4,096 bytes (UTF-8: a Chinese character takes 3 bytes)',
	}),
	shownFor(['markdown'], {
		displayName:
			'Markdown: headings, bold, links, quotes, inline code, &lt;font color="info|comment|warning"&gt;…&lt;/font&gt;, and &lt;@userid&gt; to mention a member',
		name: 'markdownNotice',
		type: 'notice',
		default: '',
	}),
	shownFor(['markdown_v2'], {
		displayName:
			'Markdown V2 adds tables, lists, images and code blocks, but has no font colours and no &lt;@userid&gt; mentions; older WeCom clients show it as plain text',
		name: 'markdownV2Notice',
		type: 'notice',
		default: '',
	}),
	shownFor(['text'], {
		displayName: 'Mention Everyone (@all)',
		name: 'mentionAll',
		type: 'boolean',
		default: false,
		description: 'Whether to @mention every member of the group',
	}),
	shownFor(['text'], {
		displayName: 'Mention User IDs',
		name: 'mentionUserIds',
		type: 'string',
		default: '',
		placeholder: 'zhangsan, lisi',
		hint: 'An expression may give an array of userids or one string separated by , or |',
		description: 'Userids of members to @mention (mentioned_list)',
	}),
	shownFor(['text'], {
		displayName: 'Mention Mobiles',
		name: 'mentionMobiles',
		type: 'string',
		default: '',
		placeholder: '13800001111, 13900002222',
		hint: 'An expression may give an array of numbers or one string separated by , or |',
		description: 'Mobile numbers of members to @mention (mentioned_mobile_list)',
	}),
	shownFor(['image'], {
		...binaryPropertyField,
		hint: 'The input binary field holding a JPG or PNG image of at most 2 MB',
	}),
	shownFor(['file', 'voice'], {
		displayName: 'File Source',
		name: 'mediaSource',
		type: 'options',
		options: [
			{
				name: 'Binary File',
				value: 'binary',
				description: "Upload a file from the input item first, with the robot's key",
			},
			{
				name: 'Media ID',
				value: 'mediaId',
				description: 'A media_id this robot uploaded within the last 3 days',
			},
		],
		default: 'binary',
		description: 'Where the file comes from',
	}),
	shownFor(['file', 'voice'], {
		...binaryPropertyField,
		displayOptions: { show: { mediaSource: ['binary'] } },
	}),
	shownFor(['file', 'voice'], {
		displayName: 'Media ID',
		name: 'mediaId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { mediaSource: ['mediaId'] } },
		description:
			"A media_id from this robot's upload (valid 3 days; another robot's media_id is refused)",
	}),
	shownFor(['file', 'voice'], {
		displayName: 'Options',
		name: 'fileOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { mediaSource: ['binary'] } },
		options: [fileNameOption],
	}),
	shownFor(['news'], {
		displayName: 'Articles',
		name: 'articles',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Article',
		default: {},
		description: 'One to eight articles',
		options: [{ displayName: 'Article', name: 'article', values: articleValues }],
	}),
	...templateCardProperties.flatMap(robotCardProperty).map((p) => shownFor(['template_card'], p)),
];
