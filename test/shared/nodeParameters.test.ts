// webhookParameters: one copy of the node per request, parameters read straight from it when none is an expression,
// through n8n's getNodeParameter as soon as one is (an expression, a resource locator).
import type { INode, INodeParameters, IWebhookFunctions } from 'n8n-workflow';

import { webhookParameters } from '../../nodes/shared/nodeParameters';

function context(parameters: INodeParameters) {
	const node: INode = {
		id: 'n1',
		name: 'Trigger',
		type: 'x.trigger',
		typeVersion: 1,
		position: [0, 0],
		parameters,
	};
	const getNode = jest.fn(() => structuredClone(node));
	const getNodeParameter = jest.fn(
		(name: string, fallback: unknown) => `resolved:${name}:${String(fallback)}`,
	);
	return {
		ctx: { getNode, getNodeParameter } as unknown as IWebhookFunctions,
		getNode,
		getNodeParameter,
	};
}

describe('webhookParameters', () => {
	it('reads static parameters from one copy of the node, with the fallback for absent ones', () => {
		const { ctx, getNode, getNodeParameter } = context({
			events: ['*'],
			options: { binaryData: true, dedupeWindow: 5 },
		});
		const parameters = webhookParameters(ctx);
		expect(parameters.get('events', [])).toEqual(['*']);
		expect(parameters.get('options', {})).toEqual({ binaryData: true, dedupeWindow: 5 });
		expect(parameters.get('changeTypes', [])).toEqual([]);
		expect(parameters.node.name).toBe('Trigger');
		expect(getNode).toHaveBeenCalledTimes(1);
		expect(getNodeParameter).not.toHaveBeenCalled();
	});

	it.each([
		['an expression at the top', { events: '={{ ["*"] }}' }],
		['an expression inside a collection', { events: ['*'], options: { dedupeWindow: '={{ 5 }}' } }],
		['an expression in a list', { events: ['*', '={{ "text" }}'] }],
		['a resource locator', { events: ['*'], user: { __rl: true, mode: 'id', value: 'u1' } }],
	])('goes through getNodeParameter for every read when a parameter holds %s', (_, values) => {
		const { ctx, getNodeParameter } = context(values as INodeParameters);
		const parameters = webhookParameters(ctx);
		expect(parameters.get('events', [])).toBe('resolved:events:');
		expect(parameters.get('options', {})).toBe('resolved:options:[object Object]');
		expect(getNodeParameter).toHaveBeenCalledTimes(2);
	});
});
