// The inbox: every message the emulator accepted, as a phone would show it. WeCom app messages and group chat
// messages (message/send, appchat/send), WeCom group robot posts, DingTalk work notifications, the app robot's
// one-to-one and group messages, replies through a robot message's sessionWebhook and DingTalk custom robot posts,
// each turned into one readable shape (title, text, fields, articles, files, buttons) with its conversation
// (recipient, group chat or robot). inboxPage.ts renders it as HTML; GET /_emulator/inbox(.json) serves both.
import type { DingTalkState } from './dingtalk/state';
import { dingTalkRobots } from './dingtalk/customRobot';
import type { RobotMessageRecord, WorkNotificationTask } from './dingtalk/messaging';
import { sessionReplies, type SessionReply } from './dingtalk/sessionWebhook';
import type { DingTalkRobotPost } from './dingtalk/customRobot';
import { isRecord } from './util';
import { weComRobots, type WeComRobotPost } from './wecom/robot';
import type { SentMessage, WeComState } from './wecom/state';

export type InboxChannel =
	| 'app'
	| 'appchat'
	| 'groupRobot'
	| 'workNotification'
	| 'robot'
	| 'robotGroup'
	| 'sessionReply'
	| 'customRobot';

export const CHANNEL_LABELS: Record<InboxChannel, string> = {
	app: '应用消息 · App message',
	appchat: '群聊 · Group chat',
	groupRobot: '群机器人 · Group robot',
	workNotification: '工作通知 · Work notification',
	robot: '机器人单聊 · Robot, one-to-one',
	robotGroup: '机器人群消息 · Robot, group chat',
	sessionReply: '机器人回复 · Robot reply (sessionWebhook)',
	customRobot: '自定义机器人 · Group robot',
};

export interface InboxButton {
	label: string;
	/** As sent; only an http(s) URL becomes a link. */
	url?: string;
	/** Why a button has no link it could open (a mini program, a callback key). */
	note?: string;
}

export interface InboxArticle {
	title: string;
	text?: string;
	url?: string;
}

export interface InboxAttachment {
	kind: 'image' | 'file' | 'voice' | 'video';
	name: string;
	bytes?: number;
	/** A URL the message points at (a DingTalk photoURL), when it has one. */
	url?: string;
}

/** What a message shows. Every string is untrusted: the renderer escapes it. */
export interface InboxContent {
	title?: string;
	/** Plain text or markdown, shown as text (markdown links and bare http(s) URLs become links). */
	text?: string;
	markdown?: boolean;
	fields?: Array<{ label: string; value: string }>;
	articles?: InboxArticle[];
	attachments?: InboxAttachment[];
	buttons?: InboxButton[];
	/** Small print: @mentions, the card's source, what a card tap opens. */
	notes?: string[];
}

export interface InboxConversation {
	/** e.g. `wecom/user/lisi`, `dingtalk/group/cid…` */
	key: string;
	platform: 'wecom' | 'dingtalk';
	label: string;
}

export interface InboxMessage {
	/** Order of arrival, over every kind of message: the newest has the highest. */
	seq: number;
	id: string;
	platform: 'wecom' | 'dingtalk';
	channel: InboxChannel;
	/** Where it shows: one per recipient, group chat or robot. */
	conversations: InboxConversation[];
	msgtype: string;
	/** Emulator clock, ms since the epoch. */
	sentAt: number;
	recalled: boolean;
	content: InboxContent;
	/** Recipients it did not reach (DingTalk's daily limits, unknown users). */
	undelivered?: string[];
}

export interface InboxStates {
	wecom?: WeComState;
	dingtalk?: DingTalkState;
}

type Entry =
	| { kind: 'wecom-message'; item: SentMessage }
	| { kind: 'wecom-robot'; item: WeComRobotPost }
	| { kind: 'dingtalk-work'; item: WorkNotificationTask }
	| { kind: 'dingtalk-robot'; item: RobotMessageRecord }
	| { kind: 'dingtalk-custom-robot'; item: DingTalkRobotPost }
	| { kind: 'dingtalk-session'; item: SessionReply };

function text(value: unknown): string | undefined {
	if (typeof value === 'string') return value === '' ? undefined : value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return undefined;
}

function record(value: unknown): Record<string, unknown> {
	return isRecord(value) ? value : {};
}

function records(value: unknown): Array<Record<string, unknown>> {
	return Array.isArray(value) ? value.filter(isRecord) : [];
}

function compact<T extends object>(value: T): T {
	for (const key of Object.keys(value) as Array<keyof T>) {
		const v = value[key];
		if (v === undefined || (Array.isArray(v) && v.length === 0)) delete value[key];
	}
	return value;
}

/** "<div class=\"gray\">2026-05-03</div>" lines of a WeCom text card as plain lines. */
function textCardDescription(value: string): string {
	return value
		.replace(/<br\s*\/?>/gi, '\n')
		.replace(/<div(?:\s+class=["']?\w+["']?)?\s*>([\s\S]*?)<\/div>/gi, '\n$1\n')
		.replace(/\n{2,}/g, '\n')
		.trim();
}

/** An article's HTML body (mpnews) as a short plain preview. */
function htmlPreview(value: string, max = 300): string {
	const plain = value
		.replace(/<[^>]*>/g, ' ')
		.replace(/&nbsp;/g, ' ')
		.replace(/\s+/g, ' ')
		.trim();
	return plain.length > max ? `${plain.slice(0, max)}…` : plain;
}

function fileName(media: { filename: string } | undefined, id: unknown, fallback: string): string {
	return media?.filename ?? (typeof id === 'string' && id ? `${fallback} ${id}` : fallback);
}

// --- WeCom ---------------------------------------------------------------------------------------------------

function weComLink(link: Record<string, unknown>, label: string): InboxButton {
	const url = text(link.url);
	if (url && (link.type === undefined || link.type === 1)) return { label, url };
	if (text(link.appid)) return { label, note: `小程序 mini program ${String(link.appid)}` };
	return { label, ...(url ? { url } : {}) };
}

function templateCard(card: Record<string, unknown>): InboxContent {
	const main = record(card.main_title);
	const emphasis = record(card.emphasis_content);
	const quote = record(card.quote_area);
	const imageText = record(card.image_text_area);
	const lines = [
		text(main.desc),
		text(quote.title),
		text(quote.quote_text),
		text(card.sub_title_text),
	];
	const fields: InboxContent['fields'] = [];
	if (text(emphasis.title)) {
		fields.push({ label: text(emphasis.desc) ?? '', value: String(emphasis.title) });
	}
	for (const row of records(card.horizontal_content_list)) {
		fields.push({
			label: text(row.keyname) ?? '',
			value: text(row.value) ?? text(row.userid) ?? '',
		});
	}
	for (const row of records(card.vertical_content_list)) {
		fields.push({ label: text(row.title) ?? '', value: text(row.desc) ?? '' });
	}
	const articles: InboxArticle[] = [];
	if (text(imageText.title) || text(imageText.desc)) {
		articles.push(
			compact({
				title: text(imageText.title) ?? '',
				text: text(imageText.desc),
				url: imageText.type === 1 ? text(imageText.url) : undefined,
			}),
		);
	}
	const buttons: InboxButton[] = [];
	for (const jump of records(card.jump_list)) {
		buttons.push(weComLink(jump, text(jump.title) ?? '链接'));
	}
	for (const button of records(card.button_list)) {
		const label = text(button.text) ?? '按钮';
		buttons.push(
			button.type === 1 && text(button.url)
				? { label, url: String(button.url) }
				: { label, note: `回调按钮 callback key ${text(button.key) ?? ''}`.trim() },
		);
	}
	const checkbox = record(card.checkbox);
	for (const option of records(checkbox.option_list)) {
		fields.push({ label: '☐', value: text(option.text) ?? '' });
	}
	for (const select of records(card.select_list)) {
		const options = records(select.option_list).map((o) => text(o.text) ?? '');
		fields.push({ label: text(select.title) ?? '选择', value: options.join(' / ') });
	}
	const submit = record(card.submit_button);
	if (text(submit.text)) buttons.push({ label: String(submit.text), note: '回调按钮 callback' });
	const notes: string[] = [];
	const source = record(card.source);
	if (text(source.desc)) notes.push(`来源 ${String(source.desc)}`);
	const action = record(card.card_action);
	if (action.type === 1 && text(action.url))
		buttons.push({ label: '打开卡片 · Open card', url: String(action.url) });
	else if (action.type === 2) notes.push(`点击卡片打开小程序 ${text(action.appid) ?? ''}`.trim());
	if (quote.type === 1 && text(quote.url)) {
		buttons.push({ label: text(quote.title) ?? '引用 · Quote', url: String(quote.url) });
	}
	const image = record(card.card_image);
	const attachments: InboxAttachment[] = text(image.url)
		? [{ kind: 'image', name: '卡片图片 card image', url: String(image.url) }]
		: [];
	return compact({
		title: text(main.title),
		text: lines.filter((l) => l !== undefined).join('\n') || undefined,
		fields,
		articles,
		attachments,
		buttons,
		notes,
	});
}

type MediaLookup = (id: unknown) => { filename: string; data: Buffer } | undefined;

/** One WeCom message body (app, group chat or group robot). */
function weComContent(
	msgtype: string,
	body: Record<string, unknown>,
	media: MediaLookup,
): InboxContent {
	const content = record(body[msgtype]);
	const attachment = (kind: InboxAttachment['kind']): InboxAttachment => {
		const found = media(content.media_id);
		return compact({
			kind,
			name: fileName(found, content.media_id, kind),
			bytes: found?.data.length,
		});
	};
	switch (msgtype) {
		case 'text': {
			const mentions = [
				...(Array.isArray(content.mentioned_list) ? content.mentioned_list : []),
				...(Array.isArray(content.mentioned_mobile_list) ? content.mentioned_mobile_list : []),
			].map((m) => (m === '@all' ? '@所有人' : `@${String(m)}`));
			return compact({
				text: text(content.content),
				notes: mentions.length ? [mentions.join(' ')] : undefined,
			});
		}
		case 'markdown':
		case 'markdown_v2':
			return { text: text(content.content), markdown: true };
		case 'image': {
			if (typeof content.base64 === 'string') {
				const bytes = Buffer.from(content.base64, 'base64');
				const type = bytes[0] === 0x89 ? 'png' : 'jpg';
				return { attachments: [{ kind: 'image', name: `image.${type}`, bytes: bytes.length }] };
			}
			return { attachments: [attachment('image')] };
		}
		case 'voice':
		case 'file':
			return { attachments: [attachment(msgtype)] };
		case 'video':
			return compact({
				title: text(content.title),
				text: text(content.description),
				attachments: [attachment('video')],
			});
		case 'textcard':
			return compact({
				title: text(content.title),
				text: text(content.description) && textCardDescription(String(content.description)),
				buttons: [{ label: text(content.btntxt) ?? '详情', url: text(content.url) }],
			});
		case 'news':
			return {
				articles: records(content.articles).map((a) =>
					compact({
						title: text(a.title) ?? '',
						text: text(a.description),
						url: text(a.url),
					}),
				),
			};
		case 'mpnews':
			return {
				articles: records(content.articles).map((a) =>
					compact({
						title: text(a.title) ?? '',
						text: text(a.digest) ?? (text(a.content) && htmlPreview(String(a.content))),
						url: text(a.content_source_url),
					}),
				),
			};
		case 'miniprogram_notice':
			return compact({
				title: text(content.title),
				text: text(content.description),
				fields: records(content.content_item).map((i) => ({
					label: text(i.key) ?? '',
					value: text(i.value) ?? '',
				})),
				notes: [
					`小程序 mini program ${text(content.appid) ?? ''} ${text(content.page) ?? ''}`.trim(),
				],
			});
		case 'template_card':
			return templateCard(content);
		default:
			return unknownContent(content);
	}
}

function unknownContent(content: unknown): InboxContent {
	return { text: JSON.stringify(content, null, 2) };
}

// --- DingTalk ------------------------------------------------------------------------------------------------

function dingTalkMediaLookup(state: DingTalkState): MediaLookup {
	return (id) => (typeof id === 'string' ? state.messaging.media.get(id) : undefined);
}

/** A work notification's msg (old API, snake_case). */
function workNotificationContent(msg: Record<string, unknown>, media: MediaLookup): InboxContent {
	const msgtype = text(msg.msgtype) ?? '';
	const content = record(msg[msgtype]);
	switch (msgtype) {
		case 'text':
			return compact({ text: text(content.content) });
		case 'markdown':
			return compact({ title: text(content.title), text: text(content.text), markdown: true });
		case 'image':
		case 'voice':
		case 'file': {
			const found = media(content.media_id);
			return {
				attachments: [
					compact({
						kind: msgtype,
						name: fileName(found, content.media_id, msgtype),
						bytes: found?.data.length,
					}),
				],
			};
		}
		case 'link':
			return compact({
				title: text(content.title),
				text: text(content.text),
				buttons: [{ label: '打开链接 · Open', url: text(content.messageUrl) }],
			});
		case 'oa': {
			const head = record(content.head);
			const body = record(content.body);
			const rich = record(body.rich);
			const fields = records(body.form).map((row) => ({
				label: text(row.key) ?? '',
				value: text(row.value) ?? '',
			}));
			if (text(rich.num))
				fields.push({ label: '', value: `${String(rich.num)}${text(rich.unit) ?? ''}` });
			const status = record(content.status_bar);
			return compact({
				title: text(body.title) ?? text(head.text),
				text: text(body.content),
				fields,
				buttons: [{ label: '打开 · Open', url: text(content.message_url) }],
				notes: [
					text(head.text) && `OA · ${String(head.text)}`,
					text(body.author) && `作者 ${String(body.author)}`,
					text(status.status_value) && `状态 ${String(status.status_value)}`,
				].filter((n): n is string => Boolean(n)),
			});
		}
		case 'action_card': {
			const buttons: InboxButton[] = text(content.single_title)
				? [{ label: String(content.single_title), url: text(content.single_url) }]
				: records(content.btn_json_list).map((b) => ({
						label: text(b.title) ?? '',
						url: text(b.action_url),
					}));
			return compact({
				title: text(content.title),
				text: text(content.markdown),
				markdown: true,
				buttons,
			});
		}
		default:
			return unknownContent(msg);
	}
}

/** The app robot's message (new API): msgKey and its msgParam. */
function robotContent(
	msgKey: string,
	param: Record<string, unknown>,
	media: MediaLookup,
): InboxContent {
	const cards = /^sampleActionCard(\d)?$/.exec(msgKey);
	if (cards) {
		const buttons: InboxButton[] = [];
		if (text(param.singleTitle)) {
			buttons.push({ label: String(param.singleTitle), url: text(param.singleURL) });
		}
		for (let i = 1; i <= 6; i++) {
			if (text(param[`actionTitle${i}`])) {
				buttons.push({
					label: String(param[`actionTitle${i}`]),
					url: text(param[`actionURL${i}`]),
				});
			}
		}
		return compact({ title: text(param.title), text: text(param.text), markdown: true, buttons });
	}
	switch (msgKey) {
		case 'sampleText':
			return compact({ text: text(param.content) });
		case 'sampleMarkdown':
			return compact({ title: text(param.title), text: text(param.text), markdown: true });
		case 'sampleImageMsg': {
			const photo = text(param.photoURL) ?? '';
			const found = media(photo);
			return {
				attachments: [
					compact({
						kind: 'image' as const,
						name: found
							? found.filename
							: /^https?:/i.test(photo)
								? '图片 image'
								: `image ${photo}`,
						bytes: found?.data.length,
						url: found ? undefined : photo,
					}),
				],
			};
		}
		case 'sampleLink':
			return compact({
				title: text(param.title),
				text: text(param.text),
				buttons: [{ label: '打开链接 · Open', url: text(param.messageUrl) }],
			});
		case 'sampleFile': {
			const found = media(param.mediaId);
			const name = text(param.fileName) ?? fileName(found, param.mediaId, 'file');
			return {
				attachments: [compact({ kind: 'file' as const, name, bytes: found?.data.length })],
			};
		}
		default:
			return unknownContent(param);
	}
}

/** A custom robot's message (/robot/send, and the same body through a sessionWebhook). */
function customRobotContent(body: Record<string, unknown>): InboxContent {
	const msgtype = text(body.msgtype) ?? '';
	const content = record(body[msgtype]);
	const at = record(body.at);
	const mentions = [
		...(at.isAtAll === true ? ['@所有人'] : []),
		...(Array.isArray(at.atUserIds) ? at.atUserIds.map((u) => `@${String(u)}`) : []),
		...(Array.isArray(at.atMobiles) ? at.atMobiles.map((u) => `@${String(u)}`) : []),
	];
	const notes = mentions.length ? [mentions.join(' ')] : undefined;
	switch (msgtype) {
		case 'text':
			return compact({ text: text(content.content), notes });
		case 'markdown':
			return compact({
				title: text(content.title),
				text: text(content.text),
				markdown: true,
				notes,
			});
		case 'link':
			return compact({
				title: text(content.title),
				text: text(content.text),
				buttons: [{ label: '打开链接 · Open', url: text(content.messageUrl) }],
			});
		case 'actionCard': {
			const buttons: InboxButton[] = text(content.singleTitle)
				? [{ label: String(content.singleTitle), url: text(content.singleURL) }]
				: records(content.btns).map((b) => ({
						label: text(b.title) ?? '',
						url: text(b.actionURL),
					}));
			return compact({
				title: text(content.title),
				text: text(content.text),
				markdown: true,
				buttons,
			});
		}
		case 'feedCard':
			return {
				articles: records(content.links).map((l) =>
					compact({ title: text(l.title) ?? '', url: text(l.messageURL) }),
				),
			};
		default:
			return unknownContent(body);
	}
}

// --- conversations -------------------------------------------------------------------------------------------

/** The last characters of a robot's key or token: enough to tell robots apart, not enough to post as one. */
function tail(secret: string): string {
	return `…${secret.slice(-4)}`;
}

function robotNumber(keys: Iterable<string>, key: string): number {
	let n = 0;
	for (const k of keys) {
		n += 1;
		if (k === key) return n;
	}
	return n + 1;
}

function weComConversations(state: WeComState, message: SentMessage): InboxConversation[] {
	if (message.channel === 'appchat') {
		const chat = message.chatid ? state.chats.get(message.chatid) : undefined;
		return [
			{
				key: `wecom/chat/${message.chatid ?? ''}`,
				platform: 'wecom',
				label: `群聊 ${chat?.name || message.chatid || ''}`.trim(),
			},
		];
	}
	const users = message.recipients.users.map((id) => {
		const user = state.users.find((u) => u.userid === id);
		return {
			key: `wecom/user/${id}`,
			platform: 'wecom' as const,
			label: user ? `${user.name} ${id}` : id,
		};
	});
	const parties = message.recipients.parties.map((id) => ({
		key: `wecom/party/${id}`,
		platform: 'wecom' as const,
		label: `部门 ${state.departments.find((d) => d.id === id)?.name ?? id}`,
	}));
	const tags = message.recipients.tags.map((id) => ({
		key: `wecom/tag/${id}`,
		platform: 'wecom' as const,
		label: `标签 ${state.tags.find((t) => t.tagid === id)?.tagname ?? id}`,
	}));
	return [...users, ...parties, ...tags];
}

function dingTalkUser(state: DingTalkState, id: string, prefix: string): InboxConversation {
	const user = state.users.find((u) => u.userid === id);
	return {
		key: `dingtalk/${prefix}/${id}`,
		platform: 'dingtalk',
		label: user ? `${user.name} ${id}` : id,
	};
}

function dingTalkGroup(state: DingTalkState, conversationId: string): InboxConversation {
	const group = state.messaging.groups.find((g) => g.openConversationId === conversationId);
	return {
		key: `dingtalk/group/${conversationId}`,
		platform: 'dingtalk',
		label: `群 ${group?.title ?? conversationId}`,
	};
}

// --- the inbox -----------------------------------------------------------------------------------------------

/**
 * Numbers messages in the order they arrive, over every list the endpoints keep; `observe()` runs after each API
 * call (and before each read), so each list is scanned only past what it has seen.
 */
export class Inbox {
	private readonly seqs = new WeakMap<object, number>();

	private readonly seen = new WeakMap<unknown[], number>();

	private nextSeq = 1;

	constructor(private readonly states: () => InboxStates) {}

	/** Numbers the entries that arrived since the last call. */
	observe(): void {
		for (const list of this.lists()) {
			const from = this.seen.get(list) ?? 0;
			for (let i = from; i < list.length; i++) {
				const item = list[i] as object;
				if (!this.seqs.has(item)) this.seqs.set(item, this.nextSeq++);
			}
			this.seen.set(list, list.length);
		}
	}

	/** Changes whenever a message arrives or is recalled (the page reloads on a change). */
	version(): string {
		this.observe();
		let recalled = 0;
		const { wecom, dingtalk } = this.states();
		for (const m of wecom?.messages ?? []) if (m.recalled) recalled += 1;
		for (const t of dingtalk?.messaging.workNotifications ?? []) if (t.recalled) recalled += 1;
		for (const m of dingtalk?.messaging.robotMessages ?? []) if (m.recalled) recalled += 1;
		return `${this.nextSeq - 1}.${recalled}`;
	}

	/** Every message, newest first. */
	messages(): InboxMessage[] {
		this.observe();
		const { wecom, dingtalk } = this.states();
		const out: InboxMessage[] = [];
		for (const entry of this.entries()) {
			const seq = this.seqs.get(entry.item) ?? 0;
			const message =
				entry.kind.startsWith('wecom') && wecom
					? this.weComMessage(wecom, entry, seq)
					: dingtalk
						? this.dingTalkMessage(dingtalk, entry, seq)
						: undefined;
			if (message) out.push(message);
		}
		return out.sort((a, b) => b.seq - a.seq);
	}

	private lists(): unknown[][] {
		const { wecom, dingtalk } = this.states();
		const lists: unknown[][] = [];
		if (wecom) lists.push(wecom.messages, weComRobots(wecom).posts);
		if (dingtalk) {
			lists.push(
				dingtalk.messaging.workNotifications,
				dingtalk.messaging.robotMessages,
				dingTalkRobots(dingtalk).posts,
				sessionReplies(dingtalk),
			);
		}
		return lists;
	}

	private entries(): Entry[] {
		const { wecom, dingtalk } = this.states();
		const entries: Entry[] = [];
		if (wecom) {
			for (const item of wecom.messages) entries.push({ kind: 'wecom-message', item });
			for (const item of weComRobots(wecom).posts) entries.push({ kind: 'wecom-robot', item });
		}
		if (dingtalk) {
			const m = dingtalk.messaging;
			for (const item of m.workNotifications) entries.push({ kind: 'dingtalk-work', item });
			for (const item of m.robotMessages) entries.push({ kind: 'dingtalk-robot', item });
			for (const item of dingTalkRobots(dingtalk).posts) {
				entries.push({ kind: 'dingtalk-custom-robot', item });
			}
			for (const item of sessionReplies(dingtalk)) entries.push({ kind: 'dingtalk-session', item });
		}
		return entries;
	}

	private weComMessage(state: WeComState, entry: Entry, seq: number): InboxMessage | undefined {
		const base = { seq, id: `m${seq}`, platform: 'wecom' as const };
		if (entry.kind === 'wecom-message') {
			const { item } = entry;
			return {
				...base,
				channel: item.channel,
				conversations: weComConversations(state, item),
				msgtype: item.msgtype,
				sentAt: item.sentAt,
				recalled: item.recalled,
				content: weComContent(item.msgtype, item.payload, (id) =>
					typeof id === 'string' ? state.media.get(id) : undefined,
				),
			};
		}
		if (entry.kind === 'wecom-robot') {
			const { item } = entry;
			const robots = weComRobots(state);
			const n = robotNumber(robots.robots.keys(), item.key);
			return {
				...base,
				channel: 'groupRobot',
				conversations: [
					{ key: `wecom/robot/${n}`, platform: 'wecom', label: `群机器人 #${n} ${tail(item.key)}` },
				],
				msgtype: item.msgtype,
				sentAt: item.sentAt,
				recalled: false,
				content: weComContent(item.msgtype, item.payload, (id) =>
					typeof id === 'string' ? robots.media.get(id) : undefined,
				),
			};
		}
		return undefined;
	}

	private dingTalkMessage(
		state: DingTalkState,
		entry: Entry,
		seq: number,
	): InboxMessage | undefined {
		const base = { seq, id: `m${seq}`, platform: 'dingtalk' as const };
		const media = dingTalkMediaLookup(state);
		switch (entry.kind) {
			case 'dingtalk-work': {
				const task = entry.item;
				const undelivered = [
					...task.forbidden.map((f) => `${f.userid} (${f.code})`),
					...task.failed,
					...task.invalidUsers,
					...task.invalidDepts.map((d) => `部门 ${d}`),
				];
				return {
					...base,
					channel: 'workNotification',
					conversations: task.delivered.map((id) => dingTalkUser(state, id, 'work')),
					msgtype: task.msgtype,
					sentAt: task.sentAt,
					recalled: task.recalled,
					content: workNotificationContent(record(task.body.msg), media),
					...(undelivered.length ? { undelivered } : {}),
				};
			}
			case 'dingtalk-robot': {
				const m = entry.item;
				return {
					...base,
					channel: m.openConversationId ? 'robotGroup' : 'robot',
					conversations: m.openConversationId
						? [dingTalkGroup(state, m.openConversationId)]
						: (m.userIds ?? []).map((id) => dingTalkUser(state, id, 'robot')),
					msgtype: m.msgKey,
					sentAt: m.sentAt,
					recalled: m.recalled,
					content: robotContent(m.msgKey, m.msgParam, media),
				};
			}
			case 'dingtalk-custom-robot': {
				const post = entry.item;
				const n = robotNumber(dingTalkRobots(state).robots.keys(), post.token);
				return {
					...base,
					channel: 'customRobot',
					conversations: [
						{
							key: `dingtalk/customRobot/${n}`,
							platform: 'dingtalk',
							label: `自定义机器人 #${n} ${tail(post.token)}`,
						},
					],
					msgtype: post.msgtype,
					sentAt: post.sentAt,
					recalled: false,
					content: customRobotContent(post.payload),
				};
			}
			case 'dingtalk-session': {
				const reply = entry.item;
				const { session } = reply;
				return {
					...base,
					channel: 'sessionReply',
					conversations: [
						session.conversationType === '2'
							? dingTalkGroup(state, session.conversationId)
							: dingTalkUser(state, session.senderStaffId, 'robot'),
					],
					msgtype: reply.msgtype,
					sentAt: reply.sentAt,
					recalled: false,
					content: customRobotContent(reply.payload),
				};
			}
			default:
				return undefined;
		}
	}
}

export const CHANNELS = Object.keys(CHANNEL_LABELS) as InboxChannel[];
