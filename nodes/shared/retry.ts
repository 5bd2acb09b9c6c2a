/** Waits between attempts after throttling or an HTTP 5xx/429; bounded so a workflow never hangs. */
export const RETRY_DELAYS_MS = [500, 1000, 2000];

/** Exponential back-off between reconnection attempts: `initialMs` doubling up to `maxMs`. */
export interface BackoffPolicy {
	initialMs: number;
	maxMs: number;
	/** Spread around the exponential step, as a fraction of it (0.25 = ±25 %); default 0.25. */
	jitter?: number;
}

/**
 * The wait before attempt number `failures + 1`, after `failures` (≥ 1) failed ones. The jitter spreads clients that
 * failed together (a platform restart) so they do not all come back in the same second; the result stays within
 * [initialMs, maxMs] whatever `random` returns.
 */
export function backoffDelay(
	failures: number,
	policy: BackoffPolicy,
	random: () => number,
): number {
	const jitter = Math.min(Math.max(policy.jitter ?? 0.25, 0), 1);
	const exponent = Math.min(Math.max(failures, 1) - 1, 30);
	const step = Math.min(policy.initialMs * 2 ** exponent, policy.maxMs);
	const spread = (Math.min(Math.max(random(), 0), 1) * 2 - 1) * jitter * step;
	return Math.round(Math.min(Math.max(step + spread, policy.initialMs), policy.maxMs));
}

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
