import { DINGTALK_SEED, type DingTalkSeedApp } from './seed';

// Grows with the DingTalk endpoints; reset() rebuilds it from the seed.
export interface DingTalkState {
	app: DingTalkSeedApp;
}

export function createDingTalkState(): DingTalkState {
	return { app: DINGTALK_SEED };
}
