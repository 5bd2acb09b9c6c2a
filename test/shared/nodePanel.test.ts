/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// What n8n's node panel shows for this package's entries. n8n 2.41's editor (generateMergedNodesAndActions, in its
// workflows store) files a trigger under the node whose name is the trigger's without "Trigger" and gives that one
// entry the TRIGGER's description: "DingTalk (钉钉)" shows the DingTalk Trigger's text to someone looking for an
// action. The same rule is applied here to the package's own node list, and every entry must say what it does.
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

const PACKAGE = 'n8n-nodes-wecom-dingtalk';
const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
	n8n: { nodes: string[] };
};

/** Every node the package declares, loaded from its source, with the codex file beside it. */
const DECLARED = pkg.n8n.nodes.map((file) => {
	const source = join(root, file.replace(/^dist\//, '').replace(/\.js$/, ''));
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const exported = require(source) as Record<string, new () => INodeType>;
	// The node's class is exported under the file's name (DingTalk.node.ts → DingTalk).
	const description = new exported[basename(source, '.node')]().description;
	const codex = JSON.parse(readFileSync(`${source}.json`, 'utf8')) as { node: string };
	return { description, codex };
});
const NODES: INodeTypeDescription[] = DECLARED.map((d) => d.description);

/** The panel's entries as n8n 2.41 builds them: a trigger merged into its node takes over the description. */
function panelEntries(nodes: INodeTypeDescription[]) {
	const entries = new Map<string, { displayName: string; description: string; merged: string[] }>();
	for (const node of nodes.filter((n) => !n.group.includes('trigger'))) {
		entries.set(node.name, {
			displayName: node.displayName,
			description: node.description,
			merged: [],
		});
	}
	for (const trigger of nodes.filter((n) => n.group.includes('trigger'))) {
		const action = entries.get(trigger.name.replace('Trigger', ''));
		if (action) {
			action.description = trigger.description;
			action.merged.push(trigger.name);
		} else {
			entries.set(trigger.name, {
				displayName: trigger.displayName,
				description: trigger.description,
				merged: [],
			});
		}
	}
	return entries;
}

describe("n8n's node panel: what each entry of this package says", () => {
	it('covers every node the package declares, each with its codex beside it', () => {
		expect(NODES.length).toBeGreaterThanOrEqual(6);
		for (const { description, codex } of DECLARED) {
			expect(codex.node).toBe(`${PACKAGE}.${description.name}`);
		}
	});

	it('an app entry with its trigger says what the actions do and what the trigger starts on', () => {
		const entries = panelEntries(NODES);
		const dingTalk = entries.get('dingTalk')!;
		const weCom = entries.get('weCom')!;
		expect(dingTalk.merged).toEqual(['dingTalkTrigger']);
		expect(weCom.merged).toEqual(['weComTrigger']);
		for (const entry of [dingTalk, weCom]) {
			expect(entry.description).not.toMatch(/^Starts the workflow/);
			expect(entry.description).toMatch(/^Send .*approvals/);
			expect(entry.description).toMatch(/start workflows on/);
		}
		expect(dingTalk.description).toMatch(/work notifications and robot messages.*Stream mode/);
		expect(weCom.description).toMatch(/app messages.*接收消息/);
	});

	it('entries without a trigger keep their own description, which says what they do', () => {
		const entries = panelEntries(NODES);
		expect(entries.get('weComGroupRobot')!.description).toMatch(/^Post to a WeCom group/);
		expect(entries.get('dingTalkGroupRobot')!.description).toMatch(/^Post to a DingTalk group/);
		for (const [, entry] of entries) {
			expect(entry.description).not.toMatch(/^Starts the workflow/);
			expect(entry.description.length).toBeGreaterThan(40);
		}
		// The action nodes' own descriptions (n8n shows them where a node is not merged, e.g. in its settings).
		for (const name of ['dingTalk', 'weCom']) {
			expect(NODES.find((n) => n.name === name)!.description).toMatch(/^Send /);
		}
	});
});
