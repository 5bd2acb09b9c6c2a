import type { IDataObject } from 'n8n-workflow';

import {
	APPROVAL_NODE_STATUS,
	APPROVAL_STATUS,
	codeName,
	type CodeNames,
} from '../../approvalStatus';

function named(entry: IDataObject, table: CodeNames): IDataObject {
	const name = codeName(table, entry.sp_status);
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
		...named(info, APPROVAL_STATUS),
		sp_record: records.map((record) => ({
			...named(record, APPROVAL_NODE_STATUS),
			details: (Array.isArray(record.details) ? (record.details as IDataObject[]) : []).map(
				(detail) => named(detail, APPROVAL_NODE_STATUS),
			),
		})),
	};
}
