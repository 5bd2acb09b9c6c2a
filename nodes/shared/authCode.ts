import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

// The login code (code / authCode) a platform appends to a redirect or hands to an in-app page: one field, one check,
// for both platforms' "who is this user" operations.

export function authCodeProperty(description: string): INodeProperties {
	return {
		displayName: 'Code',
		name: 'code',
		type: 'string',
		default: '',
		required: true,
		placeholder: '={{ $json.query.code }}',
		description,
	};
}

/** The code, checked for shape only (the platform alone knows whether it is still valid). */
export function readAuthCode(this: IExecuteFunctions, itemIndex: number): string {
	const code = String(this.getNodeParameter('code', itemIndex, '') ?? '').trim();
	if (code === '') {
		throw new NodeOperationError(
			this.getNode(),
			'Code is empty: map the "code" (or "authCode") query parameter of the login redirect, e.g. {{ $json.query.code }} after a Webhook node',
			{ itemIndex },
		);
	}
	if (!/^[A-Za-z0-9_\-.~+/=]{1,512}$/.test(code)) {
		throw new NodeOperationError(
			this.getNode(),
			'Code is not a login code: it is a single word of letters and digits, as the redirect URL gives it',
			{ itemIndex },
		);
	}
	return code;
}
