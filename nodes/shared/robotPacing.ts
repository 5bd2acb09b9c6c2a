import type { IExecuteFunctions, INodeProperties, NodeExecutionHint, NodeHint } from 'n8n-workflow';

import { ROBOT_RATE } from './retry';

// Group robots take 20 messages a minute; the node waits between messages rather than be refused. A run of 45 items
// takes two minutes while the editor shows only its spinner: these say why, before, during (server log) and after.

const LIMIT = `${ROBOT_RATE.limit} messages a minute`;

/** Shown in the node's panel before it runs, when its input has more items than one minute's worth. */
export const ROBOT_PACING_HINTS: NodeHint[] = [
	{
		message: `This robot takes at most ${LIMIT}: the node posts ${ROBOT_RATE.limit} at once, then waits a minute for the next ${ROBOT_RATE.limit} (45 items take about 2 minutes). It is not stuck while it waits.`,
		type: 'info',
		location: 'inputPane',
		whenToDisplay: 'beforeExecution',
		displayCondition: `={{ $parameter["operation"] === "send" && $input.all().length > ${ROBOT_RATE.limit} }}`,
	},
];

/** The same, as a notice on the Send operation. */
export const robotPacingNotice = (platform: string): INodeProperties => ({
	displayName: `${platform} takes at most ${LIMIT} per robot: with more items the node waits between them (45 items take about 2 minutes) rather than have messages refused. The log says when it waits; the output pane afterwards says how long.`,
	name: 'pacingNotice',
	type: 'notice',
	default: '',
});

/** Waits for the limit so far, per node run (the execution context object lives exactly one run). */
const waits = new WeakMap<object, { ms: number; calls: number }>();

/** Notes a wait for the robot's window: kept for the run's hint, and said in n8n's log as it starts. */
export function notePacingWait(
	context: IExecuteFunctions,
	platform: string,
	ms: number,
	itemIndex: number,
): void {
	const so = waits.get(context) ?? { ms: 0, calls: 0 };
	waits.set(context, { ms: so.ms + ms, calls: so.calls + 1 });
	context.logger.info(
		`${platform} group robot: item ${itemIndex + 1} waited ${Math.round(ms / 1000)} s for the robot's limit of ${LIMIT}`,
	);
}

/** After the run: how long the items waited for the limit, if they did. */
export function pacingHint(context: IExecuteFunctions): NodeExecutionHint | undefined {
	const so = waits.get(context);
	if (!so || so.ms < 1000) return undefined;
	const seconds = Math.round(so.ms / 1000);
	const time = seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
	return {
		message: `Paced to the robot's limit of ${LIMIT}: the items waited ${time} in all before they were posted.`,
		type: 'info',
		location: 'outputPane',
	};
}
