import type { NodeResource } from '../../../shared/operations';
import { getApp } from './get';
import { updateApp } from './update';

export const appResource: NodeResource = {
	value: 'app',
	name: 'App (应用)',
	description: "The credential's own app: its settings and visibility scope (可见范围)",
	operations: [getApp, updateApp],
};
