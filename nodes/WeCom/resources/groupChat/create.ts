import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { inputError } from '../../../shared/wecom/limits';
import { weComApiRequest } from '../../transport';
import { userList, userLocator } from '../shared/orgFields';
import type { NodeOperation } from '../../../shared/operations';
import {
	checkChatName,
	MAX_MEMBERS,
	MIN_MEMBERS,
	readChatId,
	readMembers,
	readUserId,
} from './fields';

export const createOperation: NodeOperation = {
	value: 'create',
	name: 'Create',
	action: 'Create a group chat',
	description:
		'Create an app group chat (群聊); only apps whose visibility scope is the root department may do this',
	properties: [
		{
			displayName: 'Name',
			name: 'name',
			type: 'string',
			default: '',
			description: 'Name of the chat, at most 50 characters',
		},
		userList({
			displayName: 'Members',
			name: 'members',
			description:
				'Members of the chat, 2 to 2,000, the owner included: one entry per member, searched by name or userid; or one entry By ID whose expression gives many',
		}),
		userLocator({
			displayName: 'Owner',
			name: 'owner',
			description:
				'Owner (群主) of the chat; must be one of the members. Empty lets WeCom pick a member.',
			required: false,
		}),
		{
			displayName: 'Additional Fields',
			name: 'additionalFields',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			options: [
				{
					displayName: 'Chat ID',
					name: 'chatId',
					type: 'string',
					default: '',
					description:
						'Choose the chatid yourself (1 to 32 letters and digits) instead of letting WeCom generate one',
				},
			],
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const name = String(this.getNodeParameter('name', itemIndex, '') ?? '').trim();
		checkChatName.call(this, itemIndex, name);
		const members = readMembers.call(this, itemIndex, 'members', 'Members');
		if (members.length < MIN_MEMBERS || members.length > MAX_MEMBERS) {
			throw inputError.call(
				this,
				itemIndex,
				`Members: ${members.length} given, a group chat needs ${MIN_MEMBERS} to ${MAX_MEMBERS} members`,
			);
		}
		const owner = readUserId.call(this, itemIndex, 'owner');
		if (owner && !members.includes(owner)) {
			throw inputError.call(
				this,
				itemIndex,
				`Owner "${owner}" is not among the members: add them to Members or choose another owner`,
			);
		}
		const chatId = readChatId.call(this, itemIndex, 'additionalFields.chatId');
		const body: IDataObject = { userlist: members };
		if (name) body.name = name;
		if (owner) body.owner = owner;
		if (chatId) body.chatid = chatId;
		const answer = await weComApiRequest.call(this, {
			method: 'POST',
			path: '/cgi-bin/appchat/create',
			body,
			itemIndex,
		});
		return { chatid: answer.chatid, name, ...(owner ? { owner } : {}), userlist: members };
	},
};
