// WeCom's template card (模板卡片): its fields, checks and builder, and the Send and Wait card; the app node and the
// group robot send the same cards.
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { SendAndWaitMessage } from '../sendAndWait';
import { cutChars, deadlineLine } from '../sendAndWait';
import { byteLength, inputError, LIMITS } from './limits';

export const CARD_TYPES = [
	'text_notice',
	'news_notice',
	'button_interaction',
	'vote_interaction',
	'multiple_interaction',
] as const;

const INTERACTION_CARD_TYPES: readonly string[] = [
	'button_interaction',
	'vote_interaction',
	'multiple_interaction',
];

const TASK_ID = /^[0-9a-zA-Z_\-@]{1,128}$/;

const fieldsMode = { templateCardMode: ['fields'] };

const linkFields = (what: string): INodeProperties[] => [
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		default: '',
		description: 'Web page to open (type URL), with http:// or https://',
	},
	{
		displayName: 'Mini Program AppID',
		name: 'appid',
		type: 'string',
		default: '',
		description: `AppID of the mini program to open (type Mini Program) ${what}`,
	},
	{
		displayName: 'Mini Program Page Path',
		name: 'pagepath',
		type: 'string',
		default: '',
		description: 'Page of the mini program to open (type Mini Program)',
	},
];

const EXAMPLE_CARD = {
	card_type: 'text_notice',
	source: { desc: '审批助手' },
	main_title: { title: '报销已通过', desc: '2024-05-01' },
	sub_title_text: '请在 3 天内到财务部领取',
	card_action: { type: 1, url: 'https://work.weixin.qq.com' },
};

/** The template card (模板卡片) fields, shown for msgtype template_card (the caller adds that condition). */
export const templateCardProperties: INodeProperties[] = [
	{
		displayName: 'Card Definition',
		name: 'templateCardMode',
		type: 'options',
		options: [
			{
				name: 'Fields',
				value: 'fields',
				description: 'Build a text notice, news notice or button card from the fields below',
			},
			{
				name: 'JSON',
				value: 'json',
				description:
					'Give the whole template_card object (every card type and field WeCom supports)',
			},
		],
		default: 'fields',
		description: 'How to define the card',
	},
	{
		displayName: 'Template Card JSON',
		name: 'templateCardJson',
		type: 'json',
		default: JSON.stringify(EXAMPLE_CARD, null, 2),
		displayOptions: { show: { templateCardMode: ['json'] } },
		description:
			'The template_card object as WeCom documents it, including card_type (text_notice, news_notice, button_interaction, vote_interaction, multiple_interaction)',
	},
	{
		displayName: 'Card Type',
		name: 'cardType',
		type: 'options',
		options: [
			{
				name: 'Button Interaction (按钮交互型)',
				value: 'button_interaction',
				description: 'Buttons the recipient can press; the click comes back as a callback event',
			},
			{
				name: 'News Notice (图文展示型)',
				value: 'news_notice',
				description: 'A notice with a large image',
			},
			{
				name: 'Text Notice (文本通知型)',
				value: 'text_notice',
				description: 'A notice with text only',
			},
		],
		default: 'text_notice',
		displayOptions: { show: fieldsMode },
		description: 'Layout of the card',
	},
	{
		displayName: 'Main Title',
		name: 'cardMainTitle',
		type: 'string',
		default: '',
		displayOptions: { show: fieldsMode },
		description:
			'Main title (main_title.title); required except for a text notice that has a sub-title text',
	},
	{
		displayName: 'Main Title Description',
		name: 'cardMainTitleDesc',
		type: 'string',
		default: '',
		displayOptions: { show: fieldsMode },
		description: 'Line under the main title (main_title.desc)',
	},
	{
		displayName: 'Card Image URL',
		name: 'cardImageUrl',
		type: 'string',
		default: '',
		displayOptions: { show: { ...fieldsMode, cardType: ['news_notice'] } },
		description: 'Address of the large image of a news notice (card_image)',
	},
	{
		displayName: 'Task ID',
		name: 'cardTaskId',
		type: 'string',
		default: '',
		displayOptions: { show: { ...fieldsMode, cardType: ['button_interaction'] } },
		description:
			'Unique per app, up to 128 of 0-9 a-z A-Z _ - @; the callback of a button click carries it (task_id)',
	},
	{
		displayName: 'Buttons',
		name: 'cardButtons',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Button',
		default: {},
		displayOptions: { show: { ...fieldsMode, cardType: ['button_interaction'] } },
		description: 'One to six buttons (button_list)',
		options: [
			{
				displayName: 'Button',
				name: 'button',
				values: [
					{
						displayName: 'Text',
						name: 'text',
						type: 'string',
						default: '',
						description: 'Label of the button',
					},
					{
						displayName: 'Key',
						name: 'key',
						type: 'string',
						default: '',
						description: 'Value the click callback reports for this button (EventKey)',
					},
					{
						displayName: 'Style',
						name: 'style',
						type: 'options',
						options: [
							{ name: 'Style 1 (Blue)', value: 1 },
							{ name: 'Style 2 (Grey)', value: 2 },
							{ name: 'Style 3 (Red)', value: 3 },
							{ name: 'Style 4 (Light Blue)', value: 4 },
						],
						default: 1,
						description: 'Look of the button',
					},
				],
			},
		],
	},
	{
		displayName: 'Card Action',
		name: 'cardAction',
		type: 'fixedCollection',
		placeholder: 'Add Card Action',
		default: {},
		displayOptions: { show: fieldsMode },
		description: 'What a click on the card opens (card_action); required for text and news notices',
		options: [
			{
				displayName: 'Action',
				name: 'action',
				values: [
					{
						displayName: 'Type',
						name: 'type',
						type: 'options',
						options: [
							{ name: 'Mini Program', value: 2 },
							{ name: 'None', value: 0, description: 'Only for button cards' },
							{ name: 'URL', value: 1 },
						],
						default: 1,
						description: 'Whether a click opens a web page or a mini program',
					},
					...linkFields('when the card is clicked'),
				],
			},
		],
	},
	{
		displayName: 'Additional Card Fields',
		name: 'cardFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show: fieldsMode },
		options: [
			{
				displayName: 'Emphasis Description',
				name: 'emphasisDesc',
				type: 'string',
				default: '',
				description: 'Small text under the emphasized figure (emphasis_content.desc)',
			},
			{
				displayName: 'Emphasis Title',
				name: 'emphasisTitle',
				type: 'string',
				default: '',
				description: 'A large figure or short text to stand out (emphasis_content.title)',
			},
			{
				displayName: 'Horizontal Content',
				name: 'horizontalContent',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Line',
				default: {},
				description: 'Up to six key/value lines (horizontal_content_list)',
				options: [
					{
						displayName: 'Line',
						name: 'line',
						values: [
							{
								displayName: 'Key Name',
								name: 'keyname',
								type: 'string',
								default: '',
								description: 'Label on the left',
							},
							{
								displayName: 'Media ID',
								name: 'media_id',
								type: 'string',
								default: '',
								description: 'The file to show (type File)',
							},
							{
								displayName: 'Type',
								name: 'type',
								type: 'options',
								options: [
									{ name: 'File (Media ID)', value: 2 },
									{ name: 'Member (UserID)', value: 3 },
									{ name: 'Text', value: 0 },
									{ name: 'URL', value: 1 },
								],
								default: 0,
								description: 'Whether the value links to a page, a file or a member',
							},
							{
								displayName: 'URL',
								name: 'url',
								type: 'string',
								default: '',
								description: 'Page to open (type URL)',
							},
							{
								displayName: 'User Name or ID',
								name: 'userid',
								type: 'options',
								typeOptions: { loadOptionsMethod: 'getUsers' },
								default: '',
								description:
									'The member to show (type Member). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
							},
							{
								displayName: 'Value',
								name: 'value',
								type: 'string',
								default: '',
								description: 'Text on the right',
							},
						],
					},
				],
			},
			{
				displayName: 'Jump List',
				name: 'jumpList',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				placeholder: 'Add Link',
				default: {},
				description: 'Up to three links under the card (jump_list)',
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
								description: 'Text of the link',
							},
							{
								displayName: 'Type',
								name: 'type',
								type: 'options',
								options: [
									{ name: 'Mini Program', value: 2 },
									{ name: 'URL', value: 1 },
								],
								default: 1,
								description: 'Whether the link opens a web page or a mini program',
							},
							...linkFields('when the link is clicked'),
						],
					},
				],
			},
			{
				displayName: 'Source Description',
				name: 'sourceDesc',
				type: 'string',
				default: '',
				description: 'Name of the source shown at the top (source.desc)',
			},
			{
				displayName: 'Source Description Color',
				name: 'sourceDescColor',
				type: 'options',
				options: [
					{ name: 'Black', value: 1 },
					{ name: 'Green', value: 3 },
					{ name: 'Grey', value: 0 },
					{ name: 'Red', value: 2 },
				],
				default: 0,
				description: 'Color of the source text (source.desc_color)',
			},
			{
				displayName: 'Source Icon URL',
				name: 'sourceIconUrl',
				type: 'string',
				default: '',
				description: 'Icon of the source shown at the top (source.icon_url)',
			},
			{
				displayName: 'Sub-Title Text',
				name: 'subTitleText',
				type: 'string',
				default: '',
				description: 'Secondary text (sub_title_text)',
			},
		],
	},
];

interface CardFields {
	emphasisDesc?: string;
	emphasisTitle?: string;
	horizontalContent?: { line?: IDataObject[] };
	jumpList?: { link?: IDataObject[] };
	sourceDesc?: string;
	sourceDescColor?: number;
	sourceIconUrl?: string;
	subTitleText?: string;
}

/** Keeps only the keys with a value, so WeCom never sees empty strings it would reject. */
function compact(object: IDataObject): IDataObject {
	return Object.fromEntries(
		Object.entries(object).filter(([, v]) => v !== undefined && v !== '' && v !== null),
	) as IDataObject;
}

function link(entry: IDataObject): IDataObject {
	const type = Number(entry.type ?? 1);
	return compact(
		type === 2
			? { type, appid: entry.appid, pagepath: entry.pagepath }
			: { type, url: type === 1 ? entry.url : undefined },
	);
}

function fromFields(this: IExecuteFunctions, itemIndex: number): IDataObject {
	const param = <T>(name: string, fallback: T) =>
		this.getNodeParameter(name, itemIndex, fallback) as T;
	const cardType = param<string>('cardType', 'text_notice');
	const fields = param<CardFields>('cardFields', {});
	const card: IDataObject = { card_type: cardType };

	const source = compact({
		icon_url: fields.sourceIconUrl,
		desc: fields.sourceDesc,
		desc_color: fields.sourceDesc ? fields.sourceDescColor : undefined,
	});
	if (Object.keys(source).length) card.source = source;
	const mainTitle = compact({
		title: param('cardMainTitle', ''),
		desc: param('cardMainTitleDesc', ''),
	});
	if (Object.keys(mainTitle).length) card.main_title = mainTitle;
	const emphasis = compact({ title: fields.emphasisTitle, desc: fields.emphasisDesc });
	if (Object.keys(emphasis).length) card.emphasis_content = emphasis;
	if (fields.subTitleText) card.sub_title_text = fields.subTitleText;
	const lines = fields.horizontalContent?.line ?? [];
	if (lines.length) {
		card.horizontal_content_list = lines.map((line) => {
			const type = Number(line.type ?? 0);
			return compact({
				keyname: line.keyname,
				value: line.value,
				type: type || undefined,
				url: type === 1 ? line.url : undefined,
				media_id: type === 2 ? line.media_id : undefined,
				userid: type === 3 ? line.userid : undefined,
			});
		});
	}
	const jumps = fields.jumpList?.link ?? [];
	if (jumps.length)
		card.jump_list = jumps.map((jump) => ({ ...link(jump), title: jump.title ?? '' }));
	if (cardType === 'news_notice') {
		const imageUrl = param('cardImageUrl', '');
		if (imageUrl) card.card_image = { url: imageUrl };
	}
	if (cardType === 'button_interaction') {
		card.task_id = param('cardTaskId', '');
		card.button_list = (param<{ button?: IDataObject[] }>('cardButtons', {}).button ?? []).map(
			(button) => compact({ text: button.text, style: button.style, key: button.key }),
		);
	}
	const action = param<{ action?: IDataObject }>('cardAction', {}).action;
	if (action && !(Number(action.type) === 0 && cardType === 'button_interaction')) {
		card.card_action = link(action);
	}
	return card;
}

function fromJson(this: IExecuteFunctions, itemIndex: number): IDataObject {
	const raw = this.getNodeParameter('templateCardJson', itemIndex, '') as unknown;
	let card: unknown = raw;
	if (typeof raw === 'string') {
		try {
			card = JSON.parse(raw);
		} catch (error) {
			throw inputError.call(
				this,
				itemIndex,
				`Template Card JSON is not valid JSON (${(error as Error).message}): check quotes, commas and brackets`,
			);
		}
	}
	if (typeof card !== 'object' || card === null || Array.isArray(card)) {
		throw inputError.call(this, itemIndex, 'Template Card JSON must be an object with card_type');
	}
	const object = card as IDataObject;
	// A pasted message body ({"template_card": {...}}) is taken for the card it holds.
	const inner = object.template_card;
	if (
		object.card_type === undefined &&
		typeof inner === 'object' &&
		inner !== null &&
		!Array.isArray(inner)
	) {
		return inner as IDataObject;
	}
	return object;
}

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function filled(value: unknown): boolean {
	return typeof value === 'string' ? value.trim() !== '' : value !== undefined && value !== null;
}

/**
 * How an error names a part of the card: by its API path when the user wrote the JSON, by the field's label (and where
 * to find it) when the card was built from the node's fields.
 */
const FIELD_LABELS: Record<string, string> = {
	'main_title.title': 'Main Title',
	sub_title_text: 'Sub-Title Text (under Additional Card Fields)',
	card_action: 'Card Action',
	'card_action.url': 'Card Action → URL',
	'card_action.appid': 'Card Action → Mini Program AppID',
	'card_action.type': 'Card Action → Type',
	card_image: 'Card Image URL',
	task_id: 'Task ID',
	button_list: 'Buttons',
	'button_list.text': 'Text',
	'button_list.key': 'Key',
	horizontal_content_list: 'Horizontal Content (under Additional Card Fields)',
	'horizontal_content_list.keyname': 'Key Name',
	jump_list: 'Jump List (under Additional Card Fields)',
	'jump_list.title': 'Title',
};

export type CardSource = 'fields' | 'json';

/** WeCom's rules per card_type, checked before the call so the error names the field. */
export function checkTemplateCard(
	this: IExecuteFunctions,
	itemIndex: number,
	card: IDataObject,
	source: CardSource = 'json',
): void {
	const type = String(card.card_type ?? '');
	const fromFields = source === 'fields';
	const label = (path: string) => (fromFields ? (FIELD_LABELS[path] ?? path) : path);
	const fail = (message: string): never => {
		throw inputError.call(
			this,
			itemIndex,
			fromFields
				? `Template card: ${message}`
				: `Template card (${type || 'no card_type'}): ${message}`,
		);
	};
	if (!(CARD_TYPES as readonly string[]).includes(type)) {
		fail(`card_type must be one of ${CARD_TYPES.join(', ')}`);
	}
	const count = (field: string, min: number, max: number, what = 'entries'): unknown[] => {
		const list = card[field];
		if (list === undefined && min === 0) return [];
		if (!Array.isArray(list) || list.length < min || list.length > max) {
			const has = Array.isArray(list) ? list.length : fromFields ? 0 : 'none';
			fail(
				`${label(field)} must hold ${min === max ? min : `${min} to ${max}`} ${fromFields ? what : 'entries'}, it has ${has}`,
			);
		}
		return list as unknown[];
	};
	const keyed = (list: unknown[], field: string, keys: string[]) =>
		list.forEach((entry, i) => {
			for (const key of keys) {
				if (!isObject(entry) || !filled(entry[key])) {
					fail(
						fromFields
							? `${label(field)} → entry ${i + 1}: ${label(`${field}.${key}`)} is required`
							: `${field}[${i}].${key} is required`,
					);
				}
			}
		});
	keyed(count('horizontal_content_list', 0, 6, 'lines'), 'horizontal_content_list', ['keyname']);
	keyed(count('jump_list', 0, 3, 'links'), 'jump_list', ['title']);
	const mainTitle = isObject(card.main_title) ? card.main_title.title : undefined;
	if (typeof mainTitle === 'string' && byteLength(mainTitle) > LIMITS.titleBytes) {
		fail(
			`${label('main_title.title')} is ${byteLength(mainTitle)} bytes, at most ${LIMITS.titleBytes}`,
		);
	}
	const action = card.card_action;
	const checkAction = (required: boolean) => {
		if (action === undefined && !required) return;
		if (!isObject(action)) {
			return fail(
				fromFields
					? 'Card Action is required for this card type (what a click on the card opens): add it with Type URL or Mini Program'
					: 'card_action is required (what a click on the card opens): set its type to 1 (URL) or 2 (mini program)',
			);
		}
		const actionType = Number(action.type);
		const url = fromFields ? 'URL' : '1';
		const miniProgram = fromFields ? 'Mini Program' : '2';
		if (actionType === 1 && !filled(action.url))
			fail(`${label('card_action.url')} is required when ${label('card_action.type')} is ${url}`);
		if (actionType === 2 && !filled(action.appid))
			fail(
				`${label('card_action.appid')} is required when ${label('card_action.type')} is ${miniProgram}`,
			);
		if (actionType !== 1 && actionType !== 2 && (required || actionType !== 0)) {
			fail(
				fromFields
					? 'Card Action → Type must be URL or Mini Program for this card type'
					: 'card_action.type must be 1 (URL) or 2 (mini program)',
			);
		}
	};
	const required = (path: string) => fail(`${label(path)} is required`);

	if (type === 'text_notice') {
		if (!filled(mainTitle) && !filled(card.sub_title_text)) {
			fail(
				fromFields
					? 'Fill Main Title, or add Sub-Title Text under Additional Card Fields'
					: 'main_title.title or sub_title_text is required',
			);
		}
		checkAction(true);
		return;
	}
	if (type === 'news_notice') {
		if (!filled(mainTitle)) required('main_title.title');
		const image = isObject(card.card_image) ? card.card_image.url : undefined;
		if (!filled(image) && !isObject(card.image_text_area)) {
			fail(
				fromFields
					? 'Card Image URL is required for a News Notice card'
					: 'card_image.url (or image_text_area) is required',
			);
		}
		checkAction(true);
		return;
	}
	if (INTERACTION_CARD_TYPES.includes(type)) {
		const taskId = card.task_id;
		if (typeof taskId !== 'string' || !TASK_ID.test(taskId)) {
			fail(
				`${label('task_id')} is required: 1 to 128 characters of 0-9 a-z A-Z _ - @, unique within the app`,
			);
		}
		checkAction(false);
	}
	const submit = () => {
		const button = card.submit_button;
		if (!isObject(button) || !filled(button.text) || !filled(button.key)) {
			fail('submit_button needs text and key');
		}
	};
	if (type === 'button_interaction') {
		if (!filled(mainTitle)) required('main_title.title');
		keyed(count('button_list', 1, 6, 'buttons'), 'button_list', ['text', 'key']);
	} else if (type === 'vote_interaction') {
		const box = isObject(card.checkbox) ? card.checkbox : {};
		if (!filled(box.question_key)) fail('checkbox.question_key is required');
		const options = box.option_list;
		if (!Array.isArray(options) || options.length < 1 || options.length > 20) {
			fail('checkbox.option_list must hold 1 to 20 options');
		}
		keyed(options as unknown[], 'checkbox.option_list', ['id', 'text']);
		submit();
	} else if (type === 'multiple_interaction') {
		count('select_list', 1, 3).forEach((select, i) => {
			const entry = isObject(select) ? select : {};
			if (!filled(entry.question_key)) fail(`select_list[${i}].question_key is required`);
			const options = entry.option_list;
			if (!Array.isArray(options) || options.length < 1 || options.length > 10) {
				fail(`select_list[${i}].option_list must hold 1 to 10 options`);
			}
			keyed(options as unknown[], `select_list[${i}].option_list`, ['id', 'text']);
		});
		submit();
	}
}

/** The template_card object of one item, checked. */
export function buildTemplateCard(this: IExecuteFunctions, itemIndex: number): IDataObject {
	const mode = this.getNodeParameter('templateCardMode', itemIndex, 'fields') as string;
	const card = mode === 'json' ? fromJson.call(this, itemIndex) : fromFields.call(this, itemIndex);
	checkTemplateCard.call(this, itemIndex, card, mode === 'json' ? 'json' : 'fields');
	return card;
}

/** WeCom shows about this many characters of a text notice's sub_title_text (its documented recommendation). */
const CARD_TEXT_CHARS = 112;

/**
 * A text notice: the links as its jump list (up to three), the whole card opening the page with every choice. Group
 * robots send the same card.
 */
export function templateCardBody(ask: SendAndWaitMessage): IDataObject {
	const due = deadlineLine(ask);
	return {
		msgtype: 'template_card',
		template_card: {
			card_type: 'text_notice',
			main_title: { title: ask.title, ...(due ? { desc: due } : {}) },
			sub_title_text: cutChars(ask.message, CARD_TEXT_CHARS),
			jump_list: ask.links.map((link) => ({ type: 1, title: link.label, url: link.url })),
			card_action: { type: 1, url: ask.mainUrl },
		},
	};
}
