// One stream reply (流式消息回复) to one AI bot message, sent through the trigger's long connection: `aibot_respond_msg`
// frames keyed by the message's req_id, each carrying the whole text so far (not a delta, ≤ 20,480 bytes), sent in
// order and each after WeCom acknowledged the previous one; the last one has finish:true. A "thinking" frame first,
// then updates throttled (latest wins), then the final answer. WeCom's stream has no error flag: a failed reply ends
// (finish:true) with what was shown and the failure message after it.
// In callback mode (trigger/callback.ts) the same session writes the whole text into this process's stream registry
// (callback/streams.ts) instead, and WeCom's refresh callbacks read it from there.
// Sessions live in this process by bot and req_id (or stream id), so the reply node's steps and the streaming sub-node share one
// stream (id, throttle, state) within an execution and across re-runs.
import { randomBytes } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';
import { ApplicationError, NodeOperationError } from 'n8n-workflow';

import { ReplyThrottle } from '../../shared/replyThrottle';
import { writeStream } from '../callback/streams';
import { AiBotReplyError, AiBotNotConnectedError } from '../connection/client';
import { fitContent, streamBody } from '../connection/frames';
import { heldConnection } from '../connection/registry';
import type { AiBotReplyContext, AiBotReplyTarget } from './target';

export type AiBotReplyStatus = 'new' | 'thinking' | 'streaming' | 'finished' | 'failed';

/**
 * WeCom's answers that mean "slower": 45009 is WeCom's API frequency limit. Which errcode the long connection gives a
 * client that streams too fast is not in the digest (unverified); any other refusal is reported and the next update
 * repairs it.
 */
const THROTTLED_CODES = new Set([45009, 45033]);

function isThrottled(error: unknown): boolean {
	return error instanceof AiBotReplyError && THROTTLED_CODES.has(error.errcode);
}

export const NO_CONNECTION_FIX =
	'The reply goes out through the long connection the WeCom AI Bot Trigger holds, and only the n8n process running that trigger has it. Run n8n in one process (regular mode, EXECUTIONS_MODE=regular): in queue mode executions run on workers, which hold no connection. Also check that the workflow with the WeCom AI Bot Trigger for this bot is published (or listening for a test event) in this n8n.';

export const NO_CALLBACK_STREAM_FIX =
	"In callback mode WeCom asks the n8n process that received the message for the reply (refresh callbacks), and the reply node must write it in that same process. Run n8n in one process (regular mode, EXECUTIONS_MODE=regular): in queue mode executions run on workers, and WeCom's refreshes reach a webhook process. Also: a reply is shown for at most 6 minutes after the user's message, and a restarted n8n has forgotten its streams.";

export interface AiBotReplyStats {
	/** aibot_respond_msg frames acknowledged by WeCom. */
	frames: number;
	superseded: number;
	throttled: number;
	truncated: boolean;
	/** ms from the session's creation to WeCom acknowledging its first frame. */
	firstVisibleMs: number | null;
}

const MAX_SESSIONS = 2000;

export class AiBotReplySession {
	status: AiBotReplyStatus = 'new';

	content = '';

	readonly streamId: string;

	readonly notes: string[] = [];

	readonly executions = new Set<string>();

	readonly stats: AiBotReplyStats = {
		frames: 0,
		superseded: 0,
		throttled: 0,
		truncated: false,
		firstVisibleMs: null,
	};

	intervalMs = 300;

	private throttle?: ReplyThrottle<string>;

	private caller?: AiBotReplyContext;

	private readonly createdAt = Date.now();

	constructor(readonly target: AiBotReplyTarget) {
		this.streamId = target.streamId ?? randomBytes(8).toString('hex');
	}

	get isClosed(): boolean {
		return this.status === 'finished' || this.status === 'failed';
	}

	use(caller: AiBotReplyContext): this {
		this.caller = caller;
		const executionId = caller.getExecutionId?.();
		if (executionId) this.executions.add(String(executionId));
		return this;
	}

	private error(message: string, description?: string): Error {
		return this.caller
			? new NodeOperationError(this.caller.getNode(), message, { description })
			: new ApplicationError(message);
	}

	/** The whole text so far into this process's stream, for WeCom's next refresh callback (callback mode). */
	private write(text: string, finish: boolean): void {
		const { content, truncated } = fitContent(text);
		if (truncated) this.stats.truncated = true;
		if (!writeStream(this.streamId, content, finish)) {
			throw this.error(
				`No stream reply ${this.streamId} of WeCom AI bot ${this.target.botId} in this n8n process (callback mode): the reply cannot reach WeCom`,
				NO_CALLBACK_STREAM_FIX,
			);
		}
		this.stats.frames++;
		this.stats.firstVisibleMs ??= Date.now() - this.createdAt;
	}

	/** One frame, through the bot's connection in this process; resolves once WeCom acknowledged it. */
	private async send(text: string, finish: boolean): Promise<void> {
		if (this.target.streamId) {
			this.write(text, finish);
			return;
		}
		const held = heldConnection(this.target.botId);
		if (!held) {
			throw this.error(
				`No long connection of WeCom AI bot ${this.target.botId} in this n8n process: the reply cannot reach WeCom`,
				NO_CONNECTION_FIX,
			);
		}
		const { content, truncated } = fitContent(text);
		if (truncated) this.stats.truncated = true;
		try {
			await held.client.respond(
				this.target.reqId,
				streamBody(this.streamId, content, finish),
				finish,
			);
		} catch (error) {
			if (error instanceof AiBotNotConnectedError) {
				throw this.error(
					`The WeCom AI bot connection cannot carry the reply now: ${error.message}`,
					NO_CONNECTION_FIX,
				);
			}
			if (error instanceof AiBotReplyError) {
				throw this.error(
					`WeCom refused the reply to message ${this.target.msgid || this.target.reqId}: ${error.errcode} ${error.errmsg}`,
					'A reply is accepted for a few minutes after the message (about 6 minutes for stream replies) and only once finished; a message older than that cannot be answered this way.',
				);
			}
			throw this.error(`The reply frame failed: ${(error as Error).message}`);
		}
		this.stats.frames++;
		this.stats.firstVisibleMs ??= Date.now() - this.createdAt;
	}

	/** The "thinking" frame, at once (a re-run starts the shown text over). */
	async start(thinkingText: string): Promise<void> {
		if (this.isClosed) return;
		await this.send(thinkingText, false);
		this.status = 'thinking';
		this.content = '';
		this.notes.length = 0;
	}

	/** The answer so far: throttled, latest wins; returns at once (`settle()` waits). */
	offer(content: string): void {
		if (this.isClosed) return;
		this.content = content;
		this.throttle ??= new ReplyThrottle<string>({
			intervalMs: this.intervalMs,
			isThrottled,
			send: async (latest) => {
				if (this.isClosed) return;
				await this.send(latest, false);
				this.status = 'streaming';
			},
			onError: (error) =>
				this.caller?.logger?.warn(
					`WeCom AI bot: a stream update failed (${(error as Error)?.message}); the next update carries the whole text again`,
				),
		});
		this.throttle.update(content);
	}

	async settle(): Promise<void> {
		await this.throttle?.flush();
		this.syncStats();
	}

	private syncStats(): void {
		if (!this.throttle) return;
		this.stats.superseded = this.throttle.stats.superseded;
		this.stats.throttled = this.throttle.stats.throttled;
	}

	private async stopStreaming(): Promise<void> {
		await this.throttle?.close();
		this.syncStats();
		this.throttle = undefined;
	}

	/** The final answer: finish:true. */
	async finish(content: string): Promise<void> {
		if (this.isClosed) return;
		await this.stopStreaming();
		await this.send(content, true);
		this.status = 'finished';
		this.content = content;
	}

	/** Ends the reply with `message` after what was shown (finish:true: WeCom's stream has no error state). */
	async fail(message: string): Promise<void> {
		if (this.isClosed) return;
		await this.stopStreaming();
		const shown = this.content.trim();
		const content = shown ? `${shown}\n\n> ${message}` : message;
		await this.send(content, true);
		this.status = 'failed';
		this.content = content;
	}

	summary(): IDataObject {
		this.syncStats();
		return {
			botId: this.target.botId,
			...(this.target.streamId ? { mode: 'callback' } : { reqId: this.target.reqId }),
			msgid: this.target.msgid,
			streamId: this.streamId,
			status: this.status,
			...this.stats,
		};
	}
}

const sessions = new Map<string, AiBotReplySession>();

function sessionKey(botId: string, reqOrStream: string): string {
	return `${botId}\n${reqOrStream}`;
}

export function sessionFor(target: AiBotReplyTarget): AiBotReplySession {
	const key = sessionKey(
		target.botId,
		target.streamId ? `stream:${target.streamId}` : target.reqId,
	);
	let session = sessions.get(key);
	if (session) sessions.delete(key);
	else session = new AiBotReplySession(target);
	sessions.set(key, session);
	while (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value as string);
	return session;
}

/** The replies an execution started and left open (for an error workflow that closes them). */
export function openSessionsOf(executionId: string): AiBotReplySession[] {
	return [...sessions.values()].filter((s) => s.executions.has(executionId) && !s.isClosed);
}

export function replySessionOf(botId: string, reqId: string): AiBotReplySession | undefined {
	return sessions.get(sessionKey(botId, reqId));
}

/** For tests: forget every reply of this process. */
export function resetAiBotReplySessions(): void {
	sessions.clear();
}
