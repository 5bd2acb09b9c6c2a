/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// The codex (WeCom.node.json) is what n8n's node panel files the node under: it must claim only what the node does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeProperties } from 'n8n-workflow';
import { SEND_AND_WAIT_OPERATION } from 'n8n-workflow';

import { WeCom } from '../../nodes/WeCom/WeCom.node';

const codex = JSON.parse(
	readFileSync(join(__dirname, '..', '..', 'nodes', 'WeCom', 'WeCom.node.json'), 'utf8'),
) as { node: string; categories: string[] };

function operationValues(properties: INodeProperties[]): unknown[] {
	return properties
		.filter((p) => p.name === 'operation')
		.flatMap((p) => (p.options ?? []).map((o) => ('value' in o ? o.value : undefined)));
}

describe('WeCom codex (WeCom.node.json)', () => {
	it('names the node type n8n loads from this package', () => {
		expect(codex.node).toBe('n8n-nodes-wecom-dingtalk.weCom');
	});

	it('claims the HITL (human in the loop) category only when an operation is Send and Wait', () => {
		const hasSendAndWait = operationValues(new WeCom().description.properties).includes(
			SEND_AND_WAIT_OPERATION,
		);
		expect(codex.categories.includes('HITL')).toBe(hasSendAndWait);
		expect(codex.categories).toEqual(expect.arrayContaining(['Communication']));
	});
});
