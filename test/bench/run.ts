/* eslint-disable @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node, never inside n8n */
// `npm run bench`: runs every benchmark in its own process, one after the other, and prints their figures.
// Benchmarks print numbers and assert nothing; compare runs on the same machine.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const here = __dirname;
const only = process.argv.slice(2);
const benches = readdirSync(here)
	.filter((f) => f.endsWith('.bench.ts'))
	.filter((f) => only.length === 0 || only.some((name) => f.includes(name)))
	.sort();
let failed = 0;
for (const bench of benches) {
	process.stdout.write(`\n=== ${bench}\n`);
	const result = spawnSync(
		process.execPath,
		[
			// Lets a benchmark settle the heap before it reads it (pickers.bench.ts).
			'--expose-gc',
			require.resolve('ts-node/dist/bin'),
			'--transpile-only',
			'--prefer-ts-exts',
			join(here, bench),
		],
		{ stdio: 'inherit' },
	);
	if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
