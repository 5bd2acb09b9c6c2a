/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error -- test code: runs under Node and jest, never inside n8n */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

import {
	buildDingTalkCallback,
	buildWeComCallback,
	sendCallback,
	type CallbackResponse,
	type SendCallbackOptions,
} from './callbackSender';
import { dingtalkPlugin } from './dingtalk';
import type { DingTalkState } from './dingtalk/state';
import { DingTalkStreamServer, type StreamServerOptions } from './dingtalk/streamServer';
import {
	AIBOT_CONTROL_PREFIX,
	WeComAiBotServer,
	type AiBotServerOptions,
} from './wecom/aiBotServer';
import { FaultQueue } from './faults';
import { Inbox } from './inbox';
import { INBOX_PATH, inboxReply } from './inboxPage';
import { MultipartError, parseMultipart } from './multipart';
import { TokenStore } from './tokens';
import {
	ReplyError,
	type EmulatorPlugin,
	type EmulatorRequest,
	type Fault,
	type Platform,
	type RecordedCall,
	type Reply,
	type Route,
} from './types';
import { isRecord } from './util';
import { forgetSharedTokens } from '../../nodes/shared/accessToken';
import { refuseUpgrade } from './webSocket';
import { wecomPlugin } from './wecom';
import type { SentMessage, WeComState } from './wecom/state';

export interface EmulatorOptions {
	/** 0 (the default) picks a free port. */
	port?: number;
	/** Access-token lifetime; default 7200 s as on both platforms. */
	tokenLifetimeMs?: number;
	/** Default: both. */
	plugins?: Platform[];
	/** The clock for tokens, media expiry, approvals and recall windows; default Date.now. */
	now?: () => number;
	/** Larger request bodies get HTTP 413; default 64 MB (room for WeCom's 20 MB files). */
	maxBodyBytes?: number;
	/** DingTalk's Stream server (redelivery delay, disconnect grace, automatic pings). */
	stream?: StreamServerOptions;
	/** WeCom's AI bot long-connection server (wecom plugin). */
	aiBot?: AiBotServerOptions;
	/** The time zone the inbox page (GET /_emulator/inbox) shows times in; default Asia/Shanghai. */
	inboxTimeZone?: string;
}

export interface WeComCallbackOptions {
	format?: 'xml' | 'json';
	timestamp?: string;
	nonce?: string;
	agentId?: number | string;
	method?: string;
	tamper?: SendCallbackOptions['tamper'];
}

export interface DingTalkCallbackOptions {
	timestamp?: string;
	nonce?: string;
	/** The trailing key; default the app's AppKey. */
	receiverId?: string;
	tamper?: SendCallbackOptions['tamper'];
}

// Internal: plugins are stored without their state type, each route paired with its plugin.
type AnyPlugin = EmulatorPlugin<unknown>;
interface Registered {
	plugin: AnyPlugin;
	route: Route<unknown>;
}

const PLUGINS: Record<Platform, AnyPlugin> = {
	wecom: wecomPlugin as AnyPlugin,
	dingtalk: dingtalkPlugin as AnyPlugin,
};

/** `npm run emulator` users (and other processes) drive the Stream server here, e.g. POST .../events. */
export const STREAM_CONTROL_PREFIX = '/_emulator/stream/';

const DEFAULT_TOKEN_LIFETIME_MS = 7200 * 1000;
const DEFAULT_MAX_BODY = 64 * 1024 * 1024;

/** A body as recorded, independent of what the route expects. */
function recordedBody(raw: Buffer, contentType: string | undefined): unknown {
	if (raw.length === 0) {
		return undefined;
	}
	if (contentType?.toLowerCase().startsWith('multipart/form-data')) {
		try {
			return parseMultipart(raw, contentType);
		} catch {
			return raw.toString('utf8');
		}
	}
	try {
		return JSON.parse(raw.toString('utf8'));
	} catch {
		return raw.toString('utf8');
	}
}

function httpFaultReply(status: number, body: string | undefined): Reply {
	const text = body ?? `emulator: injected HTTP ${status}`;
	try {
		JSON.parse(text);
		return { status, text, headers: { 'content-type': 'application/json; charset=UTF-8' } };
	} catch {
		return { status, text };
	}
}

function firstValues(params: URLSearchParams): Record<string, string> {
	const query: Record<string, string> = {};
	for (const [key, value] of params) {
		if (!(key in query)) {
			query[key] = value;
		}
	}
	return query;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size <= limit) {
				chunks.push(chunk);
			}
		});
		req.on('end', () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
		req.on('error', reject);
	});
}

export class ApiEmulator {
	/** Every request, in arrival order. */
	readonly calls: RecordedCall[] = [];

	private readonly routes = new Map<string, Registered>();

	/** Routes whose path has `:name` segments, tried in order when no exact path matches. */
	private readonly patternRoutes: Array<Registered & { pattern: RegExp; names: string[] }> = [];

	private readonly plugins: AnyPlugin[];

	private readonly states = new Map<Platform, unknown>();

	private readonly faults = new FaultQueue();

	private readonly tokens: TokenStore;

	private readonly now: () => number;

	private readonly maxBodyBytes: number;

	private readonly timers = new Set<{ timer: NodeJS.Timeout; done: () => void }>();

	private server?: Server;

	private port = 0;

	private readonly streamServer?: DingTalkStreamServer;

	private readonly aiBotServer?: WeComAiBotServer;

	/** Every message accepted, in order of arrival: GET /_emulator/inbox shows it. */
	readonly inbox = new Inbox(() => ({
		wecom: this.states.get('wecom') as WeComState | undefined,
		dingtalk: this.states.get('dingtalk') as DingTalkState | undefined,
	}));

	private readonly inboxTimeZone: string;

	private constructor(options: EmulatorOptions) {
		this.now = options.now ?? Date.now;
		this.inboxTimeZone = options.inboxTimeZone ?? 'Asia/Shanghai';
		this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
		this.tokens = new TokenStore(options.tokenLifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS, this.now);
		const platforms = [...new Set(options.plugins ?? (['wecom', 'dingtalk'] as Platform[]))];
		this.plugins = platforms.map((p) => PLUGINS[p]);
		for (const plugin of this.plugins) {
			for (const route of plugin.routes) {
				this.register(plugin, route);
			}
		}
		if (platforms.includes('wecom')) {
			this.aiBotServer = new WeComAiBotServer(
				() => this.now(),
				options.aiBot,
				() => this.baseUrl,
			);
		}
		if (platforms.includes('dingtalk')) {
			this.streamServer = new DingTalkStreamServer(
				{ now: () => this.now(), baseUrl: () => this.baseUrl, state: () => this.dingtalk },
				options.stream,
			);
		}
		this.reset();
	}

	static async start(options: EmulatorOptions = {}): Promise<ApiEmulator> {
		// Tokens the node code shares within this process (fetchTokenOnce) belong to an earlier emulator that may
		// have had this very port: a new emulator starts with none, as its token store does.
		forgetSharedTokens();
		const emulator = new ApiEmulator(options);
		await emulator.listen(options.port ?? 0);
		return emulator;
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	/** The inbox page: every message the emulator accepted, newest first (`inboxUrl + '.json'` for scripts). */
	get inboxUrl(): string {
		return `${this.baseUrl}${INBOX_PATH}`;
	}

	async stop(): Promise<void> {
		const server = this.server;
		if (!server) {
			return;
		}
		this.server = undefined;
		// Upgraded sockets are no longer the HTTP server's to close.
		this.streamServer?.shutdown();
		this.aiBotServer?.shutdown();
		for (const entry of this.timers) {
			clearTimeout(entry.timer);
			entry.done();
		}
		this.timers.clear();
		await new Promise<void>((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections();
		});
	}

	/** Forgets calls, faults and tokens, and restores every plugin's seed data. */
	reset(): void {
		forgetSharedTokens();
		this.calls.length = 0;
		this.faults.clear();
		this.tokens.clear();
		this.streamServer?.reset();
		this.aiBotServer?.reset();
		for (const plugin of this.plugins) {
			this.states.set(plugin.platform, plugin.createState(this.env()));
		}
	}

	// --- tokens ---

	/** Kills the live tokens early (the token endpoints then issue new ones). Returns how many. */
	invalidateTokens(platform?: Platform, as: 'invalid' | 'expired' = 'invalid'): number {
		return this.tokens.invalidate(platform, as);
	}

	/** How many distinct tokens a platform's token endpoints have issued (reuses not counted). */
	tokenIssueCount(platform: Platform): number {
		return this.tokens.issueCount(platform);
	}

	/** A valid token of the seeded app without an HTTP call (counts as an issue if it is new). */
	accessToken(platform: Platform): string {
		const key = platform === 'wecom' ? this.wecom.app.corpId : this.dingtalk.app.appKey;
		return this.tokens.obtain(platform, key).token;
	}

	// --- faults ---

	injectFault(fault: Fault): void {
		this.faults.add(fault);
	}

	pendingFaults(): Fault[] {
		return this.faults.remaining();
	}

	clearFaults(): void {
		this.faults.clear();
	}

	// --- records and state ---

	callsTo(path: string | RegExp): RecordedCall[] {
		return this.calls.filter((c) =>
			typeof path === 'string' ? c.path === path : path.test(c.path),
		);
	}

	get wecom(): WeComState {
		return this.stateOf('wecom') as WeComState;
	}

	get dingtalk(): DingTalkState {
		return this.stateOf('dingtalk') as DingTalkState;
	}

	/** DingTalk's Stream server: connections, events to publish, acks received, misbehaviour on demand. */
	get dingtalkStream(): DingTalkStreamServer {
		if (!this.streamServer) throw new Error('the dingtalk plugin is not enabled');
		return this.streamServer;
	}

	/** WeCom's AI bot long-connection server: connections, messages to push, the stream replies received. */
	get wecomAiBot(): WeComAiBotServer {
		if (!this.aiBotServer) throw new Error('the wecom plugin is not enabled');
		return this.aiBotServer;
	}

	/** WeCom messages accepted by message/send and appchat/send, oldest first. */
	sentMessages(): SentMessage[] {
		return this.wecom.messages;
	}

	/** The bytes of a WeCom media upload. */
	mediaBytes(mediaId: string): Buffer | undefined {
		return this.wecom.media.get(mediaId)?.data;
	}

	/** Adds an endpoint at run time (ad-hoc stubs in tests); it survives reset(). */
	addRoute(platform: 'wecom', route: Route<WeComState>): void;
	addRoute(platform: 'dingtalk', route: Route<DingTalkState>): void;
	addRoute(platform: Platform, route: Route<never>): void {
		const plugin = this.plugins.find((p) => p.platform === platform);
		if (!plugin) {
			throw new Error(`the ${platform} plugin is not enabled`);
		}
		this.register(plugin, route as Route<unknown>);
	}

	// --- callbacks into the code under test ---

	/** Encrypts and signs `payloadXml` with the seeded WeCom app's Token and EncodingAESKey and sends it. */
	sendWeComCallback(
		url: string,
		payloadXml: string,
		options: WeComCallbackOptions = {},
	): Promise<CallbackResponse> {
		const app = this.wecom.app;
		const built = buildWeComCallback({
			token: app.callbackToken,
			encodingAesKey: app.encodingAesKey,
			corpId: app.corpId,
			agentId: options.agentId ?? app.agentId,
			payloadXml,
			format: options.format,
			timestamp: options.timestamp,
			nonce: options.nonce,
		});
		return sendCallback(url, built, { method: options.method, tamper: options.tamper });
	}

	/** Encrypts and signs a DingTalk event with the seeded app's Token and aes_key and sends it. */
	sendDingTalkCallback(
		url: string,
		payload: string | object,
		options: DingTalkCallbackOptions = {},
	): Promise<CallbackResponse> {
		const app = this.dingtalk.app;
		const built = buildDingTalkCallback({
			token: app.callbackToken,
			aesKey: app.aesKey,
			receiverId: options.receiverId ?? app.appKey,
			payload,
			timestamp: options.timestamp,
			nonce: options.nonce,
		});
		return sendCallback(url, built, { tamper: options.tamper });
	}

	// --- internals ---

	private stateOf(platform: Platform): unknown {
		if (!this.states.has(platform)) {
			throw new Error(`the ${platform} plugin is not enabled`);
		}
		return this.states.get(platform);
	}

	private env() {
		return { now: () => this.now(), baseUrl: () => this.baseUrl };
	}

	private register(plugin: AnyPlugin, route: Route<unknown>): void {
		const key = `${route.method} ${route.path}`;
		if (this.routes.has(key)) {
			throw new Error(`duplicate emulator route ${key}`);
		}
		this.routes.set(key, { plugin, route });
		if (route.path.includes('/:')) {
			const names: string[] = [];
			const source = route.path
				.split('/')
				.map((segment) => {
					if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
					names.push(segment.slice(1));
					return '([^/]+)';
				})
				.join('/');
			this.patternRoutes.push({ plugin, route, pattern: new RegExp(`^${source}$`), names });
		}
	}

	/** The route for a method and path, exact paths first, with the values of its `:name` segments. */
	private findRoute(
		method: string,
		path: string,
	): { entry?: Registered; params: Record<string, string> } {
		const exact = this.routes.get(`${method} ${path}`);
		if (exact) return { entry: exact, params: {} };
		for (const candidate of this.patternRoutes) {
			if (candidate.route.method !== method) continue;
			const match = candidate.pattern.exec(path);
			if (!match) continue;
			const params: Record<string, string> = {};
			candidate.names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1])));
			return { entry: candidate, params };
		}
		return { params: {} };
	}

	private listen(port: number): Promise<void> {
		const server = createServer((req, res) => {
			this.handle(req, res).catch((error: Error) => {
				if (!res.headersSent) {
					res
						.writeHead(500, { 'content-type': 'text/plain' })
						.end(`emulator error: ${error.message}`);
				}
			});
		});
		this.server = server;
		// Node closes an idle keep-alive connection after 5 s and clients stop reusing one a second before that; on a
		// loaded machine a busy event loop (a 20 MB upload being built) can stretch that second, and the client sends on
		// a connection the server is closing (ECONNRESET). A long idle time keeps reuse far from the close.
		server.keepAliveTimeout = 60_000;
		server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
			if (
				!this.streamServer?.handleUpgrade(req, socket, head) &&
				!this.aiBotServer?.handleUpgrade(req, socket, head)
			) {
				refuseUpgrade(socket, 404, 'Not Found');
			}
		});
		return new Promise((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, '127.0.0.1', () => {
				server.off('error', reject);
				this.port = (server.address() as AddressInfo).port;
				resolve();
			});
		});
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const method = (req.method ?? 'GET').toUpperCase();
		const path = url.pathname;
		const rawBody = await readBody(req, this.maxBodyBytes);
		if (path.startsWith(STREAM_CONTROL_PREFIX) && this.streamServer) {
			// The emulator's own controls: not an API call, so not recorded.
			const reply = this.streamServer.control(
				method,
				path.slice(STREAM_CONTROL_PREFIX.length),
				recordedBody(rawBody ?? Buffer.alloc(0), 'application/json'),
			);
			await this.send(res, reply, {} as RecordedCall);
			return;
		}
		if (path.startsWith(AIBOT_CONTROL_PREFIX) && this.aiBotServer) {
			const reply = this.aiBotServer.control(
				method,
				path.slice(AIBOT_CONTROL_PREFIX.length),
				recordedBody(rawBody ?? Buffer.alloc(0), 'application/json'),
			);
			await this.send(res, reply, {} as RecordedCall);
			return;
		}
		// The AI bot messages' files, as WeCom's file server serves them (recorded by the store, not as API calls).
		const aiBotFile = this.aiBotServer?.files.serve(method, path);
		if (aiBotFile) {
			await this.send(res, aiBotFile, {} as RecordedCall);
			return;
		}
		if (path.startsWith(INBOX_PATH)) {
			// The emulator's own page: not an API call, so not recorded.
			const page = inboxReply(this.inbox, method, path, firstValues(url.searchParams), {
				timeZone: this.inboxTimeZone,
			});
			if (page) {
				await this.send(res, page, {} as RecordedCall);
				return;
			}
		}
		const { entry, params } = this.findRoute(method, path);
		const plugin = entry?.plugin ?? this.plugins.find((p) => p.owns(path));
		const request: EmulatorRequest = {
			method,
			path,
			query: firstValues(url.searchParams),
			headers: req.headers,
			body: undefined,
			rawBody: rawBody ?? Buffer.alloc(0),
			params,
		};
		const call: RecordedCall = {
			platform: plugin?.platform ?? 'unknown',
			method,
			path,
			query: request.query,
			headers: req.headers,
			body: recordedBody(request.rawBody, req.headers['content-type']),
			rawBody: request.rawBody,
			status: 0,
			response: undefined,
		};
		this.calls.push(call);

		let reply: Reply;
		try {
			reply =
				rawBody === undefined
					? {
							status: 413,
							json: { errcode: 413, errmsg: `emulator: body over ${this.maxBodyBytes} bytes` },
						}
					: await this.answer(request, entry, plugin, call);
		} catch (error) {
			reply =
				error instanceof ReplyError
					? error.reply
					: {
							status: 500,
							json: { errcode: -1, errmsg: `emulator error: ${(error as Error).message}` },
						};
		}
		await this.send(res, reply, call);
		this.inbox.observe();
	}

	private async answer(
		req: EmulatorRequest,
		entry: Registered | undefined,
		plugin: AnyPlugin | undefined,
		call: RecordedCall,
	): Promise<Reply> {
		const fault = this.faults.take(req.path, entry?.route.auth === false);
		if (fault) {
			call.fault = fault.kind;
			switch (fault.kind) {
				case 'latency':
					await this.delay(fault.ms);
					break;
				case 'invalidateToken':
					this.tokens.invalidate(plugin?.platform);
					break;
				case 'errcode':
					return plugin
						? plugin.errcodeReply(fault.errcode, fault.errmsg, req)
						: { json: { errcode: fault.errcode, errmsg: fault.errmsg ?? 'injected fault' } };
				case 'http':
					return httpFaultReply(fault.status, fault.body);
			}
		}
		if (!entry) {
			const other = [...this.routes.values()].find((r) => r.route.path === req.path);
			if (other) {
				return {
					status: 405,
					json: {
						errcode: 405,
						errmsg: `emulator: ${req.path} takes ${other.route.method}, not ${req.method}`,
					},
				};
			}
			return plugin
				? plugin.notFound(req)
				: {
						status: 404,
						json: { errcode: 404, errmsg: `emulator: no endpoint ${req.method} ${req.path}` },
					};
		}
		const { route } = entry;
		if (route.auth !== false) {
			const denied = entry.plugin.authenticate(req, (token) =>
				this.tokens.check(entry.plugin.platform, token),
			);
			if (denied) {
				return denied;
			}
		}
		const bodyKind = route.body ?? (route.method === 'GET' ? 'none' : 'json');
		if (bodyKind === 'json') {
			try {
				req.body = JSON.parse(req.rawBody.toString('utf8'));
			} catch (error) {
				return entry.plugin.badBody(req, (error as Error).message);
			}
			if (!isRecord(req.body)) {
				return entry.plugin.badBody(req, 'the body must be a JSON object');
			}
		} else if (bodyKind === 'multipart') {
			try {
				req.body = parseMultipart(req.rawBody, req.headers['content-type']);
			} catch (error) {
				if (!(error instanceof MultipartError)) {
					throw error;
				}
				return entry.plugin.badBody(req, `multipart/form-data: ${error.message}`);
			}
		}
		const platform = entry.plugin.platform;
		return route.handle(req, {
			...this.env(),
			state: this.states.get(platform),
			obtainToken: (appKey) => this.tokens.obtain(platform, appKey),
		});
	}

	private async send(res: ServerResponse, reply: Reply, call: RecordedCall): Promise<void> {
		const status = reply.status ?? 200;
		let payload: string | Buffer;
		const headers: Record<string, string> = {};
		if (reply.stream !== undefined) {
			call.status = status;
			call.response = reply.stream.map((piece) => piece.data).join('');
			if (res.destroyed) return;
			res.writeHead(status, { 'content-type': 'text/event-stream', ...reply.headers });
			for (const piece of reply.stream) {
				if (piece.delayMs > 0) await this.delay(piece.delayMs);
				if (res.destroyed) return;
				res.write(piece.data);
			}
			res.end();
			reply.onStreamEnd?.();
			return;
		}
		if (reply.bytes !== undefined) {
			payload = reply.bytes;
			headers['content-type'] = 'application/octet-stream';
			call.response = `<${reply.bytes.length} bytes>`;
		} else if (reply.json !== undefined) {
			payload = JSON.stringify(reply.json);
			headers['content-type'] = 'application/json; charset=UTF-8';
			call.response = JSON.parse(payload);
		} else {
			payload = reply.text ?? '';
			headers['content-type'] = 'text/plain; charset=UTF-8';
			call.response = recordedBody(Buffer.from(payload), 'application/json');
		}
		Object.assign(headers, reply.headers);
		call.status = status;
		if (!res.destroyed) {
			res.writeHead(status, headers).end(payload);
		}
	}

	private delay(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const entry = {
				timer: setTimeout(() => {
					this.timers.delete(entry);
					resolve();
				}, ms),
				done: resolve,
			};
			this.timers.add(entry);
		});
	}
}
