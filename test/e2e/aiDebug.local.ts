/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- local debug driver, never committed */
// local only: runs the AI chat block alone
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiEmulator } from '../emulator';
import { aiChatChecks } from './aiChat';
import { importDingTalk } from './dingtalk';
import { E2E_STREAM_OPTIONS, importDingTalkStreamWorkflow } from './dingtalkTrigger';
import { importAndPublish } from './instance';
import { freePort, installPackage, N8nRest, N8nServer, provision, randomPassword, type N8nConfig, type Owner } from './n8nHost';
const say = (l: string) => process.stdout.write(`${l}\n`);
const quiet = () => () => undefined;
async function main() {
	const toolchain = await provision(quiet());
	const folder = mkdtempSync(join(tmpdir(), 'n8n-ai-dbg-'));
	const emulator = await ApiEmulator.start({ port: 0, plugins: ['wecom', 'dingtalk'], stream: E2E_STREAM_OPTIONS });
	const owner: Owner = { email: 'e2e@example.com', password: randomPassword() };
	const config: N8nConfig = { userFolder: folder, port: await freePort(), brokerPort: await freePort(), encryptionKey: `dbg-${Date.now()}`, owner, logFile: join(folder, 'n8n.log') };
	await importAndPublish(toolchain, config, emulator.baseUrl, folder, quiet());
	await importDingTalk(toolchain, config, emulator.baseUrl, folder, quiet(), { workflow: false });
	await importDingTalkStreamWorkflow(toolchain, config, folder, quiet());
	installPackage(folder);
	const n8n = N8nServer.start(toolchain, config, undefined);
	try {
		await n8n.waitUntilReady(120000);
		const rest = new N8nRest(n8n.baseUrl, toolchain);
		await rest.login(owner);
		say(`n8n up ${n8n.baseUrl} folder ${folder}`);
		for (const [name, body] of aiChatChecks({ emulator, rest, say })) {
			const t = Date.now();
			try { await body(); say(`  ✓ ${name} (${Date.now() - t} ms)`); } catch (e) { say(`  ✗ ${name}\n    ${(e as Error).message}`); }
		}
		say(JSON.stringify(emulator.dingtalk.modelStandIn.requests.slice(0,3).map((r) => ({ stream: r.stream, n: r.messages.length }))));
		const ex = await rest.executions('dingtalkAiAgentChat');
		say(`executions total ${ex.total} listed ${ex.length} statuses ${JSON.stringify(ex.map((e) => e.status))}`);
		const rd = await rest.executionRunData(ex[ex.length - 1].id);
		say(JSON.stringify(Object.fromEntries(Object.entries(rd).map(([k, v]) => [k, JSON.stringify(v).slice(0, 600)])), null, 1));
	} finally {
		say(n8n.logTail(40));
		await n8n.stop();
		await emulator.stop();
	}
}
main().then(() => process.exit(0), (e) => { say(String(e.stack)); process.exit(1); });
