import { appSettings } from '../emulator/wecom';
import { setOrgVisibility } from '../emulator/wecom/org';
import { WECOM_SEED } from '../emulator/wecom/seed';
import { startWeCom, type WeComTestEnv } from './setup';

describe('WeCom App (应用): Get and Update', () => {
	let env: WeComTestEnv;

	beforeAll(async () => {
		env = await startWeCom();
	});

	afterAll(async () => {
		await env.stop();
	});

	beforeEach(() => {
		env.emulator.calls.length = 0;
		setOrgVisibility(env.emulator.wecom, undefined);
	});

	it('Get shows the app and its visibility scope as plain lists (what 60011 depends on)', async () => {
		setOrgVisibility(env.emulator.wecom, { departments: [2, 3], users: ['zhangsan'] });
		const result = await env.run({ resource: 'app', operation: 'get' });
		expect(result.error).toBeUndefined();
		const json = result.items[0].json;
		expect(json).toMatchObject({
			agentid: WECOM_SEED.agentId,
			name: WECOM_SEED.agentName,
			closed: false,
			visibility: { users: ['zhangsan'], departments: [2, 3], tags: [] },
		});
		expect(json.errcode).toBeUndefined();
		expect(env.emulator.callsTo('/cgi-bin/agent/get')[0].query.agentid).toBe(
			String(WECOM_SEED.agentId),
		);
	});

	it('Update sends only the fields given and answers with the app as it is afterwards', async () => {
		const result = await env.run({
			resource: 'app',
			operation: 'update',
			updateFields: { description: '报销与审批助手', homeUrl: 'https://emulator.example/h5/' },
		});
		expect(result.error).toBeUndefined();
		const set = env.emulator.callsTo('/cgi-bin/agent/set');
		expect(set).toHaveLength(1);
		expect(set[0].body).toEqual({
			agentid: WECOM_SEED.agentId,
			description: '报销与审批助手',
			home_url: 'https://emulator.example/h5/',
		});
		expect(result.items[0].json).toMatchObject({
			description: '报销与审批助手',
			home_url: 'https://emulator.example/h5/',
		});
		expect(appSettings(env.emulator.wecom).description).toBe('报销与审批助手');
	});

	it('refuses a too-short description and an empty update before calling WeCom', async () => {
		const short = await env.run({
			resource: 'app',
			operation: 'update',
			updateFields: { description: '短' },
		});
		expect(short.error?.message).toBe('Description has 1 characters: WeCom takes 4 to 120');
		const empty = await env.run({ resource: 'app', operation: 'update', updateFields: {} });
		expect(empty.error?.message).toMatch(/^Nothing to update/);
		const badUrl = await env.run({
			resource: 'app',
			operation: 'update',
			updateFields: { homeUrl: 'emulator.example' },
		});
		expect(badUrl.error?.message).toMatch(/Home URL "emulator.example" must start with http/);
		expect(env.emulator.callsTo('/cgi-bin/agent/set')).toHaveLength(0);
	});
});
