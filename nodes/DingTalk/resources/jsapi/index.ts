import type { NodeResource } from '../../../shared/operations';
import { getJsapiSignature } from './getSignature';

export const jsapiResource: NodeResource = {
	value: 'jsapi',
	name: 'JSAPI (H5 微应用)',
	description: 'Sign H5 micro-app pages for dd.config (JSAPI 鉴权)',
	operations: [getJsapiSignature],
};
