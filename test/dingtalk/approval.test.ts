import type {
	IDataObject,
	INodeExecutionData,
	INodeListSearchResult,
	INodeParameters,
	INodeProperties,
	ResourceMapperFields,
} from 'n8n-workflow';
import { setGlobalState } from 'n8n-workflow';

import type { RecordedCall } from '../emulator';
import {
	FILLER_FORMS,
	PROCESS_CODES,
	PURCHASE_SELF_SELECT_ACTOR,
} from '../emulator/dingtalk/approvalForms';
import type { EmuInstance } from '../emulator/dingtalk/approvalModel';
import { DINGTALK_SEED } from '../emulator/dingtalk/seed';
import {
	byId,
	byList,
	ensureUserLookup,
	formFields,
	itemWithFiles,
	pickerContext,
} from './approvalSupport';
import { startDingTalk, type DingTalkTestEnv, storedToken } from './setup';

const DAY_MS = 86400 * 1000;

type RunResult = Awaited<ReturnType<DingTalkTestEnv['run']>>;

describe('DingTalk Approval (审批, new API)', () => {
	let env: DingTalkTestEnv;

	beforeAll(async () => {
		// The instance time zone a DingTalk user in China sets; times without an offset are read in it.
		setGlobalState({ defaultTimezone: 'Asia/Shanghai' });
		env = await startDingTalk();
		ensureUserLookup(env);
	});

	afterAll(async () => {
		await env.stop();
	});

	beforeEach(() => {
		env.emulator.calls.length = 0;
		env.emulator.clearFaults();
	});

	const callsTo = (path: string | RegExp) => env.emulator.callsTo(path);
	const bodyOf = (call: RecordedCall) => call.body as IDataObject;
	const startCalls = () =>
		callsTo('/v1.0/workflow/processInstances').filter((c) => c.method === 'POST');
	const errorOf = (result: RunResult) => {
		expect(result.error).toBeDefined();
		return result.error as Error & { description?: string };
	};
	const instance = (id: unknown): EmuInstance => {
		const found = env.emulator.dingtalk.instances.find((i) => i.processInstanceId === id);
		expect(found).toBeDefined();
		return found!;
	};
	/** Instances of a form, oldest first: the seeded bank, then those the tests started. */
	const bankOf = (code: string) =>
		env.emulator.dingtalk.instances.filter((i) => i.processCode === code);
	/** Running instances at least a minute old (DingTalk lets none be terminated in its first 15 seconds). */
	const oldRunning = () =>
		bankOf(PROCESS_CODES.expense).filter(
			(i) => i.status === 'RUNNING' && i.createTime < Date.now() - 60_000,
		);

	const start = (parameters: INodeParameters, items?: INodeExecutionData[]) =>
		env.run(
			{
				resource: 'approval',
				operation: 'start',
				processCode: byId(PROCESS_CODES.expense),
				originatorUserId: byId('dev001'),
				deptId: byList(''),
				formInput: 'fields',
				...parameters,
			},
			items,
		);

	/** The smallest valid expense: the four required fields. */
	const REQUIRED = {
		报销事由: '客户拜访',
		'报销金额（元）': '1280.50',
		发生日期: '2026-07-27',
		费用类型: '差旅费',
	};
	/** Table Rows cells' Column values, as the column list offers them. */
	const COLUMN = {
		item: 'text|TableField-T4BLE001|TextField-TBLITEM1',
		amount: 'number|TableField-T4BLE001|MoneyField-TBLAMNT2',
		date: 'date|TableField-T4BLE001|DDDateField-TBLDATE3',
		kind: 'select|TableField-T4BLE001|DDSelectField-TBLKIND4',
	};
	/** People and Departments' Form Field values. */
	const PEOPLE = {
		companions: 'user|InnerContactField-C0NTACT9',
		department: 'dept|DepartmentField-DEPT0004',
	};
	/** 费用明细 with two rows, as DingTalk takes it: one list of {name, value} cells per row. */
	const EXPENSE_ROWS = JSON.stringify([
		[
			{ name: '项目', value: '机票' },
			{ name: '金额', value: '1200' },
			{ name: '日期', value: '2026-07-27' },
			{ name: '类别', value: '交通' },
		],
		[
			{ name: '项目', value: '酒店' },
			{ name: '金额', value: '680.5' },
		],
	]);
	const sentValues = () => bodyOf(startCalls()[0]).formComponentValues as IDataObject[];
	const sentValue = (name: string) => sentValues().find((v) => v.name === name)?.value;

	describe('Get Form Schema', () => {
		it('lists the components flattened, with labels, options, formats and what cannot be submitted', async () => {
			const result = await env.run({
				resource: 'approval',
				operation: 'getFormSchema',
				processCode: byId(PROCESS_CODES.expense),
			});
			expect(result.error).toBeUndefined();
			expect(callsTo(/^\/v1\.0\/workflow/).map((c) => [c.method, c.path, c.query])).toEqual([
				[
					'GET',
					'/v1.0/workflow/forms/schemas/processCodes',
					{ processCode: PROCESS_CODES.expense },
				],
			]);
			const schema = result.items[0].json;
			expect(schema).toMatchObject({
				processCode: PROCESS_CODES.expense,
				name: '费用报销',
				startable: true,
			});
			const components = schema.components as IDataObject[];
			// The layout group is opened up: its phone field is an ordinary component.
			expect(components.map((c) => c.componentName)).toEqual([
				'TextField',
				'MoneyField',
				'NumberField',
				'DDDateField',
				'DDDateField',
				'DDDateRangeField',
				'DDSelectField',
				'DDMultiSelectField',
				'InnerContactField',
				'DepartmentField',
				'TableField',
				'DDAttachment',
				'AddressField',
				'DDPhotoField',
				'PhoneField',
				'RelateField',
				'TextNote',
				'CalculateField',
			]);
			const byName = (name: string) => components.find((c) => c.label === name) as IDataObject;
			expect(byName('报销事由')).toEqual({
				id: 'TextField-K2AD4O5B',
				label: '报销事由',
				name: '报销事由',
				componentName: 'TextField',
				type: 'Text (单行输入框)',
				required: true,
				placeholder: '请输入',
				submittable: true,
				valueFormat: 'text',
			});
			expect(byName('开始时间 ~ 结束时间')).toMatchObject({
				// The name a value is sent under: the whole label, as DingTalk's sample writes it.
				name: '["开始时间","结束时间"]',
				labels: ['开始时间', '结束时间'],
				format: 'yyyy-MM-dd',
				unit: '天',
				submittable: true,
			});
			expect(byName('出发时间')).toMatchObject({ format: 'yyyy-MM-dd HH:mm' });
			// Options from {key, value} entries and from plain strings read alike.
			expect(byName('费用类型').options).toEqual(['差旅费', '招待费', '办公用品']);
			expect(byName('支付方式').options).toEqual(['公司卡', '个人垫付', '对公转账']);
			expect(byName('同行人')).toMatchObject({ multiple: true });
			expect(byName('费用明细').children).toEqual([
				expect.objectContaining({ label: '项目', required: true, type: 'Text (单行输入框)' }),
				expect.objectContaining({ label: '金额', required: true, type: 'Money (金额)' }),
				expect.objectContaining({ label: '日期', format: 'yyyy-MM-dd' }),
				expect.objectContaining({ label: '类别', options: ['交通', '住宿', '餐饮'] }),
			]);
			expect(byName('附件').valueFormat).toMatch(/binary properties/);
			expect(byName('说明')).toMatchObject({
				submittable: false,
				notSubmittable: expect.stringMatching(/text note/),
			});
			expect(byName('说明').valueFormat).toBeUndefined();
			expect(byName('合计')).toMatchObject({ submittable: false });
			for (const component of components.filter((c) => c.submittable)) {
				expect(component.valueFormat).toEqual(expect.any(String));
			}
		});

		it('says a leave-kit form cannot be started, and why', async () => {
			const result = await env.run({
				resource: 'approval',
				operation: 'getFormSchema',
				processCode: byId(PROCESS_CODES.leave),
			});
			expect(result.error).toBeUndefined();
			const schema = result.items[0].json;
			expect(schema.startable).toBe(false);
			expect(schema.notStartable).toMatch(/leave\/attendance kit.*DDHolidayField/);
			expect((schema.components as IDataObject[])[0]).toMatchObject({
				componentName: 'DDHolidayField',
				submittable: false,
			});
		});

		it('reports an unknown form with DingTalk code, hint and request id', async () => {
			const error = errorOf(
				await env.run({
					resource: 'approval',
					operation: 'getFormSchema',
					processCode: byId('PROC-DOES-NOT-EXIST'),
				}),
			);
			expect(error.message).toMatch(/formNotExist/);
			expect(error.description).toMatch(/process code/i);
			expect(error.description).toMatch(/审批/);
			expect(error.description).toMatch(/Request ID: [0-9a-f]+/);
		});
	});

	describe('pickers', () => {
		const searchForms = async (filter?: string, token?: string) => {
			const { context, nodeType } = pickerContext(
				env,
				{ resource: 'approval', operation: 'start', processCode: byList('') },
				'parameters.processCode',
			);
			return (await nodeType.methods!.listSearch!.searchApprovalForms.call(
				context,
				filter,
				token,
			)) as INodeListSearchResult;
		};
		const formFieldsOf = async (processCode: string) => {
			const { context, nodeType } = pickerContext(
				env,
				{ resource: 'approval', operation: 'start', processCode: byId(processCode) },
				'parameters.formFields',
			);
			return (await nodeType.methods!.resourceMapping!.getApprovalFormFields.call(
				context,
			)) as ResourceMapperFields;
		};

		it('lists every form of the organisation, 100 a page, matched on name, group and code', async () => {
			const first = await searchForms();
			expect(first.results).toHaveLength(100);
			expect(first.results.slice(0, 3)).toEqual([
				{
					name: '费用报销 (财务管理)',
					value: PROCESS_CODES.expense,
					url: expect.stringContaining('https://'),
				},
				{ name: '采购申请 (行政管理)', value: PROCESS_CODES.purchase, url: expect.any(String) },
				{ name: '请假 (假勤管理)', value: PROCESS_CODES.leave, url: expect.any(String) },
			]);
			expect(first.paginationToken).toBe('100');
			const second = await searchForms(undefined, first.paginationToken as string);
			expect(second.results).toHaveLength(3 + FILLER_FORMS - 100);
			expect(second.paginationToken).toBeUndefined();
			const calls = callsTo('/v1.0/workflow/processes/userVisibilities/templates');
			// No userId: the whole organisation's forms.
			expect(calls.map((c) => c.query)).toEqual([
				{ maxResults: '100', nextToken: '0' },
				{ maxResults: '100', nextToken: '100' },
			]);
			expect((await searchForms('报销')).results.map((r) => r.value)).toEqual([
				PROCESS_CODES.expense,
			]);
			expect((await searchForms('行政')).results.map((r) => r.value)).toEqual([
				PROCESS_CODES.purchase,
			]);
			expect((await searchForms('proc-emu-leave')).results.map((r) => r.value)).toEqual([
				PROCESS_CODES.leave,
			]);
		});

		it('offers each component as a Form Field with its own input: numbers, date pickers, options, a switch per option', async () => {
			const { fields } = await formFieldsOf(PROCESS_CODES.expense);
			const shown = fields.filter((f) => !f.removed);
			expect(shown.map((f) => [f.id, f.type])).toEqual([
				['报销事由', 'string'],
				['报销金额（元）', 'number'],
				['票据张数', 'number'],
				['发生日期', 'dateTime'],
				['出发时间', 'dateTime'],
				// A date range: two date pickers.
				['开始时间', 'dateTime'],
				['结束时间', 'dateTime'],
				['费用类型', 'options'],
				// A multi-select: a switch per option of the schema.
				['支付方式 › 公司卡', 'boolean'],
				['支付方式 › 个人垫付', 'boolean'],
				['支付方式 › 对公转账', 'boolean'],
				['附件', 'string'],
				['出差地点', 'string'],
				['现场照片', 'string'],
				['联系电话', 'string'],
				['关联审批单', 'string'],
			]);
			// People, departments and table rows have their own sections; their text fields wait in "Add field"
			// (shown when required), as does the whole choice of a multi-select for expressions.
			expect(fields.filter((f) => f.removed).map((f) => f.id)).toEqual([
				'支付方式',
				'同行人',
				'费用承担部门',
				'费用明细',
			]);
			const field = (id: string) => fields.find((f) => f.id === id)!;
			expect(field('报销事由')).toMatchObject({
				displayName: '报销事由 (Text, required)',
				required: true,
			});
			expect(field('报销金额（元）').displayName).toBe('报销金额（元） (Money, required)');
			// Each end of the range under its own label.
			expect(field('开始时间').displayName).toBe('开始时间 (Date Range start)');
			expect(field('结束时间').displayName).toBe('结束时间 (Date Range end)');
			expect(field('费用类型')).toMatchObject({
				displayName: '费用类型 (Select, required)',
				type: 'options',
				options: [
					{ name: '差旅费', value: '差旅费' },
					{ name: '招待费', value: '招待费' },
					{ name: '办公用品', value: '办公用品' },
				],
			});
			expect(field('支付方式 › 个人垫付').displayName).toBe('支付方式: 个人垫付 (Multi-Select)');
			expect(field('同行人').displayName).toMatch(/People and Departments/);
			expect(field('费用明细').displayName).toMatch(/Table Rows/);
			expect(field('附件').displayName).toBe('附件 (Attachment: binary properties)');
			expect(field('票据张数').required).toBe(false);
		});

		const loadOptions = async (method: string, parameters: INodeParameters, path: string) => {
			const { context, nodeType } = pickerContext(
				env,
				{
					resource: 'approval',
					operation: 'start',
					processCode: byId(PROCESS_CODES.expense),
					...parameters,
				},
				path,
			);
			return (await nodeType.methods!.loadOptions![method].call(context)) as Array<{
				name: string;
				value: string;
			}>;
		};

		it('offers the table columns for Table Rows cells, and a select column its options', async () => {
			const columns = await loadOptions(
				'getApprovalTableColumns',
				{},
				'parameters.tableRows.rows[0].cells.cell[0].column',
			);
			expect(columns).toEqual([
				{ name: '项目 (Text, required)', value: 'text|TableField-T4BLE001|TextField-TBLITEM1' },
				{ name: '金额 (Money, required)', value: 'number|TableField-T4BLE001|MoneyField-TBLAMNT2' },
				{ name: '日期 (Date)', value: 'date|TableField-T4BLE001|DDDateField-TBLDATE3' },
				{ name: '类别 (Select)', value: 'select|TableField-T4BLE001|DDSelectField-TBLKIND4' },
			]);
			const options = await loadOptions(
				'getApprovalColumnOptions',
				{ tableRows: { rows: [{ cells: { cell: [{ column: columns[3].value }] } }] } },
				'parameters.tableRows.rows[0].cells.cell[0].option',
			);
			expect(options).toEqual([
				{ name: '交通', value: '交通' },
				{ name: '住宿', value: '住宿' },
				{ name: '餐饮', value: '餐饮' },
			]);
		});

		it('offers the contact and department fields for People and Departments', async () => {
			expect(
				await loadOptions('getApprovalPeopleFields', {}, 'parameters.formPeople.entries[0].field'),
			).toEqual([
				{ name: '同行人 (Contact, several)', value: 'user|InnerContactField-C0NTACT9' },
				{ name: '费用承担部门 (Department, several)', value: 'dept|DepartmentField-DEPT0004' },
			]);
		});

		it('offers no fields for a leave-kit form, and says why', async () => {
			const result = await formFieldsOf(PROCESS_CODES.leave);
			expect(result.fields).toEqual([]);
			expect(result.emptyFieldsNotice).toMatch(/leave\/attendance kit/);
		});

		it('asks for the form first', async () => {
			await expect(formFieldsOf('')).rejects.toThrow(/Choose the Approval Form first/);
		});

		it('locators name listSearch methods the node has, or searchUsers (wired with the User resource)', () => {
			const { nodeType } = pickerContext(env, {}, 'parameters.x');
			const methods = Object.keys(nodeType.methods?.listSearch ?? {});
			const approvalLocators = nodeType.description.properties.filter(
				(p: INodeProperties) =>
					p.type === 'resourceLocator' && p.displayOptions?.show?.resource?.includes('approval'),
			);
			const searched = new Set(
				approvalLocators.flatMap((p) =>
					(p.modes ?? []).map((m) => m.typeOptions?.searchListMethod),
				),
			);
			expect([...searched].sort()).toEqual([
				'searchApprovalForms',
				'searchDepartments',
				'searchUsers',
				undefined,
			]);
			expect(methods).toEqual(expect.arrayContaining(['searchApprovalForms', 'searchDepartments']));
		});
	});

	describe('Start: each component in the format DingTalk takes', () => {
		it("fills every kind of component from the editor's inputs, uploads attachments through Drive, and DingTalk accepts it", async () => {
			const related = bankOf(PROCESS_CODES.expense)[0].processInstanceId;
			const invoice = Buffer.from('%PDF-1.4 invoice bytes \u0000\u00ff');
			const photo = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5]);
			const result = await start(
				{
					// What n8n's editor stores: numbers from number inputs, date pickers' wall-clock text, switches.
					formFields: formFields({
						报销事由: '客户拜访差旅',
						'报销金额（元）': 1280.5,
						票据张数: '={{ 3 }}',
						发生日期: '2026-07-27T00:00:00',
						出发时间: '2026-07-27T01:30:00Z',
						开始时间: '2026-07-27T00:00:00',
						结束时间: '2026-07-30T00:00:00',
						费用类型: '招待费',
						'支付方式 › 公司卡': true,
						'支付方式 › 个人垫付': false,
						'支付方式 › 对公转账': true,
						附件: 'invoice, photo',
						出差地点: '浙江省, 杭州市, 余杭区, 文一西路969号',
						现场照片: 'https://img.example.com/a.jpg',
						联系电话: '13900000002',
						关联审批单: related,
					}),
					tableRows: {
						rows: [
							{
								cells: {
									cell: [
										{ column: COLUMN.item, text: '机票' },
										{ column: COLUMN.amount, number: 1200 },
										{ column: COLUMN.date, date: '2026-07-27T00:00:00' },
										{ column: COLUMN.kind, option: '交通' },
									],
								},
							},
							{
								cells: {
									cell: [
										{ column: COLUMN.item, text: '酒店' },
										{ column: COLUMN.amount, number: 680.5 },
									],
								},
							},
						],
					},
					formPeople: {
						entries: [
							{ field: PEOPLE.companions, user: byList('dev002') },
							{ field: PEOPLE.companions, user: byId('lead001') },
							{ field: PEOPLE.department, department: byList('100') },
						],
					},
				},
				[
					itemWithFiles({
						invoice: { bytes: invoice, fileName: '发票.pdf', mimeType: 'application/pdf' },
						photo: { bytes: photo, fileName: '现场.jpg', mimeType: 'image/jpeg' },
					}),
				],
			);
			expect(result.error).toBeUndefined();
			const drive = env.emulator.dingtalk.drive;
			const stored = (name: string) => [...drive.files.values()].find((f) => f.name === name)!;
			expect(stored('发票.pdf').data.equals(invoice)).toBe(true);
			expect(stored('现场.jpg').data.equals(photo)).toBe(true);
			const driveFile = (name: string, ext: string) => ({
				spaceId: drive.spaceId,
				fileName: name,
				fileSize: String(stored(name).size),
				fileType: ext,
				fileId: stored(name).fileId,
			});
			expect(sentValues()).toEqual([
				{ id: 'TextField-K2AD4O5B', name: '报销事由', value: '客户拜访差旅' },
				{ id: 'MoneyField-J7NM2P1Q', name: '报销金额（元）', value: '1280.5' },
				{ id: 'NumberField-H3XZ8W0R', name: '票据张数', value: '3' },
				{ id: 'DDDateField-D1ATE0CC', name: '发生日期', value: '2026-07-27' },
				// 01:30 UTC is 09:30 in the workflow's zone (Asia/Shanghai), written as the form's yyyy-MM-dd HH:mm.
				{ id: 'DDDateField-D2EPART0', name: '出发时间', value: '2026-07-27 09:30' },
				// A date range is named by its whole label, as in DingTalk's sample.
				{
					id: 'DDDateRangeField-R4NGE7TT',
					name: '["开始时间","结束时间"]',
					value: '["2026-07-27","2026-07-30"]',
				},
				{ id: 'DDSelectField-S1NGLE01', name: '费用类型', value: '招待费' },
				{ id: 'DDMultiSelectField-M8LTI002', name: '支付方式', value: '["公司卡","对公转账"]' },
				{ id: 'InnerContactField-C0NTACT9', name: '同行人', value: '["dev002","lead001"]' },
				{ id: 'DepartmentField-DEPT0004', name: '费用承担部门', value: '100' },
				{ id: 'TableField-T4BLE001', name: '费用明细', value: EXPENSE_ROWS },
				{
					id: 'DDAttachment-ATTACH01',
					name: '附件',
					value: JSON.stringify([driveFile('发票.pdf', 'pdf'), driveFile('现场.jpg', 'jpg')]),
				},
				{
					id: 'AddressField-ADDR0001',
					name: '出差地点',
					value: '浙江省,杭州市,余杭区,文一西路969号',
				},
				{
					id: 'DDPhotoField-PH0TO001',
					name: '现场照片',
					value: '["https://img.example.com/a.jpg"]',
				},
				{ id: 'PhoneField-PHONE001', name: '联系电话', value: '13900000002' },
				{ id: 'RelateField-RELATE01', name: '关联审批单', value: JSON.stringify([related]) },
			]);
			const body = bodyOf(startCalls()[0]);
			expect(body).toMatchObject({
				processCode: PROCESS_CODES.expense,
				originatorUserId: 'dev001',
				deptId: 101,
				microappAgentId: DINGTALK_SEED.agentId,
			});
			expect(body.approvers).toBeUndefined();
			expect(body.targetSelectActioners).toBeUndefined();
			const output = result.items[0].json;
			expect(output).toEqual({
				processInstanceId: expect.any(String),
				processCode: PROCESS_CODES.expense,
				originatorUserId: 'dev001',
				deptId: 101,
				deptIdFrom: 'originator',
				attachments: [driveFile('发票.pdf', 'pdf'), driveFile('现场.jpg', 'jpg')],
			});
			expect(instance(output.processInstanceId).status).toBe('RUNNING');
			expect(result.items[0].pairedItem).toEqual({ item: 0 });
		});

		it('takes whole values from expressions and typed text, as workflows build them', async () => {
			const result = await start({
				formFields: formFields({
					...REQUIRED,
					// An option's key is sent as its text.
					费用类型: '={{ "option_1" }}',
					// Both ends of a range in the start field; a multi-select's whole choice; people and rows as lists.
					开始时间: '={{ ["2026-07-27", "2026-07-30"] }}',
					支付方式: '公司卡，对公转账',
					同行人: '={{ ["dev002", "lead001"] }}',
					费用承担部门: '100',
					费用明细:
						'={{ [{"项目": "机票", "金额": 1200, "日期": "2026-07-27", "类别": "交通"}, {"项目": "酒店", "金额": "680.5"}] }}',
				}),
			});
			expect(result.error).toBeUndefined();
			expect(sentValue('费用类型')).toBe('招待费');
			expect(sentValue('["开始时间","结束时间"]')).toBe('["2026-07-27","2026-07-30"]');
			expect(sentValue('支付方式')).toBe('["公司卡","对公转账"]');
			expect(sentValue('同行人')).toBe('["dev002","lead001"]');
			expect(sentValue('费用承担部门')).toBe('100');
			expect(sentValue('费用明细')).toBe(EXPENSE_ROWS);
		});

		it('adds up rows and people given in both places: typed or expression first, then the sections', async () => {
			const result = await start({
				formFields: formFields({
					...REQUIRED,
					同行人: 'dev002',
					费用承担部门: '100',
					费用明细: '[{"项目": "机票", "金额": "1200"}]',
				}),
				tableRows: {
					rows: [
						{
							cells: {
								cell: [
									{ column: COLUMN.item, text: '酒店' },
									{ column: COLUMN.amount, number: 680.5 },
								],
							},
						},
					],
				},
				formPeople: {
					entries: [
						{ field: PEOPLE.companions, user: byId('lead001') },
						{ field: PEOPLE.department, department: byId('101') },
					],
				},
			});
			expect(result.error).toBeUndefined();
			expect(sentValue('同行人')).toBe('["dev002","lead001"]');
			expect(sentValue('费用承担部门')).toBe('100,101');
			expect(JSON.parse(String(sentValue('费用明细')))).toEqual([
				[
					{ name: '项目', value: '机票' },
					{ name: '金额', value: '1200' },
				],
				[
					{ name: '项目', value: '酒店' },
					{ name: '金额', value: '680.5' },
				],
			]);
		});

		it('refuses a row without cells, a cell without a column, a column given twice, and a required column left out', async () => {
			const refused = async (rows: INodeParameters[]) =>
				errorOf(await start({ formFields: formFields(REQUIRED), tableRows: { rows } })).message;
			expect(await refused([{ cells: { cell: [] } }])).toMatch(/Table Rows: row 1 has no cells/);
			expect(await refused([{ cells: { cell: [{ column: '', text: 'x' }] } }])).toMatch(
				/row 1, cell 1 has no column picked/,
			);
			expect(
				await refused([
					{
						cells: {
							cell: [
								{ column: COLUMN.item, text: 'a' },
								{ column: COLUMN.item, text: 'b' },
							],
						},
					},
				]),
			).toMatch(/gives the column 项目 twice/);
			expect(await refused([{ cells: { cell: [{ column: COLUMN.item, text: '机票' }] } }])).toMatch(
				/费用明细 \(Table\): row 1 lacks the required column 金额 \(Money\)/,
			);
			expect(
				errorOf(
					await start({
						formFields: formFields(REQUIRED),
						formPeople: { entries: [{ field: '' }] },
					}),
				).message,
			).toMatch(/People and Departments: entry 1 has no form field picked/);
			expect(startCalls()).toHaveLength(0);
		});

		it('uploads through the Drive steps: space, signed URL with the uploader unionId, storage PUT, commit', async () => {
			const bytes = Buffer.from('attachment bytes');
			const result = await start({ formFields: formFields({ ...REQUIRED, 附件: 'data' }) }, [
				itemWithFiles({ data: { bytes, fileName: '报告.pdf', mimeType: 'application/pdf' } }),
			]);
			expect(result.error).toBeUndefined();
			const sequence = env.emulator.calls
				.filter((c) => c.path !== '/v1.0/oauth2/accessToken')
				.map((c) => `${c.method} ${c.path.replace(/\/[0-9a-f]{32}$/, '/<object>')}`);
			expect(sequence).toEqual([
				'GET /v1.0/workflow/forms/schemas/processCodes',
				'POST /topapi/v2/user/get',
				'POST /v1.0/workflow/processInstances/spaces/infos/query',
				'POST /v1.0/storage/spaces/3996960664/files/uploadInfos/query',
				'PUT /emulator-oss/dingtalk-approval/<object>',
				'POST /v1.0/storage/spaces/3996960664/files/commit',
				'POST /v1.0/workflow/processInstances',
			]);
			expect(bodyOf(callsTo('/v1.0/workflow/processInstances/spaces/infos/query')[0])).toEqual({
				userId: 'dev001',
				agentId: DINGTALK_SEED.agentId,
			});
			const [info] = callsTo(/uploadInfos\/query$/);
			expect(info.query).toEqual({ unionId: 'union-dev001' });
			expect(info.body).toEqual({
				protocol: 'HEADER_SIGNATURE',
				multipart: false,
				option: {
					storageDriver: 'DINGTALK',
					preCheckParam: { size: bytes.length, parentId: '0', name: '报告.pdf' },
				},
			});
			const issued = (info.response as IDataObject).headerSignatureInfo as IDataObject;
			const [put] = callsTo(/^\/emulator-oss\//);
			// Exactly the headers DingTalk handed out, no token, and no Content-Type (it is part of the signature).
			expect(put.headers.authorization).toBe((issued.headers as IDataObject).Authorization);
			expect(put.headers['x-oss-date']).toBe((issued.headers as IDataObject)['x-oss-date']);
			expect(put.headers['x-acs-dingtalk-access-token']).toBeUndefined();
			expect(put.query).toEqual({});
			expect(put.headers['content-type'] ?? '').toBe('');
			expect(put.rawBody.equals(bytes)).toBe(true);
			const [commit] = callsTo(/files\/commit$/);
			expect(commit.query).toEqual({ unionId: 'union-dev001' });
			expect(commit.body).toEqual({
				uploadKey: (info.response as IDataObject).uploadKey,
				name: '报告.pdf',
				parentId: '0',
				option: { size: bytes.length, conflictStrategy: 'AUTO_RENAME' },
			});
		});

		it('uploads a binary property named twice once, and keeps the name Drive gave', async () => {
			// 报告.pdf is already in the space from the test before: Drive renames the new one.
			const result = await start({ formFields: formFields({ ...REQUIRED, 附件: 'data, data' }) }, [
				itemWithFiles({ data: { bytes: Buffer.from('again'), fileName: '报告.pdf' } }),
			]);
			expect(result.error).toBeUndefined();
			expect(callsTo(/^\/emulator-oss\//)).toHaveLength(1);
			const files = JSON.parse(String(sentValue('附件'))) as IDataObject[];
			expect(files.map((f) => f.fileName)).toEqual(['报告(1).pdf']);
			expect((result.items[0].json.attachments as IDataObject[])[0].fileName).toBe('报告(1).pdf');
		});

		it('writes dates in the form format from $now, ISO times and unix milliseconds', async () => {
			const result = await start({
				formFields: formFields({
					...REQUIRED,
					发生日期: '={{ DateTime.fromISO("2026-07-27T23:30:00", { zone: "Asia/Shanghai" }) }}',
					出发时间: String(Date.UTC(2026, 6, 27, 16, 45)),
					开始时间: '={{ ["2026-07-27T00:00:00+08:00", "2026-07-30"] }}',
				}),
			});
			expect(result.error).toBeUndefined();
			expect(sentValue('发生日期')).toBe('2026-07-27');
			// 16:45 UTC is 00:45 the next day in Shanghai.
			expect(sentValue('出发时间')).toBe('2026-07-28 00:45');
			expect(sentValue('["开始时间","结束时间"]')).toBe('["2026-07-27","2026-07-30"]');
		});

		it('takes the originator department from the field, else their first; the root department as -1', async () => {
			expect(
				(await start({ formFields: formFields(REQUIRED), originatorUserId: byId('lead001') }))
					.error,
			).toBeUndefined();
			expect(bodyOf(startCalls()[0]).deptId).toBe(100);
			env.emulator.calls.length = 0;
			const given = await start({
				formFields: formFields(REQUIRED),
				originatorUserId: byId('lead001'),
				deptId: byId('101'),
			});
			expect(given.items[0].json).toMatchObject({ deptId: 101, deptIdFrom: 'field' });
			// Given, the department needs no profile lookup.
			expect(callsTo('/topapi/v2/user/get')).toHaveLength(0);
			env.emulator.calls.length = 0;
			const root = await start({
				formFields: formFields(REQUIRED),
				originatorUserId: byId('manager001'),
			});
			expect(root.error).toBeUndefined();
			expect(bodyOf(startCalls()[0]).deptId).toBe(-1);
			expect(instance(root.items[0].json.processInstanceId).originatorDeptId).toBe('-1');
		});

		it.each([
			[{ '报销金额（元）': '1,280.50' }, /报销金额（元） \(Money\): "1,280.50" is not a number/],
			[{ 票据张数: 'three' }, /票据张数 \(Number\): "three" is not a number/],
			[
				{ 费用类型: '机票' },
				/费用类型 \(Select\): "机票" is not one of its options. Use one of: 差旅费, 招待费, 办公用品/,
			],
			[{ 支付方式: '公司卡, 现金' }, /支付方式 \(Multi-Select\): "现金" is not one of its options/],
			[{ 发生日期: '27/07/2026' }, /发生日期 \(Date\): "27\/07\/2026" is not a date/],
			[
				{ 开始时间: '2026-07-27' },
				/开始时间 ~ 结束时间 \(Date Range\) needs a start and an end, got 1 value/,
			],
			[{ 开始时间: '2026-07-30, 2026-07-27' }, /the start 2026-07-30 is after the end 2026-07-27/],
			[{ 同行人: '李开发' }, /同行人 \(Contact\): "李开发" is not a user ID. Give userids/],
			[{ 费用承担部门: '研发中心' }, /"研发中心" is not a department ID/],
			[{ 出差地点: '杭州' }, /出差地点 \(Address\) needs province, city and district/],
			[{ 现场照片: 'a.jpg' }, /"a.jpg" is not an image URL/],
			[{ 费用明细: '{"项目": "机票"}' }, /费用明细 \(Table\) needs a list of rows/],
			[
				{ 费用明细: '[{"项目": "机票", "税额": "1"}]' },
				/row 1 has "税额", which is not a column of the table. Columns: 项目 \(Text\), 金额 \(Money\)/,
			],
			[{ 费用明细: '[{"项目": "机票"}]' }, /row 1 lacks the required column 金额 \(Money\)/],
			[
				{ 费用明细: '[{"项目": "机票", "金额": "12元"}]' },
				/金额 \(Money\): "12元" is not a number/,
			],
			[
				{ 附件: 'missing' },
				/附件: the input item has no binary property "missing". It has no binary data/,
			],
			[
				{ 报销事由: '' },
				/Missing required form field of "费用报销": 报销事由 \(Text\). Fill them under Form Fields/,
			],
			[{ 说明: 'x' }, /说明 \(TextNote\) cannot be filled: it is a text note/],
			[
				{ 报销类别: 'x' },
				/Form field "报销类别" is not in the form "费用报销" .*The form has: 报销事由 \(Text\)/,
			],
		])('refuses %j before anything is sent', async (values, message) => {
			const result = await start({ formFields: formFields({ ...REQUIRED, ...values }) });
			expect(errorOf(result).message).toMatch(message);
			expect(startCalls()).toHaveLength(0);
			expect(callsTo(/^\/v1\.0\/storage/)).toHaveLength(0);
		});

		it('takes formComponentValues as JSON: sent as written, lists and objects as JSON text', async () => {
			const result = await start({
				formInput: 'json',
				formValuesJson: JSON.stringify({
					formComponentValues: [
						{ name: '报销事由', value: '季度团建' },
						{ name: '报销金额（元）', value: 300 },
						{ name: '发生日期', value: '2026-07-01' },
						{ id: 'DDSelectField-S1NGLE01', value: '办公用品' },
						{ name: '支付方式', value: ['个人垫付'] },
						// A date range named by its end label is sent under its whole label.
						{ name: '结束时间', value: '["2026-07-01","2026-07-02"]' },
					],
				}),
			});
			expect(result.error).toBeUndefined();
			// Every value gets its component's id; a name by id gets its label; a range its whole label.
			expect(sentValues()).toEqual([
				{ id: 'TextField-K2AD4O5B', name: '报销事由', value: '季度团建' },
				{ id: 'MoneyField-J7NM2P1Q', name: '报销金额（元）', value: '300' },
				{ id: 'DDDateField-D1ATE0CC', name: '发生日期', value: '2026-07-01' },
				{ id: 'DDSelectField-S1NGLE01', name: '费用类型', value: '办公用品' },
				{ id: 'DDMultiSelectField-M8LTI002', name: '支付方式', value: '["个人垫付"]' },
				{
					id: 'DDDateRangeField-R4NGE7TT',
					name: '["开始时间","结束时间"]',
					value: '["2026-07-01","2026-07-02"]',
				},
			]);
		});

		it.each([
			[
				'a date in another format',
				{ name: '发生日期', value: '2026/07/27' },
				'发生日期（日期格式需为 yyyy-MM-dd）',
			],
			[
				'a multi-select that is not a JSON array',
				{ name: '支付方式', value: '公司卡' },
				'支付方式（需为选项值数组字符串）',
			],
			[
				'a table in the old row-object format',
				{ name: '费用明细', value: '[{"项目":"机票","金额":"1"}]' },
				'费用明细（明细需为二维数组',
			],
			[
				'a contact given by name',
				{ name: '同行人', value: '["李开发"]' },
				'同行人（需为在职成员的 userId）',
			],
			[
				'an attachment not in Drive',
				{
					name: '附件',
					value: '[{"spaceId":"1","fileName":"a","fileSize":"1","fileType":"pdf","fileId":"9"}]',
				},
				'附件（附件不在审批钉盘空间中）',
			],
			[
				'an address with one part',
				{ name: '出差地点', value: '杭州' },
				'出差地点（需为 "省,市,区"（英文逗号分隔））',
			],
		])(
			'JSON mode: DingTalk (the emulator) refuses %s with its own code and the node adds a hint',
			async (_what, wrong, detail) => {
				const base = [
					{ name: '报销事由', value: 'x' },
					{ name: '报销金额（元）', value: '1' },
					{ name: '发生日期', value: '2026-07-27' },
					{ name: '费用类型', value: '差旅费' },
				].filter((v) => v.name !== wrong.name);
				const result = await start({
					formInput: 'json',
					formValuesJson: JSON.stringify([...base, wrong]),
				});
				const error = errorOf(result);
				expect(error.message).toContain(detail);
				expect(error.description).toMatch(/Get Form Schema/);
				expect(error.description).toMatch(/表单/);
				expect(startCalls()).toHaveLength(1);
			},
		);

		it('JSON mode still refuses unknown and unsubmittable components and missing required ones', async () => {
			const json = (values: IDataObject[]) =>
				start({ formInput: 'json', formValuesJson: JSON.stringify(values) });
			expect(errorOf(await json([{ name: '不存在', value: 'x' }])).message).toMatch(
				/"不存在" is not in the form/,
			);
			expect(errorOf(await json([{ name: '合计', value: '1' }])).message).toMatch(
				/合计 \(CalculateField\) cannot be filled/,
			);
			expect(errorOf(await json([{ name: '报销事由', value: 'x' }])).message).toMatch(
				/Missing required form fields of "费用报销": 报销金额（元） \(Money\), 发生日期 \(Date\), 费用类型 \(Select\). Add them to Form Values \(JSON\)/,
			);
			expect(errorOf(await json({ values: [] } as unknown as IDataObject[])).message).toMatch(
				/must be the list formComponentValues/,
			);
			expect(
				errorOf(await start({ formInput: 'json', formValuesJson: 'not json' })).message,
			).toMatch(/is not valid JSON/);
			expect(startCalls()).toHaveLength(0);
		});

		it('refuses a leave-kit form in both modes, before anything is sent', async () => {
			for (const parameters of [
				{ formFields: formFields({ 请假事由: '看病' }) },
				{ formInput: 'json', formValuesJson: '[{"name": "请假事由", "value": "看病"}]' },
			]) {
				const error = errorOf(
					await start({ processCode: byId(PROCESS_CODES.leave), ...parameters }),
				);
				expect(error.message).toMatch(
					/contains a leave\/attendance kit .*DDHolidayField.*does not start approvals of kit forms/,
				);
			}
			expect(startCalls()).toHaveLength(0);
		});
	});

	describe('Start: approvers, CC and self-select approvers', () => {
		it('sends specified approvers level by level, with CC and when to copy', async () => {
			const result = await start({
				formFields: formFields(REQUIRED),
				approvalFlow: 'custom',
				approvers: {
					levels: [
						{ actionType: 'OR', userIds: 'lead001, manager001' },
						{ actionType: 'AND', userIds: '={{ ["fin001", "manager001"] }}' },
						{ actionType: 'NONE', userIds: 'manager001' },
					],
				},
				ccList: 'mkt001，fin001',
				ccPosition: 'START_FINISH',
			});
			expect(result.error).toBeUndefined();
			expect(bodyOf(startCalls()[0])).toMatchObject({
				approvers: [
					{ actionType: 'OR', userIds: ['lead001', 'manager001'] },
					{ actionType: 'AND', userIds: ['fin001', 'manager001'] },
					{ actionType: 'NONE', userIds: ['manager001'] },
				],
				ccList: ['mkt001', 'fin001'],
				ccPosition: 'START_FINISH',
			});
			const started = instance(result.items[0].json.processInstanceId);
			expect(started.tasks.map((t) => t.userId)).toEqual(['lead001', 'manager001']);
			expect(started.ccUserIds).toEqual(['mkt001', 'fin001']);
		});

		it('refuses an empty level and a single-approver level with two people', async () => {
			const levels = async (list: INodeParameters[]) =>
				errorOf(
					await start({
						formFields: formFields(REQUIRED),
						approvalFlow: 'custom',
						approvers: { levels: list },
					}),
				).message;
			expect(await levels([{ actionType: 'OR', userIds: '' }])).toMatch(
				/Approval level 1 has no approvers/,
			);
			expect(await levels([{ actionType: 'NONE', userIds: 'a, b' }])).toMatch(
				/single-approver level with 2 approvers/,
			);
			expect(await levels([])).toMatch(/Approvers are empty/);
			expect(startCalls()).toHaveLength(0);
		});

		const purchase = (parameters: INodeParameters = {}) =>
			start({
				processCode: byId(PROCESS_CODES.purchase),
				formFields: formFields({ 采购物品: '显示器', '预算（元）': '1999' }),
				...parameters,
			});

		it('names the self-select nodes when the form needs them and none were given', async () => {
			const error = errorOf(await purchase());
			expect(error.message).toMatch(
				/flow has approver nodes the originator chooses .*Self-Select Approvers.*部门负责人审批 = manual_emu1_9a4c_2f7e_b031, required/,
			);
			// DingTalk refused the start; the forecast told which nodes.
			expect(startCalls().map((c) => (c.response as IDataObject).code)).toEqual([
				'targetSelectApproverMissing',
			]);
			expect(bodyOf(callsTo('/v1.0/workflow/processes/forecast')[0])).toEqual({
				processCode: PROCESS_CODES.purchase,
				userId: 'dev001',
				deptId: 101,
				formComponentValues: [
					{ id: 'TextField-PITEM001', name: '采购物品', value: '显示器' },
					{ id: 'MoneyField-PBUDGET1', name: '预算（元）', value: '1999' },
				],
			});
		});

		it('finds a self-select node by its name through the forecast, and starts with its actorKey', async () => {
			const result = await purchase({
				selfSelect: { nodes: [{ node: '部门负责人审批', userIds: 'lead001' }] },
			});
			expect(result.error).toBeUndefined();
			expect(callsTo('/v1.0/workflow/processes/forecast')).toHaveLength(1);
			expect(bodyOf(startCalls()[0]).targetSelectActioners).toEqual([
				{ actionerKey: PURCHASE_SELF_SELECT_ACTOR, actionerUserIds: ['lead001'] },
			]);
			expect(instance(result.items[0].json.processInstanceId).tasks.map((t) => t.userId)).toEqual([
				'lead001',
			]);
		});

		it('takes an actorKey as is, without a forecast', async () => {
			const result = await purchase({
				selfSelect: { nodes: [{ node: PURCHASE_SELF_SELECT_ACTOR, userIds: 'manager001' }] },
			});
			expect(result.error).toBeUndefined();
			expect(callsTo('/v1.0/workflow/processes/forecast')).toHaveLength(0);
		});

		it('refuses unknown nodes, people outside the node range and two people for a one-person node', async () => {
			const message = async (node: string, userIds: string) =>
				errorOf(await purchase({ selfSelect: { nodes: [{ node, userIds }] } })).message;
			expect(await message('老板审批', 'lead001')).toMatch(
				/"老板审批" is not an approver node chosen by the originator.*部门负责人审批 = manual_/,
			);
			expect(await message('部门负责人审批', 'dev002')).toMatch(
				/dev002 cannot approve at "部门负责人审批"; the node allows: lead001, manager001/,
			);
			expect(await message('部门负责人审批', 'lead001, manager001')).toMatch(
				/takes one approver, got 2/,
			);
			expect(startCalls()).toHaveLength(0);
			// Given by key, the range is DingTalk's to check.
			const byKey = errorOf(
				await purchase({
					selfSelect: { nodes: [{ node: PURCHASE_SELF_SELECT_ACTOR, userIds: 'dev002' }] },
				}),
			);
			expect(byKey.message).toMatch(/targetSelectApproverScopeError/);
		});
	});

	describe('Get', () => {
		it('gives the instance with status, result, tasks and records named in English and Chinese, and the form as an object', async () => {
			const completed = bankOf(PROCESS_CODES.expense).find(
				(i) => i.status === 'COMPLETED' && i.result === 'agree',
			)!;
			const result = await env.run({
				resource: 'approval',
				operation: 'get',
				processInstanceId: completed.processInstanceId,
			});
			expect(result.error).toBeUndefined();
			expect(callsTo('/v1.0/workflow/processInstances')[0].query).toEqual({
				processInstanceId: completed.processInstanceId,
			});
			const json = result.items[0].json;
			expect(json).toMatchObject({
				processInstanceId: completed.processInstanceId,
				title: completed.title,
				originatorUserId: completed.originatorUserId,
				status: 'COMPLETED',
				statusName: 'completed',
				statusNameZh: '审批完成',
				result: 'agree',
				resultName: 'approved',
				resultNameZh: '同意',
				createTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/),
			});
			expect(json.form).toEqual(
				Object.fromEntries(completed.formComponentValues.map((v) => [v.name, v.value])),
			);
			expect(json.tasks).toEqual([
				expect.objectContaining({
					userId: 'manager001',
					status: 'COMPLETED',
					statusName: 'completed',
					statusNameZh: '完成',
					result: 'AGREE',
					resultName: 'approved',
					resultNameZh: '同意',
				}),
			]);
			expect(json.operationRecords).toEqual([
				expect.objectContaining({
					type: 'START_PROCESS_INSTANCE',
					typeName: 'started',
					typeNameZh: '发起流程实例',
					result: 'NONE',
					resultName: 'none',
				}),
				expect.objectContaining({
					type: 'EXECUTE_TASK_NORMAL',
					typeName: 'task_executed',
					result: 'AGREE',
					resultNameZh: '同意',
					remark: '同意',
				}),
			]);
		});

		it('names a running instance without a result, and an unknown code as unknown', async () => {
			const running = bankOf(PROCESS_CODES.expense).find((i) => i.status === 'RUNNING')!;
			running.tasks[0].status = 'SUSPENDED_LATER' as never;
			const json = (
				await env.run({
					resource: 'approval',
					operation: 'get',
					processInstanceId: running.processInstanceId,
				})
			).items[0].json;
			running.tasks[0].status = 'RUNNING';
			expect(json).toMatchObject({ statusName: 'running', statusNameZh: '审批中' });
			expect(json.resultName).toBeUndefined();
			expect((json.tasks as IDataObject[])[0]).toMatchObject({
				statusName: 'unknown',
				statusNameZh: '未知',
			});
		});

		it('reports an unknown instance, and an empty ID before sending', async () => {
			const unknown = errorOf(
				await env.run({ resource: 'approval', operation: 'get', processInstanceId: 'nope' }),
			);
			expect(unknown.message).toMatch(/processInstanceNotExist/);
			expect(unknown.description).toMatch(/instance/i);
			env.emulator.calls.length = 0;
			expect(
				errorOf(await env.run({ resource: 'approval', operation: 'get', processInstanceId: ' ' }))
					.message,
			).toMatch(/Approval Instance ID is empty/);
			expect(callsTo('/v1.0/workflow/processInstances')).toHaveLength(0);
		});
	});

	describe('Get Many', () => {
		const getMany = (parameters: INodeParameters) =>
			env.run({
				resource: 'approval',
				operation: 'getAll',
				processCode: byId(PROCESS_CODES.expense),
				...parameters,
			});
		const listCalls = () => callsTo('/v1.0/workflow/processes/instanceIds/query').map(bodyOf);
		const iso = (ms: number) => new Date(ms).toISOString();

		it('returns every instance of a 200-day range: cut into 120-day windows, 20 a page, nextToken followed', async () => {
			const now = Date.now();
			const result = await getMany({ startDate: iso(now - 200 * DAY_MS), returnAll: true });
			expect(result.error).toBeUndefined();
			const expected = bankOf(PROCESS_CODES.expense).map((i) => i.processInstanceId);
			expect(result.items.map((i) => i.json.processInstanceId)).toEqual(expected);
			expect(result.items[0].json).toEqual({
				processInstanceId: expected[0],
				processCode: PROCESS_CODES.expense,
			});
			const calls = listCalls();
			for (const call of calls) {
				expect(call.maxResults).toBe(20);
				expect(Number(call.endTime) - Number(call.startTime)).toBeLessThanOrEqual(120 * DAY_MS);
				expect(call.userIds).toBeUndefined();
				expect(call.statuses).toBeUndefined();
			}
			const windows = [...new Set(calls.map((c) => `${c.startTime}-${c.endTime}`))].map((w) =>
				w.split('-').map(Number),
			);
			expect(windows).toHaveLength(2);
			expect(windows[0][0]).toBe(Math.floor((now - 200 * DAY_MS) / 1000) * 1000);
			expect(windows[1][0]).toBe(windows[0][1] + 1);
			expect(windows[1][1]).toBeGreaterThanOrEqual(now);
			// Each window starts at token 0 and follows the tokens DingTalk gives, as numbers.
			const tokens = calls.map((c) => c.nextToken);
			expect(tokens.filter((t) => t === 0)).toHaveLength(2);
			expect(tokens.every((t) => typeof t === 'number')).toBe(true);
			expect(calls.length).toBe(
				windows.reduce((sum, [from, to]) => {
					const n = bankOf(PROCESS_CODES.expense).filter(
						(i) => i.createTime >= from && i.createTime <= to,
					).length;
					return sum + Math.max(1, Math.ceil(n / 20));
				}, 0),
			);
		});

		it('stops at the Limit without fetching more pages', async () => {
			const result = await getMany({
				startDate: iso(Date.now() - 91 * DAY_MS),
				returnAll: false,
				limit: 25,
			});
			expect(result.items).toHaveLength(25);
			expect(listCalls().map((c) => c.nextToken)).toEqual([0, 20]);
			expect(result.items.map((i) => i.json.processInstanceId)).toEqual(
				bankOf(PROCESS_CODES.expense)
					.slice(0, 25)
					.map((i) => i.processInstanceId),
			);
		});

		it('filters by status and by originators, 10 originators per query', async () => {
			const running = await getMany({
				startDate: iso(Date.now() - 100 * DAY_MS),
				returnAll: true,
				filters: { statuses: ['RUNNING'] },
			});
			const expectedRunning = bankOf(PROCESS_CODES.expense).filter((i) => i.status === 'RUNNING');
			expect(running.items.map((i) => i.json.processInstanceId)).toEqual(
				expectedRunning.map((i) => i.processInstanceId),
			);
			expect(listCalls()[0].statuses).toEqual(['RUNNING']);

			env.emulator.calls.length = 0;
			const many = [
				'dev001',
				'dev002',
				'lead001',
				'mkt001',
				'fin001',
				'manager001',
				'u7',
				'u8',
				'u9',
				'u10',
				'u11',
			];
			const byOriginator = await getMany({
				startDate: iso(Date.now() - 100 * DAY_MS),
				returnAll: true,
				filters: { originators: many.join(',') },
			});
			expect(byOriginator.error).toBeUndefined();
			const groups = [...new Set(listCalls().map((c) => JSON.stringify(c.userIds)))];
			expect(groups).toEqual([JSON.stringify(many.slice(0, 10)), JSON.stringify(['u11'])]);
			expect(byOriginator.items.map((i) => i.json.processInstanceId)).toEqual(
				bankOf(PROCESS_CODES.expense)
					.filter((i) => many.includes(i.originatorUserId))
					.map((i) => i.processInstanceId),
			);
		});

		it('fetches each instance with its names when asked for details', async () => {
			const result = await getMany({
				startDate: iso(Date.now() - 91 * DAY_MS),
				limit: 3,
				includeDetails: true,
			});
			expect(result.items).toHaveLength(3);
			const expected = bankOf(PROCESS_CODES.expense).slice(0, 3);
			expect(result.items.map((i) => i.json.processInstanceId)).toEqual(
				expected.map((i) => i.processInstanceId),
			);
			expect(result.items[0].json).toMatchObject({
				title: expected[0].title,
				statusName: expect.any(String),
				form: expect.any(Object),
			});
			expect(callsTo('/v1.0/workflow/processInstances')).toHaveLength(3);
		});

		it('reads an end date without a time as the whole day, in the workflow time zone', async () => {
			await getMany({ startDate: '2026-03-01', endDate: '2026-03-02', limit: 5 });
			expect(listCalls()[0]).toMatchObject({
				startTime: Date.UTC(2026, 1, 28, 16),
				endTime: Date.UTC(2026, 2, 2, 16) - 1,
			});
		});

		it('refuses bad dates per item, and routes them to the error output with the good items going on', async () => {
			const result = await env.run(
				{
					resource: 'approval',
					operation: 'getAll',
					processCode: byId(PROCESS_CODES.expense),
					startDate: '={{ $json.start }}',
					endDate: '={{ $json.end }}',
					limit: 2,
				},
				[
					{ json: { start: iso(Date.now() - 10 * DAY_MS), end: '' } },
					{ json: { start: 'yesterday', end: '' } },
					{ json: { start: '2026-03-05', end: '2026-03-01' } },
				],
				{ onError: 'continueErrorOutput' },
			);
			expect(result.error).toBeUndefined();
			const ok = result.output('DingTalk', 0);
			const failed = result.output('DingTalk', 1);
			expect(ok).toHaveLength(2);
			expect(ok.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
			expect(failed.map((i) => [i.json.error, i.pairedItem])).toEqual([
				[expect.stringMatching(/Start Date "yesterday" is not a date/), { item: 1 }],
				[expect.stringMatching(/Start Date is after End Date/), { item: 2 }],
			]);
		});
	});

	describe('Terminate', () => {
		const terminate = (parameters: INodeParameters) =>
			env.run({ resource: 'approval', operation: 'terminate', ...parameters });

		it('ends a running instance as the system, with a remark', async () => {
			const running = oldRunning()[0];
			const result = await terminate({
				processInstanceId: running.processInstanceId,
				remark: '预算取消',
			});
			expect(result.error).toBeUndefined();
			expect(result.items[0].json).toEqual({
				processInstanceId: running.processInstanceId,
				terminated: true,
			});
			expect(bodyOf(callsTo('/v1.0/workflow/processInstances/terminate')[0])).toEqual({
				processInstanceId: running.processInstanceId,
				isSystem: true,
				remark: '预算取消',
			});
			const after = await env.run({
				resource: 'approval',
				operation: 'get',
				processInstanceId: running.processInstanceId,
			});
			expect(after.items[0].json).toMatchObject({
				status: 'TERMINATED',
				statusName: 'terminated',
				statusNameZh: '已撤销',
			});
		});

		it('withdraws as the originator, who alone may', async () => {
			const [mine, other] = oldRunning().slice(-2);
			const ok = await terminate({
				processInstanceId: mine.processInstanceId,
				terminateAs: 'originator',
				operatingUserId: byId(mine.originatorUserId),
			});
			expect(ok.error).toBeUndefined();
			expect(bodyOf(callsTo('/v1.0/workflow/processInstances/terminate')[0])).toEqual({
				processInstanceId: mine.processInstanceId,
				isSystem: false,
				operatingUserId: mine.originatorUserId,
			});
			const someoneElse = ['dev001', 'fin001'].find((u) => u !== other.originatorUserId)!;
			const refused = errorOf(
				await terminate({
					processInstanceId: other.processInstanceId,
					terminateAs: 'originator',
					operatingUserId: byId(someoneElse),
				}),
			);
			expect(refused.message).toMatch(/internalError/);
		});

		it('explains why DingTalk refuses: finished, or started less than 15 seconds ago', async () => {
			const finished = bankOf(PROCESS_CODES.expense).find((i) => i.status === 'COMPLETED')!;
			const error = errorOf(await terminate({ processInstanceId: finished.processInstanceId }));
			expect(error.message).toMatch(/aflowProcessInstStatusException/);
			expect(error.description).toMatch(/15 seconds/);
			expect(error.description).toMatch(/15秒/);
			const fresh = await start({ formFields: formFields(REQUIRED) });
			const freshId = String(fresh.items[0].json.processInstanceId);
			const early = errorOf(await terminate({ processInstanceId: freshId }));
			expect(early.message).toMatch(/15秒内不能进行撤回/);
			// Once 15 seconds have passed, it can be ended.
			instance(freshId).createTime -= 20_000;
			expect((await terminate({ processInstanceId: freshId })).error).toBeUndefined();
		});

		it('refuses a remark over 1024 characters before sending', async () => {
			const error = errorOf(await terminate({ processInstanceId: 'x', remark: 'a'.repeat(1025) }));
			expect(error.message).toMatch(/Remark is 1025 characters long; DingTalk takes at most 1024/);
			expect(callsTo('/v1.0/workflow/processInstances/terminate')).toHaveLength(0);
		});
	});

	describe('errors, error output and secrets', () => {
		it('routes a refused item to the error output with code, hint and request id; the others start', async () => {
			// The second item asks for a department its originator is not in.
			const mixed = await env.run(
				{
					resource: 'approval',
					operation: 'start',
					processCode: byId(PROCESS_CODES.expense),
					originatorUserId: byId('={{ $json.user }}'),
					deptId: byId('={{ $json.dept }}'),
					formInput: 'fields',
					formFields: formFields(REQUIRED),
				},
				[{ json: { user: 'dev001', dept: '101' } }, { json: { user: 'dev002', dept: '300' } }],
				{ onError: 'continueErrorOutput' },
			);
			expect(mixed.error).toBeUndefined();
			expect(
				mixed.output('DingTalk', 0).map((i) => [i.json.originatorUserId, i.pairedItem]),
			).toEqual([['dev001', { item: 0 }]]);
			const [failed] = mixed.output('DingTalk', 1);
			expect(failed.pairedItem).toEqual({ item: 1 });
			expect(failed.json.error).toMatch(/processInstanceInvalidParameter/);
			expect(failed.json.details).toMatchObject({
				code: 'processInstanceInvalidParameter',
				httpCode: '400',
				requestId: expect.any(String),
				description: expect.stringMatching(/Originator Department[\s\S]*发起部门/),
			});
		});

		it('keeps the token, the secret and the storage signature out of every error and item', async () => {
			const results: RunResult[] = [];
			results.push(
				await env.run({ resource: 'approval', operation: 'get', processInstanceId: 'nope' }),
			);
			results.push(
				await env.run(
					{ resource: 'approval', operation: 'get', processInstanceId: 'nope' },
					undefined,
					{ onError: 'continueRegularOutput' },
				),
			);
			// The storage refuses the PUT, echoing the signature it was given: the error must not repeat it.
			env.emulator.dingtalk.drive.refuseNextUpload = true;
			const refusedUpload = await start({ formFields: formFields({ ...REQUIRED, 附件: 'data' }) }, [
				itemWithFiles({ data: { bytes: Buffer.from('x1'), fileName: 'a.txt' } }),
			]);
			results.push(refusedUpload);
			const uploadError = errorOf(refusedUpload);
			expect(uploadError.message).toMatch(
				/storage refused the attachment upload \(HTTP 403: SignatureDoesNotMatch/,
			);
			expect(startCalls()).toHaveLength(0);

			const token = storedToken(env);
			const issued = callsTo(/uploadInfos\/query$/).map(
				(c) =>
					(((c.response as IDataObject).headerSignatureInfo as IDataObject).headers as IDataObject)
						.Authorization as string,
			);
			expect(token).toBeTruthy();
			const everything = JSON.stringify(
				results.map((r) => ({
					items: r.items.map((i) => i.json),
					error: r.error && {
						message: r.error.message,
						description: (r.error as { description?: string }).description,
					},
				})),
			);
			for (const secret of [token, DINGTALK_SEED.appSecret, ...issued]) {
				expect(everything).not.toContain(secret);
			}
		});
	});
});
