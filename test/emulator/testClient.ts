/* eslint-disable @typescript-eslint/no-explicit-any -- test code: runs under Node and jest, never inside n8n */
// A minimal HTTP client for the emulator's self-tests (and any test that wants to poke it directly).
import type { ApiEmulator } from './server';
import { WECOM_SEED } from './wecom/seed';

export interface RawResponse {
	status: number;
	headers: Headers;
	text: string;
	json: any;
}

export interface RequestOptions {
	query?: Record<string, string | number>;
	/** An object is sent as JSON; a string or Buffer as is. */
	body?: unknown;
	headers?: Record<string, string>;
}

export async function request(
	baseUrl: string,
	method: string,
	path: string,
	options: RequestOptions = {},
): Promise<RawResponse> {
	const url = new URL(path, baseUrl);
	for (const [key, value] of Object.entries(options.query ?? {})) {
		url.searchParams.set(key, String(value));
	}
	const { body } = options;
	const payload =
		body === undefined || typeof body === 'string' || Buffer.isBuffer(body)
			? (body as string | Buffer | undefined)
			: JSON.stringify(body);
	const res = await fetch(url, { method, body: payload, headers: options.headers });
	const text = await res.text();
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, text, json };
}

/** WeCom calls with a token fetched (once) over HTTP from the emulator's gettoken. */
export class WeComClient {
	private token?: string;

	constructor(private readonly emulator: ApiEmulator) {}

	async accessToken(): Promise<string> {
		if (!this.token) {
			const res = await request(this.emulator.baseUrl, 'GET', '/cgi-bin/gettoken', {
				query: { corpid: WECOM_SEED.corpId, corpsecret: WECOM_SEED.secret },
			});
			this.token = res.json.access_token as string;
		}
		return this.token;
	}

	async get(path: string, query: Record<string, string | number> = {}): Promise<any> {
		const access_token = await this.accessToken();
		return (
			await request(this.emulator.baseUrl, 'GET', path, { query: { ...query, access_token } })
		).json;
	}

	async post(path: string, body: unknown, headers?: Record<string, string>): Promise<any> {
		const access_token = await this.accessToken();
		return (
			await request(this.emulator.baseUrl, 'POST', path, { query: { access_token }, body, headers })
		).json;
	}

	/** POSTs a multipart body to a path with the token and extra query parameters. */
	async upload(
		path: string,
		query: Record<string, string>,
		multipart: { body: Buffer; contentType: string },
	): Promise<any> {
		const access_token = await this.accessToken();
		return (
			await request(this.emulator.baseUrl, 'POST', path, {
				query: { ...query, access_token },
				body: multipart.body,
				headers: { 'content-type': multipart.contentType },
			})
		).json;
	}
}
