// Decrypted WeCom callbacks -> workflow items, the trigger's filters, and redelivery detection.
// WeCom's own field names are kept exactly as sent (workflows and WeCom's docs use them); the few
// normalised fields added beside them are camelCase so they can never collide with an XML element.
import type { IDataObject, INodePropertyOptions } from 'n8n-workflow';

import { fieldOf as lookup, parseJsonObject, scalarText as text } from '../shared/json';
import { XmlReadError, readXml } from '../shared/xml';
import type { XmlObject } from '../shared/xml';
import { Deliveries } from '../shared/deliveries';
import {
	APPROVAL_CHANGE_EVENT,
	APPROVAL_NODE_STATUS,
	APPROVAL_STATUS,
	APPROVER_ATTR,
	codeName,
	type CodeNames,
} from './approvalStatus';
import { WECOM_XML_LIST_FIELDS } from './xmlLists';

// The trigger and older callers take it from here; it lives in shared/json.ts.
export { parseJsonObject };

export type CallbackFormat = 'xml' | 'json';

export interface CallbackPayload {
	format: CallbackFormat;
	fields: IDataObject;
}

export type CallbackPayloadErrorReason = 'doctype' | 'malformed' | 'too_large' | 'unknown_format';

/** The decrypted text is not a payload the trigger can read. Messages name the cause, never the content. */
export class CallbackPayloadError extends Error {
	readonly reason: CallbackPayloadErrorReason;

	constructor(reason: CallbackPayloadErrorReason, message: string) {
		super(message);
		this.name = 'CallbackPayloadError';
		this.reason = reason;
	}
}

function describeXmlError(error: XmlReadError, what: string): CallbackPayloadError {
	if (error.reason === 'doctype') {
		return new CallbackPayloadError(
			'doctype',
			`${what} contains a DOCTYPE/ENTITY declaration, which is refused (WeCom never sends one)`,
		);
	}
	if (error.reason === 'too_large') {
		return new CallbackPayloadError('too_large', `${what} is too large`);
	}
	// Only the position: the element names and text around it are the sender's content.
	const where =
		error.line !== undefined ? ` (line ${error.line}, column ${error.column ?? 0})` : '';
	const kind = error.reason === 'too_deep' ? 'nests elements too deeply' : 'is not well-formed XML';
	return new CallbackPayloadError('malformed', `${what} ${kind}${where}`);
}

/** Reads an XML document's root children with WeCom's list fields; errors are CallbackPayloadError. */
export function readWeComXml(text: string | Buffer, what: string, maxBytes?: number): XmlObject {
	try {
		return readXml(text, { listFields: WECOM_XML_LIST_FIELDS, maxBytes }).value;
	} catch (error) {
		// readXml throws nothing but XmlReadError; anything else is folded into "malformed" all the same.
		throw describeXmlError(
			error instanceof XmlReadError ? error : new XmlReadError('malformed', 'unreadable'),
			what,
		);
	}
}

/** The decrypted message: XML for app callbacks, JSON for the callbacks WeCom sends as JSON. */
export function readCallbackPayload(message: string): CallbackPayload {
	const start = message.replace(/^[\uFEFF\s]+/, '').charAt(0);
	if (start === '<') {
		return {
			format: 'xml',
			fields: readWeComXml(message, 'The decrypted callback') as IDataObject,
		};
	}
	if (start === '{') {
		const fields = parseJsonObject(message);
		if (fields === undefined) {
			throw new CallbackPayloadError('malformed', 'The decrypted callback is not valid JSON');
		}
		return { format: 'json', fields };
	}
	throw new CallbackPayloadError(
		'unknown_format',
		'The decrypted callback is neither XML nor JSON',
	);
}

// ---------------------------------------------------------------------------------------------
// Reading fields: XML gives PascalCase strings, JSON callbacks use lower-case keys and numbers.

function asObject(value: unknown): IDataObject | undefined {
	return value !== null && typeof value === 'object' && !Array.isArray(value)
		? (value as IDataObject)
		: undefined;
}

function textAt(fields: IDataObject | undefined, ...path: string[]): string | undefined {
	let current: unknown = fields;
	for (const name of path) current = lookup(asObject(current), name);
	return text(current);
}

function integer(value: unknown): number | null {
	const s = text(value)?.trim();
	if (s === undefined || !/^-?\d{1,15}$/.test(s)) return null;
	return Number(s);
}

/** Unix seconds (or milliseconds, which some JSON callbacks carry) as an ISO string. */
function isoTime(value: unknown): string | null {
	const n = integer(value);
	if (n === null || n <= 0) return null;
	const ms = n > 1e12 ? n : n * 1000;
	const date = new Date(ms);
	return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function list(value: unknown): unknown[] {
	if (value === undefined || value === null || value === '') return [];
	return Array.isArray(value) ? value : [value];
}

// ---------------------------------------------------------------------------------------------
// What a callback is.

export interface CallbackFacts {
	/** MsgType, lower-cased. */
	msgType: string;
	/** Event, lower-cased (WeCom writes LOCATION in upper case); only for MsgType=event. */
	event?: string;
	/** ChangeType of change_contact, lower-cased. */
	changeType?: string;
}

export function describeCallback(fields: IDataObject): CallbackFacts {
	const msgType = (textAt(fields, 'MsgType') ?? '').trim().toLowerCase();
	const facts: CallbackFacts = { msgType };
	if (msgType === 'event') {
		// JSON callbacks nest the event: {"msgtype": "event", "event": {"eventtype": "..."}}.
		const eventValue = lookup(fields, 'Event');
		const event = text(eventValue) ?? textAt(asObject(eventValue), 'EventType') ?? '';
		facts.event = event.trim().toLowerCase();
		if (facts.event === 'change_contact') {
			facts.changeType = (textAt(fields, 'ChangeType') ?? '').trim().toLowerCase();
		}
	}
	return facts;
}

// ---------------------------------------------------------------------------------------------
// Filters. Values are prefixed: "location" is both a message type and (upper-cased) an event.

export const ALL_CALLBACKS = '*';
export const OTHER_CALLBACKS = 'other';

export const MESSAGE_TYPES = ['text', 'image', 'voice', 'video', 'location', 'link'] as const;

export const FILTERED_EVENTS = [
	'subscribe',
	'unsubscribe',
	'enter_agent',
	'click',
	'view',
	'change_contact',
	'sys_approval_change',
	'template_card_event',
	'batch_job_result',
] as const;

export const CHANGE_TYPES = [
	'create_user',
	'update_user',
	'delete_user',
	'create_party',
	'update_party',
	'delete_party',
	'update_tag',
] as const;

// `action` is what n8n's node creator lists under the trigger and what the subtitle shows.
export const CALLBACK_FILTER_OPTIONS: INodePropertyOptions[] = [
	{
		name: 'Everything',
		value: ALL_CALLBACKS,
		action: 'Any message or event',
		description: 'Every message and event',
	},
	{ name: 'Message: Text (文本)', value: 'message:text', action: 'Text message' },
	{ name: 'Message: Image (图片)', value: 'message:image', action: 'Image message' },
	{ name: 'Message: Voice (语音)', value: 'message:voice', action: 'Voice message' },
	{ name: 'Message: Video (视频)', value: 'message:video', action: 'Video message' },
	{ name: 'Message: Location (位置)', value: 'message:location', action: 'Location message' },
	{ name: 'Message: Link (链接)', value: 'message:link', action: 'Link message' },
	{
		name: 'Event: Subscribe (关注)',
		value: 'event:subscribe',
		action: 'Member subscribed',
		description: 'A member started following the app',
	},
	{
		name: 'Event: Unsubscribe (取消关注)',
		value: 'event:unsubscribe',
		action: 'Member unsubscribed',
	},
	{
		name: 'Event: Enter App (进入应用)',
		value: 'event:enter_agent',
		action: 'Member opened the app',
		description: 'A member opened the app (enter_agent)',
	},
	{ name: 'Event: Menu Click (点击菜单)', value: 'event:click', action: 'Menu click' },
	{ name: 'Event: Menu Link (点击菜单跳转链接)', value: 'event:view', action: 'Menu link opened' },
	{
		name: 'Event: Contact Change (通讯录变更)',
		value: 'event:change_contact',
		action: 'Contact change',
		description: 'Members, departments or tags changed (change_contact)',
	},
	{
		name: 'Event: Approval Status Change (审批状态变化)',
		value: 'event:sys_approval_change',
		action: 'Approval status change',
		description: 'An approval was submitted, approved, rejected, withdrawn or commented on',
	},
	{
		name: 'Event: Template Card Button (模板卡片事件)',
		value: 'event:template_card_event',
		action: 'Template card button clicked',
	},
	{
		name: 'Event: Batch Job Finished (异步任务完成)',
		value: 'event:batch_job_result',
		action: 'Batch job finished',
	},
	{
		name: 'Other Messages and Events',
		value: OTHER_CALLBACKS,
		action: 'Other message or event',
		description:
			'Anything not listed above, e.g. LOCATION reports, scan-code and photo menu events, new message types',
	},
];

/**
 * The node's subtitle: the chosen callbacks by their readable names ("Text message, Approval status
 * change"), evaluated by the editor like any expression.
 */
export function callbackSubtitle(): string {
	const names: Record<string, string> = {};
	for (const option of CALLBACK_FILTER_OPTIONS) names[String(option.value)] = option.action ?? '';
	const everything = names[ALL_CALLBACKS];
	return (
		`={{ (($parameter["events"] || []).includes("${ALL_CALLBACKS}") ? [] : ($parameter["events"] || []))` +
		`.map(v => (${JSON.stringify(names)})[v] || v).join(", ") || "${everything}" }}`
	);
}

export const CHANGE_TYPE_OPTIONS: INodePropertyOptions[] = [
	{ name: 'Member Created', value: 'create_user', description: 'ChangeType create_user' },
	{ name: 'Member Updated', value: 'update_user', description: 'ChangeType update_user' },
	{ name: 'Member Deleted', value: 'delete_user', description: 'ChangeType delete_user' },
	{ name: 'Department Created', value: 'create_party', description: 'ChangeType create_party' },
	{ name: 'Department Updated', value: 'update_party', description: 'ChangeType update_party' },
	{ name: 'Department Deleted', value: 'delete_party', description: 'ChangeType delete_party' },
	{ name: 'Tag Members Changed', value: 'update_tag', description: 'ChangeType update_tag' },
];

const MESSAGE_TYPE_SET: ReadonlySet<string> = new Set(MESSAGE_TYPES);
const FILTERED_EVENT_SET: ReadonlySet<string> = new Set(FILTERED_EVENTS);

/** The filter value a callback falls under. */
export function callbackCategory(facts: CallbackFacts): string {
	if (facts.msgType === 'event') {
		return facts.event !== undefined && FILTERED_EVENT_SET.has(facts.event)
			? `event:${facts.event}`
			: OTHER_CALLBACKS;
	}
	return MESSAGE_TYPE_SET.has(facts.msgType) ? `message:${facts.msgType}` : OTHER_CALLBACKS;
}

export interface CallbackFilter {
	/** Filter values; empty or containing '*' accepts every category. */
	categories: readonly string[];
	/** change_contact ChangeTypes to accept; empty accepts all. */
	changeTypes: readonly string[];
}

export function passesFilter(facts: CallbackFacts, filter: CallbackFilter): boolean {
	const { categories, changeTypes } = filter;
	const everything = categories.length === 0 || categories.includes(ALL_CALLBACKS);
	if (!everything && !categories.includes(callbackCategory(facts))) return false;
	if (facts.event === 'change_contact' && changeTypes.length > 0) {
		return changeTypes.includes(facts.changeType ?? '');
	}
	return true;
}

// ---------------------------------------------------------------------------------------------
// Redelivery. WeCom resends a callback it got no answer for (3 tries, 5 s apart) with a fresh
// signature, nonce and encryption, so only the decrypted content can recognise it.

// Fields that tell two events of the same sender and second apart; only those present count.
const EVENT_IDENTITY_PATHS: ReadonlyArray<readonly string[]> = [
	['AgentID'],
	['EventKey'],
	['ChangeType'],
	['UserID'],
	['Id'],
	['TagId'],
	['ApprovalInfo', 'SpNo'],
	['ApprovalInfo', 'StatuChangeEvent'],
	['ApprovalInfo', 'SpStatus'],
	['TaskId'],
	['ResponseCode'],
	['BatchJob', 'JobId'],
	['Latitude'],
	['Longitude'],
];

/**
 * The identity of a callback: its MsgId for messages, otherwise sender + CreateTime + event + the
 * event's key fields. Undefined when nothing identifies it (then it is never treated as a duplicate).
 */
export function dedupeKey(fields: IDataObject, facts: CallbackFacts): string | undefined {
	const msgId = textAt(fields, 'MsgId')?.trim();
	if (msgId) return `msg:${msgId}`;
	const from = textAt(fields, 'FromUserName') ?? textAt(fields, 'From', 'UserId');
	const createTime = textAt(fields, 'CreateTime') ?? textAt(fields, 'Create_Time');
	if (!from && !createTime) return undefined;
	const parts: string[] = [from ?? '', createTime ?? '', facts.msgType, facts.event ?? ''];
	for (const path of EVENT_IDENTITY_PATHS) {
		const value = textAt(fields, ...path);
		if (value !== undefined && value !== '') parts.push(`${path.join('.')}=${value}`);
	}
	// JSON keeps the parts apart whatever characters the values contain.
	return `event:${JSON.stringify(parts)}`;
}

/** One per n8n process: every WeCom Trigger of every workflow in it shares this, keyed apart. */
export const recentCallbacks = new Deliveries(20000);

// ---------------------------------------------------------------------------------------------
// sys_approval_change -> approval.

function named(
	table: CodeNames,
	code: number | null,
): { name: string | null; nameZh: string | null } {
	const entry = codeName(table, code);
	return entry ? { name: entry.en, nameZh: entry.zh } : { name: null, nameZh: null };
}

function strings(value: unknown): string[] {
	return list(value)
		.map((v) => text(v))
		.filter((v): v is string => v !== undefined);
}

function approvalDetails(value: unknown): IDataObject {
	const d = asObject(value);
	const spStatus = integer(lookup(d, 'SpStatus'));
	const status = named(APPROVAL_NODE_STATUS, spStatus);
	const spTime = integer(lookup(d, 'SpTime'));
	return {
		approver: textAt(d, 'Approver', 'UserId') ?? null,
		speech: textAt(d, 'Speech') ?? '',
		spStatus,
		spStatusName: status.name,
		spStatusNameZh: status.nameZh,
		spTime,
		spTimeIso: isoTime(spTime),
		attach: strings(lookup(d, 'Attach')),
	};
}

function approvalRecord(value: unknown): IDataObject {
	const r = asObject(value);
	const spStatus = integer(lookup(r, 'SpStatus'));
	const status = named(APPROVAL_NODE_STATUS, spStatus);
	const approverAttr = integer(lookup(r, 'ApproverAttr'));
	const attr = named(APPROVER_ATTR, approverAttr);
	const details = list(lookup(r, 'Details')).map(approvalDetails);
	return {
		spStatus,
		spStatusName: status.name,
		spStatusNameZh: status.nameZh,
		approverAttr,
		approverAttrName: attr.name,
		approverAttrNameZh: attr.nameZh,
		approvers: details.map((d) => d.approver).filter((a): a is string => typeof a === 'string'),
		details,
	};
}

function approvalComment(value: unknown): IDataObject {
	const c = asObject(value);
	const commentTime = integer(lookup(c, 'CommentTime'));
	return {
		userId: textAt(c, 'CommentUserInfo', 'UserId') ?? null,
		commentTime,
		commentTimeIso: isoTime(commentTime),
		content: textAt(c, 'CommentContent') ?? '',
		commentId: textAt(c, 'CommentId') ?? null,
		attach: strings(lookup(c, 'Attach')),
	};
}

/** The ApprovalInfo of a sys_approval_change callback, with numbers as numbers and readable statuses. */
export function approvalFromCallback(approvalInfo: unknown): IDataObject {
	const a = asObject(approvalInfo);
	const spStatus = integer(lookup(a, 'SpStatus'));
	const status = named(APPROVAL_STATUS, spStatus);
	const applyTime = integer(lookup(a, 'ApplyTime'));
	const changeEvent = integer(lookup(a, 'StatuChangeEvent'));
	const change = named(APPROVAL_CHANGE_EVENT, changeEvent);
	return {
		spNo: textAt(a, 'SpNo') ?? null,
		spName: textAt(a, 'SpName') ?? null,
		spStatus,
		spStatusName: status.name,
		spStatusNameZh: status.nameZh,
		templateId: textAt(a, 'TemplateId') ?? null,
		applyTime,
		applyTimeIso: isoTime(applyTime),
		applyer: {
			userId: textAt(a, 'Applyer', 'UserId') ?? null,
			party: textAt(a, 'Applyer', 'Party') ?? null,
		},
		records: list(lookup(a, 'SpRecord')).map(approvalRecord),
		notifyers: list(lookup(a, 'Notifyer'))
			.map((n) => textAt(asObject(n), 'UserId'))
			.filter((n): n is string => n !== undefined),
		comments: list(lookup(a, 'Comments')).map(approvalComment),
		statusChangeEvent: changeEvent,
		statusChangeEventName: change.name,
		statusChangeEventNameZh: change.nameZh,
	};
}

// ---------------------------------------------------------------------------------------------
// The item.

export interface ItemOptions {
	/** The decrypted text, added as rawXml (XML callbacks) or rawJson (JSON callbacks). */
	raw?: string;
}

/**
 * WeCom's fields as sent (lists as arrays), plus msgType, event, changeType, createTime (ISO) and,
 * for sys_approval_change, approval. A JSON callback's own key wins over a normalised name it shares
 * (its "event" object, say), so nothing WeCom sent is ever overwritten.
 */
export function callbackToItem(
	payload: CallbackPayload,
	facts: CallbackFacts,
	options: ItemOptions = {},
): IDataObject {
	const { fields, format } = payload;
	const normalised: IDataObject = { msgType: facts.msgType };
	if (facts.event !== undefined) normalised.event = facts.event;
	if (facts.changeType !== undefined) normalised.changeType = facts.changeType;
	const createTime = isoTime(lookup(fields, 'CreateTime') ?? lookup(fields, 'Create_Time'));
	if (createTime !== null) normalised.createTime = createTime;
	if (facts.event === 'sys_approval_change') {
		normalised.approval = approvalFromCallback(lookup(fields, 'ApprovalInfo'));
	}
	if (options.raw !== undefined) normalised[format === 'xml' ? 'rawXml' : 'rawJson'] = options.raw;
	const item: IDataObject = { ...fields };
	for (const [key, value] of Object.entries(normalised)) {
		if (!Object.hasOwn(item, key)) item[key] = value;
	}
	return item;
}
