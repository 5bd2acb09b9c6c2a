// What the DingTalk messaging endpoints keep: uploaded media, work notifications with their delivery per user, robot
// messages and the group chats the app's robot is in. Tests read it to assert what was sent.

export type DingTalkMediaType = 'image' | 'voice' | 'video' | 'file';

export interface DingTalkStoredMedia {
	media_id: string;
	type: DingTalkMediaType;
	filename: string;
	contentType: string;
	data: Buffer;
	/** ms since the epoch */
	createdAt: number;
}

/** Why a user was not reached (getsendresult's forbidden_list codes; the numbers are chosen, see workNotification.ts). */
export interface ForbiddenDelivery {
	userid: string;
	code: string;
}

export interface WorkNotificationTask {
	task_id: number;
	/** The request body as the node sent it. */
	body: Record<string, unknown>;
	msgtype: string;
	sentAt: number;
	delivered: string[];
	read: Set<string>;
	invalidUsers: string[];
	invalidDepts: string[];
	failed: string[];
	forbidden: ForbiddenDelivery[];
	recalled: boolean;
	/** getsendprogress calls so far: the first one, right after the send, finds it still sending. */
	progressLooks?: number;
}

export interface RobotMessageRecord {
	processQueryKey: string;
	robotCode: string;
	msgKey: string;
	/** msgParam parsed from its JSON string. */
	msgParam: Record<string, unknown>;
	/** One-to-one: the users reached; group: undefined. */
	userIds?: string[];
	openConversationId?: string;
	sentAt: number;
	recalled: boolean;
}

export interface RobotGroup {
	openConversationId: string;
	title: string;
	/** The robots added to the group. */
	robotCodes: string[];
}

export interface DingTalkMessagingState {
	media: Map<string, DingTalkStoredMedia>;
	workNotifications: WorkNotificationTask[];
	/** `${userid} ${day}` -> what that user was sent that day (JSON of msg), for the daily limits. */
	deliveries: Map<string, string[]>;
	robotMessages: RobotMessageRecord[];
	groups: RobotGroup[];
	/** Users a one-to-one robot send reports as flow controlled (a test sets them). */
	flowControlledUsers: Set<string>;
	nextTaskId: number;
}

export const EMULATOR_ROBOT_GROUP = 'cidEmuRobotGroup001+Dev==';
export const EMULATOR_GROUP_WITHOUT_ROBOT = 'cidEmuNoRobotGroup002==';

export function createMessagingState(robotCode: string): DingTalkMessagingState {
	return {
		media: new Map(),
		workNotifications: [],
		deliveries: new Map(),
		robotMessages: [],
		groups: [
			{ openConversationId: EMULATOR_ROBOT_GROUP, title: '研发群', robotCodes: [robotCode] },
			{ openConversationId: EMULATOR_GROUP_WITHOUT_ROBOT, title: '闲聊群', robotCodes: [] },
		],
		flowControlledUsers: new Set(),
		nextTaskId: 256271667526,
	};
}

/** The calendar day in China (UTC+8), where DingTalk's daily limits reset. */
export function chinaDay(ms: number): string {
	return new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 10);
}
