import type { IDataObject } from 'n8n-workflow';

import type { WeComContext } from '../../transport';
import { weComApiRequest } from '../../transport';
import { withStatusNames } from './status';

/** getapprovaldetail's `info`, with its statuses named. */
export async function fetchApprovalDetail(
	this: WeComContext,
	spNo: string,
	itemIndex: number,
): Promise<IDataObject> {
	const answer = await weComApiRequest.call(this, {
		method: 'POST',
		path: '/cgi-bin/oa/getapprovaldetail',
		body: { sp_no: spNo },
		itemIndex,
	});
	return withStatusNames((answer.info ?? {}) as IDataObject);
}
