/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
import { ApiEmulator } from '.';
import { PROCESS_CODES, PURCHASE_SELF_SELECT_ACTOR } from './dingtalk/approvalForms';
import { BANK_DAYS, BANK_SIZES } from './dingtalk/approvalBank';
import { request } from './testClient';

const DAY_MS = 86400 * 1000;
const NOW = Date.UTC(2026, 10, 20, 8, 0, 0);

describe('DingTalk emulator: approvals (/v1.0/workflow) and the approval Drive space', () => {
	let emulator: ApiEmulator;
	let clock = NOW;

	beforeEach(async () => {
		clock = NOW;
		emulator = await ApiEmulator.start({ plugins: ['dingtalk'], now: () => clock });
	});

	afterEach(async () => {
		await emulator.stop();
	});

	const call = (method: string, path: string, options: Parameters<typeof request>[3] = {}) =>
		request(emulator.baseUrl, method, path, {
			...options,
			headers: {
				'x-acs-dingtalk-access-token': emulator.accessToken('dingtalk'),
				...options.headers,
			},
		});
	const post = (path: string, body: unknown, query?: Record<string, string>) =>
		call('POST', path, { body, query, headers: { 'content-type': 'application/json' } });

	const expense = (values: Array<{ name: string; value: string }> = []) => [
		{ name: '报销事由', value: '出差' },
		{ name: '报销金额（元）', value: '100' },
		{ name: '发生日期', value: '2026-07-27' },
		{ name: '费用类型', value: '差旅费' },
		...values,
	];
	const startExpense = (extra: Record<string, unknown> = {}) =>
		post('/v1.0/workflow/processInstances', {
			processCode: PROCESS_CODES.expense,
			originatorUserId: 'dev001',
			deptId: 101,
			formComponentValues: expense(),
			...extra,
		});

	it('seeds a bank of instances over the last 90 days, and lists them 20 a page over at most 120 days', async () => {
		const bank = emulator.dingtalk.instances;
		expect(bank.filter((i) => i.processCode === PROCESS_CODES.expense)).toHaveLength(
			BANK_SIZES.expense,
		);
		expect(bank.filter((i) => i.processCode === PROCESS_CODES.purchase)).toHaveLength(
			BANK_SIZES.purchase,
		);
		expect(Math.min(...bank.map((i) => i.createTime))).toBeGreaterThanOrEqual(
			NOW - BANK_DAYS * DAY_MS,
		);
		expect(Math.max(...bank.map((i) => i.createTime))).toBeLessThan(NOW);
		const query = (body: Record<string, unknown>) =>
			post('/v1.0/workflow/processes/instanceIds/query', {
				processCode: PROCESS_CODES.expense,
				startTime: NOW - 100 * DAY_MS,
				nextToken: 0,
				maxResults: 20,
				...body,
			});
		const first = await query({});
		expect(first.status).toBe(200);
		expect(first.json.result.list).toHaveLength(20);
		expect(first.json.result.nextToken).toBe('20');
		const last = await query({ nextToken: 140 });
		expect(last.json.result.list).toHaveLength(10);
		expect(last.json.result.nextToken).toBeUndefined();
		const codes = async (body: Record<string, unknown>) => (await query(body)).json.code;
		expect(await codes({ maxResults: 21 })).toBe('invalidMaxResults');
		expect(await codes({ nextToken: undefined })).toBe('invalidNextToken');
		expect(await codes({ startTime: undefined })).toBe('invalidInstanceListIdsStartTime');
		expect(await codes({ endTime: NOW - 100 * DAY_MS + 120 * DAY_MS + 1 })).toBe('invalidEndTime');
		expect(await codes({ startTime: NOW - 121 * DAY_MS })).toBe('invalidEndTime');
		expect(await codes({ userIds: Array.from({ length: 11 }, (_, i) => `u${i}`) })).toBe(
			'invalidUserIds',
		);
		expect(await codes({ processCode: '' })).toBe('invalidProcessCode');
		expect((await query({ statuses: ['RUNNING'] })).json.result.list.length).toBeGreaterThan(0);
	});

	it('lists forms 100 a page at most, and serves each schema', async () => {
		const list = (query: Record<string, string>) =>
			call('GET', '/v1.0/workflow/processes/userVisibilities/templates', { query });
		expect((await list({ maxResults: '100', nextToken: '0' })).json.result.nextToken).toBe(100);
		expect((await list({ maxResults: '101', nextToken: '0' })).json.code).toBe('invalidMaxResults');
		expect((await list({ maxResults: '10' })).json.code).toBe('invalidNextToken');
		const schema = await call('GET', '/v1.0/workflow/forms/schemas/processCodes', {
			query: { processCode: PROCESS_CODES.purchase },
		});
		expect(
			schema.json.result.schemaContent.items.map(
				(i: { props: { label: string } }) => i.props.label,
			),
		).toEqual(['采购物品', '预算（元）', '采购理由']);
		expect((await call('GET', '/v1.0/workflow/forms/schemas/processCodes')).status).toBe(400);
	});

	it('starts an instance only with a department the originator is in; the root as -1', async () => {
		expect((await startExpense()).json.instanceId).toEqual(expect.any(String));
		expect((await startExpense({ deptId: undefined })).json.code).toBe(
			'processInstanceInvalidParameter',
		);
		expect((await startExpense({ deptId: 300 })).json.code).toBe('processInstanceInvalidParameter');
		expect((await startExpense({ originatorUserId: 'inactive001', deptId: 200 })).json.code).toBe(
			'processInstanceInvalidParameter',
		);
		expect((await startExpense({ originatorUserId: 'manager001', deptId: -1 })).status).toBe(200);
		expect((await startExpense({ microappAgentId: 1 })).json.code).toBe('invalidAgentId');
		expect((await startExpense({ processCode: 'PROC-NONE' })).json.code).toBe('processCodeError');
	});

	it('checks each value format and names the failing component', async () => {
		const refused = async (name: string, value: string) =>
			(
				await startExpense({
					formComponentValues: [...expense().filter((v) => v.name !== name), { name, value }],
				})
			).json;
		expect(await refused('报销金额（元）', '¥100')).toMatchObject({
			code: 'formConverterError',
			message: expect.stringContaining('报销金额（元）'),
		});
		expect((await refused('费用类型', 'option_0')).code).toBe('formConverterError');
		expect((await refused('发生日期', '2026-7-27')).code).toBe('formConverterError');
		expect((await refused('出发时间', '2026-07-27')).code).toBe('formConverterError');
		expect((await refused('出发时间', '2026-07-27 09:30')).instanceId).toBeDefined();
		// A date range goes by its whole label, as in the page's request example; its start label names nothing.
		const range = '["开始时间","结束时间"]';
		expect((await refused(range, '["2026-07-30","2026-07-27"]')).code).toBe('formConverterError');
		expect((await refused(range, '["2026-07-27","2026-07-30"]')).instanceId).toBeDefined();
		expect((await refused('开始时间', '["2026-07-27","2026-07-30"]')).code).toBe(
			'illegalComponent',
		);
		// An id names the component; its name must be that component's.
		const byId = async (id: string, name: string, value: string) =>
			(
				await startExpense({
					formComponentValues: [...expense().filter((v) => v.name !== name), { id, name, value }],
				})
			).json;
		expect((await byId('DDSelectField-S1NGLE01', '费用类型', '招待费')).instanceId).toBeDefined();
		expect((await byId('DDSelectField-S1NGLE01', '报销事由', '招待费')).code).toBe(
			'illegalComponent',
		);
		expect((await byId('NoSuchField-1', '费用类型', '招待费')).code).toBe('illegalComponent');
		expect((await refused('同行人', 'inactive001')).code).toBe('formConverterError');
		// Departments and the address as the page's request example writes them: separated by English commas.
		expect((await refused('费用承担部门', '100,200')).instanceId).toBeDefined();
		expect((await refused('费用承担部门', '999')).code).toBe('formConverterError');
		expect((await refused('费用承担部门', '["100","200"]')).code).toBe('formConverterError');
		expect((await refused('出差地点', '浙江省,杭州市,余杭区')).instanceId).toBeDefined();
		expect((await refused('出差地点', '["浙江省","杭州市","余杭区"]')).code).toBe(
			'formConverterError',
		);
		expect((await refused('关联审批单', '["nope"]')).code).toBe('formConverterError');
		expect((await refused('费用明细', '[[{"name":"项目","value":"机票"}]]')).message).toContain(
			'缺少必填列 金额',
		);
		expect(
			(await refused('费用明细', '[[{"name":"金额","value":"1"},{"name":"项目","value":"x"}]]'))
				.instanceId,
		).toBeDefined();
		expect((await refused('说明', 'x')).code).toBe('illegalComponent');
		expect((await refused('报销事由', '')).code).toBe('formConverterError');
		expect(
			(await startExpense({ formComponentValues: [...expense(), { name: '票据张数', value: 3 }] }))
				.json.code,
		).toBe('illegalComponent');
		expect((await startExpense({ formComponentValues: [] })).json.code).toBe('invalidParameter');
	});

	it('refuses a kit form, and needs self-select approvers within their node range', async () => {
		const leave = await post('/v1.0/workflow/processInstances', {
			processCode: PROCESS_CODES.leave,
			originatorUserId: 'dev001',
			deptId: 101,
			formComponentValues: [{ name: '请假事由', value: 'x' }],
		});
		expect(leave.json.code).toBe('processInstanceStartFailed');
		const purchase = (extra: Record<string, unknown>) =>
			post('/v1.0/workflow/processInstances', {
				processCode: PROCESS_CODES.purchase,
				originatorUserId: 'dev001',
				deptId: 101,
				formComponentValues: [
					{ name: '采购物品', value: '笔' },
					{ name: '预算（元）', value: '5' },
				],
				...extra,
			});
		expect((await purchase({})).json.code).toBe('targetSelectApproverMissing');
		const pick = (ids: string[]) => ({
			targetSelectActioners: [{ actionerKey: PURCHASE_SELF_SELECT_ACTOR, actionerUserIds: ids }],
		});
		expect((await purchase(pick(['dev002']))).json.code).toBe('targetSelectApproverScopeError');
		expect((await purchase(pick(['lead001', 'manager001']))).json.code).toBe(
			'targetSelectApproverScopeError',
		);
		expect((await purchase(pick(['lead001']))).status).toBe(200);
		// Specified approvers replace the flow: no self-select then.
		expect(
			(await purchase({ approvers: [{ actionType: 'OR', userIds: ['fin001'] }] })).status,
		).toBe(200);
	});

	it('terminates running instances after 15 seconds, as the system or the originator', async () => {
		const id = (await startExpense()).json.instanceId;
		const terminate = (body: Record<string, unknown>) =>
			post('/v1.0/workflow/processInstances/terminate', { processInstanceId: id, ...body });
		expect((await terminate({ isSystem: true })).json.code).toBe('aflowProcessInstStatusException');
		clock += 16_000;
		expect((await terminate({})).json.code).toBe('invalidInstanceTerminateIsSystem');
		expect((await terminate({ isSystem: false })).json.code).toBe(
			'invalidInstanceTerminateOperatingUserId',
		);
		expect((await terminate({ isSystem: false, operatingUserId: 'fin001' })).json.code).toBe(
			'internalError',
		);
		expect((await terminate({ isSystem: false, operatingUserId: 'dev001' })).json).toEqual({
			result: true,
			success: true,
		});
		expect((await terminate({ isSystem: true })).json.code).toBe('aflowProcessInstStatusException');
		expect(
			(
				await post('/v1.0/workflow/processInstances/terminate', {
					processInstanceId: 'x',
					isSystem: true,
				})
			).json.code,
		).toBe('aflowProcessInstNotExist');
	});

	it('uploads through the Drive steps only with the upload right, the exact signature and no Content-Type', async () => {
		const bytes = Buffer.from('file body');
		const infoFor = (unionId: string) =>
			post(
				'/v1.0/storage/spaces/3996960664/files/uploadInfos/query',
				{
					protocol: 'HEADER_SIGNATURE',
					multipart: false,
					option: {
						storageDriver: 'DINGTALK',
						preCheckParam: { size: bytes.length, parentId: '0', name: 'a.txt' },
					},
				},
				{ unionId },
			);
		// No upload right before spaces/infos/query.
		expect((await infoFor('union-dev001')).status).toBe(403);
		expect(
			(await post('/v1.0/workflow/processInstances/spaces/infos/query', { userId: 'dev001' })).json
				.code,
		).toBe('invalidAgentId');
		const space = await post('/v1.0/workflow/processInstances/spaces/infos/query', {
			userId: 'dev001',
			agentId: 3141592653,
		});
		expect(space.json).toEqual({ result: { spaceId: 3996960664 }, success: true });
		const info = (await infoFor('union-dev001')).json;
		const url = new URL(info.headerSignatureInfo.resourceUrls[0]);
		const headers = info.headerSignatureInfo.headers as Record<string, string>;
		const put = (extra: Record<string, string>) =>
			request(emulator.baseUrl, 'PUT', url.pathname, {
				body: bytes,
				headers: { ...headers, ...extra },
			});
		const badSignature = await put({ Authorization: 'OSS other:sig' });
		expect(badSignature.status).toBe(403);
		expect(badSignature.text).toContain('<Code>SignatureDoesNotMatch</Code>');
		expect((await put({ 'content-type': 'application/octet-stream' })).status).toBe(403);
		const commit = (body: Record<string, unknown>) =>
			post(
				'/v1.0/storage/spaces/3996960664/files/commit',
				{ uploadKey: info.uploadKey, name: 'a.txt', parentId: '0', ...body },
				{ unionId: 'union-dev001' },
			);
		expect((await commit({ option: { size: bytes.length } })).json.code).toBe('fileNotUploaded');
		expect((await put({})).status).toBe(200);
		expect((await commit({ option: { size: 1 } })).json.code).toBe('fileSizeNotMatch');
		const done = await commit({ option: { size: bytes.length, conflictStrategy: 'AUTO_RENAME' } });
		expect(done.json.dentry).toMatchObject({
			name: 'a.txt',
			size: bytes.length,
			extension: 'txt',
			spaceId: '3996960664',
		});
		expect(emulator.dingtalk.drive.files.get(done.json.dentry.id)?.data.equals(bytes)).toBe(true);
		expect((await commit({ option: { size: bytes.length } })).json.code).toBe(
			'invalidParameter.uploadKey',
		);
	});
});
