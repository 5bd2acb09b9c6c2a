import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { BinaryFile } from '../../../shared/binaryFile';
import { checkFile, readBinaryFile } from '../../../shared/binaryFile';
import {
	approverLevelsField,
	formInputField,
	repeatingGroup,
	SIGN_MODE,
} from '../../../shared/collections';
import { failFor, type Fail, type NodeOperation } from '../../../shared/operations';
import { CREDENTIAL_TYPE, dingTalkApiRequest } from '../../transport';
import { locatorText } from '../../../shared/locator';
import { departmentField, resultOf, userField as memberField } from '../shared/org';
import type { GatheredForm } from '../../../shared/approvalForm';
import { approvalFormProperties, gatherForm } from '../../../shared/approvalForm';
import type { DriveFile } from './drive';
import { uploadApprovalFiles } from './drive';
import { processCodeField, readProcessCode, requiredText, userField, userIdList } from './fields';
import type { ApprovalForm } from './form';
import { cachedForm, formControls, kitRefusal } from './form';
import type { FormContext, PendingValue } from './formValues';
import {
	AttachmentSlot,
	attachmentSlots,
	finalValues,
	valuesFromFields,
	valuesFromJson,
} from './formValues';
import type { SelfSelectEntry } from './selfSelect';
import { ACTOR_KEY, describeNodes, selfSelectNodes, targetSelectActioners } from './selfSelect';

/** DingTalk's limits for one start. */
const MAX_APPROVER_LEVELS = 20;
const MAX_CC = 50;
const MAX_SELF_SELECT = 20;

/** DingTalk asks for -1, not 1, when the originator starts from the root department. */
const ROOT_DEPARTMENT = 1;

/** Any file goes into Drive; only empty ones are refused before sending. */
const ATTACHMENT_RULE = {
	label: 'an approval attachment',
	maxBytes: Number.MAX_SAFE_INTEGER,
	extensions: [],
	mimeTypes: {},
};

const userIdsHint =
	'Userids (员工 UserID, not names), comma-separated; an expression may give a list';

const approverIdsField: INodeProperties = {
	displayName: 'Approver IDs',
	name: 'userIds',
	type: 'string',
	default: '',
	placeholder: 'manager4220, user123',
	description: userIdsHint,
};

const properties: INodeProperties[] = [
	processCodeField('The approval form (审批表单) to start an approval of'),
	userField({
		displayName: 'Originator',
		name: 'originatorUserId',
		description: 'The member the approval is started for (发起人)',
	}),
	optionalDepartmentField(),
	formInputField('formInput', {
		fields:
			"Fill the form's components with inputs of their kind; values are checked and written in the format each component takes",
		json: 'Give formComponentValues as JSON ([{"name","value"}]), for workflows that build the whole form; values are sent as written',
	}),
	...approvalFormProperties({
		dependsOn: ['processCode.value'],
		displayOptions: { show: { formInput: ['fields'] } },
		userPicker: memberField({
			name: 'user',
			displayName: 'Member',
			description:
				'Search by name, userid or mobile, or give userids (an expression may give several)',
		}),
		departmentPicker: departmentField({
			name: 'department',
			displayName: 'Department',
			description: 'Search by name, or give department IDs (an expression may give several)',
		}),
		formats:
			"Dates are written in the form's format in the workflow's time zone; attachments are names of binary properties of the input item.",
	}),
	{
		displayName: 'Form Values (JSON)',
		name: 'formValuesJson',
		type: 'json',
		default: '[]',
		required: true,
		displayOptions: { show: { formInput: ['json'] } },
		description:
			'FormComponentValues: a list of {"name": "报销事由", "value": "..."} (name = the component\'s label; its ID is added); values are sent as written (lists and objects as JSON text). Use Get Form Schema to see the labels and formats.',
	},
	{
		displayName: 'Approval Flow',
		name: 'approvalFlow',
		type: 'options',
		default: 'form',
		options: [
			{
				name: "Form's Flow",
				value: 'form',
				description:
					'Use the approvers and CC set for the form in the OA admin console (审批后台流程)',
			},
			{
				name: 'Specify Approvers',
				value: 'custom',
				description: 'Name the approvers level by level, and who gets a copy (CC)',
			},
		],
	},
	repeatingGroup({
		displayName: 'Self-Select Approvers',
		name: 'selfSelect',
		placeholder: 'Add Self-Select Approver',
		description:
			"Approvers for the flow's nodes where the originator chooses (发起人自选审批人); needed when the form's flow has such nodes",
		entry: { displayName: 'Node', name: 'nodes' },
		values: [
			{
				displayName: 'Approver Node',
				name: 'node',
				type: 'string',
				default: '',
				placeholder: '财务审批',
				description:
					"The node's name as the flow shows it (e.g. 审批人), or its actorKey (manual_…)",
			},
			approverIdsField,
		],
		displayOptions: { show: { approvalFlow: ['form'] } },
	}),
	approverLevelsField(
		'Approval levels, in order (up to 20); each passes to the next once it approves',
		[
			{
				displayName: 'Sign Mode',
				name: 'actionType',
				type: 'options',
				default: 'OR',
				options: [
					{ name: SIGN_MODE.and, value: 'AND' },
					{ name: SIGN_MODE.or, value: 'OR' },
					{ name: 'Single Approver (单人审批)', value: 'NONE' },
				],
				description: 'How the approvers of this level decide',
			},
			approverIdsField,
		],
	),
	{
		displayName: 'CC IDs',
		name: 'ccList',
		type: 'string',
		default: '',
		placeholder: 'manager4220, user123',
		displayOptions: { show: { approvalFlow: ['custom'] } },
		description: `Members who get a copy (抄送人), up to 50. ${userIdsHint}.`,
	},
	{
		displayName: 'CC When',
		name: 'ccPosition',
		type: 'options',
		default: 'START',
		displayOptions: { show: { approvalFlow: ['custom'] } },
		options: [
			{ name: 'At Start (开始时抄送)', value: 'START' },
			{ name: 'At Finish (结束时抄送)', value: 'FINISH' },
			{ name: 'Both (开始和结束时)', value: 'START_FINISH' },
		],
		description: 'When the CC members are told',
	},
];

/** The originator's department: optional (empty = their first), so the By ID mode also takes nothing. */
function optionalDepartmentField(): INodeProperties {
	const field = departmentField({
		displayName: 'Originator Department',
		name: 'deptId',
		description:
			"The department the approval is started from (发起部门); the originator must belong to it. Empty: the originator's first department (the first of dept_id_list in the member's profile) is used. The root department is sent as -1, as DingTalk asks.",
	});
	return {
		...field,
		required: false,
		modes: field.modes?.map((mode) =>
			mode.name === 'id'
				? {
						...mode,
						placeholder: "Empty: the originator's first department",
						validation: [
							{
								type: 'regex',
								properties: {
									regex: '^(|-1|[1-9][0-9]{0,18})$',
									errorMessage:
										'A department ID is a positive whole number (the root department is 1)',
								},
							},
						],
					}
				: mode,
		),
	};
}

interface Originator {
	userId: string;
	unionId: string;
	deptIds: number[];
}

async function fetchOriginator(
	this: IExecuteFunctions,
	userId: string,
	itemIndex: number,
): Promise<Originator> {
	const user = resultOf(
		await dingTalkApiRequest.call(this, {
			method: 'POST',
			path: '/topapi/v2/user/get',
			body: { userid: userId },
			itemIndex,
		}),
	);
	const deptIds = Array.isArray(user.dept_id_list) ? user.dept_id_list.map(Number) : [];
	return {
		userId,
		unionId: String(user.unionid ?? ''),
		deptIds: deptIds.filter((id) => Number.isSafeInteger(id)),
	};
}

function readApprovers(this: IExecuteFunctions, itemIndex: number, fail: Fail) {
	const levels = this.getNodeParameter('approvers.levels', itemIndex, []) as Array<{
		actionType?: string;
		userIds?: unknown;
	}>;
	if (!levels.length) {
		fail("Approvers are empty: add at least one approval level, or use the form's flow");
	}
	if (levels.length > MAX_APPROVER_LEVELS) {
		fail(`Approvers has ${levels.length} levels; DingTalk takes at most ${MAX_APPROVER_LEVELS}`);
	}
	return levels.map((level, index) => {
		const userIds = userIdList(level.userIds);
		const actionType = ['AND', 'OR', 'NONE'].includes(String(level.actionType))
			? String(level.actionType)
			: 'OR';
		if (!userIds.length) {
			fail(
				`Approval level ${index + 1} has no approvers: give at least one userid, or remove the level`,
			);
		}
		if (actionType === 'NONE' && userIds.length > 1) {
			fail(
				`Approval level ${index + 1} is a single-approver level with ${userIds.length} approvers: keep one, or choose And-Sign or Or-Sign`,
			);
		}
		return { actionType, userIds };
	});
}

function readSelfSelect(this: IExecuteFunctions, itemIndex: number, fail: Fail): SelfSelectEntry[] {
	const entries = (
		this.getNodeParameter('selfSelect.nodes', itemIndex, []) as Array<{
			node?: unknown;
			userIds?: unknown;
		}>
	).map((entry, index) => {
		const node = String(entry.node ?? '').trim();
		const userIds = userIdList(entry.userIds);
		if (!node) fail(`Self-Select Approvers: entry ${index + 1} has no Approver Node`);
		if (!userIds.length)
			fail(`Self-Select Approvers: "${node}" has no approvers: give their userids`);
		return { node, userIds };
	});
	if (entries.length > MAX_SELF_SELECT) {
		fail(
			`Self-Select Approvers has ${entries.length} entries; DingTalk takes at most ${MAX_SELF_SELECT}`,
		);
	}
	return entries;
}

/** The department to start from: the field's, or the originator's first; the root as -1. */
function departmentFor(given: string, originator: Originator | undefined, fail: Fail): number {
	let id: number;
	if (given !== '') {
		if (!/^-?\d{1,19}$/.test(given)) {
			fail(
				`Originator Department "${given}" is not a department ID: give a number (the root department is 1), or leave it empty to use the originator's first department`,
			);
		}
		id = Number(given);
	} else {
		if (!originator?.deptIds.length) {
			fail(
				"Originator Department is empty and the originator's profile lists no department: pick the department the approval is started from",
			);
		}
		id = originator.deptIds[0];
	}
	return id === ROOT_DEPARTMENT ? -1 : id;
}

/** Reads each binary property once and checks it, before anything is uploaded or started. */
async function readAttachments(
	this: IExecuteFunctions,
	slots: AttachmentSlot[],
	itemIndex: number,
): Promise<Map<string, BinaryFile>> {
	const files = new Map<string, BinaryFile>();
	for (const slot of slots) {
		for (const property of slot.properties) {
			if (files.has(property)) continue;
			const file = await readBinaryFile.call(this, itemIndex, property);
			files.set(
				property,
				checkFile.call(this, itemIndex, 'DingTalk', ATTACHMENT_RULE, file, property),
			);
		}
	}
	return files;
}

/** What the form editor holds for this item, gathered by component. */
function readFormInput(
	this: IExecuteFunctions,
	form: ApprovalForm,
	itemIndex: number,
	fail: Fail,
): GatheredForm {
	// The editor's field types only choose its inputs; values are checked against the form by the formatters.
	const fields = this.getNodeParameter('formFields.value', itemIndex, {}, { skipValidation: true });
	return gatherForm(
		formControls(form),
		{
			fields: (fields ?? {}) as IDataObject,
			rows: this.getNodeParameter('tableRows.rows', itemIndex, []),
			people: this.getNodeParameter('formPeople.entries', itemIndex, []),
		},
		fail,
	);
}

function errorCode(error: unknown): string {
	if (!(error instanceof NodeApiError)) return '';
	return String((error.errorResponse as IDataObject | undefined)?.code ?? '');
}

export const startOperation: NodeOperation = {
	value: 'start',
	name: 'Start',
	action: 'Start an approval',
	description:
		'Start an approval instance (发起审批实例) of a form, its fields filled from the form or from JSON',
	properties,
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const fail: Fail = failFor(this, itemIndex);
		const processCode = readProcessCode.call(this, itemIndex, 'the form to start');
		const originatorUserId = requiredText.call(
			this,
			'originatorUserId',
			itemIndex,
			'Originator is empty: pick the member the approval is started for, or give their userid',
		);
		const givenDepartment = locatorText(this, 'deptId', itemIndex);
		const custom = this.getNodeParameter('approvalFlow', itemIndex, 'form') === 'custom';
		const body: IDataObject = { processCode, originatorUserId };
		let selfSelect: SelfSelectEntry[] = [];
		if (custom) {
			body.approvers = readApprovers.call(this, itemIndex, fail);
			const cc = userIdList(this.getNodeParameter('ccList', itemIndex, ''));
			if (cc.length > MAX_CC)
				fail(`CC IDs has ${cc.length} members; DingTalk takes at most ${MAX_CC}`);
			if (cc.length) {
				body.ccList = cc;
				body.ccPosition = this.getNodeParameter('ccPosition', itemIndex, 'START') as string;
			}
		} else {
			selfSelect = readSelfSelect.call(this, itemIndex, fail);
		}

		const form = await cachedForm.call(this, processCode, itemIndex);
		const refusal = kitRefusal(form);
		if (refusal) fail(refusal);
		const binaries = this.getInputData()[itemIndex]?.binary ?? {};
		const ctx: FormContext = {
			timeZone: this.getTimezone(),
			fail,
			attachment: (names, label) => {
				for (const name of names) {
					if (binaries[name]) continue;
					const present = Object.keys(binaries);
					fail(
						`Form field ${label}: the input item has no binary property "${name}". ${
							present.length
								? `Its binary properties are: ${present.join(', ')}`
								: 'It has no binary data: read or download the file in an earlier node'
						}`,
					);
				}
				return new AttachmentSlot([...new Set(names)], label);
			},
		};
		const pending: PendingValue[] =
			this.getNodeParameter('formInput', itemIndex, 'fields') === 'json'
				? valuesFromJson(form, this.getNodeParameter('formValuesJson', itemIndex, '[]'), ctx)
				: valuesFromFields(form, readFormInput.call(this, form, itemIndex, fail), ctx);
		const slots = attachmentSlots(pending);
		const files = await readAttachments.call(this, slots, itemIndex);

		// The member's profile gives the department to start from and the unionId Drive uploads need.
		const originator =
			givenDepartment === '' || files.size
				? await fetchOriginator.call(this, originatorUserId, itemIndex)
				: undefined;
		const deptId = departmentFor(givenDepartment, originator, fail);
		body.deptId = deptId;

		let uploaded: DriveFile[] = [];
		if (files.size) {
			if (!originator?.unionId) {
				fail(
					`DingTalk gave no unionId for the originator "${originatorUserId}": attachments cannot be uploaded for them`,
				);
			}
			const properties = [...files.keys()];
			uploaded = await uploadApprovalFiles.call(
				this,
				{ userId: originatorUserId, unionId: originator.unionId },
				properties.map((p) => files.get(p) as BinaryFile),
				itemIndex,
			);
			const byProperty = new Map(properties.map((p, i) => [p, uploaded[i]]));
			for (const slot of slots)
				slot.files = slot.properties.map((p) => byProperty.get(p) as DriveFile);
		}
		const formComponentValues = finalValues(pending, ctx);
		body.formComponentValues = formComponentValues;

		const forecast = async () =>
			await selfSelectNodes.call(
				this,
				{ processCode, userId: originatorUserId, deptId, formComponentValues },
				itemIndex,
			);
		if (selfSelect.length) {
			// Nodes named by their actorKey need no forecast; names are looked up in the flow this approval would take.
			const byKey = selfSelect.every((entry) => ACTOR_KEY.test(entry.node));
			body.targetSelectActioners = byKey
				? selfSelect.map((e) => ({ actionerKey: e.node, actionerUserIds: e.userIds }))
				: targetSelectActioners(selfSelect, await forecast(), fail);
		}
		const credentials = await this.getCredentials(CREDENTIAL_TYPE);
		const agentId = String(credentials.agentId ?? '').trim();
		if (/^\d+$/.test(agentId)) body.microappAgentId = Number(agentId);

		const attempt = await dingTalkApiRequest
			.call(this, { method: 'POST', path: '/v1.0/workflow/processInstances', body, itemIndex })
			.then(
				(answer) => ({ answer, error: undefined }),
				(error: unknown) => ({ answer: undefined, error }),
			);
		if (attempt.answer === undefined) {
			// Say which nodes need approvers: DingTalk's answer only says that some are missing.
			if (errorCode(attempt.error) === 'targetSelectApproverMissing' && !selfSelect.length) {
				const nodes = await forecast().catch(() => undefined);
				if (nodes?.length) {
					fail(
						`This form's flow has approver nodes the originator chooses (发起人自选审批人): add them under Self-Select Approvers (node name and approver IDs). Nodes: ${describeNodes(nodes)}`,
					);
				}
			}
			throw attempt.error;
		}
		const { answer } = attempt;
		return {
			processInstanceId: String(answer.instanceId ?? ''),
			processCode,
			originatorUserId,
			deptId,
			deptIdFrom: givenDepartment === '' ? 'originator' : 'field',
			...(uploaded.length ? { attachments: uploaded } : {}),
		};
	},
};
