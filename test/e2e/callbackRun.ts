/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node, never inside n8n */
// Only the real-n8n checks of the callback request path (test/e2e/callbackChecks.ts), without the rest of
// `npm run test:e2e`: a fresh n8n 2.41 with the built package, the WeCom Trigger, n8n's Webhook node and the floor, each
// → NoOp. For a change to the request path, a few minutes instead of the whole suite; the full suite still runs them.
//
//   npx ts-node --transpile-only --prefer-ts-exts test/e2e/callbackRun.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { callbackPathChecks, type CallbackWorld } from './callbackChecks';
import {
	importRouteWorkflows,
	installFloorPackage,
	routeWorkflow,
	waitForWebhooks,
} from './callbackWorkflows';
import { importCredential } from './instance';
import {
	buildPackage,
	freePort,
	installPackage,
	N8nRest,
	N8nServer,
	provision,
	randomPassword,
	StepError,
	type N8nConfig,
	type Owner,
} from './n8nHost';

const outcome = { passed: 0, failed: 0 };
function say(line: string): void {
	process.stdout.write(`${line}\n`);
}
async function check(name: string, body: () => Promise<void>): Promise<void> {
	const start = Date.now();
	try {
		await body();
		outcome.passed += 1;
		say(`  ✓ ${name} (${Date.now() - start} ms)`);
	} catch (error) {
		outcome.failed += 1;
		say(
			`  ✗ ${name}\n      ${String((error as Error).message ?? error).replace(/\n/g, '\n      ')}`,
		);
	}
}
function expect(condition: boolean, message: string): void {
	if (!condition) throw new StepError(message);
}

async function main(): Promise<void> {
	const toolchain = await provision(() => undefined);
	const folder = mkdtempSync(join(tmpdir(), 'n8n-wecom-callback-'));
	const routes = {
		wecom: routeWorkflow('wecom'),
		webhook: routeWorkflow('webhook'),
		floor: routeWorkflow('floor'),
	};
	const owner: Owner = { email: 'callback@example.com', password: randomPassword() };
	const config: N8nConfig = {
		userFolder: folder,
		port: await freePort(),
		brokerPort: await freePort(),
		encryptionKey: `callback-${Date.now()}`,
		owner,
		logFile: join(folder, 'n8n.log'),
	};
	let n8n: N8nServer | undefined;
	try {
		say(`- building the package, importing the route workflows into ${folder}`);
		await buildPackage(() => undefined);
		installPackage(folder);
		installFloorPackage(folder);
		await importCredential(toolchain, config, 'http://127.0.0.1:9', folder, () => undefined);
		await importRouteWorkflows(toolchain, config, Object.values(routes), () => undefined);
		const start = async (): Promise<{ n8n: N8nServer; rest: N8nRest }> => {
			n8n = N8nServer.start(toolchain, config);
			await n8n.waitUntilReady(180000);
			const rest = new N8nRest(n8n.baseUrl, toolchain);
			await rest.login(owner);
			await waitForWebhooks(Object.values(routes).map((r) => r.url(n8n!.baseUrl)));
			return { n8n, rest };
		};
		say('- starting n8n');
		const first = await start();
		const world: CallbackWorld = {
			...first,
			...routes,
			killAndRestart: async () => {
				const killed = world.n8n;
				const exited = new Promise((done) => killed.child.once('exit', done));
				process.kill(-killed.child.pid!, 'SIGKILL');
				await exited;
				const again = await start();
				world.n8n = again.n8n;
				world.rest = again.rest;
			},
		};
		say('- the callback request path');
		await callbackPathChecks(world, { check, expect, say });
	} finally {
		await n8n?.stop();
		if (process.env.E2E_KEEP !== '1') rmSync(folder, { recursive: true, force: true });
	}
	say(`callback checks: ${outcome.passed} passed, ${outcome.failed} failed`);
	process.exitCode = outcome.failed === 0 ? 0 : 1;
}

void main();
