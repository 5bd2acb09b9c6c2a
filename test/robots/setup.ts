import type {
	ICredentialDataDecryptedObject,
	INodeExecutionData,
	INodeParameters,
} from 'n8n-workflow';

import { DingTalkRobotApi } from '../../credentials/DingTalkRobotApi.credentials';
import { WeComGroupRobotApi } from '../../credentials/WeComGroupRobotApi.credentials';
import { DingTalkGroupRobot } from '../../nodes/DingTalkGroupRobot/DingTalkGroupRobot.node';
import { WeComGroupRobot } from '../../nodes/WeComGroupRobot/WeComGroupRobot.node';
import { ApiEmulator, type EmulatorOptions } from '../emulator';
import {
	addDingTalkRobot,
	DINGTALK_ROBOT_SEED,
	dingTalkRobots,
	type DingTalkRobotState,
} from '../emulator/dingtalk/customRobot';
import {
	addWeComRobot,
	WECOM_ROBOT_SEED,
	weComRobots,
	type WeComRobotState,
} from '../emulator/wecom/robot';
import { Harness } from '../harness';
import type { RunResult } from '../harness';

export type RobotNode = 'weComGroupRobot' | 'dingTalkGroupRobot';

const CREDENTIAL_TYPE: Record<RobotNode, string> = {
	weComGroupRobot: 'weComGroupRobotApi',
	dingTalkGroupRobot: 'dingTalkRobotApi',
};

export type RunOutcome = RunResult & { items: INodeExecutionData[] };

export interface RobotTestEnv {
	emulator: ApiEmulator;
	harness: Harness;
	/** A credential of the node's type, stored in the harness. */
	credential(node: RobotNode, data: ICredentialDataDecryptedObject): { id: string; name: string };
	/** A WeCom robot credential for a new robot of the emulator (its own rate window); returns it and the key. */
	newWeComRobot(): { credential: { id: string; name: string }; key: string };
	/** A DingTalk robot credential for a new robot with these security settings. */
	newDingTalkRobot(settings?: { secret?: string; keywords?: string[]; allowedIps?: string[] }): {
		credential: { id: string; name: string };
		token: string;
	};
	/** Runs a robot node through the real engine. */
	run(
		node: RobotNode,
		credential: { id: string; name: string },
		parameters: INodeParameters,
		items?: INodeExecutionData[],
		options?: { onError?: 'continueRegularOutput' | 'continueErrorOutput' },
	): Promise<RunOutcome>;
	wecom(): WeComRobotState;
	dingtalk(): DingTalkRobotState;
	stop(): Promise<void>;
}

export async function startRobots(options: EmulatorOptions = {}): Promise<RobotTestEnv> {
	// The emulator reads the clock at each request, so a test that fakes time moves both sides of the wire.
	const emulator = await ApiEmulator.start({ now: () => Date.now(), ...options });
	const harness = new Harness({
		nodeTypes: [new WeComGroupRobot(), new DingTalkGroupRobot()],
		credentialTypes: [new WeComGroupRobotApi(), new DingTalkRobotApi()],
	});
	const credential = (node: RobotNode, data: ICredentialDataDecryptedObject) =>
		harness.credentials.add(CREDENTIAL_TYPE[node], { baseUrl: emulator.baseUrl, ...data }) as {
			id: string;
			name: string;
		};
	return {
		emulator,
		harness,
		credential,
		newWeComRobot: () => {
			const key = addWeComRobot(emulator.wecom);
			return { key, credential: credential('weComGroupRobot', { webhook: key }) };
		},
		newDingTalkRobot: (settings = {}) => {
			const token = addDingTalkRobot(emulator.dingtalk, settings);
			return {
				token,
				credential: credential('dingTalkGroupRobot', {
					webhook: `https://oapi.dingtalk.com/robot/send?access_token=${token}`,
					signingSecret: settings.secret ?? '',
				}),
			};
		},
		run: async (node, cred, parameters, items = [{ json: {} }], runOptions = {}) =>
			await harness.runNode(
				{
					name: 'Robot',
					type: harness.type(node),
					parameters: { resource: 'message', operation: 'send', ...parameters },
					credentials: { [CREDENTIAL_TYPE[node]]: cred },
					...(runOptions.onError ? { onError: runOptions.onError } : {}),
				},
				items,
			),
		wecom: () => weComRobots(emulator.wecom),
		dingtalk: () => dingTalkRobots(emulator.dingtalk),
		stop: async () => await emulator.stop(),
	};
}

export { DINGTALK_ROBOT_SEED, WECOM_ROBOT_SEED };
