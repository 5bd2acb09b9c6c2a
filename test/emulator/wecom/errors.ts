import { randomBytes } from 'node:crypto';

import { ReplyError, type Reply } from '../types';

/**
 * WeCom errcodes the emulator answers with. Codes marked "reference" are listed in the project's
 * reference notes; "global list" ones come from WeCom's public global error-code table; the rest
 * are choices for cases the sources do not pin down, kept plausible (nodes branch on the token
 * and throttling codes only, and surface errmsg for the rest).
 */
export const WeComErr = {
	/** global list: -1 system busy */
	systemBusy: -1,
	/** reference */
	invalidSecret: 40001,
	/** global list: 无效的UserID */
	invalidUserId: 40003,
	/** global list: 不合法的媒体文件类型 (extension/format not allowed for the type) */
	invalidMediaFileType: 40004,
	/** global list: 不合法的type参数 */
	invalidType: 40005,
	/** global list: 不合法的文件大小 (also: <= 5 bytes, voice over 2 MB, file over 20 MB) */
	invalidFileSize: 40006,
	/** global list: 不合法的media_id参数 (unknown, expired, or of another type) */
	invalidMediaId: 40007,
	/** global list: 不合法的msgtype参数 */
	invalidMsgType: 40008,
	/** global list: 上传图片大小不是有效值 */
	invalidImageSize: 40009,
	/** global list: 上传视频大小不是有效值 */
	invalidVideoSize: 40011,
	/** reference */
	invalidCorpId: 40013,
	/** global list: 不合法的oauth_code (a login code unknown, used already or expired) */
	invalidCode: 40029,
	/** reference */
	invalidToken: 40014,
	/** reference */
	invalidAgentId: 40056,
	/** reference: bad parameter. Used where no dedicated code is known (recipient limits, card fields,
	 * unknown msgid on recall, duplicate task_id). */
	invalidParameter: 40058,
	/** global list: 不合法的标签ID */
	invalidTagId: 40068,
	/** reference */
	tokenMissing: 41001,
	/** reference */
	corpIdMissing: 41002,
	/** reference */
	secretMissing: 41004,
	/** global list */
	mediaIdMissing: 41006,
	/** global list */
	userIdMissing: 41009,
	/** global list */
	urlMissing: 41010,
	/** global list */
	agentIdMissing: 41011,
	/** global list */
	titleMissing: 41016,
	/** global list */
	tagIdMissing: 41017,
	/** global list */
	descriptionMissing: 41033,
	/** reference */
	tokenExpired: 42001,
	/** global list: 任务卡片消息的task_id不合法 (missing or malformed) */
	invalidTaskId: 42014,
	/** global list: 多媒体文件为空 (no `media` part) */
	emptyMedia: 44001,
	/** global list: 文本消息content参数为空 */
	emptyContent: 44004,
	/** global list: 消息内容大小超过限制 (also used for over-long card titles/descriptions) */
	contentTooLong: 45002,
	/** global list: 图文消息的文章数量不符合系统限制 */
	articleCount: 45008,
	/** reference */
	rateLimited: 45009,
	/** reference */
	userNotExist: 46004,
	/** global list: 数据格式错误 (body is not JSON) */
	dataFormatError: 47001,
	/** global list: 分页查询的游标无效 */
	invalidCursor: 50100,
	/** reference */
	noPermission: 60011,
	/** global list: 手机号码不合法 */
	invalidMobile: 60103,
	/** reference */
	userIdNotFound: 60111,
	/** global list: 无效的部门id */
	invalidDepartmentId: 60123,
	/** reference */
	allRecipientsInvalid: 81013,
	/** appchat codes (recollection of WeCom's table; unverified) */
	invalidChatId: 86001,
	chatNotFound: 86003,
	invalidChatName: 86004,
	invalidChatOwner: 86005,
	chatMemberCount: 86006,
	chatIdExists: 86215,
	invalidChatMember: 86216,
	/** group robot webhook: unknown or missing key ("invalid webhook url"; field reports) */
	invalidWebhookKey: 93000,
	/** Approval (OA) parameter errors: the reference names no code, so all of them (31-day span,
	 * unknown template, bad contents, ...) answer 301025 with an errmsg that names the problem. */
	approvalParameter: 301025,
} as const;

const ERRMSG: Readonly<Record<number, string>> = {
	[-1]: 'system busy',
	40001: 'invalid credential',
	40003: 'invalid userid',
	40004: 'invalid media type',
	40005: 'invalid type',
	40006: 'invalid file size',
	40007: 'invalid media_id',
	40008: 'invalid message type',
	40009: 'invalid image size',
	40011: 'invalid video size',
	40013: 'invalid corpid',
	40029: 'invalid code',
	40014: 'invalid access_token',
	40056: 'invalid agentid',
	40058: 'invalid Request Parameter',
	40068: 'invalid tagid',
	41001: 'access_token missing',
	41002: 'corpid missing',
	41004: 'corpsecret missing',
	41006: 'media_id missing',
	41009: 'missing userid',
	41010: 'url missing',
	41011: 'agentid missing',
	41016: 'title missing',
	41017: 'missing tagid',
	41033: 'description missing',
	42001: 'access_token expired',
	42014: 'invalid task_id',
	44001: 'empty media data',
	44004: 'empty content',
	45002: 'content size out of limit',
	45008: 'article size out of limit',
	45009: 'api freq out of limit',
	46004: 'user not exist',
	47001: 'data format error',
	50100: 'invalid cursor',
	60011: 'no privilege to access/modify contact/party/agent',
	60103: 'invalid mobile',
	60111: 'userid not found',
	60123: 'invalid party id',
	81013: 'user & party & tag all invalid',
	86001: 'invalid chatid',
	86003: 'chatid not exist',
	86004: 'invalid chat name',
	86005: 'invalid chat owner',
	86006: 'invalid chat member count',
	86215: 'chatid already exists',
	86216: 'invalid chat member',
	93000: 'invalid webhook url',
	301025: 'invalid approval parameter',
};

/** errmsg shaped like WeCom's: text, a request hint, the caller's IP and the lookup link. */
export function wecomErrmsg(errcode: number, detail?: string): string {
	const text = ERRMSG[errcode] ?? 'error';
	const hint = `${Math.floor(Date.now() / 1000)}_${randomBytes(16).toString('hex')}`;
	const what = detail ? `${text}: ${detail}` : text;
	return `${what}, hint: [${hint}], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`;
}

export function wecomErrorReply(errcode: number, detail?: string, extra?: object): Reply {
	return { json: { errcode, errmsg: wecomErrmsg(errcode, detail), ...extra } };
}

/** For validators: `throw wecomError(WeComErr.invalidParameter, 'touser over 1000')`. */
export function wecomError(errcode: number, detail?: string, extra?: object): ReplyError {
	return new ReplyError(wecomErrorReply(errcode, detail, extra));
}

export function wecomOk(data: object = {}): Reply {
	return { json: { errcode: 0, errmsg: 'ok', ...data } };
}
