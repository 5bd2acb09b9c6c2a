// Shared by the long connections of both platforms (DingTalk Stream, WeCom AI bot).
// The part of the WHATWG WebSocket (Node >= 22's global, undici) a long-connection client uses. Declared here because the
// package builds against Node 20 types, which do not have it; any constructor of this shape can be injected.

export const SOCKET_OPEN = 1;

export interface SocketEvent {
	/** `message`: the text of the frame. */
	data?: unknown;
	/** `close`: the close code (1006 when the connection dropped without a close frame). */
	code?: number;
	reason?: string;
	/** `error`: what went wrong, when the implementation says. */
	message?: string;
}

export interface StreamSocket {
	readonly readyState: number;
	send(data: string): void;
	close(code?: number, reason?: string): void;
	addEventListener(
		type: 'open' | 'message' | 'close' | 'error',
		listener: (event: SocketEvent) => void,
	): void;
}

export type StreamSocketConstructor = new (url: string) => StreamSocket;

declare const WebSocket: StreamSocketConstructor | undefined;

/** Node's global WebSocket, or undefined on a Node without one (before 22). */
export function globalWebSocket(): StreamSocketConstructor | undefined {
	return typeof WebSocket === 'undefined' ? undefined : WebSocket;
}
