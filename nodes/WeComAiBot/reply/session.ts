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

import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { ApplicationError, NodeOperationError } from 'n8n-workflow';

import { ReplyThrottle } from '../../shared/replyThrottle';
import { writeStream } from '../callback/streams';
import { AiBotReplyError, AiBotNotConnectedError } from '../connection/client';
import { fitContent, streamBody } from '../connection/frames';
import { heldConnection } from '../connection/registry';
import { relayResponse } from './relay';
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
	'The reply goes out through the long connection the WeCom AI Bot Trigger holds, and only the n8n process running that trigger has it. In queue mode executions run on workers, which hold no connection: there Finish and Fail hand the answer back to the trigger only for a message the published trigger delivered (Reply To: The WeCom AI Bot Trigger\'s Message) — not for Message Fields, an error workflow, or a manual run on a worker. For those, run n8n in one process (regular mode, EXECUTIONS_MODE=regular). Also check that the workflow with the WeCom AI Bot Trigger for this bot is published (or listening for a test event) in this n8n.';

/** What a reply handed back to the trigger (queue mode, reply/relay.ts) did, for the node's output. */
export interface AiBotRelayStats {
	/** The final answer or failure went back to the trigger on main, which sends it to WeCom. */
	handedToTrigger: 'finished' | 'failed' | null;
	/** Updates (thinking, partial answers) a worker cannot show: only the final answer goes back. */
	updatesNotShown: number;
}

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

	/** Set when the trigger showed the thinking text on arrival: it also ends the reply if the run leaves it open. */
	shownByTrigger = false;

	/** Set once this reply went back to the trigger instead of to WeCom (a worker without the connection). */
	relay?: AiBotRelayStats;

	private throttle?: ReplyThrottle<string>;

	/** The thinking text shown now, or on its way (a second Start with the same text sends nothing). */
	private thinking?: string;

	private starting?: Promise<void>;

	/** finish()/fail() under way: the first one ends the reply, a later one waits for it and does nothing. */
	private closing?: Promise<void>;

	private caller?: AiBotReplyContext;

	private readonly createdAt = Date.now();

	constructor(readonly target: AiBotReplyTarget) {
		this.streamId = target.streamId ?? randomBytes(8).toString('hex');
	}

	get isClosed(): boolean {
		return this.status === 'finished' || this.status === 'failed';
	}

	/**
	 * Whether this reply goes back to the trigger (reply/relay.ts): a long-connection message whose trigger takes it
	 * back, answered in a process without the bot's connection (a queue-mode worker).
	 */
	private get relaying(): boolean {
		return (
			!this.target.streamId &&
			this.target.replyViaTrigger === true &&
			heldConnection(this.target.botId) === undefined
		);
	}

	/** The final answer or failure, handed to the trigger through n8n's run response; updates are counted, not sent. */
	private async handBack(text: string, finish: boolean, status: 'finished' | 'failed'): Promise<void> {
		this.relay ??= { handedToTrigger: null, updatesNotShown: 0 };
		if (!finish) {
			this.relay.updatesNotShown++;
			return;
		}
		const caller = this.caller as Partial<IExecuteFunctions> | undefined;
		if (typeof caller?.sendResponse !== 'function') {
			throw this.error(
				`The reply to WeCom AI bot message ${this.target.msgid || this.target.reqId} cannot be ended from here: this n8n process has no connection of the bot, and only the WeCom AI Bot node's Finish or Fail can hand the answer back to the trigger`,
				NO_CONNECTION_FIX,
			);
		}
		const { content, truncated } = fitContent(text);
		if (truncated) this.stats.truncated = true;
		await caller.sendResponse(
			relayResponse({
				botId: this.target.botId,
				reqId: this.target.reqId,
				msgid: this.target.msgid,
				status,
				content,
			}),
		);
		this.relay.handedToTrigger = status;
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

	/**
	 * One frame, through the bot's connection in this process; resolves once WeCom acknowledged it. Without the
	 * connection, a reply the trigger takes back goes to it (final frames only).
	 */
	private async send(
		text: string,
		finish: boolean,
		status: 'finished' | 'failed' = 'finished',
	): Promise<void> {
		if (this.target.streamId) {
			this.write(text, finish);
			return;
		}
		if (this.relaying) {
			await this.handBack(text, finish, status);
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

	/** The "thinking" frame, at once (a re-run starts the shown text over; the same thinking text is not sent again). */
	async start(thinkingText: string): Promise<void> {
		if (this.isClosed) return;
		if (this.thinking === thinkingText) {
			// Shown, or being shown (the trigger shows it on arrival, the Start node may come while it is on its way).
			if (this.status === 'thinking') return;
			if (this.starting) return await this.starting;
		}
		this.thinking = thinkingText;
		const starting = this.send(thinkingText, false).then(() => {
			this.status = 'thinking';
			this.content = '';
			this.notes.length = 0;
		});
		// Not shown: a later Start with this text sends it again.
		starting.catch(() => {
			if (this.thinking === thinkingText) this.thinking = undefined;
		});
		this.starting = starting;
		try {
			await starting;
		} finally {
			if (this.starting === starting) this.starting = undefined;
		}
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

	/** Runs the first of finish()/fail(); a call while one is under way waits for it, a later one does nothing. */
	private async close(end: () => Promise<void>): Promise<void> {
		if (this.isClosed) return;
		if (this.closing) return await this.closing;
		this.closing = end().finally(() => {
			this.closing = undefined;
		});
		await this.closing;
	}

	/** The final answer: finish:true. */
	async finish(content: string): Promise<void> {
		await this.close(async () => {
			await this.stopStreaming();
			await this.send(content, true);
			this.status = 'finished';
			this.content = content;
		});
	}

	/** Ends the reply with `message` after what was shown (finish:true: WeCom's stream has no error state). */
	async fail(message: string): Promise<void> {
		await this.close(async () => {
			await this.stopStreaming();
			// Handed back to the trigger, nothing of the answer was shown: the trigger shows the message after its own.
			const relaying = this.relaying;
			const shown = relaying ? '' : this.content.trim();
			const content = shown ? `${shown}\n\n> ${message}` : message;
			await this.send(content, true, 'failed');
			this.status = 'failed';
			this.content = content;
		});
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
			...(this.relay ? { handedToTrigger: this.relay.handedToTrigger, updatesNotShown: this.relay.updatesNotShown } : {}),
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
