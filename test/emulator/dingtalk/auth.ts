import type { Route } from '../types';
import { bodyOf, nonEmptyString } from '../util';
import { newApiError, newApiOk, oldApiError, oldApiOk } from './errors';
import type { DingTalkState } from './state';

// One token per app whichever endpoint issued it: both families accept it.
export const authRoutes: Route<DingTalkState>[] = [
	{
		method: 'POST',
		path: '/v1.0/oauth2/accessToken',
		auth: false,
		handle(req, ctx) {
			const { appKey, appSecret } = bodyOf(req.body);
			if (!nonEmptyString(appKey) || !nonEmptyString(appSecret)) {
				throw newApiError(400, 'MissingParameter', 'appKey and appSecret are required');
			}
			if (appKey !== ctx.state.app.appKey || appSecret !== ctx.state.app.appSecret) {
				throw newApiError(400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret');
			}
			const { token, expiresInSeconds } = ctx.obtainToken(appKey);
			return newApiOk({ accessToken: token, expireIn: expiresInSeconds });
		},
	},
	{
		method: 'GET',
		path: '/gettoken',
		auth: false,
		handle(req, ctx) {
			const { appkey, appsecret } = req.query;
			// The reference gives 40096 for a bad key; missing parameters get it too.
			if (
				!appkey ||
				!appsecret ||
				appkey !== ctx.state.app.appKey ||
				appsecret !== ctx.state.app.appSecret
			) {
				throw oldApiError(40096, '不合法的appKey或appSecret');
			}
			const { token, expiresInSeconds } = ctx.obtainToken(appkey);
			return oldApiOk({ access_token: token, expires_in: expiresInSeconds });
		},
	},
];
