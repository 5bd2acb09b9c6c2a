// The node and event keys are stored (n8n's deduplication keys are made from the scope) and compared across
// processes and versions: their shape is pinned here, so a change to it fails before it strands stored keys.
import { holderKey } from '../../nodes/shared/heldCallbacks';
import { testEventKey } from '../../nodes/shared/testEvents';
import {
	triggerEventKey,
	triggerLogPlace,
	triggerNodeScope,
} from '../../nodes/shared/triggerScope';

describe('trigger node keys', () => {
	it('keep the shape earlier versions stored: [workflow id, node id]', () => {
		expect(triggerNodeScope('wf1', { id: 'n1', name: 'DingTalk Trigger' })).toBe('["wf1","n1"]');
		expect(triggerEventKey('wf1', { id: 'n1', name: 'DingTalk Trigger' }, 'msg:abc')).toBe(
			'["wf1","n1","msg:abc"]',
		);
	});

	it('fall back to the node name and an empty workflow id', () => {
		expect(triggerNodeScope(undefined, { name: 'WeCom Trigger' } as never)).toBe(
			'["","WeCom Trigger"]',
		);
		expect(triggerEventKey(undefined, { name: 'A' } as never, 'k')).toBe('["","A","k"]');
	});

	it('are one key for the holder, the test events and the connection of a node', () => {
		const node = { id: 'n"1', name: 'x' };
		expect(holderKey('w', node)).toBe(triggerNodeScope('w', node));
		expect(testEventKey('w', node)).toBe(triggerNodeScope('w', node));
		// Quotes in ids cannot make two nodes share a key.
		expect(triggerNodeScope('w","n', { id: '1', name: 'x' })).not.toBe(
			triggerNodeScope('w', { id: 'n","1', name: 'x' }),
		);
	});

	it('name the workflow (by name, else id) and the node in log lines', () => {
		expect(triggerLogPlace({ id: 'w1', name: 'Approvals' }, { name: 'T' })).toBe(
			'[workflow "Approvals", node "T"]',
		);
		expect(triggerLogPlace({ id: 'w1' }, { name: 'T' })).toBe('[workflow "w1", node "T"]');
	});
});
