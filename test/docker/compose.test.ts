/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under jest, never inside n8n */
// docker/ says what the queue-mode suite runs: the compose files are read (with the `yaml` parser already in
// node_modules, merge keys on) and held against test/e2e/queue/settings.ts, the settings the suite starts its
// processes with. No Docker here: this checks the files, the README says what was not run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

import {
	DEPLOYMENT_SETTINGS,
	ROLE_COMMAND,
	ROLE_SETTINGS,
	settingsFor,
	SHARED_SETTINGS,
	WORKER_CONCURRENCY,
	WORKERS,
	type Role,
} from '../e2e/queue/settings';

const ROOT = join(__dirname, '..', '..');
const DOCKER = join(ROOT, 'docker');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
	name: string;
	files: string[];
	n8n: { nodes: string[]; credentials: string[] };
};

interface Service {
	image?: string;
	build?: { context?: string; dockerfile?: string };
	command?: string | string[];
	environment?: Record<string, unknown>;
	volumes?: string[];
	ports?: string[];
}

function compose(file: string): { services: Record<string, Service> } {
	return parse(readFileSync(join(DOCKER, file), 'utf8'), { merge: true }) as {
		services: Record<string, Service>;
	};
}

const command = (service: Service) =>
	Array.isArray(service.command) ? service.command.join(' ') : String(service.command ?? '');

const env = (service: Service) =>
	Object.fromEntries(
		Object.entries(service.environment ?? {}).map(([key, value]) => [key, String(value)]),
	);

function roleOf(service: Service): Role | undefined {
	const [verb] = command(service).split(' ');
	return (Object.keys(ROLE_COMMAND) as Role[]).find((role) => ROLE_COMMAND[role] === verb);
}

/** The n8n services (those built from docker/Dockerfile). */
function n8nServices(services: Record<string, Service>): Array<[string, Service]> {
	return Object.entries(services).filter(([, s]) => s.build?.dockerfile === 'Dockerfile');
}

describe("docker/compose.queue.yml: the queue-mode suite's topology and settings", () => {
	const { services } = compose('compose.queue.yml');
	const n8n = n8nServices(services);

	it("runs one main, one webhook process and the suite's number of workers, all from the one image", () => {
		const roles = n8n.map(([, s]) => roleOf(s));
		expect(roles.filter((r) => r === 'main')).toHaveLength(1);
		expect(roles.filter((r) => r === 'webhook')).toHaveLength(1);
		expect(roles.filter((r) => r === 'worker')).toHaveLength(WORKERS);
		expect(roles).not.toContain(undefined);
		expect(new Set(n8n.map(([, s]) => s.image)).size).toBe(1);
		for (const [, service] of n8n.filter(([, s]) => roleOf(s) === 'worker')) {
			expect(command(service)).toBe(`worker --concurrency=${WORKER_CONCURRENCY}`);
		}
	});

	it.each(['main', 'webhook', 'worker'] as Role[])(
		'gives every %s process exactly the settings of settings.ts',
		(role) => {
			for (const [name, service] of n8n.filter(([, s]) => roleOf(s) === role)) {
				const actual = env(service);
				const wanted = settingsFor(role);
				const wrong = Object.entries(wanted).filter(([key, value]) => actual[key] !== value);
				expect({ service: name, wrong }).toEqual({ service: name, wrong: [] });
				for (const key of DEPLOYMENT_SETTINGS) {
					expect({ service: name, key, set: (actual[key] ?? '') !== '' }).toEqual({
						service: name,
						key,
						set: true,
					});
				}
			}
		},
	);

	it('sets no role setting on another role (main alone refuses production webhooks)', () => {
		for (const [name, service] of n8n) {
			const role = roleOf(service)!;
			for (const other of (Object.keys(ROLE_SETTINGS) as Role[]).filter((r) => r !== role)) {
				for (const [key, value] of Object.entries(ROLE_SETTINGS[other])) {
					if (key in SHARED_SETTINGS || key in ROLE_SETTINGS[role]) continue;
					expect({ service: name, key, value: env(service)[key] }).not.toEqual({
						service: name,
						key,
						value,
					});
				}
			}
		}
	});

	it('shares one value of each deployment setting (one key, one database, one Redis, one WEBHOOK_URL)', () => {
		for (const key of DEPLOYMENT_SETTINGS) {
			expect({ key, values: [...new Set(n8n.map(([, s]) => env(s)[key]))].length }).toEqual({
				key,
				values: 1,
			});
		}
	});

	it('keeps data in PostgreSQL and mounts nothing over the folder the package lives in', () => {
		for (const [, service] of n8n) {
			for (const volume of service.volumes ?? [])
				expect(volume).not.toMatch(/:\/home\/node\/\.n8n/);
		}
		expect(services.postgres?.image).toMatch(/^postgres:\d+(\.\d+)*$/);
		expect(services.redis?.image).toMatch(/^redis:\d+(\.\d+)*$/);
	});
});

describe('docker/compose.yml: one n8n', () => {
	const { services } = compose('compose.yml');
	const n8n = n8nServices(services);

	it('is one process of the same image, not in queue mode, its data on a volume beside the package', () => {
		expect(n8n).toHaveLength(1);
		const [, service] = n8n[0];
		expect(roleOf(service)).toBe('main');
		expect(service.image).toBe(compose('compose.queue.yml').services['n8n-main'].image);
		expect(env(service).EXECUTIONS_MODE).toBeUndefined();
		expect(env(service).N8N_ENCRYPTION_KEY).toMatch(/N8N_ENCRYPTION_KEY/);
		const dataVolume = (service.volumes ?? []).map((v) => v.split(':')[1]);
		expect(dataVolume).toHaveLength(1);
		expect(env(service).DB_SQLITE_DATABASE.startsWith(`${dataVolume[0]}/`)).toBe(true);
		expect(dataVolume[0]).not.toMatch(/^\/home\/node\/\.n8n/);
	});
});

describe('docker/Dockerfile', () => {
	const dockerfile = readFileSync(join(DOCKER, 'Dockerfile'), 'utf8');

	it('builds on a pinned n8n 3.x image and lets n8n load this unverified package', () => {
		expect(dockerfile).toMatch(/^ARG N8N_IMAGE=n8nio\/n8n:3\.\d+\.\d+\S*$/m);
		expect(dockerfile).toMatch(/^FROM \$\{N8N_IMAGE\}$/m);
		expect(dockerfile).toMatch(/N8N_UNVERIFIED_PACKAGES_ENABLED=true/);
	});

	it("unpacks the tarball `npm pack` makes where n8n loads community packages, under the package's name", () => {
		expect(dockerfile).toContain(`COPY --chown=node:node ${PACKAGE.name}-*.tgz`);
		expect(dockerfile).toContain(`/home/node/.n8n/nodes/node_modules/${PACKAGE.name}`);
		// A file the image checks for is one the package really ships.
		const checked = /test -f "\$target\/([^"]+)"/.exec(dockerfile)?.[1];
		expect(PACKAGE.n8n.nodes).toContain(checked);
		expect(PACKAGE.files).toEqual(['dist']);
	});
});
