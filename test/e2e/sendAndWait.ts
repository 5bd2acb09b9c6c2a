/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/require-node-api-error, @typescript-eslint/no-explicit-any -- test code: runs under Node, never inside n8n */
// Send and Wait for Response in a real n8n: the example "expense over ¥5,000 → ask the manager in WeCom and
// wait" (examples/wecom-expense-approval-wait.json) and two variants of it created over n8n's REST API (a Limit
// Wait Time of seconds; a Custom Form). Links are taken from what the WeCom emulator received, as a manager's phone
// would get them; the pages are also driven in Debian's Chromium at a phone's size (playwright-core).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ApiEmulator, RecordedCall } from '../emulator';
import { DINGTALK_CREDENTIAL } from './dingtalk';
import { exampleById, EXAMPLES_DIR, ROBOT_CREDENTIALS, triggerUrl, type Example } from './instance';
import { sleep, StepError, waitFor, withDeadline, type N8nRest } from './n8nHost';

type Check = (name: string, body: () => Promise<void>) => Promise<void>;

export interface SendAndWaitWorld {
	baseUrl: string;
	rest: N8nRest;
	emulator: ApiEmulator;
	/** n8n's log file: checked for the links' signatures. */
	logFile: string;
	/** Where screenshots of the pages go (kept with E2E_KEEP=1 or when a check fails). */
	artifactsDir: string;
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const EXAMPLE_ID = 'wecomExpenseAsk';
const ASK_NODE = 'Ask the manager';
const PHONE = { width: 390, height: 844 };
const WAIT_MS = 30000;

function expect(condition: unknown, message: string): asserts condition {
	if (!condition) throw new StepError(message);
}

interface Card {
	call: RecordedCall;
	title: string;
	jump: Array<{ title: string; url: string }>;
	action: string;
}

interface Asked {
	executionId: string;
	card: Card;
	tag: string;
}

let tagCounter = 0;

/** The WeCom Send and Wait operation's webhooks live on this node id (the resume URL's last path segment). */
function askNodeId(): string {
	const wf = JSON.parse(
		readFileSync(join(EXAMPLES_DIR, 'wecom-expense-approval-wait.json'), 'utf8'),
	) as { nodes: Array<{ id: string; name: string }> };
	return wf.nodes.find((n) => n.name === ASK_NODE)!.id;
}

class Flow {
	constructor(
		private readonly world: SendAndWaitWorld,
		readonly workflowId: string,
		readonly url: string,
	) {}

	/** Posts an expense and waits for its execution to wait on the manager; returns it and the card WeCom got. */
	async ask(amount: number, extra: Record<string, unknown> = {}): Promise<Asked> {
		const tag = `e2e-${process.pid}-${++tagCounter}`;
		const before = new Set((await this.world.rest.executions(this.workflowId)).map((e) => e.id));
		const res = await http(this.url, 'POST', {
			employee: 'zhangsan',
			manager: 'lisi',
			amount,
			reason: tag,
			...extra,
		});
		expect(res.status === 200, `the expense webhook answered HTTP ${res.status}: ${res.body}`);
		const execution = await waitFor(
			`an execution of ${this.workflowId} waiting for the manager`,
			async () =>
				(await this.world.rest.executions(this.workflowId)).find(
					(e) => !before.has(e.id) && e.status === 'waiting',
				),
			{ timeoutMs: WAIT_MS, intervalMs: 250 },
		);
		const card = await waitFor(`the WeCom card for ${tag}`, () => cardWith(this.world, tag), {
			timeoutMs: WAIT_MS,
			intervalMs: 100,
		});
		return { executionId: execution.id, card, tag };
	}
}

function cardWith(world: SendAndWaitWorld, tag: string): Card | undefined {
	const call = world.emulator
		.callsTo('/cgi-bin/message/send')
		.find(
			(c) => JSON.stringify(c.body).includes(tag) && (c.body as any).msgtype === 'template_card',
		);
	if (!call || call.status === 0) return undefined;
	const card = (call.body as any).template_card;
	return {
		call,
		title: card.main_title?.title,
		jump: card.jump_list ?? [],
		action: card.card_action?.url,
	};
}

async function status(world: SendAndWaitWorld, id: string): Promise<string> {
	return (await world.rest.get<{ status: string }>(`/executions/${id}`)).status;
}

async function finished(world: SendAndWaitWorld, id: string, timeoutMs = WAIT_MS): Promise<string> {
	return await waitFor(
		`execution ${id} to finish`,
		async () => {
			const now = await status(world, id);
			return ['new', 'running', 'waiting'].includes(now) ? undefined : now;
		},
		{ timeoutMs, intervalMs: 250 },
	);
}

async function stillWaiting(world: SendAndWaitWorld, id: string): Promise<void> {
	await sleep(750);
	const now = await status(world, id);
	expect(now === 'waiting', `execution ${id} is ${now}, expected it to keep waiting`);
}

async function askOutput(world: SendAndWaitWorld, id: string): Promise<any> {
	const runData = await world.rest.executionRunData(id);
	const runs = runData[ASK_NODE] ?? [];
	return runs[runs.length - 1]?.data?.main?.[0]?.[0]?.json;
}

function texts(world: SendAndWaitWorld, to: string): string[] {
	return world.emulator
		.callsTo('/cgi-bin/message/send')
		.filter((c) => (c.body as any)?.touser === to && (c.body as any)?.msgtype === 'text')
		.map((c) => (c.body as any).text.content as string);
}

async function textArrives(world: SendAndWaitWorld, content: string): Promise<void> {
	await waitFor(
		`the employee's message "${content}"`,
		() => (texts(world, 'zhangsan').includes(content) ? true : undefined),
		{
			timeoutMs: WAIT_MS,
			intervalMs: 100,
		},
	);
}

/**
 * One HTTP request on a connection of its own: a reused keep-alive connection that n8n closes at that very moment
 * fails the request ("fetch failed") although nothing is wrong, and these requests must not be repeated blindly.
 */
function http(
	url: string,
	method: 'GET' | 'POST',
	json?: unknown,
): Promise<{ status: number; body: string }> {
	const payload = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
	const exchange = new Promise<{ status: number; body: string }>((done, fail) => {
		const req = httpRequest(
			url,
			{
				method,
				agent: false,
				headers: payload
					? { 'content-type': 'application/json', 'content-length': String(payload.length) }
					: {},
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('end', () =>
					done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
				);
				res.on('error', fail);
			},
		);
		req.on('error', fail);
		req.end(payload);
	});
	return withDeadline(exchange, 15000, `${method} ${new URL(url).pathname}`);
}

const request = (url: string, method: 'GET' | 'POST') => http(url, method);

/** The link with one query parameter changed (or removed): what someone tampering with it would send. */
function altered(url: string, name: string, value: string | undefined): string {
	const parsed = new URL(url);
	if (value === undefined) parsed.searchParams.delete(name);
	else parsed.searchParams.set(name, value);
	return parsed.toString();
}

function signatureOf(url: string): string {
	return new URL(url).searchParams.get('signature') ?? '';
}

/** A copy of the example, changed by `edit`, created and published over n8n's REST API. */
async function variant(
	world: SendAndWaitWorld,
	name: string,
	path: string,
	edit: (ask: any) => void,
): Promise<Flow> {
	const wf = JSON.parse(
		readFileSync(join(EXAMPLES_DIR, 'wecom-expense-approval-wait.json'), 'utf8'),
	) as any;
	const webhook = wf.nodes.find((n: any) => n.type === 'n8n-nodes-base.webhook');
	webhook.parameters.path = path;
	webhook.webhookId = `e2e-${path}`;
	edit(wf.nodes.find((n: any) => n.name === ASK_NODE));
	return await publish(world, name, path, wf);
}

/** Creates and publishes a workflow over n8n's REST API; resolves once its webhook at `path` is registered. */
async function publish(
	world: SendAndWaitWorld,
	name: string,
	path: string,
	wf: { nodes: unknown[]; connections: unknown; settings: unknown },
): Promise<Flow> {
	const created = await world.rest.post<{ id: string; versionId: string }>('/workflows', {
		name,
		nodes: wf.nodes,
		connections: wf.connections,
		settings: wf.settings,
	});
	await world.rest.post(`/workflows/${created.id}/activate`, { versionId: created.versionId });
	// n8n 2.41 publishes through an outbox: the webhook is registered a moment after the answer. Once it is, a GET
	// is told the webhook takes POST (before, that the webhook does not exist).
	const url = `${world.baseUrl}/webhook/${path}`;
	await waitFor(
		`n8n to register the webhook of "${name}"`,
		async () =>
			(await http(url, 'GET')).body.includes('Did you mean to make a POST request')
				? true
				: undefined,
		{ timeoutMs: 60000, intervalMs: 250 },
	);
	return new Flow(world, created.id, url);
}

/** A failed check names the low-level cause too ("fetch failed" alone says nothing). */
function withCauses(check: Check): Check {
	return async (name, body) =>
		await check(name, async () => {
			try {
				await body();
			} catch (error) {
				const cause = (error as { cause?: { code?: string; message?: string } }).cause;
				if (error instanceof Error && cause) {
					error.message = `${error.message} (${cause.code ?? cause.message ?? String(cause)})`;
				}
				throw error;
			}
		});
}

export async function sendAndWaitChecks(outerCheck: Check, world: SendAndWaitWorld): Promise<void> {
	const check = withCauses(outerCheck);
	const example: Example = exampleById(EXAMPLE_ID);
	const flow = new Flow(world, example.id, triggerUrl(world.baseUrl, example));
	const nodeId = askNodeId();
	const signatures = new Set<string>();
	let timeoutFlow: Flow | undefined;
	let timedOut: Asked | undefined;

	// Started first: n8n's wait tracker looks for expired waits once a minute, the other checks run meanwhile.
	await check('Send and Wait: a variant with a Limit Wait Time of 3 seconds waits', async () => {
		timeoutFlow = await variant(
			world,
			'e2e: Send and Wait timing out',
			'expense-timeout',
			(node) => {
				node.parameters.options.limitWaitTime.values = {
					limitType: 'afterTimeInterval',
					resumeAmount: 0.05,
					resumeUnit: 'minutes',
				};
			},
		);
		timedOut = await timeoutFlow.ask(7300);
		expect(
			Number(new URL(timedOut.card.jump[0].url).searchParams.get('until')) - Date.now() < 4000,
			'the link does not carry the 3-second deadline',
		);
	});

	await check(
		'Send and Wait: every node with it is in the Human review list (HITL) and an AI Agent tool',
		async () => {
			const types = await world.rest.nodeTypes();
			const named = (name: string) =>
				types.find((t) => t.name === `n8n-nodes-wecom-dingtalk.${name}`);
			for (const node of ['weCom', 'weComGroupRobot', 'dingTalkGroupRobot', 'dingTalk']) {
				expect(
					named(node)?.codex?.categories?.includes('HITL'),
					`${node} has no HITL codex category`,
				);
				expect(named(`${node}Tool`), `n8n made no AI tool (${node}Tool) of the node`);
				expect(
					named(`${node}HitlTool`),
					`n8n made no human-review tool (${node}HitlTool) of the node`,
				);
			}
		},
	);

	let asked: Asked | undefined;
	await check(
		'Send and Wait: an expense over ¥5,000 waits; the manager gets a card with 同意 / 拒绝 links',
		async () => {
			asked = await flow.ask(6800);
			const { card, executionId } = asked;
			expect(
				card.call.status === 200 && (card.call.response as any).errcode === 0,
				'WeCom refused the card',
			);
			expect(
				(card.call.body as any).touser === 'lisi',
				`the card went to ${(card.call.body as any).touser}`,
			);
			expect(card.title === '报销审批：¥6800', `card title ${card.title}`);
			expect(
				JSON.stringify(card.jump.map((j) => j.title)) === '["同意","拒绝"]',
				`jump list ${JSON.stringify(card.jump.map((j) => j.title))}`,
			);
			const prefix = `${world.baseUrl}/webhook-waiting/${executionId}/${nodeId}?`;
			for (const url of [...card.jump.map((j) => j.url), card.action]) {
				expect(url.startsWith(prefix), `link ${url.split('?')[0]} is not ${prefix}`);
				signatures.add(signatureOf(url));
			}
			const [approve, decline] = card.jump.map((j) => new URL(j.url).searchParams);
			expect(
				approve.get('approved') === 'true' && decline.get('approved') === 'false',
				'approved= params',
			);
			const until = Number(approve.get('until'));
			expect(
				Math.abs(until - (Date.now() + 24 * 3600_000)) < 60_000,
				`until ${until} is not in 24 hours`,
			);
			expect(
				!new URL(card.action).searchParams.has('approved'),
				'the card link carries a decision',
			);
			const runData = JSON.stringify(await world.rest.executionRunData(executionId));
			for (const signature of signatures) {
				expect(!runData.includes(signature), 'a link signature is in the execution data');
			}
		},
	);

	await check(
		'Send and Wait: opening a link (GET) shows the page and resumes nothing',
		async () => {
			expect(asked, 'no waiting execution');
			for (const url of [asked.card.jump[0].url, asked.card.jump[1].url, asked.card.action]) {
				const page = await request(url, 'GET');
				expect(page.status === 200, `GET answered HTTP ${page.status}`);
				expect(page.body.includes('<h1>报销审批：¥6800</h1>'), 'the page has no title');
				expect(page.body.includes(asked.tag), 'the page does not show the message');
			}
			await stillWaiting(world, asked.executionId);
		},
	);

	await check(
		'Send and Wait: a forged or altered link gets 401 and the execution keeps waiting',
		async () => {
			expect(asked, 'no waiting execution');
			const approveUrl = asked.card.jump[0].url;
			const signature = signatureOf(approveUrl);
			const flipped = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
			const forged: Array<[string, string]> = [
				['a changed signature', altered(approveUrl, 'signature', flipped)],
				['the Approve signature on approved=false', altered(approveUrl, 'approved', 'false')],
				['a later deadline', altered(approveUrl, 'until', String(Date.now() + 99 * 86_400_000))],
				['no signature', altered(approveUrl, 'signature', undefined)],
				['a made-up signature', altered(approveUrl, 'signature', 'f'.repeat(64))],
			];
			for (const [what, url] of forged) {
				const answer = await request(url, 'POST');
				expect(answer.status === 401, `${what}: HTTP ${answer.status}, expected 401`);
			}
			await stillWaiting(world, asked.executionId);
			expect(
				!texts(world, 'zhangsan').some((t) => t.includes(asked!.tag)),
				'a forged link moved the workflow on',
			);
		},
	);

	await check(
		'Send and Wait: POST to the Approve link resumes with approved: true (Approved branch)',
		async () => {
			expect(asked, 'no waiting execution');
			const answer = await request(asked.card.jump[0].url, 'POST');
			expect(
				answer.status === 200,
				`POST answered HTTP ${answer.status}: ${answer.body.slice(0, 200)}`,
			);
			expect(
				answer.body.includes('data-hitl-result="recorded"'),
				'the answer is not the recorded page',
			);
			const end = await finished(world, asked.executionId);
			expect(end === 'success', `the execution ended ${end}`);
			const output = await askOutput(world, asked.executionId);
			expect(output?.data?.approved === true, `output ${JSON.stringify(output)}`);
			expect(!Number.isNaN(Date.parse(output.data.respondedAt)), 'no respondedAt');
			await textArrives(world, `您的报销 ¥6800（${asked.tag}）经理已同意。`);
			// What n8n itself answers for a link of an execution that no longer waits: the page's script relies on it.
			const again = await request(asked.card.jump[1].url, 'POST');
			expect(
				again.status === 200 &&
					again.body.includes('No action required') &&
					!again.body.includes('data-hitl-result'),
				`a second answer got HTTP ${again.status}: ${again.body.slice(0, 200)}`,
			);
			const end2 = await status(world, asked.executionId);
			expect(end2 === 'success', `after a second answer the execution is ${end2}`);
		},
	);

	await check(
		'Send and Wait: a second execution, POST to the Decline link resumes with approved: false',
		async () => {
			const second = await flow.ask(12000);
			for (const url of second.card.jump.map((j) => j.url)) signatures.add(signatureOf(url));
			const answer = await request(second.card.jump[1].url, 'POST');
			expect(answer.status === 200, `POST answered HTTP ${answer.status}`);
			expect((await finished(world, second.executionId)) === 'success', 'the execution failed');
			const output = await askOutput(world, second.executionId);
			expect(output?.data?.approved === false, `output ${JSON.stringify(output)}`);
			await textArrives(world, `您的报销 ¥12000（${second.tag}）经理未同意，请与经理沟通。`);
		},
	);

	await check('Send and Wait: up to ¥5,000 nothing waits', async () => {
		const tag = `small-${process.pid}`;
		const res = await http(triggerUrl(world.baseUrl, example), 'POST', {
			employee: 'zhangsan',
			manager: 'lisi',
			amount: 3200,
			reason: tag,
		});
		expect(res.status === 200, `HTTP ${res.status}`);
		await textArrives(world, `您的报销 ¥3200（${tag}）不超过 5000 元，已自动通过。`);
		expect(!cardWith(world, tag), 'a card was sent for a small expense');
	});

	await browserChecks(check, world, flow, signatures);
	await inboxChecks(check, world, flow, signatures);

	await check(
		'Send and Wait: after Limit Wait Time the execution continues with its input (no data.approved)',
		async () => {
			expect(timeoutFlow && timedOut, 'the timing-out execution did not start');
			for (const j of timedOut.card.jump) signatures.add(signatureOf(j.url));
			// Past the deadline the link takes no answer, whether n8n's timer has fired yet (its "No action required")
			// or not (the node's own "expired" page, 410).
			await sleep(
				Math.max(
					0,
					Number(new URL(timedOut.card.jump[0].url).searchParams.get('until')) - Date.now() + 200,
				),
			);
			const late = await request(timedOut.card.jump[0].url, 'POST');
			expect(
				(late.status === 410 && late.body.includes('data-hitl-result="expired"')) ||
					(late.status === 200 && late.body.includes('No action required')),
				`a late answer got HTTP ${late.status}: ${late.body.slice(0, 200)}`,
			);
			const end = await finished(world, timedOut.executionId, 100_000);
			expect(end === 'success', `the execution ended ${end}`);
			const output = await askOutput(world, timedOut.executionId);
			expect(output && output.data === undefined, `output has data: ${JSON.stringify(output)}`);
			expect(output.body?.amount === 7300, `output is not the input: ${JSON.stringify(output)}`);
			await textArrives(
				world,
				`您的报销 ¥7300（${timedOut.tag}）经理 24 小时内未答复，已转交财务处理。`,
			);
		},
	);

	await channelChecks(check, world, signatures);

	await check("Send and Wait: no link's signature appears in n8n's log", async () => {
		const log = existsSync(world.logFile) ? readFileSync(world.logFile, 'utf8') : '';
		expect(signatures.size >= 12, `only ${signatures.size} signatures were collected`);
		for (const signature of signatures)
			expect(!log.includes(signature), 'a signature is in the log');
	});
}

// --- the pages in a real browser -------------------------------------------------------------------

/** Debian's Chromium as a phone: 390×844, touch, zh-CN, a throw-away profile (remove it after closing). */
async function phoneBrowser(
	world: SendAndWaitWorld,
): Promise<{ context: import('playwright-core').BrowserContext; profile: string }> {
	if (!existsSync(CHROMIUM)) {
		throw new StepError(
			`Chromium is missing at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH`,
		);
	}
	const { chromium } = await import('playwright-core');
	const profile = mkdtempSync(join(tmpdir(), 'hitl-chromium-'));
	mkdirSync(world.artifactsDir, { recursive: true });
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
		viewport: PHONE,
		deviceScaleFactor: 2,
		isMobile: true,
		hasTouch: true,
		locale: 'zh-CN',
	});
	return { context, profile };
}

async function browserChecks(
	check: Check,
	world: SendAndWaitWorld,
	flow: Flow,
	signatures: Set<string>,
): Promise<void> {
	await check(
		`Send and Wait pages in Chromium (${CHROMIUM}) at ${PHONE.width}×${PHONE.height}`,
		async () => {
			const { context, profile } = await phoneBrowser(world);
			const problems: string[] = [];
			try {
				const watch = (page: import('playwright-core').Page, name: string) => {
					page.on('console', (m) => {
						if (m.type() === 'error') problems.push(`${name}: console error: ${m.text()}`);
					});
					page.on('pageerror', (e) => problems.push(`${name}: ${e.message}`));
					page.on('request', (r) => {
						if (!r.url().startsWith(world.baseUrl)) problems.push(`${name}: requested ${r.url()}`);
					});
					return page;
				};
				// Approval: the card link's page with both buttons, opened twice (two taps, two phones).
				const asked = await flow.ask(8800);
				signatures.add(signatureOf(asked.card.action));
				const first = watch(await context.newPage(), 'first page');
				const second = watch(await context.newPage(), 'second page');
				for (const page of [first, second]) {
					const res = await page.goto(asked.card.action);
					expect(res?.status() === 200, `the page answered HTTP ${res?.status()}`);
				}
				const shot = join(world.artifactsDir, 'send-and-wait-approval.png');
				await first.screenshot({ path: shot, fullPage: true });
				expect(
					(await first.locator('h1').innerText()) === '报销审批：¥8800',
					'the page title is not shown',
				);
				const approve = first.getByRole('button', { name: '同意' });
				const decline = first.getByRole('button', { name: '拒绝' });
				for (const button of [approve, decline]) {
					const box = await button.boundingBox();
					expect(
						box && box.height >= 44 && box.width >= PHONE.width * 0.7,
						`a button is ${JSON.stringify(box)}: too small to tap`,
					);
				}
				const overflow = Number(
					await first.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
				);
				expect(overflow <= 0, `the page is ${overflow}px wider than the phone`);
				await stillWaiting(world, asked.executionId);

				await approve.tap();
				await first.getByText('已记录您的答复').waitFor({ timeout: 15000 });
				await first.getByText('Your answer was recorded').waitFor({ timeout: 1000 });
				expect(
					(await finished(world, asked.executionId)) === 'success',
					'the execution did not finish',
				);
				const output = await askOutput(world, asked.executionId);
				expect(output?.data?.approved === true, `output ${JSON.stringify(output)}`);
				await first.screenshot({
					path: join(world.artifactsDir, 'send-and-wait-recorded.png'),
					fullPage: true,
				});

				await second.getByRole('button', { name: '拒绝' }).tap();
				await second.getByText('此请求已经答复过了').waitFor({ timeout: 15000 });
				await second.getByText('This request has already been answered').waitFor({ timeout: 1000 });
				await second.screenshot({
					path: join(world.artifactsDir, 'send-and-wait-answered.png'),
					fullPage: true,
				});
				const after = await askOutput(world, asked.executionId);
				expect(after?.data?.approved === true, 'the second tap changed the answer');

				// Custom Form: n8n takes only multipart form data for it; the browser's own form submission must do.
				const formFlow = await variant(
					world,
					'e2e: Send and Wait with a form',
					'expense-form',
					(node) => {
						node.parameters.responseType = 'customForm';
						node.parameters.formElements = {
							values: [
								{
									fieldLabel: '审批意见',
									fieldName: 'comment',
									fieldType: 'textarea',
									requiredField: true,
								},
								{ fieldLabel: '批准金额', fieldName: 'amount', fieldType: 'number' },
								{
									fieldLabel: '结论',
									fieldName: 'decision',
									fieldType: 'radio',
									requiredField: true,
									fieldOptions: { values: [{ option: '同意' }, { option: '驳回' }] },
								},
							],
						};
						node.parameters.options = {
							...node.parameters.options,
							messageButtonLabel: '填写审批',
						};
					},
				);
				const formAsked = await formFlow.ask(9900);
				signatures.add(signatureOf(formAsked.card.action));
				const form = watch(await context.newPage(), 'form page');
				await form.goto(formAsked.card.action);
				await form.locator('#field-0').fill('金额核对无误\n同意报销');
				await form.locator('#field-1').fill('9500');
				await form.getByLabel('驳回').check();
				await form.screenshot({
					path: join(world.artifactsDir, 'send-and-wait-form.png'),
					fullPage: true,
				});
				await form.getByRole('button', { name: 'Submit' }).tap();
				await form.getByText('已记录您的答复').waitFor({ timeout: 15000 });
				expect(
					(await finished(world, formAsked.executionId)) === 'success',
					'the form execution did not finish',
				);
				const answer = (await askOutput(world, formAsked.executionId))?.data;
				expect(
					answer?.comment === '金额核对无误\n同意报销' &&
						answer.amount === 9500 &&
						answer.decision === '驳回',
					`the form answered ${JSON.stringify(answer)}`,
				);
				expect(problems.length === 0, problems.join('\n'));
			} finally {
				await context.close();
				rmSync(profile, { recursive: true, force: true });
			}
		},
	);
}

// --- the emulator's inbox, as a sandbox user answers from it -----------------------------------------------------

/**
 * The sandbox's way to answer: the emulator's inbox page (GET /_emulator/inbox) on a phone shows the manager's card
 * with its links; 同意 opens n8n's page in a new tab, its button resumes the execution, and the inbox, refreshing
 * itself, then shows the reply the workflow sent to the employee.
 */
async function inboxChecks(
	check: Check,
	world: SendAndWaitWorld,
	flow: Flow,
	signatures: Set<string>,
): Promise<void> {
	await check(
		`The emulator's inbox in Chromium at ${PHONE.width}×${PHONE.height}: the card's 同意 link resumes the execution`,
		async () => {
			const { context, profile } = await phoneBrowser(world);
			const problems: string[] = [];
			const origins = [new URL(world.baseUrl).origin, new URL(world.emulator.baseUrl).origin];
			const watch = (page: import('playwright-core').Page, name: string) => {
				page.on('console', (m) => {
					if (m.type() === 'error') problems.push(`${name}: console error: ${m.text()}`);
				});
				page.on('pageerror', (e) => problems.push(`${name}: ${e.message}`));
				page.on('request', (r) => {
					if (!origins.includes(new URL(r.url()).origin)) {
						problems.push(`${name}: requested ${new URL(r.url()).origin}`);
					}
				});
				return page;
			};
			try {
				const asked = await flow.ask(8600);
				for (const url of [...asked.card.jump.map((j) => j.url), asked.card.action]) {
					signatures.add(signatureOf(url));
				}
				const inbox = watch(await context.newPage(), 'inbox');
				const res = await inbox.goto(world.emulator.inboxUrl);
				expect(res?.status() === 200, `the inbox answered HTTP ${res?.status()}`);
				const card = inbox.locator('article', { hasText: asked.tag }).first();
				await card.waitFor({ timeout: 10000 });
				expect(
					(await card.locator('h2').innerText()) === '报销审批：¥8600',
					'the card has no title',
				);
				expect(
					(await card.locator('.to').innerText()).includes('李四 lisi'),
					`the card is not shown as sent to lisi: ${await card.locator('.to').innerText()}`,
				);
				const approve = card.getByRole('link', { name: '同意', exact: true });
				const decline = card.getByRole('link', { name: '拒绝', exact: true });
				expect(
					(await approve.getAttribute('href')) === new URL(asked.card.jump[0].url).href &&
						(await decline.getAttribute('href')) === new URL(asked.card.jump[1].url).href,
					"the inbox's links are not the card's",
				);
				for (const link of [approve, decline]) {
					const box = await link.boundingBox();
					expect(
						box && box.height >= 44 && box.width >= 120,
						`a link is ${JSON.stringify(box)}: too small to tap`,
					);
				}
				const overflow = Number(
					await inbox.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
				);
				expect(overflow <= 0, `the inbox is ${overflow}px wider than the phone`);
				await card.scrollIntoViewIfNeeded();
				await inbox.screenshot({ path: join(world.artifactsDir, 'inbox.png') });

				const [answer] = await Promise.all([context.waitForEvent('page'), approve.tap()]);
				watch(answer, 'answer page');
				await answer.waitForLoadState('domcontentloaded');
				expect(
					answer.url() === new URL(asked.card.jump[0].url).href,
					'the link opened another page than the card link',
				);
				await stillWaiting(world, asked.executionId);
				await answer.getByRole('button', { name: '同意' }).tap();
				await answer.getByText('已记录您的答复').waitFor({ timeout: 15000 });
				expect(
					(await finished(world, asked.executionId)) === 'success',
					'the execution did not finish',
				);
				const output = await askOutput(world, asked.executionId);
				expect(output?.data?.approved === true, `output ${JSON.stringify(output)}`);

				// The inbox refreshes itself: the workflow's reply to the employee appears on top.
				const reply = `您的报销 ¥8600（${asked.tag}）经理已同意。`;
				await inbox.bringToFront();
				await inbox.getByText(reply).waitFor({ timeout: 15000 });
				expect(
					(await inbox.locator('article').first().innerText()).includes(reply),
					'the reply is not the newest message',
				);
				await inbox.screenshot({ path: join(world.artifactsDir, 'inbox-after-answer.png') });
				expect(problems.length === 0, problems.join('\n'));
			} finally {
				await context.close();
				rmSync(profile, { recursive: true, force: true });
			}
		},
	);
}

// --- the other channels: DingTalk work notification, WeCom and DingTalk group robots --------------------------------
// Each one a workflow of its own (Webhook → Send and Wait), created over n8n's REST API: the message the emulator
// received must carry the buttons with n8n's signed links, and those links must wait, resume and refuse as above.

interface Channel {
	name: string;
	/** The webhook path that starts the workflow. */
	path: string;
	/** The Send and Wait node's type, parameters (besides title, message, approval) and credentials. */
	type: string;
	parameters: Record<string, unknown>;
	credentials: Record<string, { id: string; name: string }>;
	/** Where the message goes, and its buttons as the emulator received them. */
	apiPath: string;
	buttons(body: any): Array<{ title: string; url: string }> | undefined;
	/** Whether the platform took the message (its own success answer). */
	accepted(call: RecordedCall): boolean;
}

const CHANNEL_NODE_ID = 'b6d8f0c2-5a1e-4f3b-9c7d-2e4a6b8c0d1f';

const CHANNELS: Channel[] = [
	{
		name: 'DingTalk work notification',
		path: 'ask-dingtalk-work',
		type: 'n8n-nodes-wecom-dingtalk.dingTalk',
		parameters: { resource: 'workNotification', userIds: 'manager001' },
		credentials: { dingTalkApi: { id: DINGTALK_CREDENTIAL.id, name: DINGTALK_CREDENTIAL.name } },
		apiPath: '/topapi/message/corpconversation/asyncsend_v2',
		buttons: (body) =>
			body?.msg?.action_card?.btn_json_list?.map((b: any) => ({
				title: b.title,
				url: b.action_url,
			})),
		accepted: (call) => call.status === 200 && (call.response as any)?.errcode === 0,
	},
	{
		name: 'WeCom group robot',
		path: 'ask-wecom-robot',
		type: 'n8n-nodes-wecom-dingtalk.weComGroupRobot',
		parameters: { resource: 'message', messageStyle: 'templateCard' },
		credentials: {
			weComGroupRobotApi: { id: ROBOT_CREDENTIALS.wecom.id, name: ROBOT_CREDENTIALS.wecom.name },
		},
		apiPath: '/cgi-bin/webhook/send',
		buttons: (body) =>
			body?.template_card?.jump_list?.map((j: any) => ({ title: j.title, url: j.url })),
		accepted: (call) => call.status === 200 && (call.response as any)?.errcode === 0,
	},
	{
		name: 'DingTalk group robot',
		path: 'ask-dingtalk-robot',
		type: 'n8n-nodes-wecom-dingtalk.dingTalkGroupRobot',
		parameters: { resource: 'message' },
		credentials: {
			dingTalkRobotApi: {
				id: ROBOT_CREDENTIALS.dingtalk.id,
				name: ROBOT_CREDENTIALS.dingtalk.name,
			},
		},
		apiPath: '/robot/send',
		buttons: (body) =>
			body?.actionCard?.btns?.map((b: any) => ({ title: b.title, url: b.actionURL })),
		accepted: (call) => call.status === 200 && (call.response as any)?.errcode === 0,
	},
];

function channelWorkflow(channel: Channel) {
	return {
		nodes: [
			{
				parameters: { httpMethod: 'POST', path: channel.path, options: {} },
				id: '5c1f3a7e-8b2d-4e6f-a0c9-1d3e5f7a9b2c',
				name: 'Asked',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: `e2e-${channel.path}`,
			},
			{
				parameters: {
					operation: 'sendAndWait',
					...channel.parameters,
					title: '=报销审批 {{ $json.body.tag }}',
					message: '={{ $json.body.tag }} 申请报销 ¥{{ $json.body.amount }}',
					approvalOptions: {
						values: { approvalType: 'double', approveLabel: '同意', disapproveLabel: '拒绝' },
					},
				},
				id: CHANNEL_NODE_ID,
				name: ASK_NODE,
				type: channel.type,
				typeVersion: 1,
				position: [240, 0],
				webhookId: `e2e-${channel.path}-wait`,
				credentials: channel.credentials,
			},
		],
		connections: { Asked: { main: [[{ node: ASK_NODE, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

interface ChannelAsk {
	executionId: string;
	tag: string;
	call: RecordedCall;
	buttons: Array<{ title: string; url: string }>;
}

/** Starts the channel's workflow; returns the execution once it waits, and the message the platform received. */
async function askOn(world: SendAndWaitWorld, channel: Channel, flow: Flow): Promise<ChannelAsk> {
	const tag = `e2e-${channel.path}-${process.pid}-${++tagCounter}`;
	const before = new Set((await world.rest.executions(flow.workflowId)).map((e) => e.id));
	const res = await http(flow.url, 'POST', { tag, amount: 6800 });
	expect(res.status === 200, `the workflow's webhook answered HTTP ${res.status}: ${res.body}`);
	const execution = await waitFor(
		`an execution of "${channel.name}" waiting for the answer`,
		async () =>
			(await world.rest.executions(flow.workflowId)).find(
				(e) => !before.has(e.id) && e.status === 'waiting',
			),
		{ timeoutMs: WAIT_MS, intervalMs: 250 },
	);
	const call = await waitFor(
		`the ${channel.name} message for ${tag}`,
		() =>
			world.emulator
				.callsTo(channel.apiPath)
				.find((c) => c.status !== 0 && JSON.stringify(c.body).includes(tag)),
		{ timeoutMs: WAIT_MS, intervalMs: 100 },
	);
	return { executionId: execution.id, tag, call, buttons: channel.buttons(call.body) ?? [] };
}

async function channelChecks(
	check: Check,
	world: SendAndWaitWorld,
	signatures: Set<string>,
): Promise<void> {
	for (const channel of CHANNELS) {
		let flow: Flow | undefined;
		let asked: ChannelAsk | undefined;
		await check(
			`Send and Wait on the ${channel.name}: the workflow waits; the message carries 同意 / 拒绝 buttons with signed links`,
			async () => {
				flow = await publish(
					world,
					`e2e: Send and Wait on the ${channel.name}`,
					channel.path,
					channelWorkflow(channel),
				);
				asked = await askOn(world, channel, flow);
				expect(
					channel.accepted(asked.call),
					`the platform refused the message: ${JSON.stringify(asked.call.response)}`,
				);
				expect(
					JSON.stringify(asked.buttons.map((b) => b.title)) === '["同意","拒绝"]',
					`buttons ${JSON.stringify(asked.buttons.map((b) => b.title))}`,
				);
				const prefix = `${world.baseUrl}/webhook-waiting/${asked.executionId}/${CHANNEL_NODE_ID}?`;
				for (const button of asked.buttons) {
					expect(
						button.url.startsWith(prefix),
						`link ${button.url.split('?')[0]} is not ${prefix}`,
					);
					signatures.add(signatureOf(button.url));
				}
				const [approve, decline] = asked.buttons.map((b) => new URL(b.url).searchParams);
				expect(
					approve.get('approved') === 'true' && decline.get('approved') === 'false',
					'approved= params',
				);
				const runData = JSON.stringify(await world.rest.executionRunData(asked.executionId));
				for (const button of asked.buttons) {
					expect(
						!runData.includes(signatureOf(button.url)),
						'a link signature is in the execution data',
					);
				}
			},
		);

		await check(
			`Send and Wait on the ${channel.name}: GET shows the page, a forged signature gets 401, it keeps waiting`,
			async () => {
				expect(asked, 'no waiting execution');
				const approveUrl = asked.buttons[0].url;
				const page = await request(approveUrl, 'GET');
				expect(page.status === 200, `GET answered HTTP ${page.status}`);
				expect(page.body.includes(`<h1>报销审批 ${asked.tag}</h1>`), 'the page has no title');
				const signature = signatureOf(approveUrl);
				const flipped = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
				for (const [what, url] of [
					['a changed signature', altered(approveUrl, 'signature', flipped)],
					['the Approve signature on approved=false', altered(approveUrl, 'approved', 'false')],
				] as const) {
					const answer = await request(url, 'POST');
					expect(answer.status === 401, `${what}: HTTP ${answer.status}, expected 401`);
				}
				await stillWaiting(world, asked.executionId);
			},
		);

		await check(
			`Send and Wait on the ${channel.name}: POST to 同意 resumes with approved: true, then 拒绝 on a second run with false`,
			async () => {
				expect(asked && flow, 'no waiting execution');
				const answer = await request(asked.buttons[0].url, 'POST');
				expect(
					answer.status === 200 && answer.body.includes('data-hitl-result="recorded"'),
					`POST answered HTTP ${answer.status}: ${answer.body.slice(0, 200)}`,
				);
				expect((await finished(world, asked.executionId)) === 'success', 'the execution failed');
				const output = await askOutput(world, asked.executionId);
				expect(output?.data?.approved === true, `output ${JSON.stringify(output)}`);

				const second = await askOn(world, channel, flow);
				for (const button of second.buttons) signatures.add(signatureOf(button.url));
				const declined = await request(second.buttons[1].url, 'POST');
				expect(declined.status === 200, `POST answered HTTP ${declined.status}`);
				expect((await finished(world, second.executionId)) === 'success', 'the execution failed');
				const output2 = await askOutput(world, second.executionId);
				expect(output2?.data?.approved === false, `output ${JSON.stringify(output2)}`);
			},
		);
	}
}
