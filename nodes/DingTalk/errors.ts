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
};

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
