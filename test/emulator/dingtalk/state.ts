import { createMessagingState, type DingTalkMessagingState } from './messaging';
import { createModelStandIn, type ModelStandIn } from '../modelStandIn';
import type { PluginEnv } from '../types';
import { createCardsState, type CardsState } from './cards';
import { createRobotFilesState, type RobotFilesState } from './robotFiles';
import { approvalBank } from './approvalBank';
import { seedForms, type EmuForm } from './approvalForms';
import { createDrive, type EmuDrive, type EmuInstance } from './approvalModel';
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
	/** Approval forms (审批表单) with their schemas and flows. */
	forms: EmuForm[];
	/** Approval instances, oldest first: the seeded bank, then those started through the API. */
	instances: EmuInstance[];
	/** The approval Drive space (钉盘) and its uploads. */
	drive: EmuDrive;
	/** Interactive and AI cards (cards.ts). */
	cards: CardsState;
	/** Files users sent to the robot (robotFiles.ts). */
	robotFiles: RobotFilesState;
	/** The offline OpenAI-compatible chat model (../modelStandIn.ts). */
	modelStandIn: ModelStandIn;
}

export function createDingTalkState(env?: PluginEnv): DingTalkState {
	const departments = DINGTALK_DEPARTMENTS.map((d) => ({ ...d }));
	const users = DINGTALK_USERS.map((u) => ({ ...u, dept_id_list: [...u.dept_id_list] }));
	return {
		app: DINGTALK_SEED,
		departments,
		users,
		stream: { tickets: new Map() },
		messaging: createMessagingState(DINGTALK_SEED.appKey),
		forms: seedForms(),
		instances: approvalBank(env?.now() ?? Date.now(), users, departments),
		drive: createDrive(),
		cards: createCardsState(),
		robotFiles: createRobotFilesState(),
		modelStandIn: createModelStandIn(),
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
