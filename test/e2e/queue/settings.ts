// The queue-mode deployment this package is tested in — the one source of its settings. The queue-mode suite
// (test/e2e/queue/run.ts) starts its processes with these, and test/docker/compose.test.ts checks that the compose
// files under docker/ say the same. README.md ("Queue mode") explains each.

/** The processes of the deployment and what each runs. */
export type Role = 'main' | 'webhook' | 'worker';

export const ROLE_COMMAND: Readonly<Record<Role, string>> = {
	main: 'start',
	webhook: 'webhook',
	worker: 'worker',
};

/** How many workers the suite and the compose file run. */
export const WORKERS = 2;

/** Executions a worker runs at once (`n8n worker --concurrency`; n8n's default). */
export const WORKER_CONCURRENCY = 10;

/** Settings every process gets, with the same value everywhere. */
export const SHARED_SETTINGS: Readonly<Record<string, string>> = {
	EXECUTIONS_MODE: 'queue',
	DB_TYPE: 'postgresdb',
	// n8n's default pool answered half of a 500-callback burst with "503 Database is not ready!".
	DB_POSTGRESDB_POOL_SIZE: '10',
	// Manual executions run on workers too, as they always do in n8n 3.x.
	OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
	N8N_DIAGNOSTICS_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
	N8N_TEMPLATES_ENABLED: 'false',
	N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
	// Keep every execution: what the checks (and an operator after a lost run) read.
	EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
	EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
};

/** Settings of one role only. */
export const ROLE_SETTINGS: Readonly<Record<Role, Readonly<Record<string, string>>>> = {
	main: {
		// Production webhooks are served by webhook processes only: every callback of a trigger then reaches the one
		// process that keeps that trigger's redelivery window (see README, "Queue mode").
		N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
	},
	webhook: {},
	worker: {
		QUEUE_HEALTH_CHECK_ACTIVE: 'true',
	},
};

/**
 * Settings whose value depends on the deployment (hosts, ports, secrets): every process must have each, the same
 * wherever the value is shared (all but the per-process ports).
 */
export const DEPLOYMENT_SETTINGS: readonly string[] = [
	'N8N_ENCRYPTION_KEY',
	'WEBHOOK_URL',
	'QUEUE_BULL_REDIS_HOST',
	'QUEUE_BULL_REDIS_PORT',
	'DB_POSTGRESDB_HOST',
	'DB_POSTGRESDB_PORT',
	'DB_POSTGRESDB_DATABASE',
	'DB_POSTGRESDB_USER',
	'DB_POSTGRESDB_PASSWORD',
];

/** Every setting a process of this role gets from this file. */
export function settingsFor(role: Role): Record<string, string> {
	return { ...SHARED_SETTINGS, ...ROLE_SETTINGS[role] };
}

/** The n8n release the suite runs (test/e2e/provision.sh) and the 3.x image docker/Dockerfile builds on. */
export const N8N_2_VERSION = '2.41.0';
