import type { IDataObject } from 'n8n-workflow';

/** Old-family errcodes that mean the access token is dead: refresh once, retry once. */
const OLD_TOKEN_ERRCODES: ReadonlySet<number> = new Set([40014, 42001, 40001]);

/** Old-family errcodes that mean "slow down". */
const OLD_THROTTLE_ERRCODES: ReadonlySet<number> = new Set([90018, 90002, 90006, -1]);

export function oldFamilyTokenDead(answer: IDataObject): boolean {
	const errcode = Number(answer.errcode);
	// errcode 88 is a wrapper; its sub_code says what really happened.
	if (errcode === 88) return String(answer.sub_code ?? '') === '40014';
	return OLD_TOKEN_ERRCODES.has(errcode);
}

export function oldFamilyThrottled(errcode: number): boolean {
	return OLD_THROTTLE_ERRCODES.has(errcode);
}

export function newFamilyTokenDead(status: number, code: string): boolean {
	return (status === 401 || status === 400) && /^InvalidAuthentication/i.test(code);
}

export function newFamilyThrottled(status: number, code: string): boolean {
	return (
		status === 429 ||
		/^Forbidden\.AccessDenied\.(Qps|Qpm)/i.test(code) ||
		/^system\.busy$/i.test(code) ||
		code === '90018' ||
		code === '90002'
	);
}

interface Hint {
	en: string;
	zh: string;
}

const FORM_NOT_FOUND: Hint = {
	en: 'The approval form was not found or is disabled: check the process code (pick the form from the list) and that the form is enabled in the OA admin console (审批管理后台).',
	zh: '审批表单不存在或已停用：请检查 process code（建议从列表中选择表单），并确认表单已在审批管理后台启用。',
};

const INSTANCE_NOT_FOUND: Hint = {
	en: 'The approval instance was not found: check the processInstanceId (as Start, Get Many or the trigger give it).',
	zh: '审批实例不存在：请检查 processInstanceId（可从发起、批量获取或触发器的输出中取得）。',
};

/** DingTalk's codes for an AgentId that is not one of this app's (不合法的/无效的 agentid, no such micro app). */
const AGENT_NOT_OF_APP: Hint = {
	en: "The credential's Agent ID does not belong to this app: copy the AgentId from 开发者后台 → the app → 凭证与基础信息.",
	zh: '凭证中的 Agent ID 不属于该应用：请在开发者后台 → 应用 → 凭证与基础信息 中复制 AgentId。',
};

/** OA approval (workflow) codes of the new family. */
const APPROVAL_HINTS: Record<string, Hint> = {
	processInstanceInvalidParameter: {
		en: 'DingTalk refused the originator, approvers, CC or department: check that the userids are active members, and that Originator Department is a department the originator belongs to (leave it empty to use their first department).',
		zh: '发起人、审批人、抄送人的 userid 或发起部门有误：请确认 userid 均为在职成员，且发起部门是发起人所在的部门（留空则使用其第一个部门）。',
	},
	formConverterError: {
		en: "A form value is not in the format its component takes (the component is named in the message): run Get Form Schema to see each component's format, or fill the form with Form Input: Form Fields, which writes the formats for you.",
		zh: '表单控件值格式不正确（错误信息中给出了控件名）：请用 Get Form Schema 查看各控件的值格式，或改用 Form Fields 方式填写，由节点转换格式。',
	},
	illegalComponent: {
		en: 'A form value names a component the form does not have, or one that cannot be filled: names must equal the component labels (a date range goes under its start label); run Get Form Schema to see them.',
		zh: '表单值中的控件名称不存在或不可填写：name 必须与控件标题一致（时间区间使用开始时间的标题）；可用 Get Form Schema 查看。',
	},
	targetSelectApproverMissing: {
		en: "The form's flow has approver nodes the originator chooses (发起人自选): add them under Self-Select Approvers (node name or actorKey, and approver IDs).",
		zh: '该表单的审批流程包含发起人自选审批人节点：请在 Self-Select Approvers 中填写节点名称（或 actorKey）及审批人。',
	},
	targetSelectApproverScopeError: {
		en: "A self-selected approver is outside the members the node allows: choose approvers from the node's range (see the flow in the OA admin console).",
		zh: '自选审批人不在该节点允许的范围内：请从节点规定的人员范围中选择（见审批管理后台中的流程设置）。',
	},
	processCodeError: FORM_NOT_FOUND,
	formNotExist: FORM_NOT_FOUND,
	aflowProcessCodeIsError: FORM_NOT_FOUND,
	processInstanceNotExist: INSTANCE_NOT_FOUND,
	aflowProcessInstNotExist: INSTANCE_NOT_FOUND,
	processInstanceIdError: INSTANCE_NOT_FOUND,
	aflowProcessInstStatusException: {
		en: 'DingTalk cannot end this approval now: only running approvals can be terminated, not within 15 seconds of being started, and only if the form allows withdrawing (OA admin console → the form → 高级设置 → 撤销/修改审批单).',
		zh: '当前无法撤销该审批：只能撤销审批中的实例，发起后15秒内不能撤销，且表单需在审批管理后台 → 高级设置 → 撤销/修改审批单 中允许撤销。',
	},
	invalidEndTime: {
		en: 'DingTalk refused the time range: one query covers at most 120 days (the node cuts longer ranges itself) and starts within the last 365 days (5 years with OA premium).',
		zh: '时间范围不合法：单次查询最多 120 天（节点会自动切分更长的范围），且开始时间须在最近 365 天内（OA 高级版为 5 年）。',
	},
	invalidAgentId: {
		en: "DingTalk does not know the credential's Agent ID for this app: copy the AgentId again from 开发者后台 → the app → 凭证与基础信息.",
		zh: '凭证中的 AgentId 无效：请在开发者后台 → 应用 → 凭证与基础信息 中重新复制 AgentId。',
	},
};

/**
 * Hints by the code either family gives (old errcode as a string, or the new family's `code`). Both names of one
 * failure point at the same hint.
 */
const HINTS: Record<string, Hint> = {
	invalidClientIdOrSecret: {
		en: 'Client ID or Client Secret is wrong: copy both again from the developer console (开发者后台 → the app → 凭证与基础信息).',
		zh: 'Client ID 或 Client Secret 错误：请在开发者后台 → 应用 → 凭证与基础信息 中重新复制。',
	},
	'40089': {
		en: 'Client ID or Client Secret is wrong: copy both again from the developer console (开发者后台 → the app → 凭证与基础信息).',
		zh: 'Client ID 或 Client Secret 错误：请在开发者后台 → 应用 → 凭证与基础信息 中重新复制。',
	},
	'40096': {
		en: 'Client ID (AppKey) or Client Secret is wrong: copy both again from the developer console (开发者后台 → the app → 凭证与基础信息).',
		zh: 'AppKey 或 AppSecret 错误：请在开发者后台 → 应用 → 凭证与基础信息 中重新复制。',
	},
	InvalidAuthentication: {
		en: 'The access token was rejected even after a refresh: check that no other system resets the Client Secret.',
		zh: 'access_token 无效（已自动刷新仍失败）：请检查是否有其他系统重置了 Client Secret。',
	},
	'40014': {
		en: 'The access token was rejected even after a refresh: check that no other system resets the Client Secret.',
		zh: 'access_token 无效（已自动刷新仍失败）：请检查是否有其他系统重置了 Client Secret。',
	},
	'60011': {
		en: 'The app lacks the API permission for this call: open the developer console → the app → 权限管理 and grant the permission named here, then try again.',
		zh: '应用没有调用该接口的权限：请在开发者后台 → 应用 → 权限管理 中申请此处提到的权限后重试。',
	},
	'Forbidden.AccessDenied.AccessTokenPermissionDenied': {
		en: 'The app lacks the API permission for this call: open the developer console → the app → 权限管理 and grant the permission named here, then try again.',
		zh: '应用没有调用该接口的权限：请在开发者后台 → 应用 → 权限管理 中申请此处提到的权限后重试。',
	},
	'60020': {
		en: "n8n's IP is not in the app's server IP whitelist (服务器出口IP): add it under 开发者后台 → the app → 安全设置, or set the credential's API hosts to a relay proxy whose IP is listed.",
		zh: 'n8n 的出口 IP 不在应用的服务器出口IP白名单中：请在开发者后台 → 应用 → 安全设置 中添加，或把凭证的 API 地址设为白名单内的转发代理。',
	},
	'Forbidden.AccessDenied.IpNotInWhiteList': {
		en: "n8n's IP is not in the app's server IP whitelist (服务器出口IP): add it under 开发者后台 → the app → 安全设置, or set the credential's API hosts to a relay proxy whose IP is listed.",
		zh: 'n8n 的出口 IP 不在应用的服务器出口IP白名单中：请在开发者后台 → 应用 → 安全设置 中添加，或把凭证的 API 地址设为白名单内的转发代理。',
	},
	'90018': {
		en: 'Too many calls per second for this API (DingTalk allows about 20 per app per API): the call was retried and is still throttled; spread the calls out.',
		zh: '接口调用频率超限（每个应用每个接口约 20 次/秒）：已重试仍被限流，请降低调用频率。',
	},
	'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi': {
		en: 'Too many calls per second for this API (DingTalk allows about 20 per app per API): the call was retried and is still throttled; spread the calls out.',
		zh: '接口调用频率超限（每个应用每个接口约 20 次/秒）：已重试仍被限流，请降低调用频率。',
	},
	'90002': {
		en: "DingTalk's global rate limit for this API was hit (busy at the top of the hour): try again in a minute.",
		zh: '触发该接口的全局限流（整点前后较常见）：请稍后重试。',
	},
	'Forbidden.AccessDenied.QpsLimitForApi': {
		en: "DingTalk's global rate limit for this API was hit (busy at the top of the hour): try again in a minute.",
		zh: '触发该接口的全局限流（整点前后较常见）：请稍后重试。',
	},
	'90020': {
		en: "The organisation's monthly API quota is used up (免费额度): wait for next month or raise the quota in the admin console.",
		zh: '企业本月的接口调用额度已用完：请等待下月或在管理后台提升额度。',
	},
	'Forbidden.AccessDenied.ApiCountLimitForOrg': {
		en: "The organisation's monthly API quota is used up (免费额度): wait for next month or raise the quota in the admin console.",
		zh: '企业本月的接口调用额度已用完：请等待下月或在管理后台提升额度。',
	},
	'system.busy': {
		en: 'DingTalk is busy: the call was retried and DingTalk is still busy; try again shortly.',
		zh: '钉钉系统繁忙：已重试仍失败，请稍后再试。',
	},
	'40078': {
		en: 'The login code (免登码) is invalid: a code works once and for 5 minutes, and only for the app whose page asked for it. Have the page get a new code (dd.runtime.permission.requestAuthCode) and use it at once.',
		zh: '免登授权码无效：授权码只能使用一次、5 分钟内有效，且只对获取它的应用有效。请让页面重新获取授权码并立即使用。',
	},
	'60121': {
		en: 'The user was not found: check the userid (the staff ID, not the name or mobile).',
		zh: '找不到该用户：请检查 userid（员工 ID，不是姓名或手机号）。',
	},
	'60003': {
		en: 'The department was not found: check the department ID (the root department is 1).',
		zh: '部门不存在：请检查部门 ID（根部门为 1）。',
	},
	'40035': {
		en: 'A parameter is missing or invalid: check the fields named in the message.',
		zh: '参数缺失或不合法：请检查错误信息中提到的字段。',
	},
	'400002': {
		en: 'A parameter is missing or invalid: check the fields named in the message.',
		zh: '参数缺失或不合法：请检查错误信息中提到的字段。',
	},
	'33012': {
		en: 'Invalid userid: check the recipients are staff IDs of this organisation.',
		zh: '无效的 userid：请检查接收人是否为本企业的员工 ID。',
	},
	'40004': {
		en: 'DingTalk did not accept the media type: use image, voice, video or file.',
		zh: '不支持的媒体文件类型：请使用 image、voice、video 或 file。',
	},
	'40005': {
		en: 'DingTalk did not accept the file format for this media type: image jpg/gif/png/bmp, voice amr/mp3/wav, video mp4, file doc/docx/xls/xlsx/ppt/pptx/zip/pdf/rar.',
		zh: '文件格式不被接受：图片 jpg/gif/png/bmp，语音 amr/mp3/wav，视频 mp4，文件 doc/docx/xls/xlsx/ppt/pptx/zip/pdf/rar。',
	},
	'40006': {
		en: 'DingTalk did not accept the file size: images, videos and files up to 20 MB, voice up to 2 MB.',
		zh: '文件大小不被接受：图片、视频、文件不超过 20 MB，语音不超过 2 MB。',
	},
	'40007': {
		en: 'The media_id is unknown to DingTalk, or of another type than the message: upload the file again with Media → Upload.',
		zh: 'media_id 无效或类型与消息不符：请用 Media → Upload 重新上传文件。',
	},
	'40056': AGENT_NOT_OF_APP,
	'52019': AGENT_NOT_OF_APP,
	'70003': AGENT_NOT_OF_APP,
	'70004': AGENT_NOT_OF_APP,
	'invalidParameter.robotCode.notExsit': {
		en: "No robot with this robotCode: enable the robot of the app (开发者后台 → the app → 机器人), and leave the credential's Robot Code empty to use the Client ID.",
		zh: '机器人不存在：请在开发者后台 → 应用 → 机器人 中启用并发布机器人；凭证中的 Robot Code 留空即使用 Client ID。',
	},
	'invalid.openConversationId': {
		en: "The group chat is unknown, or the app's robot is not in it: add the robot to the group (群设置 → 机器人) and use the group's openConversationId.",
		zh: '群会话无效或应用机器人不在群内：请先在群设置 → 机器人 中添加该机器人，并使用该群的 openConversationId。',
	},
	...APPROVAL_HINTS,
};

/** The codes that have a hint, and the hint in both languages (for the credential test's rules). */
export function dingTalkHints(): Array<[code: string, hint: Hint]> {
	return Object.entries(HINTS);
}

/** The permission a 60011/AccessTokenPermissionDenied answer names, wherever the family puts it. */
function requiredPermission(answer: IDataObject, message: string): string | undefined {
	const detail = answer.accessdenieddetail as IDataObject | undefined;
	const scopes = detail?.requiredScopes;
	if (Array.isArray(scopes) && scopes.length) return scopes.map(String).join(', ');
	const match = /(?:requiredScopes|权限点|scope)[^A-Za-z_.]*([A-Za-z][\w.]+)/i.exec(message);
	return match?.[1];
}

export interface DescribedError {
	message: string;
	description: string;
	/** The Chinese hint (with the permission to grant), when the code has one. */
	zh?: string;
}

/**
 * One description of a DingTalk refusal from either family: `code` is the old errcode (as a string) or the new
 * family's code. The request id goes into the description so support can trace the call.
 */
export function describeDingTalkError(
	code: string,
	rawMessage: string,
	answer: IDataObject,
	requestId?: string,
): DescribedError {
	const hint = HINTS[code];
	const cleaned = rawMessage.trim() || 'no message';
	const permission =
		code === '60011' || code === 'Forbidden.AccessDenied.AccessTokenPermissionDenied'
			? requiredPermission(answer, cleaned)
			: undefined;
	const permissionText = permission ? ` Permission to grant: ${permission}.` : '';
	const message = hint
		? `${hint.en}${permissionText} (DingTalk ${code}: ${cleaned})`
		: `DingTalk error ${code}: ${cleaned}`;
	const zh = hint ? `${hint.zh}${permission ? ` 需要的权限：${permission}。` : ''}` : undefined;
	const lines = hint
		? [`${hint.en}${permissionText}`, zh, `DingTalk code ${code}: ${cleaned}`]
		: [`DingTalk code ${code}: ${cleaned}`];
	if (requestId) lines.push(`Request ID: ${requestId}`);
	return { message, description: lines.join('\n'), zh };
}
