import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { CREDENTIAL_TYPE, weComApiRequest } from '../../transport';
import type { NodeOperation } from '../../../shared/operations';
import type { MessageType } from './content';
import {
	finishMessage,
	messageContentProperties,
	prepareMessage,
	safeFlag,
	safeOption,
} from './content';
import { inputError } from '../../../shared/wecom/limits';
import type { Recipients } from './recipients';
import {
	MAX_PARTIES_PER_CALL,
	MAX_TAGS_PER_CALL,
	MAX_USERS_PER_CALL,
	readRecipients,
	recipientBatches,
	recipientProperties,
	splitInvalid,
} from './recipients';

const APP_MESSAGE_TYPES: MessageType[] = [
	'text',
	'markdown',
	'textcard',
	'news',
	'image',
	'voice',
	'video',
	'file',
	'template_card',
];

/** errcode "every recipient was invalid": for one slice of a split send it only means that slice reached no one. */
const ALL_RECIPIENTS_INVALID = 81013;

const MAX_DUPLICATE_CHECK_INTERVAL = 14400;

interface SendOptions {
	safe?: boolean;
	enableIdTrans?: boolean;
	enableDuplicateCheck?: boolean;
	duplicateCheckInterval?: number;
}

function readOptions(this: IExecuteFunctions, itemIndex: number): IDataObject {
	const options = this.getNodeParameter('options', itemIndex, {}) as SendOptions;
	const body: IDataObject = safeFlag(options);
	if (options.enableIdTrans !== undefined) body.enable_id_trans = options.enableIdTrans ? 1 : 0;
	if (options.enableDuplicateCheck !== undefined) {
		body.enable_duplicate_check = options.enableDuplicateCheck ? 1 : 0;
	}
	if (options.enableDuplicateCheck && options.duplicateCheckInterval !== undefined) {
		const interval = Number(options.duplicateCheckInterval);
		if (!Number.isInteger(interval) || interval < 1 || interval > MAX_DUPLICATE_CHECK_INTERVAL) {
			throw inputError.call(
				this,
				itemIndex,
				`Duplicate Check Interval is ${String(options.duplicateCheckInterval)}: WeCom takes 1 to ${MAX_DUPLICATE_CHECK_INTERVAL} seconds (4 hours)`,
			);
		}
		body.duplicate_check_interval = interval;
	}
	return body;
}

function isAllInvalid(error: unknown): boolean {
	return (
		error instanceof NodeApiError && Number(error.errorResponse?.errcode) === ALL_RECIPIENTS_INVALID
	);
}

/** "ghost1, ghost2 and 3 more": enough to recognise a list without flooding the message. */
function someOf(ids: string[], shown = 5): string {
	const head = ids.slice(0, shown).join(', ');
	return ids.length > shown ? `${head} and ${ids.length - shown} more` : head;
}

/** Who one call (batch) was for, as positions in the lists the user gave: "users 1001–2000, departments 1–100". */
function batchRecipients(recipients: Recipients, index: number): string {
	if (recipients.toAll) return 'everyone (@all)';
	const parts: string[] = [];
	const range = (what: string, list: string[], size: number) => {
		const first = index * size;
		const last = Math.min(list.length, first + size);
		if (first >= last) return;
		parts.push(
			last - first === list.length ? `${what} ${someOf(list)}` : `${what} ${first + 1}–${last}`,
		);
	};
	range('users', recipients.users, MAX_USERS_PER_CALL);
	range('departments', recipients.departments, MAX_PARTIES_PER_CALL);
	range('tags', recipients.tags, MAX_TAGS_PER_CALL);
	return parts.join(', ');
}

type BatchOutcome = { state: 'sent'; msgid?: string } | { state: 'no one' } | { state: 'failed' };

/** "of 3 calls: call 1 (users 1–1000) sent (msgid …); call 2 (users 1001–2000) failed; call 3 (…) not sent". */
function batchReport(recipients: Recipients, outcomes: BatchOutcome[], calls: number): string {
	const lines: string[] = [];
	for (let i = 0; i < calls; i++) {
		const outcome = outcomes[i];
		const state =
			outcome === undefined
				? 'not sent'
				: outcome.state === 'sent'
					? `sent${outcome.msgid ? ` (msgid ${outcome.msgid})` : ''}`
					: outcome.state === 'no one'
						? 'reached no one (81013)'
						: 'failed';
		lines.push(`call ${i + 1} (${batchRecipients(recipients, i)}) ${state}`);
	}
	return `of ${calls} calls: ${lines.join('; ')}`;
}

/** Adds to a send error who got the message and who did not, in the message itself (what n8n shows first). */
function explainPartialSend(error: unknown, note: string): unknown {
	if (error instanceof NodeApiError) {
		error.message = `${error.message} — ${note}`;
		error.description = `${error.description ?? ''}\n${note}`.trim();
	}
	return error;
}

/** Sends one message body to every batch of recipients and merges WeCom's answers into one output. */
export async function sendBatches(
	this: IExecuteFunctions,
	itemIndex: number,
	recipients: Recipients,
	body: IDataObject,
): Promise<IDataObject> {
	const batches = recipientBatches(recipients);
	const outcomes: BatchOutcome[] = [];
	const msgids: string[] = [];
	const responseCodes: string[] = [];
	const invalid = {
		invaliduser: new Set<string>(),
		invalidparty: new Set<string>(),
		invalidtag: new Set<string>(),
		unlicenseduser: new Set<string>(),
	};
	let allInvalidError: unknown;
	for (const batch of batches) {
		const attempt = await weComApiRequest
			.call(this, {
				method: 'POST',
				path: '/cgi-bin/message/send',
				body: { ...batch, ...body },
				itemIndex,
			})
			.then(
				(answer) => ({ answer, error: undefined }),
				(error: unknown) => ({ answer: undefined, error }),
			);
		if (attempt.answer === undefined) {
			const { error } = attempt;
			if (batches.length > 1 && isAllInvalid(error)) {
				// This slice reached no one; the others may still have. The output then lists all of it as invalid.
				allInvalidError = error;
				outcomes.push({ state: 'no one' });
				splitInvalid(batch.touser).forEach((id) => invalid.invaliduser.add(id));
				splitInvalid(batch.toparty).forEach((id) => invalid.invalidparty.add(id));
				splitInvalid(batch.totag).forEach((id) => invalid.invalidtag.add(id));
				continue;
			}
			if (batches.length === 1) {
				throw isAllInvalid(error)
					? explainPartialSend(
							error,
							`nothing was sent: ${batchRecipients(recipients, 0)} — none is a valid recipient in the app's visibility scope`,
						)
					: error;
			}
			outcomes.push({ state: 'failed' });
			const already = msgids.length
				? ` Already sent: msgids ${msgids.join(', ')}; only the rest failed.`
				: '';
			throw explainPartialSend(
				error,
				`${batchReport(recipients, outcomes, batches.length)}.${already}`,
			);
		}
		const { answer } = attempt;
		const msgid = typeof answer.msgid === 'string' && answer.msgid ? answer.msgid : undefined;
		outcomes.push({ state: 'sent', msgid });
		if (msgid) msgids.push(msgid);
		if (typeof answer.response_code === 'string' && answer.response_code) {
			responseCodes.push(answer.response_code);
		}
		for (const key of Object.keys(invalid) as Array<keyof typeof invalid>) {
			splitInvalid(answer[key]).forEach((id) => invalid[key].add(id));
		}
	}
	if (msgids.length === 0 && allInvalidError) {
		throw explainPartialSend(
			allInvalidError,
			`nothing was sent, ${batchReport(recipients, outcomes, batches.length)}`,
		);
	}

	const output: IDataObject = {};
	if (batches.length === 1) {
		output.msgid = msgids[0];
		if (responseCodes.length) output.response_code = responseCodes[0];
	} else {
		output.msgids = msgids;
		output.calls = batches.length;
		if (responseCodes.length) output.response_codes = responseCodes;
	}
	for (const [key, ids] of Object.entries(invalid)) output[key] = [...ids];
	return output;
}

export const sendOperation: NodeOperation = {
	value: 'send',
	name: 'Send',
	action: 'Send an app message',
	description:
		"Send an app message (应用消息) to users, departments, tags or everyone; lists over WeCom's per-call limits are split",
	properties: [
		...recipientProperties,
		...messageContentProperties(APP_MESSAGE_TYPES),
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				{
					displayName: 'Duplicate Check Interval (Seconds)',
					name: 'duplicateCheckInterval',
					type: 'number',
					typeOptions: { minValue: 1, maxValue: MAX_DUPLICATE_CHECK_INTERVAL },
					default: 1800,
					description:
						'How far back the duplicate check looks (duplicate_check_interval), at most 14400 (4 hours)',
				},
				{
					displayName: 'Enable Duplicate Check',
					name: 'enableDuplicateCheck',
					type: 'boolean',
					default: false,
					description:
						'Whether WeCom drops a message identical to one sent within the interval (enable_duplicate_check)',
				},
				{
					displayName: 'Enable ID Translation',
					name: 'enableIdTrans',
					type: 'boolean',
					default: false,
					description:
						'Whether $userName=userid$ and $departmentName=ID$ in the text are shown as names (enable_id_trans)',
				},
				safeOption,
			],
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const recipients = readRecipients.call(this, itemIndex);
		const options = readOptions.call(this, itemIndex);
		const prepared = await prepareMessage.call(this, itemIndex, APP_MESSAGE_TYPES);
		const { agentId } = await this.getCredentials(CREDENTIAL_TYPE);
		const agentid = Number(agentId);
		if (!Number.isInteger(agentid) || agentid <= 0) {
			throw inputError.call(
				this,
				itemIndex,
				"The credential's Agent ID is not a number: copy the AgentId of the app (应用管理 → the app → AgentId)",
			);
		}
		const { body, uploaded } = await finishMessage.call(this, itemIndex, prepared);
		const output = await sendBatches.call(this, itemIndex, recipients, {
			...body,
			agentid,
			...options,
		});
		return {
			msgtype: prepared.msgtype,
			...output,
			...(uploaded ? { media: uploaded } : {}),
		};
	},
};
