'use strict';
// The floor for any community webhook trigger in n8n 2.x: everything n8n itself spends on a callback
// (an expression isolate for the webhook phase, the typeVersion 1 body check and parse, recording the
// execution, answering), and nothing else. Plain JavaScript so that the benchmark can install it as is.

class BenchFloorTrigger {
	constructor() {
		this.description = {
			displayName: 'Bench Floor Trigger',
			name: 'benchFloorTrigger',
			group: ['trigger'],
			version: 1,
			description: 'Starts the workflow on any POST; n8n answers 200 after recording the execution',
			defaults: { name: 'Floor Trigger' },
			inputs: [],
			outputs: ['main'],
			webhooks: [
				{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'floor' },
			],
			properties: [],
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
		return { workflowData: [[{ json: {} }]] };
	}
}

module.exports = { BenchFloorTrigger };
