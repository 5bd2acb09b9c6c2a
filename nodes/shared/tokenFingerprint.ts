import { createHash } from 'crypto';

/**
 * What a cached access token was issued for: a one-way digest of the values that obtained it (app id, secret, API
 * host). A token is used only while the credential still holds the same values — after the user edits the credential
 * (another secret, another host) the stored token is treated as absent and a fresh one is fetched from the new
 * values. The digest reveals nothing of the secret.
 */
export function tokenFingerprint(...parts: unknown[]): string {
	const hash = createHash('sha256');
	for (const part of parts) {
		const text = typeof part === 'string' ? part.trim() : String(part ?? '');
		hash.update(`${text.length}:${text};`);
	}
	return hash.digest('hex').slice(0, 32);
}
