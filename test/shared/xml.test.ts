/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- a test reading its fixture from disk, not shipped */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
	XML_DEFAULT_MAX_BYTES,
	XML_DEFAULT_MAX_DEPTH,
	XmlReadError,
	readXml,
	type XmlErrorReason,
	type XmlObject,
	type XmlReadOptions,
	type XmlReadResult,
	type XmlValue,
} from '../../nodes/shared/xml';
import { WECOM_XML_LIST_FIELDS } from '../../nodes/WeCom/xmlLists';
import { W1_POST, W2_POST } from '../fixtures/vectors';

const APPROVAL_XML = readFileSync(join(__dirname, '../fixtures/approval-event.xml'), 'utf8');
const WECOM = { listFields: WECOM_XML_LIST_FIELDS };

function read(xml: string | Buffer, options?: XmlReadOptions): XmlObject {
	return readXml(xml, options).value;
}

function readError(input: unknown, options?: XmlReadOptions): XmlReadError {
	try {
		readXml(input as string, options);
	} catch (error) {
		expect(error).toBeInstanceOf(XmlReadError);
		return error as XmlReadError;
	}
	throw new Error(`expected an XmlReadError for ${JSON.stringify(String(input).slice(0, 80))}`);
}

function obj(value: XmlValue | undefined): XmlObject {
	expect(value).toEqual(expect.any(Object));
	expect(Array.isArray(value)).toBe(false);
	return value as XmlObject;
}

function list(value: XmlValue | undefined): XmlValue[] {
	expect(Array.isArray(value)).toBe(true);
	return value as XmlValue[];
}

// mulberry32: a small deterministic PRNG so that a failing fuzz case can be replayed from its seed.
function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

describe('readXml: the approval sample (approval-event.xml)', () => {
	const { rootName, value } = readXml(APPROVAL_XML, WECOM);
	const info = obj(value.ApprovalInfo);
	const records = list(info.SpRecord).map(obj);

	it('reads the envelope fields', () => {
		expect(rootName).toBe('xml');
		expect(value.ToUserName).toBe('ww1436e0e65a779aee');
		expect(value.FromUserName).toBe('sys');
		expect(value.CreateTime).toBe('1700000300');
		expect(value.MsgType).toBe('event');
		expect(value.Event).toBe('sys_approval_change');
		expect(value.AgentID).toBe('3010040');
	});

	it('keeps the approval status even though the last SpStatus in the document is 1', () => {
		expect(APPROVAL_XML.lastIndexOf('<SpStatus>1</SpStatus>')).toBeGreaterThan(
			APPROVAL_XML.lastIndexOf('<SpStatus>3</SpStatus>'),
		);
		expect(info.SpStatus).toBe('3');
		expect(info.SpNo).toBe('202311150001');
		expect(info.SpName).toBe('报销申请');
		expect(info.StatuChangeEvent).toBe('3');
		expect(info.Applyer).toEqual({ UserId: 'zhangsan', Party: '2' });
	});

	it('keeps all three SpRecords with their own status, in document order', () => {
		expect(records).toHaveLength(3);
		expect(records.map((r) => r.SpStatus)).toEqual(['2', '3', '1']);
		expect(records.map((r) => r.ApproverAttr)).toEqual(['1', '2', '1']);
	});

	it('keeps two Details in each of the first two records and one in the last', () => {
		const approvers = records.map((r) => list(r.Details).map((d) => obj(obj(d).Approver).UserId));
		expect(approvers).toEqual([['lisi', 'wangwu'], ['zhaoliu', 'sunqi'], ['zhouba']]);
		const wangwu = obj(list(records[0].Details)[1]);
		expect(wangwu.Speech).toBe('');
		expect(wangwu.SpTime).toBe('0');
	});

	it("keeps both Attach on zhaoliu's Details and no Attach key elsewhere", () => {
		const zhaoliu = obj(list(records[1].Details)[0]);
		expect(zhaoliu.Attach).toEqual(['WWCISP_media_1', 'WWCISP_media_2']);
		expect(obj(list(records[0].Details)[0]).Attach).toBeUndefined();
	});

	it("reads sunqi's speech, a CDATA split in two to carry ]]>, exactly", () => {
		const sunqi = obj(list(records[1].Details)[1]);
		expect(obj(sunqi.Approver).UserId).toBe('sunqi');
		expect(sunqi.Speech).toBe('金额超标 ]]> 请重提');
	});

	it('keeps both Notifyers and the comment text unchanged', () => {
		expect(list(info.Notifyer).map((n) => obj(n).UserId)).toEqual(['wujiu', 'zhengshi']);
		const comments = list(info.Comments).map(obj);
		expect(comments).toHaveLength(1);
		expect(comments[0].CommentContent).toBe('请补充发票 & 行程单 <附件>');
		expect(comments[0].CommentId).toBe('6899287783354123456');
		expect(obj(comments[0].CommentUserInfo).UserId).toBe('lisi');
	});

	it('reads the same from a Buffer and survives a JSON round trip unchanged', () => {
		expect(readXml(Buffer.from(APPROVAL_XML, 'utf8'), WECOM)).toEqual({ rootName, value });
		expect(JSON.parse(JSON.stringify(value))).toEqual(value);
	});

	it('returns plain objects', () => {
		expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
		expect(Object.getPrototypeOf(info)).toBe(Object.prototype);
		expect(Object.getPrototypeOf(records[0])).toBe(Object.prototype);
	});

	it('without list fields still keeps repeats as arrays, but a single Comments becomes an object', () => {
		const flat = obj(read(APPROVAL_XML).ApprovalInfo);
		expect(flat.SpStatus).toBe('3');
		expect(list(flat.SpRecord)).toHaveLength(3);
		expect(list(flat.Notifyer)).toHaveLength(2);
		expect(obj(flat.Comments).CommentContent).toBe('请补充发票 & 行程单 <附件>');
	});
});

describe('readXml: list fields decide list-ness by name, not by count', () => {
	it('a one-record approval still yields arrays', () => {
		const xml =
			'<xml><MsgType><![CDATA[event]]></MsgType><ApprovalInfo><SpStatus>1</SpStatus>' +
			'<SpRecord><SpStatus>1</SpStatus><ApproverAttr>1</ApproverAttr><Details><Approver><UserId>a</UserId>' +
			'</Approver><Speech></Speech><SpStatus>1</SpStatus><SpTime>0</SpTime><Attach>m1</Attach></Details>' +
			'</SpRecord><Notifyer><UserId>n</UserId></Notifyer><Comments><CommentContent>c</CommentContent>' +
			'<Attach>m2</Attach></Comments><StatuChangeEvent>1</StatuChangeEvent></ApprovalInfo></xml>';
		const info = obj(read(xml, WECOM).ApprovalInfo);
		expect(info.SpStatus).toBe('1');
		const record = obj(list(info.SpRecord)[0]);
		expect(list(info.SpRecord)).toHaveLength(1);
		const details = list(record.Details);
		expect(details).toHaveLength(1);
		expect(obj(details[0]).Attach).toEqual(['m1']);
		expect(obj(details[0]).Speech).toBe('');
		expect(info.Notifyer).toEqual([{ UserId: 'n' }]);
		expect(info.Comments).toEqual([{ CommentContent: 'c', Attach: ['m2'] }]);
	});

	it('reads the picture list of pic_* events as an array of item', () => {
		const one =
			'<xml><Event><![CDATA[pic_sysphoto]]></Event><SendPicsInfo><Count>1</Count><PicList>' +
			'<item><PicMd5Sum><![CDATA[1b5f7c23b5bf75682a53e7b6d163e185]]></PicMd5Sum></item></PicList>' +
			'</SendPicsInfo></xml>';
		expect(obj(read(one, WECOM).SendPicsInfo)).toEqual({
			Count: '1',
			PicList: { item: [{ PicMd5Sum: '1b5f7c23b5bf75682a53e7b6d163e185' }] },
		});
	});

	it('reads ExtAttr of change_contact as an array of Item', () => {
		const xml =
			'<xml><ChangeType><![CDATA[update_user]]></ChangeType><Department><![CDATA[1,2,3]]></Department>' +
			'<ExtAttr><Item><Name><![CDATA[爱好]]></Name><Type>0</Type><Text><Value><![CDATA[旅游]]></Value>' +
			'</Text></Item></ExtAttr></xml>';
		const value = read(xml, WECOM);
		expect(value.Department).toBe('1,2,3');
		expect(obj(value.ExtAttr).Item).toEqual([{ Name: '爱好', Type: '0', Text: { Value: '旅游' } }]);
	});

	it('reads the answers of template_card_event as arrays of SelectedItem and OptionId', () => {
		const xml =
			'<xml><Event><![CDATA[template_card_event]]></Event><SelectedItems><SelectedItem>' +
			'<QuestionKey><![CDATA[q1]]></QuestionKey><OptionIds><OptionId><![CDATA[o1]]></OptionId>' +
			'</OptionIds></SelectedItem></SelectedItems></xml>';
		expect(obj(read(xml, WECOM).SelectedItems)).toEqual({
			SelectedItem: [{ QuestionKey: 'q1', OptionIds: { OptionId: ['o1'] } }],
		});
	});

	it('lists the repeating WeCom fields and leaves comma-string fields alone', () => {
		for (const name of ['SpRecord', 'Details', 'Attach', 'Notifyer', 'Comments', 'item', 'Item']) {
			expect(WECOM_XML_LIST_FIELDS.has(name)).toBe(true);
		}
		for (const name of ['Department', 'AddUserItems', 'DelUserItems', 'Approver', 'SpStatus']) {
			expect(WECOM_XML_LIST_FIELDS.has(name)).toBe(false);
		}
	});

	it('an empty list-field element is a list holding one empty string', () => {
		expect(read('<xml><Attach/></xml>', WECOM)).toEqual({ Attach: [''] });
	});
});

describe('readXml: official plaintext vectors', () => {
	it('reads W1 POST (CDATA, newlines between elements)', () => {
		const { rootName, value } = readXml(W1_POST.plaintext, WECOM);
		expect(rootName).toBe('xml');
		expect(value).toEqual({
			ToUserName: 'wx5823bf96d3bd56c7',
			FromUserName: 'mycreate',
			CreateTime: '1409659813',
			MsgType: 'text',
			Content: 'hello',
			MsgId: '4561255354251345929',
			AgentID: '218',
		});
	});

	it('reads W2 POST (plain text, Chinese)', () => {
		expect(read(Buffer.from(W2_POST.plaintext, 'utf8'), WECOM)).toEqual({
			ToUserName: 'ww1436e0e65a779aee',
			FromUserName: 'ChenJiaShun',
			CreateTime: '1476422779',
			MsgType: 'text',
			Content: '你好',
			MsgId: '1456453720',
			AgentID: '1000002',
		});
	});

	it('reads the encrypted envelope of a callback POST', () => {
		const envelope =
			'<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName><AgentID><![CDATA[1000002]]></AgentID>' +
			`<Encrypt><![CDATA[${W2_POST.encrypt}]]></Encrypt></xml>`;
		expect(read(envelope).Encrypt).toBe(W2_POST.encrypt);
	});
});

describe('readXml: content model', () => {
	it('reads empty elements as empty strings', () => {
		expect(read('<xml><a/><b></b><c ></c><d x="1"/></xml>')).toEqual({
			a: '',
			b: '',
			c: '',
			d: '',
		});
	});

	it('keeps whitespace of text-only elements and ignores whitespace between child elements', () => {
		expect(read('<xml>\n\t<a>  padded  </a>\n\t<b> </b>\n</xml>')).toEqual({
			a: '  padded  ',
			b: ' ',
		});
	});

	it('concatenates text and CDATA in document order, comments and PIs dropped', () => {
		expect(read('<xml><a>x<![CDATA[<y>]]>z<!-- note --><?pi data?>&amp;w</a></xml>')).toEqual({
			a: 'x<y>z&w',
		});
	});

	it('puts non-whitespace text of mixed content under #text, children kept', () => {
		expect(read('<xml><a>hi <b>x</b> there<c/>\n</a></xml>')).toEqual({
			a: { b: 'x', c: '', '#text': 'hi  there' },
		});
	});

	it('puts text of a text-only root under #text', () => {
		expect(readXml('<xml>just text</xml>')).toEqual({
			rootName: 'xml',
			value: { '#text': 'just text' },
		});
		expect(readXml('<xml>  </xml>')).toEqual({ rootName: 'xml', value: {} });
		expect(readXml('<root/>')).toEqual({ rootName: 'root', value: {} });
	});

	it('gathers repeated elements into arrays in document order, even when not adjacent', () => {
		expect(read('<xml><a>1</a><b>x</b><a>2</a><a><c>3</c></a></xml>')).toEqual({
			a: ['1', '2', { c: '3' }],
			b: 'x',
		});
	});

	it('normalises CRLF and CR line ends to LF in text and CDATA, but not a &#13; reference', () => {
		expect(
			read('<xml><a>1\r\n2\r3</a><b><![CDATA[4\r\n5\r]]></b><c>6&#13;&#10;7</c></xml>'),
		).toEqual({
			a: '1\n2\n3',
			b: '4\n5\n',
			c: '6\r\n7',
		});
	});

	it('accepts names with non-ASCII letters, digits, dots, dashes, underscores and colons', () => {
		expect(read('<xml><名字>张三</名字><a.b-c_d:e1>v</a.b-c_d:e1></xml>')).toEqual({
			名字: '张三',
			'a.b-c_d:e1': 'v',
		});
	});

	it('keeps characters outside the BMP', () => {
		expect(read('<xml><a>😀𠀀</a></xml>')).toEqual({ a: '😀𠀀' });
	});

	it('is lenient about a BOM, a declaration and whitespace around the root', () => {
		const expected = { rootName: 'xml', value: { a: '1' } };
		expect(readXml('\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<xml><a>1</a></xml>\n')).toEqual(
			expected,
		);
		expect(readXml(Buffer.from('\uFEFF<xml><a>1</a></xml>', 'utf8'))).toEqual(expected);
		expect(
			readXml('\n  <?xml version="1.0"?>\n<!-- c -->\n<xml><a>1</a></xml>\n<!-- end -->\n'),
		).toEqual(expected);
		expect(readXml('<xml ><a>1</a ></xml\n>')).toEqual(expected);
	});
});

describe('readXml: attributes are parsed, then ignored', () => {
	it('never turns attributes into keys, whatever they contain', () => {
		const xml =
			`<xml version="2" a='x>y' b = "q/>r" c="&lt;&amp;&#65;" d=""><A k="v>w" j='"'>t</A>` +
			`<B x='>'/><C __proto__="x" constructor='y'>z</C></xml>`;
		expect(read(xml)).toEqual({ A: 't', B: '', C: 'z' });
	});

	it('accepts attribute values that span lines', () => {
		expect(read('<xml><a x="1\n2"\n\ty="3">v</a></xml>')).toEqual({ a: 'v' });
	});

	it.each([
		['unquoted value', '<xml><a x=1>v</a></xml>'],
		['value missing', '<xml><a x>v</a></xml>'],
		['unterminated value', '<xml><a x="1>v</a></xml>'],
		['< inside a value', '<xml><a x="<">v</a></xml>'],
		['repeated attribute', '<xml><a x="1" x="2">v</a></xml>'],
		['no space between attributes', '<xml><a x="1"y="2">v</a></xml>'],
		['unknown entity in a value', '<xml><a x="&nbsp;">v</a></xml>'],
		['bare & in a value', '<xml><a x="a & b">v</a></xml>'],
		['control character in a value', '<xml><a x="\u0001">v</a></xml>'],
	])('refuses a broken attribute (%s) as malformed', (_label, xml) => {
		const error = readError(xml);
		expect(error.reason).toBe('malformed');
		expect(error.message).toContain('<a>');
	});
});

describe('readXml: entities', () => {
	it('decodes the five named entities', () => {
		expect(read('<xml><a>&lt;&gt;&amp;&quot;&apos;</a></xml>')).toEqual({ a: `<>&"'` });
	});

	it('decodes decimal and hexadecimal character references', () => {
		expect(
			read('<xml><a>&#65;&#x42;&#x63;&#0000068;&#x1F600;&#128512;&#x10FFFF;&#x9;</a></xml>'),
		).toEqual({
			a: 'ABcD😀😀\u{10FFFF}\t',
		});
	});

	it('does not decode anything inside CDATA', () => {
		expect(read('<xml><a><![CDATA[&lt;&foo;&#0;<b>]]></a></xml>')).toEqual({
			a: '&lt;&foo;&#0;<b>',
		});
	});

	it('decodes an escaped entity only once', () => {
		expect(read('<xml><a>&amp;lt;</a></xml>')).toEqual({ a: '&lt;' });
	});

	it.each([
		['&#0;', 'U+0000'],
		['&#x0;', 'U+0000'],
		['&#1;', 'U+0001'],
		['&#x1F;', 'U+001F'],
		['&#xD800;', 'U+D800'],
		['&#xDFFF;', 'U+DFFF'],
		['&#55296;', 'U+D800'],
		['&#xFFFE;', 'U+FFFE'],
		['&#xFFFF;', 'U+FFFF'],
		['&#x110000;', 'U+10FFFF'],
		['&#1114112;', 'U+10FFFF'],
		['&#99999999999999999999999999;', 'U+10FFFF'],
		['&#x100000000000041;', 'U+10FFFF'],
	])('rejects the invalid character reference %s', (ref, mentioned) => {
		const error = readError(`<xml><a>${ref}</a></xml>`);
		expect(error.reason).toBe('malformed');
		expect(error.message).toContain(mentioned);
		expect(error.message).toContain('<a>');
	});

	it.each(['&#;', '&#x;', '&#X41;', '&#65', '&#x4G;', '&#-1;', '&# 65;', '&#65 ;'])(
		'rejects the badly written reference %s',
		(ref) => {
			expect(readError(`<xml><a>${ref}</a></xml>`).reason).toBe('malformed');
		},
	);

	it.each(['&nbsp;', '&copy;', '&AMP;', '&Lt;', '&xxe;', '&lol9;'])(
		'rejects the unknown named entity %s',
		(entity) => {
			const error = readError(`<xml><a>${entity}</a></xml>`);
			expect(error.reason).toBe('malformed');
			expect(error.message).toContain(`unknown entity ${entity}`);
		},
	);

	it.each(['a & b', 'a &amp b', '&', 'AT&T', '&;'])('rejects a bare ampersand in %j', (text) => {
		expect(readError(`<xml><a>${text}</a></xml>`).reason).toBe('malformed');
	});
});

describe('readXml: DTDs are refused', () => {
	const billionLaughs = [
		'<?xml version="1.0"?>',
		'<!DOCTYPE lolz [',
		' <!ENTITY lol "lol">',
		' <!ELEMENT lolz (#PCDATA)>',
		' <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">',
		' <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">',
		' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">',
		' <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">',
		']>',
		'<lolz>&lol9;</lolz>',
	].join('\n');
	const xxe =
		'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' +
		'<xml><ToUserName>corp</ToUserName><Content>&xxe;</Content></xml>';
	const parameterEntity =
		'<!DOCTYPE xml [<!ENTITY % remote SYSTEM "http://127.0.0.1:1/evil.dtd">%remote;]><xml/>';

	it.each([
		['billion laughs', billionLaughs],
		['XXE (external entity)', xxe],
		['parameter entity', parameterEntity],
		['public DOCTYPE', '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x.dtd"><xml/>'],
		['lower-case doctype', '<!doctype xml><xml/>'],
		['DOCTYPE after the root', '<xml/><!DOCTYPE xml>'],
		['DOCTYPE inside an element', '<xml><a><!DOCTYPE xml></a></xml>'],
		['ENTITY inside an element', '<xml><!ENTITY x "y"><a>&x;</a></xml>'],
		['ENTITY alone before the root', '<!ENTITY x "y"><xml/>'],
		['ATTLIST', '<xml><!ATTLIST a b CDATA "c"></xml>'],
		['truncated DOCTYPE', '<!DOCTYPE'],
		['DOCTYPE in a Buffer', Buffer.from(xxe, 'utf8')],
	])('refuses %s with reason doctype', (_label, xml) => {
		const error = readError(xml);
		expect(error.reason).toBe('doctype');
		expect(error.message).toMatch(/DOCTYPE|ENTITY|ATTLIST|ELEMENT/);
		expect(error.message).not.toContain('passwd');
	});

	it('treats DTD-like text inside CDATA or a comment as text, since it is not markup there', () => {
		expect(
			read(
				'<xml><!-- <!DOCTYPE x> --><Content><![CDATA[<!DOCTYPE html><!ENTITY x "y">]]></Content></xml>',
			),
		).toEqual({ Content: '<!DOCTYPE html><!ENTITY x "y">' });
	});
});

describe('readXml: size and depth limits', () => {
	it(`accepts up to ${XML_DEFAULT_MAX_BYTES} bytes by default and refuses one byte more`, () => {
		const frame = '<xml><a></a></xml>';
		const filler = 'x'.repeat(XML_DEFAULT_MAX_BYTES - frame.length);
		const atLimit = `<xml><a>${filler}</a></xml>`;
		expect(Buffer.byteLength(atLimit)).toBe(XML_DEFAULT_MAX_BYTES);
		expect(read(atLimit).a).toHaveLength(filler.length);
		const error = readError(`<xml><a>${filler}x</a></xml>`);
		expect(error.reason).toBe('too_large');
		expect(error.message).toContain(String(XML_DEFAULT_MAX_BYTES));
		expect(readError(Buffer.from(`<xml><a>${filler}x</a></xml>`)).reason).toBe('too_large');
	});

	it('counts UTF-8 bytes, not characters', () => {
		// 400 000 characters, 1 200 000+ bytes: short enough by length, too large by bytes.
		const text = `<xml><a>${'中'.repeat(400_000)}</a></xml>`;
		expect(text.length).toBeLessThan(XML_DEFAULT_MAX_BYTES);
		const error = readError(text);
		expect(error.reason).toBe('too_large');
		expect(error.message).toContain(`${Buffer.byteLength(text)} bytes`);
		expect(readError(Buffer.from(text, 'utf8')).reason).toBe('too_large');
	});

	it('honours maxBytes', () => {
		const xml = '<xml><a>中</a></xml>';
		const bytes = Buffer.byteLength(xml);
		expect(read(xml, { maxBytes: bytes })).toEqual({ a: '中' });
		expect(readError(xml, { maxBytes: bytes - 1 }).reason).toBe('too_large');
		expect(readError(Buffer.from(xml), { maxBytes: bytes - 1 }).reason).toBe('too_large');
	});

	function nested(depth: number): string {
		return '<e>'.repeat(depth) + 'v' + '</e>'.repeat(depth);
	}

	it(`accepts ${XML_DEFAULT_MAX_DEPTH} levels by default and refuses one more`, () => {
		let value: XmlValue = readXml(nested(XML_DEFAULT_MAX_DEPTH)).value;
		for (let level = 2; level < XML_DEFAULT_MAX_DEPTH; level++) value = obj(obj(value).e);
		expect(obj(value).e).toBe('v');
		const error = readError(nested(XML_DEFAULT_MAX_DEPTH + 1));
		expect(error.reason).toBe('too_deep');
		expect(error.message).toContain(`${XML_DEFAULT_MAX_DEPTH} levels`);
		expect(error.message).toContain('<e>');
	});

	it('counts self-closing elements towards the depth', () => {
		expect(readXml('<a><b/></a>', { maxDepth: 2 }).value).toEqual({ b: '' });
		expect(readError('<a><b><c/></b></a>', { maxDepth: 2 }).reason).toBe('too_deep');
	});

	it('stops hostile nesting early, without recursion', () => {
		expect(readError('<a>'.repeat(200_000)).reason).toBe('too_deep');
		// With the limit lifted the reader itself still copes (it keeps an explicit stack).
		const deep = readXml(nested(100_000), { maxDepth: 1_000_000, maxBytes: 4_000_000 });
		expect(deep.rootName).toBe('e');
		expect(readError('<a>'.repeat(100_000), { maxDepth: 1_000_000 }).reason).toBe('malformed');
	});

	it('rejects nonsensical limits as a programming error', () => {
		expect(() => readXml('<xml/>', { maxBytes: 0 })).toThrow(RangeError);
		expect(() => readXml('<xml/>', { maxDepth: 1.5 })).toThrow(RangeError);
		expect(() => readXml('<xml/>', { maxBytes: Number.NaN })).toThrow(RangeError);
	});
});

describe('readXml: malformed input', () => {
	const cases: Array<[string, string, string[]]> = [
		['mismatched tags', '<xml><a></b></xml>', ['</b>', '<a>', 'line 1, column 9']],
		['unclosed element', '<xml><ApprovalInfo><SpNo>1</SpNo>', ['<ApprovalInfo>', 'not closed']],
		['unclosed root', '<xml>', ['<xml>', 'not closed']],
		['text after the root', '<xml></xml>trailing', ['after the root element <xml>']],
		['two roots', '<xml></xml><xml></xml>', ['second root element <xml>']],
		['text before the root', 'hello<xml/>', ['before the root element']],
		['only text', 'hello', ['before the root element']],
		['no root, only a comment', '<!-- c -->', ['no root element']],
		['< in text', '<xml><a>1 < 2</a></xml>', ['&lt;', '<a>']],
		['< at the end of text', '<xml><a>1 <', ['<a>']],
		['stray ]]> in text', '<xml><a>x ]]> y</a></xml>', [']]>', '<a>']],
		['stray ]]]> in text', '<xml><a>]]]></a></xml>', [']]>']],
		['unterminated CDATA', '<xml><a><![CDATA[abc</a></xml>', ['CDATA', '<a>']],
		['CDATA before the root', '<![CDATA[x]]><xml/>', ['CDATA']],
		['CDATA after the root', '<xml/><![CDATA[x]]>', ['CDATA']],
		['unterminated comment', '<xml><!-- abc</xml>', ['comment']],
		['-- inside a comment', '<xml><!-- a -- b --></xml>', ['--']],
		['unknown <! markup', '<xml><!foo></xml>', ['<!']],
		['closing tag first', '</xml>', ['closing tag']],
		['closing tag after the root', '<xml/></xml>', ['closing tag after the root element <xml>']],
		['unterminated start tag', '<xml', ['<xml>']],
		['unterminated closing tag', '<xml></xml', ['</xml>']],
		['junk in a closing tag', '<xml></xml x>', ['</xml>']],
		['space before the closing name', '<xml></ xml>', ['</']],
		['slash without >', '<xml><a/ ></xml>', ['<a>']],
		['name starting with a digit', '<1a></1a>', ['<']],
		['name starting with a dash inside', '<xml><-a/></xml>', ['<xml>']],
		['empty tag', '<xml><></></xml>', ['<xml>']],
		['control character in text', '<xml><a>x\u0001y</a></xml>', ['U+0001', '<a>']],
		['NUL in CDATA', '<xml><a><![CDATA[\u0000]]></a></xml>', ['U+0000']],
		['unpaired high surrogate', '<xml><a>\uD800x</a></xml>', ['U+D800']],
		['unpaired low surrogate', '<xml><a>\uDC00</a></xml>', ['U+DC00']],
		['U+FFFF in text', '<xml><a>\uFFFF</a></xml>', ['U+FFFF']],
		['declaration after the root', '<xml/><?xml version="1.0"?>', ['declaration']],
		['declaration inside the root', '<xml><?xml version="1.0"?></xml>', ['declaration']],
		['second declaration', '<?xml version="1.0"?><?xml version="1.0"?><xml/>', ['declaration']],
		['PI without a target', '<? x ?><xml/>', ['<?']],
		['unterminated PI', '<xml><?pi x', ['processing instruction']],
	];

	it.each(cases)('refuses %s', (_label, xml, fragments) => {
		const error = readError(xml);
		expect(error.reason).toBe('malformed');
		expect(error.message).toMatch(/^Malformed XML: /);
		expect(error.message).toMatch(/line \d+, column \d+/);
		for (const fragment of fragments) expect(error.message).toContain(fragment);
		expect(error.line).toBeGreaterThanOrEqual(1);
		expect(error.column).toBeGreaterThanOrEqual(1);
	});

	it('reports the line and column of the problem', () => {
		const error = readError('<xml>\n  <a>1</a>\n  <b>2</c>\n</xml>');
		expect(error.reason).toBe('malformed');
		expect(error.line).toBe(3);
		expect(error.column).toBe(7);
		expect(error.message).toContain(
			'closing tag </c> does not match <b> opened at line 3, column 3',
		);
	});

	it('does not echo payload text in error messages', () => {
		const error = readError('<xml><Secret><![CDATA[s3cr3t-value]]></Secret><Broken></xml>');
		expect(error.reason).toBe('malformed');
		expect(error.message).not.toContain('s3cr3t');
		const entity = readError('<xml><Secret>s3cr3t-value &bogus;</Secret></xml>');
		expect(entity.message).not.toContain('s3cr3t');
	});

	it('clips very long element names in messages', () => {
		const name = 'N'.repeat(10_000);
		const error = readError(`<xml><${name}></xml>`);
		expect(error.reason).toBe('malformed');
		expect(error.message.length).toBeLessThan(300);
	});

	it('refuses a Buffer that is not UTF-8', () => {
		const error = readError(Buffer.from([0x3c, 0x78, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x78, 0x3e]));
		expect(error.reason).toBe('malformed');
		expect(error.message).toContain('UTF-8');
	});
});

describe('readXml: empty and odd input', () => {
	it.each([
		['empty string', ''],
		['whitespace', ' \n\t\r\n '],
		['BOM only', '\uFEFF'],
		['empty Buffer', Buffer.alloc(0)],
		['undefined', undefined],
		['null', null],
	])('refuses %s as empty', (_label, input) => {
		expect(readError(input).reason).toBe('empty');
	});

	it.each([
		['a number', 42],
		['an object', { xml: '' }],
		['an array', ['<xml/>']],
	])('refuses %s as malformed instead of crashing', (_label, input) => {
		expect(readError(input).reason).toBe('malformed');
	});

	it('accepts a Uint8Array like a Buffer', () => {
		expect(read(new TextEncoder().encode('<xml><a>中</a></xml>') as Buffer)).toEqual({ a: '中' });
	});
});

describe('readXml: prototype pollution is harmless', () => {
	it.each(['__proto__', 'constructor', 'prototype'])('refuses the element name %s', (name) => {
		const error = readError(`<xml><${name}><polluted>yes</polluted></${name}></xml>`);
		expect(error.reason).toBe('malformed');
		expect(error.message).toContain(`<${name}>`);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
	});

	it('refuses them nested and repeated too, and as the root', () => {
		for (const xml of [
			'<xml><a><b><__proto__>x</__proto__></b></a></xml>',
			'<xml><constructor/><constructor/></xml>',
			'<__proto__><polluted>yes</polluted></__proto__>',
		]) {
			expect(readError(xml).reason).toBe('malformed');
		}
		expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
	});

	it('treats names of Object.prototype members as ordinary own keys', () => {
		const value = read(
			'<xml><toString>a</toString><hasOwnProperty>b</hasOwnProperty><hasOwnProperty>c</hasOwnProperty>' +
				'<valueOf><x>1</x></valueOf><__defineGetter__>d</__defineGetter__><isPrototypeOf/></xml>',
			{ listFields: new Set(['toString']) },
		);
		expect(Object.keys(value)).toEqual([
			'toString',
			'hasOwnProperty',
			'valueOf',
			'__defineGetter__',
			'isPrototypeOf',
		]);
		expect(value.toString).toEqual(['a']);
		expect(value.hasOwnProperty).toEqual(['b', 'c']);
		expect(value.valueOf).toEqual({ x: '1' });
		expect(value.isPrototypeOf).toBe('');
		expect(JSON.parse(JSON.stringify(value))).toEqual(value);
		expect(typeof ({} as { toString: unknown }).toString).toBe('function');
	});
});

describe('readXml: fuzzing never throws anything but XmlReadError', () => {
	const REASONS: ReadonlySet<XmlErrorReason> = new Set([
		'empty',
		'too_large',
		'doctype',
		'malformed',
		'too_deep',
	]);
	const PIECES = [
		'<',
		'>',
		'/',
		'&',
		';',
		'#',
		'x',
		'#x',
		']]>',
		'<![CDATA[',
		']]',
		'<!--',
		'-->',
		'--',
		'<?',
		'?>',
		'<!DOCTYPE',
		'<!ENTITY',
		'"',
		"'",
		'=',
		' ',
		'\n',
		'\r',
		'\u0000',
		'\uD800',
		'\uDFFF',
		'\uFFFE',
		'\uFEFF',
		'中',
		'😀',
		'&amp;',
		'&#0;',
		'&#x10FFFF;',
		'&lt',
		'<a>',
		'</a>',
		'<a/>',
		'<SpRecord>',
		'</SpRecord>',
		'__proto__',
		'<__proto__>',
		'constructor',
		'a="1"',
		'<?xml version="1.0"?>',
	];

	function mutate(base: string, random: () => number): string {
		let text = base;
		const rounds = random() < 0.6 ? 1 : 2 + Math.floor(random() * 3);
		for (let r = 0; r < rounds; r++) {
			let at = Math.floor(random() * (text.length + 1));
			// Half the time, cut at a tag boundary, where inserted markup is read as markup, not as CDATA text.
			if (random() < 0.5) {
				const boundary = text.indexOf('>', at);
				if (boundary >= 0) at = boundary + 1;
			}
			const span = Math.floor(random() * 40);
			switch (Math.floor(random() * 6)) {
				case 0:
					text = text.slice(0, at) + text.slice(at + span);
					break;
				case 1:
					text = text.slice(0, at) + PIECES[Math.floor(random() * PIECES.length)] + text.slice(at);
					break;
				case 2:
					text = text.slice(0, at) + text.slice(at, at + span).repeat(2) + text.slice(at + span);
					break;
				case 3:
					text = text.slice(0, at);
					break;
				case 4: {
					const other = Math.floor(random() * text.length);
					text = text.slice(0, at) + text.charAt(other) + text.slice(at + 1);
					break;
				}
				default:
					text =
						text.slice(0, at) +
						String.fromCharCode(Math.floor(random() * 0x10000)) +
						text.slice(at + 1);
			}
		}
		return text;
	}

	function attempt(input: string | Buffer, options: XmlReadOptions): 'ok' | XmlErrorReason {
		let result: XmlReadResult | undefined;
		let thrown: unknown;
		try {
			result = readXml(input, options);
		} catch (error) {
			thrown = error;
		}
		if (result === undefined) {
			if (thrown instanceof XmlReadError && REASONS.has(thrown.reason)) return thrown.reason;
			throw new Error(`readXml threw ${String(thrown)} for ${JSON.stringify(input.toString())}`);
		}
		expect(result.rootName.length).toBeGreaterThan(0);
		expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
		expect(typeof JSON.stringify(result.value)).toBe('string');
		return 'ok';
	}

	it('survives 5000 mutations of the approval sample (seed 0x5eed)', () => {
		const random = mulberry32(0x5eed);
		const seen = new Map<string, number>();
		for (let n = 0; n < 5000; n++) {
			const text = mutate(APPROVAL_XML, random);
			const options: XmlReadOptions = { listFields: WECOM_XML_LIST_FIELDS };
			if (n % 10 === 0) options.maxDepth = 1 + (n % 7);
			const outcome = attempt(n % 5 === 0 ? Buffer.from(text, 'utf8') : text, options);
			seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
		}
		// The mutations must exercise both sides, or the loop proves nothing.
		expect(seen.get('ok')).toBeGreaterThan(200);
		expect(seen.get('malformed')).toBeGreaterThan(2000);
		expect(seen.get('doctype')).toBeGreaterThan(5);
		expect(seen.get('too_deep')).toBeGreaterThan(50);
	});

	it('survives 2000 random byte strings (seed 0xb17e5)', () => {
		const random = mulberry32(0xb17e5);
		const alphabet = Buffer.from('<>/&;#x[]!-?="\' \nabcCDATA', 'latin1');
		for (let n = 0; n < 2000; n++) {
			const bytes = Buffer.alloc(Math.floor(random() * 64));
			for (let k = 0; k < bytes.length; k++) {
				bytes[k] =
					random() < 0.8
						? alphabet[Math.floor(random() * alphabet.length)]
						: Math.floor(random() * 256);
			}
			attempt(bytes, {});
			attempt(bytes.toString('latin1'), { listFields: WECOM_XML_LIST_FIELDS });
		}
	});
});
