import type { ControlType, I18nText } from './seed';

/** One filled control, as getapprovaldetail shows it (title included). */
export interface ApprovalContent {
	control: ControlType;
	id: string;
	title: I18nText[];
	value: Record<string, unknown>;
}

export interface SpDetail {
	approver: { userid: string };
	speech: string;
	/** 1 pending, 2 approved, 3 rejected, 4 transferred */
	sp_status: number;
	sptime: number;
	media_id: string[];
}

export interface SpRecord {
	sp_status: number;
	/** 1 or-sign, 2 and-sign */
	approverattr: number;
	details: SpDetail[];
}

export interface ApprovalComment {
	commentUserInfo: { userid: string };
	commenttime: number;
	commentcontent: string;
	commentid: string;
	media_id: string[];
}

/** An approval instance, in getapprovaldetail's `info` shape. */
export interface Approval {
	sp_no: string;
	sp_name: string;
	/** 1 pending, 2 approved, 3 rejected, 4 withdrawn, 6 withdrawn after approval, 7 deleted, 10 paid */
	sp_status: number;
	template_id: string;
	apply_time: number;
	applyer: { userid: string; partyid: string };
	sp_record: SpRecord[];
	notifyer: Array<{ userid: string }>;
	apply_data: { contents: ApprovalContent[] };
	comments: ApprovalComment[];
}

export const SP_STATUSES = [1, 2, 3, 4, 6, 7, 10] as const;

const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

/** sp_no is the submission date in Beijing time plus a per-day sequence: 202311150001. */
export function nextSpNo(sequences: Map<string, number>, applyTimeSeconds: number): string {
	const day = new Date(applyTimeSeconds * 1000 + BEIJING_OFFSET_MS)
		.toISOString()
		.slice(0, 10)
		.replace(/-/g, '');
	const seq = (sequences.get(day) ?? 0) + 1;
	sequences.set(day, seq);
	return `${day}${String(seq).padStart(4, '0')}`;
}

/** Order of getapprovalinfo results and of its cursor. */
export function compareApprovals(a: Approval, b: Approval): number {
	return a.apply_time - b.apply_time || (a.sp_no < b.sp_no ? -1 : a.sp_no > b.sp_no ? 1 : 0);
}
