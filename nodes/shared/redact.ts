/** Removes access tokens and the given secret values from any text that may surface to a user. */
export function redact(text: string, secrets: Array<unknown> = []): string {
	let out = text.replace(/(access_token|corpsecret|secret)=([^&\s"']+)/gi, '$1=***');
	for (const secret of secrets) {
		if (typeof secret === 'string' && secret.length >= 6) out = out.split(secret).join('***');
	}
	return out;
}
