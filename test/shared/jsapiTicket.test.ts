import { sleep } from 'n8n-workflow';

import {
	cachedTicket,
	clearTicketCache,
	FORCED_REFRESH_COOLDOWN_MS,
	jsapiSignature,
	ticketCacheKey,
	withoutFragment,
} from '../../nodes/shared/jsapiTicket';
import { DINGTALK_JSAPI_VECTOR, WECOM_JSAPI_VECTOR } from '../fixtures/jsapiVectors';

describe('JS-SDK signatures and the shared ticket cache', () => {
	beforeEach(() => clearTicketCache());

	it.each([WECOM_JSAPI_VECTOR, DINGTALK_JSAPI_VECTOR])('matches $name', (v) => {
		expect(jsapiSignature(v.ticket, v.nonceStr, v.timestamp, withoutFragment(v.pageUrl))).toBe(
			v.signature,
		);
		// Any other value changes it: the test can fail.
		expect(jsapiSignature(v.ticket, v.nonceStr, `${v.timestamp}1`, v.signedUrl)).not.toBe(
			v.signature,
		);
	});

	it('keys are digests: equal for equal values, never the secret itself', () => {
		const key = ticketCacheKey('wecom', 'corp', {
			appId: 'ww1',
			secret: 'the-secret-value',
			host: 'https://q',
		});
		expect(key).toBe(
			ticketCacheKey('wecom', 'corp', {
				appId: 'ww1',
				secret: 'the-secret-value',
				host: 'https://q',
			}),
		);
		expect(key).not.toBe(
			ticketCacheKey('wecom', 'corp', {
				appId: 'ww1',
				secret: 'another-secret',
				host: 'https://q',
			}),
		);
		expect(key).not.toBe(
			ticketCacheKey('wecom', 'app', {
				appId: 'ww1',
				secret: 'the-secret-value',
				host: 'https://q',
			}),
		);
		expect(key).not.toContain('the-secret-value');
	});

	it('concurrent callers share one fetch; a fetch that failed is forgotten', async () => {
		let fetches = 0;
		const fetch = async () => {
			fetches++;
			await sleep(20);
			return { ticket: `t${fetches}`, expiresInSeconds: 7200 };
		};
		const all = await Promise.all([1, 2, 3, 4, 5].map(async () => await cachedTicket('k', fetch)));
		expect(fetches).toBe(1);
		expect(new Set(all.map((t) => t.ticket))).toEqual(new Set(['t1']));

		await expect(
			cachedTicket('bad', async () => await Promise.reject(new Error('refused'))),
		).rejects.toThrow('refused');
		expect((await cachedTicket('bad', fetch)).ticket).toBe('t2');
	});

	it('reuses a ticket for 90% of its life, then fetches again', async () => {
		let n = 0;
		const fetch = async () => ({ ticket: `t${++n}`, expiresInSeconds: 7200 });
		const start = 1_000_000;
		expect((await cachedTicket('k', fetch, { now: start })).ticket).toBe('t1');
		const hold = await cachedTicket('k', fetch, { now: start + 0.89 * 7_200_000 });
		expect(hold).toMatchObject({ ticket: 't1', fromCache: true, expiresAt: start + 7_200_000 });
		expect((await cachedTicket('k', fetch, { now: start + 0.91 * 7_200_000 })).ticket).toBe('t2');
	});

	it('a forced refresh fetches again, but not within a minute of the last fetch', async () => {
		let n = 0;
		const fetch = async () => ({ ticket: `t${++n}`, expiresInSeconds: 7200 });
		const start = 5_000_000;
		await cachedTicket('k', fetch, { now: start });
		const soon = await cachedTicket('k', fetch, { now: start + 1000, force: true });
		expect(soon.ticket).toBe('t1');
		const later = await cachedTicket('k', fetch, {
			now: start + FORCED_REFRESH_COOLDOWN_MS,
			force: true,
		});
		expect(later).toMatchObject({ ticket: 't2', fromCache: false });
	});
});
