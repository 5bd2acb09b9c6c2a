import type { Route } from '../types';
import { bodyOf, isRecord, nonEmptyString } from '../util';
import { oldApiError, oldApiOk } from './errors';
import { mediaOfType } from './media';
import { chinaDay, type WorkNotificationTask } from './messaging';
import type { DingTalkState } from './state';

// Work notifications (工作通知), old family. Limits from the reference: userid_list <= 100, dept_id_list <= 20, msg at
// most 2,048 bytes; the same content to the same user once a day and 500 a day per user are accepted but not
// delivered. Errcodes the reference does not give are chosen: 40035 for every bad or missing parameter (with the
// reason in errmsg), 40056 for an agent_id of another app, 40007 for an unknown media_id; forbidden_list codes 143106
// (repeat of the same content that day) and 143105 (over the daily limit) follow DingTalk's published result codes as
// far as they could be checked (unverified).

const MAX_USERS = 100;
const MAX_DEPTS = 20;
const MAX_MSG_BYTES = 2048;
const DAILY_LIMIT = 500;
const RECALL_WINDOW_MS = 24 * 3600 * 1000;
export const FORBIDDEN_REPEAT = '143106';
export const FORBIDDEN_DAILY_LIMIT = '143105';

const MSG_TYPES = ['text', 'image', 'voice', 'file', 'link', 'oa', 'markdown', 'action_card'];

function bad(detail: string) {
	return oldApiError(40035, `不合法的参数: ${detail}`);
}

function checkAgent(state: DingTalkState, value: unknown): void {
	if (value === undefined || value === null || value === '') throw bad('agent_id is required');
	const agentId = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
	if (typeof agentId !== 'number' || !Number.isInteger(agentId)) {
		throw bad('agent_id must be a number');
	}
	if (agentId !== state.app.agentId) throw oldApiError(40056, `不合法的agentid: ${agentId}`);
}

function idList(body: Record<string, unknown>, key: string, max: number): string[] {
	const value = body[key];
	if (value === undefined || value === '') return [];
	if (typeof value !== 'string') throw bad(`${key} must be a comma-separated string`);
	const ids = value.split(',').map((id) => id.trim());
	if (ids.some((id) => id === '')) throw bad(`${key} has an empty entry`);
	if (ids.length > max) throw bad(`${key} lists ${ids.length}, at most ${max}`);
	return ids;
}

function text(content: Record<string, unknown>, key: string, where: string): void {
	if (!nonEmptyString(content[key]) || content[key].trim() === '') {
		throw bad(`msg.${where}.${key} is required`);
	}
}

function checkActionCard(card: Record<string, unknown>): void {
	text(card, 'title', 'action_card');
	text(card, 'markdown', 'action_card');
	const single = card.single_title !== undefined || card.single_url !== undefined;
	const list = card.btn_json_list !== undefined;
	if (single === list) {
		throw bad('action_card takes single_title/single_url or btn_orientation/btn_json_list');
	}
	if (single) {
		text(card, 'single_title', 'action_card');
		text(card, 'single_url', 'action_card');
		return;
	}
	if (card.btn_orientation !== '0' && card.btn_orientation !== '1') {
		throw bad('msg.action_card.btn_orientation must be "0" or "1"');
	}
	const buttons = card.btn_json_list;
	if (!Array.isArray(buttons) || buttons.length === 0) {
		throw bad('msg.action_card.btn_json_list must be a non-empty array');
	}
	for (const button of buttons) {
		if (!isRecord(button)) throw bad('msg.action_card.btn_json_list entries must be objects');
		text(button, 'title', 'action_card.btn_json_list[]');
		text(button, 'action_url', 'action_card.btn_json_list[]');
	}
}

function checkOa(oa: Record<string, unknown>): void {
	text(oa, 'message_url', 'oa');
	if (!isRecord(oa.head)) throw bad('msg.oa.head is required');
	text(oa.head, 'text', 'oa.head');
	if (typeof oa.head.bgcolor !== 'string' || !/^[0-9A-Fa-f]{8}$/.test(oa.head.bgcolor)) {
		throw bad('msg.oa.head.bgcolor must be 8 hex digits (alpha + RGB, no 0x)');
	}
	if (!isRecord(oa.body)) throw bad('msg.oa.body is required');
	const form = oa.body.form;
	if (form !== undefined) {
		if (!Array.isArray(form)) throw bad('msg.oa.body.form must be an array of {key, value}');
		for (const row of form) {
			if (!isRecord(row) || typeof row.key !== 'string' || typeof row.value !== 'string') {
				throw bad('msg.oa.body.form entries must be {key, value} strings');
			}
		}
	}
	if (
		oa.body.rich !== undefined &&
		(!isRecord(oa.body.rich) || !nonEmptyString(oa.body.rich.num))
	) {
		throw bad('msg.oa.body.rich needs num');
	}
	if (
		oa.status_bar !== undefined &&
		(!isRecord(oa.status_bar) || !nonEmptyString(oa.status_bar.status_value))
	) {
		throw bad('msg.oa.status_bar needs status_value');
	}
}

function checkMsg(state: DingTalkState, msg: unknown): string {
	if (!isRecord(msg)) throw bad('msg is required');
	const msgtype = msg.msgtype;
	if (typeof msgtype !== 'string' || !MSG_TYPES.includes(msgtype)) {
		throw bad(`msg.msgtype must be one of ${MSG_TYPES.join(', ')}`);
	}
	const content = msg[msgtype];
	if (!isRecord(content)) throw bad(`msg.${msgtype} is required`);
	if (Buffer.byteLength(JSON.stringify(msg), 'utf8') > MAX_MSG_BYTES) {
		throw bad(`msg is longer than ${MAX_MSG_BYTES} bytes`);
	}
	switch (msgtype) {
		case 'text':
			text(content, 'content', 'text');
			break;
		case 'markdown':
			text(content, 'title', 'markdown');
			text(content, 'text', 'markdown');
			break;
		case 'link':
			for (const key of ['messageUrl', 'picUrl', 'title', 'text']) text(content, key, 'link');
			break;
		case 'action_card':
			checkActionCard(content);
			break;
		case 'oa':
			checkOa(content);
			break;
		default: {
			text(content, 'media_id', msgtype);
			if (!mediaOfType(state, content.media_id, msgtype as 'image' | 'voice' | 'file')) {
				throw oldApiError(
					40007,
					`不合法的媒体文件id: no ${msgtype} with media_id ${String(content.media_id)}`,
				);
			}
			if (msgtype === 'voice') {
				const duration = content.duration;
				if (
					typeof duration !== 'string' ||
					!/^[1-9]\d*$/.test(duration) ||
					Number(duration) >= 60
				) {
					throw bad('msg.voice.duration must be a positive integer under 60, as a string');
				}
			}
		}
	}
	return msgtype;
}

/** The users a department reaches: its members and those of every department below it. */
function departmentMembers(state: DingTalkState, deptId: number): string[] {
	const ids = new Set<number>([deptId]);
	for (let grew = true; grew; ) {
		grew = false;
		for (const dept of state.departments) {
			if (ids.has(dept.parent_id) && !ids.has(dept.dept_id)) {
				ids.add(dept.dept_id);
				grew = true;
			}
		}
	}
	return state.users.filter((u) => u.dept_id_list.some((d) => ids.has(d))).map((u) => u.userid);
}

function deliver(
	state: DingTalkState,
	task: WorkNotificationTask,
	candidates: string[],
	content: string,
	day: string,
): void {
	for (const userid of new Set(candidates)) {
		const user = state.users.find((u) => u.userid === userid);
		if (!user?.active) {
			task.failed.push(userid);
			continue;
		}
		const key = `${userid} ${day}`;
		const sent = state.messaging.deliveries.get(key) ?? [];
		if (sent.includes(content)) {
			task.forbidden.push({ userid, code: FORBIDDEN_REPEAT });
		} else if (sent.length >= DAILY_LIMIT) {
			task.forbidden.push({ userid, code: FORBIDDEN_DAILY_LIMIT });
		} else {
			state.messaging.deliveries.set(key, [...sent, content]);
			task.delivered.push(userid);
		}
	}
}

function findTask(state: DingTalkState, body: Record<string, unknown>, key: string) {
	const value = body[key];
	const taskId = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
	if (typeof taskId !== 'number') throw bad(`${key} is required`);
	const task = state.messaging.workNotifications.find((t) => t.task_id === taskId);
	if (!task) throw bad(`${key} ${taskId} does not exist`);
	return task;
}

/** How long the emulator's asynchronous send takes (getsendprogress says "1 处理中" until then). */
export const SENDING_MS = 300;

export const workNotificationRoutes: Route<DingTalkState>[] = [
	{
		method: 'POST',
		path: '/topapi/message/corpconversation/asyncsend_v2',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			const { state } = ctx;
			checkAgent(state, body.agent_id);
			const users = idList(body, 'userid_list', MAX_USERS);
			const depts = idList(body, 'dept_id_list', MAX_DEPTS);
			const toAll = body.to_all_user;
			if (
				toAll !== undefined &&
				typeof toAll !== 'boolean' &&
				toAll !== 'true' &&
				toAll !== 'false'
			) {
				throw bad('to_all_user must be a boolean');
			}
			const everyone = toAll === true || toAll === 'true';
			if (!everyone && users.length === 0 && depts.length === 0) {
				throw bad('userid_list, dept_id_list or to_all_user is required');
			}
			const msgtype = checkMsg(state, body.msg);
			const task: WorkNotificationTask = {
				task_id: state.messaging.nextTaskId++,
				body,
				msgtype,
				sentAt: ctx.now(),
				delivered: [],
				read: new Set(),
				invalidUsers: [],
				invalidDepts: [],
				failed: [],
				forbidden: [],
				recalled: false,
			};
			const candidates: string[] = [];
			if (everyone) {
				candidates.push(...state.users.map((u) => u.userid));
			} else {
				for (const userid of users) {
					if (state.users.some((u) => u.userid === userid)) candidates.push(userid);
					else task.invalidUsers.push(userid);
				}
				for (const dept of depts) {
					const id = Number(dept);
					if (/^\d+$/.test(dept) && state.departments.some((d) => d.dept_id === id)) {
						candidates.push(...departmentMembers(state, id));
					} else {
						task.invalidDepts.push(dept);
					}
				}
			}
			deliver(state, task, candidates, JSON.stringify(body.msg), chinaDay(ctx.now()));
			state.messaging.workNotifications.push(task);
			return oldApiOk({ task_id: task.task_id });
		},
	},
	{
		method: 'POST',
		path: '/topapi/message/corpconversation/getsendprogress',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			checkAgent(ctx.state, body.agent_id);
			const task = findTask(ctx.state, body, 'task_id');
			// "任务执行状态，0=未开始，1=处理中，2=处理完毕" (获取异步发送企业会话消息的发送进度,
			// dingtalk.oapi.message.corpconversation.getsendprogress). The emulator's send is asynchronous too: a first
			// look within SENDING_MS of the send finds it still sending (1); later looks find it done (2).
			task.progressLooks = (task.progressLooks ?? 0) + 1;
			const done = task.progressLooks > 1 || ctx.now() - task.sentAt >= SENDING_MS;
			return oldApiOk({ progress: { progress_in_percent: done ? 100 : 50, status: done ? 2 : 1 } });
		},
	},
	{
		method: 'POST',
		path: '/topapi/message/corpconversation/getsendresult',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			checkAgent(ctx.state, body.agent_id);
			const task = findTask(ctx.state, body, 'task_id');
			const counts = new Map<string, number>();
			for (const f of task.forbidden)
				counts.set(`${f.code} ${f.userid}`, (counts.get(`${f.code} ${f.userid}`) ?? 0) + 1);
			return oldApiOk({
				send_result: {
					invalid_user_id_list: task.invalidUsers,
					forbidden_user_id_list: [...new Set(task.forbidden.map((f) => f.userid))],
					failed_user_id_list: task.failed,
					read_user_id_list: task.delivered.filter((u) => task.read.has(u)),
					unread_user_id_list: task.delivered.filter((u) => !task.read.has(u)),
					invalid_dept_id_list: task.invalidDepts.map(Number).filter(Number.isFinite),
					forbidden_list: [...counts].map(([key, count]) => {
						const [code, userid] = key.split(' ');
						return { code, count, userid };
					}),
				},
			});
		},
	},
	{
		method: 'POST',
		path: '/topapi/message/corpconversation/recall',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			checkAgent(ctx.state, body.agent_id);
			const task = findTask(ctx.state, body, 'msg_task_id');
			if (task.recalled) throw bad(`msg_task_id ${task.task_id} was already recalled`);
			if (ctx.now() - task.sentAt > RECALL_WINDOW_MS) {
				throw bad('only work notifications of the last 24 hours can be recalled');
			}
			task.recalled = true;
			return oldApiOk();
		},
	},
];
