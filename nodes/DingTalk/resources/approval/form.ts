import type { IDataObject } from 'n8n-workflow';

import { oncePerRun } from '../../../shared/runCache';
import type { DingTalkContext } from '../../transport';
import { dingTalkApiRequest } from '../../transport';
import type { FormControl } from '../../../shared/approvalForm';
import type { FormComponent } from './components';
import { flattenComponents, isKit, notSubmittableReason, titleOf, toControl } from './components';

/** An approval form (审批表单) with its components, as Start needs it. */
export interface ApprovalForm {
	processCode: string;
	name: string;
	components: FormComponent[];
}

export async function fetchForm(
	this: DingTalkContext,
	processCode: string,
	itemIndex?: number,
): Promise<ApprovalForm> {
	const answer = await dingTalkApiRequest.call(this, {
		method: 'GET',
		path: '/v1.0/workflow/forms/schemas/processCodes',
		qs: { processCode },
		itemIndex,
	});
	const result = (answer.result ?? {}) as IDataObject;
	const content = (result.schemaContent ?? {}) as IDataObject;
	return {
		processCode,
		name: String(result.name ?? content.title ?? ''),
		components: flattenComponents(content.items),
	};
}

/** The form, fetched at most once per node run. */
export async function cachedForm(
	this: DingTalkContext,
	processCode: string,
	itemIndex: number,
): Promise<ApprovalForm> {
	return await oncePerRun(this, `dingtalk-form:${processCode}`, async () =>
		fetchForm.call(this, processCode, itemIndex),
	);
}

/**
 * Why DingTalk will not start this form through the API, if it will not: forms built on a leave or attendance kit
 * (请假、出差、加班、外出… 套件) need attendance data that only the DingTalk app collects.
 */
export function kitRefusal(form: ApprovalForm): string | undefined {
	const kits = form.components.filter(isKit);
	if (!kits.length) return undefined;
	const named = kits.map((k) => `${titleOf(k)} (${k.componentName})`).join(', ');
	return (
		`The form "${form.name || form.processCode}" contains a leave/attendance kit (请假/出差/加班等套件: ${named}). ` +
		"DingTalk's API does not start approvals of kit forms (套件审批不支持通过接口发起): members submit them in the DingTalk app. " +
		'Use a form without a kit, or send the member a work notification asking them to apply.'
	);
}

/** The components the API can fill, as the form editor shows them. */
export function formControls(form: ApprovalForm): FormControl[] {
	return form.components.filter((c) => !notSubmittableReason(c)).map(toControl);
}
