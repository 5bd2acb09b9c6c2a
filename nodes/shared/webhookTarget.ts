/**
 * The secret a group robot is addressed by, from what a user pasted into a credential: the whole webhook URL
 * (`https://…/send?key=…`, `https://…/robot/send?access_token=…`) or the value alone. Throws an Error whose
 * message names the field and the fix; callers wrap it in the error type their context needs.
 */
export function webhookSecret(raw: unknown, param: string, field: string): string {
	const text = typeof raw === 'string' ? raw.trim() : '';
	if (text === '') {
		throw new Error(`${field} is empty: paste the robot's webhook URL, or the ${param} in it`);
	}
	let value = text;
	if (/[?&=/:]/.test(text)) {
		const match = new RegExp(`[?&]${param}=([^&#\\s]*)`).exec(text);
		if (!match || match[1] === '') {
			throw new Error(
				`${field} looks like a URL but has no ${param}=…: paste the webhook URL exactly as the client shows it`,
			);
		}
		try {
			value = decodeURIComponent(match[1]);
		} catch {
			value = match[1];
		}
	}
	if (!/^[A-Za-z0-9_-]+$/.test(value)) {
		throw new Error(
			`${field}: the ${param} may hold only letters, digits, "-" and "_"; copy it again without spaces or quotes`,
		);
	}
	return value;
}

/** A base URL from a credential field: trimmed, no trailing slash, the platform's default when empty. */
export function baseUrlOf(raw: unknown, fallback: string): string {
	const value = typeof raw === 'string' ? raw.trim() : '';
	return (value || fallback).replace(/\/+$/, '');
}
