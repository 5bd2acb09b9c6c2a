import type { IDataObject } from 'n8n-workflow';

import type { ControlKind, FormControl } from '../../../shared/approvalForm';

/** One component (控件) of an approval form, as the form-schema API describes it. */
export interface FormComponent {
	componentName: string;
	props: {
		id: string;
		/** A string; for DDDateRangeField in practice an array `["开始时间","结束时间"]` (or that array as JSON text). */
		label?: unknown;
		bizAlias?: string;
		required?: boolean;
		placeholder?: string;
		/** `string[]`, `[{key, value}]`, or entries that are JSON text of either. */
		options?: unknown;
		format?: string;
		unit?: string;
		/** InnerContactField: 1 = several people, 0 = one. */
		choice?: number | string;
		disabled?: boolean;
		[key: string]: unknown;
	};
	children?: FormComponent[];
}

export interface SelectOption {
	key: string;
	text: string;
}

/** Shown on the form but never submitted: DingTalk fills or computes them. */
const NOT_SUBMITTABLE = new Set(['TextNote', 'CalculateField', 'SeqNumberField']);

/** Leave and attendance kits (请假/出差/加班… 套件): they need attendance data the API cannot provide. */
const KITS = new Set(['DDHolidayField', 'DDBizSuite']);

/** Layout-only containers whose children are ordinary components of the form. */
const LAYOUT_CONTAINERS = new Set(['FieldGroup']);

interface ComponentKind {
	/** English name people see in fields and errors. */
	name: string;
	zh: string;
	/** How the value is given in n8n (Form Fields), and how DingTalk receives it. */
	format: string;
	/** A short example shown next to the field's name. */
	example: string;
}

const KINDS: Record<string, ComponentKind> = {
	TextField: { name: 'Text', zh: '单行输入框', format: 'text', example: 'text' },
	TextareaField: {
		name: 'Long Text',
		zh: '多行输入框',
		format: 'text; line breaks allowed',
		example: 'text',
	},
	NumberField: {
		name: 'Number',
		zh: '数字输入框',
		format: 'a number such as 12 or 3.5 (no units or thousands separators); sent as text',
		example: '12.5',
	},
	MoneyField: {
		name: 'Money',
		zh: '金额',
		format: 'an amount such as 1280.50 (no currency sign or thousands separators); sent as text',
		example: '1280.50',
	},
	StarRatingField: {
		name: 'Rating',
		zh: '评分',
		format: 'a number of stars such as 5; sent as text',
		example: '5',
	},
	PhoneField: {
		name: 'Phone',
		zh: '电话',
		format: 'a phone number, e.g. 13800000000 or +86 13800000000',
		example: '13800000000',
	},
	IdCardField: { name: 'ID Card', zh: '身份证', format: 'an ID card number', example: 'ID' },
	DDSelectField: {
		name: 'Select',
		zh: '单选框',
		format: "one option's text (its key is accepted too)",
		example: 'option',
	},
	DDMultiSelectField: {
		name: 'Multi-Select',
		zh: '多选框',
		format:
			'a switch per option under Form Fields (or the option texts as a list); sent as a JSON array text ["A","B"]',
		example: 'A, B',
	},
	DDDateField: {
		name: 'Date',
		zh: '日期',
		format:
			"a date or date and time (2026-07-27, 2026-07-27 09:30, an ISO time or $now); written in the form's date format in the workflow's time zone",
		example: '2026-07-27',
	},
	DDDateRangeField: {
		name: 'Date Range',
		zh: '时间区间',
		format:
			'start and end (two date pickers, or ["2026-07-27","2026-07-30"]); sent as a JSON array text in the form\'s date format, named by the whole label ["开始时间","结束时间"]',
		example: '2026-07-27, 2026-07-30',
	},
	InnerContactField: {
		name: 'Contact',
		zh: '联系人',
		format:
			'members picked under People and Departments, or userids (never names); sent as a JSON array text',
		example: 'user IDs',
	},
	DepartmentField: {
		name: 'Department',
		zh: '部门',
		format:
			"departments picked under People and Departments, or department IDs; sent as the IDs separated by commas, as DingTalk's sample writes them",
		example: 'department IDs',
	},
	AddressField: {
		name: 'Address',
		zh: '省市区',
		format:
			'province, city, district and optionally the street address: "浙江省, 杭州市, 余杭区, 文一西路969号" or a list; sent as one text separated by commas ("浙江省,杭州市,余杭区"), as DingTalk\'s sample writes it',
		example: '省, 市, 区',
	},
	DDPhotoField: {
		name: 'Photo',
		zh: '图片',
		format: 'image URLs (http/https), comma-separated or a JSON array; sent as a JSON array text',
		example: 'image URLs',
	},
	RelateField: {
		name: 'Related Approval',
		zh: '关联审批单',
		format: 'approval instance IDs, comma-separated; sent as a JSON array text',
		example: 'instance IDs',
	},
	DDAttachment: {
		name: 'Attachment',
		zh: '附件',
		format:
			'names of binary properties of the input item, comma-separated (each file is uploaded to DingTalk Drive, 钉盘); or the JSON of files already in the approval space [{"spaceId","fileName","fileSize","fileType","fileId"}]',
		example: 'binary property names',
	},
	TableField: {
		name: 'Table',
		zh: '明细',
		format:
			'rows under Table Rows, a cell per column; or rows as JSON: [{"<column label>": "value", ...}, ...] (one object per row, up to 100), or DingTalk\'s own [[{"name","value"}, ...], ...]; each cell in its column\'s format',
		example: 'JSON rows',
	},
};

const OTHER_KIND: ComponentKind = {
	name: 'Other',
	zh: '其他',
	format: 'sent as given (text, or JSON for objects and lists)',
	example: 'as given',
};

export function kindOf(component: FormComponent): ComponentKind {
	return KINDS[component.componentName] ?? OTHER_KIND;
}

export function isKit(component: FormComponent): boolean {
	return KITS.has(component.componentName);
}

export function isSubmittable(component: FormComponent): boolean {
	return !NOT_SUBMITTABLE.has(component.componentName) && !isKit(component);
}

export function isRequired(component: FormComponent): boolean {
	const required = component.props.required as unknown;
	return required === true || required === 'true';
}

function parseIfJson(text: string): unknown {
	const trimmed = text.trim();
	if (!/^[[{]/.test(trimmed)) return text;
	try {
		return JSON.parse(trimmed) as unknown;
	} catch {
		return text;
	}
}

/** The label(s): one for most components, two (start, end) for a date range. */
export function labelsOf(component: FormComponent): string[] {
	let label = component.props.label;
	if (typeof label === 'string') label = parseIfJson(label);
	if (Array.isArray(label)) return label.map(String).filter((l) => l !== '');
	return typeof label === 'string' && label !== '' ? [label] : [];
}

/**
 * The `name` DingTalk reads a value under: the component's label exactly as the form schema gives it. For a date range
 * that is the whole label, `["开始时间","结束时间"]` as one string, as in DingTalk's own sample (发起审批实例, request
 * example: `"name": "[\"开始时间\",\"结束时间\"]"`); a label given as an array is written as that JSON text.
 */
export function nameOf(component: FormComponent): string {
	const label = component.props.label;
	if (Array.isArray(label)) return JSON.stringify(label.map(String));
	return typeof label === 'string' && label !== '' ? label : component.props.id;
}

/** The key a component goes by in Form Fields and expressions: its label; the start label of a date range. */
export function keyOf(component: FormComponent): string {
	return labelsOf(component)[0] ?? component.props.id;
}

/** How the component is named in fields and messages: "报销金额" or "开始时间 ~ 结束时间". */
export function titleOf(component: FormComponent): string {
	const labels = labelsOf(component);
	return labels.length ? labels.join(' ~ ') : component.props.id;
}

/** `报销金额 (Money)`, for messages. */
export function describeComponent(component: FormComponent): string {
	const kind = kindOf(component);
	return `${titleOf(component)} (${kind === OTHER_KIND ? component.componentName : kind.name})`;
}

/** The options of a select, from any of the shapes DingTalk has been seen to use. */
export function optionsOf(component: FormComponent): SelectOption[] {
	const raw = component.props.options;
	if (!Array.isArray(raw)) return [];
	return raw.flatMap((entry: unknown): SelectOption[] => {
		const value = typeof entry === 'string' ? parseIfJson(entry) : entry;
		if (typeof value === 'string') return value === '' ? [] : [{ key: value, text: value }];
		if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
			const option = value as IDataObject;
			const text = String(option.value ?? option.text ?? option.key ?? '');
			return text === '' ? [] : [{ key: String(option.key ?? text), text }];
		}
		return [];
	});
}

/** The form's components with layout containers opened up; children of tables stay with their table. */
export function flattenComponents(items: unknown): FormComponent[] {
	if (!Array.isArray(items)) return [];
	return items.flatMap((item: unknown): FormComponent[] => {
		const component = item as FormComponent;
		if (!component || typeof component !== 'object' || !component.props) return [];
		if (LAYOUT_CONTAINERS.has(component.componentName)) {
			return flattenComponents(component.children);
		}
		return [component];
	});
}

/** The date format of a date or date-range component (DingTalk's default is yyyy-MM-dd). */
export function dateFormatOf(component: FormComponent): string {
	const format = component.props.format;
	return typeof format === 'string' && format.trim() !== '' ? format.trim() : 'yyyy-MM-dd';
}

/** Why a component cannot be filled through the API, if it cannot. */
export function notSubmittableReason(component: FormComponent): string | undefined {
	if (isKit(component)) {
		return 'a leave/attendance kit (套件): DingTalk does not let apps start approvals of kit forms';
	}
	if (NOT_SUBMITTABLE.has(component.componentName)) {
		return component.componentName === 'TextNote'
			? 'a text note (说明文字) shown on the form'
			: 'filled in by DingTalk (computed or numbered)';
	}
	return undefined;
}

/** A component without the schema's nesting and noise, for people and for later nodes. */
export function cleanComponent(component: FormComponent): IDataObject {
	const kind = kindOf(component);
	const { props } = component;
	const clean: IDataObject = {
		id: props.id,
		label: titleOf(component),
		name: nameOf(component),
		componentName: component.componentName,
		type: kind === OTHER_KIND ? component.componentName : `${kind.name} (${kind.zh})`,
		required: isRequired(component),
	};
	const labels = labelsOf(component);
	if (component.componentName === 'DDDateRangeField') clean.labels = labels;
	if (props.bizAlias) clean.bizAlias = props.bizAlias;
	if (props.placeholder) clean.placeholder = props.placeholder;
	const options = optionsOf(component);
	if (options.length) clean.options = options.map((o) => o.text);
	if (component.componentName === 'DDDateField' || component.componentName === 'DDDateRangeField') {
		clean.format = dateFormatOf(component);
	}
	if (props.unit) clean.unit = props.unit;
	if (component.componentName === 'InnerContactField') clean.multiple = Number(props.choice) === 1;
	const reason = notSubmittableReason(component);
	clean.submittable = reason === undefined;
	if (reason) clean.notSubmittable = reason;
	else clean.valueFormat = kind.format;
	if (component.componentName === 'TableField') {
		clean.children = flattenComponents(component.children).map(cleanComponent);
	}
	return clean;
}

const TEXT_HINTS: Record<string, string> = {
	PhoneField: '13800000000',
	AddressField: '省, 市, 区 (, street)',
	DDPhotoField: 'image URLs',
	RelateField: 'instance IDs',
	DDAttachment: 'binary properties',
};

function controlKind(component: FormComponent): ControlKind {
	switch (component.componentName) {
		case 'NumberField':
		case 'MoneyField':
		case 'StarRatingField':
			return 'number';
		case 'DDSelectField':
			return optionsOf(component).length ? 'select' : 'text';
		case 'DDMultiSelectField':
			return optionsOf(component).length ? 'multiSelect' : 'text';
		case 'DDDateField':
			return 'date';
		case 'DDDateRangeField':
			return 'dateRange';
		case 'InnerContactField':
			return 'contact';
		case 'DepartmentField':
			return 'department';
		case 'TableField':
			return 'table';
		case 'DDAttachment':
			return 'files';
		default:
			return 'text';
	}
}

/** The component as the shared form editor sees it (submittable components only; a table's columns likewise). */
export function toControl(component: FormComponent): FormControl {
	const kind = controlKind(component);
	const labels = labelsOf(component);
	const control: FormControl = {
		id: component.props.id,
		name: keyOf(component),
		title: titleOf(component),
		typeName: kindOf(component) === OTHER_KIND ? component.componentName : kindOf(component).name,
		kind,
		required: isRequired(component),
	};
	const hint = TEXT_HINTS[component.componentName];
	if (hint) control.hint = hint;
	if (kind === 'select' || kind === 'multiSelect') {
		control.options = optionsOf(component).map((o) => ({ value: o.text, name: o.text }));
	}
	if (kind === 'dateRange' && labels.length >= 2) control.rangeTitles = [labels[0], labels[1]];
	if (kind === 'contact') control.multiple = Number(component.props.choice) !== 0;
	// The schema's `multiple` is not always there: without it, several are allowed and DingTalk judges.
	if (kind === 'department') control.multiple = component.props.multiple !== false;
	if (kind === 'table') {
		control.columns = flattenComponents(component.children)
			.filter((c) => !notSubmittableReason(c))
			.map(toControl);
	}
	return control;
}
