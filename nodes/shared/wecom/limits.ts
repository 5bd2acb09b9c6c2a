// WeCom's text limits and the error they raise: the app's messages, group chats and template cards share them.
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** WeCom's size limits for message fields, in UTF-8 bytes unless named otherwise. */
export const LIMITS = {
	contentBytes: 2048,
	titleBytes: 128,
	descriptionBytes: 512,
	buttonTextChars: 4,
	articles: 8,
} as const;

export function byteLength(value: string): number {
	return Buffer.byteLength(value, 'utf8');
}

/** A NodeOperationError for item `itemIndex`; thrown before any API call. */
export function inputError(
	this: IExecuteFunctions,
	itemIndex: number,
	message: string,
): NodeOperationError {
	return new NodeOperationError(this.getNode(), message, { itemIndex });
}

/** Throws when `value` is longer than `max` UTF-8 bytes, naming the field and the limit. */
export function checkBytes(
	this: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: string,
	max: number,
): void {
	const bytes = byteLength(value);
	if (bytes > max) {
		throw inputError.call(
			this,
			itemIndex,
			`${field} is ${bytes} bytes: WeCom allows at most ${max} bytes (UTF-8, where a Chinese character takes 3 bytes)`,
		);
	}
}

/** Throws when a required text is empty. */
export function requireText(
	this: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: string,
): void {
	if (value.trim() === '') {
		throw inputError.call(this, itemIndex, `${field} is empty: WeCom requires it`);
	}
}
