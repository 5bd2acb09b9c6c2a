// The approval Drive space (审批钉盘) and DingTalk Drive's upload steps: the space (and upload right), a signed
// storage URL, the storage PUT itself (served here in place of OSS, its signature headers checked), the commit.
import { createHmac, randomBytes } from 'node:crypto';

import type { EmulatorRequest, Reply, Route } from '../types';
import { bodyOf, isRecord, nonEmptyString } from '../util';
import type { EmuUpload } from './approvalModel';
import { newApiError, newApiOk } from './errors';
import type { DingTalkState } from './state';

/** Where the emulated object storage takes uploads: not an API path, no token. */
export const OSS_PATH = '/emulator-oss/dingtalk-approval';

function ossError(status: number, code: string, message: string): Reply {
	return {
		status,
		headers: { 'content-type': 'application/xml' },
		text: `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>${code}</Code>\n  <Message>${message}</Message>\n  <RequestId>${randomBytes(12).toString('hex').toUpperCase()}</RequestId>\n  <HostId>emulator-oss</HostId>\n</Error>\n`,
	};
}

function uploaderOf(req: EmulatorRequest, state: DingTalkState) {
	const unionId = req.query.unionId;
	const user = state.users.find((u) => u.unionid === unionId && u.active);
	// (assumed) The storage pages name no code for a missing or unknown unionId.
	if (!nonEmptyString(unionId) || !user)
		throw newApiError(400, 'invalidParameter.unionId', 'unionId 参数错误');
	return user;
}

function checkSpace(req: EmulatorRequest, state: DingTalkState, userId: string): void {
	if (req.params.spaceId !== state.drive.spaceId)
		throw newApiError(404, 'spaceNotExist', '空间不存在');
	// (assumed) Without spaces/infos/query first, the user has no upload right in the approval space.
	if (!state.drive.grants.has(userId)) {
		throw newApiError(
			403,
			'Forbidden.AccessDenied.NoPermission',
			'没有该空间的上传权限，请先调用获取审批钉盘空间信息接口授权',
		);
	}
}

function extensionOf(name: string): string {
	const dot = name.lastIndexOf('.');
	return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** AUTO_RENAME: a second 报告.pdf in the space becomes 报告(1).pdf. */
function freeName(state: DingTalkState, name: string): string {
	const taken = new Set([...state.drive.files.values()].map((f) => f.name));
	if (!taken.has(name)) return name;
	const ext = extensionOf(name);
	const stem = ext ? name.slice(0, -(ext.length + 1)) : name;
	for (let n = 1; ; n++) {
		const candidate = `${stem}(${n})${ext ? `.${ext}` : ''}`;
		if (!taken.has(candidate)) return candidate;
	}
}

export const driveRoutes: Route<DingTalkState>[] = [
	{
		method: 'POST',
		path: '/v1.0/workflow/processInstances/spaces/infos/query',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			if (!nonEmptyString(body.userId))
				throw newApiError(400, 'invalidUserId', '获取审批钉盘空间信息，用户userId不能为空');
			if (!ctx.state.users.some((u) => u.userid === body.userId && u.active)) {
				throw newApiError(400, 'userNotExist', '用户不存在');
			}
			if (body.agentId === undefined || body.agentId === null || body.agentId === '') {
				throw newApiError(400, 'invalidAgentId', '获取审批钉盘空间信息，应用agentId不能为空');
			}
			if (Number(body.agentId) !== ctx.state.app.agentId)
				throw newApiError(400, 'invalidAgentId', '无效的微应用ID');
			ctx.state.drive.grants.add(body.userId);
			return newApiOk({ result: { spaceId: Number(ctx.state.drive.spaceId) }, success: true });
		},
	},
	{
		method: 'POST',
		path: '/v1.0/storage/spaces/:spaceId/files/uploadInfos/query',
		handle(req, ctx) {
			const user = uploaderOf(req, ctx.state);
			checkSpace(req, ctx.state, user.userid);
			const body = bodyOf(req.body);
			const option = isRecord(body.option) ? body.option : {};
			const check = isRecord(option.preCheckParam) ? option.preCheckParam : {};
			if (
				body.protocol !== 'HEADER_SIGNATURE' ||
				body.multipart !== false ||
				option.storageDriver !== 'DINGTALK'
			) {
				throw newApiError(400, 'invalidParameter', '参数错误：protocol/multipart/storageDriver');
			}
			if (typeof check.size !== 'number' || check.size < 1 || !nonEmptyString(check.name)) {
				throw newApiError(400, 'invalidParameter', '参数错误：preCheckParam.size/name');
			}
			const uploadKey = `emu-upload-${randomBytes(12).toString('hex')}`;
			const objectKey = randomBytes(16).toString('hex');
			const date = new Date(ctx.now()).toUTCString();
			const signature = createHmac('sha1', ctx.state.drive.signingKey)
				.update(`PUT\n\n\n${date}\n/${objectKey}`)
				.digest('base64');
			const upload: EmuUpload = {
				uploadKey,
				objectKey,
				spaceId: ctx.state.drive.spaceId,
				unionId: user.unionid,
				name: check.name,
				size: check.size,
				headers: { Authorization: `OSS emuAccessKey:${signature}`, 'x-oss-date': date },
				committed: false,
			};
			ctx.state.drive.uploads.set(uploadKey, upload);
			return newApiOk({
				uploadKey,
				storageDriver: 'DINGTALK',
				protocol: 'HEADER_SIGNATURE',
				headerSignatureInfo: {
					resourceUrls: [`${ctx.baseUrl()}${OSS_PATH}/${objectKey}`],
					headers: upload.headers,
					expirationSeconds: 900,
					region: 'ZHANGJIAKOU',
				},
			});
		},
	},
	{
		method: 'PUT',
		path: `${OSS_PATH}/:objectKey`,
		auth: false,
		body: 'none',
		handle(req, ctx) {
			const upload = [...ctx.state.drive.uploads.values()].find(
				(u) => u.objectKey === req.params.objectKey,
			);
			if (!upload) return ossError(404, 'NoSuchUpload', 'The upload URL is not known.');
			const header = (name: string) => {
				const value = req.headers[name.toLowerCase()];
				return Array.isArray(value) ? value.join(',') : value;
			};
			// The signature covers the method, an empty Content-Type and the date: any Content-Type breaks it.
			const contentType = header('content-type');
			const mismatch =
				header('authorization') !== upload.headers.Authorization ||
				header('x-oss-date') !== upload.headers['x-oss-date'] ||
				(contentType !== undefined && contentType !== '');
			if (mismatch || ctx.state.drive.refuseNextUpload) {
				ctx.state.drive.refuseNextUpload = false;
				// OSS answers with the signature it was given; what a client shows of this must not repeat it.
				return ossError(
					403,
					'SignatureDoesNotMatch',
					`The request signature we calculated does not match the signature you provided (${header('authorization') ?? 'none'}). Check your key and signing method.`,
				);
			}
			upload.data = req.rawBody;
			return { status: 200, text: '', headers: { etag: `"${randomBytes(8).toString('hex')}"` } };
		},
	},
	{
		method: 'POST',
		path: '/v1.0/storage/spaces/:spaceId/files/commit',
		handle(req, ctx) {
			const user = uploaderOf(req, ctx.state);
			checkSpace(req, ctx.state, user.userid);
			const body = bodyOf(req.body);
			const upload = ctx.state.drive.uploads.get(String(body.uploadKey));
			// (assumed) codes for an unknown, unfinished or mismatched upload.
			if (!upload || upload.committed || upload.unionId !== user.unionid) {
				throw newApiError(400, 'invalidParameter.uploadKey', 'uploadKey 无效');
			}
			if (!upload.data) throw newApiError(400, 'fileNotUploaded', '文件尚未上传');
			const option = isRecord(body.option) ? body.option : {};
			if (option.size !== upload.data.length || upload.size !== upload.data.length) {
				throw newApiError(400, 'fileSizeNotMatch', '文件大小与上传内容不一致');
			}
			if (!nonEmptyString(body.name) || body.parentId !== '0') {
				throw newApiError(400, 'invalidParameter', '参数错误：name/parentId');
			}
			const name =
				option.conflictStrategy === 'AUTO_RENAME' ? freeName(ctx.state, body.name) : body.name;
			const fileId = String(100000000000 + ctx.state.drive.files.size + 1);
			ctx.state.drive.files.set(fileId, {
				fileId,
				spaceId: upload.spaceId,
				name,
				size: upload.data.length,
				extension: extensionOf(name),
				data: upload.data,
				creatorUnionId: user.unionid,
			});
			upload.committed = true;
			const time = new Date(ctx.now()).toISOString();
			return newApiOk({
				dentry: {
					uuid: randomBytes(8).toString('hex'),
					id: fileId,
					spaceId: upload.spaceId,
					parentId: '0',
					type: 'FILE',
					name,
					size: upload.data.length,
					path: `/${name}`,
					version: 1,
					status: 'NORMAL',
					extension: extensionOf(name),
					creatorId: user.unionid,
					modifierId: user.unionid,
					createTime: time,
					modifiedTime: time,
				},
			});
		},
	},
];
