// WeCom's errcodes, hints and base URL: the app node (nodes/WeCom), its credential and the group robot share them.
export const WECOM_DEFAULT_BASE_URL = 'https://qyapi.weixin.qq.com';

/** errcodes that mean the access token is dead: refresh once, retry once. */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([40014, 42001, 41001]);

/** errcodes that mean "slow down": retried with back-off a bounded number of times. */
export const THROTTLE_ERRCODES: ReadonlySet<number> = new Set([45009, 45033, 45011, -1]);

export interface Hint {
	en: string;
	zh: string;
}

const HINTS: Record<number, Hint> = {
	[-1]: { en: 'WeCom is busy: try again shortly.', zh: '系统繁忙，请稍后重试。' },
	40001: {
		en: 'Invalid Secret: copy the Secret of this app again (Admin console → Apps → the app → Secret).',
		zh: 'Secret 错误：请在管理后台 → 应用管理 → 该应用中重新获取 Secret。',
	},
	40013: {
		en: 'Invalid CorpID: use the ID under My Company → Company Info (企业ID).',
		zh: 'CorpID 错误：请使用"我的企业 → 企业信息"中的企业ID。',
	},
	40014: {
		en: 'The access token was invalid; it has been refreshed. If this persists, check that no other system resets the Secret.',
		zh: 'access_token 无效，已自动刷新；如持续出现，请检查是否有其他系统重置了 Secret。',
	},
	40029: {
		en: 'The login code is invalid: a code works once and for 5 minutes, and only for the app it was issued to. Send the user through the login page again and use the new code at once.',
		zh: 'code 无效：code 只能使用一次、5 分钟内有效，且只对发起授权的应用有效。请让用户重新登录，并立即使用新的 code。',
	},
	40056: {
		en: 'Invalid AgentId: use the AgentId of the app whose Secret is in the credential.',
		zh: 'AgentId 错误：请填写与 Secret 同一应用的 AgentId。',
	},
	40058: {
		en: 'A parameter is invalid or missing: check the fields named in the message.',
		zh: '参数不合法或缺失，请检查错误信息中提到的字段。',
	},
	40007: {
		en: 'Invalid media_id: media_ids live 3 days; upload the file again.',
		zh: 'media_id 无效：临时素材仅 3 天有效，请重新上传。',
	},
	41001: {
		en: 'The access token was missing; it has been refreshed.',
		zh: '缺少 access_token，已自动刷新。',
	},
	41011: {
		en: 'Agent ID is empty: enter the AgentId of the app (Admin console → Apps → the app → AgentId) in the credential.',
		zh: 'AgentId 为空：请在凭证中填写应用的 AgentId（管理后台 → 应用管理 → 该应用）。',
	},
	42001: {
		en: 'The access token had expired; it has been refreshed.',
		zh: 'access_token 已过期，已自动刷新。',
	},
	45009: {
		en: 'API call frequency limit reached: WeCom blocks further calls for about a minute (or an hour for the hourly limit). Spread the calls out.',
		zh: '接口调用超过频率限制：将被限制约一分钟（小时限制则一小时），请降低调用频率。',
	},
	45033: {
		en: 'Too many concurrent calls: lower the concurrency of your workflows.',
		zh: '接口并发调用超过限制，请降低并发。',
	},
	46004: { en: 'The user does not exist.', zh: '用户不存在。' },
	48002: {
		en: 'The app has no permission for this API: enable it in the admin console (e.g. 审批 / 通讯录 permissions).',
		zh: '应用没有该接口权限：请在管理后台为应用开通相应权限。',
	},
	60011: {
		en: "No permission: the member or department is outside the app's visibility scope (可见范围).",
		zh: '无权限：成员或部门不在应用的可见范围内。',
	},
	60020: {
		en: "n8n's IP is not among the app's trusted IPs (企业可信IP): add it in the app's settings, or set the credential's API Base URL to a relay proxy that has a trusted IP.",
		zh: '当前 IP 不在应用的企业可信IP中：请在应用设置中添加，或把凭证的 API Base URL 设为有可信 IP 的转发代理。',
	},
	60123: {
		en: "The department does not exist (or is outside the app's visibility scope): check the department ID, e.g. with Department: Get Many.",
		zh: '部门不存在（或不在应用可见范围内）：请检查部门 ID，可用"部门：获取列表"查看。',
	},
	60111: { en: 'The userid was not found.', zh: '成员 userid 不存在。' },
	81013: {
		en: "Every recipient was invalid (unknown users, departments or tags, or outside the app's visibility scope).",
		zh: '所有接收人都无效（成员、部门或标签不存在，或不在应用可见范围内）。',
	},
	86003: {
		en: 'The group chat does not exist: check the chatid (only chats created by this app through the API can be used).',
		zh: '群聊不存在：请检查 chatid（只能使用本应用通过接口创建的群聊）。',
	},
	86006: {
		en: 'Invalid number of group members: a group chat needs 2 to 2,000 members.',
		zh: '群成员数量不合法：群聊需要 2 到 2000 名成员。',
	},
	86215: {
		en: 'A group chat with this chatid already exists: choose another chatid or leave it empty.',
		zh: '该 chatid 的群聊已存在：请换一个 chatid 或留空自动生成。',
	},
	86216: {
		en: "A member userid is invalid or outside the app's visibility scope.",
		zh: '存在非法的群成员 userid，或成员不在应用可见范围内。',
	},
	301002: {
		en: 'No permission for this member or department.',
		zh: '无权限操作该成员或部门。',
	},
	301025: {
		en: 'The time range is too long: WeCom allows at most 31 days per approval query.',
		zh: '时间跨度过长：审批查询每次最多 31 天。',
	},
};

/** Every errcode this package explains (for the credential test's rules). */
export function knownErrcodes(): number[] {
	return Object.keys(HINTS).map(Number);
}

/** The English hint of a known errcode with the code, e.g. "Invalid Secret: … (errcode 40001)". */
export function hintMessage(errcode: number): string {
	const hint = HINTS[errcode];
	return hint ? `${hint.en} (errcode ${errcode})` : `WeCom error ${errcode}`;
}

/** WeCom's errmsg carries a doc link and a request id; keep only the human part. */
function cleanErrmsg(errmsg: string): string {
	return errmsg
		.replace(/,?\s*hint:\s*\[[^\]]*\]/i, '')
		.replace(/,?\s*(from ip|more info at)[\s\S]*$/i, '')
		.trim();
}

/** `hints` replace this file's for the codes they name (the group robot reads some codes differently). */
export function describeWeComError(
	errcode: number,
	errmsg: string,
	hints: Record<number, Hint> = {},
): { message: string; description: string } {
	const hint = hints[errcode] ?? HINTS[errcode];
	const cleaned = cleanErrmsg(errmsg) || 'no message';
	const message = hint
		? `${hint.en} (errcode ${errcode}: ${cleaned})`
		: `WeCom error ${errcode}: ${cleaned}`;
	const description = hint
		? `${hint.en}\n${hint.zh}\nWeCom errcode ${errcode}, errmsg: ${cleaned}`
		: `WeCom errcode ${errcode}, errmsg: ${cleaned}. Look it up at https://developer.work.weixin.qq.com/devtool/query?e=${errcode}`;
	return { message, description };
}

export function weComBaseUrl(raw: unknown): string {
	const value = typeof raw === 'string' ? raw.trim() : '';
	return (value || WECOM_DEFAULT_BASE_URL).replace(/\/+$/, '');
}
