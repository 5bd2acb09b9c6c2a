// The trigger's side of the long connection: the client (connection/client.ts) inside n8n's trigger lifecycle. Each
// message becomes one item, handed to n8n once: a process-wide window of recent msgids drops redeliveries (WeCom may
// repeat a message, and a reconnect may bring it again), and n8n's deduplication key (nodes/shared/triggerDelivery.ts)
// refuses a second execution across processes and restarts.
// The trigger shows the thinking text as soon as a message arrives (it holds the connection, so this takes no execution),
// and takes the final answer back from a run on another process (a queue-mode worker, reply/relay.ts). Once the run has
// ended, a reply it left open (the run failed, or never reached Finish) is ended with the "no answer" text — after a
// short grace for a failed run, so that an error workflow in this process can end it with its own message first.
// Unlike DingTalk Stream, WeCom's long connection has no acknowledgement of an inbound message (none in the digest of
// its docs, none sent by peers): nothing tells WeCom that n8n recorded a message, and a message arriving while n8n
// cannot start an execution is lost (logged). Unverified whether WeCom redelivers a message that got no reply.
import type {
	IExecuteResponsePromiseData,
	ITriggerFunctions,
	ITriggerResponse,
} from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import type { ChatSessionScope } from '../../shared/chat';
import { sleepScheduler } from '../../shared/longConnection/scheduler';
import type { StreamSocketConstructor } from '../../shared/longConnection/socket';
import { RecentKeys } from '../../shared/recentKeys';
import { TriggerDelivery, type DeliveryOutcome } from '../../shared/triggerDelivery';
import { triggerLogPlace, triggerNodeScope } from '../../shared/triggerScope';
import {
	AiBotUnavailableError,
	WeComAiBotClient,
	type AiBotFailure,
	type AiBotTiming,
} from '../connection/client';
import { aiBotCredentialsOf } from '../connection/credentialTest';
import { holdConnection, releaseConnection } from '../connection/registry';
import { relayedReplyOf } from '../reply/relay';
import { replySessionOf, sessionFor, type AiBotReplySession } from '../reply/session';
import { DEFAULT_THINKING_TEXT } from './callback';
import { messageItem } from './chat';
import { LONG_CONNECTION_DOWNLOAD_MS, aiBotMaxAttachmentBytes, withAttachments } from './media';

export const DEFAULT_NO_ANSWER_TEXT = '抱歉，这次没能完成回答，请稍后再试。';

/** How long a reply a failed run left open waits for an error workflow to end it, before the trigger does. */
export const FAILED_RUN_GRACE_MS = 5_000;

/** One per n8n process: msgids handed to n8n lately, per trigger node (redeliveries and reconnects start nothing). */
const recentMessages = new RecentKeys(20_000);

const DEDUPE_WINDOW_MS = 10 * 60_000;

export interface AiBotTestHooks {
	WebSocket?: StreamSocketConstructor;
	timing?: Partial<AiBotTiming>;
	/** Replaces FAILED_RUN_GRACE_MS. */
	failedRunGraceMs?: number;
}

let testHooks: AiBotTestHooks = {};

/** Lets tests shorten the client's timings; never set inside n8n. */
export function setAiBotTestHooks(hooks: AiBotTestHooks): void {
	testHooks = hooks;
}

/** For tests: forget the msgids seen. */
export function resetAiBotMessageWindow(): void {
	recentMessages.clear();
}

export async function aiBotTrigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
	const credentials = aiBotCredentialsOf(await this.getCredentials('weComAiBotApi'));
	const node = this.getNode();
	if (credentials.botId === '' || credentials.secret === '') {
		throw new NodeOperationError(
			node,
			'The WeCom AI Bot credential needs its Bot ID and Secret (管理后台 → 应用管理 → 智能机器人 → the bot → API 模式, 长连接)',
		);
	}
	const manual = this.getMode() === 'manual';
	const workflow = this.getWorkflow();
	const scope = triggerNodeScope(workflow.id, node);
	const where = ` ${triggerLogPlace(workflow, node)}`;
	const owner = `workflow "${workflow.name ?? workflow.id ?? ''}"${manual ? ' (listening for a test event)' : ''}`;
	const sessionScope = this.getNodeParameter('sessionScope', 'chat') as ChatSessionScope;
	const downloadAttachments = this.getNodeParameter('downloadAttachments', true) !== false;
	const options = this.getNodeParameter('options', {}) as {
		includeRaw?: boolean;
		thinkingText?: string;
		noAnswerText?: string;
		maxAttachmentSize?: number;
	};
	const maxBytes = aiBotMaxAttachmentBytes(options.maxAttachmentSize);
	const thinkingText = String(options.thinkingText ?? '').trim() || DEFAULT_THINKING_TEXT;
	const noAnswerText = String(options.noAnswerText ?? '').trim() || DEFAULT_NO_ANSWER_TEXT;
	let closed = false;
	const delivery = new TriggerDelivery(this, {
		scope,
		deduplicate: true,
		onRetry: (attempt, reason) =>
			this.logger.warn(
				`WeCom AI bot: ${reason} of a message; running it again (attempt ${attempt})${where}`,
			),
	});
	let handedOver = false;

	const onMessage = async (frame: { headers: { req_id: string }; body?: object }) => {
		const body = (frame.body ?? {}) as Record<string, unknown>;
		const reqId = frame.headers.req_id;
		const message = messageItem(reqId, body as never, {
			botId: credentials.botId,
			sessionScope,
			includeRaw: options.includeRaw === true,
			// A published run may run on a queue-mode worker: its reply comes back here (reply/relay.ts).
			replyViaTrigger: !manual,
		});
		if (typeof message === 'string') {
			const error = new NodeOperationError(
				node,
				`WeCom sent an AI bot message that cannot start the workflow: ${message}`,
			);
			this.logger.warn(`${error.message}; recorded as a failed execution, listening on${where}`);
			this.saveFailedExecution(error);
			return;
		}
		const msgid = String((message.item.json.wecomAiBot as { msgid: string }).msgid);
		if (recentMessages.seen(`${scope}\u0000${msgid}`, DEDUPE_WINDOW_MS, Date.now())) {
			this.logger.debug(`WeCom AI bot: message ${msgid} came again; it starts nothing${where}`);
			return;
		}
		if (manual && handedOver) return;
		handedOver = true;
		client.owe(reqId);
		const session = showThinking(reqId, msgid, !manual);
		// After the thinking text: the user sees the bot at work while the files come (trigger/media.ts).
		const item = await withAttachments(this, message, {
			download: downloadAttachments,
			maxBytes,
			deadline: Date.now() + LONG_CONNECTION_DOWNLOAD_MS,
			key: { mode: 'longConnection' },
		});
		if (manual) {
			this.emit([[item]]);
			return;
		}
		let handedBack: Promise<void> = Promise.resolve();
		const outcome = await delivery.deliver(
			item,
			msgid,
			(response: IExecuteResponsePromiseData) => {
				const reply = relayedReplyOf(response);
				if (reply?.reqId !== reqId) return;
				handedBack = endHandedBack(session, reply.status, reply.content);
			},
		);
		if (outcome.status === 'refused') {
			recentMessages.forget(`${scope}\u0000${msgid}`);
			void endLeftOpen(session, 'n8n started no execution for it');
			throw new Error(`n8n started no execution: ${(outcome.error as Error)?.message}`);
		}
		await handedBack;
		await afterRun(session, outcome);
	};

	/** The thinking text, at once through this connection; a failure to show it is logged and the run goes on. */
	const showThinking = (reqId: string, msgid: string, replyViaTrigger: boolean) => {
		const session = sessionFor({ botId: credentials.botId, reqId, msgid, replyViaTrigger });
		session.shownByTrigger = true;
		void session.start(thinkingText).catch((error: Error) =>
			this.logger.warn(
				`WeCom AI bot: the thinking text for message ${msgid} could not be shown (${error.message}); the workflow runs, and its reply nodes try again${where}`,
			),
		);
		return session;
	};

	/** The final answer or failure a run on another process handed back (reply/relay.ts), sent through this connection. */
	const endHandedBack = async (
		session: AiBotReplySession,
		status: 'finished' | 'failed',
		content: string,
	) => {
		try {
			if (status === 'finished') await session.finish(content);
			else await session.fail(content);
			this.logger.debug(
				`WeCom AI bot: a worker's ${status === 'finished' ? 'answer' : 'failure'} to message ${session.target.msgid} was sent to WeCom${where}`,
			);
		} catch (error) {
			this.logger.warn(
				`WeCom AI bot: the ${status === 'finished' ? 'answer' : 'failure'} a worker handed back for message ${session.target.msgid} could not be sent (${(error as Error).message}); the reply stays as it was${where}`,
			);
		}
	};

	/** Ends a reply the run left open with the "no answer" text. */
	const endLeftOpen = async (session: AiBotReplySession, why: string) => {
		if (session.isClosed || replySessionOf(session.target.botId, session.target.reqId) !== session) return;
		this.logger.info(
			`WeCom AI bot: ${why}, so its reply to message ${session.target.msgid} ends with the "no answer" text${where}`,
		);
		await session.fail(noAnswerText).catch((error: Error) =>
			this.logger.warn(
				`WeCom AI bot: the reply to message ${session.target.msgid} could not be ended (${error.message}); WeCom closes it after about 6 minutes${where}`,
			),
		);
	};

	/** Once the run has ended: a reply it left open is ended (a waiting run may still answer, and is left alone). */
	const afterRun = async (session: AiBotReplySession, outcome: DeliveryOutcome) => {
		// Closed: the trigger stopped while a lost run waited to be emitted again (a refusal is handled by the caller).
		if (session.isClosed || outcome.status !== 'recorded') return;
		const { run } = outcome;
		// An event n8n had run already (its key was taken) has no run here: that run answers, or answered, it.
		if (run === undefined || run.status === 'waiting') return;
		const failed = run.status !== 'success';
		if (failed) {
			// An error workflow in this process may end it with its own message first.
			const grace = testHooks.failedRunGraceMs ?? FAILED_RUN_GRACE_MS;
			for (let waited = 0; waited < grace && !session.isClosed && !closed; waited += 250) {
				await sleep(Math.min(250, grace));
			}
		}
		await endLeftOpen(
			session,
			failed ? 'the run failed without ending it' : 'the run ended without ending it (no Finish)',
		);
	};

	const onFailure = (failure: AiBotFailure): void => {
		const error = new NodeOperationError(node, failure.error.message, {
			description: failure.takenOver
				? '企业微信智能机器人只保留一个长连接：另一个连接订阅了同一个机器人，本触发器已停止监听且不再重连。请只在一个 n8n 的一个已发布工作流中使用该机器人，然后重新发布本工作流。'
				: failure.permanent
					? '企业微信拒绝了 Bot ID 或 Secret（853000）：请在管理后台 → 智能机器人 → API 模式（长连接）中重新复制。'
					: `No connection to WeCom's AI bot server for ${Math.max(1, Math.round(failure.failingForMs / 60_000))} min after ${failure.attempts} attempts; the trigger keeps retrying (back-off up to 60 s).`,
		});
		// A refused secret cannot heal by waiting: n8n deactivates, runs the error workflow and tries again with back-off.
		// A takeover is shown as a failed execution and left alone: re-activating would take the bot back.
		if (failure.permanent || (manual && !failure.takenOver)) this.emitError(error);
		else this.saveFailedExecution(error);
	};

	const client = new WeComAiBotClient({
		url: credentials.url,
		botId: credentials.botId,
		secret: credentials.secret,
		onMessage,
		onFailure,
		onRecovered: () =>
			this.logger.info(`WeCom AI bot: the connection is back after a reported outage${where}`),
		scheduler: sleepScheduler(),
		WebSocket: testHooks.WebSocket,
		timing: testHooks.timing,
		log: {
			debug: (message) => this.logger.debug(`${message}${where}`),
			info: (message) => this.logger.info(`${message}${where}`),
			warn: (message) => this.logger.warn(`${message}${where}`),
		},
	});

	const start = async () => {
		const holder = holdConnection(client, owner);
		if (holder) {
			throw new NodeOperationError(
				node,
				`WeCom AI bot ${credentials.botId} is already connected in this n8n by ${holder.owner}: WeCom keeps one long connection per bot, and a second one would take the bot from the first. Unpublish that workflow first (or, to test, send the bot a message and open that workflow's execution).`,
			);
		}
		try {
			await client.start();
		} catch (error) {
			releaseConnection(client);
			throw new NodeOperationError(
				node,
				error instanceof AiBotUnavailableError
					? error.message
					: `WeCom AI bot could not connect: ${(error as Error).message}`,
			);
		}
	};
	// The connection stays while replies to the messages it delivered are still being written (the reply node of a test
	// run runs after n8n closed this trigger); it closes once they finished or their window passed.
	const closeFunction = async () => {
		closed = true;
		delivery.close();
		client.retire();
	};
	if (manual) return { closeFunction, manualTriggerFunction: start };
	await start();
	return { closeFunction };
}
