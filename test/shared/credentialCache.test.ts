import { CredentialCache } from '../../nodes/shared/credentialCache';

function counter() {
	let loads = 0;
	return {
		load: async () => `value ${++loads}`,
		get loads() {
			return loads;
		},
	};
}

const options = { ttlMs: 60_000, retryCooldownMs: 10_000, maxEntries: 3 };

describe('CredentialCache', () => {
	it('loads once, then serves the cached value until the TTL runs out', async () => {
		const cache = new CredentialCache<string>(options);
		const source = counter();
		expect(await cache.get('k', source.load, 0)).toEqual({ value: 'value 1', fromCache: false });
		expect(await cache.get('k', source.load, 59_999)).toEqual({
			value: 'value 1',
			fromCache: true,
		});
		expect(await cache.get('k', source.load, 60_000)).toEqual({
			value: 'value 2',
			fromCache: false,
		});
		expect(source.loads).toBe(2);
	});

	it('shares one load among concurrent requests', async () => {
		const cache = new CredentialCache<string>(options);
		const source = counter();
		const values = await Promise.all(
			Array.from({ length: 5 }, async () => await cache.get('k', source.load, 0)),
		);
		expect(values.map((v) => v.value)).toEqual(Array(5).fill('value 1'));
		expect(source.loads).toBe(1);
	});

	it('loads afresh when asked, and keeps that value', async () => {
		const cache = new CredentialCache<string>(options);
		const source = counter();
		await cache.get('k', source.load, 0);
		expect((await cache.get('k', source.load, 1, true)).value).toBe('value 2');
		expect((await cache.get('k', source.load, 2)).value).toBe('value 2');
	});

	it('reloads after a failure at most once per cooldown', async () => {
		const cache = new CredentialCache<string>(options);
		const source = counter();
		await cache.get('k', source.load, 0);
		expect(await cache.reload('k', source.load, 1_000)).toBe('value 2');
		expect(await cache.reload('k', source.load, 10_999)).toBeUndefined();
		expect(await cache.reload('k', source.load, 11_000)).toBe('value 3');
		expect(source.loads).toBe(3);
		// A reload is a load: the TTL starts again from it.
		expect((await cache.get('k', source.load, 70_000)).value).toBe('value 3');
	});

	it('does not keep a failed load', async () => {
		const cache = new CredentialCache<string>(options);
		let fail = true;
		const load = async () => {
			if (fail) throw new Error('database gone');
			return 'ok';
		};
		await expect(cache.get('k', load, 0)).rejects.toThrow('database gone');
		fail = false;
		expect(await cache.get('k', load, 1)).toEqual({ value: 'ok', fromCache: false });
	});

	it('keeps at most maxEntries, dropping the oldest', async () => {
		const cache = new CredentialCache<string>(options);
		for (const key of ['a', 'b', 'c', 'd']) await cache.get(key, async () => key, 0);
		expect(cache.size).toBe(3);
		const again = counter();
		expect((await cache.get('a', again.load, 1)).fromCache).toBe(false);
		expect((await cache.get('d', again.load, 1)).fromCache).toBe(true);
	});
});
