import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { clearTicketCache, jsapiSignature } from '../../nodes/shared/jsapiTicket';
import { WECOM_SEED, wecomTickets } from '../emulator/wecom';
import { WECOM_JSAPI_VECTOR } from '../fixtures/jsapiVectors';
import { startWeCom, type WeComTestEnv } from './setup';

const PAGE = 'https://emulator.example/h5/index.html?from=menu&x=%E4%BD%A0#/detail/3';
const SIGNED = 'https://emulator.example/h5/index.html?from=menu&x=%E4%BD%A0';

describe('WeCom JS-SDK (JSAPI): Get Signature', () => {
	let env: WeComTestEnv;

	beforeAll(async () => {
		env = await startWeCom();
	});

	afterAll(async () => {
		await env.stop();
	});

	beforeEach(() => {
		clearTicketCache();
		env.emulator.reset();
	});

	/** Tickets handed out (a call refused for a dead access token, then repeated, is no fetch). */
	const issued = (path: string) =>
		env.emulator.callsTo(path).filter((c) => (c.response as IDataObject).errcode === 0);
	const fetches = (path: string) => issued(path).length;
	const firstTicket = () =>
		(issued('/cgi-bin/get_jsapi_ticket')[0].response as IDataObject).ticket as string;

	it("reproduces the signature of WeCom's published example", () => {
		const v = WECOM_JSAPI_VECTOR;
		expect(jsapiSignature(v.ticket, v.nonceStr, v.timestamp, v.signedUrl)).toBe(v.signature);
	});

	it('signs every item with one corp ticket fetch; each signature passes the emulated wx.config check', async () => {
		const items = [0, 1, 2, 3, 4].map((i) => ({ json: { page: `${SIGNED}&n=${i}#/x` } }));
		const result = await env.run(
			{
				resource: 'jsapi',
				operation: 'getSignature',
				pageUrl: '={{ $json.page }}',
				ticketKind: 'corp',
			},
			items,
		);
		expect(result.error).toBeUndefined();
		expect(fetches('/cgi-bin/get_jsapi_ticket')).toBe(1);
		expect(fetches('/cgi-bin/ticket/get')).toBe(0);
		expect(result.items).toHaveLength(5);
		const now = Date.now();
		result.items.forEach((item, i) => {
			const json = item.json;
			expect(json.url).toBe(`${SIGNED}&n=${i}`);
			expect(json.corpId).toBe(WECOM_SEED.corpId);
			expect(json.agentId).toBe(String(WECOM_SEED.agentId));
			expect(json.nonceStr).toMatch(/^[A-Za-z0-9]{16}$/);
			expect(Math.abs(Number(json.timestamp) - now / 1000)).toBeLessThan(30);
			expect(
				wecomTickets(env.emulator.wecom).verify(
					'corp',
					{
						url: String(json.url),
						nonceStr: String(json.nonceStr),
						timestamp: Number(json.timestamp),
						signature: String(json.signature),
					},
					Date.now(),
				),
			).toBe(true);
			expect(json.wxConfig).toEqual({
				beta: true,
				appId: WECOM_SEED.corpId,
				timestamp: json.timestamp,
				nonceStr: json.nonceStr,
				signature: json.signature,
			});
			expect(item.pairedItem).toEqual({ item: i });
		});
		// The ticket signs; it is never handed out, nor is the secret.
		const text = JSON.stringify(result.items);
		expect(text).not.toContain(WECOM_SEED.secret);
		expect(text).not.toContain(firstTicket());
	});

	it('drops the #fragment: the signature equals the one over the URL without it', async () => {
		const result = await env.run({
			resource: 'jsapi',
			operation: 'getSignature',
			pageUrl: PAGE,
			options: { nonceStr: 'Wm3WZYTPz0wzccnW', timestamp: 1414587457 },
		});
		expect(result.error).toBeUndefined();
		const ticket = firstTicket();
		const json = result.items[0].json;
		expect(json.url).toBe(SIGNED);
		expect(json.timestamp).toBe(1414587457);
		expect(json.signature).toBe(jsapiSignature(ticket, 'Wm3WZYTPz0wzccnW', 1414587457, SIGNED));
	});

	it('signs wx.config and wx.agentConfig over one timestamp and nonce, one fetch of each ticket', async () => {
		const result = await env.run(
			{ resource: 'jsapi', operation: 'getSignature', pageUrl: PAGE, ticketKind: 'both' },
			[{ json: {} }, { json: {} }, { json: {} }],
		);
		expect(result.error).toBeUndefined();
		expect(fetches('/cgi-bin/get_jsapi_ticket')).toBe(1);
		expect(fetches('/cgi-bin/ticket/get')).toBe(1);
		expect(env.emulator.callsTo('/cgi-bin/ticket/get')[0].query.type).toBe('agent_config');
		const tickets = wecomTickets(env.emulator.wecom);
		for (const { json } of result.items) {
			const page = {
				url: SIGNED,
				nonceStr: String(json.nonceStr),
				timestamp: Number(json.timestamp),
			};
			expect(
				tickets.verify('corp', { ...page, signature: String(json.signature) }, Date.now()),
			).toBe(true);
			expect(
				tickets.verify(
					'app',
					{ ...page, signature: String(json.agentConfigSignature) },
					Date.now(),
				),
			).toBe(true);
			// Each ticket signs only its own call.
			expect(json.signature).not.toBe(json.agentConfigSignature);
			expect(json.agentConfig).toEqual({
				corpid: WECOM_SEED.corpId,
				agentid: String(WECOM_SEED.agentId),
				timestamp: json.timestamp,
				nonceStr: json.nonceStr,
				signature: json.agentConfigSignature,
			});
		}
	});

	it('keeps the ticket across executions, and fetches a new one when it nears its end', async () => {
		const run = async () =>
			await env.run({ resource: 'jsapi', operation: 'getSignature', pageUrl: PAGE });
		expect((await run()).error).toBeUndefined();
		expect((await run()).error).toBeUndefined();
		expect(fetches('/cgi-bin/get_jsapi_ticket')).toBe(1);

		// A ticket that lives 1 s is reused for 0.9 s only.
		clearTicketCache();
		wecomTickets(env.emulator.wecom).options.lifetimeSeconds = 1;
		wecomTickets(env.emulator.wecom).invalidate('corp');
		expect((await run()).error).toBeUndefined();
		expect(fetches('/cgi-bin/get_jsapi_ticket')).toBe(2);
		await sleep(1000);
		const late = await run();
		expect(late.error).toBeUndefined();
		expect(fetches('/cgi-bin/get_jsapi_ticket')).toBe(3);
		const json = late.items[0].json;
		expect(
			wecomTickets(env.emulator.wecom).verify(
				'corp',
				{
					url: SIGNED,
					nonceStr: String(json.nonceStr),
					timestamp: Number(json.timestamp),
					signature: String(json.signature),
				},
				Date.now(),
			),
		).toBe(true);
	});

	it('Force Ticket Refresh right after a fetch reuses it (the hourly limit is protected)', async () => {
		const run = async () =>
			await env.run({
				resource: 'jsapi',
				operation: 'getSignature',
				pageUrl: PAGE,
				options: { forceRefresh: true },
			});
		expect((await run()).error).toBeUndefined();
		expect((await run()).error).toBeUndefined();
		expect(fetches('/cgi-bin/get_jsapi_ticket')).toBe(1);
	});

	it('refuses a Page URL that is not an http(s) URL, naming the field, without fetching', async () => {
		const result = await env.run({
			resource: 'jsapi',
			operation: 'getSignature',
			pageUrl: 'emulator.example/h5',
		});
		expect(result.error?.message).toMatch(
			/^Page URL "emulator.example\/h5" is not an http\(s\) URL/,
		);
		expect(fetches('/cgi-bin/get_jsapi_ticket')).toBe(0);
	});

	it('a refused ticket fetch is an API error with its hint, and is not cached', async () => {
		env.emulator.injectFault({
			kind: 'errcode',
			errcode: 48002,
			path: '/cgi-bin/get_jsapi_ticket',
		});
		const failed = await env.run({ resource: 'jsapi', operation: 'getSignature', pageUrl: PAGE });
		expect(failed.error?.message).toMatch(/no permission for this API.*48002/i);
		const next = await env.run({ resource: 'jsapi', operation: 'getSignature', pageUrl: PAGE });
		expect(next.error).toBeUndefined();
		// The refusal was not kept: the next run asked again and got a ticket.
		const answers = env.emulator
			.callsTo('/cgi-bin/get_jsapi_ticket')
			.map((c) => (c.response as IDataObject).errcode);
		expect(answers).toContain(48002);
		expect(answers[answers.length - 1]).toBe(0);
	});
});
