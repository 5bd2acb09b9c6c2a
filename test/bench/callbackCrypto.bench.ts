// Callback crypto throughput. Run: npx ts-node --transpile-only test/bench/callbackCrypto.bench.ts
// Prints figures only; nothing here is asserted.
/* eslint-disable no-console, @n8n/community-nodes/no-restricted-globals -- a Node script run by hand, not shipped */
import { CallbackCrypto } from '../../nodes/shared/callbackCrypto';
import { W2_POST } from '../fixtures/vectors';

const OPS = 10_000;
const WARMUP = 500;

function typicalCallback(bytes: number): string {
	const head =
		'<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName><FromUserName><![CDATA[ChenJiaShun]]></FromUserName>' +
		'<CreateTime>1476422779</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[';
	const tail = ']]></Content><MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>';
	let content = '';
	const filler = '审批通知 approval notice, ';
	while (Buffer.byteLength(head + content + tail) < bytes) content += filler;
	return head + content + tail;
}

interface Result {
	name: string;
	opsPerSec: number;
	usPerOp: number;
	rssDeltaMb: number;
}

function measure(name: string, op: (i: number) => void): Result {
	for (let i = 0; i < WARMUP; i++) op(i);
	const rssBefore = process.memoryUsage().rss;
	let peakRss = rssBefore;
	const start = process.hrtime.bigint();
	for (let i = 0; i < OPS; i++) {
		op(i);
		if (i % 250 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
	}
	const elapsedNs = Number(process.hrtime.bigint() - start);
	peakRss = Math.max(peakRss, process.memoryUsage().rss);
	return {
		name,
		opsPerSec: Math.round((OPS * 1e9) / elapsedNs),
		usPerOp: Number((elapsedNs / OPS / 1000).toFixed(2)),
		rssDeltaMb: Number(((peakRss - rssBefore) / (1024 * 1024)).toFixed(2)),
	};
}

function main(): void {
	const crypto = new CallbackCrypto({
		platform: 'wecom',
		token: W2_POST.token,
		encodingAesKey: W2_POST.encodingAesKey,
		receiverIds: [W2_POST.receiverId],
	});
	const message = typicalCallback(1024);
	const timestamp = '1476422779';
	const nonce = '1597212914';
	const encrypt = crypto.encrypt(message);
	const signature = crypto.sign(timestamp, nonce, encrypt);

	let sink = 0;
	const results = [
		measure('verify+decrypt 1 KB callback', () => {
			sink += crypto.verifyAndDecrypt({ signature, timestamp, nonce, encrypt }).message.length;
		}),
		measure('encrypt 1 KB message', () => {
			sink += crypto.encrypt(message).length;
		}),
		measure('WeCom reply XML (encrypt+sign)', () => {
			sink += crypto.wecomReplyXml(message, { timestamp, nonce }).length;
		}),
		measure('DingTalk "success" reply', () => {
			sink += crypto.dingtalkReply().encrypt.length;
		}),
	];

	console.log(
		`callback crypto, ${OPS} ops each after ${WARMUP} warm-up ops; message ${Buffer.byteLength(message)} bytes, ` +
			`ciphertext ${encrypt.length} base64 chars; node ${process.version}`,
	);
	console.table(
		results.map((r) => ({
			operation: r.name,
			'ops/s': r.opsPerSec,
			'µs/op': r.usPerOp,
			'peak RSS delta (MB)': r.rssDeltaMb,
		})),
	);
	if (sink === 0) console.log('(unexpected: nothing was produced)');
}

main();
