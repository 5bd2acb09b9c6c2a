import { randomBytes } from 'node:crypto';

import { ReplyError, type Reply } from '../types';

// DingTalk has two envelopes: the old API (oapi) answers HTTP 200 with errcode; the new API
// (api.dingtalk.com/v1.0) answers 4xx/5xx with {code, message, requestid}.

function requestId(): string {
	return randomBytes(8).toString('hex');
}

export function isNewApi(path: string): boolean {
	return path.startsWith('/v1.0/');
}

export function oldApiErrorReply(errcode: number, errmsg: string, extra?: object): Reply {
	return { json: { errcode, errmsg, ...extra, request_id: requestId() } };
}

export function newApiErrorReply(status: number, code: string, message: string): Reply {
	return { status, json: { code, message, requestid: requestId() } };
}

export function oldApiError(errcode: number, errmsg: string, extra?: object): ReplyError {
	return new ReplyError(oldApiErrorReply(errcode, errmsg, extra));
}

export function newApiError(status: number, code: string, message: string): ReplyError {
	return new ReplyError(newApiErrorReply(status, code, message));
}

export function oldApiOk(data: object = {}): Reply {
	return { json: { errcode: 0, errmsg: 'ok', ...data, request_id: requestId() } };
}

export function newApiOk(data: object): Reply {
	return { json: data };
}
