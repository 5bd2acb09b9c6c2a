// What the WeCom Trigger and the DingTalk Trigger (HTTP mode) do alike around a signed, encrypted callback:
// refusals (a 4xx with a short reason, and no execution), the freshness window, and the callback crypto derived from
// the trigger's credential, kept per node (see credentialCache.ts for why) and reloaded when a just-changed
// credential explains a failure.
import type { IDataObject, INode, INodeProperties, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { CallbackCrypto, CallbackCryptoError } from './callbackCrypto';
import type { CallbackErrorReason, CallbackPlatform } from './callbackCrypto';
import { CredentialCache, credentialCacheKey } from './credentialCache';
import { RequestBodyError } from './webhookRequest';

/** A request the trigger refuses: answered with this status and text, and no execution starts. */
export interface Refusal {
	refused: true;
	status: number;
	reason: string;
	/** Close the connection after answering (the body was not read to its end). */
	close?: boolean;
	/** The credential cannot receive callbacks (a cached copy may be outdated). */
	credential?: boolean;
}

export function refuse(status: number, reason: string): Refusal {
	return { refused: true, status, reason };
}

/** A credential's callback keys, and what to say when they cannot be used. */
export interface CallbackKeys {
	platform: CallbackPlatform;
	token: unknown;
	aesKey: unknown;
	receivers: unknown[];
	/**
	 * The caller checks the decrypted receiver id itself (WeCom's AI bot: it must be empty, and a wrong one deserves its
	 * own explanation); `receivers` and `noReceiver` are then not read.
	 */
	callerChecksReceiver?: boolean;
	/** Token or AES key empty. */
	notSetUp: string;
	/** The required receiver empty. */
	noReceiver: string;
	/** The AES key cannot be decoded. */
	unusableKey: string;
}

export function credentialRefusal(reason: string): Refusal {
	return { ...refuse(403, reason), credential: true };
}

export function isRefusal(value: unknown): value is Refusal {
	return (value as Refusal | undefined)?.refused === true;
}

// Signed but unusable requests are 400; requests that are not (or no longer) the platform's are 403.
const STATUS_BY_CRYPTO_REASON: Readonly<Record<CallbackErrorReason, number>> = {
	missing_parameter: 400,
	signature_mismatch: 403,
	receiver_mismatch: 403,
	invalid_aes_key: 403,
	base64_decode_failed: 400,
	decrypt_failed: 400,
	illegal_buffer: 400,
	encrypt_failed: 400,
	invalid_timestamp: 400,
	invalid_nonce: 400,
};

const PRODUCT: Readonly<Record<CallbackPlatform, string>> = {
	wecom: 'WeCom',
	dingtalk: 'DingTalk',
};

/** The refusal for an error of the crypto or the body reader; undefined for anything else. */
export function requestRefusal(error: unknown): Refusal | undefined {
	if (error instanceof CallbackCryptoError) {
		return refuse(
			STATUS_BY_CRYPTO_REASON[error.reason],
			`${error.message} (${PRODUCT[error.platform]} error ${error.code})`,
		);
	}
	if (error instanceof RequestBodyError) {
		return { ...refuse(error.status, error.message), close: true };
	}
	return undefined;
}

/**
 * A stale signed request is a replay: the signature is genuine, the moment is not. Timestamps are seconds (WeCom)
 * or milliseconds (DingTalk); both are told apart by size.
 */
export function staleness(timestamp: string, windowSeconds: number): Refusal | undefined {
	if (!(windowSeconds > 0)) return undefined;
	if (!/^\d{1,15}$/.test(timestamp)) {
		return refuse(400, 'The timestamp parameter is not a number of seconds or milliseconds');
	}
	const stamp = Number(timestamp);
	const seconds = stamp > 1e11 ? Math.floor(stamp / 1000) : stamp;
	const skew = Math.abs(Math.floor(Date.now() / 1000) - seconds);
	if (skew <= windowSeconds) return undefined;
	return refuse(
		403,
		`The timestamp is ${skew} s away from n8n's clock, outside the ${windowSeconds} s freshness window: a replayed or delayed request, or a wrong server clock`,
	);
}

// What a changed Token, AES key or receiver id looks like through a stale crypto.
const CREDENTIAL_SENSITIVE: ReadonlySet<CallbackErrorReason> = new Set<CallbackErrorReason>([
	'signature_mismatch',
	'receiver_mismatch',
	'invalid_aes_key',
	'decrypt_failed',
	'illegal_buffer',
]);

export interface CallbackCryptoSourceOptions {
	credentialType: string;
	/** Said when the node has no credential selected. */
	noCredential: string;
	/** The crypto of a credential, or why the credential cannot receive callbacks. */
	build(credentials: IDataObject): CallbackCrypto | Refusal;
}

/**
 * The callback crypto of each trigger node, read from its credential once a minute (see CredentialCache), a refusal
 * in its place while the credential cannot receive callbacks.
 */
export class CallbackCryptoSource {
	private readonly cache = new CredentialCache<CallbackCrypto | Refusal>({
		ttlMs: 60_000,
		retryCooldownMs: 10_000,
		maxEntries: 2000,
	});

	constructor(private readonly options: CallbackCryptoSourceOptions) {}

	/** Builds a crypto the way every trigger does; an aes key of the wrong shape is refused like any crypto error. */
	/**
	 * The crypto of a credential's callback keys, or why the credential cannot receive callbacks. The first receiver
	 * is required (the key the platform encrypts for); the others count when set.
	 */
	static build(keys: CallbackKeys): CallbackCrypto | Refusal {
		const text = (value: unknown) => String(value ?? '').trim();
		const token = text(keys.token);
		const encodingAesKey = text(keys.aesKey);
		if (token === '' || encodingAesKey === '') return credentialRefusal(keys.notSetUp);
		const [receiver, ...others] = keys.receivers.map(text);
		if (!keys.callerChecksReceiver && !receiver) return credentialRefusal(keys.noReceiver);
		const receiverIds = keys.callerChecksReceiver
			? []
			: [receiver, ...others.filter((id) => id !== '')];
		try {
			return new CallbackCrypto({ platform: keys.platform, token, encodingAesKey, receiverIds });
		} catch (error) {
			const refusal = requestRefusal(error) ?? refuse(403, keys.unusableKey);
			return { ...refusal, credential: true };
		}
	}

	clear(): void {
		this.cache.clear();
	}

	private async load(context: IWebhookFunctions): Promise<CallbackCrypto | Refusal> {
		let credentials: IDataObject;
		try {
			credentials = await context.getCredentials(this.options.credentialType);
		} catch {
			return credentialRefusal(this.options.noCredential);
		}
		return this.options.build(credentials);
	}

	/**
	 * Runs `use` with the node's crypto. Production callbacks use the cached one and, when it fails the way a
	 * just-changed credential would, read the credential again and retry once. `fresh` (the URL check, test-URL
	 * requests: the moments a user has just edited something) always reads it afresh. `node`: the request's copy of the
	 * node when the caller has one (n8n's getNode copies the node on every call).
	 */
	async run<T>(
		context: IWebhookFunctions,
		fresh: boolean,
		use: (crypto: CallbackCrypto) => T | Refusal,
		node?: INode,
	): Promise<T | Refusal> {
		const key = credentialCacheKey(context, this.options.credentialType, node);
		const load = async () => await this.load(context);
		const first = await this.cache.get(key, load, Date.now(), fresh);
		const attempt = (crypto: CallbackCrypto | Refusal) =>
			isRefusal(crypto) ? crypto : use(crypto);
		if (!first.fromCache) return attempt(first.value);
		let failure: Refusal;
		try {
			const outcome = attempt(first.value);
			if (!isRefusal(outcome) || outcome.credential !== true) return outcome;
			failure = outcome;
		} catch (error) {
			const explained =
				error instanceof CallbackCryptoError && CREDENTIAL_SENSITIVE.has(error.reason);
			// Errors of the crypto stay as they are (the trigger turns them into refusals); defects are wrapped.
			if (!explained) {
				throw error instanceof CallbackCryptoError
					? error
					: new NodeOperationError(context.getNode(), error as Error);
			}
			failure = requestRefusal(error) as Refusal;
		}
		const reloaded = await this.cache.reload(key, load, Date.now());
		if (reloaded === undefined) return failure;
		return attempt(reloaded);
	}
}

/** A trigger's option: how long a redelivered event starts nothing; `why` says when the platform sends one again. */
export function dedupeWindowOption(why: string): INodeProperties {
	return {
		displayName: 'Duplicate Window (Minutes)',
		name: 'dedupeWindow',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 10,
		description: `${why}; one seen again within this many minutes starts nothing. 0 turns the check off.`,
	};
}

/** A trigger's option: refuse replays of old signed requests (see staleness). */
export const TIMESTAMP_WINDOW_OPTION: INodeProperties = {
	displayName: 'Timestamp Freshness Window (Seconds)',
	name: 'timestampWindow',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 0,
	description:
		"Refuse signed requests whose timestamp is further than this from n8n's clock (replays). 0 turns the check off. Needs an accurate server clock.",
};
