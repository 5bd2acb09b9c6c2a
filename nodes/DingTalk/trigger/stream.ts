// Stream mode: the Stream client (nodes/DingTalk/stream) inside n8n's trigger lifecycle. The client keeps the
// connection healthy and acknowledges each event once onEvent has resolved; this file turns events into items, filters
// them, hands them to n8n and resolves once n8n has recorded the execution (emit's donePromise), and reports failures.
import type { IRun, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';
import { ExecutionCancelledError, NodeOperationError } from 'n8n-workflow';

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
import {
	eventFromStream,
	eventToItem,
	eventTypeList,
	passesFilter,
	streamEventProblem,
} from './events';
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

/** The execution exists and was stopped (by a user, a timeout or a shutdown): n8n has it on record. */
function isCancellation(error: unknown): boolean {
	if (error instanceof ExecutionCancelledError) return true;
	// Another copy of n8n-workflow than n8n's own: recognise it by its shape.
	const { reason, message } = (error ?? {}) as { reason?: unknown; message?: unknown };
	return (
		typeof reason === 'string' &&
		['manual', 'timeout', 'shutdown'].includes(reason) &&
		/cancelled/i.test(String(message))
	);
}

/** n8n's Engine 2.0 (a workflow setting) refuses emits that wait for the execution to finish. */
function isWaitRefused(error: unknown): boolean {
	return /cannot run a trigger that waits for its execution/i.test(
		String((error as Error)?.message ?? ''),
	);
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
	const node = this.getNode();
	const workflow = this.getWorkflow();
	// n8n prints only the message at its default log level: it names the workflow and the node itself.
	const where = ` [workflow "${workflow.name ?? workflow.id ?? ''}", node "${node.name}"]`;
	const meta = (extra?: Record<string, unknown>) => ({
		workflowId: workflow.id,
		node: node.name,
		...extra,
	});
	let handedOver = false;
	// Set when n8n refuses to report execution ends (Engine 2.0): events are acknowledged when handed over.
	let handOffOnly = false;

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
		const data = [[{ json: eventToItem(event, { includeRaw }) }]];
		if (manual) {
			// A test listens for one event; later ones are left to DingTalk's redelivery (answered LATER, not lost). The
			// editor holds the test's event from here on; n8n closes the trigger before that run ends, so nothing later
			// could be acknowledged on this socket.
			if (handedOver) throw new Error('the test run has its event already');
			handedOver = true;
			this.emit(data);
			return;
		}
		if (handOffOnly) {
			this.emit(data);
			return;
		}
		// n8n resolves this once the execution has finished and been saved (failed ones too), and rejects it when no
		// execution could be started; the client acknowledges or asks for a redelivery accordingly.
		const done = this.helpers.createDeferredPromise<IRun>();
		this.emit(data, undefined, done);
		try {
			await done.promise;
		} catch (error) {
			if (isCancellation(error)) return;
			if (!isWaitRefused(error)) {
				throw new NodeOperationError(node, `n8n started no execution: ${(error as Error).message}`);
			}
			handOffOnly = true;
			this.logger.warn(
				`DingTalk Stream: n8n's Engine 2.0 cannot report when an execution has finished, so events are acknowledged when handed to n8n from now on (an n8n crash can lose the events in flight)${where}`,
				meta(),
			);
			this.emit(data);
		}
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
		ledger: {
			store: streamDeliveries,
			scope: JSON.stringify([workflow.id ?? '', node.id ?? node.name]),
		},
		WebSocket: testHooks.WebSocket,
		timing: {
			dedupeWindowMs: Math.max(0, Number(options.dedupeWindow ?? 10)) * 60_000,
			...timing,
		},
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
	// left to DingTalk's redelivery, which the process's ledger answers without a second execution).
	const closeFunction = async () => await client.stop();
	if (manual) return { closeFunction, manualTriggerFunction: start };
	await start();
	return { closeFunction };
}
