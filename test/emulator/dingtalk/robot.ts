import { randomBytes } from 'node:crypto';

import type { Route } from '../types';
import { bodyOf, isRecord, nonEmptyString } from '../util';
import { newApiError, newApiOk } from './errors';
import { mediaOfType } from './media';
import type { RobotMessageRecord } from './messaging';
import type { DingTalkState } from './state';

// The app's own robot (new family): one-to-one batch send (<= 20 users), group send, and both recalls (<= 20 keys,
// 24 hours). Codes seen in DingTalk's robot pages: invalidParameter.robotCode.missing,
// invalidParameter.robotCode.notExsit (sic), invalid.openConversationId, invalid.processQueryKey. The others
// (invalidParameter.userIds.invalid, invalidParameter.msgKey.invalid, invalidParameter.msgParam.invalid,
// invalidParameter.processQueryKeys.invalid) are chosen here.

const MAX_USERS = 20;
const MAX_RECALL_KEYS = 20;
const RECALL_WINDOW_MS = 24 * 3600 * 1000;

function invalid(code: string, message: string) {
	return newApiError(400, code, message);
}

function badParam(message: string) {
	return invalid('invalidParameter.msgParam.invalid', message);
}

function requireText(param: Record<string, unknown>, key: string, msgKey: string): void {
	if (!nonEmptyString(param[key]) || param[key].trim() === '') {
		throw badParam(`${msgKey} needs ${key}`);
	}
}

/** msgParam per msgKey, as the robot message types page describes them. */
function checkMsgParam(
	state: DingTalkState,
	msgKey: unknown,
	raw: unknown,
): Record<string, unknown> {
	if (typeof msgKey !== 'string' || msgKey === '') {
		throw invalid('invalidParameter.msgKey.invalid', 'msgKey is required');
	}
	if (typeof raw !== 'string') throw badParam('msgParam must be a JSON string');
	let param: unknown;
	try {
		param = JSON.parse(raw);
	} catch {
		throw badParam('msgParam is not valid JSON');
	}
	if (!isRecord(param)) throw badParam('msgParam must be a JSON object');
	const cards = /^sampleActionCard([2-5])$/.exec(msgKey);
	if (cards) {
		requireText(param, 'title', msgKey);
		requireText(param, 'text', msgKey);
		for (let i = 1; i <= Number(cards[1]); i++) {
			requireText(param, `actionTitle${i}`, msgKey);
			requireText(param, `actionURL${i}`, msgKey);
		}
		return param;
	}
	switch (msgKey) {
		case 'sampleText':
			requireText(param, 'content', msgKey);
			break;
		case 'sampleMarkdown':
			requireText(param, 'title', msgKey);
			requireText(param, 'text', msgKey);
			break;
		case 'sampleImageMsg': {
			requireText(param, 'photoURL', msgKey);
			const photo = String(param.photoURL);
			if (!/^https?:\/\//.test(photo) && !mediaOfType(state, photo, 'image')) {
				throw badParam('sampleImageMsg.photoURL is neither a URL nor the media_id of an image');
			}
			break;
		}
		case 'sampleLink':
			for (const key of ['text', 'title', 'messageUrl']) requireText(param, key, msgKey);
			break;
		case 'sampleActionCard':
			for (const key of ['title', 'text', 'singleTitle', 'singleURL'])
				requireText(param, key, msgKey);
			break;
		case 'sampleFile':
			for (const key of ['mediaId', 'fileName', 'fileType']) requireText(param, key, msgKey);
			if (!mediaOfType(state, param.mediaId, 'file')) {
				throw badParam('sampleFile.mediaId is not the media_id of an uploaded file');
			}
			break;
		default:
			throw invalid('invalidParameter.msgKey.invalid', `unknown msgKey ${msgKey}`);
	}
	return param;
}

function checkRobot(state: DingTalkState, robotCode: unknown): string {
	if (!nonEmptyString(robotCode)) {
		throw invalid('invalidParameter.robotCode.missing', '缺少robotCode');
	}
	if (robotCode !== state.app.appKey) {
		throw invalid('invalidParameter.robotCode.notExsit', '机器人不存在');
	}
	return robotCode;
}

function robotGroup(state: DingTalkState, openConversationId: unknown, robotCode: string) {
	const group = state.messaging.groups.find((g) => g.openConversationId === openConversationId);
	if (!group || !group.robotCodes.includes(robotCode)) {
		throw invalid(
			'invalid.openConversationId',
			group ? '机器人不在该群中' : '无效的openConversationId',
		);
	}
	return group;
}

function record(
	state: DingTalkState,
	now: number,
	fields: Omit<RobotMessageRecord, 'processQueryKey' | 'sentAt' | 'recalled'>,
): RobotMessageRecord {
	const message: RobotMessageRecord = {
		...fields,
		processQueryKey: randomBytes(24).toString('base64'),
		sentAt: now,
		recalled: false,
	};
	state.messaging.robotMessages.push(message);
	return message;
}

function recallKeys(body: Record<string, unknown>): string[] {
	const keys = body.processQueryKeys;
	if (!Array.isArray(keys) || keys.length === 0 || !keys.every(nonEmptyString)) {
		throw invalid('invalidParameter.processQueryKeys.invalid', 'processQueryKeys is required');
	}
	if (keys.length > MAX_RECALL_KEYS) {
		throw invalid(
			'invalidParameter.processQueryKeys.invalid',
			`processQueryKeys lists ${keys.length}, at most ${MAX_RECALL_KEYS}`,
		);
	}
	return keys;
}

/** Recalls what it can: `successResult` lists the keys recalled, `failedResult` says why the others were not. */
function recall(
	state: DingTalkState,
	now: number,
	keys: string[],
	belongs: (m: RobotMessageRecord) => boolean,
) {
	const successResult: string[] = [];
	const failedResult: Record<string, string> = {};
	for (const key of keys) {
		const message = state.messaging.robotMessages.find(
			(m) => m.processQueryKey === key && belongs(m),
		);
		if (!message) failedResult[key] = 'message not found';
		else if (message.recalled) failedResult[key] = 'message already recalled';
		else if (now - message.sentAt > RECALL_WINDOW_MS) failedResult[key] = 'recall time exceeded';
		else {
			message.recalled = true;
			successResult.push(key);
		}
	}
	return newApiOk({ successResult, failedResult });
}

export const robotRoutes: Route<DingTalkState>[] = [
	{
		method: 'POST',
		path: '/v1.0/robot/oToMessages/batchSend',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			const { state } = ctx;
			const robotCode = checkRobot(state, body.robotCode);
			const userIds = body.userIds;
			if (!Array.isArray(userIds) || userIds.length === 0 || !userIds.every(nonEmptyString)) {
				throw invalid('invalidParameter.userIds.invalid', 'userIds must be a non-empty array');
			}
			if (userIds.length > MAX_USERS) {
				throw invalid(
					'invalidParameter.userIds.invalid',
					`userIds lists ${userIds.length}, at most ${MAX_USERS}`,
				);
			}
			const msgParam = checkMsgParam(state, body.msgKey, body.msgParam);
			const invalidStaffIdList = userIds.filter(
				(id) => !state.users.some((u) => u.userid === id && u.active),
			);
			const flowControlledStaffIdList = userIds.filter(
				(id) => !invalidStaffIdList.includes(id) && state.messaging.flowControlledUsers.has(id),
			);
			const reached = userIds.filter(
				(id) => !invalidStaffIdList.includes(id) && !flowControlledStaffIdList.includes(id),
			);
			const message = record(state, ctx.now(), {
				robotCode,
				msgKey: String(body.msgKey),
				msgParam,
				userIds: reached,
			});
			return newApiOk({
				processQueryKey: message.processQueryKey,
				invalidStaffIdList,
				flowControlledStaffIdList,
			});
		},
	},
	{
		method: 'POST',
		path: '/v1.0/robot/groupMessages/send',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			const { state } = ctx;
			const robotCode = checkRobot(state, body.robotCode);
			const group = robotGroup(state, body.openConversationId, robotCode);
			const msgParam = checkMsgParam(state, body.msgKey, body.msgParam);
			const message = record(state, ctx.now(), {
				robotCode,
				msgKey: String(body.msgKey),
				msgParam,
				openConversationId: group.openConversationId,
			});
			return newApiOk({ processQueryKey: message.processQueryKey });
		},
	},
	{
		method: 'POST',
		path: '/v1.0/robot/otoMessages/batchRecall',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			const robotCode = checkRobot(ctx.state, body.robotCode);
			const keys = recallKeys(body);
			return recall(
				ctx.state,
				ctx.now(),
				keys,
				(m) => m.robotCode === robotCode && m.userIds !== undefined,
			);
		},
	},
	{
		method: 'POST',
		path: '/v1.0/robot/groupMessages/recall',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			const robotCode = checkRobot(ctx.state, body.robotCode);
			const group = robotGroup(ctx.state, body.openConversationId, robotCode);
			const keys = recallKeys(body);
			return recall(
				ctx.state,
				ctx.now(),
				keys,
				(m) => m.robotCode === robotCode && m.openConversationId === group.openConversationId,
			);
		},
	},
];
