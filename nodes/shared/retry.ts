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

/** The code of any failure below HTTP (connection, DNS, TLS, URL), looked for through the error's causes. */
export function failureCodeOf(error: unknown, depth = 0): string | undefined {
	const e = error as { code?: unknown; cause?: unknown };
	if (typeof e?.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(e.code)) return e.code;
	return e?.cause && depth < 4 ? failureCodeOf(e.cause, depth + 1) : undefined;
}

/**
 * What a failure below HTTP means for a user who typed `url`, and what to do: n8n alone shows only the bare code
 * (ECONNREFUSED, ERR_INVALID_URL), which names neither the address nor the fix.
 */
export function explainNetworkFailure(code: string | undefined, url: string): string {
	switch (code) {
		case 'ERR_INVALID_URL':
			return `${url} is not a valid URL: the API Base URL must start with https:// (or http://), e.g. https://qyapi.weixin.qq.com`;
		case 'ECONNREFUSED':
			return `nothing accepts connections at ${url}: check the API Base URL (host and port), and that the relay or emulator it names is running`;
		case 'ENOTFOUND':
		case 'EAI_AGAIN':
			return `the host of ${url} could not be resolved: check the API Base URL for typos, and n8n's DNS`;
		case 'ETIMEDOUT':
		case 'ECONNABORTED':
		case 'UND_ERR_CONNECT_TIMEOUT':
			return `${url} did not answer in time: check that n8n may reach it (firewall, outbound proxy)`;
		case 'ECONNRESET':
		case 'EPIPE':
		case 'UND_ERR_SOCKET':
			return `the connection to ${url} was dropped: check the API Base URL and any proxy between n8n and it, then try again`;
		case 'ENETUNREACH':
		case 'EHOSTUNREACH':
			return `${url} is unreachable from n8n's network: check the API Base URL and n8n's outbound network`;
		case 'DEPTH_ZERO_SELF_SIGNED_CERT':
		case 'SELF_SIGNED_CERT_IN_CHAIN':
		case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
		case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
		case 'CERT_HAS_EXPIRED':
		case 'ERR_TLS_CERT_ALTNAME_INVALID':
			return `the TLS certificate of ${url} is not trusted (${code}): fix the relay's certificate, or give n8n its CA (NODE_EXTRA_CA_CERTS)`;
		default:
			// No code in the text: n8n replaces a message that names a common one with its own generic sentence.
			return `could not reach ${url}: check the API Base URL and that n8n can reach it`;
	}
}
