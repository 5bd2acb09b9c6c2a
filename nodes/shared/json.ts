import type { IDataObject } from 'n8n-workflow';

// n8n deep-copies items by assigning keys, so an own "__proto__" key would re-parent the copy.
const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON.parse without prototype-sensitive keys; undefined when the text is not a JSON object. */
export function parseJsonObject(text: string): IDataObject | undefined {
	let value: unknown;
	try {
		value = JSON.parse(text, (key, v: unknown) => (UNSAFE_KEYS.has(key) ? undefined : v));
	} catch {
		return undefined;
	}
	return isRecord(value) ? (value as IDataObject) : undefined;
}
