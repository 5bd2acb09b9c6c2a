/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n-core's InstanceSettings wants a writable user folder; each jest worker gets its own throwaway one.
if (!process.env.N8N_USER_FOLDER) {
	process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'n8n-wecom-dingtalk-test-'));
}
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
process.env.N8N_VERSION_NOTIFICATIONS_ENABLED = 'false';
// n8n-core logs every node error it sees; the tests assert on those errors themselves. N8N_LOG_LEVEL=info shows them.
process.env.N8N_LOG_LEVEL ??= 'silent';

// n8n-workflow runs the regular expressions of parameter checks (a resource locator's pattern, …) in a vm with a 250 ms
// wall-clock timeout. On a machine whose cores are busy with other work a process can wait longer than that for the
// CPU, and a check then fails with "Regular expression execution timed out" (seen in CI under load, in a Send and Wait
// test). The tests are about this package, not about how fast the machine is: they use the same expressions without
// the timeout. (n8n itself keeps the vm engine; its timeout is n8n's behaviour under load, not the nodes'.)
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { setSafeRegexEngine } = require('n8n-workflow') as {
	setSafeRegexEngine(engine: Record<string, (...args: never[]) => unknown>): void;
};
setSafeRegexEngine({
	exec: (pattern: string, input: string, flags?: string) => new RegExp(pattern, flags).exec(input),
	test: (pattern: string, input: string, flags?: string) => new RegExp(pattern, flags).test(input),
	replace: (pattern: string, input: string, flags: string | undefined, replacement: string) =>
		input.replace(new RegExp(pattern, flags), replacement),
	matchAll: (pattern: string, input: string, flags?: string) =>
		Array.from(
			input.matchAll(new RegExp(pattern, flags?.includes('g') ? flags : `${flags ?? ''}g`)),
		),
	split: (pattern: string, input: string, flags?: string) =>
		input.split(new RegExp(pattern, flags)),
});
