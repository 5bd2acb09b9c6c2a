/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// A real n8n around the built package: provisioning, install as a community package, CLI imports,
// the server process and a logged-in REST client. Shared by the end-to-end suite and the sandbox.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
	cpSync,
	createWriteStream,
	existsSync,
	mkdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');

const PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
	name: string;
	n8n?: { nodes?: string[]; credentials?: string[] };
};
export const PACKAGE_NAME = PACKAGE.name;

export interface Toolchain {
	/** Directory holding Node 24's `node`. */
	node24Bin: string;
	/** n8n's bin script, run with Node 24. */
	n8nBin: string;
	/** The node_modules folder of the n8n install (bcryptjs, sqlite3, ... live there). */
	n8nModules: string;
}

export type Log = (line: string) => void;

export class StepError extends Error {}

// --- small utilities -----------------------------------------------------------------------------

export function sleep(ms: number): Promise<void> {
	return new Promise((done) => setTimeout(done, ms));
}

/** Polls `probe` until it returns something other than undefined, or throws when the deadline passes. */
export async function waitFor<T>(
	what: string,
	probe: () => Promise<T | undefined> | T | undefined,
	{ timeoutMs, intervalMs = 200 }: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let lastError: Error | undefined;
	for (;;) {
		try {
			const value = await probe();
			if (value !== undefined) {
				return value;
			}
		} catch (error) {
			lastError = error as Error;
		}
		if (Date.now() >= deadline) {
			throw new StepError(
				`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}`,
			);
		}
		await sleep(intervalMs);
	}
}

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
	return new Promise((done, fail) => {
		const server = createServer();
		server.once('error', fail);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => done(port));
		});
	});
}

export function portIsFree(port: number): Promise<boolean> {
	return new Promise((done) => {
		const server = createServer();
		server.once('error', () => done(false));
		server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
	});
}

/** Every process group this module started and that is still alive: killed when this process exits. */
const liveChildren = new Set<ChildProcess>();
process.once('exit', () => {
	for (const child of liveChildren) killGroup(child, 'SIGKILL');
});

function track(child: ChildProcess): void {
	liveChildren.add(child);
	child.once('exit', () => liveChildren.delete(child));
}

/** Rejects when `promise` has not settled within `ms`. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<never>((_, fail) => {
		timer = setTimeout(() => fail(new StepError(`${what}: no answer within ${ms} ms`)), ms);
	});
	try {
		return await Promise.race([promise, deadline]);
	} finally {
		clearTimeout(timer);
	}
}

interface RunOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	timeoutMs: number;
	/** Receives the command's stdout and stderr, line by line. */
	log?: Log;
}

/** Runs a command to completion with a deadline; resolves with its stdout, rejects on failure. */
export function run(command: string, args: string[], options: RunOptions): Promise<string> {
	return new Promise((done, fail) => {
		const child = spawn(command, args, {
			cwd: options.cwd ?? REPO_ROOT,
			env: options.env ?? process.env,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		track(child);
		let stdout = '';
		let output = '';
		const collect = (stream: NodeJS.ReadableStream, keep: boolean) => {
			let pending = '';
			stream.setEncoding('utf8');
			stream.on('data', (chunk: string) => {
				if (keep) {
					stdout += chunk;
				}
				output += chunk;
				pending += chunk;
				const lines = pending.split('\n');
				pending = lines.pop() ?? '';
				for (const line of lines) {
					options.log?.(line);
				}
			});
			stream.on('end', () => pending && options.log?.(pending));
		};
		collect(child.stdout!, true);
		collect(child.stderr!, false);
		const timer = setTimeout(() => {
			killGroup(child, 'SIGKILL');
			fail(new StepError(`${command} ${args.join(' ')}: no result after ${options.timeoutMs} ms`));
		}, options.timeoutMs);
		child.on('error', (error) => {
			clearTimeout(timer);
			fail(error);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			if (code === 0) {
				done(stdout);
			} else {
				const tail = output.trim().split('\n').slice(-25).join('\n');
				fail(
					new StepError(
						`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${tail}`,
					),
				);
			}
		});
	});
}

/**
 * Signals the process group a detached child leads: n8n and its task runner alike. `evenAfterExit`
 * reaches members that outlive the leader (the group id stays taken while any member lives).
 */
function killGroup(child: ChildProcess, signal: NodeJS.Signals, evenAfterExit = false): void {
	const exited = child.exitCode !== null || child.signalCode !== null;
	if (child.pid === undefined || (exited && !evenAfterExit)) {
		return;
	}
	try {
		process.kill(-child.pid, signal);
	} catch {
		// The whole group is gone.
	}
}

// --- toolchain -----------------------------------------------------------------------------------

/** Node 24 + the pinned n8n (test/e2e/provision.sh; cached outside the repository). */
export async function provision(log: Log): Promise<Toolchain> {
	const out = await run('bash', [join(REPO_ROOT, 'test', 'e2e', 'provision.sh')], {
		timeoutMs: 30 * 60 * 1000,
		log: (line) => log(line),
	});
	const value = (key: string) => {
		const match = new RegExp(`^${key}=(.+)$`, 'm').exec(out);
		if (!match) {
			throw new StepError(`provision.sh printed no ${key}=`);
		}
		return match[1].trim();
	};
	const n8nBin = value('N8N_BIN');
	return {
		node24Bin: value('NODE24_BIN'),
		n8nBin,
		n8nModules: resolve(n8nBin, '..', '..', '..'),
	};
}

export async function buildPackage(log: Log): Promise<void> {
	await run('npm', ['run', 'build'], { timeoutMs: 5 * 60 * 1000, log });
	for (const file of [...(PACKAGE.n8n?.nodes ?? []), ...(PACKAGE.n8n?.credentials ?? [])]) {
		if (!existsSync(join(REPO_ROOT, file))) {
			throw new StepError(`the build did not produce ${file} (listed in package.json "n8n")`);
		}
	}
	if (!PACKAGE.n8n?.nodes?.length) {
		throw new StepError(
			'package.json "n8n.nodes" is empty: n8n would load no node from the package',
		);
	}
}

/**
 * Installs the built package the way n8n's community-package installer lays it out:
 * `<user folder>/.n8n/nodes/node_modules/<name>` with package.json and dist. Replaces an older copy.
 */
export function installPackage(userFolder: string): string {
	const nodesDir = join(userFolder, '.n8n', 'nodes');
	const target = join(nodesDir, 'node_modules', PACKAGE_NAME);
	rmSync(target, { recursive: true, force: true });
	mkdirSync(target, { recursive: true });
	cpSync(join(REPO_ROOT, 'package.json'), join(target, 'package.json'));
	cpSync(join(REPO_ROOT, 'dist'), join(target, 'dist'), { recursive: true });
	const manifest = join(nodesDir, 'package.json');
	if (!existsSync(manifest)) {
		writeFileSync(
			manifest,
			`${JSON.stringify({ name: 'installed-nodes', private: true }, null, 2)}\n`,
		);
	}
	return target;
}

/** A bcrypt hash (n8n's own bcryptjs) for N8N_INSTANCE_OWNER_PASSWORD_HASH. */
export function bcryptHash(toolchain: Toolchain, password: string): string {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const bcrypt = require(join(toolchain.n8nModules, 'bcryptjs')) as {
		hashSync(value: string, rounds: number): string;
	};
	return bcrypt.hashSync(password, 10);
}

export function randomPassword(): string {
	// n8n's password rules: 8+ characters, a digit and an upper-case letter.
	return `N8n-${randomBytes(9).toString('base64url')}-7Q`;
}

// --- the n8n instance ----------------------------------------------------------------------------

export interface Owner {
	email: string;
	password: string;
	/** bcrypt hash of password; computed when absent. */
	passwordHash?: string;
}

export interface N8nConfig {
	userFolder: string;
	port: number;
	brokerPort: number;
	encryptionKey: string;
	owner: Owner;
	/** Where n8n's own output goes. */
	logFile: string;
	/** Extra or overriding environment variables. */
	env?: NodeJS.ProcessEnv;
}

export function n8nEnv(toolchain: Toolchain, config: N8nConfig): NodeJS.ProcessEnv {
	const base = `http://127.0.0.1:${config.port}`;
	const env: NodeJS.ProcessEnv = {
		...process.env,
		PATH: `${toolchain.node24Bin}:${process.env.PATH ?? ''}`,
		N8N_USER_FOLDER: config.userFolder,
		N8N_ENCRYPTION_KEY: config.encryptionKey,
		DB_TYPE: 'sqlite',
		N8N_PORT: String(config.port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `${base}/`,
		WEBHOOK_URL: `${base}/`,
		N8N_RUNNERS_BROKER_PORT: String(config.brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_SECURE_COOKIE: 'false',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		// Executions are what the suite inspects: keep every one, whatever the outcome.
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		// The first start needs an owner; these make it headless (n8n creates or updates it from env).
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: config.owner.email,
		N8N_INSTANCE_OWNER_PASSWORD_HASH:
			config.owner.passwordHash ?? bcryptHash(toolchain, config.owner.password),
		N8N_INSTANCE_OWNER_FIRST_NAME: 'Sandbox',
		N8N_INSTANCE_OWNER_LAST_NAME: 'Owner',
		N8N_LOG_OUTPUT: 'console',
		...config.env,
	};
	// A proxy set for the host must not capture n8n's calls to the emulator on 127.0.0.1.
	env.NO_PROXY = ['127.0.0.1', 'localhost', env.NO_PROXY].filter(Boolean).join(',');
	env.no_proxy = env.NO_PROXY;
	return env;
}

/** One n8n CLI command (import:*, publish:workflow, ...) under Node 24. */
export async function n8nCli(
	toolchain: Toolchain,
	config: N8nConfig,
	args: string[],
	log: Log,
	timeoutMs = 3 * 60 * 1000,
): Promise<string> {
	let output = '';
	await run(join(toolchain.node24Bin, 'node'), [toolchain.n8nBin, ...args], {
		env: n8nEnv(toolchain, config),
		timeoutMs,
		log: (line) => {
			output += `${line}\n`;
			log(line);
		},
	});
	// Several commands report failures in their log and still exit 0.
	const failure = /^(An error occurred.*|Error updating database.*)$/im.exec(output);
	if (failure) {
		throw new StepError(
			`n8n ${args.join(' ')}: ${failure[0]}\n${output.trim().split('\n').slice(-15).join('\n')}`,
		);
	}
	return output;
}

export class N8nServer {
	private exited = false;

	private constructor(
		readonly child: ChildProcess,
		readonly config: N8nConfig,
	) {
		child.on('exit', () => {
			this.exited = true;
		});
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.config.port}`;
	}

	get running(): boolean {
		return !this.exited;
	}

	static start(toolchain: Toolchain, config: N8nConfig, echo?: Log): N8nServer {
		const logStream = createWriteStream(config.logFile, { flags: 'a' });
		const child = spawn(join(toolchain.node24Bin, 'node'), [toolchain.n8nBin, 'start'], {
			cwd: config.userFolder,
			env: n8nEnv(toolchain, config),
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		for (const stream of [child.stdout!, child.stderr!]) {
			stream.pipe(logStream, { end: false });
			if (echo) {
				let pending = '';
				stream.setEncoding('utf8');
				stream.on('data', (chunk: string) => {
					const lines = (pending + chunk).split('\n');
					pending = lines.pop() ?? '';
					lines.forEach((line) => echo(line));
				});
			}
		}
		child.on('exit', () => logStream.end());
		// Whatever ends this process, n8n and its task runner end with it.
		track(child);
		return new N8nServer(child, config);
	}

	/** Waits until the HTTP server answers /healthz/readiness (database connected and migrated). */
	async waitUntilReady(timeoutMs: number): Promise<void> {
		await waitFor(
			'n8n /healthz/readiness',
			async () => {
				if (this.exited) {
					throw new StepError(`n8n exited during start-up; see ${this.config.logFile}`);
				}
				const res = await fetch(`${this.baseUrl}/healthz/readiness`, {
					signal: AbortSignal.timeout(2000),
				});
				return res.ok ? true : undefined;
			},
			{ timeoutMs, intervalMs: 250 },
		);
	}

	/** SIGTERM to n8n's process group, SIGKILL if it is still there after `graceMs`. */
	async stop(graceMs = 10000): Promise<void> {
		if (this.exited) {
			killGroup(this.child, 'SIGKILL', true);
			return;
		}
		const exited = new Promise<void>((done) => this.child.once('exit', () => done()));
		killGroup(this.child, 'SIGTERM');
		const timer = setTimeout(() => killGroup(this.child, 'SIGKILL'), graceMs);
		await exited;
		clearTimeout(timer);
		// The task runner may outlive its parent for a moment.
		killGroup(this.child, 'SIGKILL', true);
	}

	logTail(lines = 40): string {
		try {
			return readFileSync(this.config.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
		} catch {
			return '(no n8n log)';
		}
	}
}

// --- n8n's REST API, as the editor uses it -------------------------------------------------------

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
}

export class N8nRest {
	private cookie = '';

	constructor(
		private readonly baseUrl: string,
		private readonly toolchain: Toolchain,
	) {}

	async login(owner: Owner): Promise<void> {
		const res = await fetch(`${this.baseUrl}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ emailOrLdapLoginId: owner.email, password: owner.password }),
			signal: AbortSignal.timeout(10000),
		});
		if (!res.ok) {
			throw new StepError(
				`n8n login as ${owner.email} failed: HTTP ${res.status} ${await res.text()}`,
			);
		}
		const cookie = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
		if (!cookie) {
			throw new StepError('n8n login answered without an n8n-auth cookie');
		}
		this.cookie = cookie.split(';')[0];
	}

	async get<T>(path: string): Promise<T> {
		const once = () =>
			fetch(`${this.baseUrl}/rest${path}`, {
				headers: { cookie: this.cookie, accept: 'application/json' },
				signal: AbortSignal.timeout(10000),
			});
		// A GET may be repeated: once more when a kept-alive connection was closed by n8n as it was reused.
		const res = await once().catch(async (error: Error) => {
			if (error.name !== 'TypeError') throw error;
			return await once();
		});
		if (!res.ok) {
			throw new StepError(
				`GET /rest${path}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`,
			);
		}
		return ((await res.json()) as { data: T }).data;
	}

	async post<T>(path: string, body: unknown): Promise<T> {
		const res = await fetch(`${this.baseUrl}/rest${path}`, {
			method: 'POST',
			headers: {
				cookie: this.cookie,
				accept: 'application/json',
				'content-type': 'application/json',
			},
			body: JSON.stringify(body),
			signal: AbortSignal.timeout(15000),
		});
		if (!res.ok) {
			throw new StepError(
				`POST /rest${path}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`,
			);
		}
		return ((await res.json()) as { data: T }).data;
	}

	/** The node types the editor loads (/types/nodes.json): every loaded node, with its codex and tool variants. */
	async nodeTypes(): Promise<Array<{ name: string; codex?: { categories?: string[] } }>> {
		const res = await fetch(`${this.baseUrl}/types/nodes.json`, {
			headers: { cookie: this.cookie, accept: 'application/json' },
			signal: AbortSignal.timeout(15000),
		});
		if (!res.ok) {
			throw new StepError(`GET /types/nodes.json: HTTP ${res.status}`);
		}
		return (await res.json()) as Array<{ name: string; codex?: { categories?: string[] } }>;
	}

	async workflow(
		id: string,
	): Promise<{ id: string; name: string; active: boolean; activeVersionId?: string | null }> {
		return await this.get(`/workflows/${encodeURIComponent(id)}`);
	}

	/** The executions of a workflow that n8n recorded (the newest 100), newest first, and their total. */
	async executions(workflowId: string): Promise<ExecutionSummary[] & { total: number }> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const page = await this.get<{
			results: ExecutionSummary[];
			count: number;
			estimated?: boolean;
		}>(`/executions?filter=${filter}&limit=100`);
		return Object.assign(page.results, { total: page.count });
	}

	/**
	 * Every execution of a workflow newer than `afterId` (all without it), newest first, paging with n8n's cursor.
	 */
	async executionsAfter(workflowId: string, afterId = 0): Promise<ExecutionSummary[]> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		// By id: n8n 2.41's first page is its current (running, new, waiting) executions followed by the newest of all
		// (ExecutionListV1Service.findCurrentAndCompleted), so an execution still running comes twice (CI counted three
		// Stream events "twice" that the database held once each).
		const all = new Map<string, ExecutionSummary>();
		const list = () => [...all.values()];
		let cursor: string | null | undefined;
		for (;;) {
			const page = await this.get<{ results: ExecutionSummary[]; nextCursor?: string | null }>(
				`/executions?filter=${filter}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
			);
			for (const execution of page.results) {
				if (Number(execution.id) <= afterId) return list();
				all.set(String(execution.id), execution);
			}
			cursor = page.nextCursor;
			if (!cursor || page.results.length === 0) return list();
		}
	}

	/** One execution's whole data (run data, the trigger's item on its stack), unflattened, and its error message. */
	async executionData(id: string): Promise<{ status: string; data: unknown; error?: string }> {
		const execution = await this.get<{ status: string; data: string | object }>(
			`/executions/${encodeURIComponent(id)}`,
		);
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { parse } = require(join(this.toolchain.n8nModules, 'flatted')) as {
			parse(text: string): unknown;
		};
		const data = typeof execution.data === 'string' ? parse(execution.data) : execution.data;
		const error = (data as { resultData?: { error?: { message?: string } } })?.resultData?.error
			?.message;
		return { status: execution.status, data, error };
	}

	/** Publishes a workflow (its current version), as the editor's Publish button does. */
	async publish(workflowId: string): Promise<void> {
		const workflow = await this.get<{ versionId: string }>(
			`/workflows/${encodeURIComponent(workflowId)}`,
		);
		await this.post(`/workflows/${encodeURIComponent(workflowId)}/activate`, {
			versionId: workflow.versionId,
		});
	}

	/** Unpublishes a workflow: n8n closes its triggers. */
	async unpublish(workflowId: string): Promise<void> {
		await this.post(`/workflows/${encodeURIComponent(workflowId)}/deactivate`, {});
	}

	/** One execution with its run data, unflattened. */
	async executionRunData(
		id: string,
	): Promise<Record<string, Array<{ data?: { main?: Array<Array<{ json: unknown }>> } }>>> {
		const execution = await this.get<{ data: string | object }>(
			`/executions/${encodeURIComponent(id)}`,
		);
		// n8n stores run data in the flatted format; its own copy of flatted reads it.
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { parse } = require(join(this.toolchain.n8nModules, 'flatted')) as {
			parse(text: string): unknown;
		};
		const data = (typeof execution.data === 'string' ? parse(execution.data) : execution.data) as {
			resultData?: {
				runData?: Record<string, Array<{ data?: { main?: Array<Array<{ json: unknown }>> } }>>;
			};
		};
		return data.resultData?.runData ?? {};
	}
}
