/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node, never inside n8n */
// Redis and PostgreSQL from Debian's packages, each on a free port on 127.0.0.1 with its data under the suite's temp
// folder: started by the suite, stopped by it, the folder removed with the suite's.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

import { freePort, REPO_ROOT, run, type Log } from '../n8nHost';
import { Managed, waitReady } from './processes';

/** Installs redis-server and postgresql with apt-get when they are missing (install-services.sh). */
export async function ensureServices(log: Log): Promise<void> {
	await run('bash', [join(REPO_ROOT, 'test', 'e2e', 'queue', 'install-services.sh')], {
		timeoutMs: 15 * 60 * 1000,
		log,
	});
}

function postgresBin(): string {
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root)
		? readdirSync(root)
				.filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (versions.length === 0) throw new Error(`no PostgreSQL under ${root} (install-services.sh)`);
	return join(root, versions[0], 'bin');
}

const isRoot = () => process.getuid?.() === 0;

/** Runs a PostgreSQL program as the user `postgres` when we are root (PostgreSQL refuses to run as root). */
function asPostgres(command: string, args: string[]): { command: string; args: string[] } {
	return isRoot()
		? { command: 'runuser', args: ['-u', 'postgres', '--', command, ...args] }
		: { command, args };
}

export interface Postgres {
	port: number;
	database: string;
	user: string;
	password: string;
	process: Managed;
}

/** A fresh cluster in `folder` (trust authentication on 127.0.0.1 only), with database and user `n8n`. */
export async function startPostgres(folder: string, log: Log): Promise<Postgres> {
	const bin = postgresBin();
	const data = join(folder, 'data');
	const sockets = join(folder, 'run');
	mkdirSync(sockets, { recursive: true });
	if (isRoot()) {
		// The cluster's files belong to `postgres`, who must also reach them through the suite's folders.
		execFileSync('chown', ['-R', 'postgres:postgres', folder]);
		for (let dir = folder; dir !== '/' && dir !== '/tmp'; dir = join(dir, '..'))
			chmodSync(dir, 0o755);
	}
	const user = 'n8n';
	const init = asPostgres(join(bin, 'initdb'), [
		'-D',
		data,
		'-U',
		user,
		'-A',
		'trust',
		'-E',
		'UTF8',
		'--no-sync',
	]);
	await run(init.command, init.args, { timeoutMs: 120000, log });
	const port = await freePort();
	const server = asPostgres(join(bin, 'postgres'), [
		'-D',
		data,
		'-p',
		String(port),
		'-k',
		sockets,
		'-c',
		'listen_addresses=127.0.0.1',
		// A throw-away cluster: nothing needs to survive a power cut.
		'-c',
		'fsync=off',
		'-c',
		'synchronous_commit=off',
		'-c',
		'full_page_writes=off',
	]);
	const managed = Managed.spawn('postgres', {
		command: server.command,
		args: server.args,
		logFile: join(folder, 'postgres.log'),
	});
	const psql = (sql: string) =>
		execFileSync(
			join(bin, 'psql'),
			['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'postgres', '-tAc', sql],
			{ encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
		);
	await waitReady(
		managed,
		'PostgreSQL accepting connections',
		async () => psql('select 1').trim() === '1',
		60000,
	);
	psql(`create database n8n owner ${user}`);
	return { port, database: 'n8n', user, password: 'n8n', process: managed };
}

export interface Redis {
	port: number;
	process: Managed;
}

async function redisPing(port: number): Promise<boolean> {
	return await new Promise((done) => {
		const socket = connect({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
		socket.setTimeout(2000, () => socket.destroy());
		socket.once('data', (chunk) => {
			done(chunk.toString().startsWith('+PONG'));
			socket.destroy();
		});
		socket.once('error', () => done(false));
		socket.once('close', () => done(false));
	});
}

/** A Redis without persistence on a free port, its working folder `folder`. */
export async function startRedis(folder: string): Promise<Redis> {
	mkdirSync(folder, { recursive: true });
	const port = await freePort();
	const managed = Managed.spawn('redis', {
		command: 'redis-server',
		args: [
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--dir',
			folder,
			'--save',
			'',
			'--appendonly',
			'no',
			'--daemonize',
			'no',
		],
		logFile: join(folder, 'redis.log'),
	});
	await waitReady(managed, 'Redis answering PING', async () => await redisPing(port), 30000);
	return { port, process: managed };
}
