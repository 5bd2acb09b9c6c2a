/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code: runs under Node and jest, never inside n8n */
// The server side of RFC 6455, as much as a test double needs: the handshake, text frames both ways (fragmented ones
// too), ping/pong and the closing handshake. No extensions, no binary messages.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_MESSAGE_BYTES = 1024 * 1024;

const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa };

/** Refuses an upgrade with a plain HTTP answer. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
	const body = `${reason}\n`;
	socket.end(
		`HTTP/1.1 ${status} ${reason}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
	);
}

/** Completes the handshake of a valid upgrade request; undefined (and an HTTP 400 sent) otherwise. */
export function acceptUpgrade(
	req: IncomingMessage,
	socket: Duplex,
	head: Buffer,
): WebSocketConnection | undefined {
	const key = req.headers['sec-websocket-key'];
	const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
	if (upgrade !== 'websocket' || typeof key !== 'string' || key === '') {
		refuseUpgrade(socket, 400, 'Bad Request');
		return undefined;
	}
	if (req.headers['sec-websocket-version'] !== '13') {
		refuseUpgrade(socket, 426, 'Upgrade Required');
		return undefined;
	}
	const accept = createHash('sha1')
		.update(key + HANDSHAKE_GUID)
		.digest('base64');
	socket.write(
		'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
			`Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
	);
	return new WebSocketConnection(socket, head);
}

export interface WebSocketHandlers {
	text?(message: string): void;
	/** The connection is gone: `code` from the peer's close frame, 1006 when it just dropped. */
	close?(code: number, reason: string): void;
}

/** One accepted connection. Frames from the client must be masked (RFC 6455 5.1); a broken one ends it with 1002. */
export class WebSocketConnection {
	handlers: WebSocketHandlers = {};

	/**
	 * A peer that reads and answers nothing, not even a close frame, while its TCP connection stays up: the
	 * connection ends only when the client ends the TCP connection.
	 */
	deaf = false;

	private buffer: Buffer;

	private fragments: Buffer[] = [];

	private closeSent = false;

	private ended = false;

	constructor(
		private readonly socket: Duplex,
		head: Buffer,
	) {
		this.buffer = Buffer.from(head);
		socket.on('data', (chunk: Buffer) => {
			if (this.deaf) return;
			this.buffer = Buffer.concat([this.buffer, chunk]);
			this.parse();
		});
		socket.on('close', () => this.finish(1006, ''));
		socket.on('error', () => this.finish(1006, ''));
		if (this.buffer.length > 0) setImmediate(() => this.parse());
	}

	get isOpen(): boolean {
		return !this.ended && !this.closeSent;
	}

	sendText(text: string): void {
		if (!this.isOpen || this.deaf) return;
		this.socket.write(frame(OPCODE.text, Buffer.from(text, 'utf8')));
	}

	ping(payload = ''): void {
		if (this.isOpen) this.socket.write(frame(OPCODE.ping, Buffer.from(payload)));
	}

	/** The closing handshake: a close frame now, the TCP connection ends when the client answers. */
	close(code = 1000, reason = ''): void {
		if (!this.isOpen) return;
		this.closeSent = true;
		const reasonBytes = Buffer.from(reason, 'utf8').subarray(0, 123);
		const payload = Buffer.alloc(2 + reasonBytes.length);
		payload.writeUInt16BE(code, 0);
		reasonBytes.copy(payload, 2);
		this.socket.write(frame(OPCODE.close, payload));
		this.socket.end();
	}

	/** Drops the TCP connection without a close frame (the client sees 1006). */
	destroy(): void {
		this.socket.destroy();
		this.finish(1006, '');
	}

	private finish(code: number, reason: string): void {
		if (this.ended) return;
		this.ended = true;
		this.handlers.close?.(code, reason);
	}

	private fail(code: number): void {
		this.close(code);
		this.socket.destroy();
		this.finish(code, '');
	}

	private parse(): void {
		while (!this.ended && this.buffer.length >= 2) {
			const first = this.buffer[0];
			const second = this.buffer[1];
			const fin = (first & 0x80) !== 0;
			const opcode = first & 0x0f;
			const masked = (second & 0x80) !== 0;
			let length = second & 0x7f;
			let offset = 2;
			if (length === 126) {
				if (this.buffer.length < 4) return;
				length = this.buffer.readUInt16BE(2);
				offset = 4;
			} else if (length === 127) {
				if (this.buffer.length < 10) return;
				const big = this.buffer.readBigUInt64BE(2);
				if (big > BigInt(MAX_MESSAGE_BYTES)) return this.fail(1009);
				length = Number(big);
				offset = 10;
			}
			if (!masked || (first & 0x70) !== 0) return this.fail(1002);
			if (length > MAX_MESSAGE_BYTES) return this.fail(1009);
			if (this.buffer.length < offset + 4 + length) return;
			const mask = this.buffer.subarray(offset, offset + 4);
			const payload = Buffer.from(this.buffer.subarray(offset + 4, offset + 4 + length));
			for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
			this.buffer = this.buffer.subarray(offset + 4 + length);
			this.onFrame(fin, opcode, payload);
		}
	}

	private onFrame(fin: boolean, opcode: number, payload: Buffer): void {
		switch (opcode) {
			case OPCODE.text:
			case OPCODE.continuation:
				if (opcode === OPCODE.continuation && this.fragments.length === 0) return this.fail(1002);
				if (opcode === OPCODE.text && this.fragments.length > 0) return this.fail(1002);
				this.fragments.push(payload);
				if (this.fragments.reduce((n, b) => n + b.length, 0) > MAX_MESSAGE_BYTES) {
					return this.fail(1009);
				}
				if (fin) {
					const message = Buffer.concat(this.fragments).toString('utf8');
					this.fragments = [];
					this.handlers.text?.(message);
				}
				return;
			case OPCODE.ping:
				if (this.isOpen) this.socket.write(frame(OPCODE.pong, payload));
				return;
			case OPCODE.pong:
				return;
			case OPCODE.close: {
				const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
				const reason = payload.subarray(2).toString('utf8');
				if (!this.closeSent) {
					this.closeSent = true;
					this.socket.write(frame(OPCODE.close, payload.subarray(0, 2)));
				}
				this.socket.end();
				this.finish(code, reason);
				return;
			}
			default:
				// Binary and reserved opcodes: this server speaks text only.
				this.fail(opcode === OPCODE.binary ? 1003 : 1002);
		}
	}
}

/** A single unmasked frame, as servers send them. */
function frame(opcode: number, payload: Buffer): Buffer {
	let header: Buffer;
	if (payload.length < 126) {
		header = Buffer.from([0x80 | opcode, payload.length]);
	} else if (payload.length < 65536) {
		header = Buffer.alloc(4);
		header[0] = 0x80 | opcode;
		header[1] = 126;
		header.writeUInt16BE(payload.length, 2);
	} else {
		header = Buffer.alloc(10);
		header[0] = 0x80 | opcode;
		header[1] = 127;
		header.writeBigUInt64BE(BigInt(payload.length), 2);
	}
	return Buffer.concat([header, payload]);
}
