// Approval instances and the approval Drive space, as the emulator keeps them.
import { createHash, randomBytes } from 'node:crypto';

export type InstanceStatus = 'RUNNING' | 'TERMINATED' | 'COMPLETED';

export interface EmuTask {
	taskId: number;
	userId: string;
	status: 'NEW' | 'RUNNING' | 'CANCELED' | 'COMPLETED' | 'TERMINATED';
	result: 'AGREE' | 'REFUSE' | 'REDIRECTED' | 'NONE';
	createTime: number;
	finishTime?: number;
	activityId: string;
}

export interface EmuRecord {
	userId: string;
	date: number;
	type: string;
	result: 'AGREE' | 'REFUSE' | 'NONE';
	remark?: string;
	showName?: string;
}

export interface EmuInstance {
	processInstanceId: string;
	processCode: string;
	title: string;
	originatorUserId: string;
	originatorDeptId: string;
	originatorDeptName: string;
	status: InstanceStatus;
	result: 'agree' | 'refuse' | '';
	businessId: string;
	/** Epoch ms. */
	createTime: number;
	finishTime?: number;
	formComponentValues: Array<{ id: string; name: string; value: string; componentType: string }>;
	approverUserIds: string[];
	ccUserIds: string[];
	tasks: EmuTask[];
	operationRecords: EmuRecord[];
	/** What the start request asked for, as sent (tests read it). */
	request?: Record<string, unknown>;
}

export interface EmuUpload {
	uploadKey: string;
	objectKey: string;
	spaceId: string;
	unionId: string;
	name: string;
	size: number;
	/** The signature headers handed out; the storage PUT must carry exactly these. */
	headers: Record<string, string>;
	data?: Buffer;
	committed: boolean;
}

export interface EmuDriveFile {
	fileId: string;
	spaceId: string;
	name: string;
	size: number;
	extension: string;
	data: Buffer;
	creatorUnionId: string;
}

export interface EmuDrive {
	/** The organisation's approval attachment space. */
	spaceId: string;
	/** Users spaces/infos/query granted the upload right to. */
	grants: Set<string>;
	uploads: Map<string, EmuUpload>;
	files: Map<string, EmuDriveFile>;
	/** Key for the emulated storage's request signatures. */
	signingKey: string;
	/** Test knob: the next storage PUT is refused as a bad signature, the answer echoing the one provided. */
	refuseNextUpload: boolean;
}

export function createDrive(): EmuDrive {
	return {
		spaceId: '3996960664',
		grants: new Set(),
		uploads: new Map(),
		files: new Map(),
		signingKey: randomBytes(16).toString('hex'),
		refuseNextUpload: false,
	};
}

/** DingTalk's instance ids look like UUIDs; these are derived from a seed so the bank is the same every run. */
export function instanceId(seed: string): string {
	const hex = createHash('sha1').update(seed).digest('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Times in instance answers: `2022-08-31T11:52Z`, as DingTalk writes them. */
export function apiTime(ms: number | undefined): string | undefined {
	return ms === undefined ? undefined : `${new Date(ms).toISOString().slice(0, 16)}Z`;
}

/** An instance as GET /v1.0/workflow/processInstances answers it. */
export function instanceAnswer(instance: EmuInstance): Record<string, unknown> {
	return {
		title: instance.title,
		createTime: apiTime(instance.createTime),
		finishTime: apiTime(instance.finishTime),
		originatorUserId: instance.originatorUserId,
		originatorDeptId: instance.originatorDeptId,
		originatorDeptName: instance.originatorDeptName,
		status: instance.status,
		approverUserIds: instance.approverUserIds,
		ccUserIds: instance.ccUserIds,
		result: instance.result,
		businessId: instance.businessId,
		operationRecords: instance.operationRecords.map((r) => ({
			userId: r.userId,
			date: apiTime(r.date),
			type: r.type,
			result: r.result,
			...(r.remark ? { remark: r.remark } : {}),
			...(r.showName ? { showName: r.showName } : {}),
		})),
		tasks: instance.tasks.map((t) => ({
			taskId: t.taskId,
			userId: t.userId,
			status: t.status,
			result: t.result,
			createTime: apiTime(t.createTime),
			finishTime: apiTime(t.finishTime),
			processInstanceId: instance.processInstanceId,
			activityId: t.activityId,
			pcUrl: `https://aflow.dingtalk.com/dingtalk/pc/query/pchomepage.htm?procInstId=${instance.processInstanceId}&taskId=${t.taskId}`,
		})),
		bizAction: 'NONE',
		formComponentValues: instance.formComponentValues,
	};
}
