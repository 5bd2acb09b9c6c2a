import { RecentKeys } from '../../shared/recentKeys';

/**
 * Answers a delivery once its event's fate is known: `recorded` true acknowledges it (SUCCESS), false asks for it again
 * (LATER). Returns whether the answer went out (its socket may be gone by then).
 */
export type DeliveryAnswer = (recorded: boolean) => boolean;

/**
 * What a process knows about Stream events, by key (eventId / msgId, scoped per trigger node): which are being recorded
 * by n8n right now, and which n8n has recorded. Shared by every client of the process, so that a redelivery arriving on
 * another connection — or on the client of the same workflow activated again — joins the first delivery instead of
 * starting a second execution.
 */
export class DeliveryLedger {
	private readonly recorded: RecentKeys;

	/** Key -> the answers owed to deliveries that arrived while the first one was being recorded. */
	private readonly flights = new Map<string, DeliveryAnswer[]>();

	constructor(maxEntries = 20_000) {
		this.recorded = new RecentKeys(maxEntries);
	}

	/** n8n recorded this key's event less than its window ago. */
	isRecorded(key: string, now: number): boolean {
		return this.recorded.has(key, now);
	}

	/** Adds `answer` to the key's flight and returns true, or returns false when nothing is in flight for it. */
	join(key: string, answer: DeliveryAnswer): boolean {
		const waiting = this.flights.get(key);
		if (!waiting) return false;
		waiting.push(answer);
		return true;
	}

	/** The first delivery of `key` is being handed to n8n: later ones join it until `settle`. */
	begin(key: string): void {
		this.flights.set(key, []);
	}

	/**
	 * Ends the key's flight: remembers a recorded key for `windowMs` (forgets an unrecorded one, so that its redelivery
	 * is handed over again). Returns the answers of the deliveries that joined, for the caller to send.
	 */
	settle(key: string, recorded: boolean, windowMs: number, now: number): DeliveryAnswer[] {
		const waiting = this.flights.get(key) ?? [];
		this.flights.delete(key);
		if (recorded) this.recorded.record(key, windowMs, now);
		else this.recorded.forget(key);
		return waiting;
	}

	/** Keeps a recorded key at least until `windowMs` from now (its acknowledgement could not be sent). */
	extend(key: string, windowMs: number, now: number): void {
		this.recorded.record(key, windowMs, now);
	}

	get inFlight(): number {
		return this.flights.size;
	}
}
