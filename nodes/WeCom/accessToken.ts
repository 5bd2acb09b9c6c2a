import type { TokenOwner } from '../shared/accessToken';
import { weComBaseUrl } from '../shared/wecom/errors';

/** What a WeCom token is issued for (see nodes/shared/accessToken.ts): Corp ID, Secret and API Base URL. */
export function weComTokenOwner(credentials: {
	corpId?: unknown;
	secret?: unknown;
	baseUrl?: unknown;
}): TokenOwner {
	return {
		appId: credentials.corpId,
		secret: credentials.secret,
		host: weComBaseUrl(credentials.baseUrl),
	};
}
