import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { NodeOperation } from '../../../shared/operations';
import { CREDENTIAL_TYPE, dingTalkApiRequest } from '../../transport';

export const getApp: NodeOperation = {
	value: 'get',
	name: 'Get',
	action: 'Get the app',
	description:
		"Get the credential's micro-app (H5 微应用): name, description, home pages, status, and its visibility scope (可见范围: departments and users) — the first thing to check when a member cannot open the app or a call about a member is refused (/microapp/list, /microapp/visible_scopes)",
	properties: [
		{
			displayName: 'Include Visibility Scope',
			name: 'includeScope',
			type: 'boolean',
			default: true,
			description: 'Whether to also get who can see the app (/microapp/visible_scopes)',
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const credentials = await this.getCredentials(CREDENTIAL_TYPE);
		const agentId = String(credentials.agentId ?? '').trim();
		if (!/^\d{1,19}$/.test(agentId)) {
			throw new NodeOperationError(
				this.getNode(),
				agentId === ''
					? 'Agent ID (AgentId) in the DingTalk credential is empty: copy it from 开发者后台 → the app → 凭证与基础信息'
					: `Agent ID (AgentId) "${agentId.slice(0, 40)}" in the DingTalk credential is not a number`,
				{ itemIndex },
			);
		}
		const list = await dingTalkApiRequest.call(this, {
			method: 'POST',
			path: '/microapp/list',
			body: {},
			itemIndex,
		});
		const apps = Array.isArray(list.appList) ? (list.appList as IDataObject[]) : [];
		const app = apps.find((entry) => String(entry.agentId) === agentId);
		if (!app) {
			throw new NodeOperationError(
				this.getNode(),
				`DingTalk lists no micro-app with Agent ID ${agentId} in this organisation: check the credential's Agent ID (开发者后台 → the app → 凭证与基础信息); apps without an H5 micro-app are not listed`,
				{ itemIndex },
			);
		}
		if (!(this.getNodeParameter('includeScope', itemIndex, true) as boolean)) return app;
		const scope = await dingTalkApiRequest.call(this, {
			method: 'POST',
			path: '/microapp/visible_scopes',
			body: { agentId: Number(agentId) },
			itemIndex,
		});
		return {
			...app,
			visibility: {
				hidden: scope.isHidden === true,
				departments: Array.isArray(scope.deptVisibleScopes) ? scope.deptVisibleScopes : [],
				users: Array.isArray(scope.userVisibleScopes) ? scope.userVisibleScopes : [],
			},
		};
	},
};
