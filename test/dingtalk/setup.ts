import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { DingTalkApi } from '../../credentials/DingTalkApi.credentials';
import { DingTalk } from '../../nodes/DingTalk/DingTalk.node';
import { parseTokenRecord } from '../../nodes/shared/accessToken';
import { ApiEmulator } from '../emulator';
import { dingTalkCredentialData } from '../emulator/dingtalk/credential';
import { Harness } from '../harness';
import type { RunResult } from '../harness';

export interface DingTalkTestEnv {
	emulator: ApiEmulator;
	harness: Harness;
	credential: { id: string; name: string };
	/** Runs the DingTalk node with these parameters on these items through the real engine. */
	run(
		parameters: INodeParameters,
		items?: INodeExecutionData[],
		options?: { onError?: 'continueRegularOutput' | 'continueErrorOutput' },
	): Promise<RunResult & { items: INodeExecutionData[] }>;
	stop(): Promise<void>;
}

/** The credential values of the seeded app, both API hosts pointing at the emulator, no token yet. */
export function seededCredential(baseUrl: string) {
	return { ...dingTalkCredentialData(baseUrl), accessToken: '' };
}

/** The access token the credential holds now (inside its stored record), for checks that it never leaks. */
export function storedToken(env: DingTalkTestEnv): string {
	const token = parseTokenRecord(
		env.harness.credentials.stored(env.credential.id).accessToken,
	)?.token;
	if (!token) throw new Error('the credential holds no access token record');
	return token;
}

/** Emulator + harness + a DingTalkApi credential pointing at the emulator's seeded app. */
export async function startDingTalk(
	extra: {
		nodeTypes?: ConstructorParameters<typeof Harness>[0]['nodeTypes'];
		/** The emulator's clock (recall windows, daily limits); default Date.now. */
		now?: () => number;
	} = {},
): Promise<DingTalkTestEnv> {
	const emulator = await ApiEmulator.start({ plugins: ['dingtalk'], now: extra.now });
	const harness = new Harness({
		nodeTypes: [new DingTalk(), ...(extra.nodeTypes ?? [])],
		credentialTypes: [new DingTalkApi()],
	});
	const credential = harness.credentials.add('dingTalkApi', seededCredential(emulator.baseUrl)) as {
		id: string;
		name: string;
	};
	return {
		emulator,
		harness,
		credential,
		run: async (parameters, items = [{ json: {} }], options = {}) =>
			await harness.runNode(
				{
					name: 'DingTalk',
					type: harness.type('dingTalk'),
					parameters,
					credentials: { dingTalkApi: credential },
					...(options.onError ? { onError: options.onError } : {}),
				},
				items,
			),
		stop: async () => await emulator.stop(),
	};
}
