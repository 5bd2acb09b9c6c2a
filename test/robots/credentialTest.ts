import type { ICredentialType, IDataObject, INodeType } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import type { Harness } from '../harness';

export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

function valueAt(object: unknown, path: string): unknown {
	return path
		.split('.')
		.reduce<unknown>(
			(o, key) => (o && typeof o === 'object' ? (o as IDataObject)[key] : undefined),
			object,
		);
}

/**
 * n8n's Test button for a credential with a declarative `test`, the way n8n's CredentialsTester runs it: the test
 * request becomes the routing of a throw-away declarative node, which n8n-core's RoutingNode sends with the
 * credential's own authenticate; then the `responseSuccessBody` rules are applied to the answer. (The real n8n runs
 * the same in the e2e suite, test/e2e/run.ts.)
 */
export async function testCredential(
	harness: Harness,
	type: ICredentialType,
	credential: { id: string; name: string },
): Promise<CredentialTestResult> {
	if (!type.test) throw new Error(`${type.name} has no test`);
	const name = `credentialTest${type.name}`;
	const probe: INodeType = {
		description: {
			displayName: 'Credential Test',
			name,
			group: ['transform'],
			version: 1,
			description: 'Runs a credential test request',
			defaults: { name: 'Temp-Node' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: type.name, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					default: '',
					routing: { request: type.test.request },
				},
			],
		},
	};
	if (!harness.typeNames[name]) harness.typeNames[name] = harness.nodeTypes.register(probe);
	const result = await harness.runNode({
		name: 'Temp-Node',
		type: harness.type(name),
		parameters: { temp: '' },
		credentials: { [type.name]: credential },
	});
	if (result.error) return { status: 'Error', message: result.error.message };
	const answer = result.items[0]?.json;
	for (const rule of type.test.rules ?? []) {
		if (
			rule.type === 'responseSuccessBody' &&
			valueAt(answer, rule.properties.key) === rule.properties.value
		) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}
