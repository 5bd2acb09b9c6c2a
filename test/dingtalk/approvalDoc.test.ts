/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports -- test code: runs under Node and jest, never inside n8n */
// Start's wire format against DingTalk's own request example (test/fixtures/dingtalk-start-instance.doc.json, from the
// 发起审批实例 page), not against the emulator: a form with the example's components is filled the way a person fills
// it in n8n's editor, and every formComponentValues entry sent must be the example's entry, with the component's id.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject } from 'n8n-workflow';
import { setGlobalState } from 'n8n-workflow';

import type { EmuComponent } from '../emulator/dingtalk/approvalForms';
import { PROCESS_CODES } from '../emulator/dingtalk/approvalForms';
import { byId, byList, ensureUserLookup, formFields } from './approvalSupport';
import { startDingTalk, type DingTalkTestEnv } from './setup';

interface DocFixture {
	source: string;
	formComponentValues: Array<{ name: string; value: string }>;
}

const FIXTURE = JSON.parse(
	readFileSync(join(__dirname, '..', 'fixtures', 'dingtalk-start-instance.doc.json'), 'utf8'),
) as DocFixture;

const DOC_FORM = 'PROC-EMU-DOC-SAMPLE-01';

function component(
	componentName: string,
	id: string,
	label: unknown,
	extra: IDataObject = {},
	children?: EmuComponent[],
): EmuComponent {
	return {
		componentName,
		props: { id: `${componentName}-${id}`, label, required: false, ...extra },
		...(children ? { children } : {}),
	};
}

const OPTIONS = ['选项1', '选项2', '选项3'].map((value, i) => ({ key: `option_${i}`, value }));

/** A form with the request example's components, labelled as the example names them, in its order. */
const DOC_ITEMS: EmuComponent[] = [
	component('TextField', 'DOC00001', '单行输入框'),
	component('TextareaField', 'DOC00002', '多行输入框'),
	component('NumberField', 'DOC00003', '数字输入框'),
	component('DDSelectField', 'DOC00004', '单选框', { options: OPTIONS }),
	component('DDMultiSelectField', 'DOC00005', '多选框', { options: OPTIONS }),
	component('DDDateField', 'DOC00006', '日期', { format: 'yyyy-MM-dd' }),
	component('DDDateRangeField', 'DOC00007', ['开始时间', '结束时间'], { format: 'yyyy-MM-dd' }),
	component('DDPhotoField', 'DOC00008', '图片'),
	component('TableField', 'DOC00009', '表格', {}, [
		component('TextField', 'DOC00091', '单行输入框'),
		component('NumberField', 'DOC00092', '数字输入框'),
	]),
	component('MoneyField', 'DOC00010', '金额（元）'),
	component('DDAttachment', 'DOC00011', '附件'),
	component('InnerContactField', 'DOC00012', '联系人', { choice: 1 }),
	component('RelateField', 'DOC00013', '关联审批单'),
	component('PhoneField', 'DOC00014', '电话'),
	component('AddressField', 'DOC00015', '省市区'),
	component('StarRatingField', 'DOC00016', '评分'),
	component('DepartmentField', 'DOC00017', '部门', { multiple: true }),
];

describe("DingTalk Start: formComponentValues as in DingTalk's request example", () => {
	let env: DingTalkTestEnv;

	beforeAll(async () => {
		setGlobalState({ defaultTimezone: 'Asia/Shanghai' });
		env = await startDingTalk();
		ensureUserLookup(env);
		const state = env.emulator.dingtalk;
		state.forms.push({
			processCode: DOC_FORM,
			name: '文档示例表单',
			dirName: '其他',
			items: DOC_ITEMS,
			flow: [
				{
					activityId: 'doc_1',
					activityName: '审批人',
					activityType: 'target_approval',
					actorKey: 'fixed_doc_1',
					userIds: ['manager001'],
					allowedMulti: true,
					required: true,
				},
			],
			status: 'PUBLISHED',
		});
		// The example's attachment, as a file already in the approval space (its ids as the example writes them).
		state.drive.files.set('643xxxx140', {
			fileId: '643xxxx140',
			spaceId: '163xxxx658',
			name: '2644.JPG',
			size: 333,
			extension: 'jpg',
			data: Buffer.alloc(333),
			creatorUnionId: 'union-dev001',
		});
	});

	afterAll(async () => {
		await env.stop();
	});

	it('sends every component type the way the example writes it, each with its component id', async () => {
		const bank = env.emulator.dingtalk.instances.filter(
			(i) => i.processCode === PROCESS_CODES.expense,
		);
		// The example's placeholders, as the emulator's organisation has them.
		const substitutes: Record<string, string> = {
			'4525xxxxxxxx77041': 'dev002',
			钉钉通讯录部门1的id: '100',
			钉钉通讯录部门2的id: '200',
			'fa2aa864-xxxx-xxxx-xxxx-75572c0e2cdf': bank[0].processInstanceId,
			'7125778e-xxxx-xxxx-xxxx-faa987478a9b': bank[1].processInstanceId,
		};
		const substitute = (text: string) =>
			Object.entries(substitutes).reduce((out, [from, to]) => out.split(from).join(to), text);

		env.emulator.calls.length = 0;
		const result = await env.run({
			resource: 'approval',
			operation: 'start',
			processCode: byId(DOC_FORM),
			originatorUserId: byId('dev001'),
			deptId: byList(''),
			formInput: 'fields',
			// Filled as a person fills the editor: text, number inputs, date pickers, switches, a picked option.
			formFields: formFields({
				单行输入框: '单行输入框示例',
				多行输入框: '请输入多行文本内容，需要换行时请输入\r\n',
				数字输入框: 100,
				单选框: '选项1',
				'多选框 › 选项1': true,
				'多选框 › 选项2': true,
				'多选框 › 选项3': false,
				日期: '2021-08-17T00:00:00',
				开始时间: '2019-02-19T00:00:00',
				结束时间: '2019-02-25T00:00:00',
				图片: 'http://url1, http://url2, http://url3',
				'金额（元）': 100,
				附件: '[{"spaceId": "163xxxx658", "fileName": "2644.JPG", "fileSize": "333", "fileType": "jpg", "fileId": "643xxxx140"}]',
				关联审批单: `${bank[0].processInstanceId}, ${bank[1].processInstanceId}`,
				电话: '157xxxx4545',
				省市区: '北京, 北京市, 河东区',
				评分: 5,
			}),
			tableRows: {
				rows: [
					{
						cells: {
							cell: [
								{ column: 'text|TableField-DOC00009|TextField-DOC00091', text: '明细单行输入框' },
								{ column: 'number|TableField-DOC00009|NumberField-DOC00092', number: 100 },
							],
						},
					},
				],
			},
			formPeople: {
				entries: [
					{ field: 'user|InnerContactField-DOC00012', user: byList('dev002') },
					{ field: 'dept|DepartmentField-DOC00017', department: byList('100') },
					{ field: 'dept|DepartmentField-DOC00017', department: byId('200') },
				],
			},
		});
		expect(result.error).toBeUndefined();

		const [start] = env.emulator
			.callsTo('/v1.0/workflow/processInstances')
			.filter((c) => c.method === 'POST');
		const sent = (start.body as IDataObject).formComponentValues as IDataObject[];
		// The time-and-place component of the example is not one the node builds (see the fixture's notes).
		const expected = FIXTURE.formComponentValues.filter((v) => !v.name.includes('当前地点'));
		expect(sent.map((v) => v.name)).toEqual(expected.map((v) => v.name));
		for (const [index, doc] of expected.entries()) {
			const entry = sent[index];
			const wanted = substitute(doc.value);
			let parsed: unknown;
			try {
				parsed = JSON.parse(wanted);
			} catch {
				parsed = undefined;
			}
			// JSON text is compared as JSON (the example puts a space after some commas); anything else exactly.
			if (parsed !== undefined && typeof parsed === 'object') {
				expect({ name: entry.name, value: JSON.parse(String(entry.value)) }).toEqual({
					name: doc.name,
					value: parsed,
				});
			} else {
				expect({ name: entry.name, value: entry.value }).toEqual({ name: doc.name, value: wanted });
			}
			const component = DOC_ITEMS[index];
			expect(entry.id).toBe(component.props.id);
			expect(Object.keys(entry).sort()).toEqual(['id', 'name', 'value']);
		}
	});
});
