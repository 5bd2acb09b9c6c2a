import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import { weComApiRequest } from '../../transport';
import { appInfo, credentialAgentId } from './get';

export const updateApp: NodeOperation = {
	value: 'update',
	name: 'Update',
	action: 'Update the app',
	description:
		"Change the credential's app: name, description, home page or trusted domain (agent/set); answers with the app as it is afterwards",
	properties: [
		{
			displayName: 'Update Fields',
			name: 'updateFields',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			options: [
				{
					displayName: 'Description',
					name: 'description',
					type: 'string',
					typeOptions: { rows: 3 },
					default: '',
					description: 'What the app does, 4 to 120 characters (description)',
				},
				{
					displayName: 'Home URL',
					name: 'homeUrl',
					type: 'string',
					default: '',
					placeholder: 'https://app.example.com/h5/',
					description:
						'The page WeCom opens when a member taps the app (主页, home_url); must start with http:// or https://',
				},
				{
					displayName: 'Name',
					name: 'name',
					type: 'string',
					default: '',
					description:
						'The app name, at most 32 characters (name). WeCom may refuse a name change for some apps; the error then says so.',
				},
				{
					displayName: 'Trusted Domain',
					name: 'redirectDomain',
					type: 'string',
					default: '',
					placeholder: 'app.example.com',
					description:
						'The trusted domain (可信域名, redirect_domain) for login redirects and JS-SDK pages, without http://',
				},
			],
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const fields = this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject;
		const fail = (message: string): never => {
			throw new NodeOperationError(this.getNode(), message, { itemIndex });
		};
		const within = (label: string, value: string, min: number, max: number) => {
			const length = [...value].length;
			if (length < min || length > max) {
				fail(`${label} has ${length} characters: WeCom takes ${min} to ${max}`);
			}
		};
		const text = (key: string) =>
			fields[key] === undefined ? undefined : String(fields[key]).trim();
		const body: IDataObject = {};
		const description = text('description');
		if (description !== undefined) {
			within('Description', description, 4, 120);
			body.description = description;
		}
		const name = text('name');
		if (name !== undefined) {
			within('Name', name, 1, 32);
			body.name = name;
		}
		const homeUrl = text('homeUrl');
		if (homeUrl !== undefined) {
			if (!/^https?:\/\/\S+$/i.test(homeUrl)) {
				fail(`Home URL "${homeUrl.slice(0, 120)}" must start with http:// or https://`);
			}
			body.home_url = homeUrl;
		}
		const domain = text('redirectDomain');
		if (domain !== undefined) {
			if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(domain)) {
				fail(`Trusted Domain "${domain.slice(0, 120)}" is a domain only, e.g. app.example.com`);
			}
			body.redirect_domain = domain;
		}
		if (Object.keys(body).length === 0) {
			fail('Nothing to update: add at least one field under Update Fields');
		}
		const agentid = await credentialAgentId.call(this);
		await weComApiRequest.call(this, {
			method: 'POST',
			path: '/cgi-bin/agent/set',
			body: { agentid, ...body },
			itemIndex,
		});
		const answer = await weComApiRequest.call(this, {
			method: 'GET',
			path: '/cgi-bin/agent/get',
			qs: { agentid },
			itemIndex,
		});
		return appInfo(answer);
	},
};
