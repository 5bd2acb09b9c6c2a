/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// WeCom Trigger throughput and answer latency over real HTTP (WebhookServer, like n8n's webhook server).
// Run: npx ts-node --transpile-only --prefer-ts-exts test/bench/trigger.bench.ts [N=2000] [concurrency=16]
// (--prefer-ts-exts: otherwise Node resolves WeComTrigger.node to the codex file WeComTrigger.node.json.)
// Prints figures only; nothing here is asserted.
/* eslint-disable no-console, @n8n/community-nodes/no-restricted-globals -- a Node script run by hand, not shipped */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { WeComApi } from '../../credentials/WeComApi.credentials';
import { WeComTrigger } from '../../nodes/WeCom/WeComTrigger.node';
import { buildWeComCallback, type BuiltCallback } from '../emulator/callbackSender';
import { WECOM_SEED } from '../emulator/wecom/seed';

const N = Number(process.argv[2] ?? 2000);
const CONCURRENCY = Number(process.argv[3] ?? 16);

function textMessage(msgId: number): string {
	return (
		`<xml><ToUserName><![CDATA[${WECOM_SEED.corpId}]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName>` +
		`<CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
		`<Content><![CDATA[审批通知 approval notice ${msgId}]]></Content><MsgId>${msgId}</MsgId><AgentID>1000002</AgentID></xml>`
	);
}

function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
	process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-wecom-bench-'));
	// n8n-core reads its settings when first loaded, so the harness comes in after the env is set.
	const { Harness, WebhookServer } = await import('../harness');
	const harness = new Harness({
		nodeTypes: [new WeComTrigger()],
		credentialTypes: [new WeComApi()],
	});
	const credential = harness.credentials.add('weComApi', {
		corpId: WECOM_SEED.corpId,
		agentId: String(WECOM_SEED.agentId),
		secret: WECOM_SEED.secret,
		callbackToken: WECOM_SEED.callbackToken,
		encodingAesKey: WECOM_SEED.encodingAesKey,
		accessToken: '',
	}) as { id: string; name: string };
	let nodes = 0;
	const serve = async () =>
		await WebhookServer.start(harness, {
			id: `bench-trigger-${++nodes}`,
			name: 'WeCom Trigger',
			type: harness.type('weComTrigger'),
			typeVersion: 1,
			position: [0, 0],
			parameters: { events: ['*'], changeTypes: [], options: {} },
			credentials: { weComApi: credential },
			webhookId: `bench-${nodes}`,
		});

	const sign = (payloadXml: string) =>
		buildWeComCallback({
			token: WECOM_SEED.callbackToken,
			encodingAesKey: WECOM_SEED.encodingAesKey,
			corpId: WECOM_SEED.corpId,
			agentId: WECOM_SEED.agentId,
			payloadXml,
		});

	const scenarios: Array<{ name: string; callbacks: BuiltCallback[]; concurrency: number }> = [
		{
			name: 'distinct messages, one at a time',
			callbacks: Array.from({ length: N }, (_, i) => sign(textMessage(1_000_000 + i))),
			concurrency: 1,
		},
		{
			name: `distinct messages, ${CONCURRENCY} in flight`,
			callbacks: Array.from({ length: N }, (_, i) => sign(textMessage(2_000_000 + i))),
			concurrency: CONCURRENCY,
		},
		{
			name: `one message redelivered N times, ${CONCURRENCY} in flight`,
			callbacks: (() => {
				const payload = textMessage(3_000_000);
				return Array.from({ length: N }, () => sign(payload));
			})(),
			concurrency: CONCURRENCY,
		},
	];

	console.log(
		`WeCom Trigger over HTTP, ${N} signed callbacks per scenario (XML envelope, ~200-byte text message)`,
	);
	for (const scenario of scenarios) {
		const server = await serve();
		// Warm-up on a separate node so that dedupe state and JIT do not skew the measured run.
		const warm = await serve();
		for (let i = 0; i < 50; i++) await warm.call(toRequest(sign(textMessage(9_000_000 + i))));
		await warm.close();

		const latencies: number[] = [];
		let statusErrors = 0;
		let next = 0;
		const started = process.hrtime.bigint();
		await Promise.all(
			Array.from({ length: scenario.concurrency }, async () => {
				while (next < scenario.callbacks.length) {
					const built = scenario.callbacks[next++];
					const t0 = process.hrtime.bigint();
					const answer = await server.call(toRequest(built));
					latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
					if (answer.status !== 200) statusErrors++;
				}
			}),
		);
		const seconds = Number(process.hrtime.bigint() - started) / 1e9;
		latencies.sort((a, b) => a - b);
		console.log(
			`  ${scenario.name.padEnd(48)} ${Math.round(N / seconds)
				.toString()
				.padStart(
					6,
				)} callbacks/s   p50 ${percentile(latencies, 50).toFixed(2)} ms   p99 ${percentile(latencies, 99).toFixed(2)} ms   mean ${(latencies.reduce((a, b) => a + b, 0) / latencies.length).toFixed(2)} ms   workflows started ${server.executionsStarted}${statusErrors ? `   NON-200: ${statusErrors}` : ''}`,
		);
		await server.close();
	}
}

function toRequest(built: BuiltCallback) {
	return {
		method: 'POST' as const,
		query: built.query,
		headers: { 'content-type': built.contentType ?? 'text/xml' },
		body: built.body,
	};
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
