import { ExecutionLifecycleHooks, LoadOptionsContext } from 'n8n-core';
import type {
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodePropertyOptions,
	INodeType,
	IWorkflowBase,
	ResourceMapperFields,
} from 'n8n-workflow';
import { setGlobalState } from 'n8n-workflow';

import { approvalFromCallback } from '../../nodes/WeCom/events';
import { parseTime } from '../../nodes/shared/time';
import type { MultipartBody, RecordedCall } from '../emulator';
import type { Approval } from '../emulator/wecom/approvalModel';
import { compareApprovals, nextSpNo } from '../emulator/wecom/approvalModel';
import { TEMPLATE_IDS } from '../emulator/wecom/seed';
import { formFields } from '../dingtalk/approvalSupport';
import { startWeCom, type WeComTestEnv } from './setup';

const DAY = 86400;
const zh = (text: string) => [{ text, lang: 'zh_CN' }];
const byId = (value: string) => ({ __rl: true, mode: 'id', value });
/** A selector option of the seeded templates, as WeCom takes it: `{key}`. */
const opt = (n: number) => ({ key: `option-${1700000000 + n}` });

type RunResult = Awaited<ReturnType<WeComTestEnv['run']>>;

/** Form Fields keyed by control ID or title, as workflows and expressions give them (read as whole values). */
function legacyFields(entries: Array<{ control: string; value: unknown }>) {
	return formFields(Object.fromEntries(entries.map((e) => [e.control, e.value])) as IDataObject);
}

describe('WeCom Approval (审批)', () => {
	let env: WeComTestEnv;

	beforeAll(async () => {
		// The instance time zone a WeCom user in China sets; times without an offset are read in it.
		setGlobalState({ defaultTimezone: 'Asia/Shanghai' });
		env = await startWeCom();
	});

	afterAll(async () => {
		await env.stop();
	});

	beforeEach(() => {
		env.emulator.calls.length = 0;
	});

	const apiCalls = (): RecordedCall[] =>
		env.emulator.calls.filter((c) => c.path !== '/cgi-bin/gettoken');
	const callsTo = (path: string) => env.emulator.callsTo(path);
	const bodyOf = (call: RecordedCall) => call.body as IDataObject;

	const errorOf = (result: RunResult) => {
		expect(result.error).toBeDefined();
		return result.error as Error & { description?: string; context?: IDataObject };
	};

	const approvalNamed = (spNo: unknown): Approval => {
		const approval = env.emulator.wecom.approvals.find((a) => a.sp_no === spNo);
		expect(approval).toBeDefined();
		return approval!;
	};

	describe('Get Template', () => {
		it('outputs the template name and a clean list of controls', async () => {
			const result = await env.run({
				resource: 'approval',
				operation: 'getTemplate',
				templateId: TEMPLATE_IDS.expense,
			});

			expect(result.error).toBeUndefined();
			expect(apiCalls().map((c) => [c.path, c.body])).toEqual([
				['/cgi-bin/oa/gettemplatedetail', { template_id: TEMPLATE_IDS.expense }],
			]);
			expect(result.items).toHaveLength(1);
			const template = result.items[0].json;
			expect(template.template_id).toBe(TEMPLATE_IDS.expense);
			expect(template.template_name).toBe('报销申请');
			expect(template.template_name_en).toBe('');
			expect(template.controls).toEqual([
				{
					id: 'Text-1700000000001',
					control: 'Text',
					title: '报销事由',
					title_en: '',
					required: true,
				},
				{
					id: 'Money-1700000000002',
					control: 'Money',
					title: '报销金额',
					title_en: '',
					required: true,
				},
				{
					id: 'Date-1700000000003',
					control: 'Date',
					title: '发生日期',
					title_en: '',
					required: true,
					date_type: 'day',
				},
				{
					id: 'Selector-1700000000004',
					control: 'Selector',
					title: '费用类型',
					title_en: '',
					required: true,
					selector_type: 'single',
					options: [
						{ ...opt(1), text: '差旅费', text_en: '' },
						{ ...opt(2), text: '招待费', text_en: '' },
						{ ...opt(3), text: '办公用品', text_en: '' },
					],
				},
				{
					id: 'Table-1700000000005',
					control: 'Table',
					title: '费用明细',
					title_en: '',
					required: false,
					children: [
						{
							id: 'Text-1700000000051',
							control: 'Text',
							title: '项目',
							title_en: '',
							required: true,
						},
						{
							id: 'Money-1700000000052',
							control: 'Money',
							title: '金额',
							title_en: '',
							required: true,
						},
					],
				},
				{ id: 'File-1700000000006', control: 'File', title: '附件', title_en: '', required: false },
				{
					id: 'Contact-1700000000007',
					control: 'Contact',
					title: '同行人',
					title_en: '',
					required: false,
					contact_type: 'user',
					contact_mode: 'multi',
				},
			]);
		});

		it('names the English titles where the template has them, and shows date types and contact modes', async () => {
			const template = env.emulator.wecom.templates.find(
				(t) => t.template_id === TEMPLATE_IDS.leave,
			)!;
			const saved = structuredClone(template);
			template.template_names.push({ text: 'Leave', lang: 'en' });
			template.controls[0].property.title.push({ text: 'Leave type', lang: 'en' });
			template.controls[0].config!.selector!.options[0].value.push({
				text: 'Annual leave',
				lang: 'en',
			});
			try {
				const result = await env.run({
					resource: 'approval',
					operation: 'getTemplate',
					templateId: TEMPLATE_IDS.leave,
				});

				expect(result.error).toBeUndefined();
				const json = result.items[0].json;
				expect(json.template_name).toBe('请假');
				expect(json.template_name_en).toBe('Leave');
				const controls = json.controls as IDataObject[];
				expect(controls[0]).toMatchObject({
					title: '请假类型',
					title_en: 'Leave type',
					selector_type: 'single',
				});
				expect((controls[0].options as IDataObject[])[0]).toEqual({
					...opt(1),
					text: '年假',
					text_en: 'Annual leave',
				});
				expect(controls[1]).toMatchObject({ control: 'Date', date_type: 'hour' });
				expect(controls[4]).toMatchObject({ selector_type: 'multi' });
				expect(controls[5]).toMatchObject({
					control: 'Contact',
					contact_type: 'department',
					contact_mode: 'single',
				});
			} finally {
				Object.assign(template, saved);
			}
		});

		it('refuses an empty Template ID before calling WeCom, and reports an unknown one with its errcode', async () => {
			const empty = await env.run({
				resource: 'approval',
				operation: 'getTemplate',
				templateId: ' ',
			});
			expect(errorOf(empty).message).toMatch(/Template ID is empty/);
			expect(apiCalls()).toHaveLength(0);

			const unknown = await env.run(
				{ resource: 'approval', operation: 'getTemplate', templateId: 'no-such-template' },
				[{ json: {} }],
				{ continueOnFail: true },
			);
			expect(unknown.error).toBeUndefined();
			expect((unknown.items[0].json.details as IDataObject).errcode).toBe(301025);
		});
	});

	describe('Submit', () => {
		const submitted = () => callsTo('/cgi-bin/oa/applyevent').map(bodyOf);

		it('fills every control type of the expense template, uploading the file from binary data', async () => {
			const invoice = Buffer.from('%PDF-1.4 emulator invoice: 1280.50 CNY\n', 'utf8');
			const items: INodeExecutionData[] = [
				{
					json: {},
					binary: {
						invoice: {
							data: invoice.toString('base64'),
							mimeType: 'application/pdf',
							fileName: 'invoice-0301.pdf',
						},
					},
				},
			];
			const result = await env.run(
				{
					resource: 'approval',
					operation: 'submit',
					templateId: TEMPLATE_IDS.expense,
					creator: byId('wangwu'),
					formMode: 'fields',
					formFields: legacyFields([
						{ control: 'Contact-1700000000007', value: 'lisi, wangwu' },
						{ control: 'Text-1700000000001', value: '客户拜访 上海' },
						{ control: 'Money-1700000000002', value: '1280.50' },
						{ control: 'Date-1700000000003', value: '2024-03-01' },
						{ control: 'Selector-1700000000004', value: '招待费' },
						{
							control: 'Table-1700000000005',
							value:
								'[{"项目": "机票", "金额": "1200"}, {"Money-1700000000052": 80.5, "项目": "出租车"}]',
						},
						{ control: 'File-1700000000006', value: 'invoice' },
					]),
					approvalFlow: 'template',
					summary: { lines: [{ text: '报销 1280.50 元' }, { text: '客户拜访' }] },
				},
				items,
			);

			expect(result.error).toBeUndefined();
			expect(apiCalls().map((c) => c.path)).toEqual([
				'/cgi-bin/oa/gettemplatedetail',
				'/cgi-bin/media/upload',
				'/cgi-bin/oa/applyevent',
			]);
			const upload = callsTo('/cgi-bin/media/upload')[0];
			expect(upload.query.type).toBe('file');
			const part = (upload.body as MultipartBody).files[0];
			expect(part).toMatchObject({
				field: 'media',
				filename: 'invoice-0301.pdf',
				contentType: 'application/pdf',
			});
			expect(part.data.equals(invoice)).toBe(true);
			const mediaId = (upload.response as IDataObject).media_id as string;
			expect(mediaId).toBeTruthy();
			expect(env.emulator.mediaBytes(mediaId)?.equals(invoice)).toBe(true);

			expect(submitted()).toEqual([
				{
					creator_userid: 'wangwu',
					template_id: TEMPLATE_IDS.expense,
					use_template_approver: 1,
					apply_data: {
						contents: [
							{
								control: 'Text',
								id: 'Text-1700000000001',
								title: zh('报销事由'),
								value: { text: '客户拜访 上海' },
							},
							{
								control: 'Money',
								id: 'Money-1700000000002',
								title: zh('报销金额'),
								value: { new_money: '1280.50' },
							},
							{
								control: 'Date',
								id: 'Date-1700000000003',
								title: zh('发生日期'),
								// 2024-03-01 00:00 in Asia/Shanghai
								value: { date: { type: 'day', s_timestamp: '1709222400' } },
							},
							{
								control: 'Selector',
								id: 'Selector-1700000000004',
								title: zh('费用类型'),
								value: { selector: { type: 'single', options: [opt(2)] } },
							},
							{
								control: 'Table',
								id: 'Table-1700000000005',
								title: zh('费用明细'),
								value: {
									children: [
										{
											list: [
												{
													control: 'Text',
													id: 'Text-1700000000051',
													title: zh('项目'),
													value: { text: '机票' },
												},
												{
													control: 'Money',
													id: 'Money-1700000000052',
													title: zh('金额'),
													value: { new_money: '1200' },
												},
											],
										},
										{
											list: [
												{
													control: 'Text',
													id: 'Text-1700000000051',
													title: zh('项目'),
													value: { text: '出租车' },
												},
												{
													control: 'Money',
													id: 'Money-1700000000052',
													title: zh('金额'),
													value: { new_money: '80.5' },
												},
											],
										},
									],
								},
							},
							{
								control: 'File',
								id: 'File-1700000000006',
								title: zh('附件'),
								value: { files: [{ file_id: mediaId }] },
							},
							{
								control: 'Contact',
								id: 'Contact-1700000000007',
								title: zh('同行人'),
								value: { members: [{ userid: 'lisi' }, { userid: 'wangwu' }] },
							},
						],
					},
					summary_list: [
						{ summary_info: [{ text: '报销 1280.50 元', lang: 'zh_CN' }] },
						{ summary_info: [{ text: '客户拜访', lang: 'zh_CN' }] },
					],
				},
			]);

			expect(result.items).toHaveLength(1);
			const spNo = result.items[0].json.sp_no;
			expect(result.items[0].json).toEqual({ sp_no: expect.stringMatching(/^\d{12}$/) });
			const approval = approvalNamed(spNo);
			expect(approval.template_id).toBe(TEMPLATE_IDS.expense);
			expect(approval.applyer.userid).toBe('wangwu');
			// The template's own flow: its first level (lisi) is now pending.
			expect(approval.sp_record[0].details.map((d) => d.approver.userid)).toEqual(['lisi']);
		});

		it('fills the leave template (hour date, number, textarea, multi selector, department) with explicit approvers', async () => {
			const result = await env.run({
				resource: 'approval',
				operation: 'submit',
				templateId: TEMPLATE_IDS.leave,
				creator: byId('huangli'),
				formFields: legacyFields([
					{ control: 'Selector-1700000000011', value: '年假' },
					{ control: 'Date-1700000000012', value: '2024-03-04 09:30' },
					{ control: 'Number-1700000000013', value: '2.5' },
					{ control: 'Textarea-1700000000014', value: '回老家\n处理家事' },
					{ control: 'Selector-1700000000015', value: 'option-1700000001，共享文档' },
					{ control: 'Contact-1700000000016', value: '7' },
				]),
				approvalFlow: 'custom',
				approvers: {
					levels: [
						{ attr: 2, userIds: ['zhangsan', 'linfeng'] },
						{ attr: 1, userIds: ['lisi'] },
					],
				},
				notifyers: ['zhengshi'],
				notifyType: 3,
			});

			expect(result.error).toBeUndefined();
			expect(submitted()).toEqual([
				{
					creator_userid: 'huangli',
					template_id: TEMPLATE_IDS.leave,
					use_template_approver: 0,
					approver: [
						{ attr: 2, userid: ['zhangsan', 'linfeng'] },
						{ attr: 1, userid: ['lisi'] },
					],
					notifyer: ['zhengshi'],
					notify_type: 3,
					apply_data: {
						contents: [
							{
								control: 'Selector',
								id: 'Selector-1700000000011',
								title: zh('请假类型'),
								value: { selector: { type: 'single', options: [opt(1)] } },
							},
							{
								control: 'Date',
								id: 'Date-1700000000012',
								title: zh('开始时间'),
								// 2024-03-04 09:30 in Asia/Shanghai
								value: { date: { type: 'hour', s_timestamp: '1709515800' } },
							},
							{
								control: 'Number',
								id: 'Number-1700000000013',
								title: zh('请假天数'),
								value: { new_number: '2.5' },
							},
							{
								control: 'Textarea',
								id: 'Textarea-1700000000014',
								title: zh('请假事由'),
								value: { text: '回老家\n处理家事' },
							},
							{
								control: 'Selector',
								id: 'Selector-1700000000015',
								title: zh('工作交接方式'),
								value: {
									selector: {
										type: 'multi',
										options: [opt(1), opt(3)],
									},
								},
							},
							{
								control: 'Contact',
								id: 'Contact-1700000000016',
								title: zh('所属部门'),
								value: { departments: [{ openapi_id: '7' }] },
							},
						],
					},
					// No lines given: the template's name is the summary.
					summary_list: [{ summary_info: [{ text: '请假', lang: 'zh_CN' }] }],
				},
			]);
			const approval = approvalNamed(result.items[0].json.sp_no);
			expect(approval.sp_record[0]).toMatchObject({ approverattr: 2, sp_status: 1 });
			expect(approval.sp_record[0].details.map((d) => d.approver.userid)).toEqual([
				'zhangsan',
				'linfeng',
			]);
			expect(approval.notifyer).toEqual([{ userid: 'zhengshi' }]);
		});

		it("uses the template's flow with use_template_approver 1 and sends no approvers", async () => {
			const result = await env.run({
				resource: 'approval',
				operation: 'submit',
				templateId: TEMPLATE_IDS.purchase,
				creator: 'chenjiashun',
				formFields: legacyFields([
					{ control: 'Text-1700000000021', value: '显示器' },
					{ control: 'Number-1700000000022', value: '3' },
					{ control: 'Money-1700000000023', value: '4500' },
					{ control: 'Contact-1700000000024', value: 'zhouba' },
					// Blank optional fields are left out.
					{ control: 'Textarea-1700000000025', value: '  ' },
				]),
				approvalFlow: 'template',
				// Hidden when the template's flow is used, so ignored.
				notifyers: ['zhengshi'],
			});

			expect(result.error).toBeUndefined();
			const [body] = submitted();
			expect(body.use_template_approver).toBe(1);
			expect(body).not.toHaveProperty('approver');
			expect(body).not.toHaveProperty('notifyer');
			expect(body).not.toHaveProperty('notify_type');
			expect((body.apply_data as IDataObject).contents).toEqual([
				{
					control: 'Text',
					id: 'Text-1700000000021',
					title: zh('采购物品'),
					value: { text: '显示器' },
				},
				{
					control: 'Number',
					id: 'Number-1700000000022',
					title: zh('数量'),
					value: { new_number: '3' },
				},
				{
					control: 'Money',
					id: 'Money-1700000000023',
					title: zh('预算'),
					value: { new_money: '4500' },
				},
				{
					control: 'Contact',
					id: 'Contact-1700000000024',
					title: zh('采购负责人'),
					value: { members: [{ userid: 'zhouba' }] },
				},
			]);
			const approval = approvalNamed(result.items[0].json.sp_no);
			expect(approval.sp_record[0].details[0].approver.userid).toBe('zhouba');
		});

		it('takes apply_data.contents as JSON, a table included, filling in missing control types', async () => {
			const contents = [
				{ id: 'Text-1700000000001', value: { text: '季度团队建设' } },
				{ control: 'Money', id: 'Money-1700000000002', value: { new_money: '3000.00' } },
				{ id: 'Date-1700000000003', value: { date: { type: 'day', s_timestamp: '1709222400' } } },
				{
					id: 'Selector-1700000000004',
					value: { selector: { type: 'single', options: [opt(3)] } },
				},
				{
					control: 'Table',
					id: 'Table-1700000000005',
					value: {
						children: [
							{
								list: [
									{ control: 'Text', id: 'Text-1700000000051', value: { text: '场地' } },
									{ control: 'Money', id: 'Money-1700000000052', value: { new_money: '2000' } },
								],
							},
							{
								list: [
									{ control: 'Text', id: 'Text-1700000000051', value: { text: '餐饮' } },
									{ control: 'Money', id: 'Money-1700000000052', value: { new_money: '1000' } },
								],
							},
						],
					},
				},
			];
			const result = await env.run({
				resource: 'approval',
				operation: 'submit',
				templateId: TEMPLATE_IDS.expense,
				creator: byId('zhouba'),
				formMode: 'json',
				contentsJson: JSON.stringify({ apply_data: { contents } }),
				approvalFlow: 'template',
			});

			expect(result.error).toBeUndefined();
			const [body] = submitted();
			expect((body.apply_data as IDataObject).contents).toEqual(
				contents.map((c) => ({ control: c.id.split('-')[0], ...c })),
			);
			const approval = approvalNamed(result.items[0].json.sp_no);
			const table = approval.apply_data.contents.find((c) => c.control === 'Table')!;
			expect((table.value.children as unknown[]).length).toBe(2);
		});

		it('reads values per item from expressions and fetches the template once per run', async () => {
			const result = await env.run(
				{
					resource: 'approval',
					operation: 'submit',
					templateId: '={{ $json.template }}',
					creator: byId('={{ $json.who }}'),
					formFields: legacyFields([
						{ control: 'Text-1700000000001', value: '={{ $json.reason }}' },
						{ control: '报销金额', value: '={{ $json.amount }}' },
						{ control: 'Date-1700000000003', value: '={{ $json.day }}' },
						{ control: 'Selector-1700000000004', value: '={{ $json.kind }}' },
					]),
					approvalFlow: 'template',
					summary: { lines: [{ text: '={{ $json.reason }} {{ $json.amount }}' }] },
				},
				[
					{
						json: {
							template: TEMPLATE_IDS.expense,
							who: 'qianyi',
							reason: '服务器续费',
							amount: 999,
							day: 1709251200,
							kind: 'option-1700000003',
						},
					},
					{
						json: {
							template: TEMPLATE_IDS.expense,
							who: 'sunqi',
							reason: '参加技术大会',
							amount: '2400.5',
							day: '2024-03-02T10:00:00+08:00',
							kind: '差旅费',
						},
					},
				],
			);

			expect(result.error).toBeUndefined();
			expect(callsTo('/cgi-bin/oa/gettemplatedetail')).toHaveLength(1);
			const bodies = submitted();
			expect(bodies.map((b) => b.creator_userid)).toEqual(['qianyi', 'sunqi']);
			expect(
				bodies.map((b) =>
					(b.apply_data as { contents: IDataObject[] }).contents.map((c) => c.value),
				),
			).toEqual([
				[
					{ text: '服务器续费' },
					{ new_money: '999' },
					{ date: { type: 'day', s_timestamp: '1709251200' } },
					{ selector: { type: 'single', options: [opt(3)] } },
				],
				[
					{ text: '参加技术大会' },
					{ new_money: '2400.5' },
					{ date: { type: 'day', s_timestamp: '1709344800' } },
					{ selector: { type: 'single', options: [opt(1)] } },
				],
			]);
			expect(bodies.map((b) => b.summary_list)).toEqual([
				[{ summary_info: [{ text: '服务器续费 999', lang: 'zh_CN' }] }],
				[{ summary_info: [{ text: '参加技术大会 2400.5', lang: 'zh_CN' }] }],
			]);
			expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
			expect(result.items.map((i) => approvalNamed(i.json.sp_no).applyer.userid)).toEqual([
				'qianyi',
				'sunqi',
			]);
		});

		const expenseBase = (fields: Array<{ control: string; value: string }>): INodeParameters => ({
			resource: 'approval',
			operation: 'submit',
			templateId: TEMPLATE_IDS.expense,
			creator: byId('wangwu'),
			formFields: legacyFields(fields),
			approvalFlow: 'template',
		});
		const validExpense = [
			{ control: 'Text-1700000000001', value: '客户拜访' },
			{ control: 'Money-1700000000002', value: '100' },
			{ control: 'Date-1700000000003', value: '2024-03-01' },
			{ control: 'Selector-1700000000004', value: '差旅费' },
		];
		const replace = (id: string, value: string) =>
			validExpense.map((f) => (f.control === id ? { control: id, value } : f));

		it.each([
			[
				'an unknown control',
				[...validExpense, { control: 'Text-999', value: 'x' }],
				/Form field "Text-999" is not a control of template "报销申请".*报销事由 \(Text\) = Text-1700000000001/,
			],
			[
				'a missing required control',
				validExpense.filter((f) => f.control !== 'Money-1700000000002'),
				/Missing required control of template "报销申请": 报销金额 \(Money\)\. Fill them under Form Fields/,
			],
			[
				'a required control left blank',
				replace('Text-1700000000001', ' '),
				/Missing required control .*报销事由 \(Text\)/,
			],
			[
				'a bad date',
				replace('Date-1700000000003', '2024-02-30'),
				/Form field 发生日期 \(Date\): "2024-02-30" is not a date\. Give an ISO date/,
			],
			[
				'an unknown selector option',
				replace('Selector-1700000000004', '住宿费'),
				/Form field 费用类型 \(Selector\): "住宿费" is not one of its options\. .*差旅费 \(option-1700000001\), 招待费 \(option-1700000002\), 办公用品 \(option-1700000003\)/,
			],
			[
				'two options for a single selector',
				replace('Selector-1700000000004', '差旅费, 招待费'),
				/费用类型 \(Selector\) takes a single option, got 2/,
			],
			[
				'a bad amount',
				replace('Money-1700000000002', '¥100'),
				/Form field 报销金额 \(Money\): "¥100" is not an amount/,
			],
			[
				'an amount with fractions of a cent',
				replace('Money-1700000000002', '10.005'),
				/at most 2 decimals/,
			],
			[
				'a control given twice (by title and by ID)',
				[...validExpense, { control: '报销事由', value: 'again' }],
				/报销事由 \(Text\) is given twice/,
			],
			[
				'a table row without a required column',
				[...validExpense, { control: 'Table-1700000000005', value: '[{"项目": "机票"}]' }],
				/费用明细 \(Table\): row 1 lacks the required column 金额 \(Money\)/,
			],
			[
				'a table that is not JSON',
				[...validExpense, { control: 'Table-1700000000005', value: '机票 1200' }],
				/费用明细 \(Table\): the value is not valid JSON/,
			],
			[
				'a file property the item lacks',
				[...validExpense, { control: 'File-1700000000006', value: 'invoice' }],
				/附件 \(File\): the input item has no binary property "invoice"/,
			],
		])('refuses %s before submitting anything', async (_case, fields, message) => {
			const result = await env.run(expenseBase(fields));
			const error = errorOf(result);
			expect(error.message).toMatch(message);
			expect(error.context?.itemIndex).toBe(0);
			expect(callsTo('/cgi-bin/oa/applyevent')).toHaveLength(0);
			expect(callsTo('/cgi-bin/media/upload')).toHaveLength(0);
		});

		it('refuses a single-member contact with two members, and non-numeric department IDs', async () => {
			const purchase = await env.run({
				resource: 'approval',
				operation: 'submit',
				templateId: TEMPLATE_IDS.purchase,
				creator: byId('wangwu'),
				formFields: legacyFields([
					{ control: 'Text-1700000000021', value: '显示器' },
					{ control: 'Number-1700000000022', value: '1' },
					{ control: 'Money-1700000000023', value: '1' },
					{ control: 'Contact-1700000000024', value: 'zhouba,lisi' },
				]),
			});
			expect(errorOf(purchase).message).toMatch(
				/采购负责人 \(Contact\) takes a single member, got 2/,
			);

			const leave = await env.run({
				resource: 'approval',
				operation: 'submit',
				templateId: TEMPLATE_IDS.leave,
				creator: byId('wangwu'),
				formFields: legacyFields([
					{ control: 'Selector-1700000000011', value: '事假' },
					{ control: 'Date-1700000000012', value: 'tomorrow' },
					{ control: 'Number-1700000000013', value: '1' },
					{ control: 'Textarea-1700000000014', value: 'x' },
				]),
			});
			expect(errorOf(leave).message).toMatch(/开始时间 \(Date\): "tomorrow" is not a date/);
			expect(callsTo('/cgi-bin/oa/applyevent')).toHaveLength(0);
		});

		it('refuses bad approvers, too many summary lines and JSON that names unknown controls', async () => {
			const noApprovers = await env.run({
				...expenseBase(validExpense),
				approvalFlow: 'custom',
				approvers: { levels: [{ attr: 1, userIds: [] }] },
			});
			expect(errorOf(noApprovers).message).toMatch(/Approval level 1 has no approvers/);

			const noLevels = await env.run({ ...expenseBase(validExpense), approvalFlow: 'custom' });
			expect(errorOf(noLevels).message).toMatch(/add at least one approval level/);

			const tooLong = await env.run({
				...expenseBase(validExpense),
				summary: { lines: [{ text: '1' }, { text: '2' }, { text: '3' }, { text: '4' }] },
			});
			expect(errorOf(tooLong).message).toMatch(/Summary Lines has 4 lines; WeCom shows at most 3/);

			const json = await env.run({
				...expenseBase([]),
				formMode: 'json',
				contentsJson: '[{"id": "Text-404", "value": {"text": "x"}}]',
			});
			expect(errorOf(json).message).toMatch(
				/Contents \(JSON\): "Text-404" is not a control of template "报销申请"/,
			);

			const jsonMissing = await env.run({
				...expenseBase([]),
				formMode: 'json',
				contentsJson: '[{"id": "Text-1700000000001", "value": {"text": "x"}}]',
			});
			expect(errorOf(jsonMissing).message).toMatch(
				/Missing required controls of template "报销申请": 报销金额 \(Money\), 发生日期 \(Date\), 费用类型 \(Selector\)\. Add them to Contents \(JSON\)/,
			);

			const notJson = await env.run({
				...expenseBase([]),
				formMode: 'json',
				contentsJson: '{oops',
			});
			expect(errorOf(notJson).message).toMatch(/Contents \(JSON\) is not valid JSON/);

			expect(callsTo('/cgi-bin/oa/applyevent')).toHaveLength(0);
		});

		it('refuses a file WeCom would not take (5 bytes or less) before uploading anything', async () => {
			const result = await env.run(
				expenseBase([...validExpense, { control: 'File-1700000000006', value: 'tiny' }]),
				[
					{
						json: {},
						binary: {
							tiny: {
								data: Buffer.from('abc').toString('base64'),
								mimeType: 'text/plain',
								fileName: 't.txt',
							},
						},
					},
				],
			);
			expect(errorOf(result).message).toMatch(
				/附件 \(File\): the file in binary property "tiny" is 3 bytes/,
			);
			expect(callsTo('/cgi-bin/media/upload')).toHaveLength(0);
			expect(callsTo('/cgi-bin/oa/applyevent')).toHaveLength(0);
		});

		it('with continueOnFail, turns a bad item into an error item and submits the others', async () => {
			const result = await env.run(
				expenseBase(replace('Money-1700000000002', '={{ $json.amount }}')),
				[{ json: { amount: '10' } }, { json: { amount: 'ten' } }, { json: { amount: '30' } }],
				{ continueOnFail: true },
			);

			expect(result.error).toBeUndefined();
			expect(result.items).toHaveLength(3);
			expect(result.items[0].json.sp_no).toMatch(/^\d{12}$/);
			expect(result.items[1].json).toEqual({
				error: expect.stringMatching(/报销金额 \(Money\): "ten" is not an amount/),
			});
			expect(result.items[2].json.sp_no).toMatch(/^\d{12}$/);
			expect(result.items.map((i) => i.pairedItem)).toEqual([
				{ item: 0 },
				{ item: 1 },
				{ item: 2 },
			]);
			expect(
				submitted().map((b) => (b.apply_data as { contents: IDataObject[] }).contents[1].value),
			).toEqual([{ new_money: '10' }, { new_money: '30' }]);
		});

		it("surfaces WeCom's refusal (an inactive creator) with its errcode under continueOnFail", async () => {
			const result = await env.run(
				{ ...expenseBase(validExpense), creator: byId('heyun') },
				[{ json: {} }],
				{
					continueOnFail: true,
				},
			);
			expect((result.items[0].json.details as IDataObject).errcode).toBe(301025);
			expect(String(result.items[0].json.error)).not.toMatch(/access_token/);
		});
	});

	describe('Submit from the form editor', () => {
		const EDITOR_TEMPLATE = 'EditorTemplate00000000000000000000000000000';
		const control = (
			type: string,
			id: string,
			title: string,
			require: 0 | 1,
			config?: IDataObject,
		) => ({
			property: { control: type, id, title: zh(title), placeholder: [], require, un_print: 0 },
			...(config ? { config } : {}),
		});

		beforeAll(() => {
			env.emulator.wecom.templates.push({
				template_id: EDITOR_TEMPLATE,
				template_names: zh('编辑器表单'),
				controls: [
					control('Text', 'Text-1', '事由', 1),
					control('Selector', 'Selector-2', '交接方式', 1, {
						selector: {
							type: 'multi',
							options: [
								{ key: 'option-a', value: zh('邮件') },
								{ key: 'option-b', value: zh('当面') },
								{ key: 'option-c', value: zh('文档') },
							],
						},
					}),
					control('Contact', 'Contact-3', '部门', 0, {
						contact: { type: 'multi', mode: 'department' },
					}),
					control('Table', 'Table-4', '明细', 1, {
						table: {
							children: [
								control('Text', 'Text-41', '项目', 1),
								control('Money', 'Money-42', '金额', 1),
								control('Selector', 'Selector-43', '类别', 0, {
									selector: {
										type: 'single',
										options: [
											{ key: 'option-x', value: zh('交通') },
											{ key: 'option-y', value: zh('住宿') },
										],
									},
								}),
								control('Text', 'Text-44', '备注', 0),
							],
						},
					}),
				],
				defaultApprovers: [{ attr: 1, userid: ['lisi'] }],
			} as unknown as (typeof env.emulator.wecom.templates)[number]);
		});

		const submit = (parameters: INodeParameters) =>
			env.run({
				resource: 'approval',
				operation: 'submit',
				templateId: EDITOR_TEMPLATE,
				creator: byId('wangwu'),
				formMode: 'fields',
				approvalFlow: 'template',
				...parameters,
			});
		const cell = (column: string, values: IDataObject) => ({ column, ...values });

		it("sends a multi selector's switches as Selector type multi, table rows with every column, picked departments", async () => {
			const result = await submit({
				formFields: formFields({
					事由: '季度交接',
					'交接方式 › 邮件': true,
					'交接方式 › 当面': false,
					'交接方式 › 文档': true,
				}),
				tableRows: {
					rows: [
						{
							cells: {
								cell: [
									cell('text|Table-4|Text-41', { text: '机票' }),
									cell('number|Table-4|Money-42', { number: 1200.5 }),
									cell('select|Table-4|Selector-43', { option: 'option-x' }),
								],
							},
						},
						{
							cells: {
								cell: [
									cell('text|Table-4|Text-41', { text: '酒店' }),
									cell('number|Table-4|Money-42', { number: 680 }),
								],
							},
						},
					],
				},
				formPeople: {
					entries: [
						{ field: 'dept|Contact-3', department: { __rl: true, mode: 'list', value: '2' } },
						{ field: 'dept|Contact-3', department: byId('3') },
					],
				},
			});
			expect(result.error).toBeUndefined();
			const contents = (bodyOf(callsTo('/cgi-bin/oa/applyevent')[0]).apply_data as IDataObject)
				.contents as IDataObject[];
			const valueOf = (id: string) => contents.find((c) => c.id === id)?.value;
			expect(valueOf('Selector-2')).toEqual({
				selector: { type: 'multi', options: [{ key: 'option-a' }, { key: 'option-c' }] },
			});
			expect(valueOf('Contact-3')).toEqual({
				departments: [{ openapi_id: '2' }, { openapi_id: '3' }],
			});
			const entry = (id: string, type: string, title: string, value: IDataObject) => ({
				control: type,
				id,
				title: zh(title),
				value,
			});
			// 附10: every row lists every column; a blank one with an empty value.
			expect(valueOf('Table-4')).toEqual({
				children: [
					{
						list: [
							entry('Text-41', 'Text', '项目', { text: '机票' }),
							entry('Money-42', 'Money', '金额', { new_money: '1200.5' }),
							entry('Selector-43', 'Selector', '类别', {
								selector: { type: 'single', options: [{ key: 'option-x' }] },
							}),
							entry('Text-44', 'Text', '备注', { text: '' }),
						],
					},
					{
						list: [
							entry('Text-41', 'Text', '项目', { text: '酒店' }),
							entry('Money-42', 'Money', '金额', { new_money: '680' }),
							entry('Selector-43', 'Selector', '类别', {
								selector: { type: 'single', options: [] },
							}),
							entry('Text-44', 'Text', '备注', { text: '' }),
						],
					},
				],
			});
			expect(approvalNamed(result.items[0].json.sp_no).template_id).toBe(EDITOR_TEMPLATE);
		});

		it('refuses a required multi selector with no switch on, and a line break in a Text control', async () => {
			const rows = {
				rows: [
					{
						cells: {
							cell: [
								cell('text|Table-4|Text-41', { text: '机票' }),
								cell('number|Table-4|Money-42', { number: 1 }),
							],
						},
					},
				],
			};
			const none = await submit({
				formFields: formFields({ 事由: '交接', '交接方式 › 邮件': false }),
				tableRows: rows,
			});
			expect(errorOf(none).message).toMatch(/Missing required control .*交接方式 \(Selector\)/);
			const newline = await submit({
				formFields: formFields({ 事由: '第一行\n第二行', '交接方式 › 邮件': true }),
				tableRows: rows,
			});
			expect(errorOf(newline).message).toMatch(
				/事由 \(Text\): a Text control takes no line breaks/,
			);
			expect(callsTo('/cgi-bin/oa/applyevent')).toHaveLength(0);
		});
	});

	describe('Get', () => {
		it('returns the detail with every status named, in English and Chinese', async () => {
			const rejected = env.emulator.wecom.approvals.find(
				(a) => a.sp_status === 3 && a.sp_record.length >= 2,
			)!;
			expect(rejected).toBeDefined();
			const result = await env.run({
				resource: 'approval',
				operation: 'get',
				spNo: rejected.sp_no,
			});

			expect(result.error).toBeUndefined();
			expect(apiCalls().map((c) => [c.path, c.body])).toEqual([
				['/cgi-bin/oa/getapprovaldetail', { sp_no: rejected.sp_no }],
			]);
			const info = result.items[0].json;
			expect(info).toMatchObject({
				sp_no: rejected.sp_no,
				sp_name: rejected.sp_name,
				template_id: rejected.template_id,
				apply_time: rejected.apply_time,
				applyer: rejected.applyer,
				apply_data: rejected.apply_data,
				sp_status: 3,
				sp_status_name: 'rejected',
				sp_status_name_zh: '已驳回',
			});
			const records = info.sp_record as IDataObject[];
			expect(records).toHaveLength(rejected.sp_record.length);
			expect(records.map((r) => [r.sp_status, r.sp_status_name, r.sp_status_name_zh])).toEqual(
				rejected.sp_record.map((r) =>
					r.sp_status === 2 ? [2, 'approved', '已同意'] : [3, 'rejected', '已驳回'],
				),
			);
			const lastDetails = records[records.length - 1].details as IDataObject[];
			expect(lastDetails[0]).toMatchObject({
				approver: rejected.sp_record[rejected.sp_record.length - 1].details[0].approver,
				sp_status: 3,
				sp_status_name: 'rejected',
				sp_status_name_zh: '已驳回',
			});
		});

		it.each([
			[1, 'pending', '审批中'],
			[2, 'approved', '已通过'],
			[4, 'withdrawn', '已撤销'],
			[6, 'withdrawn_after_approval', '通过后撤销'],
			[7, 'deleted', '已删除'],
			[10, 'paid', '已支付'],
		])('names sp_status %d "%s" (%s)', async (status, en, cn) => {
			const approval = env.emulator.wecom.approvals.find((a) => a.sp_status === status)!;
			expect(approval).toBeDefined();
			const result = await env.run({
				resource: 'approval',
				operation: 'get',
				spNo: approval.sp_no,
			});
			expect(result.items[0].json).toMatchObject({
				sp_status: status,
				sp_status_name: en,
				sp_status_name_zh: cn,
			});
		});

		it('names a transferred approver node', async () => {
			const approval = env.emulator.wecom.approvals.find((a) => a.sp_record.length > 0)!;
			const saved = structuredClone(approval.sp_record);
			approval.sp_record[0].sp_status = 4;
			approval.sp_record[0].details[0].sp_status = 4;
			try {
				const result = await env.run({
					resource: 'approval',
					operation: 'get',
					spNo: approval.sp_no,
				});
				const record = (result.items[0].json.sp_record as IDataObject[])[0];
				expect(record).toMatchObject({
					sp_status_name: 'transferred',
					sp_status_name_zh: '已转审',
				});
				expect((record.details as IDataObject[])[0]).toMatchObject({
					sp_status_name: 'transferred',
				});
			} finally {
				approval.sp_record = saved;
			}
		});

		it.each([
			[11, 'returned', '已退回'],
			[12, 'approver_added', '已加签'],
			[13, 'approved_and_approver_added', '已同意并加签'],
			[14, 'handled', '已办理'],
			[15, 'handed_over', '已转交'],
		])('names approver node status %d "%s" (%s)', async (status, en, cn) => {
			const approval = env.emulator.wecom.approvals.find((a) => a.sp_record.length > 0)!;
			const saved = structuredClone(approval.sp_record);
			approval.sp_record[0].sp_status = status;
			approval.sp_record[0].details[0].sp_status = status;
			try {
				const result = await env.run({
					resource: 'approval',
					operation: 'get',
					spNo: approval.sp_no,
				});
				const record = (result.items[0].json.sp_record as IDataObject[])[0];
				expect(record).toMatchObject({ sp_status_name: en, sp_status_name_zh: cn });
				expect((record.details as IDataObject[])[0]).toMatchObject({
					sp_status_name: en,
					sp_status_name_zh: cn,
				});
			} finally {
				approval.sp_record = saved;
			}
		});

		it('names every status code exactly as the trigger does', async () => {
			const approval = env.emulator.wecom.approvals.find((a) => a.sp_record.length > 0)!;
			const saved = {
				sp_status: approval.sp_status,
				sp_record: structuredClone(approval.sp_record),
			};
			// 0–16 covers every documented code of both tables plus undocumented ones around them.
			const codes = Array.from({ length: 17 }, (_, code) => code);
			const fromGet: unknown[][] = [];
			const fromTrigger: unknown[][] = [];
			try {
				for (const code of codes) {
					approval.sp_status = code;
					approval.sp_record[0].sp_status = code;
					approval.sp_record[0].details[0].sp_status = code;
					const result = await env.run({
						resource: 'approval',
						operation: 'get',
						spNo: approval.sp_no,
					});
					const info = result.items[0].json;
					const record = (info.sp_record as IDataObject[])[0];
					const detail = (record.details as IDataObject[])[0];
					fromGet.push(
						[info, record, detail].flatMap((e) => [e.sp_status_name, e.sp_status_name_zh]),
					);

					const callback = approvalFromCallback({
						SpStatus: String(code),
						SpRecord: [{ SpStatus: String(code), Details: [{ SpStatus: String(code) }] }],
					});
					const node = (callback.records as IDataObject[])[0];
					const approver = (node.details as IDataObject[])[0];
					fromTrigger.push(
						[callback, node, approver].flatMap((e) => [e.spStatusName, e.spStatusNameZh]),
					);
				}
			} finally {
				approval.sp_status = saved.sp_status;
				approval.sp_record = saved.sp_record;
			}

			// An unknown code is 'unknown'/'未知' on Get and null on the trigger; every known one matches.
			const asGetNames = fromTrigger.map((names) =>
				names.map((name, i) => name ?? (i % 2 === 0 ? 'unknown' : '未知')),
			);
			expect(fromGet).toEqual(asGetNames);
			const named = fromTrigger.filter((names) => names.some((name) => name !== null));
			expect(named.length).toBeGreaterThanOrEqual(9);
			expect(fromGet[6].slice(0, 2)).toEqual(['withdrawn_after_approval', '通过后撤销']);
			expect(fromGet[13].slice(2)).toEqual([
				'approved_and_approver_added',
				'已同意并加签',
				'approved_and_approver_added',
				'已同意并加签',
			]);
		});

		it('reads sp_no per item, and turns an unknown one into an error item under continueOnFail', async () => {
			const [a, b] = env.emulator.wecom.approvals;
			const result = await env.run(
				{ resource: 'approval', operation: 'get', spNo: '={{ $json.no }}' },
				[{ json: { no: a.sp_no } }, { json: { no: '209901010001' } }, { json: { no: b.sp_no } }],
				{ continueOnFail: true },
			);

			expect(result.error).toBeUndefined();
			expect(
				result.items.map(
					(i) => i.json.sp_no ?? (i.json.details as IDataObject | undefined)?.errcode,
				),
			).toEqual([a.sp_no, 301025, b.sp_no]);
			expect(callsTo('/cgi-bin/oa/getapprovaldetail').map((c) => bodyOf(c).sp_no)).toEqual([
				a.sp_no,
				'209901010001',
				b.sp_no,
			]);

			// n8n itself stops a literally empty required field; an expression can still give a blank one.
			const empty = await env.run({ resource: 'approval', operation: 'get', spNo: '={{ "  " }}' });
			expect(errorOf(empty).message).toMatch(/Approval Number is empty/);
		});
	});

	describe('Get Many', () => {
		const listCalls = () => callsTo('/cgi-bin/oa/getapprovalinfo').map(bodyOf);
		const expected = (start: number, end: number, keep: (a: Approval) => boolean = () => true) =>
			env.emulator.wecom.approvals
				.filter((a) => a.apply_time >= start && a.apply_time <= end && keep(a))
				.map((a) => a.sp_no);

		it('cuts a 75-day range into back-to-back slices of at most 31 days and returns every sp_no', async () => {
			const end = Math.floor(Date.now() / 1000);
			const start = end - 75 * DAY;
			const result = await env.run({
				resource: 'approval',
				operation: 'getMany',
				startDate: String(start),
				endDate: new Date(end * 1000).toISOString(),
				returnAll: true,
			});

			expect(result.error).toBeUndefined();
			const calls = listCalls();
			expect(calls.length).toBeGreaterThanOrEqual(3);
			for (const call of calls) {
				expect((call.endtime as number) - (call.starttime as number)).toBeLessThanOrEqual(31 * DAY);
				expect(call).toMatchObject({ new_cursor: '', size: 100 });
				expect(call).not.toHaveProperty('filters');
			}
			expect(calls[0].starttime).toBe(start);
			expect(calls[calls.length - 1].endtime).toBe(end);
			for (let i = 1; i < calls.length; i++) {
				expect(calls[i].starttime).toBe((calls[i - 1].endtime as number) + 1);
			}
			const want = expected(start, end);
			expect(want.length).toBeGreaterThan(100);
			expect(result.items.map((i) => i.json)).toEqual(want.map((sp_no) => ({ sp_no })));
		});

		it('runs out of the box: without dates it reads the last 7 days', async () => {
			const before = Math.floor(Date.now() / 1000);
			const result = await env.run({ resource: 'approval', operation: 'getMany' });
			const after = Math.floor(Date.now() / 1000);

			expect(result.error).toBeUndefined();
			const [call] = listCalls();
			const end = call.endtime as number;
			expect(end).toBeGreaterThanOrEqual(before);
			expect(end).toBeLessThanOrEqual(after);
			expect(end - (call.starttime as number)).toBe(7 * DAY - 1);
			const want = expected(call.starttime as number, end).slice(0, 50);
			expect(want.length).toBeGreaterThan(0);
			expect(result.items.map((i) => i.json)).toEqual(want.map((sp_no) => ({ sp_no })));
		});

		it('with only End Date it reads the 7 days up to it', async () => {
			const result = await env.run({
				resource: 'approval',
				operation: 'getMany',
				endDate: '2024-03-10',
			});

			expect(result.error).toBeUndefined();
			const [call] = listCalls();
			expect(call.endtime).toBe(1710086399);
			expect(call.starttime).toBe(1710086399 - 7 * DAY + 1);
		});

		it('follows new_next_cursor within a slice', async () => {
			const state = env.emulator.wecom;
			const saved = [...state.approvals];
			const template = saved[0];
			const day = Math.floor(Date.now() / 1000) - 10 * DAY;
			for (let i = 0; i < 230; i++) {
				const applyTime = day + i * 60;
				state.approvals.push({
					...structuredClone(template),
					apply_time: applyTime,
					sp_no: nextSpNo(state.spNoSequences, applyTime),
				});
			}
			state.approvals.sort(compareApprovals);
			try {
				const start = day - DAY;
				const end = day + DAY;
				const result = await env.run({
					resource: 'approval',
					operation: 'getMany',
					startDate: String(start),
					endDate: String(end),
					returnAll: true,
				});

				expect(result.error).toBeUndefined();
				const calls = listCalls();
				expect(calls.length).toBeGreaterThanOrEqual(3);
				expect(calls[0].new_cursor).toBe('');
				expect(calls.slice(1).every((c) => c.new_cursor !== '' && c.starttime === start)).toBe(
					true,
				);
				const responses = callsTo('/cgi-bin/oa/getapprovalinfo').map(
					(c) => c.response as IDataObject,
				);
				for (let i = 1; i < calls.length; i++) {
					expect(calls[i].new_cursor).toBe(responses[i - 1].new_next_cursor);
				}
				const got = result.items.map((i) => i.json.sp_no);
				expect(new Set(got).size).toBe(got.length);
				expect(got).toEqual(expected(start, end));
				expect(got.length).toBeGreaterThanOrEqual(230);
			} finally {
				state.approvals = saved;
			}
		});

		it('honours the limit, stopping as soon as it has enough', async () => {
			const end = Math.floor(Date.now() / 1000);
			const start = end - 75 * DAY;
			const result = await env.run({
				resource: 'approval',
				operation: 'getMany',
				startDate: String(start),
				endDate: String(end),
				returnAll: false,
				limit: 5,
			});

			expect(result.error).toBeUndefined();
			expect(result.items.map((i) => i.json.sp_no)).toEqual(expected(start, end).slice(0, 5));
			expect(listCalls()).toHaveLength(1);

			const across = await env.run({
				resource: 'approval',
				operation: 'getMany',
				startDate: String(start),
				endDate: String(end),
				limit: 70,
			});
			expect(across.items.map((i) => i.json.sp_no)).toEqual(expected(start, end).slice(0, 70));
		});

		it('sends the filters and, with Include Details, outputs each approval in detail', async () => {
			const end = Math.floor(Date.now() / 1000);
			const start = end - 60 * DAY;
			const result = await env.run({
				resource: 'approval',
				operation: 'getMany',
				startDate: String(start),
				endDate: String(end),
				returnAll: true,
				includeDetails: true,
				filters: {
					templateId: TEMPLATE_IDS.leave,
					status: 2,
					departmentIds: ['6', '7', '8'],
					recordType: 1,
					creator: '',
				},
			});

			expect(result.error).toBeUndefined();
			const calls = listCalls();
			expect(calls.length).toBe(2);
			for (const call of calls) {
				expect(call.filters).toEqual([
					{ key: 'template_id', value: TEMPLATE_IDS.leave },
					{ key: 'department', value: '6' },
					{ key: 'department', value: '7' },
					{ key: 'department', value: '8' },
					{ key: 'sp_status', value: '2' },
					{ key: 'record_type', value: '1' },
				]);
			}
			const want = expected(
				start,
				end,
				(a) =>
					a.template_id === TEMPLATE_IDS.leave &&
					a.sp_status === 2 &&
					['6', '7', '8'].includes(a.applyer.partyid),
			);
			expect(want.length).toBeGreaterThan(0);
			expect(result.items.map((i) => i.json.sp_no)).toEqual(want);
			expect(callsTo('/cgi-bin/oa/getapprovaldetail').map((c) => bodyOf(c).sp_no)).toEqual(want);
			for (const item of result.items) {
				expect(item.json).toMatchObject({
					template_id: TEMPLATE_IDS.leave,
					sp_status: 2,
					sp_status_name: 'approved',
					sp_status_name_zh: '已通过',
				});
				expect(Array.isArray(item.json.sp_record)).toBe(true);
			}
		});

		it('filters by creator picked as a member', async () => {
			const end = Math.floor(Date.now() / 1000);
			const start = end - 30 * DAY;
			const result = await env.run({
				resource: 'approval',
				operation: 'getMany',
				startDate: String(start),
				endDate: String(end),
				returnAll: true,
				filters: { creator: byId('zhangsan') },
			});
			expect(result.error).toBeUndefined();
			expect(listCalls()[0].filters).toEqual([{ key: 'creator', value: 'zhangsan' }]);
			const want = expected(start, end, (a) => a.applyer.userid === 'zhangsan');
			expect(want.length).toBeGreaterThan(0);
			expect(result.items.map((i) => i.json.sp_no)).toEqual(want);
		});

		it('reads the creator filter from an expression per item, or as a plain userid', async () => {
			const end = Math.floor(Date.now() / 1000);
			const start = end - 30 * DAY;
			const perItem = await env.run(
				{
					resource: 'approval',
					operation: 'getMany',
					startDate: String(start),
					endDate: String(end),
					returnAll: true,
					filters: { creator: byId('={{ $json.who }}') },
				},
				[{ json: { who: 'zhangsan' } }, { json: { who: 'lisi' } }],
			);
			expect(perItem.error).toBeUndefined();
			expect(listCalls().map((c) => c.filters)).toEqual([
				[{ key: 'creator', value: 'zhangsan' }],
				[{ key: 'creator', value: 'lisi' }],
			]);

			env.emulator.calls.length = 0;
			// Workflows saved while the filter was a text field hold the userid itself.
			const plain = await env.run({
				resource: 'approval',
				operation: 'getMany',
				startDate: String(start),
				endDate: String(end),
				returnAll: true,
				filters: { creator: 'zhangsan' },
			});
			expect(plain.error).toBeUndefined();
			expect(listCalls()[0].filters).toEqual([{ key: 'creator', value: 'zhangsan' }]);
		});

		it('reads a date alone as the whole day in the workflow time zone', async () => {
			await env.run({
				resource: 'approval',
				operation: 'getMany',
				startDate: '2024-03-01',
				endDate: '2024-03-02',
				returnAll: true,
			});
			// 2024-03-01 00:00:00 to 2024-03-02 23:59:59 in Asia/Shanghai
			expect(listCalls()).toEqual([
				{ starttime: 1709222400, endtime: 1709395199, new_cursor: '', size: 100 },
			]);
		});

		it('refuses a start after the end or a bad date before calling WeCom; dates may differ per item', async () => {
			const reversed = await env.run({
				resource: 'approval',
				operation: 'getMany',
				startDate: '2024-03-10',
				endDate: '2024-03-01',
			});
			expect(errorOf(reversed).message).toMatch(/Start Date is after End Date/);
			const bad = await env.run({
				resource: 'approval',
				operation: 'getMany',
				startDate: 'last week',
				endDate: '2024-03-01',
			});
			expect(errorOf(bad).message).toMatch(/Start Date "last week" is not a date/);
			expect(listCalls()).toHaveLength(0);

			const perItem = await env.run(
				{
					resource: 'approval',
					operation: 'getMany',
					startDate: '={{ $json.from }}',
					endDate: '={{ $json.to }}',
					returnAll: true,
				},
				[
					{ json: { from: '2024-01-01', to: '2024-01-01' } },
					{ json: { from: 'nope', to: '2024-02-01' } },
				],
				{ continueOnFail: true },
			);
			expect(perItem.items).toHaveLength(1);
			expect(perItem.items[0].json.error).toMatch(/Start Date "nope" is not a date/);
			expect(perItem.items[0].pairedItem).toEqual({ item: 1 });
			expect(listCalls().map((c) => c.starttime)).toEqual([1704038400]);
		});
	});

	describe('the form editor: Form Fields, Table Rows and People from the template', () => {
		const workflowData = {
			id: 'picker-workflow',
			name: 'Picker workflow',
			active: false,
			nodes: [],
			connections: {},
			settings: {},
		} as unknown as IWorkflowBase;

		/** What n8n's DynamicNodeParametersService builds: the node as the editor holds it, a LoadOptionsContext. */
		function editorContext(templateId: string, path: string, extra: INodeParameters = {}) {
			const parameters: INodeParameters = {
				resource: 'approval',
				operation: 'submit',
				templateId,
				...extra,
			};
			const node: INode = {
				id: 'picker-node',
				name: 'WeCom',
				type: env.harness.type('weCom'),
				typeVersion: 1,
				position: [0, 0],
				parameters,
				credentials: { weComApi: env.credential },
			};
			const hooks = new ExecutionLifecycleHooks('internal', 'picker', workflowData);
			const additionalData = env.harness.additionalData(hooks, {
				currentNodeParameters: parameters,
			});
			const context = new LoadOptionsContext(
				env.harness.workflow([node]),
				node,
				additionalData,
				path,
			);
			const nodeType = env.harness.nodeTypes.getByNameAndVersion(node.type, 1) as INodeType;
			return { context, methods: nodeType.methods! };
		}

		const formFieldsOf = async (templateId: string) => {
			const { context, methods } = editorContext(templateId, 'parameters.formFields');
			return (await methods.resourceMapping!.getApprovalFormFields.call(
				context,
			)) as ResourceMapperFields;
		};
		const options = async (method: string, templateId: string, path: string, extra = {}) => {
			const { context, methods } = editorContext(templateId, path, extra);
			return (await methods.loadOptions![method].call(context)) as INodePropertyOptions[];
		};

		it('gives each control a field with its own input: number, date picker, options, a switch per option', async () => {
			const expense = await formFieldsOf(TEMPLATE_IDS.expense);
			expect(apiCalls().map((c) => [c.path, c.body])).toEqual([
				['/cgi-bin/oa/gettemplatedetail', { template_id: TEMPLATE_IDS.expense }],
			]);
			expect(expense.fields.map((f) => [f.id, f.type, f.required, f.removed ?? false])).toEqual([
				['报销事由', 'string', true, false],
				['报销金额', 'number', true, false],
				['发生日期', 'dateTime', true, false],
				['费用类型', 'options', true, false],
				// Table rows and people have their own sections: their text fields wait under "Add field".
				['费用明细', 'string', false, true],
				['附件', 'string', false, false],
				['同行人', 'string', false, true],
			]);
			expect(expense.fields[3].options).toEqual([
				{ name: '差旅费', value: 'option-1700000001' },
				{ name: '招待费', value: 'option-1700000002' },
				{ name: '办公用品', value: 'option-1700000003' },
			]);
			const leave = await formFieldsOf(TEMPLATE_IDS.leave);
			// A multi selector (Selector type multi): a switch per option.
			expect(
				leave.fields.filter((f) => f.type === 'boolean').map((f) => [f.id, f.displayName]),
			).toEqual([
				['工作交接方式 › 邮件', '工作交接方式: 邮件 (Multi-Select)'],
				['工作交接方式 › 当面交接', '工作交接方式: 当面交接 (Multi-Select)'],
				['工作交接方式 › 共享文档', '工作交接方式: 共享文档 (Multi-Select)'],
			]);
		});

		it('offers the table columns for Table Rows cells, and a selector column its options', async () => {
			const columns = await options(
				'getApprovalTableColumns',
				TEMPLATE_IDS.expense,
				'parameters.tableRows.rows[0].cells.cell[0].column',
			);
			expect(columns).toEqual([
				{
					name: '项目 (Text, required)',
					value: 'text|Table-1700000000005|Text-1700000000051',
				},
				{
					name: '金额 (Money, required)',
					value: 'number|Table-1700000000005|Money-1700000000052',
				},
			]);
			const people = await options(
				'getApprovalPeopleFields',
				TEMPLATE_IDS.leave,
				'parameters.formPeople.entries[0].field',
			);
			expect(people).toEqual([
				{ name: '所属部门 (Department, one)', value: 'dept|Contact-1700000000016' },
			]);
		});

		it('asks for the Template ID first, and reports an unknown template', async () => {
			await expect(formFieldsOf('')).rejects.toThrow(/Enter the Template ID first/);
			await expect(formFieldsOf('missing-template')).rejects.toThrow();
		});

		it('the form editor depends on the Template ID and shows only for field-by-field input', () => {
			const nodeType = env.harness.nodeTypes.getByNameAndVersion(
				env.harness.type('weCom'),
				1,
			) as INodeType;
			const formFields = nodeType.description.properties.find((p) => p.name === 'formFields')!;
			expect(formFields).toMatchObject({
				type: 'resourceMapper',
				typeOptions: {
					loadOptionsDependsOn: ['templateId'],
					resourceMapper: { resourceMapperMethod: 'getApprovalFormFields' },
				},
			});
			for (const name of ['formFields', 'tableRows', 'formPeople']) {
				const property = nodeType.description.properties.find((p) => p.name === name)!;
				expect(property.displayOptions?.show).toMatchObject({
					resource: ['approval'],
					operation: ['submit'],
					formMode: ['fields'],
				});
			}
		});
	});

	describe('reading times', () => {
		it('reads seconds, milliseconds, ISO dates and offsets, and zone wall-clock times across DST', () => {
			expect(parseTime('1709222400', 'UTC')).toEqual({ seconds: 1709222400, dateOnly: false });
			expect(parseTime(1709222400123, 'UTC')).toEqual({ seconds: 1709222400, dateOnly: false });
			expect(parseTime('2024-03-01', 'Asia/Shanghai')).toEqual({
				seconds: 1709222400,
				dateOnly: true,
			});
			expect(parseTime('2024-03-01T08:00:00Z', 'Asia/Shanghai')?.seconds).toBe(1709280000);
			expect(parseTime('2024-03-01T08:00:00+0530', 'UTC')?.seconds).toBe(1709260200);
			// New York: 2024-03-10 02:30 does not exist (clocks jump to 03:00); 2024-03-11 09:00 is EDT (UTC-4).
			expect(parseTime('2024-03-11 09:00', 'America/New_York')?.seconds).toBe(1710162000);
			expect(parseTime('2024-01-11 09:00', 'America/New_York')?.seconds).toBe(1704981600);
			expect(parseTime('2024-03-01', 'Asia/Shanghai', { endOfDay: true })?.seconds).toBe(
				1709308799,
			);
			expect(parseTime(new Date(1709222400000), 'UTC')?.seconds).toBe(1709222400);
			expect(parseTime({ toMillis: () => 1709222400000 }, 'UTC')?.seconds).toBe(1709222400);
		});

		it('refuses what is not a time', () => {
			for (const bad of [
				'2024-02-30',
				'2024-13-01',
				'2024-03-01 25:00',
				'yesterday',
				'',
				'12345',
				-5,
				1.5,
				{},
				null,
			]) {
				expect(parseTime(bad, 'UTC')).toBeUndefined();
			}
		});
	});
});
