// Files of robot messages (pictures, files, voice, video): the message carries a downloadCode; the robot file API
// trades it for a short-lived URL (POST /v1.0/robot/messageFiles/download {downloadCode, robotCode} -> {downloadUrl},
// open.dingtalk.com/document/orgapp/download-the-file-content-of-the-robot-receiving-message; field names as
// @alicloud/dingtalk robot_1_0 RobotMessageFileDownloadRequest / ResponseBody). The URL points at the emulator itself
// (GET /emulator-robot-files/<id>?expires=…), which serves the bytes without a token, as DingTalk's storage does.
// Error codes are chosen here (the page lists none): invalidParameter.downloadCode.invalid.
import { randomBytes } from 'node:crypto';

import type { Route } from '../types';
import { bodyOf, nonEmptyString } from '../util';
import { newApiError, newApiOk } from './errors';
import type { DingTalkState } from './state';

export const ROBOT_FILES_PATH = '/emulator-robot-files';

/** How long a downloadUrl works (an emulator choice; DingTalk says "temporary"). */
export const ROBOT_FILE_URL_LIFETIME_MS = 60 * 60_000;

export interface RobotFile {
	downloadCode: string;
	robotCode: string;
	fileName: string;
	mimeType: string;
	data: Buffer;
}

export interface RobotFilesState {
	byCode: Map<string, RobotFile>;
	/** id in the download URL -> the file and when the URL dies. */
	urls: Map<string, { file: RobotFile; expiresAt: number }>;
	downloads: number;
}

export function createRobotFilesState(): RobotFilesState {
	return { byCode: new Map(), urls: new Map(), downloads: 0 };
}

/** Registers a file a user sends to the robot; returns the downloadCode the message carries. */
export function addRobotFile(
	state: DingTalkState,
	file: { fileName: string; mimeType: string; data: Buffer },
): string {
	const downloadCode = `emuDl${randomBytes(24).toString('base64')}`;
	state.robotFiles.byCode.set(downloadCode, { ...file, downloadCode, robotCode: state.app.appKey });
	return downloadCode;
}

export const robotFileRoutes: Route<DingTalkState>[] = [
	{
		method: 'POST',
		path: '/v1.0/robot/messageFiles/download',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			if (!nonEmptyString(body.robotCode)) {
				throw newApiError(400, 'invalidParameter.robotCode.missing', '缺少robotCode');
			}
			if (body.robotCode !== ctx.state.app.appKey) {
				throw newApiError(400, 'invalidParameter.robotCode.notExsit', '机器人不存在');
			}
			const file = nonEmptyString(body.downloadCode)
				? ctx.state.robotFiles.byCode.get(body.downloadCode)
				: undefined;
			if (!file)
				throw newApiError(400, 'invalidParameter.downloadCode.invalid', 'downloadCode 无效');
			const id = randomBytes(16).toString('hex');
			const expiresAt = ctx.now() + ROBOT_FILE_URL_LIFETIME_MS;
			ctx.state.robotFiles.urls.set(id, { file, expiresAt });
			return newApiOk({
				downloadUrl: `${ctx.baseUrl()}${ROBOT_FILES_PATH}/${id}?Expires=${expiresAt}`,
			});
		},
	},
	{
		method: 'GET',
		path: `${ROBOT_FILES_PATH}/:id`,
		auth: false,
		handle(req, ctx) {
			const entry = ctx.state.robotFiles.urls.get(req.params.id);
			if (!entry || entry.expiresAt <= ctx.now()) {
				return {
					status: 403,
					text: '<Error><Code>AccessDenied</Code></Error>',
					headers: { 'content-type': 'application/xml' },
				};
			}
			ctx.state.robotFiles.downloads++;
			return { bytes: entry.file.data, headers: { 'content-type': entry.file.mimeType } };
		},
	},
];
