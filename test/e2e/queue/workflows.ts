/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node, never inside n8n */
// The workflows of the queue-mode suite: examples as they ship (WeCom text reply, DingTalk welcome over HTTP and Send
// and Wait, published at import; the two AI chat examples and a variant of the DingTalk one with Postgres Chat Memory,
// imported unpublished: aiChannels.ts publishes them) and three of the suite's own — a WeCom reply (answered once recorded, and the same with "Answer After the Run")
// and a DingTalk Stream workflow, each holding its run for a second (a Wait node) so that a worker killed mid-burst is sure to take runs with
// it. Every one replies through the emulator, so that "ran with its item" is read from what the emulator received.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { AI_EXAMPLE_ID } from '../aiChat';
import { DINGTALK_CREDENTIAL } from '../dingtalk';
import { CREDENTIAL, EXAMPLES_DIR, exampleById, type Example } from '../instance';
import { PACKAGE_NAME } from '../n8nHost';
import { WECOM_AI_EXAMPLE_ID } from '../wecomAiChat';

export const EXAMPLES = {
	text: 'wecomTextReply01',
	welcome: 'dingtalkNewEmployee',
	ask: 'wecomExpenseAsk',
} as const;

/** The two AI chat examples: imported as they ship, published and unpublished by the AI checks (aiChannels.ts). */
export const AI_EXAMPLES = [AI_EXAMPLE_ID, WECOM_AI_EXAMPLE_ID] as const;

/**
 * The DingTalk AI example with Postgres Chat Memory in place of Simple Memory: n8n documents that Simple Memory does not
 * work in queue mode (each worker keeps its own), so this is the example as a queue-mode deployment should run it. The
 * history goes to the suite's PostgreSQL (a table of its own in n8n's database).
 */
export const AI_POSTGRES_MEMORY = {
	id: 'queueAiPostgresMemory',
	name: 'queue e2e: the DingTalk AI example with Postgres Chat Memory',
	credential: { id: 'queueChatMemoryPostgres', name: 'Chat memory (queue e2e PostgreSQL)' },
	table: 'queue_e2e_chat_histories',
};

export const SLOW_TEXT = {
	id: 'queueSlowTextReply',
	name: 'queue e2e: WeCom text → wait 1 s → reply',
	webhookId: '4c8e2a71-9b3d-4f60-8e15-7a2b9c0d3e41',
	/** What the reply says for a message text. */
	reply: (content: string) => `慢回复：${content}`,
};

/** SLOW_TEXT with "Answer After the Run": its callbacks go to main, which holds each until its run has finished. */
export const HELD_TEXT = {
	id: 'queueHeldTextReply',
	name: 'queue e2e: WeCom text (Answer After the Run) → wait 1 s → reply',
	webhookId: '9d2b7e40-5a1c-4f83-b6e2-0c4d8a3f1e57',
	reply: (content: string) => `稳回复：${content}`,
};

export const STREAM = {
	id: 'queueStreamReply',
	name: 'queue e2e: DingTalk Stream event → wait 1 s → WeCom text',
	webhookId: '0b6f3d92-2c4e-4a71-9d58-3e1f7a6c5b20',
	/** What the WeCom text says for a Stream event. */
	reply: (eventId: string) => `stream:${eventId}`,
	/** Who gets the texts. */
	to: 'wangwu',
};

const WECOM_CREDENTIAL = { weComApi: { id: CREDENTIAL.id, name: CREDENTIAL.name } };

function waitNode(id: string, webhookId: string, x: number, seconds = 1): object {
	return {
		id,
		name: 'Hold the run for a second',
		type: 'n8n-nodes-base.wait',
		typeVersion: 1.1,
		position: [x, 0],
		webhookId,
		parameters: { amount: seconds, unit: 'seconds' },
	};
}

function sendText(id: string, x: number, to: string, content: string): object {
	return {
		id,
		name: 'Reply',
		type: `${PACKAGE_NAME}.weCom`,
		typeVersion: 1,
		position: [x, 0],
		parameters: {
			resource: 'message',
			operation: 'send',
			toUsers: { user: [{ id: { __rl: true, mode: 'id', value: to } }] },
			messageType: 'text',
			content,
			options: {},
		},
		credentials: WECOM_CREDENTIAL,
	};
}

function chain(names: string[]): object {
	const connections: Record<string, object> = {};
	for (let i = 0; i + 1 < names.length; i++) {
		connections[names[i]] = { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] };
	}
	return connections;
}

function slowTextWorkflow(held = false): object {
	const [workflow, prefix, waitWebhookId] = held
		? [HELD_TEXT, 'q-held', '2f6c9a1e-8d34-4b70-a5e1-7c3b0d9e4f62']
		: [SLOW_TEXT, 'q-slow', '6a1d4e8b-3f27-4c95-b0a4-2e7c9d1f5a38'];
	return {
		id: workflow.id,
		name: workflow.name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: `${prefix}-trigger`,
				name: 'WeCom Trigger',
				type: `${PACKAGE_NAME}.weComTrigger`,
				typeVersion: 1,
				position: [0, 0],
				webhookId: workflow.webhookId,
				parameters: {
					events: ['message:text'],
					options: { binaryData: true, ...(held ? { answerAfterRun: true } : {}) },
				},
				credentials: WECOM_CREDENTIAL,
			},
			waitNode(`${prefix}-wait`, waitWebhookId, 220),
			sendText(
				`${prefix}-reply`,
				440,
				'={{ $json.FromUserName }}',
				`=${workflow.reply('{{ $json.Content }}')}`,
			),
		],
		connections: chain(['WeCom Trigger', 'Hold the run for a second', 'Reply']),
	};
}

function streamWorkflow(): object {
	return {
		id: STREAM.id,
		name: STREAM.name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'q-stream-trigger',
				name: 'DingTalk Trigger',
				type: `${PACKAGE_NAME}.dingTalkTrigger`,
				typeVersion: 1,
				position: [0, 0],
				webhookId: STREAM.webhookId,
				parameters: { connectionMode: 'stream', events: ['*'], options: { binaryData: true } },
				credentials: {
					dingTalkApi: { id: DINGTALK_CREDENTIAL.id, name: DINGTALK_CREDENTIAL.name },
				},
			},
			// 3 s: the worker kill must find Stream runs still going on a loaded machine (with 1 s, one CI run's kill came
			// after the Stream run it had seen had ended, and proved nothing).
			waitNode('q-stream-wait', 'd3c5a9e1-7b42-4f08-a6e3-91b0c2d4f786', 220, 3),
			sendText('q-stream-reply', 440, STREAM.to, '=stream:{{ $json.eventId }}'),
		],
		connections: chain(['DingTalk Trigger', 'Hold the run for a second', 'Reply']),
	};
}

function postgresMemoryWorkflow(): object {
	const example = JSON.parse(
		readFileSync(join(EXAMPLES_DIR, exampleById(AI_EXAMPLE_ID).file), 'utf8'),
	) as { nodes: Array<Record<string, unknown>>; connections: Record<string, unknown> };
	const nodes = example.nodes.map((node) => {
		if (node.name === 'DingTalk Trigger')
			return { ...node, webhookId: 'c8f2a4d1-5e63-4b7a-9c0d-2e1f3a4b5c69' };
		if (node.name !== 'Simple Memory') return node;
		return {
			id: 'q-ai-postgres-memory',
			name: 'Postgres Chat Memory',
			type: '@n8n/n8n-nodes-langchain.memoryPostgresChat',
			typeVersion: 1.3,
			position: node.position,
			parameters: {
				sessionIdType: 'fromInput',
				tableName: AI_POSTGRES_MEMORY.table,
				contextWindowLength: 10,
			},
			credentials: { postgres: AI_POSTGRES_MEMORY.credential },
		};
	});
	const { 'Simple Memory': memory, ...connections } = example.connections;
	return {
		...example,
		id: AI_POSTGRES_MEMORY.id,
		name: AI_POSTGRES_MEMORY.name,
		active: false,
		nodes,
		connections: { ...connections, 'Postgres Chat Memory': memory },
	};
}

/** Writes every workflow of the suite into `dir` (for `n8n import:workflow --separate`); returns the ids to publish. */
export function writeWorkflows(dir: string): string[] {
	mkdirSync(dir, { recursive: true });
	const examples: Example[] = Object.values(EXAMPLES).map((id) => exampleById(id));
	for (const example of [...examples, ...AI_EXAMPLES.map((id) => exampleById(id))]) {
		copyFileSync(join(EXAMPLES_DIR, example.file), join(dir, example.file));
	}
	writeFileSync(
		join(dir, 'queue-slow-text.json'),
		`${JSON.stringify(slowTextWorkflow(), null, 2)}\n`,
	);
	writeFileSync(
		join(dir, 'queue-held-text.json'),
		`${JSON.stringify(slowTextWorkflow(true), null, 2)}\n`,
	);
	writeFileSync(join(dir, 'queue-stream.json'), `${JSON.stringify(streamWorkflow(), null, 2)}\n`);
	writeFileSync(
		join(dir, 'queue-ai-postgres-memory.json'),
		`${JSON.stringify(postgresMemoryWorkflow(), null, 2)}\n`,
	);
	return [...examples.map((e) => e.id), SLOW_TEXT.id, HELD_TEXT.id, STREAM.id];
}
