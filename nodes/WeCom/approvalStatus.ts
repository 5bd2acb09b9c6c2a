// The one table of approval code names: the Approval Get/Get Many operations and the trigger's
// sys_approval_change items both read these, so a code has the same name wherever it shows up.
// English names are snake_case so they can be compared in IF/Filter nodes without guessing at
// spaces or case; Chinese names are the ones WeCom's admin console shows.

export interface CodeName {
	readonly en: string;
	readonly zh: string;
}

export type CodeNames = Readonly<Record<number, CodeName>>;

/** An approval's overall status (sp_status / ApprovalInfo.SpStatus). */
export const APPROVAL_STATUS: CodeNames = {
	1: { en: 'pending', zh: '审批中' },
	2: { en: 'approved', zh: '已通过' },
	3: { en: 'rejected', zh: '已驳回' },
	4: { en: 'withdrawn', zh: '已撤销' },
	6: { en: 'withdrawn_after_approval', zh: '通过后撤销' },
	7: { en: 'deleted', zh: '已删除' },
	10: { en: 'paid', zh: '已支付' },
};

/** The status of one approver node (sp_record / SpRecord) and of one approver in it (details / Details). */
export const APPROVAL_NODE_STATUS: CodeNames = {
	1: { en: 'pending', zh: '审批中' },
	2: { en: 'approved', zh: '已同意' },
	3: { en: 'rejected', zh: '已驳回' },
	4: { en: 'transferred', zh: '已转审' },
	11: { en: 'returned', zh: '已退回' },
	12: { en: 'approver_added', zh: '已加签' },
	13: { en: 'approved_and_approver_added', zh: '已同意并加签' },
	14: { en: 'handled', zh: '已办理' },
	15: { en: 'handed_over', zh: '已转交' },
};

/** How an approver node decides (approverattr / ApproverAttr): any one approver, or all of them. */
export const APPROVER_ATTR: CodeNames = {
	1: { en: 'or', zh: '或签' },
	2: { en: 'and', zh: '会签' },
};

/** What caused a sys_approval_change callback (ApprovalInfo.StatuChangeEvent, WeCom's spelling). */
export const APPROVAL_CHANGE_EVENT: CodeNames = {
	1: { en: 'submitted', zh: '提单' },
	2: { en: 'approved', zh: '同意' },
	3: { en: 'rejected', zh: '驳回' },
	4: { en: 'transferred', zh: '转审' },
	5: { en: 'reminder', zh: '催办' },
	6: { en: 'withdrawn', zh: '撤销' },
	8: { en: 'withdrawn_after_approval', zh: '通过后撤销' },
	10: { en: 'comment_added', zh: '添加备注' },
};

/**
 * The name of `code` in `table`, reading numeric strings as the callback XML carries them;
 * undefined for anything else, including a code WeCom added after this table was written.
 */
export function codeName(table: CodeNames, code: unknown): CodeName | undefined {
	const number =
		typeof code === 'number'
			? code
			: typeof code === 'string' && code.trim() !== ''
				? Number(code)
				: NaN;
	return Number.isInteger(number) && Object.hasOwn(table, number) ? table[number] : undefined;
}
