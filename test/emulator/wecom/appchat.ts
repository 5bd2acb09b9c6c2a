import type { Route } from '../types';
import { bodyOf, nonEmptyString } from '../util';
import { WeComErr, wecomError, wecomOk } from './errors';
import { APPCHAT_MESSAGE_TYPES, validateMessageContent } from './messageContent';
import { findUser, isReachable, nextId, type AppChat, type WeComState } from './state';

const MIN_MEMBERS = 2;
const MAX_MEMBERS = 2000;
const MAX_NAME_CHARS = 50;
const CHAT_ID = /^[0-9a-zA-Z]{1,32}$/;

function userList(value: unknown, what: string): string[] {
	if (value === undefined) {
		return [];
	}
	if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
		throw wecomError(WeComErr.invalidParameter, `${what} must be a list of userids`);
	}
	return value as string[];
}

function checkMembersExist(state: WeComState, ids: string[]): void {
	const unknown = ids.filter((id) => !isReachable(findUser(state, id)));
	if (unknown.length > 0) {
		throw wecomError(
			WeComErr.invalidChatMember,
			`unknown or inactive members: ${unknown.join(', ')}`,
		);
	}
}

function checkMemberCount(count: number): void {
	if (count < MIN_MEMBERS || count > MAX_MEMBERS) {
		throw wecomError(
			WeComErr.chatMemberCount,
			`a chat needs ${MIN_MEMBERS} to ${MAX_MEMBERS} members, got ${count}`,
		);
	}
}

function checkName(name: unknown): void {
	if (name !== undefined && (typeof name !== 'string' || [...name].length > MAX_NAME_CHARS)) {
		throw wecomError(
			WeComErr.invalidChatName,
			`name must be a string of at most ${MAX_NAME_CHARS} characters`,
		);
	}
}

function existingChat(state: WeComState, chatid: unknown): AppChat {
	if (!nonEmptyString(chatid)) {
		throw wecomError(WeComErr.invalidChatId, 'chatid missing');
	}
	const chat = state.chats.get(chatid);
	if (!chat) {
		throw wecomError(WeComErr.chatNotFound);
	}
	return chat;
}

export const appchatRoutes: Route<WeComState>[] = [
	{
		method: 'POST',
		path: '/cgi-bin/appchat/create',
		handle(req, ctx) {
			const { state } = ctx;
			const body = bodyOf(req.body);
			checkName(body.name);
			const members = [...new Set(userList(body.userlist, 'userlist'))];
			checkMemberCount(members.length);
			checkMembersExist(state, members);
			if (
				body.owner !== undefined &&
				(typeof body.owner !== 'string' || !members.includes(body.owner))
			) {
				throw wecomError(WeComErr.invalidChatOwner, 'owner must be one of userlist');
			}
			if (
				body.chatid !== undefined &&
				(typeof body.chatid !== 'string' || !CHAT_ID.test(body.chatid))
			) {
				throw wecomError(WeComErr.invalidChatId, 'chatid must be 1 to 32 of [0-9a-zA-Z]');
			}
			const chatid = (body.chatid as string | undefined) ?? nextId(state, 'wremu');
			if (state.chats.has(chatid)) {
				throw wecomError(WeComErr.chatIdExists);
			}
			// Without an owner WeCom picks a member; the first one keeps tests predictable.
			const owner = (body.owner as string | undefined) ?? members[0];
			state.chats.set(chatid, {
				chatid,
				name: typeof body.name === 'string' ? body.name : '',
				owner,
				userlist: members,
				chat_type: 0,
			});
			return wecomOk({ chatid });
		},
	},
	{
		method: 'GET',
		path: '/cgi-bin/appchat/get',
		handle(req, ctx) {
			const chat = existingChat(ctx.state, req.query.chatid);
			return wecomOk({ chat_info: { ...chat, userlist: [...chat.userlist] } });
		},
	},
	{
		method: 'POST',
		path: '/cgi-bin/appchat/update',
		handle(req, ctx) {
			const { state } = ctx;
			const body = bodyOf(req.body);
			const chat = existingChat(state, body.chatid);
			checkName(body.name);
			const add = userList(body.add_user_list, 'add_user_list');
			const del = userList(body.del_user_list, 'del_user_list');
			checkMembersExist(state, add);
			const members = [...new Set([...chat.userlist, ...add])].filter((id) => !del.includes(id));
			checkMemberCount(members.length);
			const owner = body.owner ?? chat.owner;
			if (typeof owner !== 'string' || !members.includes(owner)) {
				throw wecomError(WeComErr.invalidChatOwner, 'the owner must stay a member of the chat');
			}
			chat.owner = owner;
			chat.userlist = members;
			if (typeof body.name === 'string') {
				chat.name = body.name;
			}
			return wecomOk();
		},
	},
	{
		method: 'POST',
		path: '/cgi-bin/appchat/send',
		handle(req, ctx) {
			const { state } = ctx;
			const body = bodyOf(req.body);
			const chat = existingChat(state, body.chatid);
			const msgtype = validateMessageContent(state, ctx.now(), body, APPCHAT_MESSAGE_TYPES);
			state.messages.push({
				channel: 'appchat',
				chatid: chat.chatid,
				msgtype,
				payload: body,
				recipients: { users: [...chat.userlist], parties: [], tags: [] },
				sentAt: ctx.now(),
				recalled: false,
			});
			return wecomOk();
		},
	},
];
