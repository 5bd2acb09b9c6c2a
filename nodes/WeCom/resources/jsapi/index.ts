import type { NodeResource } from '../../../shared/operations';
import { getJsapiSignature } from './getSignature';

export const jsapiResource: NodeResource = {
	value: 'jsapi',
	name: 'JS-SDK (JSAPI)',
	description: 'Sign H5 pages for the WeCom JS-SDK (wx.config, wx.agentConfig)',
	operations: [getJsapiSignature],
};
