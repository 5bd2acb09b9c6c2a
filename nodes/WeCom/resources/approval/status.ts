import type { IDataObject } from 'n8n-workflow';

interface StatusName {
	en: string;
	zh: string;
}

/** An approval's overall sp_status. */
export const APPROVAL_STATUSES: Record<number, StatusName> = {
	1: { en: 'pending', zh: '审批中' },
	2: { en: 'approved', zh: '已通过' },
	3: { en: 'rejected', zh: '已驳回' },
	4: { en: 'withdrawn', zh: '已撤销' },
	6: { en: 'withdrawn after approval', zh: '通过后撤销' },
	7: { en: 'deleted', zh: '已删除' },
	10: { en: 'paid', zh: '已支付' },
};

/** The sp_status of one approver node (sp_record) and of one approver in it (details). */
export const NODE_STATUSES: Record<number, StatusName> = {
	1: { en: 'pending', zh: '审批中' },
	2: { en: 'approved', zh: '已同意' },
	3: { en: 'rejected', zh: '已驳回' },
	4: { en: 'transferred', zh: '已转审' },
};

function named(entry: IDataObject, names: Record<number, StatusName>): IDataObject {
	const name = names[Number(entry.sp_status)];
	return {
		...entry,
		sp_status_name: name?.en ?? 'unknown',
		sp_status_name_zh: name?.zh ?? '未知',
	};
}

/** getapprovaldetail's `info` with every sp_status also given by name, at the top and in each approver node. */
export function withStatusNames(info: IDataObject): IDataObject {
	const records = Array.isArray(info.sp_record) ? (info.sp_record as IDataObject[]) : [];
	return {
		...named(info, APPROVAL_STATUSES),
		sp_record: records.map((record) => ({
			...named(record, NODE_STATUSES),
			details: (Array.isArray(record.details) ? (record.details as IDataObject[]) : []).map(
				(detail) => named(detail, NODE_STATUSES),
			),
		})),
	};
}
