import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { BinaryFile } from '../../../shared/binaryFile';
import { textParameter } from '../shared/input';
import {
	buttonsProperty,
	commonMessageProperties,
	messageTypeProperty,
	forTypes,
	mediaSourceProperties,
	readButtons,
	readCommonMessage,
	readMediaSource,
} from '../shared/messageFields';
import type { OaInput, WorkNotificationInput, WorkNotificationType } from './message';
import { MAX_VOICE_SECONDS, WORK_NOTIFICATION_MEDIA_TYPES } from './message';

const oaValues: INodeProperties[] = [
	{
		displayName: 'Author',
		name: 'author',
		type: 'string',
		default: '',
		description: 'Author shown at the bottom of the body',
	},
	{
		displayName: 'Body Content',
		name: 'content',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		description: 'Text of the body',
	},
	{
		displayName: 'Body Image Media ID',
		name: 'image',
		type: 'string',
		default: '',
		description: 'Media_id of an image shown in the body (upload it first with Media → Upload)',
	},
	{
		displayName: 'Body Title',
		name: 'bodyTitle',
		type: 'string',
		default: '',
		description: 'Title at the top of the body',
	},
	{
		displayName: 'File Count',
		name: 'fileCount',
		type: 'string',
		default: '',
		description: 'Number of attachments shown in the body',
	},
	{
		displayName: 'PC Message URL',
		name: 'pcMessageUrl',
		type: 'string',
		default: '',
		description: 'Link opened by a click on the desktop client (pc_message_url)',
	},
	{
		displayName: 'Rich Number',
		name: 'richNum',
		type: 'string',
		default: '',
		placeholder: '15.6',
		description: 'A highlighted number in the body, e.g. an amount (rich.num)',
	},
	{
		displayName: 'Rich Unit',
		name: 'richUnit',
		type: 'string',
		default: '',
		placeholder: '元',
		description: 'Unit of the highlighted number (rich.unit)',
	},
	{
		displayName: 'Status Color',
		name: 'statusColor',
		type: 'color',
		default: '',
		description: 'Background colour of the status bar (status_bar.status_bg)',
	},
	{
		displayName: 'Status Text',
		name: 'statusValue',
		type: 'string',
		default: '',
		placeholder: '进行中',
		description: 'Text of the status bar (status_bar.status_value)',
	},
];

const MEDIA_TYPES = [...WORK_NOTIFICATION_MEDIA_TYPES] as string[];

/** The message type picker and the fields of every work notification type. */
export const workNotificationContentProperties: INodeProperties[] = [
	messageTypeProperty(
		'action_card',
		[
			{ name: 'Image (图片)', value: 'image', description: 'An image from a binary or a media_id' },
			{
				name: 'OA (OA 消息)',
				value: 'oa',
				description: 'A head, a body with title, form rows, a highlighted number and an author',
			},
			{
				name: 'Voice (语音)',
				value: 'voice',
				description: 'A recording from a binary or a media_id',
			},
		],
		'Kind of message (msgtype)',
	),
	...commonMessageProperties('action_card'),
	forTypes(['link'], {
		displayName: 'Picture URL',
		name: 'picUrl',
		type: 'string',
		default: '',
		required: true,
		description: 'Picture shown with the link: an image URL, or the media_id of an uploaded image',
	}),
	forTypes(['action_card'], {
		displayName: 'Buttons',
		name: 'buttonMode',
		type: 'options',
		options: [
			{
				name: 'One Button',
				value: 'single',
				description: 'One button that opens one link (single_title, single_url)',
			},
			{
				name: 'Several Buttons',
				value: 'multiple',
				description: 'Each button opens its own link (btn_json_list)',
			},
		],
		default: 'single',
		description: 'Whether the card has one button or several',
	}),
	forTypes(['action_card'], {
		displayName: 'Button Title',
		name: 'singleTitle',
		type: 'string',
		default: '',
		required: true,
		placeholder: '查看详情',
		displayOptions: { show: { buttonMode: ['single'] } },
		description: 'Text on the button',
	}),
	forTypes(['action_card'], {
		displayName: 'Button URL',
		name: 'singleUrl',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { buttonMode: ['single'] } },
		description: 'Link opened by the button',
	}),
	forTypes(['action_card'], {
		...buttonsProperty('The buttons of the card, in order'),
		displayOptions: { show: { buttonMode: ['multiple'] } },
	}),
	forTypes(['action_card'], {
		displayName: 'Button Orientation',
		name: 'orientation',
		type: 'options',
		options: [
			{ name: 'Vertical', value: 'vertical' },
			{ name: 'Horizontal', value: 'horizontal' },
		],
		default: 'vertical',
		displayOptions: { show: { buttonMode: ['multiple'] } },
		description: 'Whether the buttons are stacked or side by side (btn_orientation)',
	}),
	forTypes(['oa'], {
		displayName: 'Message URL',
		name: 'oaMessageUrl',
		type: 'string',
		default: '',
		required: true,
		description: 'Page opened by a click on the message (message_url)',
	}),
	forTypes(['oa'], {
		displayName: 'Head Text',
		name: 'oaHeadText',
		type: 'string',
		default: '',
		required: true,
		description:
			'Text of the coloured head (DingTalk shows the app name there in work notifications)',
	}),
	forTypes(['oa'], {
		displayName: 'Head Color',
		name: 'oaHeadColor',
		type: 'color',
		default: '#BBBBBB',
		required: true,
		description:
			"Background of the head (head.bgcolor); an expression may also give DingTalk's alpha + RGB form, e.g. FFBBBBBB",
	}),
	forTypes(['oa'], {
		displayName: 'Form',
		name: 'oaForm',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Row',
		default: {},
		description: 'Key/value rows of the body (body.form)',
		options: [
			{
				displayName: 'Row',
				name: 'row',
				values: [
					{
						displayName: 'Key',
						name: 'key',
						type: 'string',
						default: '',
						placeholder: '姓名:',
						description: 'Label of the row',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description: 'Value of the row',
					},
				],
			},
		],
	}),
	forTypes(['oa'], {
		displayName: 'OA Fields',
		name: 'oaFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: 'The other parts of the OA message',
		options: oaValues,
	}),
	...mediaSourceProperties(
		MEDIA_TYPES,
		'Media_id from Media → Upload; its type (image, voice or file) must match the message type',
	),
	forTypes(['voice'], {
		displayName: 'Duration (Seconds)',
		name: 'duration',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_VOICE_SECONDS },
		default: 10,
		required: true,
		description: 'Length of the recording in whole seconds (DingTalk: a positive integer under 60)',
	}),
];

function readOa(this: IExecuteFunctions, itemIndex: number): OaInput {
	const fields = this.getNodeParameter('oaFields', itemIndex, {}) as Record<string, unknown>;
	const form = (
		this.getNodeParameter('oaForm', itemIndex, {}) as {
			row?: Array<{ key?: unknown; value?: unknown }>;
		}
	).row;
	const field = (name: string) => (fields[name] === undefined ? '' : String(fields[name]));
	return {
		messageUrl: textParameter.call(this, 'oaMessageUrl', itemIndex),
		headText: textParameter.call(this, 'oaHeadText', itemIndex),
		headColor: textParameter.call(this, 'oaHeadColor', itemIndex),
		pcMessageUrl: field('pcMessageUrl'),
		statusValue: field('statusValue'),
		statusColor: field('statusColor'),
		bodyTitle: field('bodyTitle'),
		form: (form ?? []).map((row) => ({
			key: String(row.key ?? ''),
			value: String(row.value ?? ''),
		})),
		richNum: field('richNum'),
		richUnit: field('richUnit'),
		content: field('content'),
		image: field('image'),
		fileCount: field('fileCount'),
		author: field('author'),
	};
}

/**
 * What the user filled in for this item, as the pure builder takes it; for a media message with a binary source also
 * the file (read, not yet checked or uploaded).
 */
export async function readWorkNotificationInput(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<{ input: WorkNotificationInput; file?: BinaryFile }> {
	const msgtype = this.getNodeParameter('messageType', itemIndex) as WorkNotificationType;
	const text = (name: string) => textParameter.call(this, name, itemIndex);
	const input: WorkNotificationInput = {
		msgtype,
		...readCommonMessage.call(this, itemIndex, msgtype, 'action_card'),
	};
	switch (msgtype) {
		case 'action_card':
			input.buttonMode = this.getNodeParameter('buttonMode', itemIndex, 'single') as
				| 'single'
				| 'multiple';
			if (input.buttonMode === 'single') {
				input.singleTitle = text('singleTitle');
				input.singleUrl = text('singleUrl');
			} else {
				input.buttons = readButtons.call(this, itemIndex);
				input.orientation = this.getNodeParameter('orientation', itemIndex, 'vertical') as
					| 'vertical'
					| 'horizontal';
			}
			break;
		case 'oa':
			input.oa = readOa.call(this, itemIndex);
			break;
		default:
			break;
	}
	if (!WORK_NOTIFICATION_MEDIA_TYPES.includes(msgtype)) return { input };
	if (msgtype === 'voice') {
		input.duration = this.getNodeParameter('duration', itemIndex, 0) as number;
	}
	const source = await readMediaSource.call(this, itemIndex);
	if ('mediaId' in source) return { input: { ...input, mediaId: source.mediaId } };
	return { input, file: source.file };
}
