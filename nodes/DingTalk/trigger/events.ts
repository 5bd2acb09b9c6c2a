// DingTalk events, from either connection mode, -> workflow items; the trigger's filters.
// DingTalk's own fields are kept exactly as sent (workflows and DingTalk's docs use them); the normalised fields added
// beside them are camelCase and never overwrite a field DingTalk sent.
import type { IDataObject, INodePropertyOptions } from 'n8n-workflow';

import { fieldOf as lookup, isRecord, scalarText as text } from '../../shared/json';
import {
	EVENT_INSTANCE_TYPE,
	EVENT_RESULT,
	EVENT_TASK_TYPE,
	named,
} from '../resources/approval/names';
import { ROBOT_MESSAGE_TOPIC, type StreamEvent } from '../stream/frames';

export type ConnectionMode = 'http' | 'stream';

/** One event as both modes deliver it. */
export interface DingTalkEvent {
	connection: ConnectionMode;
	/** EventType (HTTP: in the payload; Stream: headers.eventType); `robot_message` for robot messages. */
	eventType: string;
	eventId?: string;
	corpId?: string;
	/** When DingTalk produced it, in ms since the epoch. */
	time?: number;
	/** The payload as DingTalk sent it. */
	fields: IDataObject;
	/** The text DingTalk sent (the decrypted callback, or the frame's data). */
	raw: string;
}

/** The EventType of DingTalk's URL check: answered, never a workflow start. */
export const CHECK_URL_EVENT = 'check_url';

/** The eventType given to robot messages (a CALLBACK on the robot topic, which has none of its own). */
export const ROBOT_MESSAGE_EVENT = 'robot_message';

// ---------------------------------------------------------------------------------------------
// Reading fields: old and new payloads spell the same field differently (`UserId` / `userId`).

function textField(fields: IDataObject | undefined, name: string): string | undefined {
	const value = text(lookup(fields, name))?.trim();
	return value === '' ? undefined : value;
}

function object(value: unknown): IDataObject | undefined {
	return isRecord(value) ? (value as IDataObject) : undefined;
}

/** A list of ids however it came: an array, one value, or a JSON array in a string. */
function idList(value: unknown): string[] {
	let list: unknown = value;
	if (typeof value === 'string' && value.trim().startsWith('[')) {
		try {
			list = JSON.parse(value);
		} catch {
			list = value;
		}
	}
	const values = Array.isArray(list) ? list : list === undefined || list === null ? [] : [list];
	return values.map(text).filter((v): v is string => v !== undefined && v !== '');
}

/** Milliseconds (or seconds) since the epoch as an ISO string; null for anything else. */
export function isoTime(value: unknown): string | null {
	const s = text(value)?.trim();
	if (s === undefined || !/^\d{1,15}$/.test(s)) return null;
	const n = Number(s);
	if (n <= 0) return null;
	const date = new Date(n > 1e11 ? n : n * 1000);
	return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function positiveNumber(value: unknown): number | undefined {
	const n = Number(text(value));
	return Number.isFinite(n) && n > 0 ? n : undefined;
}

// ---------------------------------------------------------------------------------------------
// The event of each mode.

/** A decrypted HTTP callback payload. */
export function eventFromHttp(fields: IDataObject, raw: string): DingTalkEvent {
	return {
		connection: 'http',
		eventType: textField(fields, 'EventType') ?? '',
		eventId: textField(fields, 'eventId'),
		corpId: textField(fields, 'CorpId'),
		time: positiveNumber(lookup(fields, 'EventTime') ?? lookup(fields, 'TimeStamp')),
		fields,
		raw,
	};
}

/** An EVENT or robot CALLBACK of Stream mode. */
export function eventFromStream(event: StreamEvent): DingTalkEvent {
	const fields = event.data as IDataObject;
	if (event.type === 'CALLBACK') {
		return {
			connection: 'stream',
			eventType: event.topic === ROBOT_MESSAGE_TOPIC ? ROBOT_MESSAGE_EVENT : event.topic,
			eventId: textField(fields, 'msgId'),
			corpId: textField(fields, 'chatbotCorpId') ?? textField(fields, 'senderCorpId'),
			time: positiveNumber(lookup(fields, 'createAt')),
			fields,
			raw: event.rawData,
		};
	}
	return {
		connection: 'stream',
		// The type is in the headers; some events repeat it in the data.
		eventType: event.eventType ?? textField(fields, 'EventType') ?? '',
		eventId: event.eventId ?? textField(fields, 'eventId'),
		corpId: event.corpId ?? textField(fields, 'CorpId'),
		time: event.bornTime ?? positiveNumber(lookup(fields, 'EventTime')),
		fields,
		raw: event.rawData,
	};
}

/** A robot message of HTTP mode (the robot's 消息接收地址): the same payload as the Stream CALLBACK's data. */
export function eventFromRobotHttp(fields: IDataObject, raw: string): DingTalkEvent {
	return {
		connection: 'http',
		eventType: ROBOT_MESSAGE_EVENT,
		eventId: textField(fields, 'msgId'),
		corpId: textField(fields, 'chatbotCorpId') ?? textField(fields, 'senderCorpId'),
		time: positiveNumber(lookup(fields, 'createAt')),
		fields,
		raw,
	};
}

/** What a robot message lacks for an item a reply can answer, as one sentence; undefined when it is fine. */
export function robotMessageProblem(fields: IDataObject): string | undefined {
	const missing: string[] = [];
	const need = (name: string, present: boolean) => {
		if (!present) missing.push(name);
	};
	need('msgId', textField(fields, 'msgId') !== undefined);
	const msgtype = textField(fields, 'msgtype');
	need('msgtype', msgtype !== undefined);
	if (msgtype === 'text') {
		need('text.content', typeof object(lookup(fields, 'text'))?.content === 'string');
	}
	need(
		'senderStaffId or senderId',
		(textField(fields, 'senderStaffId') ?? textField(fields, 'senderId')) !== undefined,
	);
	need('conversationId', textField(fields, 'conversationId') !== undefined);
	need('sessionWebhook', textField(fields, 'sessionWebhook') !== undefined);
	return missing.length === 0 ? undefined : `a robot message without ${missing.join(', ')}`;
}

/**
 * What makes a Stream event unusable as an item — data that is not a JSON object, a robot message without the fields
 * a reply needs — as one sentence; undefined when it is fine.
 */
export function streamEventProblem(event: StreamEvent): string | undefined {
	if (event.dataProblem !== undefined) return event.dataProblem;
	if (event.type !== 'CALLBACK' || event.topic !== ROBOT_MESSAGE_TOPIC) return undefined;
	return robotMessageProblem(event.data as IDataObject);
}

// ---------------------------------------------------------------------------------------------
// Filters.

export const ALL_EVENTS = '*';

export type EventCategory =
	| 'contact'
	| 'department'
	| 'approval'
	| 'robotMessage'
	| 'chat'
	| 'checkIn'
	| 'other';

export const CONTACT_EVENTS = [
	'user_add_org',
	'user_modify_org',
	'user_leave_org',
	'user_active_org',
] as const;

export const DEPARTMENT_EVENTS = ['org_dept_create', 'org_dept_modify', 'org_dept_remove'] as const;

export const APPROVAL_EVENTS = ['bpms_instance_change', 'bpms_task_change'] as const;

const CATEGORY_BY_EVENT: ReadonlyMap<string, EventCategory> = new Map<string, EventCategory>([
	...CONTACT_EVENTS.map((e) => [e, 'contact'] as const),
	...DEPARTMENT_EVENTS.map((e) => [e, 'department'] as const),
	...APPROVAL_EVENTS.map((e) => [e, 'approval'] as const),
	[ROBOT_MESSAGE_EVENT, 'robotMessage'],
	['check_in', 'checkIn'],
]);

export function eventCategory(eventType: string): EventCategory {
	const type = eventType.toLowerCase();
	const known = CATEGORY_BY_EVENT.get(type);
	if (known) return known;
	if (type.startsWith('chat_')) return 'chat';
	if (type.startsWith('attendance_')) return 'checkIn';
	return 'other';
}

// `action` is what n8n's node creator lists under the trigger.
export const EVENT_FILTER_OPTIONS: INodePropertyOptions[] = [
	{
		name: 'Everything',
		value: ALL_EVENTS,
		action: 'Any event',
		description: 'Every event the app is subscribed to (and robot messages, when received)',
	},
	{
		name: 'Contacts (通讯录用户)',
		value: 'contact',
		action: 'Employee added, changed, left or activated',
		description: 'EventType user_add_org, user_modify_org, user_leave_org, user_active_org',
	},
	{
		name: 'Departments (部门)',
		value: 'department',
		action: 'Department created, changed or removed',
		description: 'EventType org_dept_create, org_dept_modify, org_dept_remove',
	},
	{
		name: 'Approvals (审批)',
		value: 'approval',
		action: 'Approval instance or task changed',
		description: 'EventType bpms_instance_change (started, finished, terminated), bpms_task_change',
	},
	{
		name: 'Robot Messages (机器人消息)',
		value: 'robotMessage',
		action: 'Robot received a message',
		description:
			"Messages sent to the app's robot, with \"Receive Robot Messages\" on (Stream, or HTTP with the robot's 消息接收地址 set to this node's URL)",
	},
	{
		name: 'Group Chats (群会话)',
		value: 'chat',
		action: 'Group chat changed',
		description:
			'EventType chat_add_member, chat_remove_member, chat_update_title, chat_disband, …',
	},
	{
		name: 'Check-in and Attendance (签到/考勤)',
		value: 'checkIn',
		action: 'Check-in or attendance record',
		description: 'EventType check_in, attendance_check_record, …',
	},
	{
		name: 'Other Events',
		value: 'other',
		action: 'Other event',
		description: 'Any event not in the groups above',
	},
];

export interface EventFilter {
	/** Filter values; empty or containing '*' accepts every category. */
	categories: readonly string[];
	/** Exact EventTypes to accept (case-insensitive); empty accepts all. */
	eventTypes: readonly string[];
}

/** "a, b ,c" -> ["a", "b", "c"] (lower case). */
export function eventTypeList(value: unknown): string[] {
	return String(value ?? '')
		.split(/[\s,，]+/)
		.map((v) => v.trim().toLowerCase())
		.filter((v) => v !== '');
}

export function passesFilter(event: DingTalkEvent, filter: EventFilter): boolean {
	const { categories, eventTypes } = filter;
	const everything = categories.length === 0 || categories.includes(ALL_EVENTS);
	if (!everything && !categories.includes(eventCategory(event.eventType))) return false;
	return eventTypes.length === 0 || eventTypes.includes(event.eventType.toLowerCase());
}

// ---------------------------------------------------------------------------------------------
// The item.

function approvalOf(eventType: string, fields: IDataObject): IDataObject {
	const task = eventType.toLowerCase() === 'bpms_task_change';
	const codes: IDataObject = {
		type: textField(fields, 'type') ?? null,
		result: textField(fields, 'result') ?? null,
	};
	const staffId = textField(fields, 'staffId') ?? null;
	return {
		kind: task ? 'task' : 'instance',
		processInstanceId: textField(fields, 'processInstanceId') ?? null,
		processCode: textField(fields, 'processCode') ?? null,
		title: textField(fields, 'title') ?? null,
		businessId: textField(fields, 'businessId') ?? null,
		...codes,
		...named(codes, 'type', task ? EVENT_TASK_TYPE : EVENT_INSTANCE_TYPE),
		...named(codes, 'result', EVENT_RESULT),
		// The originator for an instance, the approver for a task.
		staffId,
		...(task ? { approverUserId: staffId } : { originatorUserId: staffId }),
		taskId: textField(fields, 'taskId') ?? null,
		remark: textField(fields, 'remark') ?? null,
		createTime: isoTime(lookup(fields, 'createTime')),
		finishTime: isoTime(lookup(fields, 'finishTime')),
		url: textField(fields, 'url') ?? null,
	};
}

const CONVERSATION_TYPES: Readonly<Record<string, string>> = { '1': 'single', '2': 'group' };

function robotMessageOf(fields: IDataObject): IDataObject {
	const conversationType = textField(fields, 'conversationType') ?? null;
	const content = textField(object(lookup(fields, 'text')), 'content');
	return {
		messageText: content ?? '',
		sender: {
			staffId: textField(fields, 'senderStaffId') ?? null,
			nick: textField(fields, 'senderNick') ?? null,
			id: textField(fields, 'senderId') ?? null,
		},
		conversation: {
			id: textField(fields, 'conversationId') ?? null,
			type: conversationType,
			typeName: (conversationType && CONVERSATION_TYPES[conversationType]) ?? null,
			title: textField(fields, 'conversationTitle') ?? null,
		},
		sessionWebhookExpiresAt: isoTime(lookup(fields, 'sessionWebhookExpiredTime')),
	};
}

export interface ItemOptions {
	/** Add the text DingTalk sent as `raw`. */
	includeRaw?: boolean;
}

/**
 * DingTalk's fields as sent, plus eventType, category, eventId, corpId, eventTime (ISO), connection and, by kind:
 * userIds (contacts), deptIds (departments), approval (approvals with readable names), messageText / sender /
 * conversation / sessionWebhookExpiresAt (robot messages).
 */
export function eventToItem(event: DingTalkEvent, options: ItemOptions = {}): IDataObject {
	const { fields } = event;
	const category = eventCategory(event.eventType);
	const normalised: IDataObject = {
		eventType: event.eventType,
		category,
		eventId: event.eventId ?? null,
		corpId: event.corpId ?? null,
		eventTime: event.time === undefined ? null : isoTime(Math.round(event.time)),
		connection: event.connection,
	};
	if (category === 'contact') normalised.userIds = idList(lookup(fields, 'UserId'));
	if (category === 'department') normalised.deptIds = idList(lookup(fields, 'DeptId'));
	if (category === 'approval') normalised.approval = approvalOf(event.eventType, fields);
	if (category === 'robotMessage') Object.assign(normalised, robotMessageOf(fields));
	if (options.includeRaw === true) normalised.raw = event.raw;
	const item: IDataObject = { ...fields };
	for (const [key, value] of Object.entries(normalised)) {
		if (!Object.hasOwn(item, key)) item[key] = value;
	}
	return item;
}
