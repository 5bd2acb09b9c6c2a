/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-hardcoded-secrets, @typescript-eslint/no-explicit-any -- test code: runs under Node and jest, never inside n8n */
// GET /_emulator/inbox (HTML) and /_emulator/inbox.json: every kind of message the emulator accepts shows up, newest
// first, per conversation; what a message holds is escaped; only http(s) URLs become links.
import { DINGTALK_SEED, encodeMultipart, ApiEmulator, WeComClient } from '.';
import { DINGTALK_ROBOT_SEED, dingTalkSign } from './dingtalk/customRobot';
import { EMULATOR_ROBOT_GROUP } from './dingtalk/messaging';
import { segments } from './inboxPage';
import { request } from './testClient';
import { WECOM_ROBOT_SEED } from './wecom/robot';
import { WECOM_SEED } from './wecom/seed';

const N8N = 'http://127.0.0.1:5678/webhook-waiting/42/node?approved=true&signature=abc';
const XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>';

describe('emulator: the inbox (GET /_emulator/inbox)', () => {
	let emulator: ApiEmulator;
	let wecom: WeComClient;
	let dingToken: string;

	beforeAll(async () => {
		emulator = await ApiEmulator.start({ inboxTimeZone: 'Asia/Shanghai' });
	});

	afterAll(async () => {
		await emulator.stop();
	});

	beforeEach(() => {
		emulator.reset();
		wecom = new WeComClient(emulator);
		dingToken = emulator.accessToken('dingtalk');
	});

	const json = async (query: Record<string, string> = {}) => {
		const res = await request(emulator.baseUrl, 'GET', '/_emulator/inbox.json', { query });
		expect(res.status).toBe(200);
		return res.json;
	};
	const html = async (query: Record<string, string> = {}) => {
		const res = await request(emulator.baseUrl, 'GET', '/_emulator/inbox', { query });
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
		return res;
	};
	const appMessage = (body: Record<string, unknown>) =>
		wecom.post('/cgi-bin/message/send', { agentid: WECOM_SEED.agentId, ...body });
	const robotPost = async (body: unknown) =>
		(
			await request(emulator.baseUrl, 'POST', '/cgi-bin/webhook/send', {
				query: { key: WECOM_ROBOT_SEED.key },
				body,
			})
		).json;
	const oldApi = async (path: string, body: unknown) =>
		(await request(emulator.baseUrl, 'POST', path, { query: { access_token: dingToken }, body }))
			.json;
	const newApi = async (path: string, body: unknown) =>
		(
			await request(emulator.baseUrl, 'POST', path, {
				body,
				headers: { 'x-acs-dingtalk-access-token': dingToken, 'content-type': 'application/json' },
			})
		).json;
	const customRobot = async (body: unknown) => {
		const timestamp = String(Date.now());
		return (
			await request(emulator.baseUrl, 'POST', '/robot/send', {
				query: {
					access_token: DINGTALK_ROBOT_SEED.token,
					timestamp,
					sign: dingTalkSign(DINGTALK_ROBOT_SEED.secret, timestamp),
				},
				body,
			})
		).json;
	};

	/** One message of every kind, oldest first. */
	async function sendOneOfEach(): Promise<void> {
		expect(
			(await appMessage({ touser: 'lisi', msgtype: 'text', text: { content: '你好 lisi' } }))
				.errcode,
		).toBe(0);
		const form = encodeMultipart([
			{ name: 'media', filename: '报销单.pdf', data: Buffer.alloc(2048, 1) },
		]);
		const upload = await wecom.upload('/cgi-bin/media/upload', { type: 'file' }, form);
		expect(
			(
				await appMessage({
					touser: 'zhangsan',
					msgtype: 'file',
					file: { media_id: upload.media_id },
				})
			).errcode,
		).toBe(0);
		const chat = await wecom.post('/cgi-bin/appchat/create', {
			name: '项目群',
			userlist: ['zhangsan', 'lisi'],
		});
		expect(
			(
				await wecom.post('/cgi-bin/appchat/send', {
					chatid: chat.chatid,
					msgtype: 'markdown',
					markdown: { content: '**周报** <font color="warning">3 项逾期</font>' },
				})
			).errcode,
		).toBe(0);
		expect(
			(
				await robotPost({
					msgtype: 'template_card',
					template_card: {
						card_type: 'text_notice',
						main_title: { title: '报销审批：¥6800', desc: '截止 Due 2026-05-03 18:00 (UTC+8)' },
						sub_title_text: '上海出差',
						jump_list: [
							{ type: 1, title: '同意', url: N8N },
							{ type: 1, title: '拒绝', url: N8N.replace('true', 'false') },
						],
						card_action: { type: 1, url: 'http://127.0.0.1:5678/webhook-waiting/42/node' },
					},
				})
			).errcode,
		).toBe(0);
		expect(
			(
				await oldApi('/topapi/message/corpconversation/asyncsend_v2', {
					agent_id: DINGTALK_SEED.agentId,
					userid_list: 'manager001',
					msg: {
						msgtype: 'action_card',
						action_card: {
							title: '采购审批',
							markdown: '### 采购审批\n显示器 2 台',
							btn_orientation: '1',
							btn_json_list: [
								{ title: '同意', action_url: N8N },
								{ title: '拒绝', action_url: N8N.replace('true', 'false') },
							],
						},
					},
				})
			).errcode,
		).toBe(0);
		const oto = await newApi('/v1.0/robot/oToMessages/batchSend', {
			robotCode: DINGTALK_SEED.appKey,
			userIds: ['dev001'],
			msgKey: 'sampleActionCard2',
			msgParam: JSON.stringify({
				title: '请假',
				text: '明天请假一天',
				actionTitle1: '同意',
				actionURL1: N8N,
				actionTitle2: '拒绝',
				actionURL2: N8N.replace('true', 'false'),
			}),
		});
		expect(oto.processQueryKey).toBeDefined();
		const group = await newApi('/v1.0/robot/groupMessages/send', {
			robotCode: DINGTALK_SEED.appKey,
			openConversationId: EMULATOR_ROBOT_GROUP,
			msgKey: 'sampleMarkdown',
			msgParam: JSON.stringify({
				title: '发布',
				text: '## 发布完成\n[查看](https://example.com/release)',
			}),
		});
		expect(group.processQueryKey).toBeDefined();
		expect(
			(
				await customRobot({
					msgtype: 'actionCard',
					actionCard: {
						title: '日报',
						text: '今日日报',
						singleTitle: '阅读全文',
						singleURL: 'https://example.com/daily',
					},
				})
			).errcode,
		).toBe(0);
		const robotMessage = emulator.dingtalkStream.publishRobotMessage({
			text: '你好',
			senderStaffId: 'dev002',
		});
		const reply = await request(
			emulator.baseUrl,
			'POST',
			new URL(robotMessage.sessionWebhook).pathname,
			{
				query: Object.fromEntries(new URL(robotMessage.sessionWebhook).searchParams),
				body: { msgtype: 'text', text: { content: '收到：你好' } },
			},
		);
		expect(reply.json.errcode).toBe(0);
	}

	it('shows every kind of message, newest first, with its conversation, channel and links', async () => {
		await sendOneOfEach();
		const inbox = await json();
		expect(inbox.total).toBe(9);
		const summary = inbox.messages.map((m: any) => [
			m.platform,
			m.channel,
			m.msgtype,
			m.conversations.map((c: any) => c.key).join(','),
		]);
		expect(summary).toEqual([
			['dingtalk', 'sessionReply', 'text', 'dingtalk/robot/dev002'],
			['dingtalk', 'customRobot', 'actionCard', 'dingtalk/customRobot/1'],
			['dingtalk', 'robotGroup', 'sampleMarkdown', `dingtalk/group/${EMULATOR_ROBOT_GROUP}`],
			['dingtalk', 'robot', 'sampleActionCard2', 'dingtalk/robot/dev001'],
			['dingtalk', 'workNotification', 'action_card', 'dingtalk/work/manager001'],
			['wecom', 'groupRobot', 'template_card', 'wecom/robot/1'],
			['wecom', 'appchat', 'markdown', expect.stringMatching(/^wecom\/chat\//)],
			['wecom', 'app', 'file', 'wecom/user/zhangsan'],
			['wecom', 'app', 'text', 'wecom/user/lisi'],
		]);
		const byChannel = (channel: string) => inbox.messages.find((m: any) => m.channel === channel);
		expect(byChannel('sessionReply').content.text).toBe('收到：你好');
		expect(byChannel('customRobot').links).toEqual([
			{ label: '阅读全文', url: 'https://example.com/daily' },
		]);
		expect(byChannel('robotGroup').content).toMatchObject({ title: '发布', markdown: true });
		expect(byChannel('robotGroup').links).toEqual([
			{ label: '查看', url: 'https://example.com/release' },
		]);
		for (const channel of ['robot', 'workNotification', 'groupRobot']) {
			expect(byChannel(channel).links.slice(0, 2)).toEqual([
				{ label: '同意', url: N8N },
				{ label: '拒绝', url: N8N.replace('true', 'false') },
			]);
		}
		expect(byChannel('groupRobot').content).toMatchObject({
			title: '报销审批：¥6800',
			text: '截止 Due 2026-05-03 18:00 (UTC+8)\n上海出差',
		});
		expect(byChannel('workNotification').conversations[0].label).toBe('王经理 manager001');
		const file = inbox.messages.find((m: any) => m.msgtype === 'file');
		expect(file.content.attachments).toEqual([{ kind: 'file', name: '报销单.pdf', bytes: 2048 }]);
		expect(byChannel('appchat').conversations[0].label).toBe('群聊 项目群');
		// The robots are told apart without showing their keys.
		expect(JSON.stringify(inbox)).not.toContain(WECOM_ROBOT_SEED.key);
		expect(JSON.stringify(inbox)).not.toContain(DINGTALK_ROBOT_SEED.token);
		// The inbox's own pages are not API calls.
		expect(emulator.callsTo(/^\/_emulator/)).toHaveLength(0);

		const page = (await html()).text;
		for (const shown of [
			'你好 lisi',
			'报销单.pdf',
			'采购审批',
			'请假',
			'发布完成',
			'今日日报',
			'收到：你好',
			'群聊 项目群',
			'王经理 manager001',
			'<span class="font-warning">3 项逾期</span>',
			'工作通知 · Work notification',
			'机器人回复 · Robot reply (sessionWebhook)',
		]) {
			expect(page).toContain(shown);
		}
		// Newest first.
		expect(page.indexOf('收到：你好')).toBeLessThan(page.indexOf('你好 lisi'));
		const approve = `<a class="button" href="${N8N.replace(/&/g, '&amp;')}" target="_blank" rel="noopener noreferrer">同意</a>`;
		expect(page.split(approve)).toHaveLength(4); // the WeCom robot card, the work notification, the robot card
	});

	it('filters by platform and by conversation', async () => {
		await sendOneOfEach();
		const dingtalk = await json({ platform: 'dingtalk' });
		expect(dingtalk.total).toBe(5);
		expect(dingtalk.messages.every((m: any) => m.platform === 'dingtalk')).toBe(true);
		expect(dingtalk.conversations.map((c: any) => c.key)).toContain('dingtalk/work/manager001');
		const lisi = await json({ to: 'wecom/user/lisi' });
		expect(lisi.messages.map((m: any) => m.content.text)).toEqual(['你好 lisi']);
		const page = (await html({ platform: 'wecom', to: 'wecom/user/lisi' })).text;
		expect(page).toContain('你好 lisi');
		expect(page).not.toContain('报销单.pdf');
		expect(page).toContain('aria-current="page">李四 lisi (1)</a>');
		const none = await json({ limit: '0' });
		expect(none.messages).toEqual([]);
		expect(none.total).toBe(9);
	});

	it('escapes what a message holds: a <script> shows as text', async () => {
		const answers = [
			await appMessage({ touser: 'lisi', msgtype: 'text', text: { content: XSS } }),
			await appMessage({
				touser: 'lisi',
				msgtype: 'textcard',
				textcard: {
					title: XSS,
					description: `<div class="gray">${XSS}</div>`,
					url: 'https://example.com/"onmouseover="x',
					btntxt: '<b>',
				},
			}),
			await robotPost({
				msgtype: 'markdown',
				markdown: { content: `# ${XSS}\n[${XSS}](https://example.com/a)` },
			}),
			await customRobot({
				msgtype: 'feedCard',
				feedCard: {
					links: [
						{
							title: XSS,
							messageURL: 'https://example.com/f',
							picURL: 'https://example.com/p.png',
						},
					],
				},
			}),
		];
		expect(answers.map((a) => a.errcode)).toEqual([0, 0, 0, 0]);
		const res = await html();
		const page = res.text;
		expect(page).toContain(
			'&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;',
		);
		// The page's only script is its own, under the nonce of the Content-Security-Policy.
		const csp = res.headers.get('content-security-policy') ?? '';
		const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
		expect(nonce).toBeDefined();
		expect(page.match(/<script/g)).toHaveLength(1);
		expect(page).toContain(`<script nonce="${nonce}">`);
		expect(page).not.toMatch(/<img/);
		expect(page).not.toMatch(/onerror=alert\(1\)>/);
		expect(page).not.toContain('"onmouseover="');
		expect(page).toContain('href="https://example.com/%22onmouseover=%22x"');
		expect(csp).toContain("default-src 'none'");
		expect(res.headers.get('x-content-type-options')).toBe('nosniff');
	});

	it('makes only http(s) URLs clickable', async () => {
		await robotPost({
			msgtype: 'markdown',
			markdown: {
				content: [
					'[ok](https://example.com/ok)',
					'[js](javascript:alert(1))',
					'[data](data:text/html,<b>x</b>)',
					'[app](wxwork://message)',
					'bare http://127.0.0.1:5678/form?a=1&b=2.',
					'JAVASCRIPT:alert(2) and vbscript:x',
				].join('\n'),
			},
		});
		await customRobot({
			msgtype: 'actionCard',
			actionCard: {
				title: 'buttons',
				text: 'choose',
				btns: [
					{ title: 'web', actionURL: 'http://example.com/yes' },
					{ title: 'script', actionURL: 'javascript:alert(3)' },
					{ title: 'app', actionURL: 'dingtalk://dingtalkclient/page/link?url=x' },
				],
			},
		});
		const page = (await html()).text;
		// The messages' links: everything in <main> but the page's own (more, filters).
		const main = page.slice(page.indexOf('<main>'), page.indexOf('</main>'));
		const hrefs = [...main.matchAll(/href="([^"]*)"/g)]
			.map((m) => m[1])
			.filter((h) => !h.startsWith('/_emulator/'));
		expect(main.match(/<a /g)).toHaveLength(3);
		expect(hrefs.sort()).toEqual([
			'http://127.0.0.1:5678/form?a=1&amp;b=2',
			'http://example.com/yes',
			'https://example.com/ok',
		]);
		expect(page).toContain('[js](javascript:alert(1))');
		expect(page).toContain(
			'<span class="button inert">script<small>javascript:alert(3)</small></span>',
		);
		const inbox = await json();
		expect(inbox.messages.flatMap((m: any) => m.links.map((l: any) => l.url)).sort()).toEqual([
			'http://127.0.0.1:5678/form?a=1&b=2',
			'http://example.com/yes',
			'https://example.com/ok',
		]);
	});

	it('marks recalled messages, says when a work notification reached nobody, and answers other methods with 405', async () => {
		const sent = await appMessage({ touser: 'lisi', msgtype: 'text', text: { content: 'oops' } });
		await wecom.post('/cgi-bin/message/recall', { msgid: sent.msgid });
		const body = {
			agent_id: DINGTALK_SEED.agentId,
			userid_list: 'manager001',
			msg: { msgtype: 'text', text: { content: 'same text twice' } },
		};
		await oldApi('/topapi/message/corpconversation/asyncsend_v2', body);
		await oldApi('/topapi/message/corpconversation/asyncsend_v2', body);
		const inbox = await json();
		expect(inbox.messages[0]).toMatchObject({
			conversations: [],
			undelivered: ['manager001 (143106)'],
		});
		expect(inbox.messages[2]).toMatchObject({ recalled: true, content: { text: 'oops' } });
		const page = (await html()).text;
		expect(page).toContain('已撤回 recalled');
		expect(page).toContain('未送达 not delivered: manager001 (143106)');
		const post = await request(emulator.baseUrl, 'POST', '/_emulator/inbox', { body: {} });
		expect(post.status).toBe(405);
	});

	it('changes its version when a message arrives (the page reloads on it) and shows the empty state', async () => {
		const before = (await json({ limit: '0' })).version;
		expect((await html()).text).toContain('No messages yet');
		await robotPost({ msgtype: 'text', text: { content: 'hi', mentioned_list: ['lisi', '@all'] } });
		const after = await json();
		expect(after.version).not.toBe(before);
		expect(after.messages[0].content.notes).toEqual(['@lisi @所有人']);
	});
});

describe('inbox text segments', () => {
	it('finds bare URLs without their trailing punctuation and markdown links with their labels', () => {
		expect(segments('见 https://a.example/x?y=1。然后 http://b.example/z).')).toEqual([
			{ text: '见 ' },
			{ label: 'https://a.example/x?y=1', url: 'https://a.example/x?y=1' },
			{ text: '。然后 ' },
			{ label: 'http://b.example/z', url: 'http://b.example/z' },
			{ text: ').' },
		]);
		expect(segments('[a](https://x.example/(1)) [b](ftp://x)', true)).toEqual([
			{ label: 'a', url: 'https://x.example/(1)' },
			{ text: ' ' },
			{ text: '[b](ftp://x)' },
		]);
		// A markdown link in a plain text message is text, its URL a link.
		expect(segments('[a](https://x.example/)')).toEqual([
			{ text: '[a](' },
			{ label: 'https://x.example/', url: 'https://x.example/' },
			{ text: ')' },
		]);
	});
});
