import type { EmulatorPlugin } from '../types';
import { appchatRoutes } from './appchat';
import { authRoutes } from './auth';
import { WeComErr, wecomErrmsg, wecomErrorReply } from './errors';
import { jsapiRoutes } from './jsapi';
import { mediaRoutes } from './media';
import { messageRoutes } from './message';
import { oaRoutes } from './oa';
import { orgRoutes } from './org';
import { robotRoutes } from './robot';
import { createWeComState, type WeComState } from './state';

const TOKEN_ERRCODES = {
	missing: WeComErr.tokenMissing,
	invalid: WeComErr.invalidToken,
	expired: WeComErr.tokenExpired,
} as const;

export const wecomPlugin: EmulatorPlugin<WeComState> = {
	platform: 'wecom',
	owns: (path) => path.startsWith('/cgi-bin/'),
	createState: createWeComState,
	// A new area: write `fooRoutes: Route<WeComState>[]` in its own file and list it here.
	routes: [
		...authRoutes,
		...messageRoutes,
		...mediaRoutes,
		...appchatRoutes,
		...oaRoutes,
		...orgRoutes,
		...robotRoutes,
		...jsapiRoutes,
	],
	authenticate(req, check) {
		const result = check(req.query.access_token);
		return result === 'ok' ? undefined : wecomErrorReply(TOKEN_ERRCODES[result]);
	},
	badBody: (_req, detail) => wecomErrorReply(WeComErr.dataFormatError, detail),
	errcodeReply: (errcode, errmsg) => ({
		json: { errcode, errmsg: errmsg ?? wecomErrmsg(errcode, 'injected fault') },
	}),
	notFound: (req) => ({
		status: 404,
		json: { errcode: 404, errmsg: `emulator: no WeCom endpoint ${req.method} ${req.path}` },
	}),
};

export * from './errors';
export * from './seed';
export * from './state';
export * from './approvalModel';
export { seedLargeOrg, type LargeOrg, type LargeOrgOptions } from './largeOrg';
export * from './robot';
export * from './jsapi';
export { appSettings } from './auth';
export { APPROVAL_BANK_DAYS, APPROVAL_BANK_SIZE } from './approvalBank';
export { APP_MESSAGE_TYPES, APPCHAT_MESSAGE_TYPES, CARD_TYPES } from './messageContent';
