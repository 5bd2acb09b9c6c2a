import type { IDataObject } from 'n8n-workflow';

import { startWeCom, type WeComTestEnv } from './setup';

/**
 * "On Error": both Continue modes through n8n-core's engine. n8n moves an item to the error output only when the
 * item carries `error` (or its json holds nothing but error/message/details), so a WeCom refusal with errcode and
 * hint beside the message must still be routed there.
 */
describe('WeCom node: On Error → Continue', () => {
	let env: WeComTestEnv;

	beforeAll(async () => {
		env = await startWeCom();
	});

	afterAll(async () => {
		await env.stop();
	});

	const ids = [{ json: { id: 3 } }, { json: { id: '研发中心' } }, { json: { id: 999 } }];
	const params = {
		resource: 'department',
		operation: 'get',
		departmentId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
	};

	it('Continue (using error output): API and input errors go to the error output, successes stay', async () => {
		const result = await env.run(params, ids, { onError: 'continueErrorOutput' });

		expect(result.error).toBeUndefined();
		const success = result.output('WeCom', 0);
		const failed = result.output('WeCom', 1);
		expect(success.map((i) => i.json.id)).toEqual([3]);
		expect(success[0].json.error).toBeUndefined();
		expect(failed).toHaveLength(2);
		expect(failed.map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
		// The input-validation failure names the field.
		expect(failed[0].json.error).toMatch(/Department .*研发中心.*not a valid ID/);
		// WeCom's refusal keeps its errcode and hint readable on the error branch.
		expect(failed[1].json).toMatchObject({ details: { errcode: 60123 } });
		expect(String(failed[1].json.error)).toMatch(/60123/);
		expect(String((failed[1].json.details as IDataObject).description)).toMatch(/部门|department/i);
	});

	it('Continue (regular output): every item stays on the one output, in order, failures readable', async () => {
		const result = await env.run(params, ids, { onError: 'continueRegularOutput' });

		expect(result.error).toBeUndefined();
		const items = result.output('WeCom', 0);
		expect(items).toHaveLength(3);
		expect(items[0].json.id).toBe(3);
		expect(items[0].json.error).toBeUndefined();
		expect(items[1].json.error).toMatch(/not a valid ID/);
		expect(items[2].json).toMatchObject({ details: { errcode: 60123 } });
		expect(Object.keys(items[2].json).sort()).toEqual(['details', 'error']);
		expect(result.output('WeCom', 1)).toEqual([]);
	});

	it('Stop Workflow (default): the first failure stops the execution', async () => {
		const result = await env.run(params, ids);
		expect(result.error?.message).toMatch(/not a valid ID/);
	});
});
