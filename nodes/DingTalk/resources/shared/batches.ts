import { NodeApiError } from 'n8n-workflow';

/**
 * Sends one call per batch, in order. When a later call fails, the earlier ones were delivered and cannot be undone:
 * the error then says which went out (`sent` names them, e.g. by task id) so a retry does not send them twice.
 */
export async function sendBatches<B, R>(
	batches: B[],
	send: (batch: B, index: number) => Promise<R>,
	sent: (done: R[]) => string,
): Promise<R[]> {
	const done: R[] = [];
	for (const [index, batch] of batches.entries()) {
		const outcome = await send(batch, index).then(
			(value) => ({ value, error: undefined }),
			(error: unknown) => ({ value: undefined, error: error ?? new Error('failed') }),
		);
		if (outcome.error !== undefined) {
			const { error } = outcome;
			if (done.length > 0 && error instanceof NodeApiError) {
				error.description = `${error.description ?? ''}\nCalls 1 to ${index} of ${batches.length} were already sent (${sent(done)}); only the rest failed.`;
			}
			throw error;
		}
		done.push(outcome.value as R);
	}
	return done;
}
