import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { Fail } from '../../../shared/operations';
import { dingTalkApiRequest } from '../../transport';

/** An approver node whose approvers the originator chooses (发起人自选), as the flow forecast describes it. */
export interface SelfSelectNode {
	name: string;
	actorKey: string;
	required: boolean;
	multiple: boolean;
	/** Members the node lets the originator choose from, when it restricts them. */
	allowed: string[];
}

/** What the user asked for: a node (by name or actorKey) and its approvers. */
export interface SelfSelectEntry {
	node: string;
	userIds: string[];
}

/** actorKeys of self-select nodes look like `manual_f953_8c70_xxxx_7ffa`. */
export const ACTOR_KEY = /^manual_[\w-]+$/;

/** The self-select nodes of the flow this originator's approval would take (流程预测, processes/forecast). */
export async function selfSelectNodes(
	this: IExecuteFunctions,
	request: {
		processCode: string;
		userId: string;
		deptId: number;
		formComponentValues: IDataObject[];
	},
	itemIndex: number,
): Promise<SelfSelectNode[]> {
	const answer = await dingTalkApiRequest.call(this, {
		method: 'POST',
		path: '/v1.0/workflow/processes/forecast',
		body: { ...request },
		itemIndex,
	});
	const result = (answer.result ?? {}) as IDataObject;
	const rules = Array.isArray(result.workflowActivityRules)
		? (result.workflowActivityRules as IDataObject[])
		: [];
	return rules
		.filter((rule) => rule.activityType === 'target_select' || rule.isTargetSelect === true)
		.map((rule) => {
			const actor = (rule.workflowActor ?? {}) as IDataObject;
			const range = (actor.actorSelectionRange ?? {}) as IDataObject;
			const approvals = Array.isArray(range.approvals) ? (range.approvals as IDataObject[]) : [];
			return {
				name: String(rule.activityName ?? ''),
				actorKey: String(actor.actorKey ?? ''),
				required: actor.required !== false,
				multiple: actor.allowedMulti === true,
				allowed: approvals.map((a) => String(a.workNo ?? '')).filter((id) => id !== ''),
			};
		})
		.filter((node) => node.actorKey !== '');
}

export function describeNodes(nodes: SelfSelectNode[]): string {
	return nodes
		.map((n) => `${n.name || '(unnamed)'} = ${n.actorKey}${n.required ? ', required' : ''}`)
		.join('; ');
}

/**
 * `targetSelectActioners` for the entries, their nodes named by the flow's node names or actorKeys, checked against
 * the forecast: unknown nodes, missing required nodes, several people where one is allowed, people outside the
 * node's range. `fail` throws the error the user sees.
 */
export function targetSelectActioners(
	entries: SelfSelectEntry[],
	nodes: SelfSelectNode[],
	fail: Fail,
): IDataObject[] {
	const chosen = new Map<SelfSelectNode, string[]>();
	for (const entry of entries) {
		const node =
			nodes.find((n) => n.actorKey === entry.node) ?? nodes.find((n) => n.name === entry.node);
		if (!node) {
			fail(
				nodes.length
					? `Self-Select Approvers: "${entry.node}" is not an approver node chosen by the originator in this form's flow. Its self-select nodes are: ${describeNodes(nodes)}`
					: `Self-Select Approvers: this form's flow has no approver node chosen by the originator (自选审批人): remove the entries`,
			);
		}
		if (chosen.has(node)) {
			fail(
				`Self-Select Approvers: the node "${node.name || node.actorKey}" is given twice: keep one entry`,
			);
		}
		if (!node.multiple && entry.userIds.length > 1) {
			fail(
				`Self-Select Approvers: the node "${node.name || node.actorKey}" takes one approver, got ${entry.userIds.length}`,
			);
		}
		const outside = node.allowed.length
			? entry.userIds.filter((id) => !node.allowed.includes(id))
			: [];
		if (outside.length) {
			fail(
				`Self-Select Approvers: ${outside.join(', ')} cannot approve at "${node.name || node.actorKey}"; the node allows: ${node.allowed.join(', ')}`,
			);
		}
		chosen.set(node, entry.userIds);
	}
	const missing = nodes.filter((n) => n.required && !chosen.has(n));
	if (missing.length) {
		fail(
			`Self-Select Approvers: the form's flow needs approvers chosen for ${missing.map((n) => `"${n.name || n.actorKey}"`).join(', ')} (发起人自选审批人). Its self-select nodes are: ${describeNodes(nodes)}`,
		);
	}
	return [...chosen].map(([node, userIds]) => ({
		actionerKey: node.actorKey,
		actionerUserIds: userIds,
	}));
}
