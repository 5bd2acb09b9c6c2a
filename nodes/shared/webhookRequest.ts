// The request path of a callback trigger inside n8n 2.x (WeCom today, DingTalk's HTTP mode next):
// read the body without n8n's parser, refuse what is too big, and start executions so that the
// platform is answered only after n8n has recorded them.
//
// Why this shape — read from n8n 2.41's dist (webhooks/webhook-helpers.js, live-webhooks.js,
// middlewares/body-parser.js, credentials-helper.js) and measured in a real n8n 2.41 (`npm run bench:n8n`):
//
// * n8n parses `*/xml` bodies with ONE module-level xml2js parser before any node runs. A few
//   anonymous requests (`<xml/>trailing`, `<xml><Encrypt>AAAA</Encrypt></xml>`, `x<y>`) leave it in
//   a state where every later XML parse of the process never settles, so a trigger that relies on it
//   stops for good and each hung request keeps its expression isolate. n8n skips that parse for one
//   case only (parseRequestBody): a typeVersion 1 start node whose `options.binaryData` is truthy.
//   A typeVersion 2 node is always parsed, whatever its parameters. So a callback trigger stays
//   typeVersion 1, carries `options.binaryData: true` (RAW_BODY_OPTION, a hidden option that is the
//   collection's default) and reads the request stream itself (readRequestBody) — it never touches
//   the shared parser, and garbage cannot stop it.
// * Isolates (the default `vm` expression engine builds a fresh one, ~8 MiB and tens of ms of CPU, for
//   every acquisition): every community webhook node costs one in the webhook phase (live-webhooks
//   exempts only n8n's own Webhook node), and the `options.binaryData` check is evaluated inside that
//   same one, so it costs nothing more. `getCredentials` would acquire a second one per request
//   (CredentialsHelper.applyDefaultsAndOverwrites builds a Workflow for it): CredentialCache keeps what
//   a trigger derives from its credential, so a callback costs what an empty community trigger costs.
// * Answer after record: a node that writes the response itself answers before n8n has stored the
//   execution, and a crash then loses a callback the platform will never resend. Instead the webhook
//   uses responseMode `onReceived` with `responseData: ''` and the node returns its items plus
//   `webhookResponse: ''`: n8n answers the empty 200 right after WorkflowRunner.run has registered the
//   execution in its database, before the workflow runs (shouldDeferOnReceivedResponse). If n8n cannot
//   record it, it answers 500 and the platform redelivers. (Without `responseData` n8n would answer the
//   literal text `firstEntryJson`.)
import type {
	IDataObject,
	IHookFunctions,
	INodeExecutionData,
	INodeProperties,
	IWebhookDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

type Request = ReturnType<IWebhookFunctions['getRequestObject']>;
type Response = ReturnType<IWebhookFunctions['getResponseObject']>;

/**
 * The hidden option that makes n8n leave the body unparsed (see above). It must sit in the
 * collection named `options` (n8n evaluates exactly `$parameter["options"]["binaryData"]`), and the
 * collection's default must be `{ binaryData: true }`: n8n fills a collection's children from their
 * defaults only when the whole collection is absent, so the flag has to be in the value the editor
 * saves for a new node; options the user adds later go in beside it.
 */
export const RAW_BODY_OPTION: INodeProperties = {
	displayName: 'Read Raw Body',
	name: 'binaryData',
	type: 'hidden',
	default: true,
	description:
		"Keeps n8n's shared XML body parser away from this trigger: the node reads and checks the raw request itself",
};

/**
 * The POST webhook of a callback trigger: n8n answers `''` (200) once it has recorded the execution.
 * The node returns `startExecution(...)` or `acknowledge(...)` and never writes a 2xx itself.
 */
export function recordedCallbackWebhook(path: string): IWebhookDescription {
	return {
		name: 'default',
		httpMethod: 'POST',
		responseMode: 'onReceived',
		responseData: '',
		path,
	};
}

/** What n8n answers the platform with: a text (empty for WeCom) or a JSON object (DingTalk's signed "success"). */
export type CallbackAnswer = string | IDataObject;

// What Express's res.type('text/plain') / res.type('application/json') set, without its per-call MIME lookup.
const TEXT_TYPE = 'text/plain; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

function answerType(res: Response, answer: CallbackAnswer): void {
	res.setHeader('Content-Type', typeof answer === 'string' ? TEXT_TYPE : JSON_TYPE);
}

/** Starts an execution; n8n answers the platform with `answer` (200) after recording it. */
export function startExecution(
	res: Response,
	workflowData: INodeExecutionData[][],
	answer: CallbackAnswer = '',
): IWebhookResponseData {
	answerType(res, answer);
	return { workflowData, webhookResponse: answer };
}

/** A 200 with `answer` that starts nothing (filtered out, already recorded, or a URL check). */
export function acknowledge(res: Response, answer: CallbackAnswer = ''): IWebhookResponseData {
	answerType(res, answer);
	return { webhookResponse: answer };
}

export type RequestBodyProblem = 'too_large' | 'encoded' | 'aborted' | 'timeout';

const STATUS_BY_PROBLEM: Readonly<Record<RequestBodyProblem, number>> = {
	too_large: 413,
	encoded: 415,
	aborted: 400,
	timeout: 408,
};

/** The body could not be read within the trigger's limits. Messages name the limit, never content. */
export class RequestBodyError extends Error {
	readonly status: number;

	constructor(
		readonly problem: RequestBodyProblem,
		message: string,
	) {
		super(message);
		this.name = 'RequestBodyError';
		this.status = STATUS_BY_PROBLEM[problem];
	}
}

export interface RequestBody {
	bytes: Buffer;
	/**
	 * True when n8n had already read (and parsed) the body before the node ran: a node saved without
	 * `options.binaryData`, i.e. by a version of this package older than the flag.
	 */
	readByN8n: boolean;
}

export interface BodyLimits {
	maxBytes: number;
	/** How long the whole body may take to arrive; platforms send a few KiB at once. */
	deadlineMs: number;
}

function tooLarge(size: number | string, maxBytes: number): RequestBodyError {
	return new RequestBodyError(
		'too_large',
		`The request body is ${size} bytes, more than the ${maxBytes} a callback can be`,
	);
}

/**
 * Reads the request body from the stream, at most `maxBytes` and within `deadlineMs`. Compressed
 * bodies are refused (no callback platform compresses, and a small bomb would expand past any limit).
 */
export async function readRequestBody(req: Request, limits: BodyLimits): Promise<RequestBody> {
	const { maxBytes, deadlineMs } = limits;
	if (Buffer.isBuffer(req.rawBody)) {
		if (req.rawBody.length > maxBytes) throw tooLarge(req.rawBody.length, maxBytes);
		return { bytes: req.rawBody, readByN8n: true };
	}
	const encoding = String(req.headers['content-encoding'] ?? '')
		.trim()
		.toLowerCase();
	if (encoding !== '' && encoding !== 'identity') {
		throw new RequestBodyError(
			'encoded',
			`The request body is compressed (Content-Encoding: ${encoding.slice(0, 40)}); callbacks are sent uncompressed`,
		);
	}
	const declared = req.headers['content-length'];
	if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(declared, maxBytes);
	if (req.readableEnded) return { bytes: Buffer.alloc(0), readByN8n: false };

	let stop: () => void = () => undefined;
	const read = new Promise<Buffer>((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		const onData = (chunk: Buffer) => {
			size += chunk.length;
			if (size > maxBytes) {
				stop();
				reject(tooLarge(`over ${maxBytes}`, maxBytes));
				return;
			}
			chunks.push(chunk);
		};
		const onEnd = () => {
			stop();
			resolve(Buffer.concat(chunks, size));
		};
		const onAbort = () => {
			stop();
			reject(new RequestBodyError('aborted', 'The request body ended before it was complete'));
		};
		const onClose = () => {
			if (!req.complete) onAbort();
		};
		stop = () => {
			req.off('data', onData);
			req.off('end', onEnd);
			req.off('error', onAbort);
			req.off('aborted', onAbort);
			req.off('close', onClose);
		};
		req.on('data', onData);
		req.on('end', onEnd);
		req.on('error', onAbort);
		req.on('aborted', onAbort);
		req.on('close', onClose);
	});
	const timedOut = Symbol('timeout');
	const outcome = await Promise.race([read, sleep(deadlineMs).then(() => timedOut)]);
	if (outcome === timedOut) {
		stop();
		throw new RequestBodyError(
			'timeout',
			`The request body did not arrive within ${deadlineMs / 1000} s`,
		);
	}
	// Later readers (n8n's readRawBody) find it where they look.
	req.rawBody = outcome as Buffer;
	return { bytes: outcome as Buffer, readByN8n: false };
}

/**
 * Answers a refused request with a one-line text. After a body problem the rest of the body is not
 * read: the connection is closed instead of draining whatever the sender still pushes.
 */
export function refuseRequest(res: Response, status: number, reason: string, close = false): void {
	if (close) res.setHeader('Connection', 'close');
	res.status(status).type('text/plain').send(reason);
}

/**
 * The webhook lifecycle of a trigger whose URL the user pastes into the platform's console (neither WeCom nor DingTalk
 * has an API to register one): nothing to check, create or delete remotely.
 */
export const CONSOLE_REGISTERED_WEBHOOK_METHODS = {
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
