import {
	CREDENTIAL_TEST_HEADER,
	credentialFingerprint,
	parseTokenRecord,
	rawToken,
	tokenForRequest,
	tokenRecord,
	usableToken,
	type TokenOwner,
} from '../../nodes/shared/accessToken';

const owner: TokenOwner = { appId: 'dingapp', secret: 's3cret-value', host: 'https://api.example' };

describe('access token records (both platforms)', () => {
	it('ties a token to app id, secret and host, and holds no secret', () => {
		const record = tokenRecord(owner, 'tok.with.dots', 1_700_000_000_000);
		expect(record).toMatch(/^tok1\.[A-Za-z0-9_-]{32}\.1700000000000\.tok\.with\.dots$/);
		expect(record).not.toContain('s3cret-value');
		expect(parseTokenRecord(record)).toEqual({
			fingerprint: credentialFingerprint(owner),
			issuedAt: 1_700_000_000_000,
			token: 'tok.with.dots',
		});
		expect(rawToken(record)).toBe('tok.with.dots');
		expect(rawToken('plain')).toBe('plain');
	});

	it.each([
		['another secret', { ...owner, secret: 'other' }],
		['another app id', { ...owner, appId: 'dingother' }],
		['another host', { ...owner, host: 'https://relay.example' }],
		['an empty secret', { ...owner, secret: '' }],
	])('a token fetched for other values is no token: %s', (_, other) => {
		const record = tokenRecord(owner, 'tok', Date.now());
		expect(usableToken(owner, record, Date.now())).toBe('tok');
		expect(usableToken(other, record, Date.now())).toBeUndefined();
	});

	it('surrounding blanks do not change the fingerprint; a bare or foreign value is no record', () => {
		expect(credentialFingerprint({ ...owner, appId: ' dingapp ', secret: 's3cret-value\n' })).toBe(
			credentialFingerprint(owner),
		);
		for (const value of [
			'',
			'bare-token',
			'wct1.x.1.tok',
			'tok1.x.notanumber.tok',
			undefined,
			42,
		]) {
			expect(usableToken(owner, value, Date.now())).toBeUndefined();
		}
	});

	it('the credential test takes only a token fetched a moment ago, and the marker never leaves', () => {
		const now = Date.now();
		const fresh = tokenRecord(owner, 'fresh', now - 1_000);
		const old = tokenRecord(owner, 'old', now - 10 * 60_000);
		const testRequest = { url: 'https://x/y', headers: { [CREDENTIAL_TEST_HEADER]: '1', a: 'b' } };

		expect(tokenForRequest(owner, fresh, testRequest)).toEqual({
			token: 'fresh',
			headers: { a: 'b' },
		});
		expect(() => tokenForRequest(owner, old, testRequest)).toThrow(
			expect.objectContaining({ response: { status: 401 } }),
		);
		// An execution (no marker) uses the older token: n8n refreshes it when the platform says it died.
		expect(tokenForRequest(owner, old, { url: 'https://x/y' })).toEqual({
			token: 'old',
			headers: {},
		});
		expect(() =>
			tokenForRequest({ ...owner, secret: 'edited' }, old, { url: 'https://x/y' }),
		).toThrow(/not fetched for these credential values/);
	});
});
