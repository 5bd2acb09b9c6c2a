// The trigger's side of the long connection: the client (connection/client.ts) inside n8n's trigger lifecycle. Each
// message becomes one item, handed to n8n once: a process-wide window of recent msgids drops redeliveries (WeCom may
// repeat a message, and a reconnect may bring it again), and n8n's deduplication key (nodes/shared/triggerDelivery.ts)
// refuses a second execution across processes and restarts.
// Unlike DingTalk Stream, WeCom's long connection has no acknowledgement of an inbound message (none in the digest of
// its docs, none sent by peers): nothing tells WeCom that n8n recorded a message, and a message arriving while n8n
// cannot start an execution is lost (logged). Unverified whether WeCom redelivers a message that got no reply.
import type { INodeExecutionData, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ChatSessionScope } from '../../shared/chat';
import { sleepScheduler } from '../../shared/longConnection/scheduler';
import type { StreamSocketConstructor } from '../../shared/longConnection/socket';
import { RecentKeys } from '../../shared/recentKeys';
import { TriggerDelivery } from '../../shared/triggerDelivery';
import { triggerLogPlace, triggerNodeScope } from '../../shared/triggerScope';
import {
	AiBotUnavailableError,
	WeComAiBotClient,
	type AiBotFailure,
	type AiBotTiming,
} from '../connection/client';
import { aiBotCredentialsOf } from '../connection/credentialTest';
import { holdConnection, releaseConnection } from '../connection/registry';
import { messageItem } from './chat';

/** One per n8n process: msgids handed to n8n lately, per trigger node (redeliveries and reconnects start nothing). */
const recentMessages = new RecentKeys(20_000);

const DEDUPE_WINDOW_MS = 10 * 60_000;

export interface AiBotTestHooks {
	WebSocket?: StreamSocketConstructor;
	timing?: Partial<AiBotTiming>;
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
	const options = this.getNodeParameter('options', {}) as { includeRaw?: boolean };
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
		const item = messageItem(frame.headers.req_id, body as never, {
			botId: credentials.botId,
			sessionScope,
			includeRaw: options.includeRaw === true,
		});
		if (typeof item === 'string') {
			const error = new NodeOperationError(
				node,
				`WeCom sent an AI bot message that cannot start the workflow: ${item}`,
			);
			this.logger.warn(`${error.message}; recorded as a failed execution, listening on${where}`);
			this.saveFailedExecution(error);
			return;
		}
		const msgid = String((item.json.wecomAiBot as { msgid: string }).msgid);
		if (recentMessages.seen(`${scope}\u0000${msgid}`, DEDUPE_WINDOW_MS, Date.now())) {
			this.logger.debug(`WeCom AI bot: message ${msgid} came again; it starts nothing${where}`);
			return;
		}
		if (manual) {
			if (handedOver) return;
			handedOver = true;
			client.owe(frame.headers.req_id);
			this.emit([[item]]);
			return;
		}
		client.owe(frame.headers.req_id);
		const outcome = await delivery.deliver(item as INodeExecutionData, msgid);
		if (outcome.status === 'refused') {
			recentMessages.forget(`${scope}\u0000${msgid}`);
			throw new Error(`n8n started no execution: ${(outcome.error as Error)?.message}`);
		}
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
		delivery.close();
		client.retire();
	};
	if (manual) return { closeFunction, manualTriggerFunction: start };
	await start();
	return { closeFunction };
}
