// One AI reply to one robot message: a DingTalk AI card (AI 卡片) that is created once, shows "processing", is
// streamed into ("inputting") and ends "finished" or "failed" — or, without a card template, one markdown message
// with the final answer. The sessions live in this process (by the card's outTrackId), so the reply node's steps and
// the streaming sub-node share the card, its throttle and its state within an execution and across re-runs.
//
// Card calls (open.dingtalk.com/document/orgapp/create-and-deliver-cards, …/interactive-card-update-interface,
// …/api-streamingupdate), shaped as @alicloud/dingtalk card_1_0 and the official Python SDK's AICardReplier:
// flowStatus in cardParamMap is "1" processing, "2" inputting, "3" finished, "4" executing, "5" failed.
import { randomUUID } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';
import { ApplicationError, NodeOperationError } from 'n8n-workflow';

import { ReplyThrottle } from '../../../shared/replyThrottle';
import { dingTalkApiRequest, isThrottledRefusal } from '../../transport';
import { outTrackIdOf, type ReplyContext, type ReplyTarget } from './target';

export const FLOW_STATUS = {
	processing: '1',
	inputting: '2',
	finished: '3',
	executing: '4',
	failed: '5',
} as const;

export type ReplyStatus = 'new' | 'processing' | 'inputting' | 'finished' | 'failed';

export interface ReplyConfig {
	/** Empty: markdown replies (no card). */
	templateId: string;
	/** The card variable the answer streams into (the official SDK's AI markdown card: msgContent). */
	contentKey: string;
	robotCode: string;
	/** Group cards @ the sender. */
	atSender: boolean;
	intervalMs: number;
}

/** A call the session makes: bound to the node or sub-node running now (its credential, its logger). */
export type Caller = ReplyContext;

export interface ReplyStats {
	created: boolean;
	/** Requests to DingTalk for this reply: create, full updates, streamed updates, markdown sends. */
	requests: number;
	streamed: number;
	superseded: number;
	throttled: number;
	/** ms from the session's start to the card (or message) being visible. */
	firstVisibleMs: number | null;
}

const MAX_SESSIONS = 2000;

function preview(text: string): string {
	const line = text.replace(/[#>*`_\s]+/g, ' ').trim();
	return Array.from(line).slice(0, 30).join('') || 'AI';
}

/** A card that exists already (a re-run): DingTalk's answer to a second create is not documented; see cards.ts. */
function isDuplicateCard(error: unknown): boolean {
	const response = (error as { errorResponse?: IDataObject })?.errorResponse;
	const text = `${String(response?.code ?? '')} ${String(response?.message ?? '')}`;
	return /duplicate|exist|重复|已存在/i.test(text) && !/not ?exist|不存在/i.test(text);
}

export class ReplySession {
	status: ReplyStatus = 'new';

	/** The whole answer shown so far (streamed or set). */
	content = '';

	/** The card was created (by this process, or found to exist). */
	created = false;

	/** Markdown mode: the answer was sent. */
	sentMessage = false;

	readonly executions = new Set<string>();

	/** Steps shown above the answer while it is written (the tools an Agent calls). */
	readonly notes: string[] = [];

	readonly stats: ReplyStats = {
		created: false,
		requests: 0,
		streamed: 0,
		superseded: 0,
		throttled: 0,
		firstVisibleMs: null,
	};

	private creating?: Promise<void>;

	private throttle?: ReplyThrottle<string>;

	/** Who runs the calls now: the latest node or sub-node to touch the reply. */
	private caller?: Caller;

	private readonly startedAt = Date.now();

	constructor(
		readonly outTrackId: string,
		readonly target: ReplyTarget,
		public config: ReplyConfig,
	) {}

	get isCard(): boolean {
		return this.config.templateId !== '';
	}

	get isClosed(): boolean {
		return this.status === 'finished' || this.status === 'failed';
	}

	use(caller: Caller): this {
		this.caller = caller;
		const executionId = caller.getExecutionId?.();
		if (executionId) this.executions.add(String(executionId));
		return this;
	}

	private async call(request: {
		method: 'POST' | 'PUT';
		path: string;
		body: IDataObject;
		pace?: boolean;
	}): Promise<IDataObject> {
		const caller = this.caller;
		if (!caller) throw new ApplicationError('AI reply: no node to call DingTalk with');
		this.stats.requests++;
		return await dingTalkApiRequest.call(caller, {
			method: request.method,
			path: request.path,
			body: request.body,
			waitWhenThrottled: request.pace === true ? false : undefined,
		});
	}

	private error(message: string): Error {
		return this.caller
			? new NodeOperationError(this.caller.getNode(), message)
			: new ApplicationError(message);
	}

	private visible(): void {
		this.stats.firstVisibleMs ??= Date.now() - this.startedAt;
	}

	private openSpace(): IDataObject {
		const { target, config } = this;
		if (target.conversationType === '2') {
			const deliver: IDataObject = { robotCode: target.robotCode || config.robotCode };
			if (config.atSender && target.senderStaffId) {
				deliver.atUserIds = { [target.senderStaffId]: target.senderNick || target.senderStaffId };
			}
			return {
				openSpaceId: `dtv1.card//IM_GROUP.${target.conversationId}`,
				imGroupOpenDeliverModel: deliver,
			};
		}
		if (!target.senderStaffId) {
			throw this.error(
				"The robot message has no senderStaffId: a one-to-one AI card is delivered to the sender's userid (dtv1.card//IM_ROBOT.<userid>)",
			);
		}
		return {
			openSpaceId: `dtv1.card//IM_ROBOT.${target.senderStaffId}`,
			imRobotOpenDeliverModel: { spaceType: 'IM_ROBOT' },
		};
	}

	/** Creates and delivers the card once (concurrent callers wait for the same call); a re-run finds it existing. */
	async ensureCard(params: Record<string, string>): Promise<boolean> {
		if (this.created) return false;
		this.creating ??= (async () => {
			let failure: unknown;
			try {
				const answer = await this.call({
					method: 'POST',
					path: '/v1.0/card/instances/createAndDeliver',
					body: {
						cardTemplateId: this.config.templateId,
						outTrackId: this.outTrackId,
						cardData: { cardParamMap: params },
						callbackType: 'STREAM',
						imGroupOpenSpaceModel: { supportForward: true },
						imRobotOpenSpaceModel: { supportForward: true },
						userIdType: 1,
						...this.openSpace(),
					},
				});
				const result = (answer.result ?? {}) as IDataObject;
				const failed = (Array.isArray(result.deliverResults) ? result.deliverResults : []).find(
					(entry) => (entry as IDataObject)?.success === false,
				) as IDataObject | undefined;
				if (failed) {
					throw this.error(
						`DingTalk created the AI card but could not deliver it to ${String(failed.spaceType)} ${String(failed.spaceId)}: ${String(failed.errorMsg ?? 'no reason given')}`,
					);
				}
				this.stats.created = true;
			} catch (error) {
				if (!isDuplicateCard(error)) failure = error;
			}
			if (failure !== undefined) {
				this.creating = undefined;
				throw failure;
			}
			this.created = true;
			this.visible();
		})();
		await this.creating;
		return this.stats.created;
	}

	private async update(params: Record<string, string>): Promise<void> {
		await this.call({
			method: 'PUT',
			path: '/v1.0/card/instances',
			body: { outTrackId: this.outTrackId, cardData: { cardParamMap: params } },
		});
		this.visible();
	}

	private async streamUpdate(
		content: string,
		flags: { isFinalize?: boolean; isError?: boolean } = {},
		pace = false,
	): Promise<void> {
		await this.call({
			method: 'PUT',
			path: '/v1.0/card/streaming',
			body: {
				outTrackId: this.outTrackId,
				guid: randomUUID(),
				key: this.config.contentKey,
				content,
				isFull: true,
				isFinalize: flags.isFinalize === true,
				isError: flags.isError === true,
			},
			pace,
		});
		this.stats.streamed++;
	}

	/** The card shows "processing" (with `text`, e.g. "thinking…"); a re-run sets an existing card back to it. */
	async start(text: string): Promise<void> {
		if (!this.isCard) {
			this.status = 'processing';
			return;
		}
		const params = { flowStatus: FLOW_STATUS.processing, [this.config.contentKey]: text };
		const createdNow = await this.ensureCard(params);
		if (!createdNow) await this.update(params);
		this.status = 'processing';
		this.content = '';
		this.notes.length = 0;
	}

	/**
	 * The answer so far, shown as it grows: throttled, latest wins; the first one switches the card to "inputting".
	 * Returns at once; `settle()` waits for what was offered.
	 */
	offer(content: string): void {
		if (!this.isCard || this.isClosed) return;
		this.content = content;
		this.throttle ??= new ReplyThrottle<string>({
			intervalMs: this.config.intervalMs,
			isThrottled: isThrottledRefusal,
			send: async (latest) => {
				if (this.isClosed) return;
				if (!this.created) {
					await this.ensureCard({
						flowStatus: FLOW_STATUS.inputting,
						[this.config.contentKey]: latest,
					});
				}
				if (this.status !== 'inputting') {
					this.status = 'inputting';
					await this.update({ flowStatus: FLOW_STATUS.inputting });
				}
				if (this.isClosed) return;
				await this.streamUpdate(latest, {}, true);
			},
			onError: (error) =>
				this.caller?.logger?.warn(
					`AI card update failed (the next one repairs it): ${String((error as Error)?.message ?? error)}`,
				),
		});
		this.throttle.update(content);
	}

	/** Waits until the updates offered so far went out. */
	async settle(): Promise<void> {
		await this.throttle?.flush();
		this.syncStats();
	}

	private syncStats(): void {
		if (!this.throttle) return;
		this.stats.superseded = this.throttle.stats.superseded;
		this.stats.throttled = this.throttle.stats.throttled;
	}

	/** Stops the streamed updates: what is pending is dropped, a request under way is waited for. */
	private async stopStreaming(): Promise<void> {
		await this.throttle?.close();
		this.syncStats();
		this.throttle = undefined;
	}

	/** The final answer: "finished". Without a template: one markdown message (once per message in this process). */
	async finish(content: string, title: string): Promise<void> {
		await this.stopStreaming();
		if (!this.isCard) {
			if (!this.sentMessage) await this.sendMarkdown(title || preview(content), content);
			this.sentMessage = true;
			this.status = 'finished';
			this.content = content;
			return;
		}
		const params = { flowStatus: FLOW_STATUS.finished, [this.config.contentKey]: content };
		const createdNow = await this.ensureCard(params);
		if (!createdNow) {
			if (this.status === 'inputting') await this.streamUpdate(content, { isFinalize: true });
			await this.update(params);
		}
		this.status = 'finished';
		this.content = content;
	}

	/** The reply failed: "failed", with `message` (after the part of the answer already shown). */
	async fail(message: string): Promise<void> {
		await this.stopStreaming();
		const shown = this.content.trim();
		const content = shown ? `${shown}\n\n> ${message}` : message;
		if (!this.isCard) {
			if (!this.sentMessage) await this.sendMarkdown(preview(message), content);
			this.sentMessage = true;
			this.status = 'failed';
			return;
		}
		const params = { flowStatus: FLOW_STATUS.failed, [this.config.contentKey]: content };
		const createdNow = await this.ensureCard(params);
		if (!createdNow) {
			if (this.status === 'inputting') await this.streamUpdate(content, { isError: true });
			await this.update(params);
		}
		this.status = 'failed';
		this.content = content;
	}

	/** The robot API's markdown message, to the group or to the sender (never the sessionWebhook: it expires). */
	private async sendMarkdown(title: string, text: string): Promise<void> {
		const { target, config } = this;
		const robotCode = target.robotCode || config.robotCode;
		const payload = { msgKey: 'sampleMarkdown', msgParam: JSON.stringify({ title, text }) };
		if (target.conversationType === '2') {
			await this.call({
				method: 'POST',
				path: '/v1.0/robot/groupMessages/send',
				body: { robotCode, openConversationId: target.conversationId, ...payload },
			});
		} else {
			if (!target.senderStaffId) {
				throw this.error(
					'The robot message has no senderStaffId: a one-to-one reply goes to the sender',
				);
			}
			await this.call({
				method: 'POST',
				path: '/v1.0/robot/oToMessages/batchSend',
				body: { robotCode, userIds: [target.senderStaffId], ...payload },
			});
		}
		this.visible();
	}

	/** What the reply node outputs about the reply. */
	summary(): IDataObject {
		this.syncStats();
		return {
			outTrackId: this.outTrackId,
			msgId: this.target.msgId,
			conversationId: this.target.conversationId,
			mode: this.isCard ? 'card' : 'markdown',
			status: this.status,
			...this.stats,
		};
	}
}

const sessions = new Map<string, ReplySession>();

/** The reply to a message in this process, made on first use; an older config is replaced by the caller's. */
export function sessionFor(target: ReplyTarget, config: ReplyConfig): ReplySession {
	const outTrackId = outTrackIdOf(target, config.robotCode);
	let session = sessions.get(outTrackId);
	if (session) {
		session.config = { ...config, templateId: config.templateId || session.config.templateId };
		sessions.delete(outTrackId);
	} else {
		session = new ReplySession(outTrackId, target, config);
	}
	// Kept in order of use: the oldest goes first when the map is full.
	sessions.set(outTrackId, session);
	while (sessions.size > MAX_SESSIONS) {
		const oldest = sessions.keys().next().value as string;
		sessions.delete(oldest);
	}
	return session;
}

/** The replies an execution started and left open (for an error workflow that closes them). */
export function openSessionsOf(executionId: string): ReplySession[] {
	return [...sessions.values()].filter((s) => s.executions.has(executionId) && !s.isClosed);
}

/** For tests: forget every reply of this process. */
export function resetReplySessions(): void {
	sessions.clear();
}

/** The reply of a card in this process, if any (tests, and a reader who wants its stats). */
export function replySessionOf(outTrackId: string): ReplySession | undefined {
	return sessions.get(outTrackId);
}
