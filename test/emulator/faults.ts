import type { Fault } from './types';

interface PendingFault {
	fault: Fault;
	left: number;
}

/** Injected faults, consumed in the order they were added: each call takes the first one that matches. */
export class FaultQueue {
	private pending: PendingFault[] = [];

	add(fault: Fault): void {
		const times = fault.times ?? 1;
		if (!Number.isInteger(times) || times < 1) {
			throw new Error(`fault.times must be a positive integer, got ${String(fault.times)}`);
		}
		this.pending.push({ fault, left: times });
	}

	take(path: string, isTokenEndpoint: boolean): Fault | undefined {
		const index = this.pending.findIndex(({ fault }) => matches(fault, path, isTokenEndpoint));
		if (index === -1) {
			return undefined;
		}
		const entry = this.pending[index];
		entry.left--;
		if (entry.left === 0) {
			this.pending.splice(index, 1);
		}
		return entry.fault;
	}

	/** The faults still waiting, with `times` set to the number of calls each still applies to. */
	remaining(): Fault[] {
		return this.pending.map(({ fault, left }) => ({ ...fault, times: left }));
	}

	clear(): void {
		this.pending = [];
	}
}

function matches(fault: Fault, path: string, isTokenEndpoint: boolean): boolean {
	if (fault.path === undefined) {
		return !isTokenEndpoint;
	}
	if (typeof fault.path === 'string') {
		return fault.path === path;
	}
	fault.path.lastIndex = 0;
	return fault.path.test(path);
}
