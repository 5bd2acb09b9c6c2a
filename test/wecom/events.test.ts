/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject } from 'n8n-workflow';

import {
	CALLBACK_FILTER_OPTIONS,
	CHANGE_TYPE_OPTIONS,
	CHANGE_TYPES,
	CallbackPayloadError,
	FILTERED_EVENTS,
	MESSAGE_TYPES,
	approvalFromCallback,
	callbackCategory,
	callbackToItem,
	dedupeKey,
	describeCallback,
	parseJsonObject,
	passesFilter,
	readCallbackPayload,
	type CallbackPayload,
} from '../../nodes/WeCom/events';
import { RecentKeys } from '../../nodes/shared/recentKeys';
import { W1_POST, W2_POST } from '../fixtures/vectors';

const APPROVAL_XML = readFileSync(join(__dirname, '../fixtures/approval-event.xml'), 'utf8');

function item(text: string, raw?: string): IDataObject {
	const payload = readCallbackPayload(text);
	return callbackToItem(payload, describeCallback(payload.fields), { raw });
}

function facts(text: string) {
	return describeCallback(readCallbackPayload(text).fields);
}

function key(text: string): string | undefined {
	const payload = readCallbackPayload(text);
	return dedupeKey(payload.fields, describeCallback(payload.fields));
}

function event(name: string, inner = '', from = 'lisi', time = '1700000400'): string {
	return `<xml><ToUserName>ww1</ToUserName><FromUserName>${from}</FromUserName><CreateTime>${time}</CreateTime><MsgType>event</MsgType><Event>${name}</Event><AgentID>1000002</AgentID>${inner}</xml>`;
}

describe('readCallbackPayload', () => {
	it('reads XML with WeCom list fields as arrays even when they occur once', () => {
		const payload = readCallbackPayload(
			'<xml><MsgType>event</MsgType><Event>sys_approval_change</Event><ApprovalInfo><SpRecord><Details><Approver><UserId>a</UserId></Approver></Details></SpRecord></ApprovalInfo></xml>',
		);
		expect(payload.format).toBe('xml');
		expect(payload.fields.ApprovalInfo).toEqual({
			SpRecord: [{ Details: [{ Approver: { UserId: 'a' } }] }],
		});
	});

	it('reads JSON, dropping prototype-sensitive keys', () => {
		const payload = readCallbackPayload(
			'{"msgtype":"text","__proto__":{"x":1},"text":{"content":"hi"}}',
		);
		expect(payload).toEqual({
			format: 'json',
			fields: { msgtype: 'text', text: { content: 'hi' } },
		});
		expect(Object.getPrototypeOf(payload.fields)).toBe(Object.prototype);
		expect(parseJsonObject('[1,2]')).toBeUndefined();
		expect(parseJsonObject('null')).toBeUndefined();
		expect(parseJsonObject('{"constructor": 1, "a": {"prototype": 2}}')).toEqual({ a: {} });
	});

	it.each([
		['<!DOCTYPE x [<!ENTITY a "b">]><xml/>', 'doctype', /DOCTYPE/],
		[
			'<xml><A>1</B></xml>',
			'malformed',
			/^The decrypted callback is not well-formed XML \(line 1, column \d+\)$/,
		],
		['<xml><A>secret-ish content', 'malformed', /not well-formed XML/],
		['{"a": ', 'malformed', /not valid JSON/],
		['hello', 'unknown_format', /neither XML nor JSON/],
		['', 'unknown_format', /neither XML nor JSON/],
	])('refuses %j as %s without quoting the content', (text, reason, message) => {
		let error: unknown;
		try {
			readCallbackPayload(text);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(CallbackPayloadError);
		expect((error as CallbackPayloadError).reason).toBe(reason);
		expect((error as Error).message).toMatch(message);
		expect((error as Error).message).not.toContain('secret-ish');
	});
});

describe('callbackToItem', () => {
	it('keeps WeCom fields as sent and adds msgType and an ISO createTime', () => {
		expect(item(W2_POST.plaintext)).toEqual({
			ToUserName: 'ww1436e0e65a779aee',
			FromUserName: 'ChenJiaShun',
			CreateTime: '1476422779',
			MsgType: 'text',
			Content: '你好',
			MsgId: '1456453720',
			AgentID: '1000002',
			msgType: 'text',
			createTime: '2016-10-14T05:26:19.000Z',
		});
	});

	it('adds the raw text under rawXml or rawJson', () => {
		expect(item(W1_POST.plaintext, W1_POST.plaintext).rawXml).toBe(W1_POST.plaintext);
		const json = '{"msgtype":"text","msgid":"1"}';
		expect(item(json, json)).toMatchObject({ rawJson: json });
		expect(item(json)).not.toHaveProperty('rawJson');
	});

	it('lower-cases the event and the change type', () => {
		expect(item(event('LOCATION', '<Latitude>1</Latitude>'))).toMatchObject({
			Event: 'LOCATION',
			event: 'location',
		});
		expect(item(event('change_contact', '<ChangeType>UPDATE_USER</ChangeType>'))).toMatchObject({
			event: 'change_contact',
			changeType: 'update_user',
			ChangeType: 'UPDATE_USER',
		});
		expect(item(W1_POST.plaintext)).not.toHaveProperty('event');
		expect(item(event('click'))).not.toHaveProperty('changeType');
	});

	it('never overwrites a field WeCom sent under a normalised name', () => {
		const json = '{"msgtype":"event","event":{"eventtype":"enter_chat"},"createTime":"theirs"}';
		const result = item(json);
		expect(result.event).toEqual({ eventtype: 'enter_chat' });
		expect(result.createTime).toBe('theirs');
		expect(describeCallback(readCallbackPayload(json).fields).event).toBe('enter_chat');
	});

	it('leaves createTime out when CreateTime is missing or not a time', () => {
		expect(item('<xml><MsgType>text</MsgType></xml>')).toEqual({
			MsgType: 'text',
			msgType: 'text',
		});
		expect(
			item('<xml><MsgType>text</MsgType><CreateTime>soon</CreateTime></xml>'),
		).not.toHaveProperty('createTime');
	});
});

describe('approvalFromCallback', () => {
	it('maps the approval sample completely', () => {
		const approval = item(APPROVAL_XML).approval;
		expect(approval).toEqual({
			spNo: '202311150001',
			spName: '报销申请',
			spStatus: 3,
			spStatusName: 'rejected',
			spStatusNameZh: '已驳回',
			templateId: 'C4RbNGhAbu8oZKyBg6FBFR6hQz9AD1ZJzGS8BPrXp',
			applyTime: 1700000000,
			applyTimeIso: '2023-11-14T22:13:20.000Z',
			applyer: { userId: 'zhangsan', party: '2' },
			records: [
				{
					spStatus: 2,
					spStatusName: 'approved',
					spStatusNameZh: '已同意',
					approverAttr: 1,
					approverAttrName: 'or',
					approverAttrNameZh: '或签',
					approvers: ['lisi', 'wangwu'],
					details: [
						{
							approver: 'lisi',
							speech: '同意，金额无误',
							spStatus: 2,
							spStatusName: 'approved',
							spStatusNameZh: '已同意',
							spTime: 1700000100,
							spTimeIso: '2023-11-14T22:15:00.000Z',
							attach: [],
						},
						{
							approver: 'wangwu',
							speech: '',
							spStatus: 1,
							spStatusName: 'pending',
							spStatusNameZh: '审批中',
							spTime: 0,
							spTimeIso: null,
							attach: [],
						},
					],
				},
				{
					spStatus: 3,
					spStatusName: 'rejected',
					spStatusNameZh: '已驳回',
					approverAttr: 2,
					approverAttrName: 'and',
					approverAttrNameZh: '会签',
					approvers: ['zhaoliu', 'sunqi'],
					details: [
						{
							approver: 'zhaoliu',
							speech: 'ok',
							spStatus: 2,
							spStatusName: 'approved',
							spStatusNameZh: '已同意',
							spTime: 1700000200,
							spTimeIso: '2023-11-14T22:16:40.000Z',
							attach: ['WWCISP_media_1', 'WWCISP_media_2'],
						},
						{
							approver: 'sunqi',
							speech: '金额超标 ]]> 请重提',
							spStatus: 3,
							spStatusName: 'rejected',
							spStatusNameZh: '已驳回',
							spTime: 1700000250,
							spTimeIso: '2023-11-14T22:17:30.000Z',
							attach: [],
						},
					],
				},
				{
					spStatus: 1,
					spStatusName: 'pending',
					spStatusNameZh: '审批中',
					approverAttr: 1,
					approverAttrName: 'or',
					approverAttrNameZh: '或签',
					approvers: ['zhouba'],
					details: [
						{
							approver: 'zhouba',
							speech: '',
							spStatus: 1,
							spStatusName: 'pending',
							spStatusNameZh: '审批中',
							spTime: 0,
							spTimeIso: null,
							attach: [],
						},
					],
				},
			],
			notifyers: ['wujiu', 'zhengshi'],
			comments: [
				{
					userId: 'lisi',
					commentTime: 1700000150,
					commentTimeIso: '2023-11-14T22:15:50.000Z',
					content: '请补充发票 & 行程单 <附件>',
					commentId: '6899287783354123456',
					attach: [],
				},
			],
			statusChangeEvent: 3,
			statusChangeEventName: 'rejected',
			statusChangeEventNameZh: '驳回',
		});
	});

	it('names every documented status and leaves unknown codes unnamed', () => {
		const names = (sp: number, change: number) => {
			const a = approvalFromCallback({ SpStatus: String(sp), StatuChangeEvent: String(change) });
			return [a.spStatusName, a.spStatusNameZh, a.statusChangeEventName];
		};
		expect(names(1, 1)).toEqual(['pending', '审批中', 'submitted']);
		expect(names(2, 2)).toEqual(['approved', '已通过', 'approved']);
		expect(names(4, 4)).toEqual(['withdrawn', '已撤销', 'transferred']);
		expect(names(6, 5)).toEqual(['withdrawn_after_approval', '通过后撤销', 'reminder']);
		expect(names(7, 6)).toEqual(['deleted', '已删除', 'withdrawn']);
		expect(names(10, 8)).toEqual(['paid', '已支付', 'withdrawn_after_approval']);
		expect(names(99, 10)).toEqual([null, null, 'comment_added']);
		expect(names(3, 77)[2]).toBeNull();
	});

	it('copes with a missing or empty ApprovalInfo', () => {
		expect(approvalFromCallback(undefined)).toMatchObject({
			spNo: null,
			spStatus: null,
			records: [],
			notifyers: [],
			comments: [],
			applyer: { userId: null, party: null },
		});
		expect(item(event('sys_approval_change')).approval).toMatchObject({ spNo: null, records: [] });
	});
});

describe('filters', () => {
	const samples: Record<string, string> = {
		text: '<xml><MsgType>text</MsgType></xml>',
		location: '<xml><MsgType>location</MsgType></xml>',
		LOCATION: event('LOCATION'),
		click: event('click'),
		CLICK: event('CLICK'),
		contact: event('change_contact', '<ChangeType>delete_party</ChangeType>'),
		unknownEvent: event('kf_msg_or_event'),
		file: '<xml><MsgType>file</MsgType></xml>',
		noType: '<xml><Content>x</Content></xml>',
	};

	it('puts every callback in one category', () => {
		const categories = Object.fromEntries(
			Object.entries(samples).map(([name, xml]) => [name, callbackCategory(facts(xml))]),
		);
		expect(categories).toEqual({
			text: 'message:text',
			location: 'message:location',
			LOCATION: 'other',
			click: 'event:click',
			CLICK: 'event:click',
			contact: 'event:change_contact',
			unknownEvent: 'other',
			file: 'other',
			noType: 'other',
		});
	});

	it('offers exactly the documented choices', () => {
		expect(CALLBACK_FILTER_OPTIONS.map((o) => o.value)).toEqual([
			'*',
			...MESSAGE_TYPES.map((t) => `message:${t}`),
			...FILTERED_EVENTS.map((e) => `event:${e}`),
			'other',
		]);
		expect(CHANGE_TYPE_OPTIONS.map((o) => o.value)).toEqual([...CHANGE_TYPES]);
	});

	it('passes what is chosen, narrowing change_contact by change type', () => {
		const pass = (xml: string, categories: string[], changeTypes: string[] = []) =>
			passesFilter(facts(xml), { categories, changeTypes });
		expect(pass(samples.text, ['message:text'])).toBe(true);
		expect(pass(samples.text, ['message:location'])).toBe(false);
		expect(pass(samples.LOCATION, ['message:location'])).toBe(false);
		expect(pass(samples.LOCATION, ['other'])).toBe(true);
		expect(pass(samples.text, [])).toBe(true);
		expect(pass(samples.file, ['*'])).toBe(true);
		expect(pass(samples.contact, ['event:change_contact'], ['delete_party'])).toBe(true);
		expect(pass(samples.contact, ['event:change_contact'], ['create_user'])).toBe(false);
		expect(pass(samples.contact, ['*'], ['create_user'])).toBe(false);
		expect(pass(samples.click, ['*'], ['create_user'])).toBe(true);
	});
});

describe('dedupeKey', () => {
	it('uses MsgId for messages, whatever else differs', () => {
		expect(key(W1_POST.plaintext)).toBe('msg:4561255354251345929');
		expect(key(W1_POST.plaintext.replace('hello', 'changed'))).toBe(key(W1_POST.plaintext));
		expect(key('{"msgid":"abc","msgtype":"text"}')).toBe('msg:abc');
	});

	it('identifies events by sender, time, event and key fields', () => {
		const base = event('click', '<EventKey>k1</EventKey>');
		expect(key(base)).toBe(key(base));
		const variants = [
			event('click', '<EventKey>k2</EventKey>'),
			event('click', '<EventKey>k1</EventKey>', 'wangwu'),
			event('click', '<EventKey>k1</EventKey>', 'lisi', '1700000401'),
			event('view', '<EventKey>k1</EventKey>'),
		];
		const keys = new Set([base, ...variants].map(key));
		expect(keys.size).toBe(5);
	});

	it.each([
		[
			'ChangeType',
			event('change_contact', '<ChangeType>create_user</ChangeType><UserID>u1</UserID>'),
			['create_user', 'update_user'],
		],
		[
			'UserID',
			event('change_contact', '<ChangeType>update_user</ChangeType><UserID>u1</UserID>'),
			['u1', 'u2'],
		],
		[
			'SpNo',
			event(
				'sys_approval_change',
				'<ApprovalInfo><SpNo>1</SpNo><StatuChangeEvent>2</StatuChangeEvent></ApprovalInfo>',
			),
			['<SpNo>1', '<SpNo>2'],
		],
		[
			'StatuChangeEvent',
			event(
				'sys_approval_change',
				'<ApprovalInfo><SpNo>1</SpNo><StatuChangeEvent>2</StatuChangeEvent></ApprovalInfo>',
			),
			['<StatuChangeEvent>2', '<StatuChangeEvent>10'],
		],
		[
			'TaskId',
			event('template_card_event', '<EventKey>b</EventKey><TaskId>t1</TaskId>'),
			['t1', 't2'],
		],
		['JobId', event('batch_job_result', '<BatchJob><JobId>j1</JobId></BatchJob>'), ['j1', 'j2']],
		[
			'TagId',
			event('change_contact', '<ChangeType>update_tag</ChangeType><TagId>1</TagId>'),
			['<TagId>1', '<TagId>2'],
		],
	])('tells events apart by %s', (_field, xml, [from, to]) => {
		expect(key(xml)).not.toBe(key(xml.replace(from, to)));
		expect(key(xml)).toBe(key(xml));
	});

	it('cannot be fooled by values that contain separators', () => {
		const a = event('click', '<EventKey>a|b</EventKey>');
		const b = event('click', '<EventKey>a</EventKey><TaskId>b</TaskId>');
		expect(key(a)).not.toBe(key(b));
	});

	it('gives no key when nothing identifies the callback', () => {
		expect(key('<xml><MsgType>event</MsgType><Event>click</Event></xml>')).toBeUndefined();
	});
});

describe('RecentKeys', () => {
	it('reports a key as seen within its window and forgets it after', () => {
		const keys = new RecentKeys(100);
		expect(keys.seen('a', 1000, 0)).toBe(false);
		expect(keys.seen('a', 1000, 500)).toBe(true);
		expect(keys.seen('a', 1000, 999)).toBe(true);
		// The window counts from the first delivery: seeing it again does not extend it.
		expect(keys.seen('a', 1000, 1000)).toBe(false);
		expect(keys.seen('a', 1000, 1500)).toBe(true);
	});

	it('keeps each key to its own window', () => {
		const keys = new RecentKeys(100);
		keys.seen('short', 100, 0);
		keys.seen('long', 10_000, 0);
		expect(keys.seen('short', 100, 200)).toBe(false);
		expect(keys.seen('long', 10_000, 200)).toBe(true);
	});

	it('drops expired entries and never holds more than its bound', () => {
		const keys = new RecentKeys(50);
		for (let i = 0; i < 1000; i++) keys.seen(`k${i}`, 60_000, i);
		expect(keys.size).toBeLessThanOrEqual(50);
		// The newest are the ones kept.
		expect(keys.seen('k999', 60_000, 1000)).toBe(true);
		expect(keys.seen('k0', 60_000, 1000)).toBe(false);
		const expiring = new RecentKeys(1000);
		for (let i = 0; i < 10; i++) expiring.seen(`e${i}`, 10, 0);
		expiring.seen('late', 10, 100);
		expect(expiring.size).toBe(1);
	});
});

describe('CallbackPayload type', () => {
	it('is what readCallbackPayload returns', () => {
		const payload: CallbackPayload = readCallbackPayload('<xml/>');
		expect(payload).toEqual({ format: 'xml', fields: {} });
	});
});
