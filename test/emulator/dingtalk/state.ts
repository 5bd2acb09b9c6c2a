import { createMessagingState, type DingTalkMessagingState } from './messaging';
import {
	DINGTALK_DEPARTMENTS,
	DINGTALK_SEED,
	DINGTALK_USERS,
	type DingTalkDepartment,
	type DingTalkSeedApp,
	type DingTalkUser,
} from './seed';

/** A Stream ticket from /v1.0/gateway/connections/open: one connection, within 90 s. */
export interface StreamTicketRecord {
	ticket: string;
	clientId: string;
	subscriptions: Array<{ type: string; topic: string }>;
	ua?: string;
	expiresAt: number;
	used: boolean;
}

// Grows with the DingTalk endpoints; reset() rebuilds it from the seed.
export interface DingTalkState {
	app: DingTalkSeedApp;
	departments: DingTalkDepartment[];
	users: DingTalkUser[];
	stream: {
		tickets: Map<string, StreamTicketRecord>;
	};
	/** Media, work notifications, robot messages and group chats (messaging.ts). */
	messaging: DingTalkMessagingState;
}

export function createDingTalkState(): DingTalkState {
	return {
		app: DINGTALK_SEED,
		departments: DINGTALK_DEPARTMENTS.map((d) => ({ ...d })),
		users: DINGTALK_USERS.map((u) => ({ ...u, dept_id_list: [...u.dept_id_list] })),
		stream: { tickets: new Map() },
		messaging: createMessagingState(DINGTALK_SEED.appKey),
	};
}

export function findDingTalkDepartment(
	state: DingTalkState,
	id: number,
): DingTalkDepartment | undefined {
	return state.departments.find((d) => d.dept_id === id);
}

export function findDingTalkUser(state: DingTalkState, userid: string): DingTalkUser | undefined {
	return state.users.find((u) => u.userid === userid);
}
