export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The request body as an object; routes with a JSON body always get one (the server checks). */
export function bodyOf(body: unknown): Record<string, unknown> {
	return isRecord(body) ? body : {};
}

export function byteLength(value: string): number {
	return Buffer.byteLength(value, 'utf8');
}

export function nonEmptyString(value: unknown): value is string {
	return typeof value === 'string' && value !== '';
}

/** '|'-joined ids as WeCom takes them; empty entries are ignored. */
export function splitIds(value: unknown): string[] {
	return typeof value === 'string' ? value.split('|').filter((s) => s !== '') : [];
}
