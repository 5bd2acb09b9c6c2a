import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { WeComApi } from '../../credentials/WeComApi.credentials';
import { WeCom } from '../../nodes/WeCom/WeCom.node';
import { WeComTrigger } from '../../nodes/WeCom/WeComTrigger.node';
import { ApiEmulator } from '../emulator';
import { WECOM_SEED } from '../emulator/wecom/seed';
import { Harness } from '../harness';
import type { RunResult } from '../harness';

export interface WeComTestEnv {
	emulator: ApiEmulator;
	harness: Harness;
	credential: { id: string; name: string };
	/** Runs the WeCom node with these parameters on these items through the real engine. */
	run(
		parameters: INodeParameters,
		items?: INodeExecutionData[],
		options?: {
			continueOnFail?: boolean;
			onError?: 'continueRegularOutput' | 'continueErrorOutput';
		},
	): Promise<RunResult & { items: INodeExecutionData[] }>;
	stop(): Promise<void>;
}

/** Emulator + harness + a WeComApi credential pointing at the emulator's seeded app. */
export async function startWeCom(): Promise<WeComTestEnv> {
	const emulator = await ApiEmulator.start({ plugins: ['wecom'] });
	const harness = new Harness({
		nodeTypes: [new WeCom(), new WeComTrigger()],
		credentialTypes: [new WeComApi()],
	});
	const credential = harness.credentials.add('weComApi', {
		corpId: WECOM_SEED.corpId,
		agentId: String(WECOM_SEED.agentId),
		secret: WECOM_SEED.secret,
		baseUrl: emulator.baseUrl,
		callbackToken: WECOM_SEED.callbackToken,
		encodingAesKey: WECOM_SEED.encodingAesKey,
		accessToken: '',
	}) as { id: string; name: string };
	return {
		emulator,
		harness,
		credential,
		run: async (parameters, items = [{ json: {} }], options = {}) =>
			await harness.runNode(
				{
					name: 'WeCom',
					type: harness.type('weCom'),
					parameters,
					credentials: { weComApi: credential },
					...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
					...(options.onError ? { onError: options.onError } : {}),
				},
				items,
			),
		stop: async () => await emulator.stop(),
	};
}
