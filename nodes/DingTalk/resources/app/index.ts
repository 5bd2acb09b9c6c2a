import type { NodeResource } from '../../../shared/operations';
import { getApp } from './get';

export const appResource: NodeResource = {
	value: 'app',
	name: 'App (应用)',
	description: "The credential's own micro-app: its settings and visibility scope (可见范围)",
	operations: [getApp],
};
