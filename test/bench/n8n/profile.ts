/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- a Node script run by hand, never shipped */
// Reads what `npm run bench:n8n -- --profile DIR` left in DIR — n8n's main-process CPU profile (--cpu-prof) and the
// time window of every kind's rounds (windows.json, CLOCK_MONOTONIC microseconds like the profile's timestamps) — and
// prints, per kind and per callback: the sampled time, the package's own code (self time of frames in its dist/), the
// code its frames call (crypto, n8n's getNode/getNodeParameter, ...), and the n8n functions whose inclusive time
// differs most from the floor with a credential (e.g. getNodeWebhooks for an expression-valued httpMethod,
// getNodeParameters for a property list). Sampled figures: compare kinds within one profile, not across machines.
//
//   npx ts-node --transpile-only test/bench/n8n/profile.ts DIR [--base floorCredential] [--top 12] [--diff 30]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}

interface Profile {
	nodes: ProfileNode[];
	startTime: number;
	samples: number[];
	timeDeltas: number[];
}

interface Window {
	kind: string;
	from: number;
	to: number;
	callbacks: number;
}

interface KindFigures {
	total: number;
	own: number;
	underOwn: number;
	ownFunctions: Map<string, number>;
	underFunctions: Map<string, number>;
	inclusive: Map<string, number>;
}

function option(name: string, fallback: string): string {
	const i = process.argv.indexOf(`--${name}`);
	return i >= 0 ? process.argv[i + 1] : fallback;
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: profile.ts DIR (what bench:n8n --profile DIR wrote)');
const BASE = option('base', 'floorCredential');
const TOP = Number(option('top', '12'));
const DIFF = Number(option('diff', '30'));

// n8n's main process writes the largest profile (its task runner writes a small one).
const profileFile = readdirSync(dir)
	.filter((f) => f.endsWith('.cpuprofile'))
	.map((f) => join(dir, f))
	.sort((a, b) => statSync(b).size - statSync(a).size)[0];
const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as Profile;
const windows = (JSON.parse(readFileSync(join(dir, 'windows.json'), 'utf8')) as Window[]).sort(
	(a, b) => a.from - b.from,
);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const own = (n: ProfileNode) => /n8n-nodes-wecom-dingtalk\/dist\//.test(n.callFrame.url);
const label = (n: ProfileNode) =>
	`${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url
		.replace(/.*node_modules\//, '')
		.replace(/.*n8n-nodes-wecom-dingtalk\/dist\//, 'package:')}:${n.callFrame.lineNumber + 1}`;
const stacks = new Map<number, ProfileNode[]>();
function stackOf(id: number): ProfileNode[] {
	let stack = stacks.get(id);
	if (!stack) {
		stack = [];
		for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
			stack.push(byId.get(cur)!);
		}
		stacks.set(id, stack);
	}
	return stack;
}
const add = (map: Map<string, number>, key: string, value: number) =>
	map.set(key, (map.get(key) ?? 0) + value);

const callbacks = new Map<string, number>();
for (const w of windows) callbacks.set(w.kind, (callbacks.get(w.kind) ?? 0) + w.callbacks);
const kinds = new Map<string, KindFigures>();
let time = profile.startTime;
let w = 0;
for (let i = 0; i < profile.samples.length; i++) {
	time += profile.timeDeltas[i] ?? 0;
	const spent = profile.timeDeltas[i + 1] ?? 0;
	while (w < windows.length && windows[w].to < time) w++;
	if (w >= windows.length) break;
	if (time < windows[w].from) continue;
	const leaf = byId.get(profile.samples[i])!;
	if (leaf.callFrame.functionName === '(idle)') continue;
	let k = kinds.get(windows[w].kind);
	if (!k) {
		k = {
			total: 0,
			own: 0,
			underOwn: 0,
			ownFunctions: new Map(),
			underFunctions: new Map(),
			inclusive: new Map(),
		};
		kinds.set(windows[w].kind, k);
	}
	k.total += spent;
	const stack = stackOf(profile.samples[i]);
	const ownFrame = stack.find(own);
	if (own(leaf)) {
		k.own += spent;
		add(k.ownFunctions, label(leaf), spent);
	} else if (ownFrame) {
		k.underOwn += spent;
		add(k.underFunctions, `${label(ownFrame)} → ${label(leaf)}`, spent);
	}
	const seen = new Set<string>();
	for (const frame of stack) {
		const name = label(frame);
		if (seen.has(name)) continue;
		seen.add(name);
		add(k.inclusive, name, spent);
	}
}

const perCallback = (us: number, kind: string) => (us / 1000 / callbacks.get(kind)!).toFixed(3);
const top = (map: Map<string, number>, n: number) =>
	[...map].sort((a, b) => b[1] - a[1]).slice(0, n);
process.stdout.write(`${profileFile}\n`);
for (const [kind, k] of kinds) {
	process.stdout.write(
		`\n${kind}: ${callbacks.get(kind)} callbacks; sampled ms per callback: all ${perCallback(k.total, kind)}, package's own code ${perCallback(k.own, kind)}, called from it ${perCallback(k.underOwn, kind)}\n`,
	);
	for (const [f, v] of top(k.ownFunctions, TOP)) {
		process.stdout.write(`   own     ${perCallback(v, kind)}  ${f}\n`);
	}
	for (const [f, v] of top(k.underFunctions, TOP)) {
		process.stdout.write(`   called  ${perCallback(v, kind)}  ${f}\n`);
	}
}
const base = kinds.get(BASE);
if (base) {
	for (const [kind, k] of kinds) {
		if (kind === BASE) continue;
		const names = new Set([...k.inclusive.keys(), ...base.inclusive.keys()]);
		const rows = [...names].map((name) => {
			const a = (k.inclusive.get(name) ?? 0) / callbacks.get(kind)! / 1000;
			const b = (base.inclusive.get(name) ?? 0) / callbacks.get(BASE)! / 1000;
			return { name, difference: a - b, a, b };
		});
		rows.sort((x, y) => Math.abs(y.difference) - Math.abs(x.difference));
		process.stdout.write(
			`\n${kind} against ${BASE}: inclusive ms per callback, largest differences\n`,
		);
		for (const r of rows.slice(0, DIFF)) {
			process.stdout.write(
				`  ${r.difference.toFixed(3).padStart(7)}  (${r.a.toFixed(3)} against ${r.b.toFixed(3)})  ${r.name}\n`,
			);
		}
	}
}
