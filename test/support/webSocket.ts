/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs under Node and jest, never inside n8n */
// Tests that need a real WebSocket client (Node >= 22's global one). Under an older Node they are skipped with the
// reason printed; `npm run test:websocket` (test/support/webSocketTests.js) runs them under a provisioned Node 24.

export const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

export const HAS_WEBSOCKET =
	typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function';

const SKIP_REASON = `needs Node >= 22 for its global WebSocket (this is Node ${process.versions.node}); \`npm run test:websocket\` runs it under the provisioned Node 24`;

let warned = false;

/** `describe` where a global WebSocket exists; a skipped block with the reason in its title elsewhere. */
export function describeWithWebSocket(name: string, body: () => void): void {
	if (HAS_WEBSOCKET) {
		describe(name, body);
		return;
	}
	if (!warned) {
		warned = true;
		process.stderr.write(`\n[skipped] ${name}: ${SKIP_REASON}\n`);
	}
	describe.skip(`${name} [skipped: ${SKIP_REASON}]`, body);
}
