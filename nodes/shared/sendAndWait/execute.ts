import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError, WAIT_INDEFINITELY } from 'n8n-workflow';

import { redact } from '../redact';
import { messageText } from './page';
import type { ParameterGetter } from './form';
import type { AskSettings, ResponseType } from './settings';
import { deadlineText, readAskSettings, waitTill } from './settings';

/** One link of the message. `approve` also opens the form of Free Text and Custom Form, as in n8n's own nodes. */
export interface SendAndWaitLink {
	kind: 'approve' | 'decline' | 'respond';
	label: string;
	url: string;
}

/**
 * Everything a channel needs to build its message: the texts, the links in the order to show them, and one link
 * that offers every choice (for message types that carry a single link). A channel only builds its message body.
 */
export interface SendAndWaitMessage {
	title: string;
	/** The Message, with n8n's "\n" and "<br>" turned into line breaks. */
	message: string;
	responseType: ResponseType;
	/** Approval: Approve (then Decline when offered). Forms: the one link to the form page. */
	links: SendAndWaitLink[];
	/** The page with every choice: Approve only → the Approve link; Approve and Decline → a page with both. */
	mainUrl: string;
	/** Label for a single-link message (the Approve label, or the form link's label; empty for two choices). */
	mainLabel: string;
	/** "2026-05-03 18:00 (UTC+8)" when Limit Wait Time is set. */
	deadlineText?: string;
}

interface Prepared {
	ask: SendAndWaitMessage;
	waitTill: Date;
	/** The signatures in the links: bearer secrets that must not reach an error or a log. */
	secrets: string[];
}

/** Runs a check of the node's fields; its Error becomes the node's error for item 0. */
function checked<T>(context: IExecuteFunctions, read: () => T): T {
	try {
		return read();
	} catch (error) {
		throw new NodeOperationError(context.getNode(), (error as Error).message, { itemIndex: 0 });
	}
}

function signedUrl(this: IExecuteFunctions, parameters: Record<string, string>): string {
	return this.getSignedResumeUrl(parameters);
}

function links(
	this: IExecuteFunctions,
	settings: AskSettings,
	until: Record<string, string>,
): Pick<SendAndWaitMessage, 'links' | 'mainUrl' | 'mainLabel'> {
	const approveUrl = signedUrl.call(this, { approved: 'true', ...until });
	if (settings.responseType !== 'approval') {
		return {
			links: [{ kind: 'respond', label: settings.respondLabel, url: approveUrl }],
			mainUrl: approveUrl,
			mainLabel: settings.respondLabel,
		};
	}
	const approve: SendAndWaitLink = {
		kind: 'approve',
		label: settings.approveLabel,
		url: approveUrl,
	};
	if (!settings.double) return { links: [approve], mainUrl: approveUrl, mainLabel: approve.label };
	const decline: SendAndWaitLink = {
		kind: 'decline',
		label: settings.declineLabel,
		url: signedUrl.call(this, { approved: 'false', ...until }),
	};
	// A link without a decision opens a page with both buttons: for a tap on the whole card or a one-link message.
	return { links: [approve, decline], mainUrl: signedUrl.call(this, until), mainLabel: '' };
}

/** Reads the node (item 0, as n8n's own Send and Wait does), checks it, and signs the links. */
function prepare(this: IExecuteFunctions): Prepared {
	const get: ParameterGetter = (name, fallback) => this.getNodeParameter(name, 0, fallback);
	const settings = checked(this, () => {
		const read = readAskSettings(get);
		if (!read.title) throw new Error('Title is empty: the message needs a headline');
		if (!read.message) throw new Error('Message is empty: say what you are asking');
		return read;
	});
	const till = checked(this, () => waitTill(get));
	const limited = till.getTime() !== WAIT_INDEFINITELY.getTime();
	// n8n 2.0–2.13 accept a signed link only after this call; later versions dropped it.
	(this as { setSignatureValidationRequired?: () => void }).setSignatureValidationRequired?.();
	const until: Record<string, string> = limited ? { until: String(till.getTime()) } : {};
	const shaped = links.call(this, settings, until);
	const secrets = [...new Set([shaped.mainUrl, ...shaped.links.map((l) => l.url)])].map(
		(url) => new URL(url).searchParams.get('signature') ?? url,
	);
	return {
		ask: {
			title: settings.title,
			message: messageText(settings.message),
			responseType: settings.responseType,
			...shaped,
			...(limited ? { deadlineText: deadlineText(till, this.getTimezone()) } : {}),
		},
		waitTill: till,
		secrets,
	};
}

/** The error with every resume-link signature replaced by *** (message, description, stack, API answer). */
function withoutSecrets(error: unknown, secrets: string[]): unknown {
	if (!(error instanceof Error)) return error;
	const scrub = (value: unknown) => (typeof value === 'string' ? redact(value, secrets) : value);
	const target = error as Error & {
		description?: unknown;
		errorResponse?: Record<string, unknown>;
	};
	target.message = scrub(target.message) as string;
	if (target.stack) target.stack = scrub(target.stack) as string;
	if (target.description !== undefined) target.description = scrub(target.description);
	if (target.errorResponse && typeof target.errorResponse === 'object') {
		for (const key of Object.keys(target.errorResponse)) {
			target.errorResponse[key] = scrub(target.errorResponse[key]);
		}
	}
	return error;
}

/**
 * Send and Wait for a channel: `send` delivers the message built from `ask`; then the execution waits until a link
 * is answered or Limit Wait Time passes. Returns the input, as n8n's own nodes do; the answer replaces it on resume.
 */
export async function sendAndWait(
	this: IExecuteFunctions,
	send: (ask: SendAndWaitMessage) => Promise<void>,
): Promise<INodeExecutionData[][]> {
	const { ask, waitTill: till, secrets } = prepare.call(this);
	try {
		await send(ask);
	} catch (error) {
		throw withoutSecrets(error, secrets);
	}
	await this.putExecutionToWait(till);
	return [this.getInputData()];
}
