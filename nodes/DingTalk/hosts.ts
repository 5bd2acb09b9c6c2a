import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { TokenOwner } from '../shared/accessToken';
import { baseUrlOf } from '../shared/webhookTarget';

export { baseUrlOf };

export const DINGTALK_API_BASE_URL = 'https://api.dingtalk.com';
export const DINGTALK_OAPI_BASE_URL = 'https://oapi.dingtalk.com';

/** The new family (api.dingtalk.com) lives under versioned paths; everything else is the old family (oapi). */
export function isNewApiPath(path: string): boolean {
	return /^\/v\d+\.\d+\//.test(path);
}

/** What a DingTalk token is issued for (see nodes/shared/accessToken.ts): Client ID, Client Secret and token host. */
export function dingTalkTokenOwner(credentials: ICredentialDataDecryptedObject): TokenOwner {
	return {
		appId: credentials.clientId,
		secret: credentials.clientSecret,
		host: baseUrlOf(credentials.apiBaseUrl, DINGTALK_API_BASE_URL),
	};
}
