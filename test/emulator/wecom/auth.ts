import type { Route } from '../types';
import { WeComErr, wecomError, wecomOk } from './errors';
import type { WeComState } from './state';

export const authRoutes: Route<WeComState>[] = [
	{
		method: 'GET',
		path: '/cgi-bin/gettoken',
		auth: false,
		handle(req, ctx) {
			const { corpid, corpsecret } = req.query;
			if (!corpid) {
				throw wecomError(WeComErr.corpIdMissing);
			}
			if (!corpsecret) {
				throw wecomError(WeComErr.secretMissing);
			}
			if (corpid !== ctx.state.app.corpId) {
				throw wecomError(WeComErr.invalidCorpId);
			}
			if (corpsecret !== ctx.state.app.secret) {
				throw wecomError(WeComErr.invalidSecret, 'corpsecret does not match the app');
			}
			const { token, expiresInSeconds } = ctx.obtainToken(corpid);
			return wecomOk({ access_token: token, expires_in: expiresInSeconds });
		},
	},
	{
		method: 'GET',
		path: '/cgi-bin/agent/get',
		handle(req, ctx) {
			const { agentid } = req.query;
			if (!agentid) {
				throw wecomError(WeComErr.agentIdMissing);
			}
			const { app, users, departments } = ctx.state;
			if (agentid !== String(app.agentId)) {
				throw wecomError(WeComErr.invalidAgentId);
			}
			return wecomOk({
				agentid: app.agentId,
				name: app.agentName,
				square_logo_url: 'https://p.qlogo.cn/bizmail/emulator/0',
				description: 'WeCom emulator app',
				// Visible to the whole corp (the root department), which appchat requires.
				allow_userinfos: { user: users.map((u) => ({ userid: u.userid })) },
				allow_partys: { partyid: [departments[0].id] },
				allow_tags: { tagid: [] },
				close: 0,
				redirect_domain: 'emulator.example',
				report_location_flag: 0,
				isreportenter: 0,
				home_url: '',
				customized_publish_status: 0,
			});
		},
	},
];
