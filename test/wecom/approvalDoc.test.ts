/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-hardcoded-secrets -- test code: runs under Node and jest, never inside n8n; the option keys are the doc's, not secrets */
// Submit's wire format against WeCom's own page (test/fixtures/wecom-applyevent.doc.json, from 提交审批申请 and its
// appendix), not against the emulator: a template with the page's controls is filled the way a person fills it in
// n8n's editor, and each content's value must be the page's value object.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject } from 'n8n-workflow';
import { setGlobalState } from 'n8n-workflow';

import type { ControlConfig, ControlType, TemplateControl } from '../emulator/wecom/seed';
import { formFields } from '../dingtalk/approvalSupport';
import { startWeCom, type WeComTestEnv } from './setup';

interface DocFixture {
	contentExample: IDataObject;
	values: Record<string, IDataObject>;
}

const FIXTURE = JSON.parse(
	readFileSync(join(__dirname, '..', 'fixtures', 'wecom-applyevent.doc.json'), 'utf8'),
) as DocFixture;

const DOC_TEMPLATE = 'DocSampleTemplate0000000000000000000000000';
const zh = (text: string) => [{ text, lang: 'zh_CN' }];

function control(
	type: ControlType,
	id: string,
	title: string,
	config?: ControlConfig,
): TemplateControl {
	return {
		property: { control: type, id, title: zh(title), placeholder: [], require: 0, un_print: 0 },
		...(config ? { config } : {}),
	};
}

/** The page's controls, with the ids its examples use. */
const CONTROLS: TemplateControl[] = [
	control('Text', 'Text-15111111111', '文本控件'),
	control('Number', 'Number-15111111113', '数字控件'),
	control('Money', 'Money-15111111114', '金额控件'),
	control('Date', 'Date-15111111115', '日期控件', { date: { type: 'day' } }),
	control('Selector', 'Selector-15111111116', '多选控件', {
		selector: {
			type: 'multi',
			options: [
				{ key: 'option-15111111111', value: zh('选项1') },
				{ key: 'option-15222222222', value: zh('选项2') },
			],
		},
	}),
	// 获取审批模板详情, 附3: type single|multi, mode user|department.
	control('Contact', 'Contact-15111111117', '成员控件', {
		contact: { type: 'multi', mode: 'user' },
	}),
	control('Contact', 'Contact-15111111118', '部门控件', {
		contact: { type: 'multi', mode: 'department' },
	}),
	control('File', 'File-15111111119', '附件控件'),
	control('Table', 'Table-15111111120', '明细控件', {
		table: {
			children: [
				control('Text', 'Text-15111111111', '明细内文本控件'),
				control('Money', 'Text-15111111112', '明细内金额控件'),
			],
		},
	}),
];

/** The page's member and department values without `name` (see the fixture's notes). */
function withoutNames(value: IDataObject): IDataObject {
	const strip = (list: unknown) =>
		(list as IDataObject[]).map((entry) => {
			const rest = { ...entry };
			delete rest.name;
			return rest;
		});
	if (value.members) return { members: strip(value.members) };
	if (value.departments) return { departments: strip(value.departments) };
	return value;
}

describe("WeCom Submit: apply_data.contents as in WeCom's page", () => {
	let env: WeComTestEnv;

	beforeAll(async () => {
		setGlobalState({ defaultTimezone: 'Asia/Shanghai' });
		env = await startWeCom();
		const state = env.emulator.wecom;
		state.templates.push({
			template_id: DOC_TEMPLATE,
			template_names: zh('文档示例'),
			controls: CONTROLS,
			defaultApprovers: [{ attr: 1, userid: ['lisi'] }],
		});
		// The page's members, as members of the emulated organisation.
		const model = state.users.find((u) => u.userid === 'wangwu')!;
		for (const [userid, name] of [
			['WuJunJie', 'Jackie'],
			['WangXiaoMing', 'Tom'],
		]) {
			state.users.push({ ...model, userid, name, open_userid: `woemu${userid}` });
		}
	});

	afterAll(async () => {
		await env.stop();
	});

	it('writes every control type the node builds as the appendix does (附1–附10)', async () => {
		const file = Buffer.from('%PDF-1.4 a file for the approval\n');
		env.emulator.calls.length = 0;
		const result = await env.run(
			{
				resource: 'approval',
				operation: 'submit',
				templateId: DOC_TEMPLATE,
				creator: { __rl: true, mode: 'id', value: 'wangwu' },
				formMode: 'fields',
				formFields: formFields({
					文本控件: '文本填写的内容',
					数字控件: 700,
					金额控件: 700,
					日期控件: '2019-10-01T00:00:00',
					'多选控件 › 选项1': true,
					'多选控件 › 选项2': true,
					附件控件: 'file',
				}),
				tableRows: {
					rows: [
						{
							cells: {
								cell: [
									{ column: 'text|Table-15111111120|Text-15111111111', text: '明细文本1' },
									{ column: 'number|Table-15111111120|Text-15111111112', number: 700 },
								],
							},
						},
						{
							cells: {
								cell: [
									{ column: 'text|Table-15111111120|Text-15111111111', text: '明细文本2' },
									{ column: 'number|Table-15111111120|Text-15111111112', number: 900 },
								],
							},
						},
					],
				},
				formPeople: {
					entries: [
						{
							field: 'user|Contact-15111111117',
							user: { __rl: true, mode: 'list', value: 'WuJunJie' },
						},
						{
							field: 'user|Contact-15111111117',
							user: { __rl: true, mode: 'id', value: 'WangXiaoMing' },
						},
						{
							field: 'dept|Contact-15111111118',
							department: { __rl: true, mode: 'list', value: '2' },
						},
						{
							field: 'dept|Contact-15111111118',
							department: { __rl: true, mode: 'id', value: '3' },
						},
					],
				},
			},
			[
				{
					json: {},
					binary: {
						file: { data: file.toString('base64'), mimeType: 'application/pdf', fileName: 'a.pdf' },
					},
				},
			],
		);
		expect(result.error).toBeUndefined();

		const [apply] = env.emulator.callsTo('/cgi-bin/oa/applyevent');
		const contents = ((apply.body as IDataObject).apply_data as IDataObject)
			.contents as IDataObject[];
		const byId = (id: string) => contents.find((c) => c.id === id)!;
		const mediaId = (env.emulator.callsTo('/cgi-bin/media/upload')[0].response as IDataObject)
			.media_id;

		// The request example's content entry, whole: control, id, title and value.
		expect(byId('Text-15111111111')).toEqual(FIXTURE.contentExample);
		expect(byId('Number-15111111113').value).toEqual(FIXTURE.values.Number);
		expect(byId('Money-15111111114').value).toEqual(FIXTURE.values.Money);
		// 2019-10-01 00:00 in the workflow's zone (Asia/Shanghai) is the page's 1569859200.
		expect(byId('Date-15111111115').value).toEqual(FIXTURE.values.Date);
		expect(byId('Selector-15111111116').value).toEqual(FIXTURE.values.Selector);
		expect(byId('Contact-15111111117').value).toEqual(
			withoutNames(FIXTURE.values['Contact.members']),
		);
		expect(byId('Contact-15111111118').value).toEqual(
			withoutNames(FIXTURE.values['Contact.departments']),
		);
		// The page's file_id stands for a media_id from media/upload: the one the emulator gave.
		const [docFile] = FIXTURE.values.File.files as IDataObject[];
		expect(byId('File-15111111119').value).toEqual({ files: [{ ...docFile, file_id: mediaId }] });
		expect(byId('Table-15111111120').value).toEqual(FIXTURE.values.Table);
		for (const content of contents) {
			expect(Object.keys(content).sort()).toEqual(['control', 'id', 'title', 'value']);
		}
	});
});
