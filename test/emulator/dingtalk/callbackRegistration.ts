/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs under Node and jest, never inside n8n */
// The old callback registration API (/call_back/*), as recalled from DingTalk's older docs (the error codes are
// unverified against the live API): ONE registration per organisation — tags, token, aes_key and URL. Register and
// update first send the URL a check_url event, encrypted for the Corp ID with the given token and aes_key, and refuse
// when the answer is not DingTalk's signed "success". Failed pushes wait in a queue that
// get_call_back_failed_result hands out (and forgets) a page at a time.
import { sendCallback, buildDingTalkCallback } from '../callbackSender';
import { perState } from '../jsapiTickets';
import type { Route } from '../types';
import { bodyOf } from '../util';
import { oldApiError, oldApiOk } from './errors';
import { checkDingTalkAnswer, httpEventPayload } from './httpEvents';
import type { DingTalkState } from './state';

/** The tags this emulator knows (DingTalk refuses others). */
export const KNOWN_CALLBACK_TAGS: readonly string[] = [
	'user_add_org',
	'user_modify_org',
	'user_leave_org',
	'user_active_org',
	'org_admin_add',
	'org_admin_remove',
	'org_dept_create',
	'org_dept_modify',
	'org_dept_remove',
	'org_remove',
	'org_change',
	'label_user_change',
	'label_conf_add',
	'label_conf_del',
	'label_conf_modify',
	'bpms_instance_change',
	'bpms_task_change',
	'chat_add_member',
	'chat_remove_member',
	'chat_quit',
	'chat_update_owner',
	'chat_update_title',
	'chat_disband',
	'check_in',
	'attendance_check_record',
];

/** Error codes used here (unverified): none registered, one already registered, URL check failed, bad parameter. */
export const CALLBACK_ERRORS = {
	notRegistered: 71007,
	alreadyRegistered: 71006,
	urlCheckFailed: 71004,
	badParameter: 40035,
} as const;

export interface CallbackRegistration {
	call_back_tag: string[];
	token: string;
	aes_key: string;
	url: string;
}

export interface FailedCallback {
	event_time: number;
	call_back_tag: string;
	[data: string]: unknown;
}

interface RegistrationState {
	current?: CallbackRegistration;
	failed: FailedCallback[];
	/** How many failed events one get_call_back_failed_result hands out. */
	pageSize: number;
	/** Every check_url answer's verdict, for tests. */
	urlChecks: Array<{ url: string; ok: boolean; problem?: string }>;
}

export const callbackRegistration = perState<DingTalkState, RegistrationState>(() => ({
	failed: [],
	pageSize: 10,
	urlChecks: [],
}));

/** Queues failed pushes as DingTalk keeps them: the tag, the time, and the event's own fields. */
export function queueFailedCallbacks(state: DingTalkState, events: FailedCallback[]): void {
	callbackRegistration(state).failed.push(...events);
}

function validRegistration(body: Record<string, unknown>): CallbackRegistration {
	const { call_back_tag: tags, token, aes_key: aesKey, url } = body;
	if (!Array.isArray(tags) || tags.length === 0) {
		throw oldApiError(CALLBACK_ERRORS.badParameter, '不合法的参数: call_back_tag 不能为空');
	}
	const unknown = tags.filter((t) => typeof t !== 'string' || !KNOWN_CALLBACK_TAGS.includes(t));
	if (unknown.length > 0) {
		throw oldApiError(
			CALLBACK_ERRORS.badParameter,
			`不合法的参数: 未知的回调事件 ${unknown.join(',')}`,
		);
	}
	if (typeof token !== 'string' || token === '' || token.length > 64) {
		throw oldApiError(CALLBACK_ERRORS.badParameter, '不合法的参数: token');
	}
	if (typeof aesKey !== 'string' || !/^[A-Za-z0-9+/]{43}$/.test(aesKey)) {
		throw oldApiError(CALLBACK_ERRORS.badParameter, '不合法的参数: aes_key 必须是 43 位');
	}
	if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url)) {
		throw oldApiError(CALLBACK_ERRORS.badParameter, '不合法的参数: url');
	}
	return { call_back_tag: [...(tags as string[])], token, aes_key: aesKey, url };
}

/** DingTalk's check of a URL before it takes it: a check_url event, and "success" back within the time limit. */
async function checkUrl(
	registration: CallbackRegistration,
	corpId: string,
	state: RegistrationState,
) {
	const built = buildDingTalkCallback({
		token: registration.token,
		aesKey: registration.aes_key,
		receiverId: corpId,
		payload: httpEventPayload('check_url'),
	});
	let problem: string | undefined;
	try {
		const answer = await Promise.race([
			sendCallback(registration.url, built),
			new Promise<never>((_resolve, reject) =>
				setTimeout(() => reject(new Error('no answer within 3 s')), 3000).unref(),
			),
		]);
		if (answer.status !== 200) problem = `HTTP ${answer.status}`;
		else {
			const check = checkDingTalkAnswer(answer.body, {
				token: registration.token,
				aesKey: registration.aes_key,
				receiverIds: [corpId],
			});
			if (!check.ok) problem = check.problem;
		}
	} catch (error) {
		problem = (error as Error).message;
	}
	state.urlChecks.push({ url: registration.url, ok: problem === undefined, problem });
	if (problem !== undefined) {
		throw oldApiError(
			CALLBACK_ERRORS.urlCheckFailed,
			`回调地址无效: 返回字符串不匹配 (${problem})`,
		);
	}
}

function current(state: RegistrationState): CallbackRegistration {
	if (!state.current) throw oldApiError(CALLBACK_ERRORS.notRegistered, '回调地址不存在');
	return state.current;
}

export const callbackRegistrationRoutes: Route<DingTalkState>[] = [
	{
		method: 'POST',
		path: '/call_back/register_call_back',
		async handle(req, ctx) {
			const state = callbackRegistration(ctx.state);
			const registration = validRegistration(bodyOf(req.body));
			if (state.current) {
				throw oldApiError(CALLBACK_ERRORS.alreadyRegistered, '回调地址已经存在');
			}
			await checkUrl(registration, ctx.state.app.corpId, state);
			state.current = registration;
			return oldApiOk();
		},
	},
	{
		method: 'POST',
		path: '/call_back/update_call_back',
		async handle(req, ctx) {
			const state = callbackRegistration(ctx.state);
			const registration = validRegistration(bodyOf(req.body));
			current(state);
			await checkUrl(registration, ctx.state.app.corpId, state);
			state.current = registration;
			return oldApiOk();
		},
	},
	{
		method: 'GET',
		path: '/call_back/get_call_back',
		handle(_req, ctx) {
			return oldApiOk({ ...current(callbackRegistration(ctx.state)) });
		},
	},
	{
		method: 'GET',
		path: '/call_back/delete_call_back',
		handle(_req, ctx) {
			const state = callbackRegistration(ctx.state);
			current(state);
			state.current = undefined;
			return oldApiOk();
		},
	},
	{
		method: 'GET',
		path: '/call_back/get_call_back_failed_result',
		handle(_req, ctx) {
			const state = callbackRegistration(ctx.state);
			const page = state.failed.splice(0, state.pageSize);
			return oldApiOk({ has_more: state.failed.length > 0, failed_list: page });
		},
	},
];
