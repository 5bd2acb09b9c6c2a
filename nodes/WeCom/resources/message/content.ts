import type {
	IDataObject,
	IExecuteFunctions,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import type { MediaFile, MediaType } from '../media/files';
import { binaryPropertyField, readBinaryFile } from '../../../shared/binaryFile';
import { contentField, fileSourceField, showWhen } from '../../../shared/messageFields';
import { checkMediaFile, uploadMediaFile } from '../media/files';
import { checkBytes, inputError, LIMITS, requireText } from '../../../shared/wecom/limits';
import { buildTemplateCard, templateCardProperties } from '../../../shared/wecom/templateCard';

/** The msgtypes this package builds; each sender offers the subset its endpoint allows. */
export type MessageType =
	| 'file'
	| 'image'
	| 'markdown'
	| 'mpnews'
	| 'news'
	| 'template_card'
	| 'text'
	| 'textcard'
	| 'video'
	| 'voice';

const MEDIA_TYPES: readonly string[] = ['image', 'voice', 'video', 'file'];

const TYPE_OPTIONS: Record<MessageType, INodePropertyOptions> = {
	file: { name: 'File (文件)', value: 'file', description: 'A file of at most 20 MB' },
	image: {
		name: 'Image (图片)',
		value: 'image',
		description: 'A JPG or PNG image of at most 10 MB',
	},
	markdown: {
		name: 'Markdown',
		value: 'markdown',
		description: "WeCom's markdown subset (shown in the WeCom app only, not in WeChat)",
	},
	mpnews: {
		name: 'MP News (图文, Stored in WeCom)',
		value: 'mpnews',
		description: 'Articles whose content is kept by WeCom',
	},
	news: { name: 'News (图文)', value: 'news', description: 'One to eight linked articles' },
	template_card: {
		name: 'Template Card (模板卡片)',
		value: 'template_card',
		description: 'A text notice, news notice or interactive card',
	},
	text: { name: 'Text (文本)', value: 'text', description: 'Plain text' },
	textcard: {
		name: 'Text Card (文本卡片)',
		value: 'textcard',
		description: 'A title, a text and a link',
	},
	video: { name: 'Video (视频)', value: 'video', description: 'An MP4 video of at most 10 MB' },
	voice: { name: 'Voice (语音)', value: 'voice', description: 'An AMR recording of at most 2 MB' },
};

/** A field shown only for some msgtypes (dropped when none of them is offered). */
function forTypes(
	types: MessageType[],
	only: MessageType[],
	property: INodeProperties,
): INodeProperties[] {
	const shownFor = only.filter((t) => types.includes(t));
	return shownFor.length ? [showWhen(property, { messageType: shownFor })] : [];
}

const articleValues: INodeProperties[] = [
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		description: 'Title of the article, at most 128 bytes',
	},
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		default: '',
		description: 'Summary under the title, at most 512 bytes',
	},
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		default: '',
		description: 'Page opened by a click (or give a mini program AppID and page path)',
	},
	{
		displayName: 'Picture URL',
		name: 'picurl',
		type: 'string',
		default: '',
		description: 'Cover image (JPG or PNG; 1068×455 for the first article, 150×150 for the others)',
	},
	{
		displayName: 'Mini Program AppID',
		name: 'appid',
		type: 'string',
		default: '',
		description: 'Open this mini program instead of the URL',
	},
	{
		displayName: 'Mini Program Page Path',
		name: 'pagepath',
		type: 'string',
		default: '',
		description: 'Page of the mini program to open',
	},
];

const mpnewsArticleValues: INodeProperties[] = [
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		description: 'Title of the article, at most 128 bytes',
	},
	{
		displayName: 'Thumb Media ID',
		name: 'thumb_media_id',
		type: 'string',
		default: '',
		description: 'Media_id of the cover image (upload it first with Media → Upload as an image)',
	},
	{
		displayName: 'Content',
		name: 'content',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description: 'Body of the article (HTML is allowed)',
	},
	{
		displayName: 'Author',
		name: 'author',
		type: 'string',
		default: '',
		description: 'Author shown with the article',
	},
	{
		displayName: 'Source URL',
		name: 'content_source_url',
		type: 'string',
		default: '',
		description: 'Page opened by "Read more" (阅读原文)',
	},
	{
		displayName: 'Digest',
		name: 'digest',
		type: 'string',
		default: '',
		description: 'Summary, at most 512 bytes',
	},
];

/** The msgtype picker and the fields of every type in `types`, for a Send operation. */
export function messageContentProperties(types: MessageType[]): INodeProperties[] {
	const mediaTypes = (['image', 'voice', 'video', 'file'] as MessageType[]).filter((t) =>
		types.includes(t),
	);
	return [
		{
			displayName: 'Message Type',
			name: 'messageType',
			type: 'options',
			options: types.map((t) => TYPE_OPTIONS[t]).sort((a, b) => a.name.localeCompare(b.name)),
			default: 'text',
			description: 'Kind of message (msgtype)',
		},
		...forTypes(
			types,
			['text', 'markdown'],
			contentField(
				'Text of the message, at most 2,048 bytes (UTF-8: a Chinese character takes 3 bytes)',
			),
		),
		...forTypes(
			types,
			mediaTypes,
			fileSourceField('Upload a file from the input item first (media/upload)'),
		),
		...forTypes(types, mediaTypes, {
			...binaryPropertyField,
			displayOptions: { show: { mediaSource: ['binary'] } },
		}),
		...forTypes(types, mediaTypes, {
			displayName: 'Media ID',
			name: 'mediaId',
			type: 'string',
			default: '',
			required: true,
			displayOptions: { show: { mediaSource: ['mediaId'] } },
			description:
				'Media_id from a previous upload (valid 3 days); its type must match the message type',
		}),
		...forTypes(types, ['video'], {
			displayName: 'Video Title',
			name: 'videoTitle',
			type: 'string',
			default: '',
			description: 'Title shown with the video, at most 128 bytes',
		}),
		...forTypes(types, ['video'], {
			displayName: 'Video Description',
			name: 'videoDescription',
			type: 'string',
			default: '',
			description: 'Description shown with the video, at most 512 bytes',
		}),
		...forTypes(types, ['textcard'], {
			displayName: 'Title',
			name: 'cardTitle',
			type: 'string',
			default: '',
			required: true,
			description: 'Title of the card, at most 128 bytes',
		}),
		...forTypes(types, ['textcard'], {
			displayName: 'Description',
			name: 'cardDescription',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			required: true,
			description:
				"Text of the card, at most 512 bytes; WeCom's div classes (gray, highlight, normal) are allowed",
		}),
		...forTypes(types, ['textcard'], {
			displayName: 'URL',
			name: 'cardUrl',
			type: 'string',
			default: '',
			required: true,
			description: 'Page opened by a click on the card, with http:// or https://',
		}),
		...forTypes(types, ['textcard'], {
			displayName: 'Button Text',
			name: 'buttonText',
			type: 'string',
			default: '',
			description:
				'Label of the button, at most 4 characters; WeCom shows 详情 (Details) when empty',
		}),
		...forTypes(types, ['news'], {
			displayName: 'Articles',
			name: 'articles',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Article',
			default: {},
			description: 'One to eight articles',
			options: [{ displayName: 'Article', name: 'article', values: articleValues }],
		}),
		...forTypes(types, ['mpnews'], {
			displayName: 'Articles',
			name: 'mpnewsArticles',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			placeholder: 'Add Article',
			default: {},
			description: 'One to eight articles stored in WeCom',
			options: [{ displayName: 'Article', name: 'article', values: mpnewsArticleValues }],
		}),
		...templateCardProperties.flatMap((property) => forTypes(types, ['template_card'], property)),
	];
}

/** The confidential-message switch that both app messages and group chat messages take. */
export const safeOption: INodeProperties = {
	displayName: 'Safe (保密消息)',
	name: 'safe',
	type: 'boolean',
	default: false,
	description: 'Whether the message is confidential: watermarked and not forwardable (safe)',
};

/** WeCom's `safe` flag (0/1) from the node's Options, or nothing when the user left it unset. */
export function safeFlag(options: { safe?: boolean }): IDataObject {
	return options.safe === undefined ? {} : { safe: options.safe ? 1 : 0 };
}

export interface PreparedMessage {
	msgtype: MessageType;
	/** The object sent under the msgtype's key. */
	content: IDataObject;
	/** A file still to be uploaded; its media_id goes into `content`. */
	upload?: { type: MediaType; file: MediaFile };
}

function trimmed(this: IExecuteFunctions, name: string, itemIndex: number): string {
	const value = this.getNodeParameter(name, itemIndex, '') as unknown;
	return value === undefined || value === null ? '' : String(value).trim();
}

function checkArticles(this: IExecuteFunctions, itemIndex: number, count: number): void {
	if (count < 1 || count > LIMITS.articles) {
		throw inputError.call(
			this,
			itemIndex,
			`Articles: ${count} given, WeCom needs 1 to ${LIMITS.articles} articles per message`,
		);
	}
}

/**
 * Reads and checks the content of one message without calling WeCom: every limit is applied here, including the
 * file's size and type, so that a bad item fails before anything is uploaded or sent.
 */
export async function prepareMessage(
	this: IExecuteFunctions,
	itemIndex: number,
	types: MessageType[],
): Promise<PreparedMessage> {
	const msgtype = this.getNodeParameter('messageType', itemIndex) as MessageType;
	if (!types.includes(msgtype)) {
		throw inputError.call(
			this,
			itemIndex,
			`Message type "${msgtype}" cannot be sent here; use one of ${types.join(', ')}`,
		);
	}
	const text = (name: string) => trimmed.call(this, name, itemIndex);

	switch (msgtype) {
		case 'text':
		case 'markdown': {
			const content = this.getNodeParameter('content', itemIndex, '') as string;
			requireText.call(this, itemIndex, 'Content', String(content ?? ''));
			checkBytes.call(this, itemIndex, 'Content', String(content), LIMITS.contentBytes);
			return { msgtype, content: { content: String(content) } };
		}
		case 'textcard': {
			const title = text('cardTitle');
			const description = text('cardDescription');
			const url = text('cardUrl');
			const btntxt = text('buttonText');
			requireText.call(this, itemIndex, 'Title', title);
			checkBytes.call(this, itemIndex, 'Title', title, LIMITS.titleBytes);
			requireText.call(this, itemIndex, 'Description', description);
			checkBytes.call(this, itemIndex, 'Description', description, LIMITS.descriptionBytes);
			requireText.call(this, itemIndex, 'URL', url);
			const chars = [...btntxt].length;
			if (chars > LIMITS.buttonTextChars) {
				throw inputError.call(
					this,
					itemIndex,
					`Button Text "${btntxt}" is ${chars} characters: WeCom allows at most ${LIMITS.buttonTextChars}`,
				);
			}
			return { msgtype, content: { title, description, url, ...(btntxt ? { btntxt } : {}) } };
		}
		case 'news': {
			const articles =
				(this.getNodeParameter('articles', itemIndex, {}) as { article?: IDataObject[] }).article ??
				[];
			checkArticles.call(this, itemIndex, articles.length);
			return {
				msgtype,
				content: {
					articles: articles.map((article, i) => {
						const field = (name: string) => String(article[name] ?? '').trim();
						const label = `Article ${i + 1}`;
						requireText.call(this, itemIndex, `${label} title`, field('title'));
						checkBytes.call(this, itemIndex, `${label} title`, field('title'), LIMITS.titleBytes);
						checkBytes.call(
							this,
							itemIndex,
							`${label} description`,
							field('description'),
							LIMITS.descriptionBytes,
						);
						if (!field('url') && !(field('appid') && field('pagepath'))) {
							throw inputError.call(
								this,
								itemIndex,
								`${label} has no link: give a URL, or a mini program AppID and page path`,
							);
						}
						const out: IDataObject = {};
						for (const name of ['title', 'description', 'url', 'picurl', 'appid', 'pagepath']) {
							if (field(name)) out[name] = field(name);
						}
						return out;
					}),
				},
			};
		}
		case 'mpnews': {
			const articles =
				(this.getNodeParameter('mpnewsArticles', itemIndex, {}) as { article?: IDataObject[] })
					.article ?? [];
			checkArticles.call(this, itemIndex, articles.length);
			return {
				msgtype,
				content: {
					articles: articles.map((article, i) => {
						const field = (name: string) => String(article[name] ?? '').trim();
						const label = `Article ${i + 1}`;
						requireText.call(this, itemIndex, `${label} title`, field('title'));
						checkBytes.call(this, itemIndex, `${label} title`, field('title'), LIMITS.titleBytes);
						requireText.call(this, itemIndex, `${label} thumb media ID`, field('thumb_media_id'));
						requireText.call(this, itemIndex, `${label} content`, field('content'));
						checkBytes.call(
							this,
							itemIndex,
							`${label} digest`,
							field('digest'),
							LIMITS.descriptionBytes,
						);
						const out: IDataObject = {};
						for (const name of [
							'title',
							'thumb_media_id',
							'author',
							'content_source_url',
							'content',
							'digest',
						]) {
							if (field(name)) out[name] = field(name);
						}
						return out;
					}),
				},
			};
		}
		case 'template_card':
			return { msgtype, content: buildTemplateCard.call(this, itemIndex) };
		default:
			break;
	}

	if (!MEDIA_TYPES.includes(msgtype)) {
		throw inputError.call(this, itemIndex, `Unknown message type "${String(msgtype)}"`);
	}
	const mediaType = msgtype as MediaType;
	const content: IDataObject = {};
	if (mediaType === 'video') {
		const title = text('videoTitle');
		const description = text('videoDescription');
		checkBytes.call(this, itemIndex, 'Video Title', title, LIMITS.titleBytes);
		checkBytes.call(this, itemIndex, 'Video Description', description, LIMITS.descriptionBytes);
		if (title) content.title = title;
		if (description) content.description = description;
	}
	if (this.getNodeParameter('mediaSource', itemIndex, 'binary') === 'mediaId') {
		const mediaId = text('mediaId');
		requireText.call(this, itemIndex, 'Media ID', mediaId);
		return { msgtype, content: { media_id: mediaId, ...content } };
	}
	const propertyName = text('binaryPropertyName') || 'data';
	const file = await readBinaryFile.call(this, itemIndex, propertyName);
	return {
		msgtype,
		content,
		upload: { type: mediaType, file: checkMediaFile.call(this, itemIndex, mediaType, file) },
	};
}

/**
 * Uploads the prepared file, if any, and returns `{msgtype, <msgtype>: content}` plus what the upload answered
 * (so the output can show the media_id for reuse).
 */
export async function finishMessage(
	this: IExecuteFunctions,
	itemIndex: number,
	prepared: PreparedMessage,
): Promise<{ body: IDataObject; uploaded?: IDataObject }> {
	let content = prepared.content;
	let uploaded: IDataObject | undefined;
	if (prepared.upload) {
		uploaded = await uploadMediaFile.call(
			this,
			itemIndex,
			prepared.upload.type,
			prepared.upload.file,
		);
		content = { media_id: uploaded.media_id, ...content };
	}
	return { body: { msgtype: prepared.msgtype, [prepared.msgtype]: content }, uploaded };
}
