import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { tokenFingerprint } from '../shared/tokenFingerprint';
import { baseUrlOf } from '../shared/webhookTarget';

export { baseUrlOf };

export const DINGTALK_API_BASE_URL = 'https://api.dingtalk.com';
export const DINGTALK_OAPI_BASE_URL = 'https://oapi.dingtalk.com';

/** The new family (api.dingtalk.com) lives under versioned paths; everything else is the old family (oapi). */
export function isNewApiPath(path: string): boolean {
	return /^\/v\d+\.\d+\//.test(path);
}

/** What the stored token was issued for (see tokenFingerprint): Client ID, Client Secret and the token host. */
export function dingTalkTokenFingerprint(credentials: ICredentialDataDecryptedObject): string {
	return tokenFingerprint(
		credentials.clientId,
		credentials.clientSecret,
		baseUrlOf(credentials.apiBaseUrl, DINGTALK_API_BASE_URL),
	);
}
