import type {
	IDataObject,
	ITriggerFunctions,
	ITriggerResponse,
	INode,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import type { CallbackCrypto, DecryptedCallback } from '../shared/callbackCrypto';
import {
	CallbackCryptoSource,
	dedupeWindowOption,
	TIMESTAMP_WINDOW_OPTION,
	isRefusal,
	refuse,
	requestRefusal,
	staleness,
	type Refusal,
} from '../shared/callbackTrigger';
import { answerAfterRun, answerAfterRunOption, holdCallbacks } from '../shared/heldCallbacks';
import { webhookParameters } from '../shared/nodeParameters';
import { triggerEventKey, triggerNodeScope } from '../shared/triggerScope';
import {
	CONSOLE_REGISTERED_WEBHOOK_METHODS,
	RAW_BODY_OPTION,
	acknowledge,
	readRequestBody,
	recordedCallbackWebhook,
	refuseRequest,
	startExecution,
} from '../shared/webhookRequest';
import {
	CALLBACK_FILTER_OPTIONS,
	CHANGE_TYPE_OPTIONS,
	CallbackPayloadError,
	callbackSubtitle,
	callbackToItem,
	dedupeKey,
	describeCallback,
	parseJsonObject,
	passesFilter,
	readCallbackPayload,
	readWeComXml,
	recentCallbacks,
} from './events';
import { testEventKey, testEventTrigger, testEvents } from './testEvents';

// How a callback travels through n8n, and why this shape is the wedge-proof one at the least cost
// (details and the n8n 2.41 code it rests on: nodes/shared/webhookRequest.ts; figures: `npm run bench:n8n`):
// - typeVersion 1 with the hidden `options.binaryData: true`: n8n never runs its shared xml2js parser
//   on these requests (which garbage can wedge for the whole instance); the node reads the raw stream
//   with its own limits and parses with nodes/shared/xml.ts.
// - One expression isolate per callback, the same as an empty community trigger: n8n acquires it for
//   every community webhook anyway; the credential is not read per request (CredentialCache), because
//   each getCredentials would build a second isolate.
// - The answer: n8n sends the empty 200 after it has recorded the execution (responseMode onReceived,
//   responseData ''), before the workflow runs; what cannot be recorded gets a 5xx and WeCom resends it.

const TRIGGER_PANEL = {
	header: '',
	executionsHelp: {
		inactive:
			"<b>WeCom posts every callback of an app to the one URL saved in its admin console</b> (应用管理 → your app → 接收消息 → 设置API接收), so this button only hears WeCom when that URL is this node's <b>Test URL</b>:<br /><br /><b>While building</b>: click 'Listen for test event', paste the Test URL into 设置API接收 and save (WeCom's URL check is answered while n8n listens; it does not use up the listening), then send the app a message. n8n listens for about two minutes; put the Production URL back before you publish.<br /><br /><b>Or</b> publish the workflow with the Production URL saved in WeCom, let real callbacks arrive, then open one in the <a data-key=\"executions\">executions list</a> and use <i>Copy to editor</i>.<br /><br /><b>Without WeCom</b>: from this package's repository, <code>npm run sandbox:send -- text \"你好\" --url &lt;Test URL&gt;</code> sends a signed, encrypted callback with the sandbox credential's Token and EncodingAESKey (<code>--help</code> lists the kinds).<br /><br />企业微信只把回调发到「设置API接收」里保存的那一个 URL：调试时先点 Listen，再把 Test URL 填进去并保存；或者发布后在执行列表里打开真实回调，用「Copy to editor」带回编辑器。",
		active:
			'<b>This workflow is published</b>: callbacks WeCom posts to the Production URL start it, and show in the <a data-key="executions">executions list</a> (open one and use <i>Copy to editor</i> to work on its data here).<br /><br /><b>WeCom posts to the one URL saved in 设置API接收</b>, so this button only hears WeCom while that URL is this node\'s <b>Test URL</b>. To test without WeCom: <code>npm run sandbox:send -- text "你好" --url &lt;Test URL&gt;</code> from this package\'s repository.<br /><br />企业微信只把回调发到「设置API接收」里保存的那一个 URL；已发布的工作流在执行列表中查看，可用「Copy to editor」带回编辑器。',
	},
	activationHint:
		"When it works, put the Production URL into WeCom's 设置API接收 and publish the workflow: WeCom then starts it on every callback (you won't see those executions here).",
};

/** Larger bodies are refused before any parsing: a WeCom envelope holds one encrypted message of a few KiB. */
export const MAX_CALLBACK_BODY_BYTES = 1024 * 1024;

/** WeCom gives up on an answer after 5 s; a body still arriving after that is not WeCom's. */
const BODY_DEADLINE_MS = 5000;

const CALLBACK_PATH = 'callback';

/** The refusal for an error of the crypto, the body or payload reader; undefined for anything else (a defect). */
function refusalFor(error: unknown): Refusal | undefined {
	if (error instanceof CallbackPayloadError) {
		return refuse(error.reason === 'too_large' ? 413 : 400, error.message);
	}
	return requestRefusal(error);
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

/** The crypto built from a credential, or why the credential cannot receive callbacks. */
function cryptoFromCredential(credentials: IDataObject): CallbackCrypto | Refusal {
	return CallbackCryptoSource.build({
		platform: 'wecom',
		token: credentials.callbackToken,
		aesKey: credentials.encodingAesKey,
		receivers: [credentials.corpId],
		notSetUp:
			'The WeCom Trigger is not set up: set Callback Token and EncodingAESKey in the WeCom credential',
		noReceiver: 'The WeCom Trigger is not set up: set Corp ID in the WeCom credential',
		unusableKey: 'The EncodingAESKey in the WeCom credential is unusable',
	});
}

/** Read once a minute per trigger node (see CredentialCache for why not per request). */
const cryptos = new CallbackCryptoSource({
	credentialType: 'weComApi',
	noCredential: 'The WeCom Trigger has no WeCom credential selected',
	build: cryptoFromCredential,
});

/**
 * Runs `use` with the trigger's callback crypto. The URL check and test-URL requests (the moments a
 * user has just edited something) always read the credential afresh.
 */
async function withCallbackCrypto<T>(
	context: IWebhookFunctions,
	use: (crypto: CallbackCrypto) => T | Refusal,
	node?: INode,
): Promise<T | Refusal> {
	const fresh = context.getWebhookName() === 'setup' || context.getMode() === 'manual';
	return await cryptos.run(context, fresh, use, node);
}

/** Checks the signature over `encrypted` and the freshness window, then decrypts it. */
async function openSigned(
	this: IWebhookFunctions,
	signed: SignedQuery,
	encrypted: string,
	timestampWindow: number,
	node?: INode,
): Promise<DecryptedCallback | Refusal> {
	return await withCallbackCrypto<DecryptedCallback>(
		this,
		(crypto) => {
			crypto.verifySignature(signed.signature, signed.timestamp, signed.nonce, encrypted);
			return staleness(signed.timestamp, timestampWindow) ?? crypto.decrypt(encrypted);
		},
		node,
	);
}

/** The Encrypt value of the POST body: WeCom's XML envelope, or {tousername, encrypt, agentid}. */
function envelopeEncrypt(body: Buffer): string | Refusal {
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
	answerAfterRun?: boolean;
}

export class WeComTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WeCom (企业微信) Trigger',
		name: 'weComTrigger',
		icon: { light: 'file:wecom.svg', dark: 'file:wecom.dark.svg' },
		group: ['trigger'],
		// Stays 1: n8n leaves the body unparsed only for typeVersion 1 (see the top of this file).
		version: 1,
		subtitle: callbackSubtitle(),
		description:
			// n8n's node panel files this trigger under the WeCom entry and shows this text for the whole entry, the
			// actions included (n8n 2.41: the merged entry takes the trigger's description): it speaks for both.
			"Send WeCom app messages, manage group chats, submit and track approvals (审批), look up people; and start workflows on the app's messages and events (接收消息: approvals, contacts, clicks), verified and decrypted, once per callback",
		defaults: { name: 'WeCom Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'weComApi', required: true }],
		webhooks: [
			{ name: 'setup', httpMethod: 'GET', responseMode: 'onReceived', path: CALLBACK_PATH },
			recordedCallbackWebhook(CALLBACK_PATH),
		],
		triggerPanel: TRIGGER_PANEL,
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
				// RAW_BODY_OPTION's flag, set from the start (written out: the lint wants a literal here).
				default: { binaryData: true },
				options: [
					RAW_BODY_OPTION,
					dedupeWindowOption('WeCom redelivers a callback up to 3 times'),
					{
						displayName: 'Include Raw XML',
						name: 'includeRawXml',
						type: 'boolean',
						default: false,
						description:
							'Whether to add the decrypted callback text as rawXml (rawJson for JSON callbacks)',
					},
					TIMESTAMP_WINDOW_OPTION,
					answerAfterRunOption('WeCom', "WeCom's 5 s"),
				],
			},
		],
	};

	// WeCom has no API to register a callback URL: the user pastes it into the admin console.
	webhookMethods = CONSOLE_REGISTERED_WEBHOOK_METHODS;

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
		refuseRequest(this.getResponseObject(), outcome.status, outcome.reason, outcome.close);
		return { noWebhookResponse: true };
	}

	// webhook() does the work. n8n runs a node that has trigger() through it also when a webhook started the run: a
	// test run calls this and waits for an emit, so it gets the test event webhook() accepted (testEvents.ts).
	// Published, n8n calls this once on activation, on the main process: nothing to start, unless "Answer After the
	// Run" has this process hold the callbacks (shared/heldCallbacks.ts).
	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		if (this.getMode() === 'manual') return testEventTrigger.call(this);
		const options = this.getNodeParameter('options', {}) as TriggerOptions;
		if (options.answerAfterRun !== true) return {};
		return holdCallbacks(this, {
			deduplicate: Number(options.dedupeWindow ?? 10) > 0,
			label: 'WeCom Trigger',
		});
	}
}


function triggerOptions(this: IWebhookFunctions): TriggerOptions {
	return this.getNodeParameter('options', {}) as TriggerOptions;
}

/** URL verification: the decrypted echostr, as the whole text/plain body. */
async function verifyUrl(this: IWebhookFunctions): Promise<IWebhookResponseData | Refusal> {
	const query = this.getRequestObject().query as IDataObject;
	const signed = signedQuery(query);
	if (typeof query.echostr !== 'string' || query.echostr === '') {
		const shape = Array.isArray(query.echostr) ? 'was sent more than once' : 'is missing';
		// The credential is still checked first: an unusable one is what the user must fix.
		const unusable = await withCallbackCrypto(this, () => undefined);
		if (isRefusal(unusable)) return unusable;
		return refuse(400, `The URL check parameter echostr ${shape}`);
	}
	// Base64 has no spaces: a space here is a '+' that reached the URL unescaped and was decoded.
	const echostr = query.echostr.replace(/ /g, '+');
	const timestampWindow = Number(triggerOptions.call(this).timestampWindow ?? 0);
	const opened = await openSigned.call(this, signed, echostr, timestampWindow);
	if (isRefusal(opened)) return opened;
	// URL verification starts no execution, so there is nothing to record: answered here, exactly.
	this.getResponseObject().status(200).type('text/plain').send(opened.message);
	return { noWebhookResponse: true };
}

async function receiveCallback(this: IWebhookFunctions): Promise<IWebhookResponseData | Refusal> {
	const req = this.getRequestObject();
	const res = this.getResponseObject();
	// The node and its parameters, read once for the whole request (nodes/shared/nodeParameters.ts).
	const parameters = webhookParameters(this);
	const { node } = parameters;
	const body = await readRequestBody(req, {
		maxBytes: MAX_CALLBACK_BODY_BYTES,
		deadlineMs: BODY_DEADLINE_MS,
	});
	if (body.readByN8n) warnParsedByN8n.call(this);
	const encrypt = envelopeEncrypt(body.bytes);
	if (isRefusal(encrypt)) return encrypt;
	const signed = signedQuery(req.query as IDataObject);
	const options = parameters.get<TriggerOptions>('options', {});
	const timestampWindow = Number(options.timestampWindow ?? 0);
	const opened = await openSigned.call(this, signed, encrypt, timestampWindow, node);
	if (isRefusal(opened)) return opened;
	const { message } = opened;
	const payload = readCallbackPayload(message);
	const facts = describeCallback(payload.fields);

	const wanted = passesFilter(facts, {
		categories: parameters.get<string[]>('events', []),
		changeTypes: parameters.get<string[]>('changeTypes', []),
	});
	if (!wanted) return acknowledge(res);

	const windowMs = Math.max(0, Number(options.dedupeWindow ?? 10)) * 60_000;
	const key = dedupeKey(payload.fields, facts);
	if (windowMs > 0 && key !== undefined) {
		const claim = await recentCallbacks.claim(
			triggerEventKey(this.getWorkflow().id, node, key),
			windowMs,
			res,
			BODY_DEADLINE_MS,
		);
		if (claim === 'duplicate') return acknowledge(res);
		if (claim === 'undecided') {
			return refuse(
				503,
				'An earlier delivery of this callback is still being recorded; WeCom will send it again',
			);
		}
	}

	const item = callbackToItem(payload, facts, {
		raw: options.includeRawXml === true ? message : undefined,
	});
	const workflowData = [[{ json: item }]];
	// A test event (the Test URL): the run n8n starts for it gets its items from trigger() (testEvents.ts).
	if (this.getMode() === 'manual') {
		testEvents.put(testEventKey(this.getWorkflow().id, node), workflowData, Date.now());
	} else if (options.answerAfterRun === true) {
		// Held by the trigger on n8n's main process until its run finished, run again if n8n lost it, then answered
		// (shared/heldCallbacks.ts).
		return await answerAfterRun(this, node, { json: item }, key, '', 'WeCom');
	}
	// n8n answers WeCom's empty 200 once it has recorded this execution, and before the workflow runs:
	// a slow workflow never makes WeCom resend, and nothing WeCom was told about can be lost in a crash.
	return startExecution(res, workflowData);
}

const warnedNodes = new Set<string>();

/** A trigger saved before the raw-body flag existed still depends on n8n's XML parser: say so once. */
function warnParsedByN8n(this: IWebhookFunctions): void {
	const node = this.getNode();
	const key = triggerNodeScope(this.getWorkflow().id, node);
	if (warnedNodes.has(key) || warnedNodes.size > 1000) return;
	warnedNodes.add(key);
	this.logger.warn(
		`WeCom Trigger "${node.name}" was saved by an older version of n8n-nodes-wecom-dingtalk: n8n parsed its body with the shared XML parser, which garbage requests can stop for the whole instance. Delete the node and add it again (then paste its URL into WeCom again if the webhook URL changed).`,
	);
}
