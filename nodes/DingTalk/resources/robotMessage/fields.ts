import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { BinaryFile } from '../../../shared/binaryFile';
import { binaryPropertyField, readBinaryFile } from '../../../shared/binaryFile';
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
import type { RobotMessageInput, RobotMessageType } from './message';
import { MAX_ROBOT_BUTTONS } from './message';

/** The message type picker and the fields of every robot message type. */
export const robotMessageContentProperties: INodeProperties[] = [
	messageTypeProperty(
		'actionCard',
		[
			{
				name: 'Image (图片)',
				value: 'image',
				description: 'An image from a binary, a URL or a media_id',
			},
		],
		'Kind of message (msgKey: sampleText, sampleMarkdown, …)',
	),
	...commonMessageProperties('actionCard'),
	forTypes(['link'], {
		displayName: 'Picture URL',
		name: 'picUrl',
		type: 'string',
		default: '',
		description: 'Picture shown with the link',
	}),
	forTypes(['actionCard'], {
		...buttonsProperty(
			`1 to ${MAX_ROBOT_BUTTONS} buttons, stacked: one button is sampleActionCard, 2 to 5 are sampleActionCard2 to sampleActionCard5`,
		),
	}),
	forTypes(['image'], {
		displayName: 'Image Source',
		name: 'imageSource',
		type: 'options',
		options: [
			{
				name: 'Binary File',
				value: 'binary',
				description: 'Upload an image from the input item first (Media → Upload)',
			},
			{
				name: 'URL or Media ID',
				value: 'url',
				description: 'An image URL, or the media_id of an uploaded image',
			},
		],
		default: 'binary',
		description: 'Where the image comes from',
	}),
	forTypes(['image'], {
		...binaryPropertyField,
		displayOptions: { show: { imageSource: ['binary'] } },
	}),
	forTypes(['image'], {
		displayName: 'Image URL or Media ID',
		name: 'photoUrl',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { imageSource: ['url'] } },
		description:
			'The picture to show (photoURL): a public image URL, or a media_id from Media → Upload',
	}),
	...mediaSourceProperties(['file'], 'Media_id of a file from Media → Upload (type File)'),
	forTypes(['file'], {
		displayName: 'File Name',
		name: 'fileName',
		type: 'string',
		default: '',
		required: true,
		placeholder: '月度报告.pdf',
		displayOptions: { show: { mediaSource: ['mediaId'] } },
		description: 'Name shown for the file',
	}),
	forTypes(['file'], {
		displayName: 'File Type',
		name: 'fileType',
		type: 'string',
		default: '',
		placeholder: 'pdf',
		displayOptions: { show: { mediaSource: ['mediaId'] } },
		description: "The file's extension (fileType); empty takes it from File Name",
	}),
];

/**
 * What the user filled in for this item, as the pure builder takes it; for an image or file from a binary also the
 * file (read, not yet checked or uploaded).
 */
export async function readRobotMessageInput(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<{ input: RobotMessageInput; file?: BinaryFile }> {
	const type = this.getNodeParameter('messageType', itemIndex) as RobotMessageType;
	const text = (name: string) => textParameter.call(this, name, itemIndex);
	const input: RobotMessageInput = {
		type,
		...readCommonMessage.call(this, itemIndex, type, 'actionCard'),
	};
	switch (type) {
		case 'text':
		case 'markdown':
		case 'link':
			return { input };
		case 'actionCard':
			return { input: { ...input, buttons: readButtons.call(this, itemIndex) } };
		case 'image': {
			if (this.getNodeParameter('imageSource', itemIndex, 'binary') === 'url') {
				return { input: { ...input, photoURL: text('photoUrl') } };
			}
			const property = text('binaryPropertyName') || 'data';
			return { input, file: await readBinaryFile.call(this, itemIndex, property) };
		}
		case 'file': {
			const source = await readMediaSource.call(this, itemIndex);
			if ('mediaId' in source) {
				return {
					input: {
						...input,
						mediaId: source.mediaId,
						fileName: text('fileName'),
						fileType: text('fileType'),
					},
				};
			}
			return { input: { ...input, fileName: source.file.fileName }, file: source.file };
		}
		default:
			return { input };
	}
}
