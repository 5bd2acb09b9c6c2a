import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { FileRule } from '../../../shared/binaryFile';
import { checkFile, readBinaryFile, uploadedFile } from '../../../shared/binaryFile';
import { built } from '../../../shared/messageInput';
import type { NodeOperation } from '../../../shared/operations';
import { MEDIA_RULES, mediaPart } from '../../../shared/wecom/media';
import { buildTemplateCard } from '../../../shared/wecom/templateCard';
import { readIdList } from '../../../shared/idList';
import { SEND_PATH, UPLOAD_PATH, weComRobotRequest } from '../../transport';
import type { RobotArticle, RobotMessage, RobotMessageType } from './build';
import { buildRobotMessage, ROBOT_LIMITS } from './build';
import { robotPacingNotice } from '../../../shared/robotPacing';
import { messageProperties } from './fields';

/** What a robot takes as an image: a JPG or PNG of at most 2 MB (sent inline as base64, not uploaded). */
const ROBOT_IMAGE_RULE: FileRule = {
	...MEDIA_RULES.image,
	label: 'a group robot image',
	maxBytes: ROBOT_LIMITS.imageBytes,
};

/**
 * Uploads a file or voice recording from the item's binary data with the robot's key (upload_media): the media_id
 * it returns works only with this robot, for 3 days.
 */
async function uploadFromBinary(
	this: IExecuteFunctions,
	itemIndex: number,
	type: 'file' | 'voice',
): Promise<IDataObject> {
	const property = String(this.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim();
	const { fileName } = this.getNodeParameter('fileOptions', itemIndex, {}) as { fileName?: string };
	const read = await readBinaryFile.call(this, itemIndex, property || 'data', fileName);
	const file = checkFile.call(this, itemIndex, 'WeCom', MEDIA_RULES[type], read, type);
	const answer = await weComRobotRequest.call(this, {
		path: UPLOAD_PATH,
		qs: { type },
		file: mediaPart(file),
		itemIndex,
	});
	return uploadedFile(answer, type, file);
}

/** Reads the item's parameters into a RobotMessage; uploads a file first when the message needs one. */
async function readMessage(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<{ message: RobotMessage; uploaded?: IDataObject }> {
	const msgtype = this.getNodeParameter('messageType', itemIndex) as RobotMessageType;
	const param = <T>(name: string, fallback: T) =>
		this.getNodeParameter(name, itemIndex, fallback) as T;
	switch (msgtype) {
		case 'text':
			return {
				message: {
					msgtype,
					content: param('content', ''),
					mentionAll: param('mentionAll', false),
					mentionedUserIds: readIdList.call(this, itemIndex, 'mentionUserIds', 'Mention User IDs'),
					mentionedMobiles: readIdList.call(this, itemIndex, 'mentionMobiles', 'Mention Mobiles'),
				},
			};
		case 'markdown':
		case 'markdown_v2':
			return { message: { msgtype, content: param('content', '') } };
		case 'image': {
			const property = String(param('binaryPropertyName', 'data')).trim() || 'data';
			const read = await readBinaryFile.call(this, itemIndex, property);
			const file = checkFile.call(this, itemIndex, 'WeCom', ROBOT_IMAGE_RULE, read, 'image');
			return { message: { msgtype, image: file.data } };
		}
		case 'news': {
			const { article = [] } = param<{ article?: IDataObject[] }>('articles', {});
			const articles = article.map(
				(a): RobotArticle => ({
					title: String(a.title ?? ''),
					description: String(a.description ?? ''),
					url: String(a.url ?? ''),
					picurl: String(a.picurl ?? ''),
				}),
			);
			return { message: { msgtype, articles } };
		}
		case 'file':
		case 'voice': {
			if (param<string>('mediaSource', 'binary') === 'mediaId') {
				return { message: { msgtype, mediaId: String(param('mediaId', '')) } };
			}
			const uploaded = await uploadFromBinary.call(this, itemIndex, msgtype);
			return { message: { msgtype, mediaId: String(uploaded.media_id ?? '') }, uploaded };
		}
		case 'template_card':
			return { message: { msgtype, card: buildTemplateCard.call(this, itemIndex) } };
	}
	throw new NodeOperationError(this.getNode(), `Unknown message type "${String(msgtype)}"`, {
		itemIndex,
	});
}

export const sendOperation: NodeOperation = {
	value: 'send',
	name: 'Send',
	action: 'Send a message to the group',
	description:
		"Post a message to the robot's group; items are paced to WeCom's 20 messages a minute per robot",
	properties: [robotPacingNotice('WeCom'), ...messageProperties],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const { message, uploaded } = await readMessage.call(this, itemIndex);
		const body = built(this.getNode(), itemIndex, () => buildRobotMessage(message));
		await weComRobotRequest.call(this, { path: SEND_PATH, body, itemIndex });
		return { sent: true, msgtype: body.msgtype, ...(uploaded ? { media: uploaded } : {}) };
	},
};
