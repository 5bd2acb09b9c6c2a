/**
 * Whether `text` shows `secret` as a value of its own: not as a run of characters inside a longer word such as
 * a hex signature or base64 ciphertext. The official DingTalk sample Token is `123456`, and one SHA-1 signature in
 * a few thousand holds those six digits by chance (CI saw `…2d71d2c4123456281a…`); a Token that leaks is quoted or
 * spaced, so it still stands alone.
 */
export function showsSecret(text: string, secret: string): boolean {
	const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	return new RegExp(`(?<![A-Za-z0-9+/])${escaped}(?![A-Za-z0-9+/=])`).test(text);
}
