import { ExecutionLifecycleHooks, LoadOptionsContext } from 'n8n-core';
import type {
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	IWorkflowBase,
	ResourceMapperValue,
} from 'n8n-workflow';

import type { Route } from '../emulator';
import { oldApiError, oldApiOk } from '../emulator/dingtalk/errors';
import type { DingTalkState } from '../emulator/dingtalk/state';
import type { DingTalkTestEnv } from './setup';

export const byId = (value: string) => ({ __rl: true, mode: 'id', value });
export const byList = (value: string) => ({ __rl: true, mode: 'list', value });

/**
 * The member lookup Start needs (deptId, unionId). The org area of the emulator serves `/topapi/v2/user/get` once
 * it has it; until then this test-only route stands in, registered only if the emulator has none.
 */
const userGetRoute: Route<DingTalkState> = {
	method: 'POST',
	path: '/topapi/v2/user/get',
	handle(req, ctx) {
		const userid = (req.body as IDataObject).userid;
		const user = ctx.state.users.find((u) => u.userid === userid);
		if (!user) throw oldApiError(60121, '找不到该用户');
		return oldApiOk({ result: { ...user, dept_id_list: [...user.dept_id_list] } });
	},
};

export function ensureUserLookup(env: DingTalkTestEnv): void {
	try {
		env.emulator.addRoute('dingtalk', userGetRoute);
	} catch {
		// The emulator serves it already.
	}
}

/** An input item carrying files as binary properties. */
export function itemWithFiles(
	files: Record<string, { bytes: Buffer; fileName?: string; mimeType?: string }>,
	json: IDataObject = {},
): INodeExecutionData {
	const binary: INodeExecutionData['binary'] = {};
	for (const [property, file] of Object.entries(files)) {
		binary[property] = {
			data: file.bytes.toString('base64'),
			mimeType: file.mimeType ?? 'application/octet-stream',
			...(file.fileName ? { fileName: file.fileName } : {}),
		};
	}
	return { json, binary };
}

/** Resource mapper value of Start's Form Fields. */
export function formFields(value: IDataObject): ResourceMapperValue {
	return {
		mappingMode: 'defineBelow',
		value: value as ResourceMapperValue['value'],
		matchingColumns: [],
		schema: [],
		attemptToConvertTypes: false,
		convertFieldsToString: false,
	};
}

const workflowData = {
	id: 'picker-workflow',
	name: 'Picker workflow',
	active: false,
	nodes: [],
	connections: {},
	settings: {},
} as unknown as IWorkflowBase;

/** What n8n's DynamicNodeParametersService builds for a picker: the node as in the editor, a LoadOptionsContext. */
export function pickerContext(env: DingTalkTestEnv, parameters: INodeParameters, path: string) {
	const node: INode = {
		id: 'picker-node',
		name: 'DingTalk',
		type: env.harness.type('dingTalk'),
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { dingTalkApi: env.credential },
	};
	const hooks = new ExecutionLifecycleHooks('internal', 'picker', workflowData);
	const additionalData = env.harness.additionalData(hooks, { currentNodeParameters: parameters });
	const nodeType = env.harness.nodeTypes.getByNameAndVersion(node.type, 1) as INodeType;
	return {
		context: new LoadOptionsContext(env.harness.workflow([node]), node, additionalData, path),
		nodeType,
	};
}
