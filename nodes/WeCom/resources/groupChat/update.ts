import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { inputError } from '../../../shared/wecom/limits';
import { weComApiRequest } from '../../transport';
import { userList, userLocator } from '../shared/orgFields';
import type { NodeOperation } from '../../../shared/operations';
import { chatIdField, checkChatName, readMembers, readUserId, requireChatId } from './fields';

export const updateOperation: NodeOperation = {
	value: 'update',
	name: 'Update',
	action: 'Update a group chat',
	description: 'Rename an app group chat, change its owner, or add and remove members',
	properties: [
		chatIdField,
		{
			displayName: 'Update Fields',
			name: 'updateFields',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			options: [
				userList({
					displayName: 'Add Members',
					name: 'addMembers',
					description:
						'Members to add (add_user_list): one entry per member, or one entry By ID whose expression gives many',
				}),
				{
					displayName: 'Name',
					name: 'name',
					type: 'string',
					default: '',
					description: 'New name of the chat, at most 50 characters',
				},
				userLocator({
					displayName: 'Owner',
					name: 'owner',
					description: 'New owner (群主); must be a member after the update',
					required: false,
				}),
				userList({
					displayName: 'Remove Members',
					name: 'removeMembers',
					description:
						'Members to remove (del_user_list): one entry per member, or one entry By ID whose expression gives many',
				}),
			],
		},
	],
	async execute(this: IExecuteFunctions, itemIndex: number) {
		const chatid = requireChatId.call(this, itemIndex);
		const fields = this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject;
		const body: IDataObject = { chatid };
		if (fields.name !== undefined) {
			const name = String(fields.name ?? '').trim();
			checkChatName.call(this, itemIndex, name);
			if (name) body.name = name;
		}
		if (fields.owner !== undefined) {
			const owner = readUserId.call(this, itemIndex, 'updateFields.owner');
			if (owner) body.owner = owner;
		}
		const add = readMembers.call(this, itemIndex, 'updateFields.addMembers', 'Add Members');
		const remove = readMembers.call(
			this,
			itemIndex,
			'updateFields.removeMembers',
			'Remove Members',
		);
		const both = add.filter((id) => remove.includes(id));
		if (both.length) {
			throw inputError.call(
				this,
				itemIndex,
				`${both.join(', ')} ${both.length === 1 ? 'is' : 'are'} both added and removed: keep each member in one list only`,
			);
		}
		if (typeof body.owner === 'string' && remove.includes(body.owner)) {
			throw inputError.call(
				this,
				itemIndex,
				`The new owner "${body.owner}" cannot also be removed`,
			);
		}
		if (add.length) body.add_user_list = add;
		if (remove.length) body.del_user_list = remove;
		if (Object.keys(body).length === 1) {
			throw inputError.call(
				this,
				itemIndex,
				'Nothing to update: set a name, an owner, or members to add or remove',
			);
		}
		await weComApiRequest.call(this, {
			method: 'POST',
			path: '/cgi-bin/appchat/update',
			body,
			itemIndex,
		});
		return { ...body, updated: true };
	},
};
