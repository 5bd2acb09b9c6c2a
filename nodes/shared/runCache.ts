// Keyed by the execution's context object: it lives exactly as long as one node run, so every item of a run shares
// one fetch per key and the next run sees changes made in between.
const runCaches = new WeakMap<object, Map<string, Promise<unknown>>>();

/** `fetch()` at most once per node run for this key; a failed fetch is forgotten so a later item tries again. */
export async function oncePerRun<T>(
	context: object,
	key: string,
	fetch: () => Promise<T>,
): Promise<T> {
	let cache = runCaches.get(context);
	if (!cache) {
		cache = new Map();
		runCaches.set(context, cache);
	}
	let pending = cache.get(key) as Promise<T> | undefined;
	if (!pending) {
		pending = fetch();
		cache.set(key, pending);
		// Continue On Fail: the next item must not inherit this item's failure.
		pending.catch(() => cache.delete(key));
	}
	return await pending;
}
