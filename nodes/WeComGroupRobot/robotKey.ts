import { webhookSecret } from '../shared/webhookTarget';

export const ROBOT_CREDENTIAL_TYPE = 'weComGroupRobotApi';

/** The robot's key from the credential's "Webhook URL or Key" field; an Error naming the fix if it has none. */
export function robotKeyOf(webhook: unknown): string {
	return webhookSecret(webhook, 'key', 'Webhook URL or Key');
}
