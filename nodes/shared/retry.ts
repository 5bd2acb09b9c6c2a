/** Waits between attempts after throttling or an HTTP 5xx/429; bounded so a workflow never hangs. */
export const RETRY_DELAYS_MS = [500, 1000, 2000];

/** Failures of the connection itself, worth another try (a relay restarting, a dropped socket). */
const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'ETIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'ENETUNREACH',
	'EHOSTUNREACH',
	'UND_ERR_SOCKET',
	'UND_ERR_CONNECT_TIMEOUT',
]);

/** The code of a connection failure worth retrying, looked for through the error's causes. */
export function networkCodeOf(error: unknown, depth = 0): string | undefined {
	const e = error as { code?: unknown; cause?: unknown };
	if (typeof e?.code === 'string' && TRANSIENT_NETWORK_CODES.has(e.code)) return e.code;
	return e?.cause && depth < 4 ? networkCodeOf(e.cause, depth + 1) : undefined;
}

/** The HTTP status an error carries, wherever n8n or axios put it. */
export function httpStatusOf(error: unknown): number | undefined {
	const e = error as {
		httpCode?: string;
		response?: { status?: number };
		status?: number;
		cause?: unknown;
	};
	const status = Number(e.httpCode ?? e.response?.status ?? e.status);
	if (Number.isFinite(status) && status > 0) return status;
	return e.cause && e.cause !== error ? httpStatusOf(e.cause) : undefined;
}
