import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { binaryItem, bytesOf, errorOf, multipartOf } from '../wecom/messagingSupport';
import { startDingTalk, type DingTalkTestEnv } from './setup';

const MB = 1024 * 1024;

const upload = (parameters: INodeParameters): INodeParameters => ({
	resource: 'media',
	operation: 'upload',
	...parameters,
});

describe('DingTalk Media', () => {
	let env: DingTalkTestEnv;

	beforeAll(async () => {
		env = await startDingTalk();
	});

	afterAll(async () => {
		await env.stop();
	});

	beforeEach(() => {
		env.emulator.calls.length = 0;
		env.emulator.clearFaults();
	});

	const uploads = () => env.emulator.callsTo('/media/upload');

	it.each([
		['image', '发票扫描件.jpg', 'image/jpeg', 4000],
		['image', 'chart.PNG', 'image/png', 20 * MB],
		['image', 'anim.gif', 'image/gif', 100],
		['image', 'old.bmp', 'image/bmp', 100],
		['voice', '语音留言.amr', 'audio/amr', 2 * MB],
		['voice', 'memo.mp3', 'audio/mpeg', 3000],
		['voice', 'memo.wav', 'audio/wav', 3000],
		['video', '产品演示.mp4', 'video/mp4', 70000],
		[
			'file',
			'合同（终版）.docx',
			'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
			20 * MB,
		],
		['file', 'report.pdf', 'application/pdf', 1234],
		['file', '账单.xlsx', 'application/octet-stream', 999],
		['file', 'bundle.rar', 'application/vnd.rar', 10],
	])(
		'uploads %s "%s" (%s) and DingTalk stores the exact bytes',
		async (type, fileName, mimeType, size) => {
			const bytes = bytesOf(size, size % 251);
			const result = await env.run(upload({ mediaType: type, binaryPropertyName: 'data' }), [
				binaryItem(bytes, fileName, mimeType),
			]);

			expect(result.error).toBeUndefined();
			const [call] = uploads();
			expect(uploads()).toHaveLength(1);
			expect(call.query.type).toBe(type);
			expect(call.query.access_token).toEqual(expect.any(String));
			const body = multipartOf(call);
			expect(body.files).toHaveLength(1);
			expect(body.files[0]).toMatchObject({ field: 'media', filename: fileName });
			expect(body.files[0].data.equals(bytes)).toBe(true);

			const answer = call.response as { media_id: string; created_at: number };
			const stored = env.emulator.dingtalk.messaging.media.get(answer.media_id)!;
			expect(stored.type).toBe(type);
			expect(stored.data.equals(bytes)).toBe(true);
			expect(result.items).toEqual([
				{
					json: {
						media_id: answer.media_id,
						type,
						created_at: answer.created_at,
						fileName,
						fileSize: size,
					},
					pairedItem: { item: 0 },
				},
			]);
		},
	);

	it.each([
		['image', 'big.png', 'image/png', 20 * MB + 1, /at most 20 MB for an image/],
		['voice', 'long.amr', 'audio/amr', 2 * MB + 1, /at most 2 MB for a voice message/],
		['video', 'long.mp4', 'video/mp4', 20 * MB + 1, /at most 20 MB for a video/],
		['file', 'huge.zip', 'application/zip', 20 * MB + 1, /at most 20 MB for a file/],
		['image', 'photo.webp', 'image/webp', 100, /extension \.webp.*jpg\/jpeg\/gif\/png\/bmp/],
		['voice', 'clip.ogg', 'audio/ogg', 100, /extension \.ogg.*amr\/mp3\/wav/],
		['video', 'clip.mov', 'video/quicktime', 100, /extension \.mov.*mp4/],
		[
			'file',
			'notes.txt',
			'text/plain',
			100,
			/extension \.txt.*doc\/docx\/xls\/xlsx\/ppt\/pptx\/zip\/pdf\/rar/,
		],
		['file', 'empty.pdf', 'application/pdf', 0, /is empty/],
	])('refuses %s "%s" before sending anything', async (type, fileName, mimeType, size, message) => {
		const result = await env.run(upload({ mediaType: type }), [
			binaryItem(bytesOf(size), fileName, mimeType),
		]);
		expect(errorOf(result).message).toMatch(message);
		expect(uploads()).toHaveLength(0);
	});

	it('names a file that has none from its MIME type, and honours the File Name option', async () => {
		const result = await env.run(upload({ mediaType: 'image' }), [
			binaryItem(bytesOf(64), undefined, 'image/png'),
		]);
		expect(result.error).toBeUndefined();
		expect(multipartOf(uploads()[0]).files[0].filename).toBe('image.png');

		const renamed = await env.run(
			upload({ mediaType: 'file', options: { fileName: '季度报告.pdf' } }),
			[binaryItem(bytesOf(64), 'tmp-123.pdf', 'application/pdf')],
		);
		expect(renamed.error).toBeUndefined();
		expect(multipartOf(uploads()[1]).files[0].filename).toBe('季度报告.pdf');
		expect(renamed.items[0].json.fileName).toBe('季度报告.pdf');
	});

	it('reads the binary property and media type per item from expressions', async () => {
		const items = [
			{
				...binaryItem(
					bytesOf(10, 1),
					'a.png',
					'image/png',
					{ kind: 'image', prop: 'first' },
					'first',
				),
			},
			{
				...binaryItem(
					bytesOf(11, 2),
					'b.pdf',
					'application/pdf',
					{ kind: 'file', prop: 'second' },
					'second',
				),
			},
		];
		const result = await env.run(
			upload({ mediaType: '={{ $json.kind }}', binaryPropertyName: '={{ $json.prop }}' }),
			items,
		);
		expect(result.error).toBeUndefined();
		expect(uploads().map((c) => c.query.type)).toEqual(['image', 'file']);
		expect(result.items.map((i) => [i.json.type, i.json.fileName, i.pairedItem])).toEqual([
			['image', 'a.png', { item: 0 }],
			['file', 'b.pdf', { item: 1 }],
		]);
	});

	it('names the missing binary property', async () => {
		const result = await env.run(upload({ mediaType: 'file', binaryPropertyName: 'attachment' }), [
			binaryItem(bytesOf(10), 'a.pdf', 'application/pdf'),
		]);
		expect(errorOf(result).message).toMatch(/attachment/);
		expect(uploads()).toHaveLength(0);
	});

	it('routes a DingTalk refusal to the error output with errcode and bilingual hint; the other items go on', async () => {
		env.emulator.injectFault({ kind: 'errcode', errcode: 40005, path: '/media/upload' });
		const items = [
			binaryItem(bytesOf(10, 1), 'a.pdf', 'application/pdf'),
			binaryItem(bytesOf(10, 2), 'b.pdf', 'application/pdf'),
		];
		const result = await env.run(upload({ mediaType: 'file' }), items, {
			onError: 'continueErrorOutput',
		});
		expect(result.error).toBeUndefined();
		const [failed] = result.output('DingTalk', 1);
		expect(failed.json.error).toMatch(/file format/);
		expect(failed.json.details).toMatchObject({ errcode: 40005 });
		expect(String((failed.json.details as IDataObject).description)).toMatch(/文件格式不被接受/);
		expect(failed.pairedItem).toEqual({ item: 0 });
		const [ok] = result.output('DingTalk', 0);
		expect(ok.json.media_id).toEqual(expect.stringMatching(/^@lAD/));
		expect(ok.pairedItem).toEqual({ item: 1 });
	});
});
