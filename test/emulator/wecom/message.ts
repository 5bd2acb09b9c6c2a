import { randomBytes } from 'node:crypto';

import type { Route } from '../types';
import { bodyOf, nonEmptyString, splitIds } from '../util';
import { WeComErr, wecomError, wecomErrorReply, wecomOk } from './errors';
import {
	APP_MESSAGE_TYPES,
	INTERACTION_CARD_TYPES,
	validateMessageContent,
} from './messageContent';
import { findDepartment, findTag, findUser, isReachable, nextId, type WeComState } from './state';

const MAX_USERS = 1000;
const MAX_PARTIES = 100;
const MAX_TAGS = 100;
const MAX_DUPLICATE_INTERVAL = 14400;
const RECALL_WINDOW_MS = 24 * 3600 * 1000;

function bad(detail: string) {
	return wecomError(WeComErr.invalidParameter, detail);
}

export function checkAgentId(state: WeComState, agentid: unknown): void {
	if (agentid === undefined || agentid === null || agentid === '') {
		throw wecomError(WeComErr.agentIdMissing);
	}
	if (typeof agentid !== 'number' || !Number.isInteger(agentid)) {
		throw wecomError(WeComErr.invalidAgentId, 'agentid must be an integer');
	}
	if (agentid !== state.app.agentId) {
		throw wecomError(WeComErr.invalidAgentId, `agentid ${agentid} is not this app`);
	}
}

interface Recipients {
	users: string[];
	parties: number[];
	tags: number[];
	invalid: { user: string[]; party: string[]; tag: string[] };
}

function resolveRecipients(state: WeComState, body: Record<string, unknown>): Recipients {
	for (const key of ['touser', 'toparty', 'totag']) {
		if (body[key] !== undefined && typeof body[key] !== 'string') {
			throw bad(`${key} must be a '|'-joined string`);
		}
	}
	const toUser = splitIds(body.touser);
	const toParty = splitIds(body.toparty);
	const toTag = splitIds(body.totag);
	if (toUser.length === 0 && toParty.length === 0 && toTag.length === 0) {
		throw bad('touser, toparty and totag are all empty');
	}
	if (toUser.length > MAX_USERS) {
		throw bad(`touser lists ${toUser.length} members, at most ${MAX_USERS}`);
	}
	if (toParty.length > MAX_PARTIES) {
		throw bad(`toparty lists ${toParty.length} departments, at most ${MAX_PARTIES}`);
	}
	if (toTag.length > MAX_TAGS) {
		throw bad(`totag lists ${toTag.length} tags, at most ${MAX_TAGS}`);
	}
	const result: Recipients = {
		users: [],
		parties: [],
		tags: [],
		invalid: { user: [], party: [], tag: [] },
	};
	if (body.touser === '@all') {
		result.users = state.users.filter(isReachable).map((u) => u.userid);
	} else {
		for (const id of new Set(toUser)) {
			(isReachable(findUser(state, id)) ? result.users : result.invalid.user).push(id);
		}
	}
	for (const id of new Set(toParty)) {
		const dept = findDepartment(state, id);
		if (dept) {
			result.parties.push(dept.id);
		} else {
			result.invalid.party.push(id);
		}
	}
	for (const id of new Set(toTag)) {
		const tag = findTag(state, id);
		if (tag) {
			result.tags.push(tag.tagid);
		} else {
			result.invalid.tag.push(id);
		}
	}
	return result;
}

function invalidFields(r: Recipients): Record<string, string> {
	const fields: Record<string, string> = {};
	if (r.invalid.user.length > 0) {
		fields.invaliduser = r.invalid.user.join('|');
	}
	if (r.invalid.party.length > 0) {
		fields.invalidparty = r.invalid.party.join('|');
	}
	if (r.invalid.tag.length > 0) {
		fields.invalidtag = r.invalid.tag.join('|');
	}
	return fields;
}

function checkOptions(body: Record<string, unknown>): void {
	for (const key of ['enable_id_trans', 'enable_duplicate_check']) {
		if (body[key] !== undefined && body[key] !== 0 && body[key] !== 1) {
			throw bad(`${key} must be 0 or 1`);
		}
	}
	const interval = body.duplicate_check_interval;
	if (
		interval !== undefined &&
		(typeof interval !== 'number' ||
			!Number.isInteger(interval) ||
			interval < 1 ||
			interval > MAX_DUPLICATE_INTERVAL)
	) {
		throw bad(`duplicate_check_interval must be 1 to ${MAX_DUPLICATE_INTERVAL} seconds`);
	}
}

export const messageRoutes: Route<WeComState>[] = [
	{
		method: 'POST',
		path: '/cgi-bin/message/send',
		handle(req, ctx) {
			const { state } = ctx;
			const body = bodyOf(req.body);
			checkAgentId(state, body.agentid);
			const msgtype = validateMessageContent(state, ctx.now(), body, APP_MESSAGE_TYPES);
			checkOptions(body);
			const recipients = resolveRecipients(state, body);
			const invalid = invalidFields(recipients);
			if (recipients.users.length + recipients.parties.length + recipients.tags.length === 0) {
				return wecomErrorReply(WeComErr.allRecipientsInvalid, undefined, invalid);
			}
			const msgid = `${nextId(state, 'emuMsg')}${randomBytes(12).toString('base64url')}`;
			const card = msgtype === 'template_card' ? bodyOf(body.template_card) : undefined;
			if (card && typeof card.task_id === 'string') {
				state.taskIds.add(card.task_id);
			}
			state.messages.push({
				msgid,
				channel: 'app',
				msgtype,
				payload: body,
				recipients: { users: recipients.users, parties: recipients.parties, tags: recipients.tags },
				sentAt: ctx.now(),
				recalled: false,
			});
			const interactive = card && INTERACTION_CARD_TYPES.includes(String(card.card_type));
			return wecomOk({
				...invalid,
				msgid,
				...(interactive ? { response_code: randomBytes(24).toString('base64url') } : {}),
			});
		},
	},
	{
		method: 'POST',
		path: '/cgi-bin/message/recall',
		handle(req, ctx) {
			const { msgid } = bodyOf(req.body);
			if (!nonEmptyString(msgid)) {
				throw bad('msgid missing');
			}
			// WeCom's code for an unknown or stale msgid is not in the reference: 40058 with the reason.
			const message = ctx.state.messages.find((m) => m.msgid === msgid);
			if (!message) {
				throw bad('invalid msgid');
			}
			if (message.recalled) {
				throw bad('message already recalled');
			}
			if (ctx.now() - message.sentAt > RECALL_WINDOW_MS) {
				throw bad('only messages of the last 24 hours can be recalled');
			}
			message.recalled = true;
			return wecomOk();
		},
	},
];
