import { randomBytes } from 'node:crypto';

import { CodeBook, perState, TicketBook } from '../jsapiTickets';
import type { Route } from '../types';
import { bodyOf, nonEmptyString } from '../util';
import { newApiError, newApiOk, oldApiError, oldApiOk } from './errors';
import type { DingTalkState } from './state';

// JSAPI tickets, login codes (免登 and OAuth / QR login) and the user access tokens OAuth codes turn into.

/** Re-fetching a living ticket gives the same ticket with its expiry renewed (DingTalk's documented behaviour). */
export const dingTalkTickets = perState<DingTalkState, TicketBook>(
	() => new TicketBook({ renewOnFetch: true }),
);

/** How long a login code is accepted (emulator: 5 minutes, once, for both kinds). */
export const DINGTALK_CODE_LIFETIME_MS = 5 * 60_000;

/** Someone who logged in: a member (userid) or a DingTalk user outside the organisation. */
export type DingTalkLoginSubject =
	| { userid: string }
	| { unionId: string; nick: string; openId?: string };

interface LoginCodes {
	inApp: CodeBook<string>;
	oauth: CodeBook<DingTalkLoginSubject>;
	/** User access tokens issued for OAuth codes, with whom they stand for. */
	userTokens: Map<string, DingTalkLoginSubject>;
}

export const dingTalkLoginCodes = perState<DingTalkState, LoginCodes>(() => ({
	inApp: new CodeBook(),
	oauth: new CodeBook(),
	userTokens: new Map(),
}));

/** A 免登 code as dd.getAuthCode / dd.runtime.permission.requestAuthCode gives an in-app page. */
export function issueInAppCode(state: DingTalkState, userid: string, now: number): string {
	return dingTalkLoginCodes(state).inApp.issue(userid, now, DINGTALK_CODE_LIFETIME_MS);
}

/** An authCode as DingTalk appends it to the redirect of a QR / OAuth 2.0 login. */
export function issueOAuthCode(
	state: DingTalkState,
	subject: DingTalkLoginSubject,
	now: number,
): string {
	return dingTalkLoginCodes(state).oauth.issue(subject, now, DINGTALK_CODE_LIFETIME_MS);
}

export const jsapiRoutes: Route<DingTalkState>[] = [
	{
		method: 'GET',
		path: '/get_jsapi_ticket',
		handle(_req, ctx) {
			const answer = dingTalkTickets(ctx.state).fetch('jsapi', ctx.now());
			if (answer === 'throttled') throw oldApiError(90018, '调用过于频繁');
			return oldApiOk({ ticket: answer.ticket, expires_in: answer.expiresIn });
		},
	},
	{
		method: 'POST',
		path: '/topapi/v2/user/getuserinfo',
		handle(req, ctx) {
			const { code } = bodyOf(req.body);
			if (!nonEmptyString(code)) throw oldApiError(40035, '缺少参数 code');
			const redeemed = dingTalkLoginCodes(ctx.state).inApp.redeem(code, ctx.now());
			// Emulator choice (unverified): 40078 for every unknown, used or expired code.
			if (!redeemed.ok) throw oldApiError(40078, `不存在的临时授权码 (${redeemed.reason})`);
			const user = ctx.state.users.find((u) => u.userid === redeemed.subject);
			if (!user) throw oldApiError(60121, '找不到该用户');
			return oldApiOk({
				result: {
					userid: user.userid,
					unionid: user.unionid,
					name: user.name,
					device_id: 'emu-device-0001',
					sys: user.admin,
					sys_level: user.admin ? 1 : 0,
					associated_unionid: '',
				},
			});
		},
	},
	{
		method: 'POST',
		path: '/v1.0/oauth2/userAccessToken',
		auth: false,
		handle(req, ctx) {
			const { clientId, clientSecret, code, grantType } = bodyOf(req.body);
			if (!nonEmptyString(clientId) || !nonEmptyString(clientSecret)) {
				throw newApiError(400, 'MissingParameter', 'clientId and clientSecret are required');
			}
			if (clientId !== ctx.state.app.appKey || clientSecret !== ctx.state.app.appSecret) {
				throw newApiError(400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret');
			}
			if (grantType !== 'authorization_code' || !nonEmptyString(code)) {
				throw newApiError(
					400,
					'MissingParameter',
					'grantType authorization_code and code are required',
				);
			}
			const codes = dingTalkLoginCodes(ctx.state);
			const redeemed = codes.oauth.redeem(code, ctx.now());
			// Emulator choice (unverified): the code DingTalk gives for a bad authCode.
			if (!redeemed.ok) throw newApiError(400, 'invalidAuthCode', `authCode ${redeemed.reason}`);
			const accessToken = randomBytes(16).toString('hex');
			codes.userTokens.set(accessToken, redeemed.subject);
			return newApiOk({
				accessToken,
				refreshToken: randomBytes(16).toString('hex'),
				expireIn: 7200,
				corpId: 'userid' in redeemed.subject ? ctx.state.app.corpId : undefined,
			});
		},
	},
	{
		method: 'GET',
		path: '/v1.0/contact/users/me',
		// The user's access token, not the app's: checked here.
		auth: false,
		handle(req, ctx) {
			const header = req.headers['x-acs-dingtalk-access-token'];
			const subject =
				typeof header === 'string'
					? dingTalkLoginCodes(ctx.state).userTokens.get(header)
					: undefined;
			if (!subject) throw newApiError(401, 'InvalidAuthentication', '不合法的access_token');
			if ('userid' in subject) {
				const user = ctx.state.users.find((u) => u.userid === subject.userid);
				if (!user) throw newApiError(400, 'user.not.exist', 'user not exist');
				return newApiOk({
					nick: user.name,
					unionId: user.unionid,
					openId: `open-${user.userid}`,
					avatarUrl: '',
					mobile: user.mobile,
					stateCode: '86',
					email: user.email,
				});
			}
			return newApiOk({
				nick: subject.nick,
				unionId: subject.unionId,
				openId: subject.openId ?? `open-${subject.unionId}`,
				avatarUrl: '',
				stateCode: '86',
			});
		},
	},
];
