import type { EmulatorPlugin, Reply, TokenCheck } from '../types';
import { approvalRoutes } from './approval';
import { authRoutes } from './auth';
import { modelStandInRoutes } from '../modelStandIn';
import { callbackRegistrationRoutes } from './callbackRegistration';
import { cardRoutes } from './cards';
import { driveRoutes } from './drive';
import { isNewApi, newApiErrorReply, oldApiErrorReply } from './errors';
import { jsapiRoutes } from './jsapi';
import { mediaRoutes } from './media';
import { microAppRoutes } from './microapp';
import { orgRoutes } from './org';
import { customRobotRoutes } from './customRobot';
import { robotRoutes } from './robot';
import { robotFileRoutes } from './robotFiles';
import { sessionWebhookRoutes } from './sessionWebhook';
import { createDingTalkState, type DingTalkState } from './state';
import { streamRoutes } from './stream';
import { workNotificationRoutes } from './workNotification';

function authenticateNewApi(
	token: string | undefined,
	check: (t: string | undefined) => TokenCheck,
): Reply | undefined {
	const result = check(token);
	if (result === 'ok') {
		return undefined;
	}
	return result === 'missing'
		? newApiErrorReply(
				400,
				'AuthenticationFailed.MissingParameter',
				'x-acs-dingtalk-access-token is required',
			)
		: newApiErrorReply(401, 'InvalidAuthentication', '不合法的access_token');
}

function authenticateOldApi(
	token: string | undefined,
	check: (t: string | undefined) => TokenCheck,
): Reply | undefined {
	const result = check(token);
	switch (result) {
		case 'ok':
			return undefined;
		case 'missing':
			// The reference: a header alone (no ?access_token=) gives errcode 88, sub_code 40000.
			return oldApiErrorReply(88, 'ding talk error[subcode=40000,submsg=缺少参数 access_token]', {
				sub_code: '40000',
				sub_msg: '缺少参数 access_token',
			});
		case 'expired':
			return oldApiErrorReply(42001, 'access_token已过期');
		default:
			return oldApiErrorReply(40014, '不合法的access_token');
	}
}

export const dingtalkPlugin: EmulatorPlugin<DingTalkState> = {
	platform: 'dingtalk',
	// DingTalk's two hosts are one server here; everything outside WeCom's /cgi-bin/ is DingTalk's.
	owns: (path) => !path.startsWith('/cgi-bin/'),
	createState: createDingTalkState,
	// A new area: write `fooRoutes: Route<DingTalkState>[]` in its own file and list it here.
	routes: [
		...authRoutes,
		...orgRoutes,
		...streamRoutes,
		...mediaRoutes,
		...workNotificationRoutes,
		...robotRoutes,
		...customRobotRoutes,
		...approvalRoutes,
		...driveRoutes,
		...jsapiRoutes,
		...microAppRoutes,
		...sessionWebhookRoutes,
		...callbackRegistrationRoutes,
		...cardRoutes,
		...robotFileRoutes,
		// Not DingTalk: the offline chat model the AI examples use (one server serves everything a test needs).
		...modelStandInRoutes<DingTalkState>(),
	],
	authenticate(req, check) {
		if (isNewApi(req.path)) {
			const header = req.headers['x-acs-dingtalk-access-token'];
			return authenticateNewApi(typeof header === 'string' ? header : undefined, check);
		}
		return authenticateOldApi(req.query.access_token, check);
	},
	badBody: (req, detail) =>
		isNewApi(req.path)
			? newApiErrorReply(400, 'InvalidParameter', `the body is not valid JSON: ${detail}`)
			: oldApiErrorReply(40035, `不合法的参数: ${detail}`),
	errcodeReply: (errcode, errmsg, req) =>
		isNewApi(req.path)
			? newApiErrorReply(400, String(errcode), errmsg ?? 'injected fault')
			: oldApiErrorReply(errcode, errmsg ?? 'injected fault'),
	notFound: (req) =>
		isNewApi(req.path)
			? newApiErrorReply(
					404,
					'InvalidAction.NotFound',
					'Specified api is not found, please check your url and method.',
				)
			: {
					status: 404,
					json: {
						errcode: 404,
						errmsg: `emulator: no DingTalk endpoint ${req.method} ${req.path}`,
					},
				},
};

export * from './callbackRegistration';
export * from './cards';
export * from './robotFiles';
export * from '../modelStandIn';
export * from './customRobot';
export * from './jsapi';
export * from './microapp';
export * from './sessionWebhook';
export * from './errors';
export * from './robot';
export * from './robotHttp';
export * from './largeOrg';
export * from './seed';
export * from './state';
export * from './stream';
export * from './streamPayloads';
export * from './streamServer';
export * from './messaging';
export { PROCESS_CODES, PURCHASE_SELF_SELECT_ACTOR } from './approvalForms';
