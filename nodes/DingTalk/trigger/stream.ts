// Stream mode: the Stream client (nodes/DingTalk/stream) inside n8n's trigger lifecycle. The client keeps the
// connection healthy and acknowledges each event once onEvent has resolved; this file turns events into items, filters
// them, hands them to n8n and resolves once n8n has recorded the execution (emit's donePromise), and reports failures.
import type { INodeExecutionData, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { isCancellation, isWaitRefused, TriggerDelivery } from '../../shared/triggerDelivery';
import { triggerLogPlace, triggerNodeScope } from '../../shared/triggerScope';

import { baseUrlOf, DINGTALK_API_BASE_URL } from '../hosts';
import {
	DeliveryLedger,
	DingTalkStreamClient,
	eventKey,
	sleepScheduler,
	StreamUnavailableError,
	streamOpener,
	type StreamEvent,
	type StreamFailure,
	type StreamSocketConstructor,
	type StreamTiming,
} from '../stream';
import { chatOptionsOf, triggerItemOf } from './chat';
import { eventFromStream, eventTypeList, passesFilter, streamEventProblem } from './events';
import type { TriggerOptions } from './options';

/**
 * One per n8n process: what is being recorded and what was recorded, so that redeliveries stay recognised across
 * reconnects and re-activations of a workflow (each trigger node has its own scope in it).
 */
export const streamDeliveries = new DeliveryLedger(20000);

/** For tests only: what the client would otherwise take from the runtime. */
export interface StreamTestHooks {
	WebSocket?: StreamSocketConstructor;
	timing?: Partial<StreamTiming>;
}

let testHooks: StreamTestHooks = {};

/** Lets tests shorten the client's timings; never set inside n8n. */
export function setStreamTestHooks(hooks: StreamTestHooks): void {
	testHooks = hooks;
}

function failureError(context: ITriggerFunctions, failure: StreamFailure): NodeOperationError {
	const minutes = Math.max(1, Math.round(failure.failingForMs / 60_000));
	return new NodeOperationError(context.getNode(), failure.error.message, {
		description: failure.permanent
			? 'DingTalk refuses the Stream connection of this app: fix the credential or the app, then publish the workflow again. 钉钉拒绝了该应用的 Stream 连接：请检查凭证（Client ID / Client Secret）以及应用是否已发布并选择了 Stream 模式。'
			: `No DingTalk Stream connection for ${minutes} min after ${failure.attempts} attempts; the trigger keeps retrying (back-off up to 60 s). 钉钉 Stream 连接已中断 ${minutes} 分钟，触发器仍在重试。`,
	});
}

/** trigger() in Stream mode. */
export async function streamTrigger(
	this: ITriggerFunctions,
	options: TriggerOptions,
): Promise<ITriggerResponse> {
	const credentials = await this.getCredentials('dingTalkApi');
	const clientId = String(credentials.clientId ?? '').trim();
	const clientSecret = String(credentials.clientSecret ?? '').trim();
	if (clientId === '' || clientSecret === '') {
		throw new NodeOperationError(
			this.getNode(),
			'Stream mode needs the Client ID and Client Secret of the DingTalk credential',
		);
	}
	const manual = this.getMode() === 'manual';
	const filter = {
		categories: this.getNodeParameter('events', []) as string[],
		eventTypes: eventTypeList(options.eventTypes),
	};
	const includeRaw = options.includeRaw === true;
	const chat = chatOptionsOf((name, fallback) => this.getNodeParameter(name, fallback), options);
	const node = this.getNode();
	const workflow = this.getWorkflow();
	const scope = triggerNodeScope(workflow.id, node);
	const dedupeWindowMs = Math.max(0, Number(options.dedupeWindow ?? 10)) * 60_000;
	// n8n prints only the message at its default log level: it names the workflow and the node itself.
	const where = ` ${triggerLogPlace(workflow, node)}`;
	const meta = (extra?: Record<string, unknown>) => ({
		workflowId: workflow.id,
		node: node.name,
		...extra,
	});
	let handedOver = false;
	// Set when n8n refuses to report execution ends (Engine 2.0): events are acknowledged when handed over.
	let handOffOnly = false;
	// Published: once per event across n8n processes and restarts (n8n keeps each emit's deduplication key), and again
	// when n8n lost the run (nodes/shared/triggerDelivery.ts). A test run hands its one event to the editor.
	const delivery = new TriggerDelivery(this, {
		scope,
		deduplicate: dedupeWindowMs > 0,
		onRetry: (attempt, reason) =>
			this.logger.warn(
				`DingTalk Stream: ${reason} of an event; running it again (attempt ${attempt}), then DingTalk is answered${where}`,
				meta({ attempt }),
			),
	});

	/** Acknowledged, never emitted: a failed execution says what was wrong, and one log line. */
	const reportUnusable = (streamEvent: StreamEvent, problem: string): void => {
		const kind = streamEvent.type === 'CALLBACK' ? 'robot message' : 'event';
		const key = eventKey(streamEvent);
		const error = new NodeOperationError(
			node,
			`DingTalk sent a Stream ${kind} that cannot start the workflow: ${problem}`,
			{
				description: `It was acknowledged, so DingTalk does not send it again, and nothing else ran. messageId ${streamEvent.messageId}${key ? `, ${key}` : ''}${streamEvent.eventType ? `, eventType ${streamEvent.eventType}` : ''}. 钉钉推送的消息无法使用（${problem}），已确认接收且未启动工作流。`,
			},
		);
		this.logger.warn(
			`${error.message} (messageId ${streamEvent.messageId}); acknowledged and recorded as a failed execution${where}`,
			meta({ messageId: streamEvent.messageId }),
		);
		this.saveFailedExecution(error);
	};

	const onEvent = async (streamEvent: StreamEvent): Promise<void> => {
		const event = eventFromStream(streamEvent);
		// Acknowledged and dropped: the user did not ask for it.
		if (!passesFilter(event, filter)) return;
		const problem = streamEventProblem(streamEvent);
		if (problem !== undefined) {
			reportUnusable(streamEvent, problem);
			return;
		}
		const key = eventKey(streamEvent);
		if (manual) {
			// A test listens for one event; later ones are left to DingTalk's redelivery (answered LATER, not lost). The
			// editor holds the test's event from here on; n8n closes the trigger before that run ends, so nothing later
			// could be acknowledged on this socket.
			if (handedOver) throw new Error('the test run has its event already');
			handedOver = true;
			this.emit([[await triggerItemOf(this, event, { includeRaw }, chat)]]);
			return;
		}
		const item: INodeExecutionData = await triggerItemOf(this, event, { includeRaw }, chat);
		if (handOffOnly) {
			delivery.handOver(item, key);
			return;
		}
		// Settles once n8n has finished and saved the execution (failed ones too), or refused it as one it has run
		// already: the client then acknowledges. When no execution could be started, it asks for a redelivery.
		const outcome = await delivery.deliver(item, key);
		if (outcome.status === 'recorded') return;
		if (outcome.status === 'closed') {
			throw new NodeOperationError(node, 'the trigger stopped before the event could run again');
		}
		const { error } = outcome;
		if (isCancellation(error)) return;
		if (!isWaitRefused(error)) {
			throw new NodeOperationError(node, `n8n started no execution: ${(error as Error).message}`);
		}
		handOffOnly = true;
		this.logger.warn(
			`DingTalk Stream: n8n's Engine 2.0 cannot report when an execution has finished, so events are acknowledged when handed to n8n from now on (an n8n crash can lose the events in flight)${where}`,
			meta(),
		);
		delivery.handOver(item, key);
	};

	const onFailure = (failure: StreamFailure): void => {
		const error = failureError(this, failure);
		// Hopeless (or a test run): n8n deactivates, runs the error workflow and re-activates with back-off.
		if (failure.permanent || manual) this.emitError(error);
		else this.saveFailedExecution(error);
	};

	const timing = testHooks.timing ?? {};
	const client = new DingTalkStreamClient({
		openConnection: streamOpener(async (request) => await this.helpers.httpRequest(request), {
			apiBaseUrl: baseUrlOf(credentials.apiBaseUrl, DINGTALK_API_BASE_URL),
			clientId,
			clientSecret,
		}),
		robotMessages: this.getNodeParameter('robotMessages', false) === true,
		onEvent,
		onFailure,
		onRecovered: () =>
			this.logger.info(`DingTalk Stream: the connection is back after a reported outage${where}`),
		// A loop on n8n-workflow's sleep, stopped by closeFunction (production and test runs alike): no cron of its own.
		scheduler: sleepScheduler(),
		log: {
			debug: (message, extra) => this.logger.debug(`${message}${where}`, meta(extra)),
			info: (message, extra) => this.logger.info(`${message}${where}`, meta(extra)),
			warn: (message, extra) => this.logger.warn(`${message}${where}`, meta(extra)),
		},
		ledger: { store: streamDeliveries, scope },
		WebSocket: testHooks.WebSocket,
		timing: { dedupeWindowMs, ...timing },
		flow: {
			maxInFlight: Math.max(0, Math.floor(Number(options.maxConcurrent ?? 64)) || 0),
		},
	});

	const start = async () => {
		try {
			await client.start();
		} catch (error) {
			const message =
				error instanceof StreamUnavailableError
					? error.message
					: `DingTalk Stream could not start: ${(error as Error).message}`;
			throw new NodeOperationError(node, message);
		}
	};
	// Events being recorded get their acknowledgements out before the socket closes (for a while: a long execution is
	// left to DingTalk's redelivery, which the process's ledger answers without a second execution). A run n8n lost is
	// not emitted again once the trigger stops.
	const closeFunction = async () => {
		delivery.close();
		await client.stop();
	};
	if (manual) return { closeFunction, manualTriggerFunction: start };
	await start();
	return { closeFunction };
}
