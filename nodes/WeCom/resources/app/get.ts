import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import { CREDENTIAL_TYPE, weComApiRequest } from '../../transport';
import { listOf, withoutStatus } from '../shared/orgFields';

/** The AgentId of the credential's app: agent/get and agent/set act on that app only (its Secret is the token's). */
export async function credentialAgentId(this: IExecuteFunctions): Promise<number> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	return Number(String(credentials.agentId ?? '').trim());
}

function ids(entries: IDataObject[], key: string): unknown[] {
	return entries.map((entry) => entry[key]).filter((id) => id !== undefined);
}

/** agent/get's answer with the visibility scope as plain lists beside WeCom's nested ones. */
export function appInfo(answer: IDataObject): IDataObject {
	const info = withoutStatus(answer);
	const users = (answer.allow_userinfos as IDataObject | undefined) ?? {};
	const parties = (answer.allow_partys as IDataObject | undefined) ?? {};
	const tags = (answer.allow_tags as IDataObject | undefined) ?? {};
	return {
		...info,
		closed: Number(answer.close ?? 0) === 1,
		visibility: {
			users: ids(listOf(users, 'user'), 'userid'),
			departments: Array.isArray(parties.partyid) ? parties.partyid : [],
			tags: Array.isArray(tags.tagid) ? tags.tagid : [],
		},
	};
}

export const getApp: NodeOperation = {
	value: 'get',
	name: 'Get',
	action: 'Get the app',
	description:
		"Get the credential's app: name, description, home page, trusted domain, whether it is closed, and its visibility scope (可见范围: users, departments, tags) — the first thing to check behind errcode 60011 (agent/get)",
	properties: [],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const agentid = await credentialAgentId.call(this);
		const answer = await weComApiRequest.call(this, {
			method: 'GET',
			path: '/cgi-bin/agent/get',
			qs: { agentid },
			itemIndex,
		});
		return appInfo(answer);
	},
};
