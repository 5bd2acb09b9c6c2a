// Queue mode: the reply of a run on a worker, handed back to the trigger on main, which holds the long connection.
//
// A worker has no connection to WeCom's AI bot server (WeCom keeps one per bot, held by the trigger on n8n's main
// process). What n8n itself carries from a worker to the process holding the trigger is the run's response: a node's
// sendResponse() (the mechanism of Respond to Webhook) becomes a 'respond-to-webhook' job message, and main resolves
// the emit's responsePromise with it (n8n 2.41 JobProcessor 'sendResponse' handler; ScalingService
// registerMainOrWebhookListeners; ActiveExecutions.resolveResponsePromise). In one process (regular mode) n8n resolves
// it directly (WorkflowRunner.runMainProcess). It is one message per run: the final answer (or the failure) goes back;
// the updates while it is written cannot, and are not shown in queue mode.
import type { IDataObject, IExecuteResponsePromiseData } from 'n8n-workflow';

import { isRecord, scalarText } from '../../shared/json';

/** The body field that marks a run response as an AI bot reply (anything else n8n resolves with is ignored). */
const REPLY_FIELD = 'wecomAiBotReply';

export interface RelayedReply extends IDataObject {
	botId: string;
	reqId: string;
	msgid: string;
	status: 'finished' | 'failed';
	/** finished: the whole answer; failed: the failure message (shown after what the trigger showed). */
	content: string;
}

export function relayResponse(reply: RelayedReply): IExecuteResponsePromiseData {
	return { body: { [REPLY_FIELD]: reply } };
}

/** The AI bot reply in a run response, if it is one. */
export function relayedReplyOf(response: IExecuteResponsePromiseData | undefined): RelayedReply | undefined {
	const body = isRecord(response?.body) ? (response!.body as IDataObject) : undefined;
	const reply = isRecord(body?.[REPLY_FIELD]) ? (body![REPLY_FIELD] as IDataObject) : undefined;
	if (!reply) return undefined;
	const status = reply.status === 'failed' ? 'failed' : reply.status === 'finished' ? 'finished' : undefined;
	const reqId = scalarText(reply.reqId) ?? '';
	if (!status || !reqId) return undefined;
	return {
		botId: scalarText(reply.botId) ?? '',
		reqId,
		msgid: scalarText(reply.msgid) ?? '',
		status,
		content: scalarText(reply.content) ?? '',
	};
}
