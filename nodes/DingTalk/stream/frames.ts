// DingTalk Stream frames: what the server sends, what the client answers, and the event a frame carries.
import { isRecord, parseJsonObject } from '../../shared/json';

/** Robot messages (机器人接收消息) arrive as CALLBACKs on this topic. */
export const ROBOT_MESSAGE_TOPIC = '/v1.0/im/bot/messages/get';

export type SubscriptionType = 'EVENT' | 'CALLBACK';

export interface StreamSubscription {
	type: SubscriptionType;
	topic: string;
}

/** EVENT takes topic `*` only (which events arrive is chosen in the developer console); robot messages are opt-in. */
export function streamSubscriptions(options: { robotMessages: boolean }): StreamSubscription[] {
	const subscriptions: StreamSubscription[] = [{ type: 'EVENT', topic: '*' }];
	if (options.robotMessages) subscriptions.push({ type: 'CALLBACK', topic: ROBOT_MESSAGE_TOPIC });
	return subscriptions;
}

export interface StreamFrame {
	type: string;
	headers: Record<string, string>;
	/** A JSON document as a string. */
	data: string;
}

/** A frame from the server, or undefined for text that is not one (it cannot be answered: it has no messageId). */
export function parseFrame(text: unknown): StreamFrame | undefined {
	const value = typeof text === 'string' ? parseJsonObject(text) : undefined;
	if (!value || typeof value.type !== 'string' || !isRecord(value.headers)) {
		return undefined;
	}
	const headers: Record<string, string> = {};
	for (const [key, header] of Object.entries(value.headers)) {
		if (typeof header === 'string' || typeof header === 'number') headers[key] = String(header);
	}
	if (!headers.messageId) return undefined;
	return {
		type: value.type,
		headers,
		data: typeof value.data === 'string' ? value.data : JSON.stringify(value.data ?? null),
	};
}

/** The answer to a frame: DingTalk matches it to the frame by messageId. */
export function answerFrame(messageId: string, data: string): string {
	return JSON.stringify({
		code: 200,
		headers: { contentType: 'application/json', messageId },
		message: 'OK',
		data,
	});
}

/** EVENT: "SUCCESS" ends redelivery; "LATER" asks for it. Robot CALLBACK: no reply message of its own. */
export function ackData(type: SubscriptionType, status: 'SUCCESS' | 'LATER' = 'SUCCESS'): string {
	return type === 'EVENT' ? JSON.stringify({ status }) : JSON.stringify({ response: null });
}

/** One EVENT or CALLBACK, as the trigger sees it. */
export interface StreamEvent {
	type: SubscriptionType;
	topic: string;
	/** Of this delivery; a redelivery has a new one. */
	messageId: string;
	/** EVENT: `headers.eventType` (e.g. bpms_instance_change); the data does not carry it. */
	eventType?: string;
	/** EVENT: `headers.eventId`, the same on every redelivery. */
	eventId?: string;
	corpId?: string;
	/** EVENT: when DingTalk produced it (ms since the epoch). */
	bornTime?: number;
	/** The parsed data; {} when it is not a JSON object (rawData still has it, dataProblem says so). */
	data: Record<string, unknown>;
	/** Set when `data` could not be read: what is wrong with it. */
	dataProblem?: string;
	rawData: string;
	headers: Record<string, string>;
}

export function eventOf(frame: StreamFrame): StreamEvent {
	const { headers } = frame;
	const born = Number(headers.eventBornTime);
	const data = parseJsonObject(frame.data);
	return {
		type: frame.type === 'CALLBACK' ? 'CALLBACK' : 'EVENT',
		topic: headers.topic ?? '',
		messageId: headers.messageId,
		eventType: headers.eventType || undefined,
		eventId: headers.eventId || undefined,
		corpId: headers.eventCorpId || undefined,
		bornTime: Number.isFinite(born) && born > 0 ? born : undefined,
		// Safe keys only: the data becomes an n8n item.
		data: data ?? {},
		dataProblem: data ? undefined : dataProblemOf(frame.data),
		rawData: frame.data,
		headers,
	};
}

function dataProblemOf(text: string): string {
	try {
		JSON.parse(text);
	} catch {
		return 'its data is not JSON';
	}
	return 'its data is not a JSON object';
}

/**
 * What stays the same when DingTalk delivers an event again: eventId for EVENTs, msgId for robot messages (each
 * delivery has a new messageId, so that one cannot serve).
 */
export function eventKey(event: StreamEvent): string | undefined {
	if (event.type === 'EVENT') return event.eventId ? `event:${event.eventId}` : undefined;
	const msgId = event.data.msgId;
	return typeof msgId === 'string' && msgId !== '' ? `${event.topic}:${msgId}` : undefined;
}
