import type { IBinaryData, IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { weComApiRequest } from '../../transport';
import { MEDIA_RULES, MIN_MEDIA_BYTES, uploadMediaFile } from '../media/files';
import { departmentLocator, userLocator } from '../shared/orgFields';
import {
	approverLevelsField,
	formInputField,
	repeatingGroup,
	SIGN_MODE,
} from '../../../shared/collections';
import type { NodeOperation } from '../../../shared/operations';
import { requiredText, templateIdProperty } from './fields';
import type { GatheredForm } from '../../../shared/approvalForm';
import { approvalFormProperties, gatherForm } from '../../../shared/approvalForm';
import type { FormContext } from './formValues';
import { contentsFromFields, contentsFromJson } from './formValues';
import type { ApprovalTemplate } from './template';
import { cachedTemplate, templateControls, zhText } from './template';

const MAX_SUMMARY_LINES = 3;

const properties: INodeProperties[] = [
	templateIdProperty,
	userLocator({
		displayName: 'Creator',
		name: 'creator',
		description: 'The member the approval is submitted for (申请人)',
	}),
	formInputField('formMode', {
		fields:
			"Fill the template's controls with inputs of their kind; values are checked against the template",
		json: 'Give apply_data.contents as JSON, for workflows that build the whole form',
	}),
	...approvalFormProperties({
		dependsOn: ['templateId'],
		displayOptions: { show: { formMode: ['fields'] } },
		userPicker: userLocator({
			name: 'user',
			displayName: 'Member',
			description: 'Search by name or userid, or give userids (an expression may give several)',
		}),
		departmentPicker: departmentLocator({
			name: 'department',
			displayName: 'Department',
			description: 'Search by name, or give department IDs (an expression may give several)',
		}),
		formats:
			"Dates are read in the workflow's time zone; files are names of binary properties of the input item; rarer controls (date range 时长, location, related approval) take their value object as JSON.",
	}),
	{
		displayName: 'Contents (JSON)',
		name: 'contentsJson',
		type: 'json',
		default: '[]',
		required: true,
		displayOptions: { show: { formMode: ['json'] } },
		description:
			'Apply_data.contents: a list of {"control", "ID", "value"} objects in WeCom\'s format; "control" may be left out. Use Get Template to see the control IDs.',
	},
	{
		displayName: 'Approval Flow',
		name: 'approvalFlow',
		type: 'options',
		default: 'template',
		options: [
			{
				name: "Template's Flow",
				value: 'template',
				description: 'Use the approvers and CC set for the template in the admin console',
			},
			{
				name: 'Specify Approvers',
				value: 'custom',
				description: 'Name the approvers level by level, and who gets a copy',
			},
		],
	},
	approverLevelsField(
		'Approval levels (审批节点), in order; each level passes to the next once it approves',
		[
			{
				displayName: 'Sign Mode',
				name: 'attr',
				type: 'options',
				default: 1,
				options: [
					{ name: SIGN_MODE.and, value: 2 },
					{ name: SIGN_MODE.or, value: 1 },
				],
				description: 'Whether one approver of this level is enough, or all are needed',
			},
			{
				displayName: 'Approver Names or IDs',
				name: 'userIds',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getUsers' },
				default: [],
				description:
					'Members who approve at this level. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
		],
	),
	{
		displayName: 'CC Names or IDs',
		name: 'notifyers',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getUsers' },
		default: [],
		displayOptions: { show: { approvalFlow: ['custom'] } },
		description:
			'Members who get a copy (抄送人). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'CC When',
		name: 'notifyType',
		type: 'options',
		default: 1,
		displayOptions: { show: { approvalFlow: ['custom'] } },
		options: [
			{ name: 'After Approval (审批通过后抄送)', value: 2 },
			{ name: 'Both (提单时和通过后)', value: 3 },
			{ name: 'On Submit (提单时抄送)', value: 1 },
		],
		description: 'When the CC members are told (notify_type)',
	},
	repeatingGroup({
		displayName: 'Summary Lines',
		name: 'summary',
		placeholder: 'Add Summary Line',
		description:
			'Up to 3 lines (摘要) shown on the approval card and in approval lists, e.g. "金额: 1280.50". Without any, the template\'s name is the one line.',
		entry: { displayName: 'Line', name: 'lines' },
		values: [
			{
				displayName: 'Text',
				name: 'text',
				type: 'string',
				default: '',
				description: 'Text of this line',
			},
		],
		sortable: true,
	}),
];

/** User IDs from a multiOptions value, or from comma-separated text an expression gave. */
function userIds(value: unknown): string[] {
	const parts = Array.isArray(value) ? value.map(String) : String(value ?? '').split(/[,，|]/);
	return parts.map((s) => s.trim()).filter((s) => s !== '');
}

interface PendingFile {
	property: string;
	label: string;
	target: IDataObject;
}

async function uploadFiles(this: IExecuteFunctions, pending: PendingFile[], itemIndex: number) {
	// Read and check every file first: a bad one must stop the submission before anything is uploaded.
	const files = new Map<string, { binary: IBinaryData; data: Buffer; label: string }>();
	for (const { property, label } of pending) {
		if (files.has(property)) continue;
		const binary = this.helpers.assertBinaryData(itemIndex, property);
		const data = await this.helpers.getBinaryDataBuffer(itemIndex, property);
		if (data.length < MIN_MEDIA_BYTES || data.length > MEDIA_RULES.file.maxBytes) {
			throw new NodeOperationError(
				this.getNode(),
				`Form field ${label}: the file in binary property "${property}" is ${data.length} bytes; WeCom takes files of 6 bytes to 20 MB`,
				{ itemIndex },
			);
		}
		files.set(property, { binary, data, label });
	}
	const mediaIds = new Map<string, string>();
	for (const [property, { binary, data }] of files) {
		const answer = await uploadMediaFile.call(this, itemIndex, 'file', {
			data,
			fileName:
				binary.fileName ?? `${property}${binary.fileExtension ? `.${binary.fileExtension}` : ''}`,
			mimeType: binary.mimeType ?? '',
		});
		mediaIds.set(property, String(answer.media_id));
	}
	for (const { property, target } of pending) {
		target.file_id = mediaIds.get(property);
	}
}

/** What the form editor holds for this item, gathered by control. */
function readFormInput(
	this: IExecuteFunctions,
	template: ApprovalTemplate,
	itemIndex: number,
	fail: (message: string) => never,
): GatheredForm {
	// The editor's field types only choose its inputs; values are checked against the template by the formatters.
	const fields = this.getNodeParameter('formFields.value', itemIndex, {}, { skipValidation: true });
	return gatherForm(
		templateControls(template),
		{
			fields: (fields ?? {}) as IDataObject,
			rows: this.getNodeParameter('tableRows.rows', itemIndex, []),
			people: this.getNodeParameter('formPeople.entries', itemIndex, []),
		},
		fail,
	);
}

export const submitOperation: NodeOperation = {
	value: 'submit',
	name: 'Submit',
	action: 'Submit an approval',
	description:
		'Submit an approval (提交审批申请) from a template, with its form filled from fields or JSON',
	properties,
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const fail = (message: string): never => {
			throw new NodeOperationError(this.getNode(), message, { itemIndex });
		};
		const templateId = requiredText.call(
			this,
			'templateId',
			itemIndex,
			'Template ID is empty: enter the ID of an approval template (模板ID)',
		);
		const creator = requiredText.call(
			this,
			'creator',
			itemIndex,
			'Creator is empty: pick the member who submits the approval, or give their user ID',
			{ extractValue: true },
		);

		const body: IDataObject = { creator_userid: creator, template_id: templateId };
		const flow = this.getNodeParameter('approvalFlow', itemIndex, 'template') as string;
		if (flow === 'custom') {
			const levels = (
				this.getNodeParameter('approvers.levels', itemIndex, []) as Array<{
					attr?: number;
					userIds?: unknown;
				}>
			).map((level, index) => {
				const ids = userIds(level.userIds);
				if (ids.length === 0) {
					fail(
						`Approval level ${index + 1} has no approvers: pick at least one member, or remove the level`,
					);
				}
				return { attr: Number(level.attr) === 2 ? 2 : 1, userid: ids };
			});
			if (levels.length === 0) {
				fail("Approvers are empty: add at least one approval level, or choose the template's flow");
			}
			body.use_template_approver = 0;
			body.approver = levels;
			const notifyers = userIds(this.getNodeParameter('notifyers', itemIndex, []));
			if (notifyers.length > 0) {
				body.notifyer = notifyers;
				body.notify_type = Number(this.getNodeParameter('notifyType', itemIndex, 1));
			}
		} else {
			body.use_template_approver = 1;
		}

		const lines = (
			this.getNodeParameter('summary.lines', itemIndex, []) as Array<{ text?: unknown }>
		)
			.map((line) => String(line.text ?? '').trim())
			.filter((text) => text !== '');
		if (lines.length > MAX_SUMMARY_LINES) {
			fail(
				`Summary Lines has ${lines.length} lines; WeCom shows at most ${MAX_SUMMARY_LINES}: remove some`,
			);
		}

		const template = await cachedTemplate.call(this, templateId, itemIndex);
		const pending: PendingFile[] = [];
		const ctx: FormContext = {
			timeZone: this.getTimezone(),
			fail,
			file: (property, label) => {
				const binaries = this.getInputData()[itemIndex]?.binary ?? {};
				if (!binaries[property]) {
					const present = Object.keys(binaries);
					fail(
						`Form field ${label}: the input item has no binary property "${property}". ${
							present.length > 0
								? `Its binary properties are: ${present.join(', ')}`
								: 'It has no binary data: read or download the file in an earlier node'
						}`,
					);
				}
				const target: IDataObject = { file_id: '' };
				pending.push({ property, label, target });
				return target;
			},
		};
		const mode = this.getNodeParameter('formMode', itemIndex, 'fields') as string;
		const contents =
			mode === 'json'
				? contentsFromJson(template, this.getNodeParameter('contentsJson', itemIndex, '[]'), ctx)
				: contentsFromFields(template, readFormInput.call(this, template, itemIndex, fail), ctx);
		await uploadFiles.call(this, pending, itemIndex);

		body.apply_data = { contents };
		// A card without a summary line shows blank in approval lists (and summary_list may be required): never none.
		const summary = lines.length > 0 ? lines : [zhText(template.names) || templateId];
		body.summary_list = summary.map((text) => ({ summary_info: [{ text, lang: 'zh_CN' }] }));
		const answer = await weComApiRequest.call(this, {
			method: 'POST',
			path: '/cgi-bin/oa/applyevent',
			body,
			itemIndex,
		});
		return { sp_no: answer.sp_no as string };
	},
};
