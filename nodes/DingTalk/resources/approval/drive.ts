import type {
	IDataObject,
	IExecuteFunctions,
	IN8nHttpFullResponse,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import type { BinaryFile } from '../../../shared/binaryFile';
import { extensionOf } from '../../../shared/binaryFile';
import { redact } from '../../../shared/redact';
import { networkCodeOf, RETRY_DELAYS_MS } from '../../../shared/retry';
import { readXml } from '../../../shared/xml';
import { CREDENTIAL_TYPE, dingTalkApiRequest } from '../../transport';

/** A file in the approval's Drive space, as an attachment component's value lists it. */
export interface DriveFile extends IDataObject {
	spaceId: string;
	fileName: string;
	fileSize: string;
	fileType: string;
	fileId: string;
}

/** The uploader: the approval's originator, by userid and by unionId (Drive knows people by unionId). */
export interface Uploader {
	userId: string;
	unionId: string;
}

/** The approval Drive space (审批钉盘空间); asking for it also grants the user the right to upload there. */
async function approvalSpace(
	this: IExecuteFunctions,
	uploader: Uploader,
	itemIndex: number,
): Promise<string> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const agentId = String(credentials.agentId ?? '').trim();
	if (!/^\d+$/.test(agentId)) {
		throw new NodeOperationError(
			this.getNode(),
			"The credential's Agent ID is empty or not a number: DingTalk needs it to store approval attachments. Copy the AgentId from 开发者后台 → the app → 凭证与基础信息",
			{ itemIndex },
		);
	}
	const answer = await dingTalkApiRequest.call(this, {
		method: 'POST',
		path: '/v1.0/workflow/processInstances/spaces/infos/query',
		body: { userId: uploader.userId, agentId: Number(agentId) },
		itemIndex,
	});
	const spaceId = (answer.result as IDataObject | undefined)?.spaceId;
	if (spaceId === undefined || spaceId === null || spaceId === '') {
		throw new NodeOperationError(
			this.getNode(),
			'DingTalk gave no Drive space for approval attachments (spaces/infos/query answered without spaceId)',
			{ itemIndex },
		);
	}
	return String(spaceId);
}

function ossErrorText(body: unknown): string {
	const text = Buffer.isBuffer(body) ? body.toString('utf8') : String(body ?? '');
	try {
		const { value } = readXml(text);
		const parts = [value.Code, value.Message].filter((p) => typeof p === 'string' && p !== '');
		if (parts.length) return parts.join(': ');
	} catch {
		// Not OSS's XML error: show the start of the text.
	}
	return text.slice(0, 300) || 'no answer body';
}

/**
 * PUT the bytes to the storage URL DingTalk handed out. That host is DingTalk's object storage (OSS), not its API:
 * no token goes there, only the signature headers DingTalk computed for exactly this upload. Content-Type is part
 * of what was signed (empty), so none may be sent.
 */
async function putObject(
	this: IExecuteFunctions,
	url: string,
	headers: Record<string, string>,
	data: Buffer,
	itemIndex: number,
): Promise<void> {
	const secrets = Object.values(headers);
	let retries = 0;
	for (;;) {
		let response: IN8nHttpFullResponse;
		try {
			response = (await this.helpers.httpRequest({
				method: 'PUT',
				url,
				// Empty rather than absent: left out, the HTTP client would add a form Content-Type of its own.
				headers: { ...headers, 'Content-Type': '' },
				body: data,
				encoding: 'arraybuffer',
				json: false,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
			})) as IN8nHttpFullResponse;
		} catch (error) {
			const networkCode = networkCodeOf(error);
			if (networkCode !== undefined && retries < RETRY_DELAYS_MS.length) {
				await sleep(RETRY_DELAYS_MS[retries++]);
				continue;
			}
			const reason = redact(String((error as Error).message ?? error), secrets);
			throw new NodeApiError(this.getNode(), { message: reason } as JsonObject, {
				message: `Could not upload the attachment to DingTalk Drive's storage at ${new URL(url).host}: check that n8n can reach it`,
				description: networkCode ? `${networkCode}: ${reason}` : reason,
				itemIndex,
			});
		}
		if (response.statusCode >= 200 && response.statusCode < 300) return;
		if (response.statusCode >= 500 && retries < RETRY_DELAYS_MS.length) {
			await sleep(RETRY_DELAYS_MS[retries++]);
			continue;
		}
		const detail = redact(ossErrorText(response.body), secrets);
		throw new NodeApiError(
			this.getNode(),
			{ httpCode: response.statusCode, message: detail } as JsonObject,
			{
				message: `DingTalk Drive's storage refused the attachment upload (HTTP ${response.statusCode}: ${detail})`,
				description:
					'The upload URL and its signature come from DingTalk and are valid for a short time. Run the node again; if it keeps failing, a proxy between n8n and the storage host may be changing the request (it must pass the body and headers unchanged).\n' +
					'上传地址和签名由钉钉下发，短时间内有效。请重新执行；若仍失败，可能是 n8n 与存储服务之间的代理修改了请求（请求体和请求头必须原样转发）。',
				httpCode: String(response.statusCode),
				itemIndex,
			},
		);
	}
}

async function uploadOne(
	this: IExecuteFunctions,
	uploader: Uploader,
	spaceId: string,
	file: BinaryFile,
	itemIndex: number,
): Promise<DriveFile> {
	const storagePath = `/v1.0/storage/spaces/${encodeURIComponent(spaceId)}/files`;
	const size = file.data.length;
	const info = await dingTalkApiRequest.call(this, {
		method: 'POST',
		path: `${storagePath}/uploadInfos/query`,
		qs: { unionId: uploader.unionId },
		body: {
			protocol: 'HEADER_SIGNATURE',
			multipart: false,
			option: {
				storageDriver: 'DINGTALK',
				preCheckParam: { size, parentId: '0', name: file.fileName },
			},
		},
		itemIndex,
	});
	const signature = (info.headerSignatureInfo ?? {}) as IDataObject;
	const urls = Array.isArray(signature.resourceUrls) ? signature.resourceUrls : [];
	const uploadKey = info.uploadKey;
	if (!urls.length || typeof uploadKey !== 'string' || !uploadKey) {
		throw new NodeOperationError(
			this.getNode(),
			'DingTalk Drive gave no upload URL for the attachment (uploadInfos/query answered without resourceUrls or uploadKey)',
			{ itemIndex },
		);
	}
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries((signature.headers ?? {}) as IDataObject)) {
		headers[name] = String(value);
	}
	await putObject.call(this, String(urls[0]), headers, file.data, itemIndex);
	const committed = await dingTalkApiRequest.call(this, {
		method: 'POST',
		path: `${storagePath}/commit`,
		qs: { unionId: uploader.unionId },
		body: {
			uploadKey,
			name: file.fileName,
			parentId: '0',
			option: { size, conflictStrategy: 'AUTO_RENAME' },
		},
		itemIndex,
	});
	const dentry = (committed.dentry ?? {}) as IDataObject;
	// Drive may rename the file (AUTO_RENAME): the attachment shows the name it was stored under.
	const fileName = String(dentry.name ?? file.fileName);
	return {
		spaceId: String(dentry.spaceId ?? spaceId),
		fileName,
		fileSize: String(dentry.size ?? size),
		fileType: String(dentry.extension ?? extensionOf(fileName)),
		fileId: String(dentry.id ?? ''),
	};
}

/**
 * Uploads files to the approval Drive space (钉盘) for the originator, the way attachment components need them:
 * spaces/infos/query (space + upload right) → uploadInfos/query (a signed storage URL) → PUT the bytes → commit.
 */
export async function uploadApprovalFiles(
	this: IExecuteFunctions,
	uploader: Uploader,
	files: BinaryFile[],
	itemIndex: number,
): Promise<DriveFile[]> {
	if (!files.length) return [];
	const spaceId = await approvalSpace.call(this, uploader, itemIndex);
	const uploaded: DriveFile[] = [];
	for (const file of files) {
		uploaded.push(await uploadOne.call(this, uploader, spaceId, file, itemIndex));
	}
	return uploaded;
}
