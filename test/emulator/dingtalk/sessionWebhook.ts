// A robot message's sessionWebhook: POST /robot/sendBySession?session=… with a custom-robot message body. The URL is
// the credential (no access token); it answers while the message's sessionWebhookExpiredTime lies ahead, then
// {"errcode":300001,"errmsg":"session 不存在"} as field reports show.
import { perState } from '../jsapiTickets';
import type { Route } from '../types';
import { isRecord } from '../util';
import { checkMessage } from './customRobot';
import { oldApiError, oldApiOk } from './errors';
import type { DingTalkState } from './state';
import { sessionWebhooks, type SessionWebhookRecord } from './streamPayloads';

export interface SessionReply {
	session: SessionWebhookRecord;
	msgtype: string;
	/** The request body as the node sent it. */
	payload: Record<string, unknown>;
	sentAt: number;
}

/** Replies accepted through sessionWebhooks, in order. */
export const sessionReplies = perState<DingTalkState, SessionReply[]>(() => []);

export const sessionWebhookRoutes: Route<DingTalkState>[] = [
	{
		method: 'POST',
		path: '/robot/sendBySession',
		auth: false,
		body: 'none',
		handle(req, ctx) {
			const session = sessionWebhooks.get(req.query.session ?? '');
			if (!session || ctx.now() >= session.expiresAt) {
				throw oldApiError(300001, 'session 不存在');
			}
			let body: unknown;
			try {
				body = JSON.parse(req.rawBody.toString('utf8'));
			} catch {
				throw oldApiError(40035, '缺少参数 json');
			}
			if (!isRecord(body)) throw oldApiError(40035, '缺少参数 json');
			const { msgtype } = checkMessage(body);
			sessionReplies(ctx.state).push({ session, msgtype, payload: body, sentAt: ctx.now() });
			return oldApiOk();
		},
	},
];
