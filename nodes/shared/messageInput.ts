import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/**
 * Refusals of message input that the platform would refuse too, found before anything is sent. The message names
 * the field as the UI labels it and the fix; operations turn it into a NodeOperationError for their item.
 * Builders that throw it stay pure (parameters in, request body out), so other operations can reuse them.
 */
export class MessageInputError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'MessageInputError';
	}
}

export function utf8Bytes(value: string): number {
	return Buffer.byteLength(value, 'utf8');
}

/** The text, or a refusal when it is empty or only spaces. */
export function requiredText(platform: string, field: string, value: unknown): string {
	const text = value === undefined || value === null ? '' : String(value);
	if (text.trim() === '') throw new MessageInputError(`${field} is empty: ${platform} requires it`);
	return text;
}

/** A refusal when `value` is longer than `max` UTF-8 bytes. */
export function limitBytes(platform: string, field: string, value: string, max: number): void {
	const bytes = utf8Bytes(value);
	if (bytes > max) {
		throw new MessageInputError(
			`${field} is ${bytes} bytes: ${platform} allows at most ${max} bytes (UTF-8, where a Chinese character takes 3 bytes)`,
		);
	}
}

/** A list of entries between `min` and `max` long, or a refusal naming the field. */
export function countWithin<T>(
	platform: string,
	field: string,
	list: T[],
	min: number,
	max = Infinity,
): T[] {
	if (list.length < min || list.length > max) {
		const range = max === Infinity ? `at least ${min}` : `${min} to ${max}`;
		throw new MessageInputError(`${field}: ${list.length} given, ${platform} needs ${range}`);
	}
	return list;
}

/** Runs a pure builder for item `itemIndex`; its MessageInputError becomes the item's NodeOperationError. */
export function built<T>(node: INode, itemIndex: number, build: () => T): T {
	try {
		return build();
	} catch (error) {
		throw new NodeOperationError(node, (error as Error).message, { itemIndex });
	}
}
