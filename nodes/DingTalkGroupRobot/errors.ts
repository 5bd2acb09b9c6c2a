interface Hint {
	en: string;
	zh: string;
}

/** errcode of a refused security check: keyword, signature, timestamp or IP (errmsg says which). */
export const SECURITY_REFUSED = 310000;

/**
 * Refusals for sending too fast: 130101 "send too fast, exceed 20 times per minute" (field reports), and 410100
 * "发送速度太快而限流" which newer error tables list for the same (unverified); errmsg is checked as well.
 */
export function isThrottled(errcode: number, errmsg: string): boolean {
	return errcode === 130101 || errcode === 410100 || /send too fast|发送速度太快/i.test(errmsg);
}

const TOKEN_UNKNOWN: Hint = {
	en: 'DingTalk does not know this access token: the robot was removed or the token is mistyped. Copy the Webhook again (群设置 → 机器人 → the robot) into the credential.',
	zh: 'access_token 不存在：机器人已被移除，或 token 复制有误。请在 群设置 → 机器人 → 该机器人 中重新复制 Webhook 到凭证。',
};

const HINTS: Record<number, Hint> = {
	300001: TOKEN_UNKNOWN,
	300005: TOKEN_UNKNOWN,
	130101: {
		en: 'The robot sent more than 20 messages in a minute, and DingTalk then throttles it for 10 minutes. n8n paces its own messages to that limit, so another sender (a second workflow on another n8n process, a script) is using the same robot: give it its own robot, or spread the messages out, and run again after 10 minutes.',
		zh: '机器人每分钟发送超过 20 条，钉钉会对其限流 10 分钟。n8n 已按此限制控制自身的发送节奏，说明还有其他发送方（其他 n8n 进程中的工作流、脚本等）在使用同一个机器人：请为其单独添加机器人或分散发送，并在 10 分钟后重试。',
	},
	40035: {
		en: 'DingTalk could not read the message body as JSON.',
		zh: '钉钉无法解析消息体（JSON）。',
	},
};

/** The causes of 310000, told apart by errmsg (old English and newer Chinese wording). Signature before timestamp:
 * the newer signature message mentions the timestamp too. */
const SECURITY_CAUSES: Array<{ test: RegExp } & Hint> = [
	{
		test: /keyword|关键词|关键字/i,
		en: "The message contains none of the robot's custom keywords (自定义关键词): put one into the text (for markdown, link and card messages the title or text), or change the robot's security settings.",
		zh: '消息中没有机器人安全设置里的自定义关键词：请在内容中加入任一关键词（markdown、链接和卡片消息可放在标题或正文中），或修改机器人的安全设置。',
	},
	{
		test: /sign|签名/i,
		en: "The signature does not match (加签): the credential's Signing Secret differs from the robot's. Copy the SEC… secret again from the robot's security settings (安全设置 → 加签); if the robot does not use 加签, leave Signing Secret empty.",
		zh: '签名不匹配（加签）：凭证中的 Signing Secret 与机器人的不一致。请在机器人的 安全设置 → 加签 中重新复制以 SEC 开头的密钥；若机器人未启用加签，请将 Signing Secret 留空。',
	},
	{
		test: /timestamp|时间戳/i,
		en: "DingTalk refused the signature's timestamp: n8n's clock is more than an hour away from DingTalk's. Synchronise the server clock (NTP).",
		zh: '钉钉拒绝了签名的时间戳：n8n 服务器时间与钉钉相差超过 1 小时。请校准服务器时间（NTP）。',
	},
	{
		test: /\bip\b|whitelist|白名单|IP地址/i,
		en: "n8n's public IP is not in the robot's IP address range (IP地址段): add it in the robot's security settings, or send through a relay whose IP is listed (API Base URL).",
		zh: 'n8n 的公网 IP 不在机器人安全设置的 IP 地址段内：请在安全设置中添加，或通过 IP 已在列表中的转发代理发送（API Base URL）。',
	},
];

const ANY_SECURITY_CAUSE: Hint = {
	en: `DingTalk's security check refused the message. Depending on the robot's security settings (安全设置): ${SECURITY_CAUSES.map((c) => c.en).join(' Or: ')}`,
	zh: `钉钉的安全校验拒绝了该消息。请根据机器人的安全设置检查：${SECURITY_CAUSES.map((c) => c.zh).join(' 或：')}`,
};

function hintFor(errcode: number, errmsg: string): Hint | undefined {
	if (errcode === SECURITY_REFUSED) {
		return SECURITY_CAUSES.find((c) => c.test.test(errmsg)) ?? ANY_SECURITY_CAUSE;
	}
	if (isThrottled(errcode, errmsg)) return HINTS[130101];
	return HINTS[errcode];
}

/** The message (English hint + errcode) and the description (both languages + what DingTalk said). */
export function describeRobotError(
	errcode: number,
	errmsg: string,
): { message: string; description: string } {
	const hint = hintFor(errcode, errmsg);
	const said = errmsg.trim() || 'no message';
	return hint
		? {
				message: `${hint.en} (errcode ${errcode}: ${said})`,
				description: `${hint.en}\n${hint.zh}\nDingTalk errcode ${errcode}, errmsg: ${said}`,
			}
		: {
				message: `DingTalk robot error ${errcode}: ${said}`,
				description: `DingTalk errcode ${errcode}, errmsg: ${said}`,
			};
}
