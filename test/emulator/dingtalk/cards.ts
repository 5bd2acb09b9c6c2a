// Interactive cards (互动卡片) and AI cards, the calls an AI reply makes, each recorded with its time so tests can count
// updates and measure when the first one arrived.
// - POST /v1.0/card/instances/createAndDeliver (open.dingtalk.com/document/orgapp/create-and-deliver-cards)
// - POST /v1.0/card/instances (…/interface-for-creating-a-card-instance), POST /v1.0/card/instances/deliver
//   (…/delivery-card-interface)
// - PUT /v1.0/card/instances (…/interactive-card-update-interface): cardData.cardParamMap merged into the card
// - PUT /v1.0/card/streaming (…/api-streamingupdate, "AI 卡片流式更新"): {outTrackId, guid, key, content, isFull,
//   isFinalize, isError}
// Field names as in @alicloud/dingtalk card_1_0 (CreateAndDeliverRequest, UpdateCardRequest, StreamingUpdateRequest;
// checked in test/emulator/dingtalk-cards.test.ts). Answers `{success, result}` as the SDK's response bodies.
// Codes are DingTalk's where its pages list one (param.outTrackIdEmpty, param.cardTemplateIdEmpty,
// invalidParameter.cardTemplate.notFound, chatbotNotInstall, userNotExist); a second create with an outTrackId that
// exists is NOT documented: the emulator refuses it (code `param.outTrackIdDuplicate`, chosen here), which is how the
// node's idempotence is tested — whether DingTalk refuses it too is unverified.
import type { Route } from '../types';
import { bodyOf, isRecord, nonEmptyString } from '../util';
import { newApiError, newApiOk } from './errors';
import type { DingTalkState } from './state';

/** The card templates the emulated org has built in the card builder (卡片搭建平台). */
export const EMULATOR_AI_CARD_TEMPLATE = 'emu-ai-card-0001.schema';

export interface CardUpdate {
	at: number;
	kind: 'create' | 'update' | 'streaming';
	/** update: the cardParamMap sent; streaming: the request body. */
	body: Record<string, unknown>;
}

export interface CardRecord {
	outTrackId: string;
	templateId: string;
	openSpaceId: string;
	/** IM_GROUP or IM_ROBOT, and the group (openConversationId) or user it went to. */
	spaceType: string;
	spaceId: string;
	robotCode?: string;
	atUserIds?: Record<string, string>;
	/** The card's data now: cardParamMap after every update, streamed keys included. */
	params: Record<string, string>;
	/** A streamed key's typewriter is closed (isFinalize) or errored (isError). */
	finalized: boolean;
	errored: boolean;
	createdAt: number;
	updates: CardUpdate[];
}

export interface CardsState {
	templates: Set<string>;
	cards: Map<string, CardRecord>;
}

export function createCardsState(): CardsState {
	return { templates: new Set([EMULATOR_AI_CARD_TEMPLATE]), cards: new Map() };
}

function invalid(code: string, message: string) {
	return newApiError(400, code, message);
}

function paramMap(cardData: unknown): Record<string, string> {
	if (cardData === undefined) return {};
	if (
		!isRecord(cardData) ||
		(cardData.cardParamMap !== undefined && !isRecord(cardData.cardParamMap))
	) {
		throw invalid('param.invalid', 'cardData.cardParamMap must be an object');
	}
	const map = (cardData.cardParamMap ?? {}) as Record<string, unknown>;
	const out: Record<string, string> = {};
	for (const [key, value] of Object.entries(map)) {
		// cardParamMap is Map<String, String> in every SDK.
		if (typeof value !== 'string') {
			throw invalid('param.invalid', `cardParamMap.${key} must be a string`);
		}
		out[key] = value;
	}
	return out;
}

/** openSpaceId `dtv1.card//IM_GROUP.<openConversationId>` or `dtv1.card//IM_ROBOT.<userId>`. */
function space(state: DingTalkState, body: Record<string, unknown>) {
	const openSpaceId = body.openSpaceId;
	const match =
		typeof openSpaceId === 'string'
			? /^dtv1\.card\/\/(IM_GROUP|IM_ROBOT)\.(.+)$/.exec(openSpaceId)
			: null;
	if (!match)
		throw invalid('param.openSpaceModelInvalid', 'openSpaceId is not a dtv1.card// space');
	const [, spaceType, spaceId] = match;
	if (spaceType === 'IM_GROUP') {
		const deliver = body.imGroupOpenDeliverModel;
		if (!isRecord(deliver) || !nonEmptyString(deliver.robotCode)) {
			throw invalid('param.invalid', 'imGroupOpenDeliverModel.robotCode is required for IM_GROUP');
		}
		if (deliver.robotCode !== state.app.appKey) throw invalid('chatbotNotFound', '不存在的机器人');
		const group = state.messaging.groups.find((g) => g.openConversationId === spaceId);
		if (!group || !group.robotCodes.includes(String(deliver.robotCode))) {
			throw invalid('chatbotNotInstall', '机器人未安装');
		}
		const atUserIds = deliver.atUserIds;
		if (atUserIds !== undefined && !isRecord(atUserIds)) {
			throw invalid('param.invalid', 'imGroupOpenDeliverModel.atUserIds is a map userId -> nick');
		}
		return {
			openSpaceId: String(openSpaceId),
			spaceType,
			spaceId,
			robotCode: String(deliver.robotCode),
			atUserIds: atUserIds as Record<string, string> | undefined,
		};
	}
	const deliver = body.imRobotOpenDeliverModel;
	if (!isRecord(deliver) || deliver.spaceType !== 'IM_ROBOT') {
		throw invalid('param.invalid', 'imRobotOpenDeliverModel.spaceType must be IM_ROBOT');
	}
	if (!state.users.some((u) => u.userid === spaceId && u.active)) {
		throw invalid('userNotExist', '用户不存在');
	}
	return { openSpaceId: String(openSpaceId), spaceType, spaceId, robotCode: state.app.appKey };
}

function create(state: DingTalkState, body: Record<string, unknown>, now: number): CardRecord {
	if (!nonEmptyString(body.outTrackId))
		throw invalid('param.outTrackIdEmpty', 'outTrackId is empty');
	if (!nonEmptyString(body.cardTemplateId)) {
		throw invalid('param.cardTemplateIdEmpty', 'cardTemplateId is empty');
	}
	if (!state.cards.templates.has(body.cardTemplateId)) {
		throw invalid('invalidParameter.cardTemplate.notFound', '不存在的卡片模板');
	}
	if (state.cards.cards.has(body.outTrackId)) {
		throw invalid('param.outTrackIdDuplicate', `outTrackId ${body.outTrackId} exists`);
	}
	return {
		outTrackId: body.outTrackId,
		templateId: body.cardTemplateId,
		openSpaceId: '',
		spaceType: '',
		spaceId: '',
		params: paramMap(body.cardData),
		finalized: false,
		errored: false,
		createdAt: now,
		updates: [{ at: now, kind: 'create', body: { ...paramMap(body.cardData) } }],
	};
}

function deliverResult(card: CardRecord) {
	return {
		outTrackId: card.outTrackId,
		deliverResults: [
			{
				spaceType: card.spaceType,
				spaceId: card.spaceId,
				success: true,
				carrierId: `carrier-${card.outTrackId.slice(0, 8)}`,
			},
		],
	};
}

function existing(state: DingTalkState, outTrackId: unknown): CardRecord {
	if (!nonEmptyString(outTrackId)) throw invalid('param.outTrackIdEmpty', 'outTrackId is empty');
	const card = state.cards.cards.get(outTrackId);
	if (!card) throw invalid('param.cardInstanceNotExist', `no card with outTrackId ${outTrackId}`);
	return card;
}

export const cardRoutes: Route<DingTalkState>[] = [
	{
		method: 'POST',
		path: '/v1.0/card/instances/createAndDeliver',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			const target = space(ctx.state, body);
			const card = { ...create(ctx.state, body, ctx.now()), ...target };
			ctx.state.cards.cards.set(card.outTrackId, card);
			return newApiOk({ success: true, result: deliverResult(card) });
		},
	},
	{
		method: 'POST',
		path: '/v1.0/card/instances',
		handle(req, ctx) {
			const card = create(ctx.state, bodyOf(req.body), ctx.now());
			ctx.state.cards.cards.set(card.outTrackId, card);
			return newApiOk({ success: true, result: card.outTrackId });
		},
	},
	{
		method: 'POST',
		path: '/v1.0/card/instances/deliver',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			const card = existing(ctx.state, body.outTrackId);
			Object.assign(card, space(ctx.state, body));
			return newApiOk({ success: true, result: deliverResult(card).deliverResults });
		},
	},
	{
		method: 'PUT',
		path: '/v1.0/card/instances',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			const card = existing(ctx.state, body.outTrackId);
			const params = paramMap(body.cardData);
			Object.assign(card.params, params);
			card.updates.push({ at: ctx.now(), kind: 'update', body: params });
			return newApiOk({ success: true, result: true });
		},
	},
	{
		method: 'PUT',
		path: '/v1.0/card/streaming',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			const card = existing(ctx.state, body.outTrackId);
			if (!nonEmptyString(body.guid)) throw invalid('param.invalid', 'guid is required');
			if (!nonEmptyString(body.key)) throw invalid('param.invalid', 'key is required');
			if (typeof body.content !== 'string')
				throw invalid('param.invalid', 'content must be a string');
			for (const flag of ['isFull', 'isFinalize', 'isError']) {
				if (body[flag] !== undefined && typeof body[flag] !== 'boolean') {
					throw invalid('param.invalid', `${flag} must be a boolean`);
				}
			}
			const key = body.key;
			card.params[key] =
				body.isFull === false ? (card.params[key] ?? '') + body.content : body.content;
			if (body.isFinalize === true) card.finalized = true;
			if (body.isError === true) card.errored = true;
			card.updates.push({ at: ctx.now(), kind: 'streaming', body: { ...body } });
			return newApiOk({ success: true, result: true });
		},
	},
];

/** The cards of an emulator, for tests. */
export function cardsOf(state: DingTalkState): CardRecord[] {
	return [...state.cards.cards.values()];
}
