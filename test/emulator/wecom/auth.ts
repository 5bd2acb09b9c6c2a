import { perState } from '../jsapiTickets';
import type { Route } from '../types';
import { bodyOf } from '../util';
import { WeComErr, wecomError, wecomOk } from './errors';
import { orgVisibility } from './org';
import type { WeComState } from './state';

/** What agent/set changes of the seeded app. */
export interface AppSettings {
	name: string;
	description: string;
	home_url: string;
	redirect_domain: string;
	close: 0 | 1;
}

export const appSettings = perState<WeComState, AppSettings>(() => ({
	name: '',
	description: 'WeCom emulator app',
	home_url: '',
	redirect_domain: 'emulator.example',
	close: 0,
}));

function checkAgentId(state: WeComState, agentid: unknown): void {
	if (agentid === undefined || agentid === '') {
		throw wecomError(WeComErr.agentIdMissing);
	}
	if (String(agentid) !== String(state.app.agentId)) {
		throw wecomError(WeComErr.invalidAgentId);
	}
}

function length(value: string): number {
	return [...value].length;
}

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
			const { app, users, departments } = ctx.state;
			checkAgentId(ctx.state, req.query.agentid);
			const settings = appSettings(ctx.state);
			// The scope set with setOrgVisibility; without one, the whole corp (the root department), which appchat needs.
			const scope = orgVisibility(ctx.state);
			return wecomOk({
				agentid: app.agentId,
				name: settings.name || app.agentName,
				square_logo_url: 'https://p.qlogo.cn/bizmail/emulator/0',
				description: settings.description,
				allow_userinfos: {
					user: (scope ? (scope.users ?? []) : users.map((u) => u.userid)).map((userid) => ({
						userid,
					})),
				},
				allow_partys: { partyid: scope ? (scope.departments ?? []) : [departments[0].id] },
				allow_tags: { tagid: [] },
				close: settings.close,
				redirect_domain: settings.redirect_domain,
				report_location_flag: 0,
				isreportenter: 0,
				home_url: settings.home_url,
				customized_publish_status: 0,
			});
		},
	},
	{
		method: 'POST',
		path: '/cgi-bin/agent/set',
		handle(req, ctx) {
			const body = bodyOf(req.body);
			checkAgentId(ctx.state, body.agentid);
			const settings = appSettings(ctx.state);
			const next = { ...settings };
			const text = (key: string): string | undefined => {
				const value = body[key];
				if (value === undefined) return undefined;
				if (typeof value !== 'string') {
					throw wecomError(WeComErr.invalidParameter, `${key} must be a string`);
				}
				return value;
			};
			const description = text('description');
			if (description !== undefined) {
				if (length(description) < 4 || length(description) > 120) {
					throw wecomError(WeComErr.invalidParameter, 'description must have 4 to 120 characters');
				}
				next.description = description;
			}
			const name = text('name');
			if (name !== undefined) {
				if (length(name) < 1 || length(name) > 32) {
					throw wecomError(WeComErr.invalidParameter, 'name must have 1 to 32 characters');
				}
				next.name = name;
			}
			const homeUrl = text('home_url');
			if (homeUrl !== undefined) {
				if (!/^https?:\/\/\S+$/.test(homeUrl)) {
					throw wecomError(WeComErr.invalidParameter, 'home_url must be an http(s) URL');
				}
				next.home_url = homeUrl;
			}
			const domain = text('redirect_domain');
			if (domain !== undefined) {
				if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(domain)) {
					throw wecomError(WeComErr.invalidParameter, 'redirect_domain must be a domain');
				}
				next.redirect_domain = domain;
			}
			Object.assign(settings, next);
			return wecomOk();
		},
	},
];
