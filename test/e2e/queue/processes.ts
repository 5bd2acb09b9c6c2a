/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node, never inside n8n */
// The processes the queue-mode suite starts (Redis, PostgreSQL, n8n main, webhook and workers): each in a process
// group of its own, its output in a log file, and every one of them ended when the suite ends — normally, by a
// failed check, or by a signal.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';

import { sleep } from '../n8nHost';

const live = new Set<Managed>();

process.once('exit', () => {
	for (const managed of live) managed.signalGroup('SIGKILL');
});

export interface SpawnOptions {
	command: string;
	args: string[];
	env?: NodeJS.ProcessEnv;
	cwd?: string;
	logFile: string;
}

export class Managed {
	private exitCode: number | null = null;

	private exitSignal: NodeJS.Signals | null = null;

	private readonly exited: Promise<void>;

	private constructor(
		readonly name: string,
		readonly child: ChildProcess,
		readonly logFile: string,
	) {
		this.exited = new Promise((done) =>
			child.once('exit', (code, signal) => {
				this.exitCode = code;
				this.exitSignal = signal;
				live.delete(this);
				done();
			}),
		);
	}

	static spawn(name: string, options: SpawnOptions): Managed {
		const log = createWriteStream(options.logFile, { flags: 'a' });
		const child = spawn(options.command, options.args, {
			cwd: options.cwd,
			env: options.env ?? process.env,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		child.stdout!.pipe(log, { end: false });
		child.stderr!.pipe(log, { end: false });
		child.once('exit', () => log.end());
		const managed = new Managed(name, child, options.logFile);
		live.add(managed);
		child.once('error', () => undefined);
		return managed;
	}

	get pid(): number | undefined {
		return this.child.pid;
	}

	get running(): boolean {
		return live.has(this);
	}

	describeExit(): string {
		return this.exitSignal ? `signal ${this.exitSignal}` : `exit ${this.exitCode}`;
	}

	/** Signals the whole process group (n8n's task runner, Postgres' backends). */
	signalGroup(signal: NodeJS.Signals): void {
		if (this.child.pid === undefined) return;
		try {
			process.kill(-this.child.pid, signal);
		} catch {
			// Gone already.
		}
	}

	/** `signal` to the group, SIGKILL after `graceMs`; resolves once the leader has exited. */
	async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 20000): Promise<void> {
		if (this.running) {
			this.signalGroup(signal);
			const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
			await this.exited;
			clearTimeout(timer);
		}
		// Members that outlive the leader for a moment (a task runner) go too.
		this.signalGroup('SIGKILL');
	}

	/** kill -9 of the group, as a crashed host or the OOM killer would. */
	async kill9(): Promise<void> {
		this.signalGroup('SIGKILL');
		await this.exited;
	}

	async waitForExit(): Promise<void> {
		await this.exited;
	}

	log(): string {
		try {
			return readFileSync(this.logFile, 'utf8');
		} catch {
			return '';
		}
	}

	logTail(lines = 30): string {
		return this.log().trim().split('\n').slice(-lines).join('\n');
	}
}

/** Every managed process still running, stopped in reverse start order. */
export async function stopAll(): Promise<void> {
	for (const managed of [...live].reverse()) {
		await managed.stop().catch(() => undefined);
	}
}

/** Waits for the probe (true when ready); fails early when the process exits. */
export async function waitReady(
	managed: Managed,
	what: string,
	probe: () => Promise<boolean>,
	timeoutMs: number,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let last = '';
	for (;;) {
		if (!managed.running) {
			throw new Error(
				`${managed.name} exited (${managed.describeExit()}) before ${what}:\n${managed.logTail()}`,
			);
		}
		try {
			if (await probe()) return;
		} catch (error) {
			last = (error as Error).message;
		}
		if (Date.now() > deadline) {
			throw new Error(
				`${managed.name}: no ${what} within ${timeoutMs} ms${last ? ` (last: ${last})` : ''}:\n${managed.logTail()}`,
			);
		}
		await sleep(250);
	}
}
