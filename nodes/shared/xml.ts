// A small, strict XML reader for decrypted callback payloads. n8n community nodes may not ship an XML
// library, and the payloads only need elements, text and CDATA, so everything else is either skipped
// (declaration, comments, processing instructions, attributes) or refused (DTDs, unknown entities).
// One forward pass over the text with an explicit stack: linear time, no recursion, no regular expressions.

export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
	[name: string]: XmlValue;
}

export type XmlErrorReason = 'empty' | 'too_large' | 'doctype' | 'malformed' | 'too_deep';

export class XmlReadError extends Error {
	readonly reason: XmlErrorReason;
	/** 1-based line of the problem, when it has a place in the text. */
	readonly line?: number;
	/** 1-based column (UTF-16 code units) of the problem, when it has a place in the text. */
	readonly column?: number;

	constructor(reason: XmlErrorReason, message: string, line?: number, column?: number) {
		super(message);
		this.name = 'XmlReadError';
		this.reason = reason;
		this.line = line;
		this.column = column;
	}
}

export interface XmlReadOptions {
	/** Element names that always read as arrays, even when they occur once: list-ness is a property of the field. */
	listFields?: ReadonlySet<string>;
	/** Largest accepted input in UTF-8 bytes (default 1 MiB). */
	maxBytes?: number;
	/** Deepest accepted element nesting, the root counting as 1 (default 64). */
	maxDepth?: number;
}

export interface XmlReadResult {
	rootName: string;
	value: XmlObject;
}

export const XML_DEFAULT_MAX_BYTES = 1024 * 1024;
export const XML_DEFAULT_MAX_DEPTH = 64;

/** Key under which an element with child elements keeps its non-whitespace text. */
export const XML_TEXT_KEY = '#text';

// Names that would become prototype-sensitive keys in the plain objects handed to n8n (whose deep copy
// assigns keys, so an own "__proto__" would re-parent the copy). No callback uses them, so they are refused.
const FORBIDDEN_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

// Declarations that only exist in a DTD; any of them means entity definitions or external references.
const DTD_KEYWORDS: readonly string[] = ['DOCTYPE', 'ENTITY', 'ELEMENT', 'ATTLIST', 'NOTATION'];

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const BANG = 0x21;
const DQUOTE = 0x22;
const HASH = 0x23;
const AMP = 0x26;
const SQUOTE = 0x27;
const DASH = 0x2d;
const SLASH = 0x2f;
const SEMI = 0x3b;
const LT = 0x3c;
const EQ = 0x3d;
const GT = 0x3e;
const QMARK = 0x3f;
const RBRACKET = 0x5d;
const LOWER_X = 0x78;

// ASCII characters that need no attention inside text: everything but '<', '&', '>', CR and forbidden controls.
const PLAIN_TEXT = (() => {
	const table = new Uint8Array(128);
	for (let c = 0x20; c < 0x80; c++) table[c] = 1;
	table[TAB] = 1;
	table[LF] = 1;
	table[LT] = 0;
	table[AMP] = 0;
	table[GT] = 0;
	return table;
})();

const NAME_START = 1;
const NAME_CHAR = 2;
const ASCII_NAME = (() => {
	const table = new Uint8Array(128);
	for (let c = 0x41; c <= 0x5a; c++) table[c] = NAME_START;
	for (let c = 0x61; c <= 0x7a; c++) table[c] = NAME_START;
	table[0x5f] = NAME_START; // _
	table[0x3a] = NAME_START; // :
	for (let c = 0x30; c <= 0x39; c++) table[c] = NAME_CHAR;
	table[DASH] = NAME_CHAR;
	table[0x2e] = NAME_CHAR; // .
	return table;
})();

// XML 1.0 (5th ed.) NameStartChar beyond ASCII.
function isNameStartCodePoint(cp: number): boolean {
	if (cp < 0x80) return ASCII_NAME[cp] === NAME_START;
	return (
		(cp >= 0xc0 && cp <= 0xd6) ||
		(cp >= 0xd8 && cp <= 0xf6) ||
		(cp >= 0xf8 && cp <= 0x2ff) ||
		(cp >= 0x370 && cp <= 0x37d) ||
		(cp >= 0x37f && cp <= 0x1fff) ||
		(cp >= 0x200c && cp <= 0x200d) ||
		(cp >= 0x2070 && cp <= 0x218f) ||
		(cp >= 0x2c00 && cp <= 0x2fef) ||
		(cp >= 0x3001 && cp <= 0xd7ff) ||
		(cp >= 0xf900 && cp <= 0xfdcf) ||
		(cp >= 0xfdf0 && cp <= 0xfffd) ||
		(cp >= 0x10000 && cp <= 0xeffff)
	);
}

function isNameCodePoint(cp: number): boolean {
	if (cp < 0x80) return ASCII_NAME[cp] !== 0;
	return (
		isNameStartCodePoint(cp) ||
		cp === 0xb7 ||
		(cp >= 0x300 && cp <= 0x36f) ||
		(cp >= 0x203f && cp <= 0x2040)
	);
}

function isXmlChar(cp: number): boolean {
	return (
		cp === TAB ||
		cp === LF ||
		cp === CR ||
		(cp >= SPACE && cp <= 0xd7ff) ||
		(cp >= 0xe000 && cp <= 0xfffd) ||
		(cp >= 0x10000 && cp <= 0x10ffff)
	);
}

function isSpace(c: number): boolean {
	return c === SPACE || c === LF || c === TAB || c === CR;
}

function isWhitespaceOnly(text: string): boolean {
	for (let i = 0; i < text.length; i++) {
		if (!isSpace(text.charCodeAt(i))) return false;
	}
	return true;
}

// XML reads CRLF and a lone CR as LF.
function normalizeLineEnds(text: string): string {
	const parts: string[] = [];
	let start = 0;
	for (let k = 0; k < text.length; k++) {
		if (text.charCodeAt(k) === CR) {
			parts.push(text.slice(start, k));
			if (text.charCodeAt(k + 1) === LF) k++;
			start = k + 1;
		}
	}
	parts.push(text.slice(start));
	return parts.join('\n');
}

function hex(cp: number): string {
	return 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');
}

// Names go into messages so a failure can be located, but a hostile name must not make a huge message.
function clip(name: string): string {
	return name.length > 40 ? name.slice(0, 40) + '…' : name;
}

function positiveInteger(value: number | undefined, fallback: number, option: string): number {
	if (value === undefined) return fallback;
	if (!Number.isSafeInteger(value) || value < 1) {
		// A wrong option is a bug in the caller, not bad input, so it is not an XmlReadError.
		throw new RangeError(`readXml: ${option} must be a positive integer`);
	}
	return value;
}

function decodeUtf8(bytes: Uint8Array): string | null {
	try {
		// fatal: a payload that is not UTF-8 is refused rather than silently patched with U+FFFD;
		// the decoder also drops a leading BOM.
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		return null;
	}
}

function decodeInput(input: unknown, maxBytes: number): string {
	let text: string;
	if (typeof input === 'string') {
		// Every UTF-16 code unit needs at least one UTF-8 byte, so a long string is refused before counting.
		if (input.length > maxBytes) {
			throw new XmlReadError(
				'too_large',
				`XML input is larger than the limit of ${maxBytes} bytes (more than ${maxBytes} characters)`,
			);
		}
		const bytes = Buffer.byteLength(input, 'utf8');
		if (bytes > maxBytes) {
			throw new XmlReadError(
				'too_large',
				`XML input is ${bytes} bytes as UTF-8, larger than the limit of ${maxBytes} bytes`,
			);
		}
		text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
	} else if (input instanceof Uint8Array) {
		if (input.byteLength > maxBytes) {
			throw new XmlReadError(
				'too_large',
				`XML input is ${input.byteLength} bytes, larger than the limit of ${maxBytes} bytes`,
			);
		}
		const decoded = decodeUtf8(input);
		if (decoded === null) throw new XmlReadError('malformed', 'XML input is not valid UTF-8');
		text = decoded;
	} else if (input === undefined || input === null) {
		throw new XmlReadError('empty', 'XML input is empty');
	} else {
		throw new XmlReadError('malformed', 'XML input must be a string or a Buffer');
	}
	if (isWhitespaceOnly(text)) {
		throw new XmlReadError('empty', 'XML input is empty');
	}
	return text;
}

interface Frame {
	name: string;
	/** Offset of the element's '<', to say where an unclosed element was opened. */
	start: number;
	/** Character data since the last child-element boundary. */
	segment: string;
	/** Non-whitespace segments of an element that has child elements (mixed content). */
	mixed: string;
	/** Child elements; null while the element has none, so that it reads as a string. */
	children: XmlObject | null;
}

class Reader {
	private readonly src: string;
	private readonly end: number;
	private readonly listFields: ReadonlySet<string>;
	private readonly maxDepth: number;
	/** Open elements, innermost last. */
	private readonly stack: Frame[] = [];
	/** Name of the start tag being read, so that errors in its attributes point at it. */
	private tagName: string | null = null;
	/** Text of the last entity or character reference read by readReference. */
	private refText = '';

	constructor(src: string, listFields: ReadonlySet<string>, maxDepth: number) {
		this.src = src;
		this.end = src.length;
		this.listFields = listFields;
		this.maxDepth = maxDepth;
	}

	read(): XmlReadResult {
		const s = this.src;
		const n = this.end;
		let i = this.skipMisc(0, '');
		if (i >= n) throw this.fail('the document has no root element', i);

		const stack = this.stack;
		let rootName = '';
		let rootValue: XmlObject | null = null;

		while (rootValue === null) {
			if (i >= n) {
				const open = stack[stack.length - 1];
				throw this.fail(
					`unexpected end of input: <${clip(open.name)}> opened at ${this.where(open.start)} is not closed`,
					i,
					false,
				);
			}
			const c = s.charCodeAt(i);
			if (c === LT) {
				const next = s.charCodeAt(i + 1);
				if (next === SLASH) {
					const frame = stack[stack.length - 1];
					i = this.readEndTag(i, frame);
					stack.pop();
					const value = this.finish(frame);
					if (stack.length === 0) {
						rootName = frame.name;
						rootValue = typeof value === 'string' ? this.rootFromText(value) : value;
					} else {
						this.addChild(stack[stack.length - 1], frame.name, value);
					}
				} else if (next === BANG) {
					i = s.startsWith('<![CDATA[', i)
						? this.readCdata(i, stack[stack.length - 1])
						: this.readBang(i);
				} else if (next === QMARK) {
					i = this.readProcessingInstruction(i, false);
				} else {
					const opened = this.readStartTag(i, stack.length);
					const parent = stack.length > 0 ? stack[stack.length - 1] : null;
					if (parent !== null) this.closeSegment(parent);
					if (opened.selfClosing) {
						if (parent === null) {
							rootName = opened.name;
							rootValue = {};
						} else {
							this.addChild(parent, opened.name, '');
						}
					} else {
						stack.push({ name: opened.name, start: i, segment: '', mixed: '', children: null });
					}
					i = opened.next;
				}
			} else if (c === AMP) {
				i = this.readReference(i);
				stack[stack.length - 1].segment += this.refText;
			} else {
				i = this.readText(i, stack[stack.length - 1]);
			}
		}

		i = this.skipMisc(i, rootName);
		if (i < n) {
			// skipMisc only stops early at an element start.
			throw this.fail(
				`a second root element <${clip(s.slice(i + 1, this.scanName(i + 1)))}> follows <${clip(rootName)}>`,
				i,
			);
		}
		return { rootName, value: rootValue };
	}

	/** Reads `</name>` for the innermost open element and returns the index after it. */
	private readEndTag(i: number, frame: Frame): number {
		const s = this.src;
		const nameStart = i + 2;
		const nameEnd = this.scanName(nameStart);
		if (nameEnd === nameStart) throw this.fail("'</' is not followed by an element name", i);
		if (nameEnd - nameStart !== frame.name.length || !s.startsWith(frame.name, nameStart)) {
			throw this.fail(
				`closing tag </${clip(s.slice(nameStart, nameEnd))}> does not match <${clip(frame.name)}> ` +
					`opened at ${this.where(frame.start)}`,
				i,
				false,
			);
		}
		const j = this.skipSpace(nameEnd);
		if (j >= this.end) {
			throw this.fail(
				`unexpected end of input inside closing tag </${clip(frame.name)}>`,
				j,
				false,
			);
		}
		if (s.charCodeAt(j) !== GT) {
			throw this.fail(`closing tag </${clip(frame.name)}> has unexpected content`, j, false);
		}
		return j + 1;
	}

	/**
	 * Skips whitespace, comments and processing instructions before (rootName '') or after the root;
	 * stops at an element start.
	 */
	private skipMisc(from: number, rootName: string): number {
		const s = this.src;
		const n = this.end;
		const where =
			rootName === '' ? 'before the root element' : `after the root element <${clip(rootName)}>`;
		// Leading whitespace is tolerated before the declaration, as senders sometimes add it.
		let declarationAllowed = rootName === '';
		let i = from;
		while (i < n) {
			const c = s.charCodeAt(i);
			if (isSpace(c)) {
				i++;
				continue;
			}
			if (c !== LT) throw this.fail(`text ${where}`, i);
			const next = s.charCodeAt(i + 1);
			if (next === QMARK) {
				i = this.readProcessingInstruction(i, declarationAllowed);
			} else if (next === BANG) {
				if (s.startsWith('<![CDATA[', i))
					throw this.fail('CDATA section outside the root element', i);
				i = this.readBang(i);
			} else if (next === SLASH) {
				throw this.fail(`closing tag ${where}`, i);
			} else {
				if (this.scanName(i + 1) === i + 1)
					throw this.fail("'<' is not followed by an element name", i);
				return i;
			}
			declarationAllowed = false;
		}
		return i;
	}

	/** `<!--` comments, and DTD declarations, which are refused whatever their spelling. */
	private readBang(i: number): number {
		const s = this.src;
		if (s.startsWith('<!--', i)) return this.readComment(i);
		const word = s.slice(i + 2, i + 10).toUpperCase();
		for (const keyword of DTD_KEYWORDS) {
			if (word.startsWith(keyword)) {
				const [line, column] = this.lineColumn(i);
				throw new XmlReadError(
					'doctype',
					`XML with a <!${keyword}> declaration is refused (line ${line}, column ${column}): ` +
						'DTDs and entity definitions are never processed',
					line,
					column,
				);
			}
		}
		throw this.fail("'<!' must start a comment or a CDATA section", i);
	}

	private readComment(i: number): number {
		const close = this.src.indexOf('--', i + 4);
		if (close < 0) throw this.fail('unexpected end of input inside a comment', i);
		if (this.src.charCodeAt(close + 2) !== GT) throw this.fail("'--' inside a comment", close);
		this.checkChars(i + 4, close);
		return close + 3;
	}

	private readProcessingInstruction(i: number, mayBeDeclaration: boolean): number {
		const s = this.src;
		const n = this.end;
		const targetEnd = this.scanName(i + 2);
		if (targetEnd === i + 2) throw this.fail("'<?' is not followed by a target name", i);
		if (s.slice(i + 2, targetEnd).toLowerCase() === 'xml' && !mayBeDeclaration) {
			throw this.fail('the XML declaration may only open the document', i);
		}
		const j = targetEnd;
		if (j < n && !s.startsWith('?>', j) && !isSpace(s.charCodeAt(j))) {
			throw this.fail('malformed processing instruction', j);
		}
		const close = s.indexOf('?>', j);
		if (close < 0) throw this.fail('unexpected end of input inside a processing instruction', i);
		this.checkChars(j, close);
		return close + 2;
	}

	/** Reads `<name attr="..." ...>` or `<name .../>`; attributes are checked for well-formedness, then dropped. */
	private readStartTag(
		i: number,
		depth: number,
	): { name: string; selfClosing: boolean; next: number } {
		const s = this.src;
		const n = this.end;
		const nameEnd = this.scanName(i + 1);
		if (nameEnd === i + 1) throw this.fail("'<' in text must be written as &lt;", i);
		const name = s.slice(i + 1, nameEnd);
		if (FORBIDDEN_NAMES.has(name)) throw this.fail(`element name <${name}> is not allowed`, i);
		if (depth >= this.maxDepth) {
			throw new XmlReadError(
				'too_deep',
				`XML elements nest deeper than ${this.maxDepth} levels at <${clip(name)}> (${this.where(i)})`,
				...this.lineColumn(i),
			);
		}
		this.tagName = name;
		let seen: Set<string> | null = null;
		let j = nameEnd;
		for (;;) {
			const afterPrevious = j;
			j = this.skipSpace(j);
			if (j >= n) throw this.fail('unexpected end of input', j);
			const c = s.charCodeAt(j);
			if (c === GT || (c === SLASH && s.charCodeAt(j + 1) === GT)) {
				this.tagName = null;
				return { name, selfClosing: c === SLASH, next: c === SLASH ? j + 2 : j + 1 };
			}
			const attrEnd = this.scanName(j);
			if (attrEnd === j || afterPrevious === j) throw this.fail('unexpected character', j);
			const attrName = s.slice(j, attrEnd);
			const attr = clip(attrName);
			seen ??= new Set<string>();
			if (seen.has(attrName)) throw this.fail(`attribute ${attr} repeated`, j);
			seen.add(attrName);
			j = this.skipSpace(attrEnd);
			if (s.charCodeAt(j) !== EQ) throw this.fail(`attribute ${attr} has no value`, j);
			j = this.skipSpace(j + 1);
			const quote = s.charCodeAt(j);
			if (quote !== DQUOTE && quote !== SQUOTE) {
				throw this.fail(`value of attribute ${attr} is not quoted`, j);
			}
			j = this.skipAttributeValue(j + 1, quote);
		}
	}

	private skipAttributeValue(from: number, quote: number): number {
		const s = this.src;
		const n = this.end;
		let j = from;
		while (j < n) {
			const c = s.charCodeAt(j);
			if (c === quote) return j + 1;
			if (c === LT) throw this.fail("'<' inside an attribute value", j);
			j = c === AMP ? this.readReference(j) : this.stepChar(j, c);
		}
		throw this.fail('unexpected end of input inside an attribute value', from);
	}

	/** Character data up to the next markup or reference, with line ends normalised to LF as XML requires. */
	private readText(from: number, frame: Frame): number {
		const s = this.src;
		const n = this.end;
		let i = from;
		let sawCr = false;
		while (i < n) {
			const c = s.charCodeAt(i);
			if (c < 0x80 ? PLAIN_TEXT[c] === 1 : c < 0xd800) {
				i++;
			} else if (c === LT || c === AMP) {
				break;
			} else if (c === GT) {
				// The run started right after markup or a reference, so only ']]' inside it counts.
				if (i - 2 >= from && s.charCodeAt(i - 1) === RBRACKET && s.charCodeAt(i - 2) === RBRACKET) {
					throw this.fail("']]>' outside a CDATA section", i - 2);
				}
				i++;
			} else if (c === CR) {
				sawCr = true;
				i++;
			} else {
				i = this.stepChar(i, c);
			}
		}
		const text = s.slice(from, i);
		frame.segment += sawCr ? normalizeLineEnds(text) : text;
		return i;
	}

	/** Nothing inside CDATA is decoded; only line ends are normalised. */
	private readCdata(from: number, frame: Frame): number {
		const s = this.src;
		const start = from + 9;
		const close = s.indexOf(']]>', start);
		if (close < 0) throw this.fail('unexpected end of input inside a CDATA section', from);
		const sawCr = this.checkChars(start, close);
		const text = s.slice(start, close);
		frame.segment += sawCr ? normalizeLineEnds(text) : text;
		return close + 3;
	}

	/** Checks that start..end holds only characters XML allows; says whether it saw a CR. */
	private checkChars(start: number, end: number): boolean {
		const s = this.src;
		let sawCr = false;
		let k = start;
		while (k < end) {
			const c = s.charCodeAt(k);
			if (c >= SPACE && c < 0xd800) {
				k++;
			} else {
				if (c === CR) sawCr = true;
				k = this.stepChar(k, c);
			}
		}
		return sawCr;
	}

	/** Reads `&name;`, `&#ddd;` or `&#xhhh;` at i into refText and returns the index after it. */
	private readReference(i: number): number {
		const s = this.src;
		const n = this.end;
		let j = i + 1;
		if (s.charCodeAt(j) === HASH) {
			j++;
			const isHex = s.charCodeAt(j) === LOWER_X;
			if (isHex) j++;
			const digitsStart = j;
			let cp = 0;
			while (j < n) {
				const c = s.charCodeAt(j);
				let digit: number;
				if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
				else if (isHex && c >= 0x61 && c <= 0x66) digit = c - 0x57;
				else if (isHex && c >= 0x41 && c <= 0x46) digit = c - 0x37;
				else break;
				// Saturate so that a long run of digits cannot lose precision and wrap into a valid code point.
				cp = Math.min(cp * (isHex ? 16 : 10) + digit, 0x110000);
				j++;
			}
			if (j === digitsStart || s.charCodeAt(j) !== SEMI) {
				throw this.fail('a character reference must look like &#123; or &#x1F600;', i);
			}
			if (!isXmlChar(cp)) {
				throw this.fail(
					cp > 0x10ffff
						? 'character reference beyond U+10FFFF'
						: `character reference to ${hex(cp)}, which XML does not allow`,
					i,
				);
			}
			this.refText = String.fromCodePoint(cp);
			return j + 1;
		}
		const nameEnd = this.scanName(j);
		if (nameEnd === j || s.charCodeAt(nameEnd) !== SEMI) {
			throw this.fail("'&' must start an entity such as &amp;", i);
		}
		switch (s.slice(j, nameEnd)) {
			case 'lt':
				this.refText = '<';
				break;
			case 'gt':
				this.refText = '>';
				break;
			case 'amp':
				this.refText = '&';
				break;
			case 'quot':
				this.refText = '"';
				break;
			case 'apos':
				this.refText = "'";
				break;
			default:
				throw this.fail(`unknown entity &${clip(s.slice(j, nameEnd))};`, i);
		}
		return nameEnd + 1;
	}

	/** Validates one character that is not plain ASCII text and returns the index after it. */
	private stepChar(i: number, c: number): number {
		if ((c >= SPACE && c < 0xd800) || c === LF || c === TAB || c === CR) return i + 1;
		if (c >= 0xd800 && c <= 0xdbff) {
			const low = this.src.charCodeAt(i + 1);
			if (low >= 0xdc00 && low <= 0xdfff) return i + 2;
		}
		if (c >= 0xe000 && c <= 0xfffd) return i + 1;
		throw this.fail(`character ${hex(c)} is not allowed in XML`, i);
	}

	private scanName(from: number): number {
		const s = this.src;
		const n = this.end;
		let j = from;
		if (j >= n) return j;
		let c = s.charCodeAt(j);
		if (c < 0x80) {
			if (ASCII_NAME[c] !== NAME_START) return j;
			j++;
		} else {
			const cp = s.codePointAt(j) as number;
			if (!isNameStartCodePoint(cp)) return j;
			j += cp > 0xffff ? 2 : 1;
		}
		while (j < n) {
			c = s.charCodeAt(j);
			if (c < 0x80) {
				if (ASCII_NAME[c] === 0) break;
				j++;
			} else {
				const cp = s.codePointAt(j) as number;
				if (!isNameCodePoint(cp)) break;
				j += cp > 0xffff ? 2 : 1;
			}
		}
		return j;
	}

	private skipSpace(from: number): number {
		let j = from;
		while (j < this.end && isSpace(this.src.charCodeAt(j))) j++;
		return j;
	}

	/** A child element starts or the element ends: the character data before it is one segment. */
	private closeSegment(frame: Frame): void {
		frame.children ??= {};
		// Whitespace between child elements is layout; only real text survives, as mixed content.
		if (frame.segment !== '') {
			if (!isWhitespaceOnly(frame.segment)) frame.mixed += frame.segment;
			frame.segment = '';
		}
	}

	private finish(frame: Frame): string | XmlObject {
		if (frame.children === null) return frame.segment;
		this.closeSegment(frame);
		if (frame.mixed !== '') frame.children[XML_TEXT_KEY] = frame.mixed;
		return frame.children;
	}

	private rootFromText(text: string): XmlObject {
		return isWhitespaceOnly(text) ? {} : { [XML_TEXT_KEY]: text };
	}

	private addChild(parent: Frame, name: string, value: XmlValue): void {
		const children = parent.children as XmlObject;
		if (Object.hasOwn(children, name)) {
			const existing = children[name];
			// Element values are never arrays, so an array here is the list of earlier occurrences.
			if (Array.isArray(existing)) existing.push(value);
			else children[name] = [existing, value];
		} else {
			children[name] = this.listFields.has(name) ? [value] : value;
		}
	}

	private lineColumn(offset: number): [number, number] {
		const s = this.src;
		let line = 1;
		let lineStart = 0;
		const stop = Math.min(offset, this.end);
		for (let k = 0; k < stop; k++) {
			if (s.charCodeAt(k) === LF) {
				line++;
				lineStart = k + 1;
			}
		}
		return [line, stop - lineStart + 1];
	}

	private where(offset: number): string {
		const [line, column] = this.lineColumn(offset);
		return `line ${line}, column ${column}`;
	}

	/** A 'malformed' error that says where, and inside which element unless the message names it already. */
	private fail(message: string, offset: number, withContext = true): XmlReadError {
		const [line, column] = this.lineColumn(offset);
		const open = this.stack.length > 0 ? this.stack[this.stack.length - 1] : null;
		let context = '';
		if (withContext && this.tagName !== null)
			context = `in the start tag <${clip(this.tagName)}>, `;
		else if (withContext && open !== null) context = `inside <${clip(open.name)}>, `;
		return new XmlReadError(
			'malformed',
			`Malformed XML: ${message} (${context}line ${line}, column ${column})`,
			line,
			column,
		);
	}
}

/**
 * Reads a callback payload. `value` holds the root element's children: text-only elements as strings,
 * elements with children as objects, repeated elements (and those in `listFields`) as arrays in document order.
 * Any problem with the input is an XmlReadError; nothing else is thrown for any input.
 */
export function readXml(input: string | Buffer, options: XmlReadOptions = {}): XmlReadResult {
	const maxBytes = positiveInteger(options.maxBytes, XML_DEFAULT_MAX_BYTES, 'maxBytes');
	const maxDepth = positiveInteger(options.maxDepth, XML_DEFAULT_MAX_DEPTH, 'maxDepth');
	const text = decodeInput(input, maxBytes);
	const reader = new Reader(text, options.listFields ?? new Set<string>(), maxDepth);
	let failure: XmlReadError;
	try {
		return reader.read();
	} catch (error) {
		// Only a defect in the reader gets here with another error; callers are promised XmlReadError alone.
		failure =
			error instanceof XmlReadError
				? error
				: new XmlReadError('malformed', 'Malformed XML: the payload could not be read');
	}
	throw failure;
}
