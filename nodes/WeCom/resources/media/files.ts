import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { checkFile, uploadedFile } from '../../../shared/binaryFile';
import type { MediaFile, MediaType, UploadKind } from '../../../shared/wecom/media';
import { MEDIA_RULES, mediaPart } from '../../../shared/wecom/media';
import { weComApiRequest } from '../../transport';

export type { MediaFile, MediaType, UploadKind } from '../../../shared/wecom/media';
export { MEDIA_RULES, MIN_MEDIA_BYTES } from '../../../shared/wecom/media';

/** WeCom's limits for this kind of upload, checked before anything is sent. */
export function checkMediaFile(
	this: IExecuteFunctions,
	itemIndex: number,
	kind: UploadKind,
	file: MediaFile,
): MediaFile {
	return checkFile.call(
		this,
		itemIndex,
		'WeCom',
		MEDIA_RULES[kind],
		file,
		kind === 'uploadimg' ? 'image' : kind,
	);
}

/** POST /cgi-bin/media/upload for a checked file: `{type, media_id, created_at}`. */
export async function uploadMediaFile(
	this: IExecuteFunctions,
	itemIndex: number,
	type: MediaType,
	file: MediaFile,
): Promise<IDataObject> {
	const answer = await weComApiRequest.call(this, {
		method: 'POST',
		path: '/cgi-bin/media/upload',
		qs: { type },
		file: mediaPart(file),
		itemIndex,
	});
	return uploadedFile(answer, type, file);
}
