import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	cachedTicket,
	jsapiSignature,
	readSignatureInputs,
	signatureProperties,
	ticketCacheKey,
	ticketFromAnswer,
	type SignatureAlgorithm,
} from '../../../shared/jsapiTicket';
import type { NodeOperation } from '../../../shared/operations';
import { baseUrlOf, DINGTALK_OAPI_BASE_URL, dingTalkTokenOwner } from '../../hosts';
import { CREDENTIAL_TYPE, dingTalkApiRequest } from '../../transport';

const TICKET_PATH = '/get_jsapi_ticket';

/**
 * The URL as DingTalk's own signing sample treats it: the query decoded once (iOS hands the page an encoded URL,
 * Android a raw one; the client signs the decoded form). A query that does not decode is kept as it is.
 */
export function dingTalkSignedUrl(url: string): string {
	const question = url.indexOf('?');
	if (question === -1) return url;
	const query = url.slice(question + 1);
	try {
		return `${url.slice(0, question)}?${decodeURIComponent(query.replace(/\+/g, ' '))}`;
	} catch {
		return url;
	}
}

export const getJsapiSignature: NodeOperation = {
	value: 'getSignature',
	name: 'Get Signature',
	action: 'Get a JSAPI signature for a page',
	description:
		'Sign an H5 micro-app page for dd.config (JSAPI 鉴权): timeStamp, nonceStr and signature with the corpId and agentId the page needs. The jsapi_ticket is cached and shared by every item.',
	properties: signatureProperties(
		'The full URL of the page that calls dd.config (location.href on the page). Anything from "#" on is left out and the query is decoded once, as DingTalk signs it.',
		[
			{
				displayName: 'Signature Algorithm',
				name: 'algorithm',
				type: 'options',
				options: [
					{
						name: 'SHA-1',
						value: 'sha1',
						description: 'The algorithm of the JS-API 权限签名算法 recipe (40 hex characters)',
					},
					{
						name: 'SHA-256',
						value: 'sha256',
						description:
							"The algorithm of DingTalk's current dd.config sample code (64 hex characters)",
					},
				],
				default: 'sha1',
				description: 'How the signature is hashed; DingTalk tells them apart by length',
			},
		],
	),
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const { url, nonceStr, timestamp, forceRefresh, options } = readSignatureInputs.call(
			this,
			itemIndex,
		);
		const credentials = await this.getCredentials(CREDENTIAL_TYPE);
		const corpId = String(credentials.corpId ?? '').trim();
		if (corpId === '') {
			throw new NodeOperationError(
				this.getNode(),
				"Corp ID (CorpId) in the DingTalk credential is empty: dd.config needs it. Copy it from the developer console's home page (开发者后台首页 → CorpId) into the credential.",
				{ itemIndex },
			);
		}
		const key = ticketCacheKey(
			'dingtalk',
			'jsapi',
			dingTalkTokenOwner(credentials),
			baseUrlOf(credentials.oapiBaseUrl, DINGTALK_OAPI_BASE_URL),
		);
		const { ticket, expiresAt } = await cachedTicket(
			key,
			async () =>
				ticketFromAnswer(
					await dingTalkApiRequest.call(this, { method: 'GET', path: TICKET_PATH, itemIndex }),
					TICKET_PATH,
				),
			{ force: forceRefresh },
		);
		const algorithm = (options.algorithm === 'sha256' ? 'sha256' : 'sha1') as SignatureAlgorithm;
		const signedUrl = dingTalkSignedUrl(url);
		const signature = jsapiSignature(ticket, nonceStr, timestamp, signedUrl, algorithm);
		const agentId = String(credentials.agentId ?? '').trim();
		return {
			url: signedUrl,
			corpId,
			agentId,
			timeStamp: timestamp,
			nonceStr,
			signature,
			ddConfig: { agentId, corpId, timeStamp: timestamp, nonceStr, signature, type: 0 },
			ticketExpiresAt: new Date(expiresAt).toISOString(),
		};
	},
};
