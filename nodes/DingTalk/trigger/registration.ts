// HTTP mode, "Register Callback by API (旧版注册回调)": the old registration API (/call_back/*) instead of the console's
// 事件订阅. An organisation has ONE such registration (tags, token, aes_key, URL): activation registers the node's
// production URL, or replaces whatever URL is registered; deactivation deletes the registration only while it is ours.
// DingTalk then encrypts the callbacks for the Corp ID, which the HTTP receiver accepts when the credential has one.
import type { IDataObject, IHookFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { attempt, dingTalkCodeOf, unlessNotFound } from '../methods/searchState';
import { CREDENTIAL_TYPE, dingTalkApiRequest } from '../transport';
import {
	ALL_EVENTS,
	APPROVAL_EVENTS,
	CONTACT_EVENTS,
	DEPARTMENT_EVENTS,
	eventTypeList,
	type EventCategory,
} from './events';
import type { TriggerOptions } from './options';

/** DingTalk's call_back_tag names for each Trigger On group (robot messages come over Stream only). */
export const CALLBACK_TAGS: Readonly<Record<EventCategory, readonly string[]>> = {
	contact: [...CONTACT_EVENTS, 'org_admin_add', 'org_admin_remove'],
	department: DEPARTMENT_EVENTS,
	approval: APPROVAL_EVENTS,
	robotMessage: [],
	chat: [
		'chat_add_member',
		'chat_remove_member',
		'chat_quit',
		'chat_update_owner',
		'chat_update_title',
		'chat_disband',
	],
	checkIn: ['check_in', 'attendance_check_record'],
	other: [
		'org_remove',
		'org_change',
		'label_user_change',
		'label_conf_add',
		'label_conf_del',
		'label_conf_modify',
	],
};

/** The errcode of "no callback registered" (unverified against the live API; an empty URL counts the same). */
const NOT_REGISTERED = '71007';

/** The tags to register: the Only Event Types option when set, else the Trigger On groups ('*' = every tag). */
export function callbackTags(categories: readonly string[], eventTypes: unknown): string[] {
	const exact = eventTypeList(eventTypes);
	if (exact.length > 0) return exact;
	const everything = categories.length === 0 || categories.includes(ALL_EVENTS);
	const chosen = everything
		? Object.values(CALLBACK_TAGS)
		: categories.map((c) => CALLBACK_TAGS[c as EventCategory] ?? []);
	return [...new Set(chosen.flat())];
}

function isOn(context: IHookFunctions): boolean {
	return (
		context.getNodeParameter('connectionMode', 'http') === 'http' &&
		context.getNodeParameter('registerCallback', false) === true &&
		// A test listener ('Listen for test event') leaves the organisation's one registration alone.
		context.getMode() !== 'manual'
	);
}

/** The current registration, or undefined when none. */
async function registered(context: IHookFunctions): Promise<IDataObject | undefined> {
	const answer = await unlessNotFound(
		async () => await call(context, 'GET', '/call_back/get_call_back'),
		[NOT_REGISTERED],
	);
	return answer === undefined || String(answer.url ?? '') === '' ? undefined : answer;
}

async function call(
	context: IHookFunctions,
	method: 'GET' | 'POST',
	path: string,
	body?: IDataObject,
): Promise<IDataObject> {
	const outcome = await attempt(
		async () => await dingTalkApiRequest.call(context, { method, path, body }),
	);
	if ('value' in outcome) return outcome.value;
	const { error } = outcome;
	if (dingTalkCodeOf(error) !== '60011') throw error;
	throw new NodeApiError(context.getNode(), (error as NodeApiError).errorResponse ?? {}, {
		message:
			'Register Callback by API: the app may not manage callbacks (DingTalk 60011): grant it the callback permission in 开发者后台 → the app → 权限管理, or switch Register Callback by API off and configure 事件订阅 in the console',
		description:
			'应用没有注册回调的权限：请在开发者后台 → 应用 → 权限管理 中开通，或关闭“Register Callback by API”并在事件订阅中配置。',
	});
}

function ourUrl(context: IHookFunctions): string {
	return context.getNodeWebhookUrl('default') ?? '';
}

/** What this node would register: its production URL, the chosen tags and the credential's keys. */
async function wanted(context: IHookFunctions): Promise<IDataObject> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	const missing = [
		['Corp ID', credentials.corpId],
		['Callback Token', credentials.callbackToken],
		['Callback AES Key', credentials.aesKey],
	]
		.filter(([, value]) => String(value ?? '').trim() === '')
		.map(([label]) => label as string);
	if (missing.length > 0) {
		throw new NodeOperationError(
			context.getNode(),
			`Register Callback by API needs ${missing.join(', ')} in the DingTalk credential: DingTalk encrypts registered callbacks for the Corp ID (开发者后台 → 首页 CorpId) with this token and 43-character AES key (any values you choose)`,
		);
	}
	const options = context.getNodeParameter('options', {}) as TriggerOptions;
	const tags = callbackTags(context.getNodeParameter('events', []) as string[], options.eventTypes);
	if (tags.length === 0) {
		throw new NodeOperationError(
			context.getNode(),
			'Register Callback by API: Trigger On chooses no event DingTalk pushes over HTTP (robot messages come over Stream only): choose other groups',
		);
	}
	return {
		call_back_tag: tags,
		token: String(credentials.callbackToken).trim(),
		aes_key: String(credentials.aesKey).trim(),
		url: ourUrl(context),
	};
}

function sameRegistration(current: IDataObject, want: IDataObject): boolean {
	const tags = (value: unknown) => (Array.isArray(value) ? value.map(String) : []).sort().join(',');
	return (
		current.url === want.url &&
		current.token === want.token &&
		current.aes_key === want.aes_key &&
		tags(current.call_back_tag) === tags(want.call_back_tag)
	);
}

/** n8n's webhookMethods for the trigger's one webhook: a no-op unless Register Callback by API is on. */
export const CALLBACK_REGISTRATION_METHODS = {
	default: {
		async checkExists(this: IHookFunctions): Promise<boolean> {
			if (!isOn(this)) return true;
			const current = await registered(this);
			return current !== undefined && sameRegistration(current, await wanted(this));
		},
		async create(this: IHookFunctions): Promise<boolean> {
			if (!isOn(this)) return true;
			const want = await wanted(this);
			// One registration per organisation: another URL's is replaced (the notice says so).
			const current = await registered(this);
			await call(
				this,
				'POST',
				current === undefined ? '/call_back/register_call_back' : '/call_back/update_call_back',
				want,
			);
			return true;
		},
		async delete(this: IHookFunctions): Promise<boolean> {
			if (!isOn(this)) return true;
			const current = await registered(this);
			// Someone else's registration (another workflow or n8n, or the console's owner) stays.
			if (current === undefined || current.url !== ourUrl(this)) return true;
			await call(this, 'GET', '/call_back/delete_call_back');
			return true;
		},
	},
};
