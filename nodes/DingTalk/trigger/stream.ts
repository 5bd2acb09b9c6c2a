// Stream mode: the Stream client (nodes/DingTalk/stream) inside n8n's trigger lifecycle. The client keeps the
// connection healthy and acknowledges each event once onEvent has returned, i.e. once it was handed to n8n (emit);
// this file turns events into items, filters them, and reports lasting failures through n8n.
import type { Cron, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { RecentKeys } from '../../shared/recentKeys';
import { baseUrlOf, DINGTALK_API_BASE_URL } from '../hosts';
import {
	cronScheduler,
	DingTalkStreamClient,
	sleepScheduler,
	StreamUnavailableError,
	streamOpener,
	type StreamEvent,
	type StreamFailure,
	type StreamSocketConstructor,
	type StreamTiming,
} from '../stream';
import { chatOptionsOf, triggerItemOf } from './chat';
import { eventFromStream, eventTypeList, passesFilter } from './events';
import type { TriggerOptions } from './options';

/**
 * One per n8n process: redeliveries stay recognised across reconnects and re-activations of a workflow (each
 * trigger node has its own scope in it).
 */
export const recentStreamEvents = new RecentKeys(20000);

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
	const chat = chatOptionsOf(this, options);
	const node = this.getNode();
	let handedOver = false;

	const onEvent = async (streamEvent: StreamEvent): Promise<void> => {
		const event = eventFromStream(streamEvent);
		// Acknowledged and dropped: the user did not ask for it.
		if (!passesFilter(event, filter)) return;
		// A test listens for one event; later ones are left to DingTalk's redelivery (answered LATER, not lost).
		if (manual && handedOver) throw new Error('the test run has its event already');
		handedOver = true;
		this.emit([[await triggerItemOf(this, event, { includeRaw }, chat)]]);
	};

	const onFailure = (failure: StreamFailure): void => {
		const error = failureError(this, failure);
		// Hopeless (or a test run): n8n deactivates, runs the error workflow and re-activates with back-off.
		if (failure.permanent || manual) this.emitError(error);
		else this.saveFailedExecution(error);
	};

	const registerCron = (cron: { expression: string }, onTick: () => void) =>
		this.helpers.registerCron(cron as Cron, onTick);
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
			this.logger.info(`DingTalk Trigger "${node.name}": the Stream connection is back`),
		// n8n removes a production trigger's crons on deactivation; a test run's ticks end with close().
		scheduler: manual ? sleepScheduler() : cronScheduler(registerCron),
		log: {
			debug: (message, meta) => this.logger.debug(message, { node: node.name, ...meta }),
			warn: (message, meta) => this.logger.warn(message, { node: node.name, ...meta }),
		},
		dedupe: {
			store: recentStreamEvents,
			scope: JSON.stringify([this.getWorkflow().id ?? '', node.id ?? node.name]),
		},
		WebSocket: testHooks.WebSocket,
		timing: {
			dedupeWindowMs: Math.max(0, Number(options.dedupeWindow ?? 10)) * 60_000,
			...testHooks.timing,
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
	const closeFunction = async () => {
		// An event emitted just now is acknowledged a few promise steps later: let that out before the socket closes
		// (a test run is closed right after its event), or DingTalk would send it again.
		await sleep(0);
		client.close();
	};
	if (manual) return { closeFunction, manualTriggerFunction: start };
	await start();
	return { closeFunction };
}
