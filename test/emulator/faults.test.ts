/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
import { ApiEmulator } from '.';
import { request, WeComClient } from './testClient';

describe('fault injection', () => {
	let emulator: ApiEmulator;
	let client: WeComClient;

	beforeEach(async () => {
		emulator = await ApiEmulator.start({ plugins: ['wecom'] });
		client = new WeComClient(emulator);
		await client.accessToken();
	});

	afterEach(async () => {
		await emulator.stop();
	});

	const tagList = () => client.get('/cgi-bin/tag/list');

	it('errcode: answers HTTP 200 with the errcode, for `times` matching calls, then counts out', async () => {
		emulator.injectFault({ kind: 'errcode', errcode: 45009, times: 2 });
		expect((await tagList()).errcode).toBe(45009);
		expect(emulator.pendingFaults()).toEqual([{ kind: 'errcode', errcode: 45009, times: 1 }]);
		const second = await request(emulator.baseUrl, 'GET', '/cgi-bin/tag/list', {
			query: { access_token: await client.accessToken() },
		});
		expect(second.status).toBe(200);
		expect(second.json.errcode).toBe(45009);
		expect(second.json.errmsg).toContain('e=45009');
		expect((await tagList()).errcode).toBe(0);
		expect(emulator.pendingFaults()).toEqual([]);
		expect(emulator.callsTo('/cgi-bin/tag/list').map((c) => c.fault)).toEqual([
			'errcode',
			'errcode',
			undefined,
		]);
	});

	it('errcode: uses the given errmsg', async () => {
		emulator.injectFault({
			kind: 'errcode',
			errcode: 60020,
			errmsg: 'not allow to access from your ip',
		});
		expect(await tagList()).toEqual({ errcode: 60020, errmsg: 'not allow to access from your ip' });
	});

	it('http: answers with the status and body', async () => {
		emulator.injectFault({ kind: 'http', status: 502, body: '<html>Bad Gateway</html>' });
		emulator.injectFault({ kind: 'http', status: 503 });
		const token = await client.accessToken();
		const first = await request(emulator.baseUrl, 'GET', '/cgi-bin/tag/list', {
			query: { access_token: token },
		});
		expect(first.status).toBe(502);
		expect(first.text).toBe('<html>Bad Gateway</html>');
		const second = await request(emulator.baseUrl, 'GET', '/cgi-bin/tag/list', {
			query: { access_token: token },
		});
		expect(second.status).toBe(503);
		expect(emulator.calls.at(-1)).toMatchObject({ status: 503, fault: 'http' });
		expect((await tagList()).errcode).toBe(0);
	});

	it('latency: delays the call, which then succeeds; others are not held up', async () => {
		emulator.injectFault({ kind: 'latency', ms: 500, path: '/cgi-bin/tag/list' });
		const order: string[] = [];
		const slow = tagList().then((r) => {
			order.push('slow');
			return r;
		});
		const fast = client.get('/cgi-bin/department/list').then((r) => {
			order.push('fast');
			return r;
		});
		const [slowAnswer, fastAnswer] = await Promise.all([slow, fast]);
		expect(slowAnswer.errcode).toBe(0);
		expect(fastAnswer.errcode).toBe(0);
		expect(order).toEqual(['fast', 'slow']);
		expect(emulator.callsTo('/cgi-bin/tag/list')[0].fault).toBe('latency');
	});

	it('latency: stop() does not wait for a pending delay', async () => {
		emulator.injectFault({ kind: 'latency', ms: 600_000 });
		const pending = tagList().catch(() => 'aborted');
		while (emulator.callsTo('/cgi-bin/tag/list').length === 0) {
			await new Promise((resolve) => setTimeout(resolve, 5));
		}
		await emulator.stop();
		await pending;
	});

	it('invalidateToken: kills the token just before the matching call', async () => {
		const token = await client.accessToken();
		emulator.injectFault({ kind: 'invalidateToken', path: '/cgi-bin/tag/list' });
		expect((await client.get('/cgi-bin/department/list')).errcode).toBe(0);
		expect((await tagList()).errcode).toBe(40014);
		const fresh = await request(emulator.baseUrl, 'GET', '/cgi-bin/gettoken', {
			query: { corpid: emulator.wecom.app.corpId, corpsecret: emulator.wecom.app.secret },
		});
		expect(fresh.json.access_token).not.toBe(token);
		expect(emulator.tokenIssueCount('wecom')).toBe(2);
	});

	it('matches by exact path or pattern, in the order the faults were added', async () => {
		emulator.injectFault({ kind: 'errcode', errcode: 1, path: /^\/cgi-bin\/department\// });
		emulator.injectFault({ kind: 'errcode', errcode: 2, path: '/cgi-bin/tag/list' });
		emulator.injectFault({ kind: 'errcode', errcode: 3 });
		expect((await tagList()).errcode).toBe(2);
		expect((await tagList()).errcode).toBe(3);
		expect((await client.get('/cgi-bin/department/simplelist')).errcode).toBe(1);
		expect((await tagList()).errcode).toBe(0);
	});

	it('a fault without a path leaves the token endpoint alone', async () => {
		const fresh = new WeComClient(emulator);
		emulator.injectFault({ kind: 'errcode', errcode: 45009 });
		await fresh.accessToken();
		expect(emulator.callsTo('/cgi-bin/gettoken').at(-1)?.fault).toBeUndefined();
		expect((await fresh.get('/cgi-bin/tag/list')).errcode).toBe(45009);

		emulator.injectFault({ kind: 'errcode', errcode: 45009, path: '/cgi-bin/gettoken' });
		const limited = await request(emulator.baseUrl, 'GET', '/cgi-bin/gettoken', {
			query: { corpid: emulator.wecom.app.corpId, corpsecret: emulator.wecom.app.secret },
		});
		expect(limited.json.errcode).toBe(45009);
	});

	it('rejects a non-positive times', () => {
		expect(() => emulator.injectFault({ kind: 'latency', ms: 1, times: 0 })).toThrow(/positive/);
	});
});
