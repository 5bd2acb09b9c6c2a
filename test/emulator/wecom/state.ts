import type { PluginEnv } from '../types';
import { generateApprovalBank } from './approvalBank';
import type { Approval } from './approvalModel';
import {
	WECOM_SEED,
	seedDepartments,
	seedTags,
	seedTemplates,
	seedUsers,
	type ApprovalTemplate,
	type Department,
	type Tag,
	type User,
	type WeComSeedApp,
} from './seed';

export type MediaType = 'image' | 'voice' | 'video' | 'file';

export interface StoredMedia {
	media_id: string;
	type: MediaType;
	filename: string;
	contentType: string;
	data: Buffer;
	/** ms since the epoch */
	createdAt: number;
}

export interface SentMessage {
	/** Set for app messages (message/send); appchat/send answers without one. */
	msgid?: string;
	channel: 'app' | 'appchat';
	chatid?: string;
	msgtype: string;
	/** The request body as the node sent it. */
	payload: Record<string, unknown>;
	/** The recipients that were valid (app messages). */
	recipients: { users: string[]; parties: number[]; tags: number[] };
	/** ms since the epoch */
	sentAt: number;
	recalled: boolean;
}

export interface AppChat {
	chatid: string;
	name: string;
	owner: string;
	userlist: string[];
	chat_type: 0;
}

export interface WeComState {
	app: WeComSeedApp;
	departments: Department[];
	users: User[];
	tags: Tag[];
	templates: ApprovalTemplate[];
	/** Sorted by apply_time, then sp_no. */
	approvals: Approval[];
	spNoSequences: Map<string, number>;
	media: Map<string, StoredMedia>;
	/** uploadimg results by URL. */
	images: Map<string, { filename: string; contentType: string; data: Buffer }>;
	messages: SentMessage[];
	chats: Map<string, AppChat>;
	/** template_card task_ids already used by the app. */
	taskIds: Set<string>;
	serial: number;
}

export function createWeComState(env: PluginEnv): WeComState {
	const departments = seedDepartments();
	const users = seedUsers();
	const templates = seedTemplates();
	const spNoSequences = new Map<string, number>();
	return {
		app: WECOM_SEED,
		departments,
		users,
		tags: seedTags(),
		templates,
		approvals: generateApprovalBank(env.now(), users, departments, templates, spNoSequences),
		spNoSequences,
		media: new Map(),
		images: new Map(),
		messages: [],
		chats: new Map(),
		taskIds: new Set(),
		serial: 0,
	};
}

export const MEDIA_LIFETIME_MS = 3 * 86400 * 1000;

export function findUser(state: WeComState, userid: unknown): User | undefined {
	return typeof userid === 'string' ? state.users.find((u) => u.userid === userid) : undefined;
}

/** Members that can receive messages and join chats: not disabled, not gone. */
export function isReachable(user: User | undefined): user is User {
	return user !== undefined && (user.status === 1 || user.status === 4);
}

export function findDepartment(state: WeComState, id: unknown): Department | undefined {
	const n = typeof id === 'string' && /^\d+$/.test(id) ? Number(id) : id;
	return typeof n === 'number' ? state.departments.find((d) => d.id === n) : undefined;
}

/** The department and everything below it, parents before children. */
export function subtree(state: WeComState, rootId: number): Department[] {
	const result: Department[] = [];
	const visit = (id: number) => {
		const dept = state.departments.find((d) => d.id === id);
		if (!dept) {
			return;
		}
		result.push(dept);
		state.departments
			.filter((d) => d.parentid === id)
			.sort((a, b) => b.order - a.order)
			.forEach((d) => visit(d.id));
	};
	visit(rootId);
	return result;
}

export function findTag(state: WeComState, id: unknown): Tag | undefined {
	const n = typeof id === 'string' && /^\d+$/.test(id) ? Number(id) : id;
	return typeof n === 'number' ? state.tags.find((t) => t.tagid === n) : undefined;
}

/** A media item the emulator issued that has not expired, or undefined. */
export function liveMedia(
	state: WeComState,
	mediaId: unknown,
	now: number,
): StoredMedia | undefined {
	const media = typeof mediaId === 'string' ? state.media.get(mediaId) : undefined;
	return media && now - media.createdAt < MEDIA_LIFETIME_MS ? media : undefined;
}

/** Emulator-unique ids with a recognisable prefix. */
export function nextId(state: WeComState, prefix: string): string {
	state.serial++;
	return `${prefix}${state.serial.toString(36).padStart(6, '0')}`;
}
