import type { INodeParameters } from 'n8n-workflow';

import { apiCalls, binaryItem, bytesOf, errorOf, multipartOf } from './messagingSupport';
import { startWeCom, type WeComTestEnv } from './setup';

const MB = 1024 * 1024;

const upload = (parameters: INodeParameters): INodeParameters => ({
	resource: 'media',
	operation: 'upload',
	...parameters,
});

describe('WeCom Media', () => {
	let env: WeComTestEnv;

	beforeAll(async () => {
		env = await startWeCom();
	});

	afterAll(async () => {
		await env.stop();
	});

	beforeEach(() => {
		env.emulator.calls.length = 0;
		env.emulator.clearFaults();
	});

	describe('Upload', () => {
		it.each([
			['image', '发票扫描件.jpg', 'image/jpeg', 4000],
			['image', 'chart.PNG', 'image/png', 6],
			['voice', '语音留言.amr', 'audio/amr', 2 * MB],
			['video', '产品演示.mp4', 'video/mp4', 70000],
			[
				'file',
				'合同（终版）.docx',
				'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
				20 * MB,
			],
		])(
			'uploads %s "%s" and the emulator stores the exact bytes',
			async (type, fileName, mimeType, size) => {
				const bytes = bytesOf(size, size % 251);
				const result = await env.run(upload({ mediaType: type, binaryPropertyName: 'data' }), [
					binaryItem(bytes, fileName, mimeType),
				]);

				expect(result.error).toBeUndefined();
				const calls = apiCalls(env);
				expect(calls).toHaveLength(1);
				expect(calls[0].method).toBe('POST');
				expect(calls[0].path).toBe('/cgi-bin/media/upload');
				expect(calls[0].query.type).toBe(type);
				const body = multipartOf(calls[0]);
				expect(body.files).toHaveLength(1);
				expect(body.files[0]).toMatchObject({
					field: 'media',
					filename: fileName,
					contentType: mimeType,
				});
				expect(body.files[0].data.equals(bytes)).toBe(true);

				const answer = calls[0].response as { media_id: string; created_at: string };
				expect(env.emulator.mediaBytes(answer.media_id)!.equals(bytes)).toBe(true);
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

		it('adds the extension from the MIME type when the binary has no file name', async () => {
			const bytes = bytesOf(64);
			const result = await env.run(upload({ mediaType: 'image' }), [
				binaryItem(bytes, undefined, 'image/png'),
			]);

			expect(result.error).toBeUndefined();
			expect(multipartOf(apiCalls(env)[0]).files[0].filename).toBe('image.png');
			expect(result.items[0].json.fileName).toBe('image.png');
		});

		it('uploads under the File Name option instead of the binary name', async () => {
			const bytes = bytesOf(64);
			const result = await env.run(
				upload({ mediaType: 'file', options: { fileName: '月度报表.xlsx' } }),
				[binaryItem(bytes, 'export-123.xlsx', 'application/octet-stream')],
			);

			expect(result.error).toBeUndefined();
			const file = multipartOf(apiCalls(env)[0]).files[0];
			expect(file.filename).toBe('月度报表.xlsx');
			expect(file.data.equals(bytes)).toBe(true);
		});

		it('reads the type and binary field per item from expressions', async () => {
			const items = [
				binaryItem(bytesOf(50), 'a.png', 'image/png', { kind: 'image', field: 'pic' }, 'pic'),
				binaryItem(bytesOf(60), 'b.amr', 'audio/amr', { kind: 'voice', field: 'rec' }, 'rec'),
			];
			const result = await env.run(
				upload({ mediaType: '={{ $json.kind }}', binaryPropertyName: '={{ $json.field }}' }),
				items,
			);

			expect(result.error).toBeUndefined();
			expect(apiCalls(env).map((c) => c.query.type)).toEqual(['image', 'voice']);
			expect(result.items.map((i) => [i.json.type, i.json.fileName, i.json.fileSize])).toEqual([
				['image', 'a.png', 50],
				['voice', 'b.amr', 60],
			]);
		});

		const rejected: Array<[string, string, Buffer, string | undefined, string, RegExp]> = [
			[
				'a file of 5 bytes',
				'file',
				bytesOf(5),
				'tiny.txt',
				'text/plain',
				/is 5 bytes: WeCom accepts only files larger than 5 bytes/,
			],
			[
				'an image over 10 MB',
				'image',
				Buffer.alloc(10 * MB + 1),
				'big.jpg',
				'image/jpeg',
				/10485761 bytes \(10\.00 MB\): WeCom allows at most 10 MB for an image/,
			],
			[
				'a voice over 2 MB',
				'voice',
				Buffer.alloc(2 * MB + 1),
				'long.amr',
				'audio/amr',
				/at most 2 MB for a voice message \(amr\)/,
			],
			[
				'a video over 10 MB',
				'video',
				Buffer.alloc(10 * MB + 1),
				'long.mp4',
				'video/mp4',
				/at most 10 MB for a video \(mp4\)/,
			],
			[
				'a file over 20 MB',
				'file',
				Buffer.alloc(20 * MB + 1),
				'huge.zip',
				'application/zip',
				/20971521 bytes \(20\.00 MB\): WeCom allows at most 20 MB for a file/,
			],
			[
				'a GIF as an image',
				'image',
				bytesOf(100),
				'anim.gif',
				'image/gif',
				/"anim.gif" has the extension \.gif: WeCom accepts only jpg\/jpeg\/png for an image/,
			],
			[
				'an MP3 as a voice',
				'voice',
				bytesOf(100),
				'录音.mp3',
				'audio/mpeg',
				/"录音.mp3" has the extension \.mp3: WeCom accepts only amr/,
			],
			[
				'a QuickTime video without extension',
				'video',
				bytesOf(100),
				'clip',
				'video/quicktime',
				/"clip" is of type video\/quicktime: WeCom accepts only mp4/,
			],
			[
				'a PNG named .png but typed as WebP',
				'image',
				bytesOf(100),
				'x.png',
				'image/webp',
				/is of type image\/webp/,
			],
			[
				'an image with neither name nor type',
				'image',
				bytesOf(100),
				undefined,
				'application/octet-stream',
				/neither a file extension nor a MIME type.*ending in \.jpg/,
			],
		];

		it.each(rejected)(
			'rejects %s before any upload',
			async (_name, type, bytes, fileName, mimeType, message) => {
				const result = await env.run(upload({ mediaType: type }), [
					binaryItem(bytes, fileName, mimeType),
				]);

				expect(errorOf(result).message).toMatch(message);
				expect(env.emulator.callsTo(/\/cgi-bin\/media\//)).toHaveLength(0);
				expect(env.emulator.calls).toHaveLength(0);
			},
		);

		it('names the missing binary property', async () => {
			const result = await env.run(
				upload({ mediaType: 'file', binaryPropertyName: 'attachment' }),
				[binaryItem(bytesOf(10), 'a.txt', 'text/plain')],
			);

			expect(errorOf(result).message).toMatch(/attachment/);
			expect(apiCalls(env)).toHaveLength(0);
		});

		it('with continueOnFail, uploads the good items and outputs an error item for the oversize one', async () => {
			const good1 = bytesOf(100, 1);
			const good2 = bytesOf(200, 2);
			const result = await env.run(
				upload({ mediaType: 'image' }),
				[
					binaryItem(good1, '一.png', 'image/png'),
					binaryItem(Buffer.alloc(10 * MB + 1), '二.png', 'image/png'),
					binaryItem(good2, '三.png', 'image/png'),
				],
				{ continueOnFail: true },
			);

			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(3);
			expect(result.items[1].json.error).toMatch(/"二.png" is 10485761 bytes/);
			expect(result.items[1].pairedItem).toEqual({ item: 1 });
			const calls = apiCalls(env);
			expect(calls.map((c) => multipartOf(c).files[0].filename)).toEqual(['一.png', '三.png']);
			expect(env.emulator.mediaBytes(result.items[0].json.media_id as string)!.equals(good1)).toBe(
				true,
			);
			expect(env.emulator.mediaBytes(result.items[2].json.media_id as string)!.equals(good2)).toBe(
				true,
			);
		});

		it('surfaces an error WeCom answers with its errcode', async () => {
			env.emulator.injectFault({ kind: 'errcode', errcode: 40004, path: '/cgi-bin/media/upload' });
			const result = await env.run(upload({ mediaType: 'file' }), [
				binaryItem(bytesOf(10), 'a.txt', 'text/plain'),
			]);

			expect(errorOf(result).message).toContain('40004');
		});
	});

	describe('Upload Image', () => {
		it('uploads an image for a permanent URL with the exact bytes', async () => {
			const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), bytesOf(5000)]);
			const result = await env.run({ resource: 'media', operation: 'uploadImage' }, [
				binaryItem(bytes, '文章配图.jpg', 'image/jpeg'),
			]);

			expect(result.error).toBeUndefined();
			const calls = apiCalls(env);
			expect(calls).toHaveLength(1);
			expect(calls[0].path).toBe('/cgi-bin/media/uploadimg');
			const file = multipartOf(calls[0]).files[0];
			expect(file).toMatchObject({
				field: 'media',
				filename: '文章配图.jpg',
				contentType: 'image/jpeg',
			});
			const { url } = calls[0].response as { url: string };
			expect(env.emulator.wecom.images.get(url)!.data.equals(bytes)).toBe(true);
			expect(result.items[0].json).toEqual({
				url,
				fileName: '文章配图.jpg',
				fileSize: bytes.length,
			});
		});

		it('rejects an image over 2 MB and a non-image before any call', async () => {
			const big = await env.run({ resource: 'media', operation: 'uploadImage' }, [
				binaryItem(Buffer.alloc(2 * MB + 1), 'big.png', 'image/png'),
			]);
			expect(errorOf(big).message).toMatch(/at most 2 MB for a permanent image \(uploadimg\)/);

			const pdf = await env.run({ resource: 'media', operation: 'uploadImage' }, [
				binaryItem(bytesOf(100), 'doc.pdf', 'application/pdf'),
			]);
			expect(errorOf(pdf).message).toMatch(/extension \.pdf: WeCom accepts only jpg\/jpeg\/png/);
			expect(env.emulator.calls).toHaveLength(0);
		});
	});
});
