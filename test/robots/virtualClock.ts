/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: runs under Node and jest, never inside n8n */
/**
 * Virtual time for the pacing tests. The node reads time through Date.now and waits through n8n-workflow's sleep;
 * a test file that routes both here (jest.mock of n8n-workflow's sleep, a spy on Date.now) runs the node's real
 * 60-second windows in no wall time. The emulator reads Date.now too, so both sides of the wire share the clock.
 */
export const clock = { now: Date.UTC(2026, 2, 2, 1, 0, 0), slept: [] as number[] };

export async function virtualSleep(ms: number): Promise<void> {
	clock.slept.push(ms);
	clock.now += Math.max(0, ms);
	// Yield like a real timer would, so whatever else is pending runs first.
	await new Promise((resolve) => setImmediate(resolve));
}

/** Puts the clock at a fixed instant and forgets the recorded sleeps. */
export function resetClock(): void {
	clock.now = Date.UTC(2026, 2, 2, 1, 0, 0);
	clock.slept.length = 0;
}
