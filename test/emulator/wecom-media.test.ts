/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
import { ApiEmulator, encodeMultipart } from '.';
import { WeComClient } from './testClient';

const MB = 1024 * 1024;

function bytes(size: number): Buffer {
	return Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + 7) % 256));
}

describe('WeCom media endpoints', () => {
	let clock: number;
	let emulator: ApiEmulator;
	let client: WeComClient;

	beforeAll(async () => {
		clock = Date.UTC(2024, 8, 1);
		emulator = await ApiEmulator.start({
			plugins: ['wecom'],
			now: () => clock,
			tokenLifetimeMs: 30 * 86400_000,
		});
		client = new WeComClient(emulator);
	});

	afterAll(async () => {
		await emulator.stop();
	});

	const upload = (
		type: string,
		filename: string,
		data: Buffer,
		field = 'media',
		contentType?: string,
	) =>
		client.upload(
			'/cgi-bin/media/upload',
			{ type },
			encodeMultipart([{ name: field, filename, data, contentType }]),
		);

	it.each([
		['image', 'photo.jpg', 'image/jpeg'],
		['image', 'shot.PNG', 'image/png'],
		['voice', 'note.amr', 'audio/amr'],
		['video', 'clip.mp4', 'video/mp4'],
		['file', '季度报告.xlsx', 'application/vnd.ms-excel'],
	])('accepts a %s (%s) and keeps its bytes', async (type, filename, contentType) => {
		const data = bytes(4096);
		const res = await upload(type, filename, data, 'media', contentType);
		expect(res).toMatchObject({ errcode: 0, errmsg: 'ok', type, media_id: expect.any(String) });
		expect(res.created_at).toBe(String(Math.floor(clock / 1000)));
		expect(emulator.mediaBytes(res.media_id)?.equals(data)).toBe(true);
		expect(emulator.wecom.media.get(res.media_id)).toMatchObject({ filename, contentType, type });
	});

	it('issues a different media_id for each upload', async () => {
		const a = await upload('file', 'a.txt', bytes(10));
		const b = await upload('file', 'a.txt', bytes(10));
		expect(a.media_id).not.toBe(b.media_id);
	});

	it.each([
		['an unknown type', 'sticker', 'a.png', 6, 40005],
		['a jpg/png-less image', 'image', 'a.gif', 100, 40004],
		['a voice that is not amr', 'voice', 'a.mp3', 100, 40004],
		['a video that is not mp4', 'video', 'a.mov', 100, 40004],
		['a file of 5 bytes', 'file', 'a.txt', 5, 40006],
		['an image over 10 MB', 'image', 'big.png', 10 * MB + 1, 40009],
		['a voice over 2 MB', 'voice', 'long.amr', 2 * MB + 1, 40006],
		['a video over 10 MB', 'video', 'big.mp4', 10 * MB + 1, 40011],
		['a file over 20 MB', 'file', 'big.zip', 20 * MB + 1, 40006],
	])('rejects %s', async (_what, type, filename, size, errcode) => {
		const res = await upload(type, filename, Buffer.alloc(size, 1));
		expect(res.errcode).toBe(errcode);
	});

	it('accepts files right at the limits', async () => {
		expect((await upload('image', 'edge.jpg', Buffer.alloc(10 * MB, 1))).errcode).toBe(0);
		expect((await upload('file', 'six.bin', Buffer.alloc(6, 1))).errcode).toBe(0);
	});

	it("needs the file in a part named 'media', with a file name", async () => {
		const wrongField = await upload('file', 'a.txt', bytes(100), 'file');
		expect(wrongField.errcode).toBe(44001);
		expect(wrongField.errmsg).toContain("'file'");
		expect((await upload('file', '', bytes(100))).errcode).toBe(40004);
	});

	it('answers 47001 to a body that is not multipart', async () => {
		const res = await client.post('/cgi-bin/media/upload?type=file', { not: 'multipart' });
		expect(res.errcode).toBe(47001);
	});

	it('records the upload as fields and files', async () => {
		await upload('file', '合同.pdf', bytes(64));
		const call = emulator.callsTo('/cgi-bin/media/upload').at(-1)!;
		expect(call.body).toMatchObject({
			fields: {},
			files: [{ field: 'media', filename: '合同.pdf' }],
		});
	});

	it('uploadimg answers a URL and keeps the image', async () => {
		const data = bytes(2048);
		const res = await client.upload(
			'/cgi-bin/media/uploadimg',
			{},
			encodeMultipart([{ name: 'media', filename: 'logo.png', contentType: 'image/png', data }]),
		);
		expect(res).toMatchObject({ errcode: 0, url: expect.stringMatching(/^https:\/\//) });
		expect(emulator.wecom.images.get(res.url)?.data.equals(data)).toBe(true);
		const tooBig = await client.upload(
			'/cgi-bin/media/uploadimg',
			{},
			encodeMultipart([{ name: 'media', filename: 'big.png', data: Buffer.alloc(2 * MB + 1, 1) }]),
		);
		expect(tooBig.errcode).toBe(40009);
	});

	it('media_ids expire after 3 days', async () => {
		const { media_id } = await upload('image', 'p.png', bytes(100));
		const send = () =>
			client.post('/cgi-bin/message/send', {
				touser: 'zhangsan',
				msgtype: 'image',
				agentid: 1000002,
				image: { media_id },
			});
		expect((await send()).errcode).toBe(0);
		clock += 3 * 86400_000;
		expect((await send()).errcode).toBe(40007);
	});
});
