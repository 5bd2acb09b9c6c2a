// `npm run test:websocket [-- --if-needed] [jest args]`: the test files that need a real WebSocket client
// (those calling describeWithWebSocket) under a Node that has one. Node >= 22 has a global WebSocket; on an older
// Node (this package's jest runs on 20) it uses the Node 24 that test/e2e/provision.sh provisions (--node-only:
// no n8n). With --if-needed it does nothing when the Node running it has a WebSocket itself, because plain `jest`
// has run those files already. Only when no Node >= 22 can be had does it skip, and it says so.
const { spawnSync } = require('node:child_process');
const { readdirSync, readFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const MARKER = 'describeWithWebSocket(';

function say(line) {
	process.stdout.write(`[test:websocket] ${line}\n`);
}

function testFiles(dir) {
	const found = [];
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) {
			if (entry.name !== 'node_modules' && entry.name !== 'e2e') found.push(...testFiles(path));
		} else if (entry.name.endsWith('.test.ts') && readFileSync(path, 'utf8').includes(MARKER)) {
			found.push(path);
		}
	}
	return found;
}

function major(nodeBin) {
	const out = spawnSync(nodeBin, ['-p', 'process.versions.node.split(".")[0]'], {
		encoding: 'utf8',
	});
	return out.status === 0 ? Number(out.stdout.trim()) : 0;
}

/** A node binary with a global WebSocket: this one, or the provisioned Node 24; otherwise the reason there is none. */
function webSocketNode() {
	if (major(process.execPath) >= 22) return { node: process.execPath };
	say(
		`Node ${process.versions.node} has no global WebSocket: provisioning Node 24 (test/e2e/provision.sh --node-only)`,
	);
	const run = spawnSync('bash', [join(ROOT, 'test', 'e2e', 'provision.sh'), '--node-only'], {
		cwd: ROOT,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const bin = /^NODE24_BIN=(.+)$/m.exec(run.stdout ?? '')?.[1];
	if (run.status !== 0 || !bin) {
		const detail = `${run.stderr ?? ''}`.trim().split('\n').slice(-4).join(' | ');
		return { reason: `provisioning Node 24 failed (exit ${run.status}): ${detail}` };
	}
	const node = join(bin, 'node');
	return major(node) >= 22 ? { node } : { reason: `${node} is not Node >= 22` };
}

function main() {
	const args = process.argv.slice(2);
	const ifNeeded = args.includes('--if-needed');
	const jestArgs = args.filter((a) => a !== '--if-needed');
	const files = testFiles(join(ROOT, 'test'));
	const names = files.map((f) => relative(ROOT, f)).join(', ');
	if (files.length === 0) {
		say('no test file calls describeWithWebSocket: nothing to run');
		return 0;
	}
	if (ifNeeded && major(process.execPath) >= 22) {
		say(`Node ${process.versions.node} has a global WebSocket: jest ran ${names} already`);
		return 0;
	}
	const found = webSocketNode();
	if (!found.node) {
		say(
			`SKIPPED ${files.length} file(s) (${names}): they need Node >= 22 and none is available — ${found.reason}`,
		);
		return 0;
	}
	say(`running ${names} under Node ${major(found.node)} (${found.node})`);
	const jest = spawnSync(
		found.node,
		[
			join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
			'--runTestsByPath',
			...files,
			...jestArgs,
		],
		{ cwd: ROOT, stdio: 'inherit' },
	);
	return jest.status ?? 1;
}

process.exit(main());
