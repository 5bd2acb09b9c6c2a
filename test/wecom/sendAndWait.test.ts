/* eslint-disable @typescript-eslint/no-explicit-any -- test code: reads the JSON bodies the emulator recorded */
import { createHash } from 'node:crypto';

import type { IDataObject, INode, INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { WAIT_INDEFINITELY } from 'n8n-workflow';

import { WebhookServer, type WebhookCall } from '../harness';
import {
	double,
	expectNoLinks as expectNoLinksIn,
	link,
	NODE_ID,
	twoHours,
	type Link,
} from '../shared/sendAndWaitSupport';
import { apiCalls, errorOf, type RunOutcome } from './messagingSupport';
import { startWeCom, type WeComTestEnv } from './setup';

const AGENT_ID = 1000002;

const ask = (parameters: INodeParameters): INodeParameters => ({
	resource: 'message',
	operation: 'sendAndWait',
	toUsers: { user: [{ id: { __rl: true, mode: 'id', value: 'zhangsan' } }] },
	title: '报销审批',
	message: '张三 提交了报销 ¥6,800（差旅）',
	...parameters,
});

let env: WeComTestEnv;
const servers: WebhookServer[] = [];

beforeAll(async () => {
	env = await startWeCom();
});

afterAll(async () => {
	await Promise.all(servers.map(async (server) => await server.close()));
	await env.stop();
});

beforeEach(() => {
	env.emulator.calls.length = 0;
	env.emulator.clearFaults();
});

const sendBodies = () => env.emulator.callsTo('/cgi-bin/message/send').map((c) => c.body as any);

/** The run shows none of the links WeCom received: not in its items, its error, its run data. */
const expectNoLinks = (result: RunOutcome) => expectNoLinksIn(result, sendBodies());

describe('WeCom Send and Wait: the message', () => {
	it('sends a template card whose jump list holds the Approve and Decline links; the card opens a page with both', async () => {
		const before = Date.now();
		const result = await env.run(ask({ approvalOptions: double, options: twoHours }), [
			{ json: { expense: 6800 } },
		]);

		expect(result.error).toBeUndefined();
		expect(result.run.status).toBe('waiting');
		const waitTill = result.run.waitTill!.getTime();
		expect(waitTill).toBeGreaterThanOrEqual(before + 2 * 3600_000);
		expect(waitTill).toBeLessThanOrEqual(Date.now() + 2 * 3600_000);
		// While it waits the node's output is its input, as with n8n's own nodes.
		expect(result.items.map((item) => item.json)).toEqual([{ expense: 6800 }]);

		expect(apiCalls(env)).toHaveLength(1);
		const [body] = sendBodies();
		const card = body.template_card;
		expect(body).toEqual({
			touser: 'zhangsan',
			msgtype: 'template_card',
			agentid: AGENT_ID,
			template_card: {
				card_type: 'text_notice',
				main_title: {
					title: '报销审批',
					desc: expect.stringMatching(
						/^截止 Due \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(UTC[+-]\d+(:\d+)?\)$/,
					),
				},
				sub_title_text: '张三 提交了报销 ¥6,800（差旅）',
				jump_list: [
					{ type: 1, title: '同意', url: expect.any(String) },
					{ type: 1, title: '拒绝', url: expect.any(String) },
				],
				card_action: { type: 1, url: expect.any(String) },
			},
		});
		const executionPath = expect.stringMatching(new RegExp(`^/webhook-waiting/\\d+/${NODE_ID}$`));
		const approve = link(card.jump_list[0].url);
		const decline = link(card.jump_list[1].url);
		const choose = link(card.card_action.url);
		for (const l of [approve, decline, choose]) {
			expect(l.url.startsWith('http://127.0.0.1:5678/webhook-waiting/')).toBe(true);
			expect(l.path).toEqual(executionPath);
			expect(l.params.signature).toMatch(/^[0-9a-f]{64}$/);
			expect(l.params.until).toBe(String(waitTill));
		}
		expect(approve.params.approved).toBe('true');
		expect(decline.params.approved).toBe('false');
		expect(choose.params.approved).toBeUndefined();
		expect(new Set([approve, decline, choose].map((l) => l.params.signature)).size).toBe(3);
		expectNoLinks(result);
	});

	it('Approve Only: one link, and the card opens it too; without Limit Wait Time there is no deadline', async () => {
		const result = await env.run(ask({}));

		expect(result.error).toBeUndefined();
		expect(result.run.status).toBe('waiting');
		expect(result.run.waitTill).toEqual(WAIT_INDEFINITELY);
		const card = sendBodies()[0].template_card;
		expect(card.main_title).toEqual({ title: '报销审批' });
		expect(card.jump_list).toHaveLength(1);
		expect(card.jump_list[0].title).toBe('Approve');
		expect(card.card_action.url).toBe(card.jump_list[0].url);
		expect(link(card.card_action.url).params).toEqual({
			approved: 'true',
			signature: expect.stringMatching(/^[0-9a-f]{64}$/),
		});
	});

	it('Text Card: one button to the page with both choices (WeCom shows 详情 when the label would not fit)', async () => {
		const longMessage = `${'很长的说明。'.repeat(60)}结尾`;
		const result = await env.run(
			ask({
				messageStyle: 'textCard',
				message: longMessage,
				approvalOptions: double,
				options: twoHours,
			}),
		);

		expect(result.error).toBeUndefined();
		const [body] = sendBodies();
		expect(body.msgtype).toBe('textcard');
		const card = body.textcard;
		expect(card.title).toBe('报销审批');
		expect(card.btntxt).toBeUndefined();
		expect(link(card.url).params.approved).toBeUndefined();
		expect(Buffer.byteLength(card.description, 'utf8')).toBeLessThanOrEqual(512);
		expect(card.description).toMatch(
			/^很长的说明。很长的说明。.*…\n<div class="gray">截止 Due .+<\/div>$/s,
		);
		expect(card.description).not.toContain('结尾');
	});

	it('Text Card with Approve Only names the button after the label when it fits in 4 characters', async () => {
		const result = await env.run(
			ask({
				messageStyle: 'textCard',
				approvalOptions: { values: { approvalType: 'single', approveLabel: '确认收到' } },
			}),
		);

		expect(result.error).toBeUndefined();
		const card = sendBodies()[0].textcard;
		expect(card.btntxt).toBe('确认收到');
		expect(card.description).toBe('张三 提交了报销 ¥6,800（差旅）');
		expect(link(card.url).params.approved).toBe('true');
	});

	it('Free Text and Custom Form: one link, labelled with Message Button Label, opening the form', async () => {
		await env.run(ask({ responseType: 'freeText', options: { messageButtonLabel: '填写意见' } }));
		await env.run(
			ask({
				responseType: 'customForm',
				formElements: { values: [{ fieldLabel: '意见', fieldType: 'text' }] },
			}),
		);

		const [freeText, customForm] = sendBodies().map((body) => body.template_card);
		expect(freeText.jump_list).toEqual([{ type: 1, title: '填写意见', url: expect.any(String) }]);
		expect(customForm.jump_list).toEqual([{ type: 1, title: 'Respond', url: expect.any(String) }]);
		for (const card of [freeText, customForm]) {
			expect(card.card_action.url).toBe(card.jump_list[0].url);
			expect(link(card.card_action.url).params.approved).toBe('true');
		}
	});

	it('shortens a long message on the template card (the page shows all of it)', async () => {
		const message = '第一行\\n第二行<br>' + '字'.repeat(200);
		await env.run(ask({ message }));

		const text = sendBodies()[0].template_card.sub_title_text as string;
		expect([...text]).toHaveLength(112);
		expect(text.startsWith('第一行\n第二行\n字字')).toBe(true);
		expect(text.endsWith('…')).toBe(true);
	});

	it('sends one message for all input items and outputs them all while waiting', async () => {
		const items: INodeExecutionData[] = [
			{ json: { n: 1 } },
			{ json: { n: 2 } },
			{ json: { n: 3 } },
		];
		const result = await env.run(ask({ title: '={{ "报销 " + $json.n }}' }), items);

		expect(result.error).toBeUndefined();
		expect(sendBodies()).toHaveLength(1);
		expect(sendBodies()[0].template_card.main_title.title).toBe('报销 1');
		expect(result.items.map((item) => item.json)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
	});

	it('sends to departments and tags, and to everyone with To All', async () => {
		await env.run(
			ask({
				toUsers: {},
				toDepartments: { department: [{ id: { __rl: true, mode: 'id', value: '2' } }] },
				toTags: ['1'],
			}),
		);
		await env.run(ask({ toAll: true }));

		expect(sendBodies().map((b) => [b.touser, b.toparty, b.totag])).toEqual([
			[undefined, '2', '1'],
			['@all', undefined, undefined],
		]);
	});

	describe('refuses before sending anything', () => {
		const cases: Array<[string, INodeParameters, RegExp]> = [
			['no recipient', { toUsers: {} }, /No recipient/],
			['an empty Title', { title: '  ' }, /Title is empty/],
			['a blank Message', { message: ' \n ' }, /Message is empty/],
			['a Title over 128 bytes', { title: '标题'.repeat(30) }, /Title is 180 bytes/],
			[
				'a Max Date and Time in the past',
				{
					options: {
						limitWaitTime: {
							values: { limitType: 'atSpecifiedTime', maxDateAndTime: '2020-01-01T00:00:00Z' },
						},
					},
				},
				/Max Date and Time 2020-01-01T00:00:00.000Z has already passed/,
			],
			[
				'a Max Date and Time that is not a date',
				{
					options: {
						limitWaitTime: { values: { limitType: 'atSpecifiedTime', maxDateAndTime: 'soon' } },
					},
				},
				/Max Date and Time "soon" is not a date/,
			],
			[
				'an Amount of 0',
				{
					options: {
						limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 0 } },
					},
				},
				/Amount 0 hours is not a positive time/,
			],
			[
				'a dropdown without options',
				{
					responseType: 'customForm',
					formElements: {
						values: [{ fieldLabel: '类别', fieldType: 'dropdown', fieldOptions: {} }],
					},
				},
				/Form element 1 \("类别"\) needs Field Options/,
			],
			[
				'two fields with one name',
				{
					responseType: 'customForm',
					formElements: {
						values: [
							{ fieldLabel: '金额', fieldType: 'number' },
							{ fieldLabel: 'Amount', fieldName: '金额', fieldType: 'number' },
						],
					},
				},
				/Two form elements are named "金额"/,
			],
			[
				'a form element n8n has but the page cannot show',
				{
					responseType: 'customForm',
					defineForm: 'json',
					jsonOutput: '[{"fieldLabel": "发票", "fieldType": "file"}]',
				},
				/Element Type "file", which the response page cannot show/,
			],
			[
				'Form Fields that are not JSON',
				{ responseType: 'customForm', defineForm: 'json', jsonOutput: '[{"fieldLabel": }' },
				/Form Fields is not valid JSON/,
			],
			[
				'a field named respondedAt',
				{
					responseType: 'customForm',
					formElements: { values: [{ fieldLabel: 'When', fieldName: 'respondedAt' }] },
				},
				/named "respondedAt"/,
			],
		];
		it.each(cases)('%s', async (_what, parameters, message) => {
			const result = await env.run(ask(parameters));

			expect(errorOf(result).message).toMatch(message);
			expect(result.run.status).not.toBe('waiting');
			expect(apiCalls(env)).toHaveLength(0);
		});
	});

	it('a WeCom refusal fails the node without waiting and without a link in the error', async () => {
		const result = await env.run(
			ask({ toUsers: { user: [{ id: { __rl: true, mode: 'id', value: 'ghost_user' } }] } }),
		);

		const error = errorOf(result);
		expect(error.message).toMatch(/81013/);
		expect(result.run.status).not.toBe('waiting');
		expectNoLinks(result);
	});

	it('On Error: Continue outputs the error item instead of waiting', async () => {
		const result = await env.run(
			ask({ toUsers: { user: [{ id: { __rl: true, mode: 'id', value: 'ghost_user' } }] } }),
			[{ json: {} }],
			{
				continueOnFail: true,
			},
		);

		expect(result.error).toBeUndefined();
		expect(result.run.status).not.toBe('waiting');
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json.error).toMatch(/81013/);
		expect(result.items[0].pairedItem).toEqual({ item: 0 });
		expectNoLinks(result);
	});
});

// --- the links, answered through n8n-core's WebhookContext ----------------------------------------

interface Waiting {
	server: WebhookServer;
	links: { approve?: Link; decline?: Link; main: Link };
	result: RunOutcome;
}

/** Runs the node until it waits, then serves its webhook in the context of that waiting execution. */
async function waitingOn(
	parameters: INodeParameters,
	items: INodeExecutionData[] = [{ json: {} }],
): Promise<Waiting> {
	env.emulator.calls.length = 0;
	const full = ask(parameters);
	const result = await env.run(full, items);
	expect(result.run.status).toBe('waiting');
	const card = sendBodies()[0].template_card;
	const node: INode = {
		id: NODE_ID,
		name: 'WeCom',
		type: env.harness.type('weCom'),
		typeVersion: 1,
		position: [0, 0],
		parameters: full,
		credentials: { weComApi: env.credential },
	};
	const server = await WebhookServer.start(env.harness, node, {
		runExecutionData: result.run.data,
	});
	servers.push(server);
	const jump = (card.jump_list as Array<{ url: string }>).map((entry) => link(entry.url));
	const isApproval = (parameters.responseType ?? 'approval') === 'approval';
	return {
		server,
		result,
		links: {
			...(isApproval ? { approve: jump[0], decline: jump[1] } : {}),
			main: link(card.card_action.url),
		},
	};
}

function call(
	waiting: Waiting,
	method: 'GET' | 'POST',
	target: Link,
	form?: Record<string, string | string[]>,
	queryOverride?: Record<string, string>,
): Promise<WebhookCall> {
	let body: FormData | undefined;
	if (form) {
		body = new FormData();
		for (const [key, value] of Object.entries(form)) {
			for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
		}
	}
	return multipart(waiting.server, method, { ...target.params, ...queryOverride }, body);
}

/** A request as the page's script makes it: the link's query, a multipart body. */
async function multipart(
	server: WebhookServer,
	method: 'GET' | 'POST',
	query: Record<string, string>,
	body?: FormData,
): Promise<WebhookCall> {
	if (!body) return await server.call({ method, webhookName: 'default', query });
	const encoded = new Request('http://127.0.0.1/', { method: 'POST', body });
	return await server.call({
		method,
		webhookName: 'default',
		query,
		headers: { 'content-type': encoded.headers.get('content-type')! },
		body: Buffer.from(await encoded.arrayBuffer()),
	});
}

function answerOf(call: WebhookCall): IDataObject {
	expect(call.workflowData).toBeDefined();
	expect(call.workflowData).toHaveLength(1);
	expect(call.workflowData![0]).toHaveLength(1);
	return call.workflowData![0][0].json.data as IDataObject;
}

function expectRespondedNow(answer: IDataObject): void {
	const at = Date.parse(String(answer.respondedAt));
	expect(Math.abs(Date.now() - at)).toBeLessThan(10_000);
	expect(answer.respondedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
}

function expectPage(call: WebhookCall, status = 200): void {
	expect(call.status).toBe(status);
	expect(call.contentType).toMatch(/^text\/html/);
	expect(call.headers['cache-control']).toBe('no-store');
	expect(call.headers['referrer-policy']).toBe('no-referrer');
	expect(call.workflowData).toBeUndefined();
}

describe('WeCom Send and Wait: the links (webhook)', () => {
	it('GET on the Approve link shows a confirmation page and resumes nothing', async () => {
		const waiting = await waitingOn({ approvalOptions: double, options: twoHours });
		const page = await call(waiting, 'GET', waiting.links.approve!);

		expectPage(page);
		expect(page.body).toContain(
			'<meta name="viewport" content="width=device-width, initial-scale=1">',
		);
		expect(page.body).toContain('<h1>报销审批</h1>');
		expect(page.body).toContain('张三 提交了报销 ¥6,800（差旅）');
		expect(page.body).toMatch(
			/<button type="submit" class="btn approve" name="decision" value="approve">同意<\/button>/,
		);
		expect(page.body).not.toContain('value="decline"');
		expect(page.body).toContain('需要您的答复');
		expect(page.body).toContain('Your answer is requested');
		expect(page.body).toMatch(/请在 \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(UTC[^)]*\) 前答复/);
		expect(page.body).toContain('Wrong choice? Go back to the message and tap the other button.');
		// The page carries no link of its own: it posts to the address it was opened with.
		expect(page.body).not.toContain('webhook-waiting');
		expect(page.body).not.toContain(waiting.links.approve!.params.signature);
	});

	it("the page's script and style are the ones its Content-Security-Policy allows, and nothing external loads", async () => {
		const waiting = await waitingOn({ approvalOptions: double });
		const page = await call(waiting, 'GET', waiting.links.main);
		const csp = String(page.headers['content-security-policy']);
		const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
		const script = /<script>([\s\S]*?)<\/script>/.exec(page.body)![1];
		const style = /<style>([\s\S]*?)<\/style>/.exec(page.body)![1];

		expect(csp).toContain(`script-src ${hash(script)}`);
		expect(csp).toContain(`style-src ${hash(style)}`);
		expect(csp).toContain("default-src 'none'");
		expect(csp).toContain("connect-src 'self'");
		expect(page.body).not.toMatch(/(src|href)=["']?https?:/);
		expect(page.body.match(/<script/g)).toHaveLength(1);
	});

	it('GET on the card link shows both buttons; its POST resumes with the button pressed', async () => {
		const waiting = await waitingOn({ approvalOptions: double });
		const page = await call(waiting, 'GET', waiting.links.main);

		expectPage(page);
		expect(page.body).toContain('value="approve">同意</button>');
		expect(page.body).toContain('value="decline">拒绝</button>');

		const declined = await call(waiting, 'POST', waiting.links.main, { decision: 'decline' });
		expect(declined.status).toBe(200);
		expect(declined.body).toContain('data-hitl-result="recorded"');
		expect(declined.body).toContain('<p class="chosen">拒绝</p>');
		const answer = answerOf(declined);
		expect(answer).toEqual({ approved: false, respondedAt: expect.any(String) });
		expectRespondedNow(answer);
	});

	it('POST on the card link without a decision is refused and resumes nothing', async () => {
		const waiting = await waitingOn({ approvalOptions: double });
		const refused = await call(waiting, 'POST', waiting.links.main, { decision: 'maybe' });

		expectPage(refused, 422);
		expect(refused.body).toContain('data-hitl-result="invalid"');
		expect(refused.body).toContain('请选择：同意 / 拒绝');
		expect(refused.body).toContain('Choose 同意 or 拒绝');
	});

	it('POST on the Approve link resumes with approved: true, on the Decline link with false (the body cannot change it)', async () => {
		const waiting = await waitingOn({ approvalOptions: double });

		const approved = await call(waiting, 'POST', waiting.links.approve!);
		expect(approved.status).toBe(200);
		expect(approved.body).toContain('已记录您的答复');
		expect(approved.body).toContain('Your answer was recorded');
		expect(answerOf(approved)).toEqual({ approved: true, respondedAt: expect.any(String) });

		const declined = await call(waiting, 'POST', waiting.links.decline!, { decision: 'approve' });
		expect(answerOf(declined)).toEqual({ approved: false, respondedAt: expect.any(String) });
	});

	it('Approve Only: the card link approves, and a decline cannot be sent to it', async () => {
		const waiting = await waitingOn({});
		const page = await call(waiting, 'GET', waiting.links.main);
		expect(page.body).toContain('Tap the button below to confirm.');
		expect(page.body).not.toContain('value="decline"');

		expect(answerOf(await call(waiting, 'POST', waiting.links.main))).toMatchObject({
			approved: true,
		});
	});

	it('after Limit Wait Time the page says it expired and a POST no longer resumes', async () => {
		const waiting = await waitingOn({ approvalOptions: double, options: twoHours });
		const late = { until: String(Date.now() - 1000) };

		const page = await call(waiting, 'GET', waiting.links.approve!, undefined, late);
		expectPage(page);
		expect(page.body).toContain('data-hitl-result="expired"');
		expect(page.body).toContain('此请求已过期');
		expect(page.body).toContain('This request has expired');

		const post = await call(waiting, 'POST', waiting.links.approve!, undefined, late);
		expectPage(post, 410);
		expect(post.body).toContain('data-hitl-result="expired"');
	});

	it('escapes every text from the workflow on the page', async () => {
		const evil = '<script>alert("x")</script> & \'quoted\'';
		const waiting = await waitingOn({
			title: `标题 ${evil}`,
			message: `说明 ${evil}`,
			approvalOptions: {
				values: {
					approvalType: 'double',
					approveLabel: `<b>同意</b>"`,
					disapproveLabel: `<i>不</i>`,
				},
			},
		});
		const page = await call(waiting, 'GET', waiting.links.main);

		const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;';
		expect(page.body).toContain(`<title>标题 ${escaped}</title>`);
		expect(page.body).toContain(`<h1>标题 ${escaped}</h1>`);
		expect(page.body).toContain(`说明 ${escaped}`);
		expect(page.body).toContain('>&lt;b&gt;同意&lt;/b&gt;&quot;</button>');
		expect(page.body).toContain('>&lt;i&gt;不&lt;/i&gt;</button>');
		expect(page.body).not.toContain('<script>alert');
		expect(page.body).not.toContain('<b>');

		const recorded = await call(waiting, 'POST', waiting.links.main, { decision: 'approve' });
		expect(recorded.body).toContain('<p class="chosen">&lt;b&gt;同意&lt;/b&gt;&quot;</p>');
	});

	it("the page's texts come from the item the node waited with", async () => {
		const waiting = await waitingOn(
			{ title: '={{ "报销 ¥" + $json.amount }}', message: '={{ $json.who }} 的差旅报销' },
			[{ json: { amount: 6800, who: '张三' } }],
		);
		const page = await call(waiting, 'GET', waiting.links.main);

		expect(page.body).toContain('<h1>报销 ¥6800</h1>');
		expect(page.body).toContain('张三 的差旅报销');
	});

	it('Free Text: GET shows a form with one required text area; POST resumes with the text', async () => {
		const waiting = await waitingOn({
			responseType: 'freeText',
			options: { responseFormTitle: '审批意见', responseFormButtonLabel: '提交意见' },
		});
		const page = await call(waiting, 'GET', waiting.links.main);

		expectPage(page);
		expect(page.body).toContain('<h1>审批意见</h1>');
		expect(page.body).toContain('张三 提交了报销 ¥6,800（差旅）');
		expect(page.body).toMatch(
			/<textarea id="field-0" name="field-0" rows="5" required><\/textarea>/,
		);
		expect(page.body).toContain('<button type="submit" class="btn submit">提交意见</button>');

		const empty = await call(waiting, 'POST', waiting.links.main, { 'field-0': '   ' });
		expectPage(empty, 422);
		expect(empty.body).toContain('必填');

		const answered = await call(waiting, 'POST', waiting.links.main, {
			'field-0': '同意，但请补一张发票\n谢谢',
		});
		expect(answerOf(answered)).toEqual({
			text: '同意，但请补一张发票\n谢谢',
			respondedAt: expect.any(String),
		});
	});

	describe('Custom Form', () => {
		const formElements = {
			values: [
				{
					fieldLabel: '审批意见',
					fieldName: 'comment',
					fieldType: 'textarea',
					requiredField: true,
				},
				{
					fieldLabel: '批准金额',
					fieldName: 'amount',
					fieldType: 'number',
					placeholder: '例如 5000',
				},
				{ fieldLabel: 'Email', fieldType: 'email' },
				{ fieldLabel: '付款日期', fieldName: 'payDate', fieldType: 'date' },
				{
					fieldLabel: '费用类别',
					fieldName: 'category',
					fieldType: 'dropdown',
					fieldOptions: { values: [{ option: '差旅' }, { option: '招待' }] },
					defaultValue: '差旅',
				},
				{
					fieldLabel: '结论',
					fieldName: 'decision',
					fieldType: 'radio',
					requiredField: true,
					fieldOptions: { values: [{ option: '同意' }, { option: '驳回' }] },
				},
				{
					fieldLabel: '附件',
					fieldName: 'attachments',
					fieldType: 'checkbox',
					fieldOptions: {
						values: [{ option: '发票' }, { option: '行程单' }, { option: '<合同>' }],
					},
				},
				{ fieldLabel: '备注', fieldType: 'text' },
			],
		};

		it('GET shows every field, with its type, options, defaults and required marks', async () => {
			const waiting = await waitingOn({ responseType: 'customForm', formElements });
			const page = await call(waiting, 'GET', waiting.links.main);

			expectPage(page);
			const body = page.body;
			expect(body).toContain('<textarea id="field-0" name="field-0" rows="5" required></textarea>');
			expect(body).toContain(
				'<label class="field" for="field-0">审批意见<span class="req" aria-hidden="true">*</span></label>',
			);
			expect(body).toContain(
				'<input id="field-1" name="field-1" type="number" step="any" inputmode="decimal" value="" placeholder="例如 5000">',
			);
			expect(body).toContain('type="email"');
			expect(body).toContain('<input id="field-3" name="field-3" type="date" value="">');
			expect(body).toContain(
				'<option value="差旅" selected>差旅</option><option value="招待">招待</option>',
			);
			expect(body).toContain('<input type="radio" name="field-5" value="同意" required>');
			expect(body).toContain(
				'<input type="checkbox" name="field-6" value="&lt;合同&gt;"><span>&lt;合同&gt;</span>',
			);
			expect(body).toContain('<button type="submit" class="btn submit">Submit</button>');
		});

		it('POST resumes with the answers, typed, under their names', async () => {
			const waiting = await waitingOn({ responseType: 'customForm', formElements });
			const answered = await call(waiting, 'POST', waiting.links.main, {
				'field-0': '金额核对无误',
				'field-1': '5800.5',
				'field-2': ' boss@example.com ',
				'field-3': '2026-12-01',
				'field-4': '招待',
				'field-5': '同意',
				'field-6': ['发票', '<合同>'],
				'field-7': '  备注文字 ',
			});

			expect(answerOf(answered)).toEqual({
				comment: '金额核对无误',
				amount: 5800.5,
				Email: 'boss@example.com',
				payDate: '2026-12-01',
				category: '招待',
				decision: '同意',
				attachments: ['发票', '<合同>'],
				备注: '备注文字',
				respondedAt: expect.any(String),
			});
		});

		it('optional fields left empty are null (checkboxes: an empty list)', async () => {
			const waiting = await waitingOn({ responseType: 'customForm', formElements });
			const answered = await call(waiting, 'POST', waiting.links.main, {
				'field-0': '好',
				'field-1': '',
				'field-2': '',
				'field-3': '',
				'field-4': '',
				'field-5': '驳回',
				'field-7': '',
			});

			expect(answerOf(answered)).toEqual({
				comment: '好',
				amount: null,
				Email: '',
				payDate: null,
				category: null,
				decision: '驳回',
				attachments: [],
				备注: '',
				respondedAt: expect.any(String),
			});
		});

		it('POST with wrong answers is refused with every problem, in both languages, and resumes nothing', async () => {
			const waiting = await waitingOn({ responseType: 'customForm', formElements });
			const refused = await call(waiting, 'POST', waiting.links.main, {
				'field-0': '',
				'field-1': 'abc',
				'field-2': 'not-an-email',
				'field-3': '01/12/2026',
				'field-4': '其他',
				'field-6': ['发票', '伪造'],
			});

			expectPage(refused, 422);
			for (const text of [
				'「审批意见」必填',
				'"审批意见" is required',
				'「批准金额」需要填写数字',
				'"Email" is not an email address',
				'「付款日期」需要 YYYY-MM-DD 格式的日期',
				'"费用类别" is not one of its options',
				'「结论」必填',
				'"附件" has a value that is not one of its options',
			]) {
				expect(refused.body).toContain(text.replace(/"/g, '&quot;'));
			}
		});

		it('a form defined as JSON works the same way', async () => {
			const waiting = await waitingOn({
				responseType: 'customForm',
				defineForm: 'json',
				jsonOutput: JSON.stringify([
					{ fieldLabel: 'Score', fieldType: 'number', requiredField: true },
					{
						fieldLabel: 'Tags',
						fieldType: 'checkbox',
						fieldOptions: { values: [{ option: 'a' }, { option: 'b' }] },
						defaultValue: 'a, b',
					},
				]),
			});
			const page = await call(waiting, 'GET', waiting.links.main);
			expect(page.body).toContain('<input type="checkbox" name="field-1" value="a" checked>');
			expect(page.body).toContain('<input type="checkbox" name="field-1" value="b" checked>');

			const answered = await call(waiting, 'POST', waiting.links.main, {
				'field-0': '7',
				'field-1': 'b',
			});
			expect(answerOf(answered)).toEqual({
				Score: 7,
				Tags: ['b'],
				respondedAt: expect.any(String),
			});
		});
	});
});
