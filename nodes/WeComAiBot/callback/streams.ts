// The stream replies of callback (URL) mode, in this n8n process. WeCom pulls a stream reply instead of receiving it
// (doc 100719 流式消息刷新, doc 101031 流式消息回复): the trigger answers the user's message with a stream id, then
// WeCom POSTs refresh callbacks carrying that id and each answer carries the whole text so far, until one says
// finish:true (at most 6 minutes after the user's message). The trigger's webhook answers those refreshes from here;
// the AI Reply node and the streaming sub-node (Start/Update/Finish/Fail) write here — which works only when they run
// in the process that serves the refreshes (regular mode). A queue-mode worker finds no stream here and fails clearly.
import { randomBytes } from 'node:crypto';

/** WeCom stops refreshing 6 minutes after the user's message (doc 100719); a stream is kept a little longer. */
export const STREAM_WINDOW_MS = 6 * 60_000;

const KEEP_MS = STREAM_WINDOW_MS + 60_000;

const MAX_STREAMS = 5000;

export interface CallbackStream {
	id: string;
	/** The message it answers, as the trigger's dedupe key (workflow, node, msgid): a redelivery finds it by this. */
	messageKey: string;
	botId: string;
	msgid: string;
	/** The whole text shown now (not a delta). */
	content: string;
	finish: boolean;
	createdAt: number;
	/** A test run's stream: its first answer already said finish:true (see trigger/callback.ts). */
	testRun: boolean;
	/** How many refresh callbacks were answered from it. */
	refreshes: number;
}

const streams = new Map<string, CallbackStream>();

/** messageKey → stream id. */
const byMessage = new Map<string, string>();

function forget(id: string): void {
	const stream = streams.get(id);
	streams.delete(id);
	if (stream && byMessage.get(stream.messageKey) === id) byMessage.delete(stream.messageKey);
}

// Streams are kept in the order they were opened, so the oldest come first.
function prune(now: number): void {
	for (const [id, stream] of streams) {
		if (now - stream.createdAt < KEEP_MS) break;
		forget(id);
	}
	while (streams.size > MAX_STREAMS) forget(streams.keys().next().value as string);
}

/** A new stream for a user's message, showing `content` (the "thinking" text). */
export function openStream(
	fields: Pick<CallbackStream, 'messageKey' | 'botId' | 'msgid' | 'content' | 'testRun'>,
	now = Date.now(),
): CallbackStream {
	prune(now);
	const stream: CallbackStream = {
		...fields,
		// WeCom's own sample makes a random string; the id travels back in every refresh (unverified length limit).
		id: randomBytes(12).toString('hex'),
		finish: false,
		createdAt: now,
		refreshes: 0,
	};
	streams.set(stream.id, stream);
	byMessage.set(stream.messageKey, stream.id);
	return stream;
}

/** The stream that answers the message with this key, if this process opened one within WeCom's window. */
export function streamOfMessage(messageKey: string, now = Date.now()): CallbackStream | undefined {
	prune(now);
	const id = byMessage.get(messageKey);
	return id === undefined ? undefined : streams.get(id);
}

export function streamById(id: string, now = Date.now()): CallbackStream | undefined {
	prune(now);
	return streams.get(id);
}

/**
 * The reply node's write: the whole text so far, finished or not. False when this process has no such stream (a
 * queue-mode worker, a restarted n8n, or a stream older than WeCom's window). Writes after finish change nothing.
 */
export function writeStream(id: string, content: string, finish: boolean): boolean {
	const stream = streamById(id);
	if (!stream) return false;
	if (stream.finish) return true;
	stream.content = content;
	stream.finish = finish;
	return true;
}

/** For tests: forget every stream of this process. */
export function resetCallbackStreams(): void {
	streams.clear();
	byMessage.clear();
}
