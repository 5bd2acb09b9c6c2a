/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
import type { IncomingHttpHeaders } from 'node:http';

export type Platform = 'wecom' | 'dingtalk';

export interface RecordedCall {
	/** 'unknown' for paths that no enabled plugin claims. */
	platform: Platform | 'unknown';
	method: string;
	/** Path without the query string. */
	path: string;
	/** First value of each query parameter. */
	query: Record<string, string>;
	headers: IncomingHttpHeaders;
	/** Parsed JSON; `{ fields, files }` for multipart; the text when it is not JSON; undefined when empty. */
	body: unknown;
	rawBody: Buffer;
	/** 0 while the call is still being answered. */
	status: number;
	/** Parsed JSON answer, or the text of a non-JSON answer. */
	response: unknown;
	/** The kind of the injected fault that shaped this call, if any. */
	fault?: Fault['kind'];
}

interface FaultTarget {
	/** Exact path (no query) or a pattern tested against it. Without it the fault matches every
	 * call except the token endpoints, so "the next API call fails" needs no path. */
	path?: string | RegExp;
	/** How many matching calls the fault applies to; default 1. */
	times?: number;
}

export type Fault = FaultTarget &
	(
		| { kind: 'errcode'; errcode: number; errmsg?: string }
		| { kind: 'http'; status: number; body?: string }
		| { kind: 'latency'; ms: number }
		| { kind: 'invalidateToken' }
	);

export interface EmulatorRequest {
	method: string;
	path: string;
	query: Record<string, string>;
	headers: IncomingHttpHeaders;
	/** Parsed per the route's `body` setting: a JSON object, a multipart body, or undefined. */
	body: unknown;
	rawBody: Buffer;
	/** Values of the route's `:name` path segments (empty for exact paths). */
	params: Record<string, string>;
}

export interface Reply {
	status?: number;
	/** Sent as application/json. */
	json?: unknown;
	/** Sent as text/plain unless headers say otherwise. */
	text?: string;
	/** Bytes, sent as they are (a file download); application/octet-stream unless headers say otherwise. */
	bytes?: Buffer;
	/** Written piece by piece, each after its delay (a streamed answer, e.g. server-sent events). */
	stream?: Array<{ data: string; delayMs: number }>;
	/** Called once the last piece of `stream` was written. */
	onStreamEnd?: () => void;
	headers?: Record<string, string>;
}

/** Thrown by handlers and validators to answer with `reply` at once. */
export class ReplyError extends Error {
	constructor(readonly reply: Reply) {
		super('emulator reply');
		this.name = 'ReplyError';
	}
}

export interface PluginEnv {
	/** Milliseconds since the epoch, from the emulator's clock. */
	now(): number;
	baseUrl(): string;
}

export interface RouteContext<S> extends PluginEnv {
	state: S;
	/** Issues (or returns the still valid) token of an app. */
	obtainToken(appKey: string): { token: string; expiresInSeconds: number };
}

export interface Route<S> {
	method: 'GET' | 'POST' | 'PUT';
	/** Exact path, no query string; a segment `:name` matches any one segment (read it from `req.params`). */
	path: string;
	/** Token endpoints set this to false; everything else is checked by the plugin's authenticate(). */
	auth?: boolean;
	/** How to read the request body; default 'none' for GET and 'json' for POST. */
	body?: 'json' | 'multipart' | 'none';
	handle(req: EmulatorRequest, ctx: RouteContext<S>): Reply | Promise<Reply>;
}

export type TokenCheck = 'ok' | 'missing' | 'invalid' | 'expired';

/**
 * One platform. Adding endpoints means adding routes: an area file exports a `Route[]` and the
 * plugin's index lists it.
 */
export interface EmulatorPlugin<S> {
	readonly platform: Platform;
	/** Whether an unknown path belongs to this platform (for the record and the 404 shape). */
	owns(path: string): boolean;
	/** Fresh state from the seed; called at start and on reset(). */
	createState(env: PluginEnv): S;
	readonly routes: ReadonlyArray<Route<S>>;
	/** Finds the token where the platform expects it and checks it; returns the error answer, if any. */
	authenticate(
		req: EmulatorRequest,
		check: (token: string | undefined) => TokenCheck,
	): Reply | undefined;
	/** The answer to a body the route cannot read (bad JSON, broken multipart). */
	badBody(req: EmulatorRequest, detail: string): Reply;
	/** The answer to an errcode fault. */
	errcodeReply(errcode: number, errmsg: string | undefined, req: EmulatorRequest): Reply;
	notFound(req: EmulatorRequest): Reply;
}
