import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { jsonParse } from 'n8n-workflow';

const NOT_JSON = Symbol('not JSON');

/** The element types the response page can show (n8n's Form has a few more: file, html, hidden field). */
export const FORM_FIELD_TYPES = [
	'checkbox',
	'date',
	'dropdown',
	'email',
	'number',
	'password',
	'radio',
	'text',
	'textarea',
] as const;

export type FormFieldType = (typeof FORM_FIELD_TYPES)[number];

const CHOICE_TYPES: FormFieldType[] = ['dropdown', 'radio', 'checkbox'];

/** Output key every answer gets from n8n's own Send and Wait; a field may not take it. */
export const RESPONDED_AT = 'respondedAt';

export interface FormField {
	label: string;
	/** Key of the answer in the output: the Custom Field Name, else the label. */
	key: string;
	type: FormFieldType;
	required: boolean;
	placeholder: string;
	defaultValue: string;
	/** The choices of a dropdown, radio buttons or checkboxes. */
	options: string[];
}

/** A problem with an answer, in both languages of the page. */
export interface AnswerProblem {
	zh: string;
	en: string;
}

const TYPE_NAMES: Record<FormFieldType, string> = {
	checkbox: 'Checkboxes',
	date: 'Date',
	dropdown: 'Dropdown',
	email: 'Email',
	number: 'Number',
	password: 'Password',
	radio: 'Radio Buttons',
	text: 'Text Input',
	textarea: 'Textarea',
};

const EXAMPLE_JSON = `[
  { "fieldLabel": "审批意见 (Comment)", "fieldType": "textarea", "requiredField": true },
  { "fieldLabel": "Approved Amount", "fieldName": "amount", "fieldType": "number" },
  {
    "fieldLabel": "Decision",
    "fieldType": "radio",
    "requiredField": true,
    "fieldOptions": { "values": [{ "option": "同意 Approve" }, { "option": "驳回 Reject" }] }
  }
]`;

/**
 * Define Form / Form Elements / Form Fields (JSON), as n8n's own Send and Wait names them; the elements' parameter is
 * `formElements` (n8n: `formFields`) because this package's WeCom node already has a `formFields` (Approval → Submit).
 */
export const formDefinitionProperties: INodeProperties[] = [
	{
		displayName: 'Define Form',
		name: 'defineForm',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Using Fields Below', value: 'fields' },
			{ name: 'Using JSON', value: 'json' },
		],
		default: 'fields',
	},
	{
		displayName: 'Form Elements',
		name: 'formElements',
		placeholder: 'Add Form Element',
		type: 'fixedCollection',
		default: {},
		typeOptions: { multipleValues: true, sortable: true },
		displayOptions: { show: { defineForm: ['fields'] } },
		options: [
			{
				displayName: 'Values',
				name: 'values',
				values: [
					{
						displayName: 'Custom Field Name',
						name: 'fieldName',
						type: 'string',
						default: '',
						placeholder: 'e.g. comment',
						description:
							'Key of the answer in the output (data.&lt;name&gt;); the label when empty',
					},
					{
						displayName: 'Default Value',
						name: 'defaultValue',
						type: 'string',
						default: '',
						description:
							'Pre-filled value: a date as YYYY-MM-DD, one of the options, or for checkboxes several options separated by commas',
					},
					{
						displayName: 'Element Type',
						name: 'fieldType',
						type: 'options',
						default: 'text',
						options: FORM_FIELD_TYPES.map((type) => ({ name: TYPE_NAMES[type], value: type })),
					},
					{
						displayName: 'Field Options',
						name: 'fieldOptions',
						placeholder: 'Add Field Option',
						type: 'fixedCollection',
						default: { values: [{ option: '' }] },
						typeOptions: { multipleValues: true, sortable: true },
						displayOptions: { show: { fieldType: CHOICE_TYPES } },
						options: [
							{
								displayName: 'Values',
								name: 'values',
								values: [{ displayName: 'Option', name: 'option', type: 'string', default: '' }],
							},
						],
					},
					{
						displayName: 'Label',
						name: 'fieldLabel',
						type: 'string',
						default: '',
						required: true,
						placeholder: 'e.g. 审批意见 (Comment)',
						description: 'Shown above the field on the response page',
					},
					{
						displayName: 'Placeholder',
						name: 'placeholder',
						type: 'string',
						default: '',
						description: 'Sample text shown inside the empty field',
						displayOptions: { hide: { fieldType: ['date', ...CHOICE_TYPES] } },
					},
					{
						displayName: 'Required Field',
						name: 'requiredField',
						type: 'boolean',
						default: false,
						description: 'Whether the form can only be sent with this field filled in',
					},
				],
			},
		],
	},
	{
		displayName: 'Form Fields',
		name: 'jsonOutput',
		type: 'json',
		typeOptions: { rows: 8 },
		default: EXAMPLE_JSON,
		hint: "An array of {fieldLabel, fieldType, fieldName, requiredField, placeholder, defaultValue, fieldOptions: {values: [{option}]}} — the shape n8n's Form node takes",
		displayOptions: { show: { defineForm: ['json'] } },
	},
];

/** Reads a node parameter in either context (execute: item 0; webhook: the waiting item). */
export type ParameterGetter = (name: string, fallback: unknown) => unknown;

/** A parameter's value as text ('' for nothing). */
export function text(value: unknown): string {
	return value === undefined || value === null ? '' : String(value);
}

function rawDefinitions(get: ParameterGetter): unknown[] {
	if (get('defineForm', 'fields') === 'json') {
		const json = get('jsonOutput', '[]');
		const parsed =
			typeof json === 'string' ? jsonParse<unknown>(json, { fallbackValue: NOT_JSON }) : json;
		if (parsed === NOT_JSON) {
			throw new Error('Form Fields is not valid JSON: check the brackets, commas and quotes');
		}
		if (!Array.isArray(parsed)) {
			throw new Error(
				'Form Fields must be a JSON array of fields, e.g. [{"fieldLabel": "Comment"}]',
			);
		}
		return parsed;
	}
	const values = get('formElements.values', []);
	return Array.isArray(values) ? values : [];
}

function optionsOf(definition: IDataObject): string[] {
	const holder = definition.fieldOptions as { values?: Array<{ option?: unknown }> } | undefined;
	return (holder?.values ?? []).map((entry) => text(entry?.option).trim());
}

/**
 * The form the node defines, checked: the page and the answer parsing both use it, and a form that cannot be
 * shown fails the node before any message goes out. Throws an Error naming the field and the fix.
 */
export function readFormFields(get: ParameterGetter): FormField[] {
	const definitions = rawDefinitions(get);
	if (definitions.length === 0) {
		throw new Error('The form has no fields: add at least one under Form Elements');
	}
	const keys = new Set<string>();
	return definitions.map((entry, index) => {
		const definition = (entry ?? {}) as IDataObject;
		const position = `Form element ${index + 1}`;
		const label = text(definition.fieldLabel).trim();
		if (!label) throw new Error(`${position} has no Label: every field needs one`);
		const type = text(definition.fieldType || 'text') as FormFieldType;
		if (!FORM_FIELD_TYPES.includes(type)) {
			throw new Error(
				`${position} ("${label}") has Element Type "${type}", which the response page cannot show: use one of ${FORM_FIELD_TYPES.join(', ')}`,
			);
		}
		const key = text(definition.fieldName).trim() || label;
		if (key === RESPONDED_AT) {
			throw new Error(
				`${position} ("${label}") is named "${RESPONDED_AT}", which the output uses for the answer time: choose another Custom Field Name`,
			);
		}
		if (keys.has(key)) {
			throw new Error(
				`Two form elements are named "${key}": give one of them another Label or Custom Field Name`,
			);
		}
		keys.add(key);
		const options = CHOICE_TYPES.includes(type) ? optionsOf(definition) : [];
		if (CHOICE_TYPES.includes(type)) {
			if (options.length === 0 || options.some((option) => option === '')) {
				throw new Error(`${position} ("${label}") needs Field Options, none of them empty`);
			}
			if (new Set(options).size !== options.length) {
				throw new Error(`${position} ("${label}") lists the same option twice`);
			}
		}
		const defaultValue = text(definition.defaultValue).trim();
		const defaults =
			type === 'checkbox' ? splitList(defaultValue) : defaultValue ? [defaultValue] : [];
		if (options.length && defaults.some((value) => !options.includes(value))) {
			throw new Error(
				`${position} ("${label}") has the Default Value "${defaultValue}", which is not one of its options`,
			);
		}
		return {
			label,
			key,
			type,
			required: definition.requiredField === true,
			placeholder: text(definition.placeholder),
			defaultValue,
			options,
		};
	});
}

function splitList(value: string): string[] {
	return value
		.split(',')
		.map((part) => part.trim())
		.filter((part) => part !== '');
}

/** The single text field of the Free Text response type; its answer is `text`. */
export const FREE_TEXT_FIELD: FormField = {
	label: '您的回复 · Your response',
	key: 'text',
	type: 'textarea',
	required: true,
	placeholder: '',
	defaultValue: '',
	options: [],
};

/** The name a field's input has on the page (n8n's forms use the same). */
export function inputName(index: number): string {
	return `field-${index}`;
}

/** The submitted values of one input; browsers send line breaks in form data as CRLF, the answer has LF. */
function values(raw: unknown): string[] {
	if (raw === undefined || raw === null) return [];
	return (Array.isArray(raw) ? raw : [raw]).map((value) => text(value).replace(/\r\n?/g, '\n'));
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Turns the submitted inputs (`field-0`, `field-1`, ...) into the answer, typed as n8n's own forms type them:
 * numbers as numbers, checkboxes as a list, an empty optional field as null (text as ''). Returns the problems
 * instead when an answer cannot be accepted.
 */
export function readAnswers(
	fields: FormField[],
	data: IDataObject,
): { answer: IDataObject; problems: AnswerProblem[] } {
	const answer: IDataObject = {};
	const problems: AnswerProblem[] = [];
	const problem = (field: FormField, zh: string, en: string) =>
		problems.push({ zh: `「${field.label}」${zh}`, en: `"${field.label}" ${en}` });
	fields.forEach((field, index) => {
		const given = values(data[inputName(index)]);
		if (field.type === 'checkbox') {
			const chosen = given.filter((value) => value !== '');
			if (chosen.some((value) => !field.options.includes(value))) {
				problem(field, '含有不在选项中的值', 'has a value that is not one of its options');
			} else if (field.required && chosen.length === 0) {
				problem(field, '至少选择一项', 'needs at least one choice');
			}
			answer[field.key] = chosen;
			return;
		}
		if (given.length === 0) {
			if (field.required) problem(field, '必填', 'is required');
			answer[field.key] = null;
			return;
		}
		const raw = given[given.length - 1];
		const value = field.type === 'text' || field.type === 'email' ? raw.trim() : raw;
		if (value.trim() === '') {
			if (field.required) problem(field, '必填', 'is required');
			answer[field.key] =
				field.type === 'number' || field.type === 'date' || CHOICE_TYPES.includes(field.type)
					? null
					: value;
			return;
		}
		switch (field.type) {
			case 'number': {
				const number = Number(value);
				if (!Number.isFinite(number)) {
					problem(field, '需要填写数字', 'must be a number');
				}
				answer[field.key] = number;
				return;
			}
			case 'email':
				if (!EMAIL.test(value)) problem(field, '不是有效的邮箱地址', 'is not an email address');
				break;
			case 'date':
				if (!DATE.test(value))
					problem(field, '需要 YYYY-MM-DD 格式的日期', 'must be a date (YYYY-MM-DD)');
				break;
			case 'dropdown':
			case 'radio':
				if (!field.options.includes(value)) {
					problem(field, '不是可选的选项', 'is not one of its options');
				}
				break;
		}
		answer[field.key] = value;
	});
	return { answer, problems };
}
