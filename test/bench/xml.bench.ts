// XML reader throughput and memory. Run: npx ts-node --transpile-only test/bench/xml.bench.ts
// (add `node --expose-gc -r ts-node/register/transpile-only` for heap figures taken after a full GC).
// Prints figures only; nothing here is asserted.
/* eslint-disable no-console, @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- a Node script run by hand, not shipped */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
	XML_DEFAULT_MAX_BYTES,
	XmlReadError,
	readXml,
	type XmlReadResult,
} from '../../nodes/shared/xml';
import { WECOM_XML_LIST_FIELDS } from '../../nodes/WeCom/xmlLists';

const PARSES = 10_000;
const WARMUP = 1_000;
const OPTIONS = { listFields: WECOM_XML_LIST_FIELDS };
const MIB = 1024 * 1024;

const gc = (globalThis as { gc?: () => void }).gc;

function heapUsed(): number {
	gc?.();
	return process.memoryUsage().heapUsed;
}

function mb(bytes: number): string {
	return (bytes / MIB).toFixed(1);
}

function approvalThroughput(): void {
	const xml = readFileSync(join(__dirname, '../fixtures/approval-event.xml'), 'utf8');
	const bytes = Buffer.byteLength(xml);
	for (let i = 0; i < WARMUP; i++) readXml(xml, OPTIONS);

	const start = process.hrtime.bigint();
	for (let i = 0; i < PARSES; i++) readXml(xml, OPTIONS);
	const seconds = Number(process.hrtime.bigint() - start) / 1e9;

	const asBuffer = Buffer.from(xml, 'utf8');
	const bufferStart = process.hrtime.bigint();
	for (let i = 0; i < PARSES; i++) readXml(asBuffer, OPTIONS);
	const bufferSeconds = Number(process.hrtime.bigint() - bufferStart) / 1e9;

	// Keep every result alive to see what 10k parsed approvals cost, then drop them.
	const before = heapUsed();
	const rssBefore = process.memoryUsage().rss;
	const kept: XmlReadResult[] = [];
	for (let i = 0; i < PARSES; i++) kept.push(readXml(xml, OPTIONS));
	const retained = heapUsed() - before;
	const rssGrowth = process.memoryUsage().rss - rssBefore;
	kept.length = 0;
	const afterRelease = heapUsed() - before;

	console.log(`approval-event.xml: ${bytes} bytes, ${PARSES} parses`);
	console.log(
		`  string input : ${((seconds / PARSES) * 1e6).toFixed(1)} µs/parse, ` +
			`${((bytes * PARSES) / MIB / seconds).toFixed(1)} MB/s, ${(PARSES / seconds).toFixed(0)} parses/s`,
	);
	console.log(
		`  Buffer input : ${((bufferSeconds / PARSES) * 1e6).toFixed(1)} µs/parse, ` +
			`${((bytes * PARSES) / MIB / bufferSeconds).toFixed(1)} MB/s (includes strict UTF-8 decoding)`,
	);
	console.log(
		`  memory       : ${mb(retained)} MB heap holding all ${PARSES} results ` +
			`(${(retained / PARSES / 1024).toFixed(1)} KiB each), RSS +${mb(rssGrowth)} MB, ` +
			`${mb(afterRelease)} MB left after release${gc ? '' : ' (no --expose-gc: figures include garbage)'}`,
	);
}

// Inputs close to the 1 MiB limit, shaped to stress one part of the reader each.
function fill(head: string, unit: string, tail: string, limit = XML_DEFAULT_MAX_BYTES): string {
	const room = limit - Buffer.byteLength(head) - Buffer.byteLength(tail);
	return head + unit.repeat(Math.floor(room / Buffer.byteLength(unit))) + tail;
}

function worstCases(): Array<[string, string]> {
	return [
		[
			'repeated list elements (<item>)',
			fill('<xml><PicList>', '<item><M>x</M></item>', '</PicList></xml>'),
		],
		['repeated siblings, no list field', fill('<xml>', '<a/>', '</xml>')],
		['distinct element names', distinctNames()],
		['one long CDATA (Chinese)', fill('<xml><Content><![CDATA[', '审批', ']]></Content></xml>')],
		[
			'CDATA of "]" runs (near-miss ]]>)',
			fill('<xml><a><![CDATA[', ']]]]]]]>'.slice(0, 7), ']]></a></xml>'),
		],
		['entity-dense text', fill('<xml><a>', '&amp;&#x4E2D;', '</a></xml>')],
		['CRLF-dense text', fill('<xml><a>', 'x\r\n', '</a></xml>')],
		['many attributes (quoted >, entities)', manyAttributes()],
		[
			'nesting at maxDepth, repeated',
			fill('<xml>', '<e>'.repeat(63) + '</e>'.repeat(63), '</xml>'),
		],
		['comments between elements', fill('<xml>', '<!-- - - - --><a>1</a>', '</xml>')],
		['unclosed at the very end (error path)', fill('<xml><a>', 'x', '', XML_DEFAULT_MAX_BYTES)],
		['unknown entity at the very end (error path)', fill('<xml><a>', 'y', '&bogus;</a></xml>')],
	];
}

function manyAttributes(): string {
	let body = '';
	for (let i = 0; Buffer.byteLength(body) < XML_DEFAULT_MAX_BYTES - 64; i++)
		body += ` k${i}='v>&amp;'`;
	return `<xml><a${body}/></xml>`;
}

function distinctNames(): string {
	let body = '';
	for (let i = 0; Buffer.byteLength(body) < XML_DEFAULT_MAX_BYTES - 64; i++) body += `<n${i}/>`;
	return `<xml>${body}</xml>`;
}

function worstCaseTimes(): void {
	console.log(`\nworst-case inputs (each <= ${XML_DEFAULT_MAX_BYTES} bytes), best of 5 runs:`);
	for (const [label, xml] of worstCases()) {
		const bytes = Buffer.byteLength(xml);
		let best = Infinity;
		let outcome = '';
		for (let run = 0; run < 5; run++) {
			const start = process.hrtime.bigint();
			try {
				readXml(xml, OPTIONS);
				outcome = 'read';
			} catch (error) {
				outcome =
					error instanceof XmlReadError ? `refused: ${error.reason}` : `CRASH: ${String(error)}`;
			}
			best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
		}
		console.log(
			`  ${label.padEnd(44)} ${mb(bytes).padStart(4)} MB  ${best.toFixed(1).padStart(7)} ms  ` +
				`${(bytes / MIB / (best / 1e3)).toFixed(0).padStart(5)} MB/s  ${outcome}`,
		);
	}
	const oversize = 'x'.repeat(64 * MIB);
	const start = process.hrtime.bigint();
	let outcome = '';
	try {
		readXml(oversize);
	} catch (error) {
		outcome = error instanceof XmlReadError ? error.reason : String(error);
	}
	const ms = Number(process.hrtime.bigint() - start) / 1e6;
	console.log(
		`  ${'64 MiB string (size check only)'.padEnd(44)} 64.0 MB  ${ms.toFixed(3).padStart(7)} ms  ${outcome}`,
	);
}

approvalThroughput();
worstCaseTimes();
