// DingTalk's HTTP event push (事件订阅 → HTTP 推送) as the emulator plays it: decrypted payloads shaped like the ones
// DingTalk sends (check_url, contacts, departments, approvals, chats, check-in), and DingTalk's check of the answer —
// JSON {msg_signature, timeStamp, nonce, encrypt} whose signature holds and whose encrypt opens to "success". An
// answer that fails it is what makes the console say "返回字符串不匹配" and DingTalk send the event again.
import { randomBytes } from 'node:crypto';

import { CallbackCrypto } from '../../../nodes/shared/callbackCrypto';
import { DINGTALK_SEED } from './seed';

export type HttpEventKind =
	| 'check_url'
	| 'approval'
	| 'approval_task'
	| 'user_add'
	| 'user_modify'
	| 'user_leave'
	| 'user_active'
	| 'dept_create'
	| 'dept_modify'
	| 'dept_remove'
	| 'chat'
	| 'check_in'
	| 'other';

export const HTTP_EVENT_KINDS: readonly HttpEventKind[] = [
	'check_url',
	'approval',
	'approval_task',
	'user_add',
	'user_modify',
	'user_leave',
	'user_active',
	'dept_create',
	'dept_modify',
	'dept_remove',
	'chat',
	'check_in',
	'other',
];

export interface HttpEventInput {
	/** Approval: start | finish | terminate (instance), start | finish | cancel (task). */
	type?: string;
	/** Approval: agree | refuse (| redirect for tasks). */
	result?: string;
	/** Contacts: the users; approvals: the originator (instance) or approver (task). */
	userId?: string;
	/** Write `userId` instead of `UserId`, as newer payloads do. */
	lowerCaseIds?: boolean;
	processInstanceId?: string;
	title?: string;
	/** Leave eventId out (older payloads have none). */
	withoutEventId?: boolean;
	corpId?: string;
	time?: number;
}

function eventId(): string {
	return randomBytes(16).toString('hex');
}

/** The decrypted payload of one event kind, with DingTalk's field names. */
export function httpEventPayload(
	kind: HttpEventKind,
	input: HttpEventInput = {},
): Record<string, unknown> {
	const corpId = input.corpId ?? DINGTALK_SEED.corpId;
	const time = input.time ?? Date.now();
	const common = (type: string): Record<string, unknown> => ({
		EventType: type,
		CorpId: corpId,
		TimeStamp: String(time),
		...(input.withoutEventId ? {} : { eventId: eventId() }),
	});
	const users = (type: string) => ({
		...common(type),
		[input.lowerCaseIds ? 'userId' : 'UserId']: [input.userId ?? 'dev001'],
	});
	const depts = (type: string) => ({
		...common(type),
		[input.lowerCaseIds ? 'deptId' : 'DeptId']: [100],
	});
	switch (kind) {
		case 'check_url':
			return { EventType: 'check_url' };
		case 'approval':
		case 'approval_task': {
			const task = kind === 'approval_task';
			const type = input.type ?? 'finish';
			return {
				EventType: task ? 'bpms_task_change' : 'bpms_instance_change',
				processInstanceId: input.processInstanceId ?? `pi-${randomBytes(8).toString('hex')}`,
				corpId,
				createTime: time - 3_600_000,
				...(type === 'start' ? {} : { finishTime: time }),
				title: input.title ?? '张三提交的报销申请',
				type,
				...(type === 'finish' ? { result: input.result ?? 'agree' } : {}),
				staffId: input.userId ?? 'dev001',
				url: 'https://aflow.dingtalk.com/dingtalk/mobile/homepage.htm',
				processCode: 'PROC-EMU-EXPENSE',
				bizCategoryId: '',
				businessId: '202611291200000001',
				...(task ? { taskId: 77_000_001, remark: '同意' } : {}),
				...(input.withoutEventId ? {} : { eventId: eventId() }),
			};
		}
		case 'user_add':
			return users('user_add_org');
		case 'user_modify':
			return users('user_modify_org');
		case 'user_leave':
			return users('user_leave_org');
		case 'user_active':
			return users('user_active_org');
		case 'dept_create':
			return depts('org_dept_create');
		case 'dept_modify':
			return depts('org_dept_modify');
		case 'dept_remove':
			return depts('org_dept_remove');
		case 'chat':
			return { ...common('chat_add_member'), ChatId: 'chat-emu-1', Operator: 'manager4220' };
		case 'check_in':
			return { ...common('check_in'), StaffId: input.userId ?? 'dev001' };
		case 'other':
			return { ...common('label_user_change'), LabelIdList: [1] };
	}
}

export interface AnswerCheck {
	ok: boolean;
	/** Why DingTalk would not accept it ("返回字符串不匹配"). */
	problem?: string;
	/** The decrypted answer. */
	message?: string;
}

/** DingTalk's check of an answer: JSON with the four fields, a valid signature, "success" inside for the receiver. */
export function checkDingTalkAnswer(
	body: string,
	options: { token: string; aesKey: string; receiverIds: string[] },
): AnswerCheck {
	let answer: Record<string, unknown>;
	try {
		answer = JSON.parse(body) as Record<string, unknown>;
	} catch {
		return { ok: false, problem: 'the answer is not JSON' };
	}
	const { msg_signature: signature, timeStamp, nonce, encrypt } = answer ?? {};
	if (
		typeof signature !== 'string' ||
		typeof timeStamp !== 'string' ||
		typeof nonce !== 'string' ||
		typeof encrypt !== 'string'
	) {
		return { ok: false, problem: 'msg_signature, timeStamp, nonce and encrypt must be strings' };
	}
	const crypto = new CallbackCrypto({
		platform: 'dingtalk',
		token: options.token,
		encodingAesKey: options.aesKey,
		receiverIds: options.receiverIds,
	});
	try {
		const { message } = crypto.verifyAndDecrypt({
			signature,
			timestamp: timeStamp,
			nonce,
			encrypt,
		});
		return message === 'success'
			? { ok: true, message }
			: { ok: false, problem: `the answer decrypts to ${JSON.stringify(message)}`, message };
	} catch (error) {
		return { ok: false, problem: (error as Error).message };
	}
}
