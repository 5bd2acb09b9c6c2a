// "Register Callback by API (旧版注册回调)": the DingTalk Trigger's webhookMethods run through n8n-core's real
// HookContext against the emulator's /call_back/* endpoints, whose register/update send check_url to the node's
// production URL (served by the harness's n8n webhook path) and refuse a wrong answer.
import type { INode, INodeParameters } from 'n8n-workflow';

import { DingTalkApi } from '../../credentials/DingTalkApi.credentials';
import { DingTalkTrigger } from '../../nodes/DingTalk/DingTalkTrigger.node';
import { callbackTags } from '../../nodes/DingTalk/trigger/registration';
import { ApiEmulator } from '../emulator';
import { buildDingTalkCallback } from '../emulator/callbackSender';
import { callbackRegistration, DINGTALK_SEED, KNOWN_CALLBACK_TAGS } from '../emulator/dingtalk';
import { dingTalkCredentialData } from '../emulator/dingtalk/credential';
import { httpEventPayload } from '../emulator/dingtalk/httpEvents';
import {
	activateWebhooks,
	deactivateWebhooks,
	Harness,
	WebhookServer,
	type HookRunOptions,
} from '../harness';

let emulator: ApiEmulator;
let harness: Harness;
const servers: WebhookServer[] = [];
let counter = 0;

beforeAll(async () => {
	emulator = await ApiEmulator.start({ plugins: ['dingtalk'] });
	harness = new Harness({
		nodeTypes: [new DingTalkTrigger()],
		credentialTypes: [new DingTalkApi()],
	});
});

afterAll(async () => {
	await Promise.all(servers.map(async (s) => await s.close()));
	await emulator.stop();
});

beforeEach(() => emulator.reset());

function credential(extra: Record<string, string> = {}) {
	return harness.credentials.add('dingTalkApi', {
		...dingTalkCredentialData(emulator.baseUrl),
		accessToken: '',
		...extra,
	}) as { id: string; name: string };
}

interface Published {
	node: INode;
	server: WebhookServer;
	options: HookRunOptions;
	url: string;
}

/** One workflow with the trigger, its n8n webhook path served, its production URL known. */
async function publishable(
	parameters: INodeParameters = {},
	cred = credential(),
): Promise<Published> {
	counter++;
	const node: INode = {
		id: `reg-node-${counter}`,
		name: 'DingTalk Trigger',
		webhookId: `hook-${counter}`,
		type: harness.type('dingTalkTrigger'),
		typeVersion: 1,
		position: [0, 0],
		parameters: {
			connectionMode: 'http',
			registerCallback: true,
			events: ['*'],
			options: { binaryData: true },
			...parameters,
		},
		credentials: { dingTalkApi: cred },
	};
	const server = await WebhookServer.start(harness, node);
	servers.push(server);
	const options = { webhookBaseUrl: server.webhookBaseUrl(), workflowId: `wf-${counter}` };
	return { node, server, options, url: `${server.webhookBaseUrl()}/hook-${counter}/callback` };
}

const registration = () => callbackRegistration(emulator.dingtalk);
const callbackCalls = () => emulator.callsTo(/^\/call_back\//).map((c) => c.path);

const activate = async (p: Published) => await activateWebhooks(harness, p.node, p.options);
const deactivate = async (p: Published) => await deactivateWebhooks(harness, p.node, p.options);

describe('DingTalk Trigger: Register Callback by API', () => {
	it('activation registers the production URL with every tag, after a check_url round trip', async () => {
		const p = await publishable();
		expect(await activate(p)).toEqual({ existed: { default: false }, ran: ['default'] });
		expect(callbackCalls()).toEqual([
			'/call_back/get_call_back',
			'/call_back/get_call_back',
			'/call_back/register_call_back',
		]);
		expect(registration().current).toEqual({
			call_back_tag: callbackTags(['*'], ''),
			token: DINGTALK_SEED.callbackToken,
			aes_key: DINGTALK_SEED.aesKey,
			url: p.url,
		});
		// DingTalk checked the URL and the node answered its check_url (encrypted for the Corp ID) correctly.
		expect(registration().urlChecks).toEqual([{ url: p.url, ok: true, problem: undefined }]);
		expect(p.server.executionsStarted).toBe(0);
		// Every tag the node asks for is one DingTalk knows; "everything" asks for all of them.
		expect([...callbackTags(['*'], '')].sort()).toEqual([...KNOWN_CALLBACK_TAGS].sort());

		// Events pushed under this registration (encrypted for the Corp ID) start the workflow.
		const built = buildDingTalkCallback({
			token: DINGTALK_SEED.callbackToken,
			aesKey: DINGTALK_SEED.aesKey,
			receiverId: DINGTALK_SEED.corpId,
			payload: httpEventPayload('user_add', { userId: 'dev002' }),
		});
		const answer = await p.server.call({
			method: 'POST',
			query: built.query,
			headers: { 'content-type': 'application/json' },
			body: built.body,
		});
		expect(answer.status).toBe(200);
		expect(answer.workflowData?.[0][0].json).toMatchObject({
			eventType: 'user_add_org',
			userIds: ['dev002'],
		});

		// Activating again (n8n restart) finds it in place: no call but the look-up.
		expect(registration().current).toEqual(registrationOf(p));
		const before = callbackCalls().length;
		expect(await activate(p)).toEqual({ existed: { default: true }, ran: [] });
		expect(callbackCalls().slice(before)).toEqual(['/call_back/get_call_back']);
	});

	function registrationOf(p: Published) {
		return {
			call_back_tag: callbackTags(['*'], ''),
			token: DINGTALK_SEED.callbackToken,
			aes_key: DINGTALK_SEED.aesKey,
			url: p.url,
		};
	}

	it('registers only the chosen groups, or exactly Only Event Types', async () => {
		const approvals = await publishable({ events: ['approval', 'department'] });
		await activate(approvals);
		expect(registration().current?.call_back_tag).toEqual([
			'bpms_instance_change',
			'bpms_task_change',
			'org_dept_create',
			'org_dept_modify',
			'org_dept_remove',
		]);
		const exact = await publishable({
			events: ['approval'],
			options: { binaryData: true, eventTypes: 'bpms_instance_change' },
		});
		await activate(exact);
		expect(callbackCalls().slice(-1)).toEqual(['/call_back/update_call_back']);
		expect(registration().current).toMatchObject({
			call_back_tag: ['bpms_instance_change'],
			url: exact.url,
		});
	});

	it('a second workflow with another URL updates (replaces) it; deactivation deletes only our own', async () => {
		const a = await publishable();
		const b = await publishable({ events: ['approval'] });
		await activate(a);
		await activate(b);
		expect(callbackCalls()).toEqual([
			'/call_back/get_call_back',
			'/call_back/get_call_back',
			'/call_back/register_call_back',
			'/call_back/get_call_back',
			'/call_back/get_call_back',
			'/call_back/update_call_back',
		]);
		expect(registration().current?.url).toBe(b.url);
		expect(registration().urlChecks.map((c) => [c.url, c.ok])).toEqual([
			[a.url, true],
			[b.url, true],
		]);

		// A is unpublished: the registration is B's now, so it stays.
		await deactivate(a);
		expect(callbackCalls().slice(-1)).toEqual(['/call_back/get_call_back']);
		expect(registration().current?.url).toBe(b.url);

		await deactivate(b);
		expect(callbackCalls().slice(-2)).toEqual([
			'/call_back/get_call_back',
			'/call_back/delete_call_back',
		]);
		expect(registration().current).toBeUndefined();

		// Nothing registered: deactivation is a look-up only.
		await deactivate(b);
		expect(callbackCalls().slice(-1)).toEqual(['/call_back/get_call_back']);
	});

	it('switched off (the default) or in Stream mode: no call; a test listener leaves the registration alone', async () => {
		const off = await publishable({ registerCallback: false });
		expect(await activate(off)).toEqual({ existed: { default: true }, ran: [] });
		await deactivate(off);
		const stream = await publishable({ connectionMode: 'stream' });
		// Stream mode registers no webhook, so n8n runs none of its methods.
		expect(await activate(stream)).toEqual({ existed: {}, ran: [] });
		expect(callbackCalls()).toEqual([]);

		// A test listener beside the published workflow registers nothing, and stopping it (n8n deletes test webhooks
		// in mode 'internal', with the test URL) leaves the published registration in place.
		const published = await publishable();
		await activate(published);
		const before = callbackCalls().length;
		const test = { ...published.options, mode: 'manual' as const };
		expect(await activateWebhooks(harness, published.node, test)).toEqual({
			existed: { default: true },
			ran: [],
		});
		await deactivateWebhooks(harness, published.node, test);
		expect(callbackCalls().slice(before)).toEqual(['/call_back/get_call_back']);
		expect(registration().current?.url).toBe(published.url);
	});

	it('DingTalk refuses a URL that answers check_url wrongly: activation fails and nothing is registered', async () => {
		// The node expects another Corp ID, so it refuses DingTalk's check_url (encrypted for the real one).
		const p = await publishable({}, credential({ corpId: 'dingother0000000000000000000000000' }));
		await expect(activate(p)).rejects.toThrow(/71004/);
		expect(registration().urlChecks).toHaveLength(1);
		expect(registration().urlChecks[0]).toMatchObject({ url: p.url, ok: false });
		expect(registration().current).toBeUndefined();
	});

	it('errors name the fix: empty Corp ID / Token / AES Key, no event to register, 60011', async () => {
		const noCorp = await publishable({}, credential({ corpId: '', callbackToken: '' }));
		const error = await activate(noCorp).catch((e: Error) => e);
		expect((error as Error).message).toMatch(
			/needs Corp ID, Callback Token in the DingTalk credential/,
		);
		expect(callbackCalls()).toEqual(['/call_back/get_call_back']);

		const robotOnly = await publishable({ events: ['robotMessage'] });
		await expect(activate(robotOnly)).rejects.toThrow(/Trigger On chooses no event/);

		const p = await publishable();
		emulator.injectFault({ kind: 'errcode', errcode: 60011, path: '/call_back/get_call_back' });
		const denied = (await activate(p).catch((e: Error) => e)) as Error & { description?: string };
		expect(denied.message).toMatch(/60011.*权限管理.*switch Register Callback by API off/);
		for (const secret of [
			DINGTALK_SEED.appSecret,
			DINGTALK_SEED.aesKey,
			DINGTALK_SEED.callbackToken,
		]) {
			expect(`${denied.message} ${denied.description}`).not.toContain(secret);
			expect(`${(error as Error).message}`).not.toContain(secret);
		}
	});
});
