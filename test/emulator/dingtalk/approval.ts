// OA approval endpoints of the new API (/v1.0/workflow/...), validating requests with the codes the official pages
// list for each endpoint. Codes chosen where the pages are silent are marked "(assumed)".
import type { EmulatorRequest, Route } from '../types';
import { bodyOf, isRecord, nonEmptyString } from '../util';
import type { EmuForm } from './approvalForms';
import { instanceAnswer, instanceId, type EmuInstance } from './approvalModel';
import {
	checkFormValues,
	formComponents,
	isKitComponent,
	labelsOfComponent,
} from './approvalValues';
import { newApiError, newApiOk } from './errors';
import type { DingTalkState } from './state';

const DAY_MS = 86400 * 1000;
/** instanceIds/query: the widest window, and how far back a start time may be without an end time. */
export const LIST_WINDOW_MS = 120 * DAY_MS;
export const MAX_LIST_RESULTS = 20;
export const MAX_FORM_RESULTS = 100;
/** Terminate refuses instances started less than this long ago. */
export const TERMINATE_GRACE_MS = 15_000;

function formOf(state: DingTalkState, processCode: unknown): EmuForm | undefined {
	return state.forms.find((f) => f.processCode === processCode);
}

function activeUser(state: DingTalkState, id: unknown) {
	return state.users.find((u) => u.userid === id && u.active);
}

/** A Long in a query or body: a number, or digits as text. */
function longOf(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isInteger(value)) return value;
	if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
	return undefined;
}

function userIdsOf(value: unknown): string[] | undefined {
	return Array.isArray(value) && value.every((v) => typeof v === 'string')
		? (value as string[])
		: undefined;
}

const invalidInstanceParameter = (detail: string) =>
	newApiError(400, 'processInstanceInvalidParameter', `审批实例参数错误，具体可能为:${detail}`);

/** The department the originator may start from: one of theirs; the root department as -1 (1 accepted too). */
function checkDepartment(state: DingTalkState, originatorId: string, deptId: unknown): string {
	const id = longOf(deptId);
	const user = activeUser(state, originatorId)!;
	if (id === undefined) throw invalidInstanceParameter('发起部门id错误（deptId 必填）');
	const inRoot = user.dept_id_list.includes(1);
	if ((id === -1 || id === 1) && inRoot) return '-1';
	if (!user.dept_id_list.includes(id)) throw invalidInstanceParameter('发起人不在发起部门中');
	return String(id);
}

function checkApprovers(state: DingTalkState, approvers: unknown): string[][] {
	if (!Array.isArray(approvers) || approvers.length === 0 || approvers.length > 20) {
		throw invalidInstanceParameter('审批人列表错误（1~20级）');
	}
	return approvers.map((level: unknown) => {
		const ids = isRecord(level) ? userIdsOf(level.userIds) : undefined;
		if (!isRecord(level) || !['AND', 'OR', 'NONE'].includes(String(level.actionType))) {
			throw invalidInstanceParameter('审批类型错误');
		}
		if (!ids?.length || ids.some((id) => !activeUser(state, id))) {
			throw invalidInstanceParameter('审批人的userid错误');
		}
		if (level.actionType === 'NONE' && ids.length > 1)
			throw invalidInstanceParameter('单人审批只能有一人');
		return ids;
	});
}

/** Self-select nodes of the form's flow need approvers from targetSelectActioners, within each node's range. */
function checkSelfSelect(form: EmuForm, actioners: unknown): Map<string, string[]> {
	const chosen = new Map<string, string[]>();
	const list = actioners === undefined ? [] : actioners;
	if (!Array.isArray(list) || list.length > 20) {
		throw newApiError(400, 'invalidParameter', '发起审批参数错误：targetSelectActioners');
	}
	for (const entry of list as unknown[]) {
		const node = isRecord(entry)
			? form.flow.find(
					(n) => n.activityType === 'target_select' && n.actorKey === entry.actionerKey,
				)
			: undefined;
		const ids = isRecord(entry) ? userIdsOf(entry.actionerUserIds) : undefined;
		if (!node || !ids?.length)
			throw newApiError(400, 'targetSelectApproverMissing', '自选审批人缺失');
		if (
			(node.userIds.length && ids.some((id) => !node.userIds.includes(id))) ||
			(!node.allowedMulti && ids.length > 1)
		) {
			throw newApiError(400, 'targetSelectApproverScopeError', '自选审批人不在规定范围内');
		}
		chosen.set(node.actorKey, ids);
	}
	if (
		form.flow.some(
			(n) => n.activityType === 'target_select' && n.required && !chosen.has(n.actorKey),
		)
	) {
		throw newApiError(400, 'targetSelectApproverMissing', '自选审批人缺失');
	}
	return chosen;
}

function startInstance(req: EmulatorRequest, state: DingTalkState, now: number) {
	const body = bodyOf(req.body);
	if (!nonEmptyString(body.processCode))
		throw newApiError(400, 'invalidParameter', '发起审批参数错误：processCode 不能为空');
	const form = formOf(state, body.processCode);
	if (!form || form.status !== 'PUBLISHED') {
		throw newApiError(400, 'processCodeError', '获取审批模板失败或者模板已被删除');
	}
	const originator = activeUser(state, body.originatorUserId);
	if (!originator) throw invalidInstanceParameter('发起人的userid错误');
	if (body.microappAgentId !== undefined && longOf(body.microappAgentId) !== state.app.agentId) {
		throw newApiError(400, 'invalidAgentId', '无效的微应用ID');
	}
	const deptId = checkDepartment(state, originator.userid, body.deptId);
	// (assumed) A kit form is refused as a failed start.
	if (formComponents(form.items).some(isKitComponent)) {
		throw newApiError(
			400,
			'processInstanceStartFailed',
			'创建审批实例失败：假勤等套件不支持通过接口发起',
		);
	}
	const custom = body.approvers !== undefined;
	const levels = custom ? checkApprovers(state, body.approvers) : [];
	const selfSelected = custom
		? new Map<string, string[]>()
		: checkSelfSelect(form, body.targetSelectActioners);
	let cc: string[] = [];
	if (body.ccList !== undefined) {
		const ids = userIdsOf(body.ccList);
		if (!ids || ids.length > 50 || ids.some((id) => !activeUser(state, id))) {
			throw invalidInstanceParameter('抄送人的userid错误');
		}
		if (
			body.ccPosition !== undefined &&
			!['START', 'FINISH', 'START_FINISH'].includes(String(body.ccPosition))
		) {
			throw newApiError(400, 'invalidParameter', '发起审批参数错误：ccPosition');
		}
		cc = ids;
	}
	const values = checkFormValues(state, form.items, body.formComponentValues);

	// The first level of approvers gets the running tasks.
	const firstApprovers = custom
		? levels[0]
		: (() => {
				const node = form.flow[0];
				return node.activityType === 'target_select'
					? (selfSelected.get(node.actorKey) ?? [])
					: node.userIds;
			})();
	const id = instanceId(`started:${state.instances.length}:${now}:${Math.random()}`);
	const dept = state.departments.find(
		(d) => String(d.dept_id) === (deptId === '-1' ? '1' : deptId),
	);
	let taskId = 90000 + state.instances.length * 10;
	const instance: EmuInstance = {
		processInstanceId: id,
		processCode: form.processCode,
		title: `${originator.name}提交的${form.name}`,
		originatorUserId: originator.userid,
		originatorDeptId: deptId,
		originatorDeptName: dept?.name ?? '',
		status: 'RUNNING',
		result: '',
		businessId: `2026${String(900000 + state.instances.length)}`,
		createTime: now,
		formComponentValues: values.map((v) => ({
			id: v.component.props.id,
			name: labelsOfComponent(v.component)[0],
			value: v.value,
			componentType: v.component.componentName,
		})),
		approverUserIds: levels.flat(),
		ccUserIds: cc,
		tasks: firstApprovers.map((userId) => ({
			taskId: taskId++,
			userId,
			status: 'RUNNING' as const,
			result: 'NONE' as const,
			createTime: now,
			activityId: custom ? 'custom_1' : form.flow[0].activityId,
		})),
		operationRecords: [
			{
				userId: originator.userid,
				date: now,
				type: 'START_PROCESS_INSTANCE',
				result: 'NONE',
				showName: '发起审批',
			},
		],
		request: body,
	};
	state.instances.push(instance);
	return newApiOk({ instanceId: id });
}

function listInstanceIds(req: EmulatorRequest, state: DingTalkState, now: number) {
	const body = bodyOf(req.body);
	if (!nonEmptyString(body.processCode))
		throw newApiError(400, 'invalidProcessCode', '审批模板processCode不能为空');
	const startTime = longOf(body.startTime);
	if (startTime === undefined) {
		throw newApiError(
			400,
			'invalidInstanceListIdsStartTime',
			'获取审批实例ID列表，审批实例开始时间不能为空',
		);
	}
	const nextToken = longOf(body.nextToken);
	if (nextToken === undefined || nextToken < 0) {
		throw newApiError(400, 'invalidNextToken', '获取审批实例ID列表，分页查询的游标不能为空');
	}
	const maxResults = longOf(body.maxResults);
	if (maxResults === undefined || maxResults < 1 || maxResults > MAX_LIST_RESULTS) {
		throw newApiError(
			400,
			'invalidMaxResults',
			'获取审批实例ID列表，分页参数非法，每页大小，最多传20。',
		);
	}
	const endTime = body.endTime === undefined ? now : longOf(body.endTime);
	if (endTime === undefined || endTime < startTime || endTime - startTime > LIST_WINDOW_MS) {
		throw newApiError(
			400,
			'invalidEndTime',
			'获取审批实例ID列表，审批实例结束时间不能小于开始时间；且查询时间范围不能超过120天。',
		);
	}
	const userIds = body.userIds === undefined ? [] : userIdsOf(body.userIds);
	if (!userIds || userIds.length > 10) {
		throw newApiError(
			400,
			'invalidUserIds',
			'获取审批实例ID列表，发起userid列表参数非法，最大列表长度为10。',
		);
	}
	const statuses = body.statuses === undefined ? [] : userIdsOf(body.statuses);
	if (!statuses || statuses.some((s) => !['RUNNING', 'TERMINATED', 'COMPLETED'].includes(s))) {
		// (assumed) The page lists no code for a bad status.
		throw newApiError(400, 'invalidParameter', '获取审批实例ID列表，流程实例状态参数非法');
	}
	const matching = state.instances.filter(
		(i) =>
			i.processCode === body.processCode &&
			i.createTime >= startTime &&
			i.createTime <= endTime &&
			(!userIds.length || userIds.includes(i.originatorUserId)) &&
			(!statuses.length || statuses.includes(i.status)),
	);
	const page = matching.slice(nextToken, nextToken + maxResults).map((i) => i.processInstanceId);
	const more = nextToken + maxResults < matching.length;
	return newApiOk({
		result: { list: page, ...(more ? { nextToken: String(nextToken + maxResults) } : {}) },
		success: true,
	});
}

function terminateInstance(req: EmulatorRequest, state: DingTalkState, now: number) {
	const body = bodyOf(req.body);
	if (!nonEmptyString(body.processInstanceId))
		throw newApiError(400, 'invalidInstanceId', '审批实例ID不能为空');
	if (typeof body.isSystem !== 'boolean') {
		throw newApiError(
			400,
			'invalidInstanceTerminateIsSystem',
			'撤销审批实例，是否通过系统操作参数不能为空',
		);
	}
	const instance = state.instances.find((i) => i.processInstanceId === body.processInstanceId);
	if (!instance) throw newApiError(400, 'aflowProcessInstNotExist', '审批实例不存在');
	if (!body.isSystem) {
		if (!nonEmptyString(body.operatingUserId)) {
			throw newApiError(
				400,
				'invalidInstanceTerminateOperatingUserId',
				'撤销审批实例，当isSystem为false时，操作人的userId不能为空',
			);
		}
		if (!state.users.some((u) => u.userid === body.operatingUserId))
			throw newApiError(400, 'userNotExist', '用户不存在');
		// (assumed) Only the originator may withdraw; DingTalk reports this as a system error naming the right.
		if (body.operatingUserId !== instance.originatorUserId) {
			throw newApiError(400, 'internalError', '审批系统错误：您没有任务处理的权限');
		}
	}
	if (body.remark !== undefined && (typeof body.remark !== 'string' || body.remark.length > 1024)) {
		throw newApiError(400, 'invalidParameter', '撤销审批实例参数错误：remark');
	}
	if (instance.status !== 'RUNNING') {
		throw newApiError(400, 'aflowProcessInstStatusException', '审批单已结束，不能撤销');
	}
	if (now - instance.createTime < TERMINATE_GRACE_MS) {
		throw newApiError(400, 'aflowProcessInstStatusException', '提交审批单后15秒内不能进行撤回');
	}
	instance.status = 'TERMINATED';
	instance.finishTime = now;
	for (const task of instance.tasks) if (task.status === 'RUNNING') task.status = 'CANCELED';
	instance.operationRecords.push({
		userId: body.isSystem ? instance.originatorUserId : String(body.operatingUserId),
		date: now,
		type: 'TERMINATE_PROCESS_INSTANCE',
		result: 'NONE',
		...(typeof body.remark === 'string' && body.remark ? { remark: body.remark } : {}),
	});
	return newApiOk({ result: true, success: true });
}

function forecast(req: EmulatorRequest, state: DingTalkState) {
	const body = bodyOf(req.body);
	if (!nonEmptyString(body.userId)) throw newApiError(400, 'invalidUserId', '用户userId为空');
	if (!activeUser(state, body.userId)) throw newApiError(400, 'userNotExist', '用户不存在');
	const form = formOf(state, body.processCode);
	if (!form) throw newApiError(400, 'processCodeError', '获取审批模板失败或模板已删除');
	if (longOf(body.deptId) === undefined)
		throw newApiError(400, 'invalidParameter', '参数错误：deptId');
	if (!Array.isArray(body.formComponentValues) || body.formComponentValues.length === 0) {
		throw newApiError(400, 'componentIsNull', '表单数据为空');
	}
	const nameOf = (id: string) => state.users.find((u) => u.userid === id)?.name ?? '';
	return newApiOk({
		result: {
			isForecastSuccess: true,
			processCode: form.processCode,
			userId: body.userId,
			isStaticWorkflow: true,
			workflowActivityRules: form.flow.map((node, index) => ({
				activityId: node.activityId,
				prevActivityId: index ? form.flow[index - 1].activityId : 'start',
				activityName: node.activityName,
				activityType: node.activityType,
				isTargetSelect: node.activityType === 'target_select',
				workflowActor: {
					actorKey: node.actorKey,
					actorType: 'approver',
					actorSelectionType: node.userIds.length ? 'approvals' : 'allStaff',
					actorSelectionRange: {
						approvals:
							node.activityType === 'target_select'
								? node.userIds.map((id) => ({ workNo: id, userName: nameOf(id) }))
								: [],
					},
					allowedMulti: node.allowedMulti,
					approvalType: 'MANUAL',
					approvalMethod: 'OR',
					actorActivateType: 'ONE_BY_ONE',
					required: node.required,
				},
				activityActioners:
					node.activityType === 'target_approval'
						? node.userIds.map((id) => ({ userId: id, name: nameOf(id) }))
						: [],
			})),
		},
	});
}

export const approvalRoutes: Route<DingTalkState>[] = [
	{
		method: 'GET',
		path: '/v1.0/workflow/processes/userVisibilities/templates',
		handle(req, ctx) {
			const maxResults = longOf(req.query.maxResults);
			const nextToken = longOf(req.query.nextToken);
			if (nextToken === undefined || nextToken < 0) {
				throw newApiError(
					400,
					'invalidNextToken',
					'获取指定用户可见的审批表单列表，分页查询的游标不能为空',
				);
			}
			if (maxResults === undefined || maxResults < 1 || maxResults > MAX_FORM_RESULTS) {
				throw newApiError(
					400,
					'invalidMaxResults',
					'获取指定用户可见的审批表单列表，分页参数非法，每页大小，最多传100。',
				);
			}
			if (req.query.userId !== undefined && !activeUser(ctx.state, req.query.userId)) {
				throw newApiError(400, 'invalidParameter', '获取指定用户可见的审批表单列表参数错误');
			}
			const forms = ctx.state.forms.filter((f) => f.status === 'PUBLISHED');
			const page = forms.slice(nextToken, nextToken + maxResults);
			const more = nextToken + maxResults < forms.length;
			return newApiOk({
				result: {
					processList: page.map((f) => ({
						name: f.name,
						processCode: f.processCode,
						url: `https://aflow.dingtalk.com/dingtalk/mobile/homepage.htm?processCode=${f.processCode}`,
						iconUrl: 'https://gw.alicdn.com/tfs/emu-icon.png',
						dirId: String(f.dirName.length * 1000),
						dirName: f.dirName,
					})),
					...(more ? { nextToken: nextToken + maxResults } : {}),
				},
			});
		},
	},
	{
		method: 'GET',
		path: '/v1.0/workflow/forms/schemas/processCodes',
		handle(req, ctx) {
			if (!req.query.processCode)
				throw newApiError(400, 'invalidParameter', 'processCode is mandatory');
			const form = formOf(ctx.state, req.query.processCode);
			if (!form) throw newApiError(400, 'formNotExist', '审批表单模板不存在');
			return newApiOk({
				result: {
					creatorUserId: 'manager001',
					appUuid: ctx.state.app.corpId,
					formCode: form.processCode,
					formUuid: `FORM-${form.processCode.slice(5)}`,
					name: form.name,
					ownerIdType: 'orgId',
					schemaContent: { title: form.name, icon: 'common', items: form.items },
					status: form.status,
					engineType: 0,
					procType: 'inner',
				},
			});
		},
	},
	{
		method: 'POST',
		path: '/v1.0/workflow/processInstances',
		handle: (req, ctx) => startInstance(req, ctx.state, ctx.now()),
	},
	{
		method: 'GET',
		path: '/v1.0/workflow/processInstances',
		handle(req, ctx) {
			if (!req.query.processInstanceId)
				throw newApiError(400, 'processInstanceIdError', 'processInstanceId参数无效');
			const instance = ctx.state.instances.find(
				(i) => i.processInstanceId === req.query.processInstanceId,
			);
			if (!instance) throw newApiError(400, 'processInstanceNotExist', '审批实例不存在');
			return newApiOk({ result: instanceAnswer(instance), success: 'true' });
		},
	},
	{
		method: 'POST',
		path: '/v1.0/workflow/processes/instanceIds/query',
		handle: (req, ctx) => listInstanceIds(req, ctx.state, ctx.now()),
	},
	{
		method: 'POST',
		path: '/v1.0/workflow/processInstances/terminate',
		handle: (req, ctx) => terminateInstance(req, ctx.state, ctx.now()),
	},
	{
		method: 'POST',
		path: '/v1.0/workflow/processes/forecast',
		handle: (req, ctx) => forecast(req, ctx.state),
	},
];
