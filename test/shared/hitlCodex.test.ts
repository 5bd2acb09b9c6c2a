/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// Every node with a Send and Wait operation is filed under Human review (codex category HITL) and answers its resume
// links; a node without one claims neither. n8n offers the HITL nodes as human-review tools to AI agents.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeProperties, INodeType } from 'n8n-workflow';
import { SEND_AND_WAIT_OPERATION } from 'n8n-workflow';

import { DingTalk } from '../../nodes/DingTalk/DingTalk.node';
import { DingTalkGroupRobot } from '../../nodes/DingTalkGroupRobot/DingTalkGroupRobot.node';
import { WeCom } from '../../nodes/WeCom/WeCom.node';
import { WeComGroupRobot } from '../../nodes/WeComGroupRobot/WeComGroupRobot.node';
import { SEND_AND_WAIT_WEBHOOKS } from '../../nodes/shared/sendAndWait';

const NODES: Array<[string, INodeType, string[]]> = [
	['WeCom', new WeCom(), ['message']],
	['WeComGroupRobot', new WeComGroupRobot(), ['message']],
	['DingTalkGroupRobot', new DingTalkGroupRobot(), ['message']],
	['DingTalk', new DingTalk(), ['workNotification', 'robotMessage']],
];

function codexOf(folder: string) {
	return JSON.parse(
		readFileSync(join(__dirname, '..', '..', 'nodes', folder, `${folder}.node.json`), 'utf8'),
	) as { node: string; categories: string[]; subcategories?: Record<string, string[]> };
}

/** The resources whose operation picker offers Send and Wait. */
function resourcesWithSendAndWait(properties: INodeProperties[]): string[] {
	return properties
		.filter(
			(p) =>
				p.name === 'operation' &&
				(p.options ?? []).some((o) => 'value' in o && o.value === SEND_AND_WAIT_OPERATION),
		)
		.flatMap((p) => (p.displayOptions?.show?.resource ?? []) as string[]);
}

describe.each(NODES)(
	'%s: Send and Wait and the Human review category',
	(folder, node, resources) => {
		it('offers Send and Wait (operation value exactly "sendAndWait") on its messaging resources', () => {
			expect(resourcesWithSendAndWait(node.description.properties).sort()).toEqual(
				[...resources].sort(),
			);
		});

		it('is filed under HITL (Human in the Loop) and still under Communication', () => {
			const codex = codexOf(folder);
			expect(codex.node).toBe(`n8n-nodes-wecom-dingtalk.${node.description.name}`);
			expect(codex.categories).toEqual(expect.arrayContaining(['Communication', 'HITL']));
			expect(codex.subcategories).toEqual({ HITL: ['Human in the Loop'] });
		});

		it('declares the resume-link webhooks (GET and POST), the waiting tooltip and webhook()', () => {
			expect(node.description.webhooks).toBe(SEND_AND_WAIT_WEBHOOKS);
			expect(node.description.webhooks?.map((w) => w.httpMethod)).toEqual(['GET', 'POST']);
			expect(node.description.waitingNodeTooltip).toContain('"sendAndWait"');
			expect(typeof node.webhook).toBe('function');
			expect(node.description.usableAsTool).toBe(true);
		});
	},
);
