/* eslint-disable @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any -- test code: runs under Node and jest, never inside n8n */
// A WebSocket client at the byte level, for the emulator's own tests: it runs on any Node, and can send what a
// browser-style client never would (fragments, unmasked frames, binary).
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawFrame {
	fin: boolean;
	opcode: number;
	payload: Buffer;
}

export interface Handshake {
	status: number;
	headers: Record<string, string>;
}

export class RawWebSocket {
	readonly frames: RawFrame[] = [];

	ended = false;

	private buffer = Buffer.alloc(0);

	private constructor(
		private readonly socket: Socket,
		readonly handshake: Handshake,
		rest: Buffer,
	) {
		socket.on('data', (chunk: Buffer) => this.read(chunk));
		socket.on('close', () => (this.ended = true));
		socket.on('error', () => (this.ended = true));
		this.read(rest);
	}

	/** Opens a TCP connection and sends the upgrade request; resolves with the handshake answer. */
	static open(url: string, key = randomBytes(16).toString('base64')): Promise<RawWebSocket> {
		const target = new URL(url);
		return new Promise((resolve, reject) => {
			const socket = connect(Number(target.port), target.hostname);
			let head = Buffer.alloc(0);
			const onData = (chunk: Buffer) => {
				head = Buffer.concat([head, chunk]);
				const end = head.indexOf('\r\n\r\n');
				if (end === -1) return;
				socket.off('data', onData);
				const [statusLine, ...lines] = head.subarray(0, end).toString('latin1').split('\r\n');
				const headers: Record<string, string> = {};
				for (const line of lines) {
					const colon = line.indexOf(':');
					headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
				}
				const status = Number(statusLine.split(' ')[1]);
				resolve(new RawWebSocket(socket, { status, headers }, head.subarray(end + 4)));
			};
			socket.on('data', onData);
			socket.once('error', reject);
			socket.write(
				`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\n` +
					`Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
			);
		});
	}

	/** The text messages received, parsed as JSON. */
	messages(): Array<Record<string, any>> {
		return this.frames
			.filter((f) => f.opcode === 0x1)
			.map((f) => JSON.parse(f.payload.toString('utf8')) as Record<string, any>);
	}

	sendFrame(
		opcode: number,
		payload: Buffer | string,
		options: { fin?: boolean; masked?: boolean } = {},
	): void {
		const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
		const masked = options.masked ?? true;
		const length =
			data.length < 126
				? Buffer.from([data.length])
				: data.length < 65536
					? Buffer.from([126, data.length >> 8, data.length & 0xff])
					: (() => {
							const b = Buffer.alloc(9);
							b[0] = 127;
							b.writeBigUInt64BE(BigInt(data.length), 1);
							return b;
						})();
		length[0] |= masked ? 0x80 : 0;
		const first = Buffer.from([((options.fin ?? true) ? 0x80 : 0) | opcode]);
		if (!masked) {
			this.socket.write(Buffer.concat([first, length, data]));
			return;
		}
		const mask = randomBytes(4);
		const body = Buffer.from(data);
		for (let i = 0; i < body.length; i++) body[i] ^= mask[i % 4];
		this.socket.write(Buffer.concat([first, length, mask, body]));
	}

	sendJson(value: unknown): void {
		this.sendFrame(0x1, JSON.stringify(value));
	}

	/** The close frame's code, if one came. */
	closeCode(): number | undefined {
		const close = this.frames.find((f) => f.opcode === 0x8);
		return close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : undefined;
	}

	end(): void {
		this.socket.destroy();
	}

	private read(chunk: Buffer): void {
		this.buffer = Buffer.concat([this.buffer, chunk]);
		while (this.buffer.length >= 2) {
			let length = this.buffer[1] & 0x7f;
			let offset = 2;
			if (length === 126) {
				if (this.buffer.length < 4) return;
				length = this.buffer.readUInt16BE(2);
				offset = 4;
			} else if (length === 127) {
				if (this.buffer.length < 10) return;
				length = Number(this.buffer.readBigUInt64BE(2));
				offset = 10;
			}
			if (this.buffer.length < offset + length) return;
			this.frames.push({
				fin: (this.buffer[0] & 0x80) !== 0,
				opcode: this.buffer[0] & 0x0f,
				payload: Buffer.from(this.buffer.subarray(offset, offset + length)),
			});
			this.buffer = this.buffer.subarray(offset + length);
		}
	}
}
