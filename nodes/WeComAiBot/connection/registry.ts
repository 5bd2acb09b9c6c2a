// Which long connection of this n8n process carries a bot's replies. The socket lives in the trigger (n8n runs a
// trigger() node on the main process — the leader in queue mode); the reply node and the streaming sub-node run in an
// execution, which in regular mode is the same process, so they find the connection here by the bot's id.
// In queue mode executions run on workers, which hold no connection: the reply node then fails with connectionFor's
// error (tested), rather than pretending to send.
import type { WeComAiBotClient } from './client';

interface Holder {
	client: WeComAiBotClient;
	/** Who holds it, for messages: the workflow and the node. */
	owner: string;
}

const holders = new Map<string, Holder>();

/** The connection of `botId` in this process (open, reconnecting, or lingering for owed replies), if any. */
export function heldConnection(botId: string): Holder | undefined {
	const holder = holders.get(botId);
	if (holder && holder.client.state === 'closed') {
		holders.delete(botId);
		return undefined;
	}
	return holder;
}

/**
 * Registers a trigger's client for its bot. A client of a stopped trigger (lingering for replies, or taken over) gives
 * way and is closed; a live one of another trigger is returned instead, and nothing is registered: two triggers of one
 * process on one bot would take the bot from each other.
 */
export function holdConnection(client: WeComAiBotClient, owner: string): Holder | undefined {
	const existing = heldConnection(client.botId);
	if (existing && existing.client !== client) {
		const state = existing.client.state;
		if (state === 'lingering' || state === 'takenOver') existing.client.close();
		else return existing;
	}
	holders.set(client.botId, { client, owner });
	return undefined;
}

/** Forgets `client` if it is the one registered for its bot. */
export function releaseConnection(client: WeComAiBotClient): void {
	if (holders.get(client.botId)?.client === client) holders.delete(client.botId);
}

/** For tests: every registered client (the harness closes them between tests). */
export function allHeldConnections(): WeComAiBotClient[] {
	return [...holders.values()].map((h) => h.client);
}
