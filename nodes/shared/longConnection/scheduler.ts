import { sleep } from 'n8n-workflow';

/**
 * Calls `onTick` about once a second until stopped; returns the stop. Every deadline of the Stream client (back-off,
 * watchdog, lifetime, drain, connect and close timeouts) is checked on a tick against its clock, so the client holds
 * no timer of its own.
 */
export type StreamScheduler = (onTick: () => void) => (() => void) | void;

let liveLoops = 0;

/** sleepScheduler loops still running in this process (each ends within one interval of its stop). */
export function liveSchedulerLoops(): number {
	return liveLoops;
}

/**
 * Ticks from a loop on n8n-workflow's `sleep` (the timer the community-node rules allow). Not a cron: n8n logs every
 * cron's registration, removal and missed second, and a once-a-second cron of the node's own filled the log. The loop
 * belongs to the trigger: the trigger's closeFunction stops it, and after the stop the one pending sleep ends within
 * `intervalMs` and nothing follows it.
 */
export function sleepScheduler(
	intervalMs = 1000,
	wait: (ms: number) => Promise<void> = sleep,
): StreamScheduler {
	return (onTick) => {
		let running = true;
		liveLoops++;
		void (async () => {
			try {
				while (running) {
					await wait(intervalMs);
					if (!running) break;
					try {
						onTick();
					} catch {
						// A tick that throws must not end the loop: the next one checks again.
					}
				}
			} finally {
				liveLoops--;
			}
		})();
		return () => {
			running = false;
		};
	};
}
