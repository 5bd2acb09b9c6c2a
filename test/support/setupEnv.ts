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
