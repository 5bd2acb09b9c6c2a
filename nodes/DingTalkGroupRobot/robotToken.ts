import { webhookSecret } from '../shared/webhookTarget';
import { checkSigningSecret } from './signature';

export const ROBOT_CREDENTIAL_TYPE = 'dingTalkRobotApi';

export { DINGTALK_OAPI_BASE_URL as DINGTALK_DEFAULT_BASE_URL } from '../DingTalk/hosts';

/** The robot's access token from the credential's "Webhook URL or Access Token" field. */
export function robotTokenOf(webhook: unknown): string {
	return webhookSecret(webhook, 'access_token', 'Webhook URL or Access Token');
}

/** The checked Signing Secret, or undefined when the robot is not set up for 加签. */
export function signingSecretOf(raw: unknown): string | undefined {
	const value = typeof raw === 'string' ? raw.trim() : '';
	return value === '' ? undefined : checkSigningSecret(value);
}
