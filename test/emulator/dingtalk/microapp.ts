import { perState } from '../jsapiTickets';
import type { Route } from '../types';
import { bodyOf } from '../util';
import { oldApiError, oldApiOk } from './errors';
import type { DingTalkState } from './state';

// The old micro-app endpoints (/microapp/list, /microapp/visible_scopes), as recalled from DingTalk's older docs
// (unverified against the live API): the app list of the organisation and who can see one app.

export interface MicroAppScope {
	isHidden: boolean;
	deptVisibleScopes: number[];
	userVisibleScopes: string[];
}

/** The seeded app's visibility scope; tests narrow it. Default: the whole organisation (the root department). */
export const microAppScope = perState<DingTalkState, MicroAppScope>(() => ({
	isHidden: false,
	deptVisibleScopes: [1],
	userVisibleScopes: [],
}));

export const microAppRoutes: Route<DingTalkState>[] = [
	{
		method: 'POST',
		path: '/microapp/list',
		// No parameters: an empty body is fine.
		body: 'none',
		handle(_req, ctx) {
			const { app } = ctx.state;
			return oldApiOk({
				appList: [
					{
						agentId: app.agentId,
						appName: '审批助手',
						appDesc: 'DingTalk emulator app',
						appIcon: 'https://static.dingtalk.com/emulator/icon.png',
						homepageLink: 'https://emulator.example/h5/',
						pcHomepageLink: 'https://emulator.example/pc/',
						ompLink: '',
						appStatus: 1,
						isSelf: true,
					},
					{
						agentId: 1000001,
						appName: '考勤打卡',
						appDesc: 'Built-in app',
						appIcon: '',
						homepageLink: '',
						pcHomepageLink: '',
						ompLink: '',
						appStatus: 1,
						isSelf: false,
					},
				],
			});
		},
	},
	{
		method: 'POST',
		path: '/microapp/visible_scopes',
		handle(req, ctx) {
			const { agentId } = bodyOf(req.body);
			if (typeof agentId !== 'number' && typeof agentId !== 'string') {
				throw oldApiError(40035, '缺少参数 agentId');
			}
			if (String(agentId) !== String(ctx.state.app.agentId)) {
				throw oldApiError(40056, '不合法的agentid');
			}
			return oldApiOk({ ...microAppScope(ctx.state) });
		},
	},
];
