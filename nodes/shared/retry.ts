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

/** Failures before the request left this machine: retrying cannot deliver a message twice. */
const UNSENT_NETWORK_CODES: ReadonlySet<string> = new Set([
	'ECONNREFUSED',
	'EAI_AGAIN',
	'ENETUNREACH',
	'EHOSTUNREACH',
	'UND_ERR_CONNECT_TIMEOUT',
]);

function codeIn(codes: ReadonlySet<string>, error: unknown, depth: number): string | undefined {
	const e = error as { code?: unknown; cause?: unknown };
	if (typeof e?.code === 'string' && codes.has(e.code)) return e.code;
	return e?.cause && depth < 4 ? codeIn(codes, e.cause, depth + 1) : undefined;
}

/** The code of a connection failure worth retrying, looked for through the error's causes. */
export function networkCodeOf(error: unknown): string | undefined {
	return codeIn(TRANSIENT_NETWORK_CODES, error, 0);
}

/**
 * The code of a connection failure that happened before the request was sent (refused, no route, no DNS answer):
 * the one kind of network failure a message may be retried after without the risk of posting it twice.
 */
export function unsentNetworkCodeOf(error: unknown): string | undefined {
	return codeIn(UNSENT_NETWORK_CODES, error, 0);
}

/**
 * Group robots (WeCom 群机器人, DingTalk 自定义机器人) take 20 messages a minute each. Sends are paced to that
 * (see rateWindow.ts); when the platform refuses one anyway (another sender shares the robot), the whole window
 * is waited out before the next try, a bounded number of times.
 */
export const ROBOT_RATE = { limit: 20, windowMs: 60_000, marginMs: 1_000 } as const;
export const ROBOT_THROTTLE_WAIT_MS = ROBOT_RATE.windowMs + ROBOT_RATE.marginMs;
export const ROBOT_THROTTLE_RETRIES = 2;

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
