import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

/** The `language` of the org answers (department names in English where the admin set them). */
export const languageOption: INodeProperties = {
	displayName: 'Language',
	name: 'language',
	type: 'options',
	options: [
		{ name: 'Chinese (zh_CN)', value: 'zh_CN' },
		{ name: 'English (en_US)', value: 'en_US' },
	],
	default: 'zh_CN',
	description: 'Language of the contact data in the answer (language)',
};

/** `{language}` when the option is set, else nothing (DingTalk's default, Chinese). */
export function readLanguage(this: IExecuteFunctions, itemIndex: number): IDataObject {
	const language = this.getNodeParameter('options.language', itemIndex, '') as string;
	return language ? { language } : {};
}

/** The Options collection of a look-up whose only option is Language. */
export const languageOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [languageOption],
};
