// The credential's Test: open the long connection, subscribe, read WeCom's answer, close. n8n's declarative credential
// test (ICredentialTestRequest) only makes HTTP requests, and WeCom checks a bot id and secret only on the WebSocket,
// so the test is a node method (`testedBy`) that opens the socket itself.
// A subscribe takes the bot over from any other connection (one per bot): when this process already holds the bot's
// connection, the Test answers from it instead of opening a second one that would push the trigger out.
import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { parseEncodingAesKey } from '../../shared/callbackCrypto';
import { globalWebSocket, SOCKET_OPEN } from '../../shared/longConnection/socket';
import { redact } from '../../shared/redact';
import {
	AIBOT_CMD,
	AIBOT_WS_URL,
	INVALID_BOT_CREDENTIALS,
	newRequestId,
	parseFrame,
	subscribeFrame,
} from './frames';
import { heldConnection } from './registry';

const ANSWER_TIMEOUT_MS = 10_000;

export interface AiBotCredentials {
	botId: string;
	secret: string;
	url: string;
	/** Callback mode. */
	callbackToken?: string;
	encodingAesKey?: string;
}

export function aiBotCredentialsOf(credentialData: object | undefined): AiBotCredentials {
	const data = credentialData as Record<string, unknown> | undefined;
	return {
		botId: String(data?.botId ?? '').trim(),
		secret: String(data?.secret ?? '').trim(),
		url: String(data?.url ?? '').trim() || AIBOT_WS_URL,
		callbackToken: String(data?.callbackToken ?? '').trim(),
		encodingAesKey: String(data?.encodingAesKey ?? '').trim(),
	};
}

/**
 * A callback-mode credential (no Secret): only WeCom's URL check proves Token and EncodingAESKey, so the Test checks
 * what it can — both set, the key of the right form — and says that the rest is proven when the URL is saved.
 */
function testCallbackKeys(credentials: AiBotCredentials): INodeCredentialTestResult {
	if (!credentials.callbackToken || !credentials.encodingAesKey) {
		return {
			status: 'Error',
			message:
				'Set Secret (long connection) or Token and EncodingAESKey (callback mode): the credential has neither',
		};
	}
	try {
		parseEncodingAesKey(credentials.encodingAesKey, 'wecom');
	} catch (error) {
		// parseEncodingAesKey's errors name what is wrong with the key, never the key.
		return { status: 'Error', message: `Callback EncodingAESKey: ${(error as Error).message}` };
	}
	return {
		status: 'OK',
		message:
			"Callback mode: Token and EncodingAESKey are set and the key has the right form; WeCom proves them when you save the URL in the bot's URL 回调 settings (the long connection is not tested without a Secret)",
	};
}

/** Subscribes once and reports WeCom's answer; never shows the secret. */
export async function testAiBotCredentials(
	credentials: AiBotCredentials,
): Promise<INodeCredentialTestResult> {
	const { botId, secret, url } = credentials;
	if (botId === '') return { status: 'Error', message: 'Bot ID is required' };
	if (secret === '') return testCallbackKeys(credentials);
	const held = heldConnection(botId);
	if (held && held.client.state !== 'takenOver') {
		if (!held.client.usesSecret(secret)) {
			return {
				status: 'Error',
				message: `This n8n holds the long connection of bot ${botId} (${held.owner}) with another Secret; a Test would take the bot over from it. Unpublish that workflow to test this Secret.`,
			};
		}
		return {
			status: 'OK',
			message: held.client.isOpen
				? `Connected: ${held.owner} holds the bot's long connection with this Bot ID and Secret`
				: `${held.owner} holds this bot with this Bot ID and Secret and is reconnecting`,
		};
	}
	const Socket = globalWebSocket();
	if (!Socket) {
		return {
			status: 'Error',
			message:
				'This Node.js has no WebSocket (Node.js 22 or later has one): the bot cannot be reached',
		};
	}
	let socket: InstanceType<typeof Socket>;
	try {
		socket = new Socket(url);
	} catch (error) {
		return {
			status: 'Error',
			message: `WebSocket URL: ${redact((error as Error).message, [secret])}`,
		};
	}
	const reqId = newRequestId(AIBOT_CMD.subscribe);
	let answer: INodeCredentialTestResult | undefined;
	socket.addEventListener('open', () => socket.send(subscribeFrame(reqId, botId, secret)));
	socket.addEventListener('message', (event) => {
		const frame = parseFrame(event.data);
		if (!frame || frame.headers.req_id !== reqId || answer) return;
		const errcode = Number(frame.errcode ?? 0);
		if (errcode === 0) {
			answer = { status: 'OK', message: 'Connected: WeCom accepted the Bot ID and Secret' };
		} else if (errcode === INVALID_BOT_CREDENTIALS) {
			answer = {
				status: 'Error',
				message: `Bot ID or Secret is wrong (${errcode} invalid bot_id or secret): copy both from 管理后台 → 应用管理 → 智能机器人 → the bot → API 模式 (长连接)`,
			};
		} else {
			answer = {
				status: 'Error',
				message: `WeCom refused the subscription: ${errcode} ${String(frame.errmsg ?? '')}`,
			};
		}
	});
	let closed: string | undefined;
	const onEnd = (code?: number) => {
		closed ??= `the connection ended (close code ${code ?? 'unknown'}) before WeCom answered`;
	};
	socket.addEventListener('close', (event) => onEnd(event.code));
	socket.addEventListener('error', () => onEnd());
	const deadline = Date.now() + ANSWER_TIMEOUT_MS;
	while (!answer && !closed && Date.now() < deadline) await sleep(50);
	try {
		if (socket.readyState === SOCKET_OPEN) socket.close(1000, 'credential test done');
	} catch {
		// Closing a socket that is closing already.
	}
	if (answer) return answer;
	return {
		status: 'Error',
		message: `WebSocket URL ${url}: ${closed ?? `no answer to the subscription within ${ANSWER_TIMEOUT_MS / 1000} s`}. Check the network (a proxy that blocks WebSocket) and the WebSocket URL.`,
	};
}

/** The node method n8n calls for the credential's Test button. */
export async function weComAiBotConnectionTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	return await testAiBotCredentials(aiBotCredentialsOf(credential.data));
}
