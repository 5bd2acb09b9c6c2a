import type {
	IDataObject,
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { CallbackCrypto, CallbackCryptoError } from '../shared/callbackCrypto';
import type { CallbackErrorReason } from '../shared/callbackCrypto';
import {
	CALLBACK_FILTER_OPTIONS,
	CHANGE_TYPE_OPTIONS,
	CallbackPayloadError,
	callbackToItem,
	dedupeKey,
	describeCallback,
	parseJsonObject,
	passesFilter,
	readCallbackPayload,
	readWeComXml,
	recentCallbacks,
} from './events';

/** Larger bodies are refused before any parsing: a WeCom envelope holds one encrypted message of a few KiB. */
export const MAX_CALLBACK_BODY_BYTES = 1024 * 1024;

const CALLBACK_PATH = 'callback';

/** A request the trigger refuses: answered with this status and text, and no execution starts. */
interface Refusal {
	refused: true;
	status: number;
	reason: string;
}

function refuse(status: number, reason: string): Refusal {
	return { refused: true, status, reason };
}

function isRefusal(value: unknown): value is Refusal {
	return (value as Refusal | undefined)?.refused === true;
}

// Signed but unusable requests are 400; requests that are not (or no longer) WeCom's are 403.
const STATUS_BY_CRYPTO_REASON: Readonly<Record<CallbackErrorReason, number>> = {
	missing_parameter: 400,
	signature_mismatch: 403,
	receiver_mismatch: 403,
	invalid_aes_key: 403,
	base64_decode_failed: 400,
	decrypt_failed: 400,
	illegal_buffer: 400,
	encrypt_failed: 400,
	invalid_timestamp: 400,
	invalid_nonce: 400,
};

/** The refusal for an error of the crypto or payload reader; undefined for anything else (a defect). */
function refusalFor(error: unknown): Refusal | undefined {
	if (error instanceof CallbackCryptoError) {
		return refuse(
			STATUS_BY_CRYPTO_REASON[error.reason],
			`${error.message} (WeCom error ${error.code})`,
		);
	}
	if (error instanceof CallbackPayloadError) {
		return refuse(error.reason === 'too_large' ? 413 : 400, error.message);
	}
	return undefined;
}

interface SignedQuery {
	signature: string;
	timestamp: string;
	nonce: string;
}

// Express hands over whatever the query held (a string, an array when repeated); CallbackCrypto
// names the shape when it is not a single string.
function signedQuery(query: IDataObject): SignedQuery {
	return {
		signature: query.msg_signature as string,
		timestamp: query.timestamp as string,
		nonce: query.nonce as string,
	};
}

async function callbackCrypto(this: IWebhookFunctions): Promise<CallbackCrypto | Refusal> {
	let credentials: IDataObject;
	try {
		credentials = await this.getCredentials('weComApi');
	} catch {
		return refuse(403, 'The WeCom Trigger has no WeCom credential selected');
	}
	const token = String(credentials.callbackToken ?? '').trim();
	const encodingAesKey = String(credentials.encodingAesKey ?? '').trim();
	const corpId = String(credentials.corpId ?? '').trim();
	if (token === '' || encodingAesKey === '') {
		return refuse(
			403,
			'The WeCom Trigger is not set up: set Callback Token and EncodingAESKey in the WeCom credential',
		);
	}
	if (corpId === '') {
		return refuse(403, 'The WeCom Trigger is not set up: set Corp ID in the WeCom credential');
	}
	// An EncodingAESKey of the wrong shape throws here, and is refused like any crypto error.
	return new CallbackCrypto({ platform: 'wecom', token, encodingAesKey, receiverIds: [corpId] });
}

/** A stale signed request is a replay: the signature is genuine, the moment is not. */
function staleness(timestamp: string, windowSeconds: number): Refusal | undefined {
	if (!(windowSeconds > 0)) return undefined;
	if (!/^\d{1,15}$/.test(timestamp)) {
		return refuse(400, 'The timestamp parameter is not a number of seconds');
	}
	const skew = Math.abs(Math.floor(Date.now() / 1000) - Number(timestamp));
	if (skew <= windowSeconds) return undefined;
	return refuse(
		403,
		`The timestamp is ${skew} s away from n8n's clock, outside the ${windowSeconds} s freshness window: a replayed or delayed request, or a wrong server clock`,
	);
}

/** The Encrypt value of the POST body: WeCom's XML envelope, or {tousername, encrypt, agentid}. */
function envelopeEncrypt(body: Buffer): string | Refusal {
	if (body.length > MAX_CALLBACK_BODY_BYTES) {
		return refuse(
			413,
			`The request body is ${body.length} bytes, more than the ${MAX_CALLBACK_BODY_BYTES} a WeCom callback can be`,
		);
	}
	const textBody = body.toString('utf8');
	const start = textBody.replace(/^[\uFEFF\s]+/, '').charAt(0);
	let encrypt: unknown;
	if (start === '<') {
		encrypt = readWeComXml(body, 'The request body', MAX_CALLBACK_BODY_BYTES).Encrypt;
	} else if (start === '{') {
		const envelope = parseJsonObject(textBody);
		if (envelope === undefined) return refuse(400, 'The request body is not valid JSON');
		encrypt = envelope.encrypt ?? envelope.Encrypt;
	} else {
		return refuse(
			400,
			start === ''
				? 'The request body is empty: a WeCom callback carries an encrypted envelope'
				: 'The request body is neither a WeCom XML nor a JSON callback envelope',
		);
	}
	if (typeof encrypt !== 'string' || encrypt === '') {
		return refuse(400, 'The callback envelope has no Encrypt value');
	}
	return encrypt;
}

interface TriggerOptions {
	timestampWindow?: number;
	includeRawXml?: boolean;
	dedupeWindow?: number;
}

export class WeComTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WeCom (企业微信) Trigger',
		name: 'weComTrigger',
		icon: { light: 'file:wecom.svg', dark: 'file:wecom.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["events"].join(", ")}}',
		description:
			'Starts the workflow on messages and events of a WeCom self-built app (接收消息): verified, decrypted, once per callback',
		defaults: { name: 'WeCom Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'weComApi', required: true }],
		webhooks: [
			{ name: 'setup', httpMethod: 'GET', responseMode: 'onReceived', path: CALLBACK_PATH },
			{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: CALLBACK_PATH },
		],
		properties: [
			{
				displayName:
					'Copy the <b>Production URL</b> from <b>Webhook URLs</b> above into the WeCom admin console: 应用管理 (Apps) → your app → 接收消息 (Receive Messages) → 设置API接收 (Set API Receiving) → URL, with the same Token and EncodingAESKey as in the credential. <b>Publish (activate) this workflow before saving there</b>: WeCom checks the URL at once and only the production URL stays registered.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Trigger On',
				name: 'events',
				type: 'multiOptions',
				options: CALLBACK_FILTER_OPTIONS,
				default: ['*'],
				description:
					'Which messages and events start the workflow; others are acknowledged to WeCom and dropped',
			},
			{
				displayName: 'Contact Change Types',
				name: 'changeTypes',
				type: 'multiOptions',
				options: CHANGE_TYPE_OPTIONS,
				default: [],
				displayOptions: { show: { events: ['*', 'event:change_contact'] } },
				description: 'Which change_contact changes start the workflow; leave empty for all of them',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Duplicate Window (Minutes)',
						name: 'dedupeWindow',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 10,
						description:
							'WeCom redelivers a callback up to 3 times; one seen again within this many minutes starts nothing. 0 turns the check off.',
					},
					{
						displayName: 'Include Raw XML',
						name: 'includeRawXml',
						type: 'boolean',
						default: false,
						description:
							'Whether to add the decrypted callback text as rawXml (rawJson for JSON callbacks)',
					},
					{
						displayName: 'Timestamp Freshness Window (Seconds)',
						name: 'timestampWindow',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 0,
						description:
							"Refuse signed requests whose timestamp is further than this from n8n's clock (replays). 0 turns the check off. Needs an accurate server clock.",
					},
				],
			},
		],
	};

	// WeCom has no API to register a callback URL: the user pastes it into the admin console.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		let outcome: IWebhookResponseData | Refusal;
		try {
			outcome =
				this.getWebhookName() === 'setup'
					? await verifyUrl.call(this)
					: await receiveCallback.call(this);
		} catch (error) {
			const refusal = refusalFor(error);
			if (refusal === undefined) throw new NodeOperationError(this.getNode(), error as Error);
			outcome = refusal;
		}
		if (!isRefusal(outcome)) return outcome;
		this.getResponseObject().status(outcome.status).type('text/plain').send(outcome.reason);
		return { noWebhookResponse: true };
	}
}

function triggerOptions(this: IWebhookFunctions): TriggerOptions {
	return this.getNodeParameter('options', {}) as TriggerOptions;
}

/** URL verification: the decrypted echostr, as the whole text/plain body. */
async function verifyUrl(this: IWebhookFunctions): Promise<IWebhookResponseData | Refusal> {
	const crypto = await callbackCrypto.call(this);
	if (isRefusal(crypto)) return crypto;
	const query = this.getRequestObject().query as IDataObject;
	const signed = signedQuery(query);
	if (typeof query.echostr !== 'string' || query.echostr === '') {
		const shape = Array.isArray(query.echostr) ? 'was sent more than once' : 'is missing';
		return refuse(400, `The URL check parameter echostr ${shape}`);
	}
	// Base64 has no spaces: a space here is a '+' that reached the URL unescaped and was decoded.
	const echostr = query.echostr.replace(/ /g, '+');
	crypto.verifySignature(signed.signature, signed.timestamp, signed.nonce, echostr);
	const stale = staleness(signed.timestamp, Number(triggerOptions.call(this).timestampWindow ?? 0));
	if (stale) return stale;
	const { message } = crypto.decrypt(echostr);
	this.getResponseObject().status(200).type('text/plain').send(message);
	return { noWebhookResponse: true };
}

async function receiveCallback(this: IWebhookFunctions): Promise<IWebhookResponseData | Refusal> {
	const req = this.getRequestObject();
	const crypto = await callbackCrypto.call(this);
	if (isRefusal(crypto)) return crypto;
	const encrypt = envelopeEncrypt(Buffer.isBuffer(req.rawBody) ? req.rawBody : Buffer.alloc(0));
	if (isRefusal(encrypt)) return encrypt;
	const signed = signedQuery(req.query as IDataObject);
	crypto.verifySignature(signed.signature, signed.timestamp, signed.nonce, encrypt);
	const options = triggerOptions.call(this);
	const stale = staleness(signed.timestamp, Number(options.timestampWindow ?? 0));
	if (stale) return stale;
	const { message } = crypto.decrypt(encrypt);
	const payload = readCallbackPayload(message);
	const facts = describeCallback(payload.fields);

	const wanted = passesFilter(facts, {
		categories: this.getNodeParameter('events', []) as string[],
		changeTypes: this.getNodeParameter('changeTypes', []) as string[],
	});
	const windowMs = Math.max(0, Number(options.dedupeWindow ?? 10)) * 60_000;
	const key = dedupeKey(payload.fields, facts);
	const node = this.getNode();
	const duplicate =
		wanted &&
		windowMs > 0 &&
		key !== undefined &&
		recentCallbacks.seen(
			JSON.stringify([this.getWorkflow().id ?? '', node.id ?? node.name, key]),
			windowMs,
			Date.now(),
		);

	// The answer goes out before the workflow starts and whatever it does: WeCom redelivers a
	// callback it has no answer for within 5 s, so a slow workflow must never hold it up.
	this.getResponseObject().status(200).end();
	if (!wanted || duplicate) return { noWebhookResponse: true };

	const item = callbackToItem(payload, facts, {
		raw: options.includeRawXml === true ? message : undefined,
	});
	return { noWebhookResponse: true, workflowData: [[{ json: item }]] };
}
