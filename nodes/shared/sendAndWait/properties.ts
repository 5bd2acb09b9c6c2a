import type { INodeProperties } from 'n8n-workflow';

import { formDefinitionProperties } from './form';

const limitWaitTimeValues: INodeProperties[] = [
	{
		displayName: 'Limit Type',
		name: 'limitType',
		type: 'options',
		default: 'afterTimeInterval',
		description: 'When the node stops waiting for an answer and continues with its input',
		options: [
			{
				name: 'After Time Interval',
				value: 'afterTimeInterval',
				description: 'Waits for a certain amount of time',
			},
			{
				name: 'At Specified Time',
				value: 'atSpecifiedTime',
				description: 'Waits until the set date and time',
			},
		],
	},
	{
		displayName: 'Amount',
		name: 'resumeAmount',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: 1,
		description: 'How long to wait',
		displayOptions: { show: { limitType: ['afterTimeInterval'] } },
	},
	{
		displayName: 'Unit',
		name: 'resumeUnit',
		type: 'options',
		options: [
			{ name: 'Minutes', value: 'minutes' },
			{ name: 'Hours', value: 'hours' },
			{ name: 'Days', value: 'days' },
		],
		default: 'hours',
		description: 'Unit of the amount',
		displayOptions: { show: { limitType: ['afterTimeInterval'] } },
	},
	{
		displayName: 'Max Date and Time',
		name: 'maxDateAndTime',
		type: 'dateTime',
		default: '',
		description: 'Continue without an answer at this date and time',
		displayOptions: { show: { limitType: ['atSpecifiedTime'] } },
	},
];

/** n8n's own Limit Wait Time option (same names, same default), so workflows read alike. */
const limitWaitTimeOption: INodeProperties = {
	displayName: 'Limit Wait Time',
	name: 'limitWaitTime',
	type: 'fixedCollection',
	description:
		'Whether to stop waiting after a while; the node then continues with its input, which has no data.approved',
	default: { values: { limitType: 'afterTimeInterval', resumeAmount: 45, resumeUnit: 'minutes' } },
	options: [{ displayName: 'Values', name: 'values', values: limitWaitTimeValues }],
};

/**
 * The fields every Send and Wait operation shares, after the channel's own (recipients, message style): title and
 * message, Response Type (Approval, Free Text, Custom Form) and its settings, and Options with Limit Wait Time. Names
 * follow n8n's own Send and Wait (`message`, `responseType`, `approvalOptions`, `options.limitWaitTime`): n8n's
 * human-review tool for AI agents relies on them.
 */
export function sendAndWaitProperties(extraOptions: INodeProperties[] = []): INodeProperties[] {
	return [
		{
			displayName: 'Title',
			name: 'title',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. 报销审批 (Expense approval)',
			description: 'Headline of the message and of the page the links open',
		},
		{
			displayName: 'Message',
			name: 'message',
			type: 'string',
			typeOptions: { rows: 4 },
			default: '',
			required: true,
			description:
				'What the person is asked. The message shows its beginning if it is long; the page the links open shows all of it.',
		},
		{
			displayName: 'Response Type',
			name: 'responseType',
			type: 'options',
			default: 'approval',
			options: [
				{
					name: 'Approval',
					value: 'approval',
					description: 'Approve (and optionally Decline) links in the message',
				},
				{
					name: 'Free Text',
					value: 'freeText',
					description: 'A link to a page with one text field',
				},
				{
					name: 'Custom Form',
					value: 'customForm',
					description: 'A link to a page with the form defined below',
				},
			],
		},
		...formDefinitionProperties.map(
			(property): INodeProperties => ({
				...property,
				displayOptions: {
					...property.displayOptions,
					show: { ...property.displayOptions?.show, responseType: ['customForm'] },
				},
			}),
		),
		{
			displayName: 'Approval Options',
			name: 'approvalOptions',
			type: 'fixedCollection',
			placeholder: 'Add option',
			default: {},
			displayOptions: { show: { responseType: ['approval'] } },
			options: [
				{
					displayName: 'Values',
					name: 'values',
					values: [
						{
							displayName: 'Type of Approval',
							name: 'approvalType',
							type: 'options',
							default: 'single',
							options: [
								{ name: 'Approve Only', value: 'single' },
								{ name: 'Approve and Disapprove', value: 'double' },
							],
						},
						{
							displayName: 'Approve Button Label',
							name: 'approveLabel',
							type: 'string',
							default: 'Approve',
							placeholder: 'e.g. 同意',
						},
						{
							displayName: 'Disapprove Button Label',
							name: 'disapproveLabel',
							type: 'string',
							default: 'Decline',
							placeholder: 'e.g. 拒绝',
							displayOptions: { show: { approvalType: ['double'] } },
						},
					],
				},
			],
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add option',
			default: {},
			displayOptions: { show: { responseType: ['approval'] } },
			options: [limitWaitTimeOption, ...extraOptions],
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add option',
			default: {},
			displayOptions: { show: { responseType: ['freeText', 'customForm'] } },
			options: [
				limitWaitTimeOption,
				{
					displayName: 'Message Button Label',
					name: 'messageButtonLabel',
					type: 'string',
					default: 'Respond',
					placeholder: 'e.g. 填写',
					description: 'Label of the link in the message that opens the form',
				},
				{
					displayName: 'Response Form Button Label',
					name: 'responseFormButtonLabel',
					type: 'string',
					default: 'Submit',
					placeholder: 'e.g. 提交',
				},
				{
					displayName: 'Response Form Description',
					name: 'responseFormDescription',
					type: 'string',
					typeOptions: { rows: 2 },
					default: '',
					description: 'Text above the form; the Message when empty',
				},
				{
					displayName: 'Response Form Title',
					name: 'responseFormTitle',
					type: 'string',
					default: '',
					description: 'Headline of the form page; the Title when empty',
				},
				...extraOptions,
			],
		},
	];
}

/** For channels that post into a group: who can answer. `extra` adds a channel's own note. */
export function groupAnswerNotice(extra = ''): INodeProperties {
	return {
		displayName: `Anyone in the group can open the links and answer; the first answer continues the workflow.${extra ? ` ${extra}` : ''}`,
		name: 'groupNotice',
		type: 'notice',
		default: '',
	};
}
