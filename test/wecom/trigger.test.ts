/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { WeComTrigger } from '../../nodes/WeCom/WeComTrigger.node';
import { computeSignature } from '../../nodes/shared/callbackCrypto';
import {
	buildWeComCallback,
	buildWeComUrlVerification,
	sendCallback,
	type BuiltCallback,
	type Tamper,
} from '../emulator/callbackSender';
import { WECOM_SEED } from '../emulator/wecom/seed';
import { W1_GET, W1_POST, W2_GET, W2_POST, type CallbackVector } from '../fixtures/vectors';
import { WebhookServer, type WebhookCall } from '../harness';
import { showsSecret } from '../harness/secrets';
import { startWeCom, type WeComTestEnv } from './setup';

const APPROVAL_XML = readFileSync(join(__dirname, '../fixtures/approval-event.xml'), 'utf8').trim();

const SEED = {
	token: WECOM_SEED.callbackToken,
	encodingAesKey: WECOM_SEED.encodingAesKey,
	corpId: WECOM_SEED.corpId,
};

// Another key of the right shape: what a sender holding a different EncodingAESKey would use.
const OTHER_AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

let env: WeComTestEnv;
const servers: WebhookServer[] = [];
/** Every answer body seen, checked at the end for secrets. */
const answers: string[] = [];
/** Every secret any credential of this file held. */
const secrets = new Set<string>([
	SEED.token,
	SEED.encodingAesKey,
	OTHER_AES_KEY,
	WECOM_SEED.secret,
]);
let nodeCounter = 0;

beforeAll(async () => {
	env = await startWeCom();
});

afterAll(async () => {
	await Promise.all(servers.map(async (s) => await s.close()));
	await env.stop();
});

interface ServeOptions {
	parameters?: INodeParameters;
	/** Credential data instead of the seeded one. */
	credential?: IDataObject;
}

/**
 * The parameters as n8n's editor saves them: a node added to a workflow starts with the Options
 * collection's default `{binaryData: true}`, and options the user adds go in beside it. (A node saved
 * without it — by a version before the flag — is covered in triggerGarbage.test.ts.)
 */
function asSavedByEditor(parameters: INodeParameters): INodeParameters {
	if (parameters.options === undefined) return parameters;
	return { ...parameters, options: { binaryData: true, ...(parameters.options as IDataObject) } };
}

/** The WeCom Trigger served over HTTP; each call gets a node of its own, so duplicates never leak between tests. */
async function serve(options: ServeOptions = {}): Promise<WebhookServer> {
	let credential = env.credential;
	if (options.credential) {
		for (const key of ['callbackToken', 'encodingAesKey']) {
			if (typeof options.credential[key] === 'string' && options.credential[key] !== '') {
				secrets.add(options.credential[key] as string);
			}
		}
		credential = env.harness.credentials.add('weComApi', {
			agentId: '1000002',
			secret: 'unused-for-callbacks',
			baseUrl: env.emulator.baseUrl,
			accessToken: '',
			...options.credential,
		}) as { id: string; name: string };
	}
	nodeCounter++;
	const server = await WebhookServer.start(env.harness, {
		id: `trigger-node-${nodeCounter}`,
		name: 'WeCom Trigger',
		type: env.harness.type('weComTrigger'),
		typeVersion: 1,
		position: [0, 0],
		parameters: asSavedByEditor(
			options.parameters ?? { events: ['*'], changeTypes: [], options: {} },
		),
		credentials: { weComApi: credential },
		webhookId: `hook-${nodeCounter}`,
	});
	servers.push(server);
	return server;
}

function vectorCredential(v: CallbackVector): IDataObject {
	return { corpId: v.receiverId, callbackToken: v.token, encodingAesKey: v.encodingAesKey };
}

async function call(server: WebhookServer, built: BuiltCallback): Promise<WebhookCall> {
	const answer = await server.call({
		method: built.method ?? (built.body === undefined ? 'GET' : 'POST'),
		query: built.query,
		headers: built.contentType ? { 'content-type': built.contentType } : {},
		body: built.body,
	});
	answers.push(answer.body);
	return answer;
}

/** A signed callback carrying this decrypted XML (or JSON), for the seeded app. */
function callback(
	payloadXml: string,
	extra: Partial<Parameters<typeof buildWeComCallback>[0]> = {},
) {
	return buildWeComCallback({ ...SEED, agentId: WECOM_SEED.agentId, payloadXml, ...extra });
}

let msgIds = 7_000_000_000;
function textMessage(content = 'hello', from = 'zhangsan'): string {
	msgIds++;
	return `<xml><ToUserName><![CDATA[${SEED.corpId}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgIds}</MsgId><AgentID>1000002</AgentID></xml>`;
}

function expectRefused(answer: WebhookCall, status: number, reason: RegExp): void {
	expect({ status: answer.status, body: answer.body }).toEqual({
		status,
		body: expect.stringMatching(reason),
	});
	expect(answer.contentType).toMatch(/^text\/plain/);
	expect(answer.workflowData).toBeUndefined();
}

function expectAcknowledged(answer: WebhookCall): void {
	expect(answer.status).toBe(200);
	expect(answer.body).toBe('');
}

describe('WeCom Trigger: node description', () => {
	const { description } = new WeComTrigger();

	it('is a trigger with GET (URL check) and POST (callbacks) on the same path, answering itself', () => {
		expect(description).toMatchObject({
			name: 'weComTrigger',
			group: ['trigger'],
			inputs: [],
			credentials: [{ name: 'weComApi', required: true }],
			icon: { light: 'file:wecom.svg', dark: 'file:wecom.dark.svg' },
		});
		expect(description.displayName).toContain('Trigger');
		expect(description.webhooks).toEqual([
			{ name: 'setup', httpMethod: 'GET', responseMode: 'onReceived', path: 'callback' },
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				// n8n answers once it has recorded the execution, with the node's empty webhookResponse.
				responseData: '',
				path: 'callback',
			},
		]);
	});

	it('tells the user which URL to paste where, and to publish the workflow', () => {
		const notice = description.properties.find((p) => p.type === 'notice');
		expect(notice?.displayName).toMatch(/Production URL/);
		expect(notice?.displayName).toMatch(/接收消息/);
		expect(notice?.displayName).toMatch(/设置API接收/);
		expect(notice?.displayName).toMatch(/Publish \(activate\)/);
	});

	it('has a complete webhook lifecycle that registers nothing remotely', async () => {
		const methods = new WeComTrigger().webhookMethods.default;
		const hooks = {} as never;
		await expect(methods.checkExists.call(hooks)).resolves.toBe(true);
		await expect(methods.create.call(hooks)).resolves.toBe(true);
		await expect(methods.delete.call(hooks)).resolves.toBe(true);
	});
});

describe('WeCom Trigger: official vectors end to end', () => {
	it.each([
		[W1_GET, '1616140317555161061'],
		[W2_GET, '1288432023552776189'],
	])('answers the URL check of %s with the bare plaintext', async (vector, plaintext) => {
		const server = await serve({ credential: vectorCredential(vector) });
		const answer = await call(server, {
			method: 'GET',
			query: {
				msg_signature: vector.msgSignature,
				timestamp: vector.timestamp,
				nonce: vector.nonce,
				echostr: vector.encrypt,
			},
		});
		expect(answer.status).toBe(200);
		expect(answer.body).toBe(plaintext);
		expect(answer.contentType).toBe('text/plain; charset=utf-8');
		expect(answer.workflowData).toBeUndefined();
		expect(server.executionsStarted).toBe(0);
	});

	it('accepts an echostr whose + reached the URL unescaped (decoded to a space)', async () => {
		const server = await serve({ credential: vectorCredential(W1_GET) });
		expect(W1_GET.encrypt).toContain('+');
		const rawQuery =
			`msg_signature=${W1_GET.msgSignature}&timestamp=${W1_GET.timestamp}&nonce=${W1_GET.nonce}` +
			`&echostr=${W1_GET.encrypt.replace(/\//g, '%2F').replace(/=/g, '%3D')}`;
		const answer = await server.call({ method: 'GET', rawQuery });
		expect(answer.status).toBe(200);
		expect(answer.body).toBe(W1_GET.plaintext);
	});

	it('starts the workflow once with the W1 text message (CDATA and newlines)', async () => {
		const server = await serve({ credential: vectorCredential(W1_POST) });
		const answer = await call(server, {
			method: 'POST',
			query: {
				msg_signature: W1_POST.msgSignature,
				timestamp: W1_POST.timestamp,
				nonce: W1_POST.nonce,
			},
			contentType: 'text/xml',
			body: `<xml><ToUserName><![CDATA[${W1_POST.receiverId}]]></ToUserName><Encrypt><![CDATA[${W1_POST.encrypt}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`,
		});
		expectAcknowledged(answer);
		expect(answer.workflowData).toEqual([
			[
				{
					json: {
						ToUserName: 'wx5823bf96d3bd56c7',
						FromUserName: 'mycreate',
						CreateTime: '1409659813',
						MsgType: 'text',
						Content: 'hello',
						MsgId: '4561255354251345929',
						AgentID: '218',
						msgType: 'text',
						createTime: '2014-09-02T12:10:13.000Z',
					},
				},
			],
		]);
		expect(server.executionsStarted).toBe(1);
	});

	it('starts the workflow with the W2 Chinese text message', async () => {
		const server = await serve({ credential: vectorCredential(W2_POST) });
		const answer = await call(server, {
			method: 'POST',
			query: {
				msg_signature: W2_POST.msgSignature,
				timestamp: W2_POST.timestamp,
				nonce: W2_POST.nonce,
			},
			contentType: 'text/xml',
			body: `<xml><ToUserName><![CDATA[${W2_POST.receiverId}]]></ToUserName><AgentID><![CDATA[1000002]]></AgentID><Encrypt><![CDATA[${W2_POST.encrypt}]]></Encrypt></xml>`,
		});
		expectAcknowledged(answer);
		expect(answer.workflowData?.[0][0].json).toEqual({
			ToUserName: 'ww1436e0e65a779aee',
			FromUserName: 'ChenJiaShun',
			CreateTime: '1476422779',
			MsgType: 'text',
			Content: '你好',
			MsgId: '1456453720',
			AgentID: '1000002',
			msgType: 'text',
			createTime: '2016-10-14T05:26:19.000Z',
		});
	});

	it('accepts the W2 message in a JSON envelope {tousername, encrypt, agentid}', async () => {
		const server = await serve({ credential: vectorCredential(W2_POST) });
		const answer = await call(server, {
			method: 'POST',
			query: {
				msg_signature: W2_POST.msgSignature,
				timestamp: W2_POST.timestamp,
				nonce: W2_POST.nonce,
			},
			contentType: 'application/json',
			body: JSON.stringify({
				tousername: W2_POST.receiverId,
				encrypt: W2_POST.encrypt,
				agentid: 1000002,
			}),
		});
		expectAcknowledged(answer);
		expect(answer.workflowData?.[0][0].json).toMatchObject({
			Content: '你好',
			MsgId: '1456453720',
		});
	});
});

describe('WeCom Trigger: callbacks from the emulator sender', () => {
	it('answers a fresh URL check for the seeded app', async () => {
		const server = await serve();
		const built = buildWeComUrlVerification(SEED);
		const answer = await call(server, built);
		expect(answer).toMatchObject({ status: 200, body: built.echo, workflowData: undefined });
	});

	it('keeps the approval sample intact: nested records, repeated elements, CDATA, escapes', async () => {
		const server = await serve();
		const answer = await call(server, callback(APPROVAL_XML, { agentId: 3010040 }));
		expectAcknowledged(answer);
		const item = answer.workflowData?.[0][0].json as IDataObject;
		expect(item).toMatchObject({
			MsgType: 'event',
			Event: 'sys_approval_change',
			FromUserName: 'sys',
			msgType: 'event',
			event: 'sys_approval_change',
			createTime: '2023-11-14T22:18:20.000Z',
		});
		// WeCom's own shape, lists as lists, the approval's SpStatus not overwritten by a record's.
		const info = item.ApprovalInfo as IDataObject;
		expect(info.SpStatus).toBe('3');
		const records = info.SpRecord as IDataObject[];
		expect(records).toHaveLength(3);
		expect(
			(records[0].Details as IDataObject[]).map((d) => (d.Approver as IDataObject).UserId),
		).toEqual(['lisi', 'wangwu']);
		expect((records[2].Details as IDataObject[]).length).toBe(1);
		expect(info.Notifyer).toEqual([{ UserId: 'wujiu' }, { UserId: 'zhengshi' }]);
		// The normalised approval.
		const approval = item.approval as IDataObject;
		expect(approval).toMatchObject({
			spNo: '202311150001',
			spName: '报销申请',
			spStatus: 3,
			spStatusName: 'rejected',
			spStatusNameZh: '已驳回',
			templateId: 'C4RbNGhAbu8oZKyBg6FBFR6hQz9AD1ZJzGS8BPrXp',
			applyTime: 1700000000,
			applyer: { userId: 'zhangsan', party: '2' },
			notifyers: ['wujiu', 'zhengshi'],
			statusChangeEvent: 3,
			statusChangeEventName: 'rejected',
			statusChangeEventNameZh: '驳回',
		});
		const approvalRecords = approval.records as IDataObject[];
		expect(approvalRecords.map((r) => r.approvers)).toEqual([
			['lisi', 'wangwu'],
			['zhaoliu', 'sunqi'],
			['zhouba'],
		]);
		const second = approvalRecords[1].details as IDataObject[];
		expect(second[0].attach).toEqual(['WWCISP_media_1', 'WWCISP_media_2']);
		expect(second[1]).toMatchObject({
			approver: 'sunqi',
			speech: '金额超标 ]]> 请重提',
			spStatus: 3,
			spStatusName: 'rejected',
		});
		expect(approval.comments).toEqual([
			{
				userId: 'lisi',
				commentTime: 1700000150,
				commentTimeIso: '2023-11-14T22:15:50.000Z',
				content: '请补充发票 & 行程单 <附件>',
				commentId: '6899287783354123456',
				attach: [],
			},
		]);
	});

	it('accepts the JSON envelope the sender builds', async () => {
		const server = await serve();
		const payload = textMessage('via json');
		const answer = await call(server, callback(payload, { format: 'json' }));
		expectAcknowledged(answer);
		expect(answer.workflowData?.[0][0].json).toMatchObject({
			Content: 'via json',
			msgType: 'text',
		});
	});

	it('reads a JSON payload inside the envelope, keeping its own keys', async () => {
		const server = await serve({ parameters: { options: { includeRawXml: true } } });
		const json = JSON.stringify({
			msgid: 'json-msg-1',
			aibotid: 'bot1',
			msgtype: 'event',
			from: { userid: 'lisi' },
			event: { eventtype: 'enter_chat' },
		});
		const answer = await call(server, callback(json, { format: 'json' }));
		expectAcknowledged(answer);
		expect(answer.workflowData?.[0][0].json).toEqual({
			msgid: 'json-msg-1',
			aibotid: 'bot1',
			msgtype: 'event',
			from: { userid: 'lisi' },
			event: { eventtype: 'enter_chat' },
			msgType: 'event',
			rawJson: json,
		});
	});

	it('adds the decrypted XML only when asked', async () => {
		const payload = textMessage('raw please');
		const withRaw = await serve({ parameters: { options: { includeRawXml: true } } });
		const without = await serve();
		const a = await call(withRaw, callback(payload));
		const b = await call(without, callback(payload));
		expect(a.workflowData?.[0][0].json.rawXml).toBe(payload);
		expect(b.workflowData?.[0][0].json).not.toHaveProperty('rawXml');
		expect(b.workflowData?.[0][0].json.Content).toBe('raw please');
	});

	it('works with the parameters n8n leaves unset (defaults: everything, duplicates checked)', async () => {
		const server = await serve({ parameters: {} });
		const payload = textMessage();
		const first = await call(server, callback(payload));
		const second = await call(server, callback(payload));
		expect(first.workflowData).toBeDefined();
		expect(second.workflowData).toBeUndefined();
	});
});

// One sample per filter category, each with an identity of its own.
function eventXml(event: string, inner = '', from = 'lisi'): string {
	return `<xml><ToUserName><![CDATA[${SEED.corpId}]]></ToUserName><FromUserName><![CDATA[${from}]]></FromUserName><CreateTime>1700000400</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${event}]]></Event><AgentID>1000002</AgentID>${inner}</xml>`;
}

function messageXml(type: string, inner: string, msgId: number): string {
	return `<xml><ToUserName><![CDATA[${SEED.corpId}]]></ToUserName><FromUserName><![CDATA[lisi]]></FromUserName><CreateTime>1700000400</CreateTime><MsgType><![CDATA[${type}]]></MsgType>${inner}<MsgId>${msgId}</MsgId><AgentID>1000002</AgentID></xml>`;
}

const SAMPLES: Record<string, string> = {
	text: messageXml('text', '<Content><![CDATA[hi]]></Content>', 101),
	image: messageXml(
		'image',
		'<PicUrl><![CDATA[http://p/1.jpg]]></PicUrl><MediaId><![CDATA[m1]]></MediaId>',
		102,
	),
	voice: messageXml(
		'voice',
		'<MediaId><![CDATA[m2]]></MediaId><Format><![CDATA[amr]]></Format>',
		103,
	),
	video: messageXml(
		'video',
		'<MediaId><![CDATA[m3]]></MediaId><ThumbMediaId><![CDATA[t3]]></ThumbMediaId>',
		104,
	),
	location: messageXml(
		'location',
		'<Location_X>23.1</Location_X><Location_Y>113.3</Location_Y><Scale>15</Scale><Label><![CDATA[广州]]></Label><AppType><![CDATA[wxwork]]></AppType>',
		105,
	),
	link: messageXml(
		'link',
		'<Title><![CDATA[t]]></Title><Description><![CDATA[d]]></Description><Url><![CDATA[http://x]]></Url><PicUrl><![CDATA[http://p]]></PicUrl>',
		106,
	),
	subscribe: eventXml('subscribe'),
	unsubscribe: eventXml('unsubscribe'),
	enter_agent: eventXml('enter_agent', '<EventKey><![CDATA[]]></EventKey>'),
	click: eventXml('click', '<EventKey><![CDATA[menu_1]]></EventKey>'),
	view: eventXml('view', '<EventKey><![CDATA[https://example.com]]></EventKey>'),
	create_user: eventXml(
		'change_contact',
		'<ChangeType>create_user</ChangeType><UserID>u9</UserID><Name>新人</Name><Department>1,2</Department>',
		'sys',
	),
	update_tag: eventXml(
		'change_contact',
		'<ChangeType>update_tag</ChangeType><TagId>3</TagId><AddUserItems>u1,u2</AddUserItems>',
		'sys',
	),
	sys_approval_change: APPROVAL_XML,
	template_card_event: eventXml(
		'template_card_event',
		'<EventKey><![CDATA[btn_ok]]></EventKey><TaskId><![CDATA[task1]]></TaskId><CardType><![CDATA[button_interaction]]></CardType><ResponseCode><![CDATA[rc1]]></ResponseCode>',
	),
	batch_job_result: eventXml(
		'batch_job_result',
		'<BatchJob><JobId><![CDATA[job1]]></JobId><JobType><![CDATA[sync_user]]></JobType><ErrCode>0</ErrCode><ErrMsg><![CDATA[ok]]></ErrMsg></BatchJob>',
		'sys',
	),
	LOCATION: eventXml(
		'LOCATION',
		'<Latitude>23.1</Latitude><Longitude>113.3</Longitude><Precision>30</Precision>',
	),
	scancode_push: eventXml(
		'scancode_push',
		'<EventKey><![CDATA[scan]]></EventKey><ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType><ScanResult><![CDATA[1]]></ScanResult></ScanCodeInfo>',
	),
	file: messageXml('file', '<MediaId><![CDATA[f1]]></MediaId>', 107),
};

const ALL_SAMPLES = Object.keys(SAMPLES);

async function startedBy(parameters: INodeParameters): Promise<string[]> {
	const server = await serve({ parameters });
	const started: string[] = [];
	for (const name of ALL_SAMPLES) {
		const answer = await call(server, callback(SAMPLES[name]));
		// Filtered out or not, WeCom always gets its empty 200.
		expectAcknowledged(answer);
		if (answer.workflowData) started.push(name);
	}
	expect(server.executionsStarted).toBe(started.length);
	return started;
}

describe('WeCom Trigger: filters', () => {
	it.each([
		['message:text', ['text']],
		['message:image', ['image']],
		['message:voice', ['voice']],
		['message:video', ['video']],
		['message:location', ['location']],
		['message:link', ['link']],
		['event:subscribe', ['subscribe']],
		['event:unsubscribe', ['unsubscribe']],
		['event:enter_agent', ['enter_agent']],
		['event:click', ['click']],
		['event:view', ['view']],
		['event:change_contact', ['create_user', 'update_tag']],
		['event:sys_approval_change', ['sys_approval_change']],
		['event:template_card_event', ['template_card_event']],
		['event:batch_job_result', ['batch_job_result']],
		['other', ['LOCATION', 'scancode_push', 'file']],
		['*', ALL_SAMPLES],
	])('%s starts the workflow for exactly %j', async (filter, expected) => {
		expect(await startedBy({ events: [filter], changeTypes: [], options: {} })).toEqual(expected);
	});

	it('combines several choices', async () => {
		expect(
			await startedBy({
				events: ['message:text', 'event:click', 'other'],
				changeTypes: [],
				options: {},
			}),
		).toEqual(['text', 'click', 'LOCATION', 'scancode_push', 'file']);
	});

	it('takes an empty choice as everything', async () => {
		expect(await startedBy({ events: [], changeTypes: [], options: {} })).toEqual(ALL_SAMPLES);
	});

	it('narrows change_contact to the chosen change types', async () => {
		expect(
			await startedBy({
				events: ['event:change_contact'],
				changeTypes: ['update_tag'],
				options: {},
			}),
		).toEqual(['update_tag']);
		const everythingButNewUsers = await startedBy({
			events: ['*'],
			changeTypes: ['update_tag', 'delete_user'],
			options: {},
		});
		expect(everythingButNewUsers).toEqual(ALL_SAMPLES.filter((s) => s !== 'create_user'));
	});

	it('normalises the event and change type on the item', async () => {
		const server = await serve();
		const location = await call(server, callback(SAMPLES.LOCATION));
		expect(location.workflowData?.[0][0].json).toMatchObject({
			Event: 'LOCATION',
			event: 'location',
		});
		const change = await call(server, callback(SAMPLES.create_user));
		expect(change.workflowData?.[0][0].json).toMatchObject({
			Event: 'change_contact',
			event: 'change_contact',
			ChangeType: 'create_user',
			changeType: 'create_user',
			Department: '1,2',
		});
	});
});

describe('WeCom Trigger: redelivery', () => {
	it('starts once when the same callback arrives three times', async () => {
		const server = await serve();
		const built = callback(textMessage('once'));
		const results = [
			await call(server, built),
			await call(server, built),
			await call(server, built),
		];
		results.forEach(expectAcknowledged);
		expect(results.map((r) => r.workflowData !== undefined)).toEqual([true, false, false]);
		expect(server.executionsStarted).toBe(1);
	});

	it('recognises a redelivery that WeCom encrypted and signed afresh', async () => {
		const server = await serve();
		const payload = textMessage('re-encrypted');
		const tries = [callback(payload), callback(payload), callback(payload)];
		expect(new Set(tries.map((t) => t.encrypt)).size).toBe(3);
		for (const t of tries) await call(server, t);
		expect(server.executionsStarted).toBe(1);
	});

	it('recognises concurrent redeliveries', async () => {
		const server = await serve();
		const payload = textMessage('concurrent');
		const results = await Promise.all(
			[1, 2, 3].map(async () => await call(server, callback(payload))),
		);
		results.forEach(expectAcknowledged);
		expect(results.filter((r) => r.workflowData).length).toBe(1);
	});

	it('dedupes events by their identity, and lets different events through', async () => {
		const server = await serve();
		for (let i = 0; i < 3; i++) await call(server, callback(SAMPLES.click));
		expect(server.executionsStarted).toBe(1);
		await call(server, callback(SAMPLES.click.replace('menu_1', 'menu_2')));
		await call(server, callback(SAMPLES.click.replace('1700000400', '1700000401')));
		expect(server.executionsStarted).toBe(3);
		for (let i = 0; i < 3; i++) await call(server, callback(APPROVAL_XML));
		await call(
			server,
			callback(APPROVAL_XML.replace('<StatuChangeEvent>3', '<StatuChangeEvent>10')),
		);
		expect(server.executionsStarted).toBe(5);
	});

	it('keeps trigger nodes apart, and can be turned off', async () => {
		const payload = textMessage('two nodes');
		const a = await serve();
		const b = await serve();
		const off = await serve({ parameters: { options: { dedupeWindow: 0 } } });
		for (let i = 0; i < 3; i++) {
			await call(a, callback(payload));
			await call(b, callback(payload));
			await call(off, callback(payload));
		}
		expect([a.executionsStarted, b.executionsStarted, off.executionsStarted]).toEqual([1, 1, 3]);
	});

	it('does not count a filtered-out callback as seen', async () => {
		const payload = textMessage('filtered first');
		const server = await serve({ parameters: { events: ['event:click'] } });
		await call(server, callback(payload));
		expect(server.executionsStarted).toBe(0);
		const other = await serve();
		await call(other, callback(payload));
		expect(other.executionsStarted).toBe(1);
	});
});

describe('WeCom Trigger: the answer does not wait for the workflow', () => {
	it('answers 200 before a slow downstream finishes', async () => {
		const server = await serve();
		const order: string[] = [];
		let downstreamDone!: () => void;
		const downstream = new Promise<void>((resolve) => (downstreamDone = resolve));
		server.afterWorkflowData = async () => {
			order.push('downstream started');
			await new Promise((resolve) => setTimeout(resolve, 3000));
			order.push('downstream finished');
			downstreamDone();
		};
		const answer = await call(server, callback(textMessage('slow')));
		order.push('WeCom got its answer');
		expectAcknowledged(answer);
		await downstream;
		expect(order).toContain('downstream started');
		expect(order.indexOf('WeCom got its answer')).toBeLessThan(
			order.indexOf('downstream finished'),
		);
	});
});

describe('WeCom Trigger: timestamp freshness window', () => {
	const now = () => Math.floor(Date.now() / 1000);

	it('is off by default (the vectors above are years old)', async () => {
		const server = await serve();
		const answer = await call(
			server,
			callback(textMessage(), { timestamp: String(now() - 86400 * 365) }),
		);
		expect(answer.workflowData).toBeDefined();
	});

	it('accepts fresh requests and refuses stale or future ones with 403', async () => {
		const server = await serve({ parameters: { options: { timestampWindow: 300 } } });
		const fresh = await call(server, callback(textMessage(), { timestamp: String(now() - 10) }));
		expect(fresh.workflowData).toBeDefined();
		const stale = await call(server, callback(textMessage(), { timestamp: String(now() - 3600) }));
		expectRefused(stale, 403, /outside the 300 s freshness window/);
		const future = await call(server, callback(textMessage(), { timestamp: String(now() + 3600) }));
		expectRefused(future, 403, /freshness window/);
		const staleCheck = await call(
			server,
			buildWeComUrlVerification({ ...SEED, timestamp: String(now() - 3600) }),
		);
		expectRefused(staleCheck, 403, /freshness window/);
		const freshCheck = buildWeComUrlVerification(SEED);
		expect((await call(server, freshCheck)).body).toBe(freshCheck.echo);
		expect(server.executionsStarted).toBe(1);
	});

	it('refuses a replayed official vector when the window is on', async () => {
		const server = await serve({
			credential: vectorCredential(W2_GET),
			parameters: { options: { timestampWindow: 600 } },
		});
		const answer = await call(server, {
			method: 'GET',
			query: {
				msg_signature: W2_GET.msgSignature,
				timestamp: W2_GET.timestamp,
				nonce: W2_GET.nonce,
				echostr: W2_GET.encrypt,
			},
		});
		expectRefused(answer, 403, /freshness window/);
	});
});

describe('WeCom Trigger: bad requests', () => {
	it.each<[string, (b: ReturnType<typeof callback>) => BuiltCallback, number, RegExp]>([
		[
			'missing msg_signature',
			(b) => ({ ...b, query: { timestamp: b.query.timestamp, nonce: b.query.nonce } }),
			400,
			/msg_signature is missing/,
		],
		[
			'missing timestamp',
			(b) => ({ ...b, query: { msg_signature: b.query.msg_signature, nonce: b.query.nonce } }),
			400,
			/timestamp is missing/,
		],
		[
			'missing nonce',
			(b) => ({
				...b,
				query: { msg_signature: b.query.msg_signature, timestamp: b.query.timestamp },
			}),
			400,
			/nonce is missing/,
		],
		['empty body', (b) => ({ ...b, body: '' }), 400, /body is empty/],
		[
			'a body that is no envelope',
			(b) => ({ ...b, body: 'hello' }),
			400,
			/neither a WeCom XML nor a JSON/,
		],
		[
			'malformed XML envelope',
			(b) => ({ ...b, body: '<xml><Encrypt>abc</xml>' }),
			400,
			/not well-formed XML/,
		],
		[
			'an envelope without Encrypt',
			(b) => ({ ...b, body: `<xml><ToUserName>${SEED.corpId}</ToUserName></xml>` }),
			400,
			/no Encrypt value/,
		],
		['invalid JSON envelope', (b) => ({ ...b, body: '{"encrypt": ' }), 400, /not valid JSON/],
		[
			'a DOCTYPE in the envelope',
			(b) => ({
				...b,
				body: `<!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]>${b.body ?? ''}`,
			}),
			400,
			/DOCTYPE/,
		],
	])('%s', async (_name, alter, status, reason) => {
		const server = await serve();
		expectRefused(await call(server, alter(callback(textMessage()))), status, reason);
		expect(server.executionsStarted).toBe(0);
	});

	it.each<[Tamper, 'GET' | 'POST']>([
		['signature', 'POST'],
		['timestamp', 'POST'],
		['nonce', 'POST'],
		['body', 'POST'],
		['signature', 'GET'],
		['body', 'GET'],
	])('refuses a %s altered after signing (%s) with 403 and -40001', async (tamper, method) => {
		const server = await serve();
		const built = method === 'GET' ? buildWeComUrlVerification(SEED) : callback(textMessage());
		const answer = await sendCallback(
			`${server.baseUrl}/hook/${method === 'GET' ? 'setup' : 'default'}`,
			built,
			{
				tamper,
			},
		);
		answers.push(answer.body);
		expect(answer.status).toBe(403);
		expect(answer.body).toMatch(/msg_signature does not match: check that the Token/);
		expect(answer.body).toContain('-40001');
		expect(server.executionsStarted).toBe(0);
	});

	it.each(['GET', 'POST'] as const)(
		'refuses a %s for another CorpID with 403 and -40005',
		async (method) => {
			const server = await serve({
				credential: {
					corpId: 'wwffffffffffffffff',
					callbackToken: SEED.token,
					encodingAesKey: SEED.encodingAesKey,
				},
			});
			const built = method === 'GET' ? buildWeComUrlVerification(SEED) : callback(textMessage());
			const answer = await call(server, built);
			expectRefused(
				answer,
				403,
				/receiveid is 'ww7e3a9c1d5b2f8e60', expected CorpID 'wwffffffffffffffff'/,
			);
			expect(answer.body).toContain('-40005');
			expect(server.executionsStarted).toBe(0);
		},
	);

	it('refuses a signed payload encrypted with another EncodingAESKey (400)', async () => {
		const server = await serve();
		const answer = await call(server, callback(textMessage(), { encodingAesKey: OTHER_AES_KEY }));
		expectRefused(answer, 400, /check that the EncodingAESKey in the n8n credential/);
		expect(answer.body).toMatch(/-4000[78]/);
	});

	it('refuses a signed Encrypt that is not base64 (400, -40010)', async () => {
		const server = await serve();
		const encrypt = 'not*base64!';
		const timestamp = '1700000000';
		const nonce = '12345';
		const answer = await call(server, {
			method: 'POST',
			query: {
				msg_signature: computeSignature(SEED.token, timestamp, nonce, encrypt),
				timestamp,
				nonce,
			},
			body: `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
		});
		expectRefused(answer, 400, /not valid base64/);
		expect(answer.body).toContain('-40010');
	});

	it('refuses an undecryptable echostr in the URL check (400)', async () => {
		const server = await serve();
		const built = buildWeComUrlVerification({ ...SEED, encodingAesKey: OTHER_AES_KEY });
		expectRefused(await call(server, built), 400, /EncodingAESKey/);
	});

	it('refuses a URL check without echostr (400)', async () => {
		const server = await serve();
		const built = buildWeComUrlVerification(SEED);
		const answer = await call(server, { ...built, query: { ...built.query, echostr: '' } });
		expectRefused(answer, 400, /^The URL check parameter echostr is missing$/);
	});

	it.each(['msg_signature', 'timestamp', 'nonce'])(
		'refuses a URL check without %s (400)',
		async (name) => {
			const server = await serve();
			const built = buildWeComUrlVerification(SEED);
			const query = { ...built.query };
			delete query[name];
			expectRefused(
				await call(server, { ...built, query }),
				400,
				new RegExp(`parameter ${name} is missing`),
			);
		},
	);

	it('refuses a repeated parameter (400)', async () => {
		const server = await serve();
		const built = callback(textMessage());
		const q = new URLSearchParams(built.query);
		q.append('nonce', 'again');
		const answer = await server.call({ method: 'POST', rawQuery: q.toString(), body: built.body });
		answers.push(answer.body);
		expectRefused(answer, 400, /nonce was sent more than once/);
	});

	it.each([
		[
			'malformed XML',
			'<xml><MsgType>text</MsgType><Content>unclosed</xml>',
			/decrypted callback is not well-formed XML \(line 1/,
		],
		['a DOCTYPE', '<!DOCTYPE xml [<!ENTITY x "y">]><xml><MsgType>text</MsgType></xml>', /DOCTYPE/],
		['an entity it does not know', '<xml><Content>&x;</Content></xml>', /not well-formed XML/],
		['neither XML nor JSON', 'just text', /neither XML nor JSON/],
		['broken JSON', '{"msgtype": ', /not valid JSON/],
	])(
		'refuses a decrypted payload with %s (400), naming no content',
		async (_name, payload, reason) => {
			const server = await serve();
			const answer = await call(server, callback(payload));
			expectRefused(answer, 400, reason);
			expect(answer.body).not.toContain('unclosed');
			expect(server.executionsStarted).toBe(0);
		},
	);

	it('refuses a body over 1 MiB before parsing it (413)', async () => {
		const server = await serve();
		const built = callback(textMessage());
		const padding = ' '.repeat(1024 * 1024);
		const answer = await call(server, { ...built, body: `${built.body}${padding}` });
		expectRefused(answer, 413, /more than the 1048576/);
	});

	it('leaves other methods to n8n, which answers 404 without calling the node', async () => {
		const server = await serve();
		const built = callback(textMessage());
		const answer = await server.call({
			method: 'PUT',
			webhookName: 'default',
			query: built.query,
			body: built.body,
		});
		expect(answer.status).toBe(404);
		expect(answer.workflowData).toBeUndefined();
		const getOnPost = await server.call({
			method: 'GET',
			webhookName: 'default',
			query: built.query,
		});
		expect(getOnPost.status).toBe(404);
		expect(server.executionsStarted).toBe(0);
	});

	it.each([
		[
			'no Callback Token',
			{ callbackToken: '' },
			/set Callback Token and EncodingAESKey in the WeCom credential/,
		],
		[
			'no EncodingAESKey',
			{ encodingAesKey: '' },
			/set Callback Token and EncodingAESKey in the WeCom credential/,
		],
		['blank Callback Token', { callbackToken: '   ' }, /set Callback Token and EncodingAESKey/],
		['no Corp ID', { corpId: '' }, /set Corp ID in the WeCom credential/],
		[
			'a 42-character EncodingAESKey',
			{ encodingAesKey: SEED.encodingAesKey.slice(1) },
			/EncodingAESKey is invalid: it must be exactly 43 characters/,
		],
	])('refuses everything while the credential has %s (403)', async (_name, patch, reason) => {
		const server = await serve({ credential: { ...vectorCredentialFromSeed(), ...patch } });
		expectRefused(await call(server, buildWeComUrlVerification(SEED)), 403, reason);
		expectRefused(await call(server, callback(textMessage())), 403, reason);
		expect(server.executionsStarted).toBe(0);
	});
});

function vectorCredentialFromSeed(): IDataObject {
	return { corpId: SEED.corpId, callbackToken: SEED.token, encodingAesKey: SEED.encodingAesKey };
}

describe('WeCom Trigger: secrets', () => {
	it('never put a Token or EncodingAESKey into any answer of this file', () => {
		// Runs last: jest keeps declaration order within a file.
		expect(answers.length).toBeGreaterThan(100);
		for (const body of answers) {
			for (const secret of secrets) {
				if (secret.trim().length >= 6) {
					expect({ secret, shown: showsSecret(body, secret) }).toEqual({ secret, shown: false });
				}
			}
		}
	});
});
