import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import type { CellInput } from './controls';

/** Method names both nodes give their form pickers (each reads its own platform's form). */
export const FORM_METHODS = {
	fields: 'getApprovalFormFields',
	columns: 'getApprovalTableColumns',
	columnOptions: 'getApprovalColumnOptions',
	people: 'getApprovalPeopleFields',
} as const;

export interface FormPropertiesOptions {
	/** What the form's fields are read from: the form picker (e.g. `processCode.value`). */
	dependsOn: string[];
	/** Shown when the form input is field by field. */
	displayOptions: IDisplayOptions;
	/** The platform's member and department pickers (resource locators). */
	userPicker: INodeProperties;
	departmentPicker: INodeProperties;
	/** One line on how values are written, for the Form Fields' description. */
	formats: string;
}

/** Shows a field of a Table Rows cell (or a People entry) only for the inputs named. */
function showFor(parameter: string, inputs: CellInput[]): IDisplayOptions {
	return { show: { [parameter]: inputs.map((input) => ({ _cnd: { startsWith: `${input}|` } })) } };
}

/**
 * The form editor of an approval: the resource mapper with one field per component (typed: numbers, date pickers,
 * options, a switch per option of a multi-select), Table Rows (明细) with the table's own columns, and People and
 * Departments with the searchable pickers.
 */
export function approvalFormProperties(options: FormPropertiesOptions): INodeProperties[] {
	const { dependsOn } = options;
	const cellField = (
		field: Omit<INodeProperties, 'displayOptions'>,
		inputs: CellInput[],
	): INodeProperties =>
		({ ...field, displayOptions: showFor('column', inputs) }) as INodeProperties;
	return [
		{
			displayName: 'Form Fields',
			name: 'formFields',
			type: 'resourceMapper',
			noDataExpression: true,
			default: { mappingMode: 'defineBelow', value: null },
			required: true,
			displayOptions: options.displayOptions,
			typeOptions: {
				loadOptionsDependsOn: dependsOn,
				resourceMapper: {
					resourceMapperMethod: FORM_METHODS.fields,
					mode: 'add',
					fieldWords: { singular: 'form field', plural: 'form fields' },
					addAllFields: true,
					multiKeyMatch: false,
					supportAutoMap: false,
					noFieldsError: 'The form has no fields the API can fill',
				},
			},
			description: `${options.formats} Each of the form's components has the input it takes: numbers, date pickers, a list for a select, a switch per option of a multi-select, start and end of a date range; table rows, people and departments have their own sections below`,
		},
		{
			displayName: 'Table Rows (明细)',
			name: 'tableRows',
			type: 'fixedCollection',
			placeholder: 'Add Row',
			default: {},
			typeOptions: { multipleValues: true, sortable: true },
			displayOptions: options.displayOptions,
			description:
				"Rows of the form's tables (明细), in order: each row gets a cell per column you fill, with the column's own input",
			options: [
				{
					displayName: 'Row',
					name: 'rows',
					values: [
						{
							displayName: 'Cells',
							name: 'cells',
							type: 'fixedCollection',
							placeholder: 'Add Cell',
							default: {},
							typeOptions: { multipleValues: true },
							options: [
								{
									displayName: 'Cell',
									name: 'cell',
									values: [
										{
											displayName: 'Column Name or ID',
											name: 'column',
											type: 'options',
											default: '',
											typeOptions: {
												loadOptionsMethod: FORM_METHODS.columns,
												loadOptionsDependsOn: dependsOn,
											},
											description:
												'The table column this cell fills. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
										},
										cellField(
											{
												displayName: 'Value',
												name: 'text',
												type: 'string',
												default: '',
												description:
													"The cell's value as text (for attachments: names of binary properties of the input item)",
											},
											['text'],
										),
										cellField(
											{
												displayName: 'Number',
												name: 'number',
												type: 'number',
												default: 0,
												description: 'The amount or number',
											},
											['number'],
										),
										cellField(
											{
												displayName: 'Date',
												name: 'date',
												type: 'dateTime',
												default: '',
												description: "Written in the column's date format",
											},
											['date'],
										),
										cellField(
											{
												displayName: 'Start',
												name: 'start',
												type: 'dateTime',
												default: '',
												description: 'Start of the range',
											},
											['range'],
										),
										cellField(
											{
												displayName: 'End',
												name: 'end',
												type: 'dateTime',
												default: '',
												description: 'End of the range',
											},
											['range'],
										),
										cellField(
											{
												displayName: 'Option Name or ID',
												name: 'option',
												type: 'options',
												default: '',
												typeOptions: {
													loadOptionsMethod: FORM_METHODS.columnOptions,
													loadOptionsDependsOn: ['&column'],
												},
												description:
													'One of the column\'s options. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
											},
											['select'],
										),
										cellField(
											{
												displayName: 'Option Names or IDs',
												name: 'options',
												type: 'multiOptions',
												default: [],
												typeOptions: {
													loadOptionsMethod: FORM_METHODS.columnOptions,
													loadOptionsDependsOn: ['&column'],
												},
												description:
													'The column\'s options to choose. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
											},
											['multi'],
										),
										cellField({ ...options.userPicker, name: 'user', required: false }, ['user']),
										cellField(
											{ ...options.departmentPicker, name: 'department', required: false },
											['dept'],
										),
									],
								},
							],
						},
					],
				},
			],
		},
		{
			displayName: 'People and Departments',
			name: 'formPeople',
			type: 'fixedCollection',
			placeholder: 'Add Person or Department',
			default: {},
			typeOptions: { multipleValues: true },
			displayOptions: options.displayOptions,
			description:
				"Members and departments for the form's contact (联系人) and department (部门) fields, picked by search; one entry each, several entries for a field that takes several",
			options: [
				{
					displayName: 'Entry',
					name: 'entries',
					values: [
						{
							displayName: 'Form Field Name or ID',
							name: 'field',
							type: 'options',
							default: '',
							typeOptions: {
								loadOptionsMethod: FORM_METHODS.people,
								loadOptionsDependsOn: dependsOn,
							},
							description:
								'The contact or department field to fill. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
						},
						{
							...options.userPicker,
							name: 'user',
							required: false,
							displayOptions: showFor('field', ['user']),
						},
						{
							...options.departmentPicker,
							name: 'department',
							required: false,
							displayOptions: showFor('field', ['dept']),
						},
					],
				},
			],
		},
	];
}
