import { DINGTALK_SEED, type DingTalkSeedApp } from './seed';

/** A Stream ticket from /v1.0/gateway/connections/open: one connection, within 90 s. */
export interface StreamTicketRecord {
	ticket: string;
	clientId: string;
	subscriptions: Array<{ type: string; topic: string }>;
	ua?: string;
	expiresAt: number;
	used: boolean;
}

// Grows with the DingTalk endpoints; reset() rebuilds it from the seed.
export interface DingTalkState {
	app: DingTalkSeedApp;
	stream: {
		tickets: Map<string, StreamTicketRecord>;
	};
}

export function createDingTalkState(): DingTalkState {
	return { app: DINGTALK_SEED, stream: { tickets: new Map() } };
}
