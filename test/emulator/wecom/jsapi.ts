import { CodeBook, perState, TicketBook } from '../jsapiTickets';
import type { Route } from '../types';
import { WeComErr, wecomError, wecomOk } from './errors';
import type { WeComState } from './state';

/** The company (get_jsapi_ticket) and app (ticket/get?type=agent_config) tickets of the seeded app. */
export const wecomTickets = perState<WeComState, TicketBook>(() => new TicketBook());

/** Who a login code stands for: a member (userid) or a visitor from outside the company (openid). */
export type WeComLoginSubject = { userid: string } | { openid: string; external_userid?: string };

export const wecomLoginCodes = perState<WeComState, CodeBook<WeComLoginSubject>>(
	() => new CodeBook(),
);

/** How long WeCom accepts a login code (reference: 5 minutes, once). */
export const WECOM_CODE_LIFETIME_MS = 5 * 60_000;

/** A login code as WeCom appends it to the redirect after 网页授权 / 扫码登录. */
export function issueWeComLoginCode(
	state: WeComState,
	subject: WeComLoginSubject,
	now: number,
): string {
	return wecomLoginCodes(state).issue(subject, now, WECOM_CODE_LIFETIME_MS);
}

function ticketReply(state: WeComState, kind: 'corp' | 'app', now: number) {
	const answer = wecomTickets(state).fetch(kind, now);
	if (answer === 'throttled') throw wecomError(WeComErr.rateLimited, 'jsapi_ticket hourly limit');
	return wecomOk({ ticket: answer.ticket, expires_in: answer.expiresIn });
}

export const jsapiRoutes: Route<WeComState>[] = [
	{
		method: 'GET',
		path: '/cgi-bin/get_jsapi_ticket',
		handle: (_req, ctx) => ticketReply(ctx.state, 'corp', ctx.now()),
	},
	{
		method: 'GET',
		path: '/cgi-bin/ticket/get',
		handle(req, ctx) {
			if (req.query.type !== 'agent_config') {
				throw wecomError(WeComErr.invalidType, 'type must be agent_config');
			}
			return ticketReply(ctx.state, 'app', ctx.now());
		},
	},
	{
		method: 'GET',
		path: '/cgi-bin/auth/getuserinfo',
		handle(req, ctx) {
			const { code } = req.query;
			if (!code) throw wecomError(WeComErr.invalidCode, 'code missing');
			const redeemed = wecomLoginCodes(ctx.state).redeem(code, ctx.now());
			if (!redeemed.ok) throw wecomError(WeComErr.invalidCode, `code ${redeemed.reason}`);
			const { subject } = redeemed;
			return 'userid' in subject
				? wecomOk({ userid: subject.userid, user_ticket: 'emu-user-ticket' })
				: wecomOk(subject);
		},
	},
];
