/* eslint-disable @n8n/community-nodes/no-hardcoded-secrets, @n8n/community-nodes/no-restricted-imports, @typescript-eslint/no-explicit-any -- test code: runs under Node and jest, never inside n8n */
import { ApiEmulator, encodeMultipart, wecom } from '.';
import { WeComClient } from './testClient';

const { TEMPLATE_IDS } = wecom;
const DAY = 86400;

describe('WeCom approvals (OA)', () => {
	let clock: number;
	let emulator: ApiEmulator;
	let client: WeComClient;

	beforeEach(async () => {
		clock = Date.UTC(2024, 8, 1, 2, 0, 0);
		emulator = await ApiEmulator.start({ plugins: ['wecom'], now: () => clock });
		client = new WeComClient(emulator);
	});

	afterEach(async () => {
		await emulator.stop();
	});

	const nowSeconds = () => Math.floor(clock / 1000);

	describe('the approval bank', () => {
		it('spreads ~90 days of approvals over statuses, templates and creators', () => {
			const bank = emulator.wecom.approvals;
			expect(bank.length).toBe(wecom.APPROVAL_BANK_SIZE);
			const times = bank.map((a) => a.apply_time);
			expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(85 * DAY);
			expect(Math.max(...times)).toBeLessThan(nowSeconds());
			expect(new Set(bank.map((a) => a.sp_status)).size).toBeGreaterThanOrEqual(5);
			expect(new Set(bank.map((a) => a.template_id))).toEqual(new Set(Object.values(TEMPLATE_IDS)));
			expect(new Set(bank.map((a) => a.applyer.userid)).size).toBeGreaterThanOrEqual(8);
			expect(new Set(bank.map((a) => a.sp_no)).size).toBe(bank.length);
			expect(bank[0].sp_no).toMatch(/^\d{12}$/);
		});

		it('templates cover every control kind the nodes must handle', () => {
			const kinds = new Set<string>();
			const selectorTypes = new Set<string>();
			const contactTypes = new Set<string>();
			for (const t of emulator.wecom.templates) {
				for (const c of t.controls) {
					kinds.add(c.property.control);
					if (c.config?.selector) selectorTypes.add(c.config.selector.type);
					// 获取审批模板详情, 附3: mode names what is picked (user|department).
					if (c.config?.contact) contactTypes.add(c.config.contact.mode);
				}
			}
			expect([...kinds].sort()).toEqual(
				[
					'Contact',
					'Date',
					'File',
					'Money',
					'Number',
					'Selector',
					'Table',
					'Text',
					'Textarea',
				].sort(),
			);
			expect(selectorTypes).toEqual(new Set(['single', 'multi']));
			expect(contactTypes).toEqual(new Set(['user', 'department']));
		});
	});

	it('gettemplatedetail answers names and controls; unknown template is an error', async () => {
		const res = await client.post('/cgi-bin/oa/gettemplatedetail', {
			template_id: TEMPLATE_IDS.expense,
		});
		expect(res.errcode).toBe(0);
		expect(res.template_names).toEqual([{ text: '报销申请', lang: 'zh_CN' }]);
		const table = res.template_content.controls.find((c: any) => c.property.control === 'Table');
		expect(table.config.table.children.map((c: any) => c.property.control)).toEqual([
			'Text',
			'Money',
		]);
		expect(
			(await client.post('/cgi-bin/oa/gettemplatedetail', { template_id: 'nope' })).errcode,
		).toBe(301025);
	});

	describe('applyevent', () => {
		let fileId: string;

		beforeEach(async () => {
			fileId = (
				await client.upload(
					'/cgi-bin/media/upload',
					{ type: 'file' },
					encodeMultipart([{ name: 'media', filename: '发票.pdf', data: Buffer.alloc(100, 1) }]),
				)
			).media_id;
		});

		const expense = (overrides: Record<string, unknown> = {}, contents?: unknown[]) => ({
			creator_userid: 'wangwu',
			template_id: TEMPLATE_IDS.expense,
			use_template_approver: 0,
			approver: [
				{ attr: 1, userid: ['lisi'] },
				{ attr: 2, userid: ['zhangsan', 'linfeng'] },
			],
			notifyer: ['zhengshi'],
			notify_type: 1,
			apply_data: {
				contents: contents ?? [
					{ control: 'Text', id: 'Text-1700000000001', value: { text: '客户拜访' } },
					{ control: 'Money', id: 'Money-1700000000002', value: { new_money: '1280.50' } },
					{
						control: 'Date',
						id: 'Date-1700000000003',
						value: { date: { type: 'day', s_timestamp: '1725148800' } },
					},
					{
						control: 'Selector',
						id: 'Selector-1700000000004',
						value: { selector: { type: 'single', options: [{ key: 'option-1700000001' }] } },
					},
					{
						control: 'Table',
						id: 'Table-1700000000005',
						value: {
							children: [
								{
									list: [
										{ control: 'Text', id: 'Text-1700000000051', value: { text: '机票' } },
										{ control: 'Money', id: 'Money-1700000000052', value: { new_money: '980' } },
									],
								},
							],
						},
					},
					{ control: 'File', id: 'File-1700000000006', value: { files: [{ file_id: fileId }] } },
					{
						control: 'Contact',
						id: 'Contact-1700000000007',
						value: { members: [{ userid: 'zhaoliu', name: '赵六' }] },
					},
				],
			},
			summary_list: [{ summary_info: [{ text: '报销 1280.50 元', lang: 'zh_CN' }] }],
			...overrides,
		});

		const apply = (body: unknown) => client.post('/cgi-bin/oa/applyevent', body);

		it('stores the approval so getapprovaldetail and getapprovalinfo find it', async () => {
			const res = await apply(expense());
			expect(res).toEqual({
				errcode: 0,
				errmsg: 'ok',
				sp_no: expect.stringMatching(/^20240901\d{4}$/),
			});
			const detail = await client.post('/cgi-bin/oa/getapprovaldetail', { sp_no: res.sp_no });
			expect(detail.info).toMatchObject({
				sp_no: res.sp_no,
				sp_name: '报销申请',
				sp_status: 1,
				template_id: TEMPLATE_IDS.expense,
				apply_time: nowSeconds(),
				applyer: { userid: 'wangwu', partyid: '6' },
				notifyer: [{ userid: 'zhengshi' }],
				sp_record: [
					{
						sp_status: 1,
						approverattr: 1,
						details: [{ approver: { userid: 'lisi' }, sp_status: 1 }],
					},
				],
			});
			const selector = detail.info.apply_data.contents.find((c: any) => c.control === 'Selector');
			expect(selector.title).toEqual([{ text: '费用类型', lang: 'zh_CN' }]);
			expect(selector.value.selector.options[0].value).toEqual([{ text: '差旅费', lang: 'zh_CN' }]);

			const info = await client.post('/cgi-bin/oa/getapprovalinfo', {
				starttime: nowSeconds() - 60,
				endtime: nowSeconds(),
				new_cursor: '',
				size: 100,
			});
			expect(info.sp_no_list).toContain(res.sp_no);
		});

		it('uses the template flow when use_template_approver is 1', async () => {
			const { sp_no } = await apply(expense({ use_template_approver: 1, approver: undefined }));
			const detail = await client.post('/cgi-bin/oa/getapprovaldetail', { sp_no });
			expect(detail.info.sp_record[0].details[0].approver.userid).toBe('lisi');
		});

		it('accepts a leave request with Number, hour Date, Textarea, multi Selector and department Contact', async () => {
			const res = await apply({
				creator_userid: 'huangli',
				template_id: TEMPLATE_IDS.leave,
				use_template_approver: 1,
				apply_data: {
					contents: [
						{
							control: 'Selector',
							id: 'Selector-1700000000011',
							value: { selector: { type: 'single', options: [{ key: 'option-1700000001' }] } },
						},
						{
							control: 'Date',
							id: 'Date-1700000000012',
							value: { date: { type: 'hour', s_timestamp: '1725184800' } },
						},
						{ control: 'Number', id: 'Number-1700000000013', value: { new_number: '1.5' } },
						{
							control: 'Textarea',
							id: 'Textarea-1700000000014',
							value: { text: '家中有事\n需请假' },
						},
						{
							control: 'Selector',
							id: 'Selector-1700000000015',
							value: {
								selector: {
									type: 'multi',
									options: [{ key: 'option-1700000001' }, { key: 'option-1700000003' }],
								},
							},
						},
						{
							control: 'Contact',
							id: 'Contact-1700000000016',
							value: { departments: [{ openapi_id: '6', name: '前端组' }] },
						},
					],
				},
			});
			expect(res.errcode).toBe(0);
		});

		const replace = (id: string, content: Record<string, unknown> | undefined) => {
			const base = expense().apply_data.contents as Array<Record<string, unknown>>;
			return base.flatMap((c) => (c.id === id ? (content ? [content] : []) : [c]));
		};

		it.each([
			['an unknown creator', () => expense({ creator_userid: 'ghost' }), /creator_userid/],
			['a disabled creator', () => expense({ creator_userid: 'heyun' }), /creator_userid/],
			['an unknown template', () => expense({ template_id: 'nope' }), /template_id/],
			[
				'no approver with use_template_approver 0',
				() => expense({ approver: [] }),
				/approver is required/,
			],
			[
				'an approver who does not exist',
				() => expense({ approver: [{ attr: 1, userid: ['ghost'] }] }),
				/ghost/,
			],
			['a bad approver attr', () => expense({ approver: [{ attr: 3, userid: ['lisi'] }] }), /attr/],
			['a notifyer without notify_type', () => expense({ notify_type: undefined }), /notify_type/],
			[
				'more than 3 summary lines',
				() =>
					expense({
						summary_list: [
							{ summary_info: [] },
							{ summary_info: [] },
							{ summary_info: [] },
							{ summary_info: [] },
						],
					}),
				/summary_list/,
			],
			[
				'a content id from another template',
				() =>
					expense({}, [
						...replace('x', undefined),
						{ control: 'Text', id: 'Text-1700000000021', value: { text: 'x' } },
					]),
				/not a control of this template/,
			],
			[
				'a content with the wrong control kind',
				() =>
					expense(
						{},
						replace('Text-1700000000001', {
							control: 'Textarea',
							id: 'Text-1700000000001',
							value: { text: 'x' },
						}),
					),
				/the template says 'Text'/,
			],
			[
				'a missing required control',
				() => expense({}, replace('Money-1700000000002', undefined)),
				/报销金额.*missing/,
			],
			[
				'an empty required control',
				() =>
					expense(
						{},
						replace('Text-1700000000001', {
							control: 'Text',
							id: 'Text-1700000000001',
							value: { text: '' },
						}),
					),
				/报销事由.*empty/,
			],
			[
				'a malformed amount',
				() =>
					expense(
						{},
						replace('Money-1700000000002', {
							control: 'Money',
							id: 'Money-1700000000002',
							value: { new_money: '12.345' },
						}),
					),
				/new_money/,
			],
			[
				'a number given as a JSON number',
				() =>
					expense(
						{},
						replace('Money-1700000000002', {
							control: 'Money',
							id: 'Money-1700000000002',
							value: { new_money: 12 },
						}),
					),
				/must be a string/,
			],
			[
				'a date of the wrong type',
				() =>
					expense(
						{},
						replace('Date-1700000000003', {
							control: 'Date',
							id: 'Date-1700000000003',
							value: { date: { type: 'hour', s_timestamp: '1725148800' } },
						}),
					),
				/date.type/,
			],
			[
				'an unknown selector key',
				() =>
					expense(
						{},
						replace('Selector-1700000000004', {
							control: 'Selector',
							id: 'Selector-1700000000004',
							value: { selector: { type: 'single', options: [{ key: 'option-9' }] } },
						}),
					),
				/option-9/,
			],
			[
				'two options on a single selector',
				() =>
					expense(
						{},
						replace('Selector-1700000000004', {
							control: 'Selector',
							id: 'Selector-1700000000004',
							value: {
								selector: {
									type: 'single',
									options: [{ key: 'option-1700000001' }, { key: 'option-1700000002' }],
								},
							},
						}),
					),
				/single selector/,
			],
			[
				'an unknown contact',
				() =>
					expense(
						{},
						replace('Contact-1700000000007', {
							control: 'Contact',
							id: 'Contact-1700000000007',
							value: { members: [{ userid: 'ghost', name: '鬼' }] },
						}),
					),
				/ghost/,
			],
			[
				'a file_id that was never uploaded',
				() =>
					expense(
						{},
						replace('File-1700000000006', {
							control: 'File',
							id: 'File-1700000000006',
							value: { files: [{ file_id: 'nope' }] },
						}),
					),
				/file_id/,
			],
			[
				'a table row missing a required child',
				() =>
					expense(
						{},
						replace('Table-1700000000005', {
							control: 'Table',
							id: 'Table-1700000000005',
							value: {
								children: [
									{
										list: [{ control: 'Text', id: 'Text-1700000000051', value: { text: '机票' } }],
									},
								],
							},
						}),
					),
				/金额.*missing/,
			],
			[
				'the same control twice',
				() =>
					expense({}, [
						...replace('x', undefined),
						{ control: 'Text', id: 'Text-1700000000001', value: { text: 'again' } },
					]),
				/appears twice/,
			],
		])('rejects %s', async (_what, body, message) => {
			const before = emulator.wecom.approvals.length;
			const res = await apply(body());
			expect(res.errcode).toBe(301025);
			expect(res.errmsg).toMatch(message);
			expect(emulator.wecom.approvals.length).toBe(before);
		});
	});

	describe('getapprovalinfo', () => {
		const info = (body: Record<string, unknown>) =>
			client.post('/cgi-bin/oa/getapprovalinfo', body);
		const window = () => ({ starttime: nowSeconds() - 31 * DAY, endtime: nowSeconds() });

		it('allows at most 31 days per call', async () => {
			expect((await info({ ...window(), new_cursor: '', size: 10 })).errcode).toBe(0);
			const tooLong = await info({
				starttime: nowSeconds() - 31 * DAY - 1,
				endtime: nowSeconds(),
				size: 10,
			});
			expect(tooLong.errcode).toBe(301025);
			expect(tooLong.errmsg).toContain('31 days');
		});

		it('needs starttime and endtime in order, and a size of 1..100', async () => {
			expect((await info({ endtime: nowSeconds() })).errcode).toBe(301025);
			expect((await info({ starttime: nowSeconds() })).errcode).toBe(301025);
			expect((await info({ starttime: nowSeconds(), endtime: nowSeconds() - 1 })).errcode).toBe(
				301025,
			);
			expect((await info({ ...window(), size: 101 })).errcode).toBe(301025);
			expect((await info({ ...window(), size: 0 })).errcode).toBe(301025);
			expect(
				(await info({ starttime: String(nowSeconds() - DAY), endtime: String(nowSeconds()) }))
					.errcode,
			).toBe(0);
		});

		it('pages through the bank with new_cursor, in apply_time order, without gaps or repeats', async () => {
			const w = window();
			const expected = emulator.wecom.approvals
				.filter((a) => a.apply_time >= w.starttime && a.apply_time <= w.endtime)
				.map((a) => a.sp_no);
			expect(expected.length).toBeGreaterThan(30);
			const seen: string[] = [];
			let cursor = '';
			let pages = 0;
			do {
				const page = await info({ ...w, new_cursor: cursor, size: 7 });
				expect(page.errcode).toBe(0);
				expect(page.sp_no_list.length).toBeLessThanOrEqual(7);
				seen.push(...page.sp_no_list);
				cursor = page.new_next_cursor;
				pages++;
			} while (cursor);
			expect(seen).toEqual(expected);
			expect(pages).toBe(Math.ceil(expected.length / 7));
		});

		it('filters by template, creator, department, status and record type', async () => {
			const w = { starttime: nowSeconds() - 31 * DAY, endtime: nowSeconds(), size: 100 };
			const inWindow = emulator.wecom.approvals.filter((a) => a.apply_time >= w.starttime);
			const expectFilter = async (
				filters: unknown[],
				predicate: (a: (typeof inWindow)[number]) => boolean,
			) => {
				const res = await info({ ...w, filters });
				expect(res.errcode).toBe(0);
				const expected = inWindow.filter(predicate).map((a) => a.sp_no);
				expect(res.sp_no_list).toEqual(expected);
				return expected.length;
			};
			expect(
				await expectFilter(
					[{ key: 'template_id', value: TEMPLATE_IDS.leave }],
					(a) => a.template_id === TEMPLATE_IDS.leave,
				),
			).toBeGreaterThan(0);
			const creator = inWindow[0].applyer.userid;
			expect(
				await expectFilter(
					[{ key: 'creator', value: creator }],
					(a) => a.applyer.userid === creator,
				),
			).toBeGreaterThan(0);
			expect(
				await expectFilter([{ key: 'sp_status', value: '2' }], (a) => a.sp_status === 2),
			).toBeGreaterThan(0);
			await expectFilter(
				[
					{ key: 'department', value: '6' },
					{ key: 'department', value: '7' },
				],
				(a) => a.applyer.partyid === '6' || a.applyer.partyid === '7',
			);
			await expectFilter(
				[{ key: 'record_type', value: '1' }],
				(a) => a.template_id === TEMPLATE_IDS.leave,
			);
			await expectFilter(
				[
					{ key: 'template_id', value: TEMPLATE_IDS.expense },
					{ key: 'sp_status', value: '1' },
				],
				(a) => a.template_id === TEMPLATE_IDS.expense && a.sp_status === 1,
			);
			expect((await info({ ...w, filters: [{ key: 'color', value: 'red' }] })).errcode).toBe(
				301025,
			);
		});

		it('rejects a cursor it did not issue', async () => {
			expect((await info({ ...window(), new_cursor: 'not-a-cursor' })).errcode).toBe(301025);
		});
	});

	it('getapprovaldetail answers bank approvals and an error for unknown sp_no', async () => {
		const known = emulator.wecom.approvals[10];
		const res = await client.post('/cgi-bin/oa/getapprovaldetail', { sp_no: known.sp_no });
		expect(res.info).toEqual(JSON.parse(JSON.stringify(known)));
		expect(
			(await client.post('/cgi-bin/oa/getapprovaldetail', { sp_no: '209901010001' })).errcode,
		).toBe(301025);
	});
});
