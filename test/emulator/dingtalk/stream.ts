import { randomBytes } from 'node:crypto';

import type { Route } from '../types';
import { bodyOf, isRecord, nonEmptyString } from '../util';
import { newApiError, newApiOk } from './errors';
import type { DingTalkState } from './state';

export const STREAM_OPEN_PATH = '/v1.0/gateway/connections/open';
/** Where the emulator's Stream WebSockets are (DingTalk's: wss://wss-open-connection.dingtalk.com/connect). */
export const STREAM_SOCKET_PATH = '/connect';
export const STREAM_TICKET_LIFETIME_MS = 90_000;

const SUBSCRIPTION_TYPES = new Set(['EVENT', 'CALLBACK', 'SYSTEM']);

function xmlAnswer(endpoint: string, ticket: string) {
	return {
		text: `<?xml version="1.0" encoding="UTF-8"?><OpenConnectionResponse><endpoint>${endpoint}</endpoint><ticket>${ticket}</ticket></OpenConnectionResponse>`,
		headers: { 'content-type': 'application/xml;charset=UTF-8' },
	};
}

function checkSubscriptions(value: unknown): Array<{ type: string; topic: string }> {
	if (!Array.isArray(value) || value.length === 0) {
		throw newApiError(400, 'InvalidParameter', 'subscriptions must be a non-empty array');
	}
	return value.map((entry, index) => {
		if (!isRecord(entry) || !nonEmptyString(entry.type) || !nonEmptyString(entry.topic)) {
			throw newApiError(
				400,
				'InvalidParameter',
				`subscriptions[${index}] needs a type and a topic`,
			);
		}
		if (!SUBSCRIPTION_TYPES.has(entry.type)) {
			throw newApiError(400, 'InvalidParameter', `subscriptions[${index}].type ${entry.type}`);
		}
		// Which events arrive is chosen in the console; an EVENT subscription takes `*` only.
		if (entry.type === 'EVENT' && entry.topic !== '*') {
			throw newApiError(400, 'InvalidParameter', 'EVENT subscriptions support topic * only');
		}
		return { type: entry.type, topic: entry.topic };
	});
}

export const streamRoutes: Route<DingTalkState>[] = [
	{
		method: 'POST',
		path: STREAM_OPEN_PATH,
		// The app's Client ID and Secret are in the body; no access token.
		auth: false,
		handle(req, ctx) {
			const { clientId, clientSecret, subscriptions, ua } = bodyOf(req.body);
			if (!nonEmptyString(clientId) || !nonEmptyString(clientSecret)) {
				throw newApiError(400, 'MissingParameter', 'clientId and clientSecret are required');
			}
			if (clientId !== ctx.state.app.appKey || clientSecret !== ctx.state.app.appSecret) {
				throw newApiError(400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret');
			}
			const record = {
				ticket: randomBytes(18).toString('base64url'),
				clientId,
				subscriptions: checkSubscriptions(subscriptions),
				ua: typeof ua === 'string' ? ua : undefined,
				expiresAt: ctx.now() + STREAM_TICKET_LIFETIME_MS,
				used: false,
			};
			ctx.state.stream.tickets.set(record.ticket, record);
			const endpoint = `${ctx.baseUrl().replace(/^http/, 'ws')}${STREAM_SOCKET_PATH}`;
			// Without Accept: application/json the gateway answers XML, which a JSON client cannot read.
			const accept = String(req.headers.accept ?? '');
			if (!accept.toLowerCase().includes('application/json')) {
				return xmlAnswer(endpoint, record.ticket);
			}
			return newApiOk({ endpoint, ticket: record.ticket });
		},
	},
];
