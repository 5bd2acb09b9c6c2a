import { sleep } from 'n8n-workflow';

/**
 * Calls `onTick` about once a second until stopped; returns the stop, or nothing when the ticks end with the
 * workflow (n8n's crons). Every delay of the Stream client (back-off, watchdog, lifetime, drain) is checked on a tick
 * against its clock, so the client itself holds no timer.
 */
export type StreamScheduler = (onTick: () => void) => (() => void) | void;

/** `this.helpers.registerCron` of a trigger in production: n8n removes the cron when the workflow is deactivated. */
export type RegisterCron = (cron: { expression: string }, onTick: () => void) => unknown;

export function cronScheduler(registerCron: RegisterCron): StreamScheduler {
	return (onTick) => {
		registerCron({ expression: '* * * * * *' }, onTick);
	};
}

/**
 * Ticks from a `sleep` loop, for runs whose crons n8n would not remove (a manual "listen for test event"): after the
 * stop, the one pending sleep ends within `intervalMs` and nothing follows it.
 */
export function sleepScheduler(
	intervalMs = 1000,
	wait: (ms: number) => Promise<void> = sleep,
): StreamScheduler {
	return (onTick) => {
		let running = true;
		void (async () => {
			while (running) {
				await wait(intervalMs);
				if (running) onTick();
			}
		})();
		return () => {
			running = false;
		};
	};
}
