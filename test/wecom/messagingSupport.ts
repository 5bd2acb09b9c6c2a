// Small helpers shared by the message, media, group chat and transport tests.
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { MultipartBody, RecordedCall } from '../emulator';
import type { WeComTestEnv } from './setup';

export type RunOutcome = Awaited<ReturnType<WeComTestEnv['run']>>;

/** The calls to WeCom's API since the test began (the token endpoint left out). */
export function apiCalls(env: WeComTestEnv): RecordedCall[] {
	return env.emulator.calls.filter((c) => c.path !== '/cgi-bin/gettoken');
}

/** The error that stopped a run (asserting there is one). */
export function errorOf(
	result: RunOutcome,
): Error & { description?: string; context?: IDataObject } {
	expect(result.error).toBeDefined();
	return result.error as Error & { description?: string; context?: IDataObject };
}

/** An input item carrying `bytes` as its binary property `property`. */
export function binaryItem(
	bytes: Buffer,
	fileName: string | undefined,
	mimeType: string,
	json: IDataObject = {},
	property = 'data',
): INodeExecutionData {
	const extension = fileName?.includes('.') ? fileName.split('.').pop() : undefined;
	return {
		json,
		binary: {
			[property]: {
				data: bytes.toString('base64'),
				mimeType,
				...(fileName !== undefined ? { fileName } : {}),
				...(extension ? { fileExtension: extension } : {}),
			},
		},
	};
}

/** Deterministic bytes that are not text (all 256 values), so an encoding slip would show. */
export function bytesOf(length: number, seed = 7): Buffer {
	const out = Buffer.alloc(length);
	for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 0xff;
	return out;
}

/** The multipart body the emulator parsed from an upload call. */
export function multipartOf(call: RecordedCall): MultipartBody {
	return call.body as MultipartBody;
}

export const byId = (value: string) => ({ __rl: true, mode: 'id', value });
export const byList = (value: string) => ({ __rl: true, mode: 'list', value });

type Ids = string | string[] | undefined;

/**
 * The Users / Departments lists of Message: Send as the editor saves them: one picked entry per ID of an array, or one
 * By ID entry holding a string (an expression giving one or many IDs).
 */
export function recipientList(entryName: 'user' | 'department', ids: Ids): INodeParameters {
	if (ids === undefined) return {};
	const entry = (value: string, mode: 'list' | 'id') => ({ id: { __rl: true, mode, value } });
	return {
		[entryName]: Array.isArray(ids) ? ids.map((id) => entry(id, 'list')) : [entry(ids, 'id')],
	};
}

/** Message: Send parameters, with `toUsers` / `toDepartments` given as plain ID lists or expressions. */
export function sendParameters(parameters: INodeParameters): INodeParameters {
	const { toUsers, toDepartments, ...rest } = parameters;
	return {
		resource: 'message',
		operation: 'send',
		...rest,
		...(toUsers !== undefined ? { toUsers: recipientList('user', toUsers as Ids) } : {}),
		...(toDepartments !== undefined
			? { toDepartments: recipientList('department', toDepartments as Ids) }
			: {}),
	};
}
