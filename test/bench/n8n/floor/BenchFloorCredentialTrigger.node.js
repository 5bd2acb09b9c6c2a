'use strict';
// The fair floor for a callback trigger that has a credential (the WeCom and DingTalk Triggers): everything n8n
// spends on a callback of such a node and nothing the node itself chooses to do. Like the triggers it
// - declares a required credential, which the workflow assigns (n8n then checks on every execution that the workflow
//   may use it: CredentialsPermissionChecker, with its database queries), and never reads it (the triggers read
//   theirs once a minute);
// - is typeVersion 1 with the hidden `options.binaryData: true`, so n8n evaluates its raw-body check and leaves the
//   body unparsed, as it does for the triggers;
// - answers '' once n8n has recorded the execution (responseMode onReceived, responseData '').
// It does not read the body, verify, decrypt or deduplicate: that is the triggers' own work, which the benchmark
// measures as the difference to this node. Plain JavaScript so that the benchmark can install it as is.

class BenchFloorCredentialTrigger {
	constructor() {
		this.description = {
			displayName: 'Bench Floor Credential Trigger',
			name: 'benchFloorCredentialTrigger',
			group: ['trigger'],
			version: 1,
			description:
				'Starts the workflow on any POST; n8n answers 200 after recording the execution. Has a credential it never reads.',
			defaults: { name: 'Floor Credential Trigger' },
			inputs: [],
			outputs: ['main'],
			credentials: [{ name: 'weComApi', required: true }],
			webhooks: [
				{
					name: 'default',
					httpMethod: 'POST',
					responseMode: 'onReceived',
					responseData: '',
					path: 'floor-credential',
				},
			],
			properties: [
				{
					// Empty: the item is {}. The benchmark's 'floorItem' kind sets the item a WeCom callback makes, to tell
					// what n8n spends storing a real item apart from what the trigger spends making it.
					displayName: 'Item (JSON)',
					name: 'itemJson',
					type: 'string',
					default: '',
				},
				{
					displayName: 'Options',
					name: 'options',
					type: 'collection',
					placeholder: 'Add Option',
					default: { binaryData: true },
					options: [
						{ displayName: 'Read Raw Body', name: 'binaryData', type: 'hidden', default: true },
					],
				},
			],
		};
		this.webhookMethods = {
			default: {
				checkExists: async () => true,
				create: async () => true,
				delete: async () => true,
			},
		};
	}

	async webhook() {
		const itemJson = this.getNodeParameter('itemJson', '');
		return {
			workflowData: [[{ json: itemJson ? JSON.parse(itemJson) : {} }]],
			webhookResponse: '',
		};
	}
}

module.exports = { BenchFloorCredentialTrigger };
