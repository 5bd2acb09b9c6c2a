import type {
	IDataObject,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { SEND_AND_WAIT_OPERATION } from 'n8n-workflow';

import type { ParameterGetter } from './form';
import { readAnswers } from './form';
import type { AskPage, DecisionButton } from './page';
import { approvalPage, formPage, PAGE_CSP, PAGE_HEADERS, resultPage } from './page';
import type { AskSettings } from './settings';
import { deadlineText, readAskSettings } from './settings';

/**
 * The resume links' webhooks, as n8n's own Send and Wait declares them: GET shows the page, POST answers; both on
 * the path n8n signs (`/webhook-waiting/<execution>/<node id>`), restarting the waiting execution.
 */
export const SEND_AND_WAIT_WEBHOOKS: IWebhookDescription[] = (['GET', 'POST'] as const).map(
	(httpMethod) => ({
		name: 'default',
		httpMethod,
		responseMode: 'onReceived',
		responseData: '',
		path: '={{ $nodeId }}',
		restartWebhook: true,
		isFullPath: true,
	}),
);

/** The tooltip n8n shows on a waiting node. */
export const SEND_AND_WAIT_TOOLTIP =
	'={{ $parameter["operation"] === "sendAndWait" ? "Execution will continue after the user\'s response" : "" }}';

type Response = ReturnType<IWebhookFunctions['getResponseObject']>;

function send(res: Response, status: number, html: string): IWebhookResponseData {
	res.status(status);
	for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
	res.setHeader('Content-Security-Policy', PAGE_CSP);
	res.setHeader('Content-Type', 'text/html; charset=utf-8');
	res.send(html);
	return { noWebhookResponse: true };
}

function isRecord(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The submitted fields: n8n parses the page's multipart form into `{data, files}`, other bodies into one object. */
function submitted(body: IDataObject): IDataObject {
	return isRecord(body.data) ? body.data : body;
}

function lastValue(value: unknown): string {
	const last = Array.isArray(value) ? value[value.length - 1] : value;
	return last === undefined || last === null ? '' : String(last);
}

/** The link's decision: its own `approved`, or (a link without one) the button pressed on the page. */
type LinkKind = 'approve' | 'decline' | 'choose';

function linkKind(query: IDataObject): LinkKind {
	if (query.approved === 'true') return 'approve';
	if (query.approved === 'false') return 'decline';
	return 'choose';
}

function buttonsFor(settings: AskSettings, kind: LinkKind): DecisionButton[] {
	const approve: DecisionButton = { decision: 'approve', label: settings.approveLabel };
	const decline: DecisionButton = { decision: 'decline', label: settings.declineLabel };
	if (kind === 'approve') return [approve];
	if (kind === 'decline') return [decline];
	return settings.double ? [approve, decline] : [approve];
}

function recorded(res: Response, data: IDataObject, chosen?: string): IWebhookResponseData {
	for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
	// n8n answers with this page once it has resumed the execution; respondedAt comes last, as in n8n's own nodes.
	return {
		webhookResponse: resultPage('recorded', { chosen }),
		workflowData: [[{ json: { data: { ...data, respondedAt: new Date().toISOString() } } }]],
	};
}

/**
 * A resume link opened or answered. GET never resumes (chat clients and their link previews open links on their
 * own): it shows the confirmation or form page. The page's POST resumes the execution with the answer, shaped as
 * n8n's own Send and Wait shapes it: `{data: {approved | text | <fields>, respondedAt}}`. After Limit Wait Time
 * nothing is accepted any more (the execution continues with its input when n8n's wait timer fires).
 */
export async function sendAndWaitWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const req = this.getRequestObject();
	const res = this.getResponseObject();
	if (this.getNodeParameter('operation', '') !== SEND_AND_WAIT_OPERATION) {
		res.status(404).send('');
		return { noWebhookResponse: true };
	}
	const get: ParameterGetter = (name, fallback) => this.getNodeParameter(name, fallback);
	const settings = readAskSettings(get);
	const query = (req.query ?? {}) as IDataObject;
	const until = Number(query.until);
	const deadline = Number.isFinite(until) && until > 0 ? until : undefined;
	const expired = deadline !== undefined && Date.now() > deadline;
	const isForm = settings.responseType !== 'approval';
	const page: AskPage = {
		title: isForm ? settings.formTitle : settings.title,
		message: isForm ? settings.formDescription : settings.message,
		...(deadline !== undefined
			? { until: deadline, deadlineText: deadlineText(new Date(deadline), this.getTimezone()) }
			: {}),
	};
	const kind = linkKind(query);

	if (req.method !== 'POST') {
		if (expired) return send(res, 200, resultPage('expired'));
		if (isForm) return send(res, 200, formPage(page, settings.fields, settings.submitLabel));
		const hint = kind === 'choose' ? 'none' : settings.double ? 'wrongButton' : 'confirm';
		return send(res, 200, approvalPage(page, buttonsFor(settings, kind), hint));
	}
	if (expired) return send(res, 410, resultPage('expired'));

	const data = submitted(this.getBodyData() ?? {});
	if (isForm) {
		const { answer, problems } = readAnswers(settings.fields, data);
		if (problems.length) return send(res, 422, resultPage('invalid', { problems }));
		return recorded(res, answer);
	}
	const decision = kind === 'choose' ? lastValue(data.decision) : kind;
	const allowed = buttonsFor(settings, kind).map((button) => button.decision as string);
	if (!allowed.includes(decision)) {
		return send(
			res,
			422,
			resultPage('invalid', {
				problems: [
					{
						zh: `请选择：${allowed.map((d) => (d === 'approve' ? settings.approveLabel : settings.declineLabel)).join(' / ')}`,
						en: `Choose ${allowed.map((d) => (d === 'approve' ? settings.approveLabel : settings.declineLabel)).join(' or ')}`,
					},
				],
			}),
		);
	}
	const approved = decision === 'approve';
	return recorded(res, { approved }, approved ? settings.approveLabel : settings.declineLabel);
}
