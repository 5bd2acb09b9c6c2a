/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node, never inside n8n */
// n8n in queue mode around the built package: one main (`n8n start`), one `n8n webhook` and the workers, sharing one
// user folder (the package installed there once), one encryption key, Redis and PostgreSQL; each with its own HTTP
// port, health port and task-runner broker port. The settings come from settings.ts, the one source the docker files
// are checked against.
import { join } from 'node:path';

import {
	freePort,
	n8nCli,
	n8nEnv,
	type Log,
	type N8nConfig,
	type Owner,
	type Toolchain,
} from '../n8nHost';
import { Managed, waitReady } from './processes';
import type { Postgres, Redis } from './services';
import { ROLE_COMMAND, settingsFor, WORKER_CONCURRENCY, type Role } from './settings';

export interface ProcessPorts {
	/** N8N_PORT: main's editor/API, the webhook process' webhooks; unused by workers but kept apart. */
	http: number;
	broker: number;
	/** QUEUE_HEALTH_CHECK_PORT of a worker. */
	health?: number;
}

export class N8nProcess {
	process?: Managed;

	/** Settings of this process that differ from its role's (settings.ts), from its next start on. */
	overrides: Record<string, string> = {};

	constructor(
		readonly name: string,
		readonly role: Role,
		readonly ports: ProcessPorts,
		readonly logFile: string,
	) {}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.ports.http}`;
	}

	/** Where the process says it is ready: /healthz/readiness (main, webhook) or the worker's health server. */
	get readinessUrl(): string {
		return this.role === 'worker'
			? `http://127.0.0.1:${this.ports.health}/healthz/readiness`
			: `${this.baseUrl}/healthz/readiness`;
	}

	get running(): boolean {
		return this.process?.running === true;
	}

	log(): string {
		return this.process?.log() ?? '';
	}
}

export class QueueDeployment {
	readonly main: N8nProcess;

	readonly webhook: N8nProcess;

	readonly workers: N8nProcess[] = [];

	private constructor(
		readonly toolchain: Toolchain,
		readonly folder: string,
		readonly base: N8nConfig,
		readonly postgres: Postgres,
		readonly redis: Redis,
		main: N8nProcess,
		webhook: N8nProcess,
	) {
		this.main = main;
		this.webhook = webhook;
	}

	static async create(options: {
		toolchain: Toolchain;
		folder: string;
		userFolder: string;
		owner: Owner;
		postgres: Postgres;
		redis: Redis;
		workers: number;
	}): Promise<QueueDeployment> {
		const ports = async (health = false): Promise<ProcessPorts> => ({
			http: await freePort(),
			broker: await freePort(),
			health: health ? await freePort() : undefined,
		});
		const main = new N8nProcess('main', 'main', await ports(), join(options.folder, 'main.log'));
		const webhook = new N8nProcess(
			'webhook',
			'webhook',
			await ports(),
			join(options.folder, 'webhook.log'),
		);
		const base: N8nConfig = {
			userFolder: options.userFolder,
			port: main.ports.http,
			brokerPort: main.ports.broker,
			encryptionKey: `queue-e2e-${Date.now()}-${process.pid}`,
			owner: options.owner,
			logFile: join(options.folder, 'cli.log'),
		};
		const deployment = new QueueDeployment(
			options.toolchain,
			options.folder,
			base,
			options.postgres,
			options.redis,
			main,
			webhook,
		);
		for (let i = 1; i <= options.workers; i++) {
			deployment.workers.push(
				new N8nProcess(
					`worker-${i}`,
					'worker',
					await ports(true),
					join(options.folder, `worker-${i}.log`),
				),
			);
		}
		return deployment;
	}

	/** The settings every process shares that depend on this deployment (see settings.ts DEPLOYMENT_SETTINGS). */
	deploymentSettings(): Record<string, string> {
		return {
			N8N_ENCRYPTION_KEY: this.base.encryptionKey,
			WEBHOOK_URL: `${this.webhook.baseUrl}/`,
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(this.redis.port),
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(this.postgres.port),
			DB_POSTGRESDB_DATABASE: this.postgres.database,
			DB_POSTGRESDB_USER: this.postgres.user,
			DB_POSTGRESDB_PASSWORD: this.postgres.password,
		};
	}

	/** The n8n configuration of one process (or of the CLI: main's ports, never listening). */
	config(process?: N8nProcess): N8nConfig {
		const role: Role = process?.role ?? 'main';
		const ports = process?.ports ?? this.main.ports;
		return {
			...this.base,
			port: ports.http,
			brokerPort: ports.broker,
			logFile: process?.logFile ?? this.base.logFile,
			env: {
				...settingsFor(role),
				...this.deploymentSettings(),
				N8N_EDITOR_BASE_URL: `${this.main.baseUrl}/`,
				...(process?.overrides ?? {}),
				// A worker's health server, on 127.0.0.1 only (all interfaces otherwise).
				...(ports.health
					? {
							QUEUE_HEALTH_CHECK_PORT: String(ports.health),
							N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
						}
					: {}),
			},
		};
	}

	/** An n8n CLI command against this deployment's database (import, publish). */
	async cli(args: string[], log: Log): Promise<string> {
		return await n8nCli(this.toolchain, this.config(), args, log);
	}

	async start(process: N8nProcess, timeoutMs = 180000): Promise<void> {
		const config = this.config(process);
		const args = [this.toolchain.n8nBin, ROLE_COMMAND[process.role]];
		if (process.role === 'worker') args.push(`--concurrency=${WORKER_CONCURRENCY}`);
		process.process = Managed.spawn(process.name, {
			command: join(this.toolchain.node24Bin, 'node'),
			args,
			cwd: config.userFolder,
			env: n8nEnv(this.toolchain, config),
			logFile: process.logFile,
		});
		await waitReady(
			process.process,
			`${process.readinessUrl} answering 200`,
			async () => (await fetch(process.readinessUrl, { signal: AbortSignal.timeout(2000) })).ok,
			timeoutMs,
		);
	}

	async stop(process: N8nProcess): Promise<void> {
		await process.process?.stop('SIGTERM', 30000);
	}

	async kill9(process: N8nProcess): Promise<void> {
		await process.process?.kill9();
	}
}

/** Executions a worker started, from its log ("Worker started execution N"). */
export function startedOn(process: N8nProcess): Set<string> {
	return new Set([...process.log().matchAll(/Worker started execution (\d+)/g)].map((m) => m[1]));
}
