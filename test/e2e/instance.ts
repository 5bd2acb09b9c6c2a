/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// What the suite and the sandbox put into a fresh n8n: the emulator credential, the example
// workflows (examples/*.json), published; and the sample callbacks they react to.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { WECOM_SEED } from '../emulator';
import { MODEL_STAND_IN_PATH } from '../emulator/modelStandIn';
import { DINGTALK_ROBOT_SEED } from '../emulator/dingtalk/customRobot';
import { AIBOT_SEED, AIBOT_SOCKET_PATH } from '../emulator/wecom/aiBotServer';
import { WECOM_ROBOT_SEED } from '../emulator/wecom/robot';
import { DINGTALK_CREDENTIAL } from './dingtalk';
import { n8nCli, REPO_ROOT, StepError, type Log, type N8nConfig, type Toolchain } from './n8nHost';

export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');

/** The credential every example references (by id; the name is what the editor shows). */
export const CREDENTIAL = {
	id: 'wecomSandboxCred',
	name: 'WeCom (sandbox emulator)',
	type: 'weComApi',
};

/** The WeCom Trigger's webhook path (`webhooks[].path` of WeComTrigger.node.ts). */
export const TRIGGER_PATH = 'callback';

/** The group robot credentials the robot example references (no app: only each robot's webhook). */
export const ROBOT_CREDENTIALS = {
	wecom: {
		id: 'wecomRobotSandboxCred',
		name: 'WeCom Group Robot (sandbox emulator)',
		type: 'weComGroupRobotApi',
	},
	dingtalk: {
		id: 'dingtalkRobotSandboxCred',
		name: 'DingTalk Group Robot (sandbox emulator)',
		type: 'dingTalkRobotApi',
	},
} as const;

/** n8n's own OpenAI credential, pointing at the emulator's offline chat model (the AI chat example uses it). */
export const OPENAI_STAND_IN_CREDENTIAL = {
	id: 'openAiSandboxCred',
	name: 'OpenAI stand-in (sandbox emulator)',
	type: 'openAiApi',
};

/** The WeCom AI bot credential of the AI bot example: the emulator's long-connection server and its seeded bot. */
export const AIBOT_CREDENTIAL = {
	id: 'wecomAiBotSandboxCred',
	name: 'WeCom AI Bot (sandbox emulator)',
	type: 'weComAiBotApi',
};

const SANDBOX_CREDENTIALS = [
	OPENAI_STAND_IN_CREDENTIAL,
	AIBOT_CREDENTIAL,
	CREDENTIAL,
	...Object.values(ROBOT_CREDENTIALS),
	DINGTALK_CREDENTIAL,
];

export interface Example {
	file: string;
	id: string;
	name: string;
	/**
	 * The trigger's webhookId. Examples without one (a Schedule Trigger) are imported but not published: they run when
	 * a user executes them.
	 */
	webhookId?: string;
	/**
	 * What starts it: WeCom's callbacks (WeCom Trigger), DingTalk's HTTP events (DingTalk Trigger), anything that POSTs
	 * JSON (n8n's Webhook node), a message to the WeCom AI bot (WeCom AI Bot Trigger, long connection: not published
	 * for the user, WeCom keeps one connection per bot), or a user.
	 */
	trigger: 'weComTrigger' | 'dingTalkTrigger' | 'webhook' | 'weComAiBot' | 'manual';
	/**
	 * Its production URL is /webhook/<path>: <webhookId>/callback for the WeCom and DingTalk Triggers, the Webhook
	 * node's Path.
	 */
	path?: string;
	/**
	 * A DingTalk Trigger in Stream mode: imported, never published for the user (DingTalk shares an app's events among
	 * its Stream connections, so a second published one would take a share of another's).
	 */
	stream?: boolean;
}

interface WorkflowJson {
	id?: string;
	name?: string;
	nodes?: Array<{
		type?: string;
		webhookId?: string;
		parameters?: { path?: string; connectionMode?: string };
		credentials?: Record<string, { id?: string }>;
	}>;
}

export function loadExamples(): Example[] {
	return readdirSync(EXAMPLES_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((file) => {
			const wf = JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as WorkflowJson;
			const weComTrigger = wf.nodes?.find((n) => n.type?.endsWith('.weComTrigger'));
			const dingTalkTrigger = wf.nodes?.find((n) => n.type?.endsWith('.dingTalkTrigger'));
			const callbackTrigger = weComTrigger ?? dingTalkTrigger;
			const webhook = wf.nodes?.find((n) => n.type === 'n8n-nodes-base.webhook');
			const aiBotTrigger = wf.nodes?.find((n) => n.type?.endsWith('.weComAiBotTrigger'));
			const trigger = callbackTrigger ?? webhook;
			if (
				!wf.id ||
				!wf.name ||
				(trigger && !trigger.webhookId) ||
				(!callbackTrigger && webhook && !webhook.parameters?.path)
			) {
				throw new StepError(
					`examples/${file}: needs an id, a name, and a webhookId on its WeCom/DingTalk Trigger (or Webhook node with a Path) if it has one`,
				);
			}
			for (const node of wf.nodes ?? []) {
				for (const credential of SANDBOX_CREDENTIALS) {
					const ref = node.credentials?.[credential.type];
					if (ref && ref.id !== credential.id) {
						throw new StepError(
							`examples/${file}: a node uses credential ${ref.id}, not ${credential.id}`,
						);
					}
				}
			}
			return {
				file,
				id: wf.id,
				name: wf.name,
				webhookId: trigger?.webhookId,
				trigger: weComTrigger
					? ('weComTrigger' as const)
					: dingTalkTrigger
						? ('dingTalkTrigger' as const)
						: webhook
							? ('webhook' as const)
							: aiBotTrigger
								? ('weComAiBot' as const)
								: ('manual' as const),
				stream: dingTalkTrigger?.parameters?.connectionMode === 'stream',
				path: callbackTrigger
					? `${trigger!.webhookId}/${TRIGGER_PATH}`
					: webhook
						? String(webhook.parameters!.path).replace(/^\/+/, '')
						: undefined,
			};
		});
}

export function exampleById(id: string): Example {
	const example = loadExamples().find((e) => e.id === id);
	if (!example) {
		throw new StepError(`no example workflow with id ${id} in examples/`);
	}
	return example;
}

export function triggerUrl(n8nBaseUrl: string, example: Example): string {
	if (!example.path) throw new StepError(`example ${example.id} has no webhook trigger`);
	return `${n8nBaseUrl}/webhook/${example.path}`;
}

/** The examples that start from a WeCom Trigger (published, so their webhooks are registered). */
export function triggeredExamples(examples: Example[] = loadExamples()): Example[] {
	return examples.filter((e) => e.webhookId && !e.stream);
}

/** Every credential the examples use, in n8n's decrypted export form, pointing at the emulator. */
export function sandboxCredentials(emulatorBaseUrl: string): object[] {
	return [
		emulatorCredential(emulatorBaseUrl),
		{
			...ROBOT_CREDENTIALS.wecom,
			data: { webhook: WECOM_ROBOT_SEED.key, baseUrl: emulatorBaseUrl },
		},
		{
			...ROBOT_CREDENTIALS.dingtalk,
			data: {
				webhook: DINGTALK_ROBOT_SEED.token,
				signingSecret: DINGTALK_ROBOT_SEED.secret,
				baseUrl: emulatorBaseUrl,
			},
		},
		// The AI chat example's model: n8n's OpenAI credential at the emulator's offline stand-in (modelStandIn.ts).
		{
			...OPENAI_STAND_IN_CREDENTIAL,
			data: { apiKey: 'sk-emulator-stand-in', url: `${emulatorBaseUrl}${MODEL_STAND_IN_PATH}` },
		},
		// The WeCom AI bot example: the emulator's long-connection server (test/emulator/wecom/aiBotServer.ts).
		{
			...AIBOT_CREDENTIAL,
			data: {
				botId: AIBOT_SEED.botId,
				secret: AIBOT_SEED.secret,
				url: `${emulatorBaseUrl.replace(/^http/, 'ws')}${AIBOT_SOCKET_PATH}`,
				// Callback (URL) mode: test/emulator/wecom/aiBotCallback.ts signs and encrypts with these.
				callbackToken: AIBOT_SEED.callbackToken,
				encodingAesKey: AIBOT_SEED.encodingAesKey,
			},
		},
	];
}

/** The credential in n8n's decrypted export form, pointing at the emulator (seeded app values). */
export function emulatorCredential(emulatorBaseUrl: string): object {
	return {
		id: CREDENTIAL.id,
		name: CREDENTIAL.name,
		type: CREDENTIAL.type,
		data: {
			corpId: WECOM_SEED.corpId,
			agentId: String(WECOM_SEED.agentId),
			secret: WECOM_SEED.secret,
			baseUrl: emulatorBaseUrl,
			callbackToken: WECOM_SEED.callbackToken,
			encodingAesKey: WECOM_SEED.encodingAesKey,
		},
	};
}

/**
 * Imports the credentials and every example, then publishes (activates) each example that starts from a WeCom
 * Trigger. n8n must not be running: publish:workflow writes the database, a running n8n would not notice.
 */
export async function importAndPublish(
	toolchain: Toolchain,
	config: N8nConfig,
	emulatorBaseUrl: string,
	workDir: string,
	log: Log,
): Promise<Example[]> {
	const examples = loadExamples();
	await importCredential(toolchain, config, emulatorBaseUrl, workDir, log);
	await importAndPublishWorkflows(
		toolchain,
		config,
		EXAMPLES_DIR,
		// A Schedule Trigger example stays unpublished: it must not fire on its own during the suite or in a sandbox.
		triggeredExamples(examples).map((e) => e.id),
		log,
	);
	return examples;
}

/** Imports the emulator credential (n8n not running). */
export async function importCredential(
	toolchain: Toolchain,
	config: N8nConfig,
	emulatorBaseUrl: string,
	workDir: string,
	log: Log,
): Promise<void> {
	const credentialFile = join(workDir, 'credentials.json');
	// The file holds emulator values only; it is written for the import and kept for inspection.
	const credentials = sandboxCredentials(emulatorBaseUrl);
	writeFileSync(credentialFile, `${JSON.stringify(credentials, null, 2)}\n`);
	const imported = await n8nCli(
		toolchain,
		config,
		['import:credentials', `--input=${credentialFile}`],
		log,
	);
	expectLine(
		imported,
		new RegExp(`Successfully imported ${credentials.length} credentials?`),
		'import:credentials',
	);
}

/** Imports every workflow file of `dir` and publishes those with the given ids (n8n not running). */
export async function importAndPublishWorkflows(
	toolchain: Toolchain,
	config: N8nConfig,
	dir: string,
	ids: string[],
	log: Log,
): Promise<void> {
	const count = readdirSync(dir).filter((f) => f.endsWith('.json')).length;
	const workflows = await n8nCli(
		toolchain,
		config,
		['import:workflow', '--separate', `--input=${dir}`],
		log,
	);
	expectLine(workflows, new RegExp(`Successfully imported ${count} workflows?`), 'import:workflow');
	// Each CLI command is a full n8n boot (seconds): the publishes run side by side, and one that lost
	// a race for the database is simply run again.
	const publish = async (id: string) => {
		const published = await n8nCli(toolchain, config, ['publish:workflow', `--id=${id}`], log);
		expectLine(published, /Publishing workflow with ID/, `publish:workflow --id=${id}`);
	};
	const first = await Promise.allSettled(ids.map(publish));
	for (const [i, result] of first.entries()) {
		if (result.status === 'rejected') {
			log(`publish:workflow --id=${ids[i]} failed once, again: ${String(result.reason)}`);
			await publish(ids[i]);
		}
	}
}

function expectLine(output: string, pattern: RegExp, what: string): void {
	if (!pattern.test(output)) {
		throw new StepError(
			`n8n ${what} did not report success:\n${output.trim().split('\n').slice(-10).join('\n')}`,
		);
	}
}

// --- sample callbacks (decrypted XML, as WeCom writes them) ---------------------------------------

function cdata(value: string): string {
	return `<![CDATA[${value.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;
}

function nowSeconds(): number {
	return Math.floor(Date.now() / 1000);
}

let msgIdCounter = 0;

/** A MsgId as WeCom issues them (a 64-bit decimal), unique within this process. */
export function newMsgId(): string {
	msgIdCounter += 1;
	return `${BigInt(Date.now()) * 1000n + BigInt(process.pid % 1000)}${String(msgIdCounter).padStart(3, '0')}`;
}

export function textMessageXml(opts: {
	from: string;
	content: string;
	msgId?: string;
	createTime?: number;
}): string {
	return (
		`<xml><ToUserName>${cdata(WECOM_SEED.corpId)}</ToUserName>` +
		`<FromUserName>${cdata(opts.from)}</FromUserName>` +
		`<CreateTime>${opts.createTime ?? nowSeconds()}</CreateTime>` +
		`<MsgType>${cdata('text')}</MsgType><Content>${cdata(opts.content)}</Content>` +
		`<MsgId>${opts.msgId ?? newMsgId()}</MsgId><AgentID>${WECOM_SEED.agentId}</AgentID></xml>`
	);
}

/** change_contact / create_user for a member of the emulator's seed (xujing: 测试实习生, not yet activated). */
export function newEmployeeXml(
	opts: { userId?: string; name?: string; createTime?: number } = {},
): string {
	const userId = opts.userId ?? 'xujing';
	const name = opts.name ?? '徐静';
	return (
		`<xml><ToUserName>${cdata(WECOM_SEED.corpId)}</ToUserName><FromUserName>${cdata('sys')}</FromUserName>` +
		`<CreateTime>${opts.createTime ?? nowSeconds()}</CreateTime><MsgType>${cdata('event')}</MsgType>` +
		`<Event>${cdata('change_contact')}</Event><ChangeType>${cdata('create_user')}</ChangeType>` +
		`<UserID>${cdata(userId)}</UserID><Name>${cdata(name)}</Name><Department>${cdata('8')}</Department>` +
		`<MainDepartment>8</MainDepartment><IsLeaderInDept>${cdata('0')}</IsLeaderInDept>` +
		`<Position>${cdata('测试实习生')}</Position><Gender>2</Gender><Status>4</Status>` +
		`<Alias>${cdata(userId.toUpperCase())}</Alias></xml>`
	);
}

/**
 * test/fixtures/approval-event.xml (repeated SpRecord/Details/Attach/Notifyer, a CDATA split around
 * "]]>"), addressed to the emulator's corporation. A new `createTime` makes it a new event for the
 * trigger's redelivery check; by default it is the fixture's own.
 */
export function approvalEventXml(opts: { createTime?: number } = {}): string {
	let xml = readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'approval-event.xml'), 'utf8').trim();
	xml = xml.replace(
		/<ToUserName><!\[CDATA\[[^\]]*\]\]><\/ToUserName>/,
		`<ToUserName>${cdata(WECOM_SEED.corpId)}</ToUserName>`,
	);
	if (opts.createTime !== undefined) {
		xml = xml.replace(
			/<CreateTime>\d+<\/CreateTime>/,
			`<CreateTime>${opts.createTime}</CreateTime>`,
		);
	}
	return xml;
}
