import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import {
	cachedTicket,
	jsapiSignature,
	readSignatureInputs,
	signatureProperties,
	ticketCacheKey,
	ticketFromAnswer,
} from '../../../shared/jsapiTicket';
import type { NodeOperation } from '../../../shared/operations';
import { weComTokenOwner } from '../../accessToken';
import { CREDENTIAL_TYPE, weComApiRequest } from '../../transport';

type TicketKind = 'corp' | 'app';

const TICKET_PATHS: Record<TicketKind, { path: string; qs?: IDataObject }> = {
	// 企业 jsapi_ticket: signs wx.config.
	corp: { path: '/cgi-bin/get_jsapi_ticket' },
	// 应用 jsapi_ticket: signs wx.agentConfig.
	app: { path: '/cgi-bin/ticket/get', qs: { type: 'agent_config' } },
};

async function ticketFor(
	this: IExecuteFunctions,
	kind: TicketKind,
	force: boolean,
	itemIndex: number,
) {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const key = ticketCacheKey('wecom', kind, weComTokenOwner(credentials), credentials.agentId);
	const { path, qs } = TICKET_PATHS[kind];
	return await cachedTicket(
		key,
		async () =>
			ticketFromAnswer(
				await weComApiRequest.call(this, { method: 'GET', path, qs, itemIndex }),
				path,
			),
		{ force },
	);
}

export const getJsapiSignature: NodeOperation = {
	value: 'getSignature',
	name: 'Get Signature',
	action: 'Get a JS-SDK signature for a page',
	description:
		"Sign a page for WeCom's JS-SDK: the timestamp, nonceStr and signature that wx.config (corp ticket) and wx.agentConfig (app ticket) need, with the corp and agent IDs. Tickets are cached and shared by every item.",
	properties: [
		...signatureProperties(
			'The full URL of the page that calls wx.config / wx.agentConfig (location.href on the page). Anything from "#" on is left out, as WeCom signs it. Its domain must be a trusted domain of the app (可信域名).',
		),
		{
			displayName: 'Sign For',
			name: 'ticketKind',
			type: 'options',
			options: [
				{
					name: 'wx.config and wx.agentConfig (Both Tickets)',
					value: 'both',
					description: 'Two signatures over the same timestamp and nonceStr',
				},
				{
					name: 'wx.config (Corp Ticket)',
					value: 'corp',
					description: 'Signed with the company jsapi_ticket (get_jsapi_ticket)',
				},
				{
					name: 'wx.agentConfig (App Ticket)',
					value: 'app',
					description: 'Signed with the app ticket (ticket/get?type=agent_config)',
				},
			],
			default: 'corp',
			description:
				'Which JS-SDK call the page makes. Many app-level APIs (e.g. selectEnterpriseContact) need wx.agentConfig as well.',
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const { url, nonceStr, timestamp, forceRefresh } = readSignatureInputs.call(this, itemIndex);
		const kind = this.getNodeParameter('ticketKind', itemIndex, 'corp') as TicketKind | 'both';
		const credentials = await this.getCredentials(CREDENTIAL_TYPE);
		const corpId = String(credentials.corpId ?? '').trim();
		const agentId = String(credentials.agentId ?? '').trim();
		const result: IDataObject = { url, corpId, agentId, timestamp, nonceStr };
		if (kind === 'corp' || kind === 'both') {
			const { ticket, expiresAt } = await ticketFor.call(this, 'corp', forceRefresh, itemIndex);
			const signature = jsapiSignature(ticket, nonceStr, timestamp, url);
			result.signature = signature;
			result.wxConfig = { beta: true, appId: corpId, timestamp, nonceStr, signature };
			result.ticketExpiresAt = new Date(expiresAt).toISOString();
		}
		if (kind === 'app' || kind === 'both') {
			const { ticket, expiresAt } = await ticketFor.call(this, 'app', forceRefresh, itemIndex);
			const signature = jsapiSignature(ticket, nonceStr, timestamp, url);
			result.agentConfigSignature = signature;
			result.agentConfig = { corpid: corpId, agentid: agentId, timestamp, nonceStr, signature };
			result.agentTicketExpiresAt = new Date(expiresAt).toISOString();
		}
		return result;
	},
};
