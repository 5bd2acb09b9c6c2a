/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
import FormDataPackage from 'form-data';

import {
	MultipartError,
	boundaryOf,
	encodeMultipart,
	parseHeaderParams,
	parseMultipart,
} from './multipart';

const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe('multipart/form-data parser', () => {
	it('round-trips fields and binary files, every byte value included', () => {
		// Bytes that look like the delimiter's start must not end the part early.
		const tricky = Buffer.concat([allBytes, Buffer.from('\r\n--'), allBytes, Buffer.from('\r\n')]);
		const { body, contentType } = encodeMultipart([
			{ name: 'type', value: 'file' },
			{
				name: 'media',
				filename: 'blob.bin',
				contentType: 'application/octet-stream',
				data: tricky,
			},
			{ name: 'note', value: '备注 ✓' },
		]);
		const parsed = parseMultipart(body, contentType);
		expect(parsed.fields).toEqual({ type: 'file', note: '备注 ✓' });
		expect(parsed.files).toHaveLength(1);
		expect(parsed.files[0]).toMatchObject({
			field: 'media',
			filename: 'blob.bin',
			contentType: 'application/octet-stream',
		});
		expect(parsed.files[0].data.equals(tricky)).toBe(true);
	});

	it('reads raw UTF-8 Chinese file names', () => {
		const { body, contentType } = encodeMultipart([
			{
				name: 'media',
				filename: '报销单（三月）.pdf',
				contentType: 'application/pdf',
				data: allBytes,
			},
		]);
		expect(body.includes(Buffer.from('报销单（三月）.pdf', 'utf8'))).toBe(true);
		const [file] = parseMultipart(body, contentType).files;
		expect(file.filename).toBe('报销单（三月）.pdf');
		expect(file.data.equals(allBytes)).toBe(true);
	});

	it('reads RFC 5987 filename* in preference to filename', () => {
		const boundary = 'XyZ';
		const body = Buffer.from(
			`--${boundary}\r\n` +
				`Content-Disposition: form-data; name="media"; filename="fallback.txt"; filename*=UTF-8''%E5%90%88%E5%90%8C.txt\r\n` +
				'Content-Type: text/plain\r\n\r\n' +
				'hello world\r\n' +
				`--${boundary}--\r\n`,
		);
		const [file] = parseMultipart(body, `multipart/form-data; boundary="${boundary}"`).files;
		expect(file.filename).toBe('合同.txt');
		expect(file.data.toString()).toBe('hello world');
	});

	it("reads what Node's own FormData (undici) sends", async () => {
		const form = new FormData();
		form.append('title', '标题 "quoted"');
		form.append('media', new Blob([allBytes], { type: 'image/png' }), '截图 "一".png');
		const req = new Request('http://127.0.0.1/upload', { method: 'POST', body: form });
		const body = Buffer.from(await req.arrayBuffer());
		const parsed = parseMultipart(body, req.headers.get('content-type') ?? undefined);
		expect(parsed.fields.title).toBe('标题 "quoted"');
		expect(parsed.files[0]).toMatchObject({
			field: 'media',
			filename: '截图 "一".png',
			contentType: 'image/png',
		});
		expect(parsed.files[0].data.equals(allBytes)).toBe(true);
	});

	it('reads what the form-data package (axios, n8n) sends', () => {
		const form = new FormDataPackage();
		form.append('media', allBytes, { filename: '语音.amr', contentType: 'audio/amr' });
		const parsed = parseMultipart(
			form.getBuffer(),
			`multipart/form-data; boundary=${form.getBoundary()}`,
		);
		expect(parsed.files[0]).toMatchObject({
			field: 'media',
			filename: '语音.amr',
			contentType: 'audio/amr',
		});
		expect(parsed.files[0].data.equals(allBytes)).toBe(true);
	});

	it('skips preamble and epilogue, tolerates transport padding, keeps empty parts', () => {
		const body = Buffer.from(
			'This is the preamble.\r\n' +
				'--b1  \r\n' +
				'Content-Disposition: form-data; name="empty"\r\n\r\n' +
				'\r\n' +
				'--b1\r\n' +
				'content-disposition: form-data; name=plain; filename=a.txt\r\n\r\n' +
				'abc\r\n' +
				'--b1--\r\n' +
				'epilogue',
		);
		const parsed = parseMultipart(body, 'multipart/form-data; boundary=b1');
		expect(parsed.fields).toEqual({ empty: '' });
		expect(parsed.files[0]).toMatchObject({
			field: 'plain',
			filename: 'a.txt',
			contentType: 'application/octet-stream',
		});
		expect(parsed.files[0].data.toString()).toBe('abc');
	});

	it('keeps Windows back-slashes in file names', () => {
		const body = Buffer.from(
			'--b\r\nContent-Disposition: form-data; name="media"; filename="C:\\tmp\\a.png"\r\n\r\nxxxxxx\r\n--b--',
		);
		expect(parseMultipart(body, 'multipart/form-data; boundary=b').files[0].filename).toBe(
			'C:\\tmp\\a.png',
		);
	});

	it.each([
		['no content type', undefined, '--b\r\n\r\n--b--', /no Content-Type/],
		['another content type', 'application/json', '{}', /not multipart/],
		['no boundary', 'multipart/form-data', '--b--', /boundary/],
		['boundary never used', 'multipart/form-data; boundary=zz', 'hello', /never occurs/],
		[
			'no closing boundary',
			'multipart/form-data; boundary=b',
			'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\nvalue',
			/closing boundary/,
		],
		[
			'no Content-Disposition',
			'multipart/form-data; boundary=b',
			'--b\r\nContent-Type: text/plain\r\n\r\nvalue\r\n--b--',
			/Content-Disposition/,
		],
		[
			'a nameless part',
			'multipart/form-data; boundary=b',
			'--b\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--b--',
			/with a name/,
		],
		[
			'headers never end',
			'multipart/form-data; boundary=b',
			'--b\r\nContent-Disposition: form-data; name="x"',
			/end of headers/,
		],
	])('rejects %s', (_name, contentType, body, message) => {
		expect(() => parseMultipart(Buffer.from(body), contentType)).toThrow(MultipartError);
		expect(() => parseMultipart(Buffer.from(body), contentType)).toThrow(message);
	});

	it('parses header parameters with quoted values', () => {
		expect(parseHeaderParams('form-data; name="a;b"; filename="x\\"y.txt"; size=3')).toEqual({
			value: 'form-data',
			params: { name: 'a;b', filename: 'x"y.txt', size: '3' },
		});
		expect(boundaryOf('Multipart/Form-Data; Boundary="abc def"')).toBe('abc def');
	});
});
