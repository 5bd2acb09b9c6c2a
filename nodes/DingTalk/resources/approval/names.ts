import type { IDataObject } from 'n8n-workflow';

// Readable names for the codes of an approval instance. English names are snake_case so they can be compared in
// IF/Filter nodes without guessing at spaces or case; Chinese names are the ones DingTalk's documentation uses.
// Every code is an open set: one DingTalk adds later keeps its code and gets the name "unknown" / "未知".

interface CodeName {
	en: string;
	zh: string;
}

export type CodeNames = Readonly<Record<string, CodeName>>;

/** An instance's status. */
export const INSTANCE_STATUS: CodeNames = {
	NEW: { en: 'new', zh: '新创建' },
	RUNNING: { en: 'running', zh: '审批中' },
	TERMINATED: { en: 'terminated', zh: '已撤销' },
	COMPLETED: { en: 'completed', zh: '审批完成' },
	CANCELED: { en: 'canceled', zh: '已取消' },
};

/** An instance's result, once it is completed. */
export const INSTANCE_RESULT: CodeNames = {
	agree: { en: 'approved', zh: '同意' },
	refuse: { en: 'rejected', zh: '拒绝' },
};

/** One approver's task. */
export const TASK_STATUS: CodeNames = {
	NEW: { en: 'not_started', zh: '未启动' },
	RUNNING: { en: 'in_progress', zh: '处理中' },
	PAUSED: { en: 'paused', zh: '暂停' },
	CANCELED: { en: 'canceled', zh: '取消' },
	COMPLETED: { en: 'completed', zh: '完成' },
	TERMINATED: { en: 'terminated', zh: '终止' },
};

export const TASK_RESULT: CodeNames = {
	AGREE: { en: 'approved', zh: '同意' },
	REFUSE: { en: 'rejected', zh: '拒绝' },
	REDIRECTED: { en: 'transferred', zh: '转交' },
	NONE: { en: 'none', zh: '未处理' },
};

/** What happened in an operation record. */
export const OPERATION_TYPE: CodeNames = {
	EXECUTE_TASK_NORMAL: { en: 'task_executed', zh: '正常执行任务' },
	EXECUTE_TASK_AGENT: { en: 'task_executed_by_agent', zh: '代理人执行任务' },
	APPEND_TASK_BEFORE: { en: 'approver_added_before', zh: '前加签任务' },
	APPEND_TASK_AFTER: { en: 'approver_added_after', zh: '后加签任务' },
	REDIRECT_TASK: { en: 'task_transferred', zh: '转交任务' },
	START_PROCESS_INSTANCE: { en: 'started', zh: '发起流程实例' },
	TERMINATE_PROCESS_INSTANCE: { en: 'terminated', zh: '终止(撤销)流程实例' },
	FINISH_PROCESS_INSTANCE: { en: 'finished', zh: '结束流程实例' },
	ADD_REMARK: { en: 'comment_added', zh: '添加评论' },
	REDIRECT_PROCESS: { en: 'returned', zh: '审批退回' },
	PROCESS_CC: { en: 'cc_sent', zh: '抄送' },
};

export const OPERATION_RESULT: CodeNames = {
	AGREE: { en: 'approved', zh: '同意' },
	REFUSE: { en: 'rejected', zh: '拒绝' },
	NONE: { en: 'none', zh: '未处理' },
};

/** `type` of a bpms_instance_change event (审批实例开始/结束/撤销). */
export const EVENT_INSTANCE_TYPE: CodeNames = {
	start: { en: 'started', zh: '审批开始' },
	finish: { en: 'finished', zh: '审批结束' },
	terminate: { en: 'terminated', zh: '已撤销' },
};

/** `type` of a bpms_task_change event (an approver's task). */
export const EVENT_TASK_TYPE: CodeNames = {
	start: { en: 'started', zh: '任务开始' },
	finish: { en: 'finished', zh: '任务结束' },
	cancel: { en: 'canceled', zh: '任务取消' },
};

/** `result` of both approval events (lower case there, unlike the API's task results). */
export const EVENT_RESULT: CodeNames = {
	...INSTANCE_RESULT,
	redirect: { en: 'transferred', zh: '转交' },
};

/** The statuses Get Many filters on, for its picker. */
export const FILTER_STATUSES = ['RUNNING', 'COMPLETED', 'TERMINATED'] as const;

function nameIn(table: CodeNames, code: unknown): CodeName | undefined {
	return typeof code === 'string' && Object.hasOwn(table, code) ? table[code] : undefined;
}

/** `{[field]Name, [field]NameZh}` next to a code field, when the entry has it; "unknown" for a code not listed. */
export function named(entry: IDataObject, field: string, table: CodeNames): IDataObject {
	if (entry[field] === undefined || entry[field] === null || entry[field] === '') return {};
	const name = nameIn(table, entry[field]);
	return { [`${field}Name`]: name?.en ?? 'unknown', [`${field}NameZh`]: name?.zh ?? '未知' };
}

function list(value: unknown): IDataObject[] {
	return Array.isArray(value) ? (value as IDataObject[]) : [];
}

/**
 * An instance's `result` with every code also given by name: the instance's status and result, each task's status
 * and result, each operation record's type and result. The form's values are also given as one object, label → value.
 */
export function withNames(instance: IDataObject): IDataObject {
	const form: IDataObject = {};
	for (const value of list(instance.formComponentValues)) {
		const name = String(value.name ?? value.id ?? '');
		if (name && !(name in form)) form[name] = value.value ?? '';
	}
	return {
		...instance,
		...named(instance, 'status', INSTANCE_STATUS),
		...named(instance, 'result', INSTANCE_RESULT),
		form,
		tasks: list(instance.tasks).map((task) => ({
			...task,
			...named(task, 'status', TASK_STATUS),
			...named(task, 'result', TASK_RESULT),
		})),
		operationRecords: list(instance.operationRecords).map((record) => ({
			...record,
			...named(record, 'type', OPERATION_TYPE),
			...named(record, 'result', OPERATION_RESULT),
		})),
	};
}

/** "Running (审批中)" for pickers. */
export function statusOption(code: (typeof FILTER_STATUSES)[number]): {
	name: string;
	value: string;
} {
	const name = INSTANCE_STATUS[code];
	const title = name.en.charAt(0).toUpperCase() + name.en.slice(1);
	return { name: `${title} (${name.zh})`, value: code };
}
