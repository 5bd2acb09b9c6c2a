/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: runs under Node, never inside n8n */
// What Stream mode promises DingTalk, checked inside a real n8n: an event is acknowledged only once n8n has recorded
// its execution. kill -9 of n8n while events stream in at 30+ a second (twice), a 20 s execution through DingTalk's
// redeliveries, unusable events as failed executions, and what the trigger writes to n8n's log.
import { readFileSync } from 'node:fs';

import type { ApiEmulator } from '../emulator';
import { ROBOT_TOPIC } from '../emulator/dingtalk/streamPayloads';
import { SLOW_STREAM_WORKFLOW, STREAM_WORKFLOW } from './dingtalkTrigger';
import { sleep, StepError, waitFor, type N8nRest } from './n8nHost';

export interface StreamDeliveryWorld {
	emulator: ApiEmulator;
	/** The REST client of the n8n running now (a new one after each restart). */
	rest(): N8nRest;
	/** kill -9 of n8n's process group; resolves once it is gone. */
	killN8n(): Promise<void>;
	/** Starts n8n again on the same folder and database; resolves once it is ready and logged in. */
	startN8n(): Promise<void>;
	logFile: string;
	say(line: string): void;
}

/** Events a second the suite streams at (the measured loss was at 33/s). */
export const STREAM_RATE = 33;

/** Acknowledgements to wait for before each kill (as measured: ~150). */
const ACKS_BEFORE_KILL = 150;

/**
 * Events each round streams at most: where n8n records fewer than STREAM_RATE a second (a busy 2-core machine records
 * ~5), an endless stream would only lengthen the backlog n8n works off after the restart, not change the kill.
 */
const ROUND_EVENTS = 2 * ACKS_BEFORE_KILL;

/** The trigger's default Executions at Once (Stream). */
const MAX_IN_FLIGHT = 64;

function expect(condition: boolean, message: string): void {
	if (!condition) throw new StepError(message);
}

/** The eventId (or msgId) of the DingTalk Trigger's item in an execution's data, wherever n8n keeps it. */
function eventIdIn(data: unknown): string | undefined {
	const seen = new Set<unknown>();
	const visit = (value: unknown): string | undefined => {
		if (typeof value !== 'object' || value === null || seen.has(value)) return undefined;
		seen.add(value);
		const record = value as Record<string, unknown>;
		if (record.connection === 'stream' && typeof record.eventId === 'string') return record.eventId;
		for (const child of Object.values(record)) {
			const found = visit(child);
			if (found) return found;
		}
		return undefined;
	};
	return visit(data);
}

interface Recorded {
	/** eventId -> statuses of its executions. */
	byKey: Map<string, string[]>;
	/** Executions without a trigger item (failed trigger executions). */
	others: Array<{ id: string; status: string; error?: string }>;
	newestId: number;
}

async function recorded(rest: N8nRest, workflowId: string, afterId: number): Promise<Recorded> {
	const byKey = new Map<string, string[]>();
	const others: Recorded['others'] = [];
	const executions = await rest.executionsAfter(workflowId, afterId);
	for (const execution of executions) {
		const { status, data, error } = await rest.executionData(execution.id);
		const key = eventIdIn(data);
		if (key === undefined) others.push({ id: execution.id, status, error });
		else byKey.set(key, [...(byKey.get(key) ?? []), status]);
	}
	return { byKey, others, newestId: Math.max(afterId, ...executions.map((e) => Number(e.id))) };
}

const FINISHED = new Set(['success', 'error', 'canceled']);

async function newestExecutionId(rest: N8nRest, workflowId: string): Promise<number> {
	const [newest] = await rest.executions(workflowId);
	return newest ? Number(newest.id) : 0;
}

export function streamDeliveryChecks(
	world: StreamDeliveryWorld,
): Array<[string, () => Promise<void>]> {
	const stream = () => world.emulator.dingtalkStream;
	const open = () =>
		stream()
			.openConnections()
			.filter((c) => c.state === 'open');
	const acked = (key: string) =>
		stream().acks.some(
			(a) =>
				a.key === key &&
				(a.kind !== 'EVENT' || (a.data as { status?: string })?.status === 'SUCCESS'),
		);
	const answersTo = (key: string) =>
		stream()
			.acks.filter((a) => a.key === key)
			.map((a) => (a.data as { status?: string })?.status ?? 'ok');
	const waitForConnection = async (what: string) =>
		await waitFor(what, async () => (open().length === 1 ? open()[0] : undefined), {
			timeoutMs: 120_000,
			intervalMs: 100,
		});

	return [
		[
			'DingTalk Trigger (Stream): unusable events (data not JSON, a robot message without sender and sessionWebhook) are acknowledged and show up as failed executions saying what was wrong',
			async () => {
				await waitForConnection('the Stream connection');
				const before = await newestExecutionId(world.rest(), STREAM_WORKFLOW.id);
				const notJson = stream().publishEvent({
					eventType: 'user_add_org',
					data: {},
					rawData: '{"UserId": [broken',
				});
				const robot = stream().publishCallback(ROBOT_TOPIC, {
					msgId: `e2e-msg-without-sender-${Date.now()}`,
					...{ msgtype: 'text', text: { content: '帮我请假' }, conversationId: 'cid-e2e' },
				} as { msgId: string });
				await waitFor(
					'both acknowledged',
					async () => (acked(notJson) && acked(robot) ? true : undefined),
					{ timeoutMs: 30_000, intervalMs: 100 },
				);
				const found = await waitFor(
					'two failed executions',
					async () => {
						const now = await recorded(world.rest(), STREAM_WORKFLOW.id, before);
						return now.others.length >= 2 ? now : undefined;
					},
					{ timeoutMs: 30_000, intervalMs: 500 },
				);
				await sleep(3500);
				const after = await recorded(world.rest(), STREAM_WORKFLOW.id, before);
				expect(
					after.byKey.size === 0,
					`unusable events started executions: ${JSON.stringify([...after.byKey])}`,
				);
				const errors = found.others.map((e) => `${e.status}: ${e.error}`).sort();
				expect(
					JSON.stringify(errors) ===
						JSON.stringify([
							'error: DingTalk sent a Stream event that cannot start the workflow: its data is not JSON',
							'error: DingTalk sent a Stream robot message that cannot start the workflow: a robot message without senderStaffId or senderId, sessionWebhook',
						]),
					`the failed executions: ${JSON.stringify(errors)}`,
				);
				expect(
					answersTo(notJson).length === 1 && answersTo(robot).length === 1,
					`answers: ${JSON.stringify([answersTo(notJson), answersTo(robot)])} (a redelivery of an acknowledged event?)`,
				);
			},
		],
		[
			`DingTalk Trigger (Stream): a ${SLOW_STREAM_WORKFLOW.waitSeconds} s execution (Wait) through DingTalk's redeliveries every 3 s: one execution, every delivery acknowledged once it finished`,
			async () => {
				const rest = world.rest();
				// The published Stream workflow is connected (its activation done) before it is unpublished.
				await waitForConnection('the Stream connection');
				await rest.unpublish(STREAM_WORKFLOW.id);
				await waitFor(
					'the Stream connection closed',
					async () => (open().length === 0 ? true : undefined),
					{ timeoutMs: 30_000, intervalMs: 100 },
				);
				await rest.publish(SLOW_STREAM_WORKFLOW.id);
				try {
					await waitForConnection('the slow workflow connected');
					const eventId = stream().publishEvent({
						eventType: 'bpms_instance_change',
						data: { processInstanceId: 'e2e-slow-1', type: 'finish', result: 'agree' },
					});
					const startedAt = Date.now();
					await waitFor('the ack', async () => (acked(eventId) ? true : undefined), {
						timeoutMs: 90_000,
						intervalMs: 100,
					});
					const ackedAfterMs = Date.now() - startedAt;
					await sleep(4000);
					const record = stream()
						.eventRecords()
						.find((e) => e.key === eventId)!;
					const answers = answersTo(eventId);
					const executions = await rest.executions(SLOW_STREAM_WORKFLOW.id);
					world.say(
						`      ${record.deliveries} deliveries, answered ${JSON.stringify(answers)}, acknowledged after ${(ackedAfterMs / 1000).toFixed(1)} s, ${executions.length} execution(s): ${executions.map((e) => e.status).join(', ')}`,
					);
					const connectionIds = stream()
						.connections()
						.map((c) => c.id);
					world.say(
						`      sent to connections #${record.sentTo.map((id) => connectionIds.indexOf(id)).join(', #')} of ${connectionIds.length} (${stream()
							.connections()
							.map((c) => c.state)
							.join(', ')})`,
					);
					expect(
						ackedAfterMs >= SLOW_STREAM_WORKFLOW.waitSeconds * 1000,
						`acknowledged after ${ackedAfterMs} ms, before the execution could have finished`,
					);
					expect(record.deliveries >= 5, `only ${record.deliveries} deliveries while it ran`);
					expect(
						executions.length === 1 && executions[0].status === 'success',
						`executions: ${JSON.stringify(executions)}`,
					);
					expect(
						answers.length === record.deliveries && answers.every((a) => a === 'SUCCESS'),
						`${record.deliveries} deliveries, answers ${JSON.stringify(answers)}`,
					);
				} finally {
					await rest.unpublish(SLOW_STREAM_WORKFLOW.id);
					await waitFor(
						'the slow connection closed',
						async () => (open().length === 0 ? true : undefined),
						{ timeoutMs: 30_000, intervalMs: 100 },
					);
					await rest.publish(STREAM_WORKFLOW.id);
					await waitForConnection('the Stream workflow connected again');
				}
			},
		],
		...[1, 2].map((round): [string, () => Promise<void>] => [
			`DingTalk Trigger (Stream): kill -9 of n8n at ${STREAM_RATE} events/s after ~${ACKS_BEFORE_KILL} acknowledgements (round ${round}): every acknowledged event has a recorded execution; after the restart every event is acknowledged and has exactly one execution`,
			async () => {
				await waitForConnection('the Stream connection');
				const before = await newestExecutionId(world.rest(), STREAM_WORKFLOW.id);
				const keys: string[] = [];
				const started = Date.now();
				let publishing = true;
				// On schedule, not per timer tick: a late timer publishes what fell due meanwhile.
				const publisher = (async () => {
					while (publishing) {
						const due = Math.floor(((Date.now() - started) * STREAM_RATE) / 1000);
						while (keys.length < Math.min(due, ROUND_EVENTS)) {
							keys.push(
								stream().publishEvent({
									eventType: 'user_modify_org',
									data: { UserId: [`kill${round}-${keys.length}`] },
								}),
							);
						}
						await sleep(10);
					}
				})();
				const ackedKeys = () => {
					const done = stream().ackedKeys();
					return keys.filter((key) => done.has(key));
				};
				await waitFor(
					`${ACKS_BEFORE_KILL} acknowledgements`,
					async () => (ackedKeys().length >= ACKS_BEFORE_KILL ? true : undefined),
					{ timeoutMs: 120_000, intervalMs: 20 },
				);
				const killAt = Date.now();
				await world.killN8n();
				// What DingTalk holds as acknowledged when n8n died: nothing after this can be an ack of that n8n.
				const ackedAtKill = ackedKeys();
				const publishedAtKill = keys.length;
				// Events keep coming for a moment while n8n is down.
				await sleep(1000);
				publishing = false;
				await publisher;
				// The stream's rate: over the time it took to publish what was published before the kill.
				const seconds =
					Math.min(killAt - started, (publishedAtKill * 1000) / STREAM_RATE + 50) / 1000;
				const ackSeconds = (killAt - started) / 1000;
				await world.startN8n();
				await waitFor(
					'every event of the round acknowledged after the restart',
					async () => (ackedKeys().length === keys.length ? true : undefined),
					{ timeoutMs: 300_000, intervalMs: 500 },
				);
				await sleep(4000);
				// n8n's execution list once left out two executions here (CI listed 298 of 300 while the database, kept
				// after the run, held all 300 with their items; the cause in n8n's listing was not found): read it again
				// until every event shows one, for at most a minute, then judge what it shows.
				const { byKey } = await waitFor(
					'every event of the round listed with an execution',
					async () => {
						const listed = await recorded(world.rest(), STREAM_WORKFLOW.id, before);
						return keys.every((key) => listed.byKey.has(key)) ? listed : undefined;
					},
					{ timeoutMs: 60_000, intervalMs: 2000 },
				).catch(async () => await recorded(world.rest(), STREAM_WORKFLOW.id, before));
				const executionsOf = (key: string) => byKey.get(key) ?? [];
				const finished = (key: string) =>
					executionsOf(key).filter((status) => FINISHED.has(status));
				const lost = ackedAtKill.filter((key) => finished(key).length === 0);
				const missing = keys.filter((key) => executionsOf(key).length === 0);
				const doubled = keys.filter((key) => executionsOf(key).length > 1);
				const crashed = keys.filter((key) => executionsOf(key).includes('crashed'));
				const lostEvents = stream()
					.lost()
					.filter((e) => keys.includes(e.key));
				world.say(
					`      round ${round}: published ${publishedAtKill} in ${seconds.toFixed(1)} s (${(publishedAtKill / seconds).toFixed(1)}/s), acknowledged ${ackedAtKill.length} before kill -9 at ${ackSeconds.toFixed(1)} s (${(ackedAtKill.length / ackSeconds).toFixed(1)}/s); acknowledged but unrecorded ${lost.length}; after the restart: ${keys.length} published and acknowledged, ${keys.length - missing.length} with an execution, ${doubled.length} with two, ${crashed.length} cut by the kill (kept as Crashed with their item; their redeliveries started nothing)`,
				);
				expect(
					lost.length === 0,
					`${lost.length} acknowledged events have no recorded execution: ${lost.slice(0, 5).join(', ')}`,
				);
				expect(
					missing.length === 0 && lostEvents.length === 0,
					`${missing.length} events without any execution, ${lostEvents.length} given up by DingTalk`,
				);
				// Exactly once across the crash too: a redelivery carries the key n8n keeps with the first execution.
				expect(
					doubled.length === 0,
					`${doubled.length} events have two executions: ${doubled.slice(0, 5).join(', ')}`,
				);
				// What the crash cut is what n8n was recording at the kill: never more than Executions at Once.
				expect(
					crashed.length <= MAX_IN_FLIGHT,
					`${crashed.length} executions cut by the kill, more than the ${MAX_IN_FLIGHT} being recorded at once`,
				);
				expect(
					publishedAtKill / seconds >= 30,
					`published only ${(publishedAtKill / seconds).toFixed(1)} events/s`,
				);
			},
		]),
		[
			"n8n's log: no cron of the trigger's own (no cron lines, no missed deadlines); the trigger's Stream lines each name a change of state",
			async () => {
				const log = readFileSync(world.logFile, 'utf8').split('\n');
				const count = (pattern: RegExp) => log.filter((line) => pattern.test(line)).length;
				const streamLines = log.filter((line) => /DingTalk (Stream|sent a Stream)/.test(line));
				const figures = {
					lines: log.length,
					deregisteredCrons: count(/Deregistered crons/),
					missedDeadlines: count(/Missed execution deadline/),
					stream: streamLines.length,
				};
				world.say(`      n8n log: ${JSON.stringify(figures)}`);
				for (const line of streamLines) world.say(`        ${line.slice(0, 260)}`);
				expect(
					figures.deregisteredCrons === 0 && figures.missedDeadlines === 0,
					`cron lines in n8n's log: ${JSON.stringify(figures)}`,
				);
				// Each line names what happened; a failure names when the next attempt is.
				const failures = streamLines.filter((line) =>
					/could not connect|connection lost/.test(line),
				);
				expect(
					failures.every((line) => /(next attempt|reconnecting) in \d+ s/.test(line)),
					`a failure line without its next attempt: ${failures.join('\n')}`,
				);
				expect(
					streamLines.length <= 20,
					`${streamLines.length} Stream lines: more than one per change of state?`,
				);
			},
		],
	];
}
