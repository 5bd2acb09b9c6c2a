import type { IDataObject } from 'n8n-workflow';

// n8n deep-copies items by assigning keys, so an own "__proto__" key would re-parent the copy.
const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Text in which no key can be one of UNSAFE_KEYS: none of the names occurs, and no \u escape could spell one. Such text
 * is parsed without a reviver, which V8 runs several times faster (a callback is parsed twice per request).
 */
const MAYBE_UNSAFE = /__proto__|constructor|prototype|\\u/;

/** JSON.parse without prototype-sensitive keys; undefined when the text is not a JSON object. */
export function parseJsonObject(text: string): IDataObject | undefined {
	let value: unknown;
	try {
		value = MAYBE_UNSAFE.test(text)
			? JSON.parse(text, (key, v: unknown) => (UNSAFE_KEYS.has(key) ? undefined : v))
			: JSON.parse(text);
	} catch {
		return undefined;
	}
	return isRecord(value) ? (value as IDataObject) : undefined;
}

/**
 * A field of a payload whatever its case (`UserId` / `userId`, XML's PascalCase against JSON's lower case): the exact
 * name first, then the first key equal to it ignoring case.
 */
export function fieldOf(fields: IDataObject | undefined, name: string): unknown {
	if (fields === undefined) return undefined;
	if (Object.hasOwn(fields, name)) return fields[name];
	const lower = name.toLowerCase();
	for (const key of Object.keys(fields)) {
		if (key.toLowerCase() === lower) return fields[key];
	}
	return undefined;
}

/** A scalar as text (numbers and booleans written out); undefined for anything else. */
export function scalarText(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	return undefined;
}
