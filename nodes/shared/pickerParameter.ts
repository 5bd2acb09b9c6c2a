import type { ILoadOptionsFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/**
 * A parameter a picker depends on (a template, a form), as the editor holds it: trimmed text, its locator value
 * extracted. Empty, or an expression the editor cannot resolve, is refused with the message for that case.
 */
export function pickerParameter(
	context: ILoadOptionsFunctions,
	name: string,
	messages: { empty: string; expression: string },
): string {
	const raw = context.getCurrentNodeParameter(name, { extractValue: true }) as unknown;
	const value = typeof raw === 'string' ? raw.trim() : '';
	if (value === '' || value.startsWith('=')) {
		throw new NodeOperationError(
			context.getNode(),
			value === '' ? messages.empty : messages.expression,
		);
	}
	return value;
}
