import type { INodeProperties } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../../transport';
import type { ReplyConfig } from './session';
import type { ReplyContext } from './target';

export const DEFAULT_CONTENT_KEY = 'msgContent';

export const DEFAULT_INTERVAL_MS = 300;

/** The fields that say how a reply looks: the card template and its variable; shared by AI Reply and the sub-node. */
export const CARD_PROPERTIES: INodeProperties[] = [
	{
		displayName: 'Card Template ID',
		name: 'cardTemplateId',
		type: 'string',
		default: '',
		placeholder: "Empty: the credential's AI Card Template ID",
		description:
			"An AI card template made in DingTalk's card builder (卡片平台 → 新建模板 → 场景 AI 卡片 → 保存并发布), e.g. xxxx.schema. Empty: the credential's AI Card Template ID; when neither is set the answer is sent as one markdown message (no live updates).",
	},
];

export const CARD_OPTIONS: INodeProperties[] = [
	{
		displayName: 'Content Variable',
		name: 'contentKey',
		type: 'string',
		default: DEFAULT_CONTENT_KEY,
		description:
			"The card template's variable the answer is written to (and streamed into); msgContent in DingTalk's AI markdown card",
	},
	{
		displayName: 'Update Interval (Ms)',
		name: 'intervalMs',
		type: 'number',
		typeOptions: { minValue: 100, maxValue: 5000 },
		default: DEFAULT_INTERVAL_MS,
		description:
			'Least time between two updates of the card while the answer is written: a newer text replaces one not yet sent; DingTalk refusing for speed (429, QPS limit) makes it wait longer',
	},
	{
		displayName: '@ the Sender in Groups',
		name: 'atSender',
		type: 'boolean',
		default: false,
		description: 'Whether a card in a group @-mentions the member who asked',
	},
];

function text(value: unknown): string {
	return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
}

/** The reply's look for item `itemIndex`: the node's fields, then the credential's template and robot. */
export async function readReplyConfig(
	context: ReplyContext,
	itemIndex: number,
): Promise<ReplyConfig> {
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	const options = context.getNodeParameter('options', itemIndex, {}) as {
		contentKey?: string;
		intervalMs?: number;
		atSender?: boolean;
	};
	const interval = Number(options.intervalMs ?? DEFAULT_INTERVAL_MS);
	return {
		templateId:
			text(context.getNodeParameter('cardTemplateId', itemIndex, '')) ||
			text(credentials.aiCardTemplateId),
		contentKey: text(options.contentKey) || DEFAULT_CONTENT_KEY,
		robotCode: text(credentials.robotCode) || text(credentials.clientId),
		atSender: options.atSender === true,
		intervalMs: Number.isFinite(interval) && interval >= 100 ? interval : DEFAULT_INTERVAL_MS,
	};
}
